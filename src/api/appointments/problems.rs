//! The problems the appointments API answers, one enum per kind of operation so each
//! documents only the statuses it can answer.

use poem_openapi::{ApiResponse, payload::Json};

use crate::{
    api::records::RecordsProblem,
    http::{
        context::RequestCtx,
        problem::{Problem, ProblemKind},
    },
    i18n::Args,
};

/// Errors of the hall list.
#[derive(ApiResponse)]
pub enum HallListProblem {
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached and nothing is kept (`upstream_unavailable`).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

/// Errors of a hall's slots.
#[derive(ApiResponse)]
pub enum SlotsProblem {
    /// A parameter is invalid (`validation_failed`; `date` is `out_of_range` when not between
    /// tomorrow and 7 days ahead).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No such hall (`not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The hall does not handle that item (`not_bookable`).
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached (`upstream_unavailable`).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

/// Errors of a booking.
#[derive(ApiResponse)]
pub enum BookingProblem {
    /// A field or the `Idempotency-Key` header is invalid (`validation_failed`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid access token (`unauthorized`, `token_expired`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The person has not bound their real name yet (`real_name_required`).
    #[oai(status = 403, content_type = "application/problem+json")]
    RealNameRequired(Json<Problem>),
    /// No such slot (`not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The slot has no place left (`slot_full`).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The body is not `JSON` (`unsupported_media_type`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// No phone number linked (`phone_required`: `POST /v1/me/phone` first), the slot cannot
    /// be booked for that item (`not_bookable`), or the `Idempotency-Key` was used for another
    /// booking (`idempotency_key_reused`).
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached (`upstream_unavailable`).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

/// Errors of listing and cancelling appointments.
#[derive(ApiResponse)]
pub enum AppointmentsProblem {
    /// The appointment id is malformed (`validation_failed`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid access token (`unauthorized`, `token_expired`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The person has not bound their real name yet (`real_name_required`).
    #[oai(status = 403, content_type = "application/problem+json")]
    RealNameRequired(Json<Problem>),
    /// No such appointment of this person (`not_found`), another person's included.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The appointment was already served or missed (`not_cancellable`).
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached (`upstream_unavailable`).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

impl BookingProblem {
    pub(super) fn kind(lang: &RequestCtx, kind: ProblemKind) -> Self {
        let problem = lang.problem(kind, &Args::new());
        match kind.status().as_u16() {
            404 => Self::NotFound(problem),
            409 => Self::Conflict(problem),
            422 => Self::Unprocessable(problem),
            503 => Self::Unavailable(problem),
            _ => Self::Internal(problem),
        }
    }
}

impl From<RecordsProblem> for BookingProblem {
    fn from(problem: RecordsProblem) -> Self {
        match problem {
            RecordsProblem::Unauthorized(p) => Self::Unauthorized(p),
            RecordsProblem::RealNameRequired(p) => Self::RealNameRequired(p),
            RecordsProblem::NotFound(p) => Self::NotFound(p),
            RecordsProblem::Internal(p) => Self::Internal(p),
            RecordsProblem::Unavailable(p) => Self::Unavailable(p),
        }
    }
}

impl From<RecordsProblem> for AppointmentsProblem {
    fn from(problem: RecordsProblem) -> Self {
        BookingProblem::from(problem).into()
    }
}

/// Listing and cancelling meet a subset of a booking's problems.
impl From<BookingProblem> for AppointmentsProblem {
    fn from(problem: BookingProblem) -> Self {
        use BookingProblem as B;
        match problem {
            B::BadRequest(p) => Self::BadRequest(p),
            B::Unauthorized(p) => Self::Unauthorized(p),
            B::RealNameRequired(p) => Self::RealNameRequired(p),
            B::NotFound(p) => Self::NotFound(p),
            B::Unprocessable(p) => Self::Unprocessable(p),
            B::Unavailable(p) => Self::Unavailable(p),
            B::Conflict(p) | B::UnsupportedMediaType(p) | B::Internal(p) => Self::Internal(p),
        }
    }
}
