//! Appointments (预约) at the government-service halls: `GET /v1/halls` and a hall's slots
//! (shared data, cached, for everyone: [`HallsApi`]), and the signed-in person's bookings under
//! `/v1/me/appointments` ([`AppointmentsApi`]). Booking needs a bound real name and a phone
//! number: the platform books in the holder's name and the hall calls that number. A booking
//! carries the client's `Idempotency-Key`, passed to the platform as its `clientRequestId`, so
//! a retried POST answers the first booking again and never takes a second place.

mod problems;
mod views;

use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

pub use problems::*;
pub use views::*;

use super::{
    ApiTags, internal,
    records::{today, verified},
};
use crate::{
    AppState,
    domain::{halls::HallsError, idempotency::IdempotencyKey, session::Principal},
    http::{
        auth::CitizenAuth,
        context::RequestCtx,
        problem::{FieldIssue, ProblemKind, Rule},
    },
    i18n::Args,
    upstream::gov::{GovError, wire::BookAppointment},
};

/// The halls and their slots.
pub struct HallsApi;

/// The signed-in person's appointments.
pub struct AppointmentsApi;

/// How many days ahead the platform books (from tomorrow).
const BOOKING_WINDOW_DAYS: i64 = 7;

/// The answer to a platform error on a person's appointment.
fn refused(lang: &RequestCtx, err: GovError) -> BookingProblem {
    let kind = match err {
        GovError::NotFound => ProblemKind::NotFound,
        GovError::SlotFull => ProblemKind::SlotFull,
        GovError::Conflict(_) => ProblemKind::IdempotencyKeyReused,
        GovError::Rejected(_) => ProblemKind::NotBookable,
        err => {
            tracing::warn!(error = %err, "appointments unavailable");
            ProblemKind::UpstreamUnavailable
        }
    };
    BookingProblem::kind(lang, kind)
}

fn slots_refused(lang: &RequestCtx, err: HallsError) -> SlotsProblem {
    match err {
        HallsError::NotFound => {
            SlotsProblem::NotFound(lang.problem(ProblemKind::NotFound, &Args::new()))
        }
        HallsError::Rejected(_) => {
            SlotsProblem::Unprocessable(lang.problem(ProblemKind::NotBookable, &Args::new()))
        }
        HallsError::Unavailable(err) => {
            tracing::warn!(error = %err, "halls unavailable");
            SlotsProblem::Unavailable(lang.problem(ProblemKind::UpstreamUnavailable, &Args::new()))
        }
    }
}

async fn audit(
    state: &AppState,
    lang: &RequestCtx,
    principal: &Principal,
    action: &str,
    operation: &str,
    detail: serde_json::Value,
) -> Result<(), BookingProblem> {
    state
        .audit
        .own(
            lang.request_id.as_str(),
            &principal.account_id,
            action,
            operation,
            detail,
        )
        .await
        .map_err(|err| BookingProblem::Internal(internal(lang, &err)))
}

#[derive(ApiResponse)]
pub enum Booked {
    /// Booked; a retried request with the same `Idempotency-Key` answers the same booking.
    #[oai(status = 201)]
    Created(Json<AppointmentCreated>),
}

#[derive(ApiResponse)]
pub enum Cancelled {
    /// Cancelled (or already cancelled): the place is free again.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(tag = "ApiTags::Services")]
impl HallsApi {
    /// List the halls
    ///
    /// The prefecture's government-service halls (政务服务大厅) with their addresses, opening
    /// hours and windows, in the request's language. Shared data, cached.
    #[oai(path = "/v1/halls", method = "get", operation_id = "listHalls")]
    async fn list_halls(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
    ) -> Result<Json<HallList>, HallListProblem> {
        let (halls, freshness) = state.halls.list().await.map_err(|err| match err {
            HallsError::Unavailable(err) => {
                tracing::warn!(error = %err, "halls unavailable");
                HallListProblem::Unavailable(
                    lang.problem(ProblemKind::UpstreamUnavailable, &Args::new()),
                )
            }
            err => HallListProblem::Internal(internal(&lang, &anyhow::Error::new(err))),
        })?;
        Ok(Json(HallList {
            items: halls.iter().map(|h| hall_view(&lang, h)).collect(),
            freshness: freshness.into(),
        }))
    }

    /// List a hall's free slots
    ///
    /// The half-hour slots of one hall on one working day (tomorrow to 7 days ahead) for one
    /// service item, with the places left. Kept a few seconds, so `remaining` can be slightly
    /// behind; booking is checked by the platform.
    #[oai(
        path = "/v1/halls/:hallId/slots",
        method = "get",
        operation_id = "listHallSlots"
    )]
    async fn list_slots(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        /// A hall from `/v1/halls`.
        #[oai(
            name = "hallId",
            validator(max_length = 64, custom = "super::validators::token()")
        )]
        hall_id: Path<String>,
        /// The day, `YYYY-MM-DD` (Beijing time).
        #[oai(validator(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
        date: Query<String>,
        /// The service item to handle.
        #[oai(
            name = "serviceCode",
            validator(max_length = 64, custom = "super::validators::item_code()")
        )]
        service_code: Query<String>,
    ) -> Result<Json<SlotList>, SlotsProblem> {
        let invalid = |rule| {
            SlotsProblem::BadRequest(Json(ProblemKind::Validation.build(
                &lang,
                &Args::new(),
                vec![FieldIssue::new("date", rule)],
            )))
        };
        let day: jiff::civil::Date = date.0.parse().map_err(|_| invalid(Rule::Invalid))?;
        let today = today();
        let last = today.saturating_add(jiff::Span::new().days(BOOKING_WINDOW_DAYS));
        if day <= today || day > last {
            return Err(invalid(Rule::OutOfRange));
        }
        let slots = state
            .halls
            .slots(&hall_id.0, day, &service_code.0)
            .await
            .map_err(|err| slots_refused(&lang, err))?;
        Ok(Json(SlotList {
            hall_id: hall_id.0,
            date: day.to_string(),
            service_code: service_code.0,
            items: slots
                .iter()
                .map(|s| SlotView {
                    slot_id: s.slot_id.clone(),
                    start: s.start.clone(),
                    end: s.end.clone(),
                    capacity: s.capacity,
                    remaining: s.capacity.saturating_sub(s.booked),
                })
                .collect(),
        }))
    }
}

#[OpenApi(prefix_path = "/v1/me", tag = "ApiTags::Me")]
impl AppointmentsApi {
    /// Book an appointment
    ///
    /// Takes a place in a slot for one service item, in the person's verified name with their
    /// linked phone number. Send a fresh `Idempotency-Key` per tap on "book" and the same one
    /// on retry: the retry answers the first booking. A full slot answers 409 `slot_full`.
    #[oai(
        path = "/appointments",
        method = "post",
        operation_id = "bookAppointment"
    )]
    async fn book(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        /// 1–64 of `[A-Za-z0-9_-]`, new for each booking, the same when retrying it.
        #[oai(name = "Idempotency-Key", validator(max_length = 64))]
        idempotency_key: Header<String>,
        body: Json<BookAppointmentBody>,
    ) -> Result<Booked, BookingProblem> {
        let Some(key) = IdempotencyKey::parse(&idempotency_key.0) else {
            return Err(BookingProblem::BadRequest(Json(
                ProblemKind::Validation.build(
                    &lang,
                    &Args::new(),
                    vec![FieldIssue::new("Idempotency-Key", Rule::BadFormat)],
                ),
            )));
        };
        let person = verified(&state, &lang, &auth.0).await?;
        let contact = state
            .accounts
            .contact(&auth.0.account_id)
            .await
            .map_err(|err| BookingProblem::Internal(internal(&lang, &err)))?;
        let (Some(name), Some(phone)) = (contact.name, contact.phone) else {
            return Err(BookingProblem::kind(&lang, ProblemKind::PhoneRequired));
        };
        let booking = BookAppointment {
            client_request_id: key.client_request_id(&auth.0.account_id),
            slot_id: body.0.slot_id.clone(),
            task_code: body.0.service_code.clone(),
            holder_code: person.holder.code.clone(),
            holder_name: name,
            phone,
        };
        let answer = state.gov.book(&booking).await;
        if matches!(answer, Ok(_) | Err(GovError::SlotFull)) {
            state.halls.forget_slots();
        }
        let answer = answer.map_err(|err| refused(&lang, err))?;
        audit(
            &state,
            &lang,
            &auth.0,
            "create",
            "bookAppointment",
            serde_json::json!({
                "appointmentId": answer.appointment_id,
                "slotId": body.0.slot_id,
                "serviceCode": body.0.service_code,
            }),
        )
        .await?;
        let (status, message) = status_view(answer.status);
        Ok(Booked::Created(Json(AppointmentCreated {
            appointment_id: answer.appointment_id,
            voucher_code: answer.voucher_code,
            status,
            status_name: lang.text(message, &Args::new()),
            slot_id: body.0.slot_id,
            service_code: body.0.service_code,
        })))
    }

    /// List my appointments
    ///
    /// The person's appointments at the halls, newest slot first, cancelled ones included.
    /// Needs a bound real name.
    #[oai(
        path = "/appointments",
        method = "get",
        operation_id = "listMyAppointments"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> Result<Json<AppointmentList>, AppointmentsProblem> {
        let person = verified(&state, &lang, &auth.0).await?;
        let appointments = state
            .gov
            .appointments(&person.holder)
            .await
            .map_err(|err| refused(&lang, err))?;
        // Hall names are a nicety: a list without them beats no list.
        let halls = state.halls.list().await.ok().map(|(halls, _)| halls);
        audit(
            &state,
            &lang,
            &auth.0,
            "read",
            "listMyAppointments",
            serde_json::json!({"fields": ["appointments"]}),
        )
        .await?;
        let items = appointments
            .iter()
            .map(|a| appointment_view(&lang, a, halls.as_ref().map(|h| h.as_slice())))
            .collect();
        Ok(Json(AppointmentList { items }))
    }

    /// Cancel my appointment
    ///
    /// Frees the place at once. Cancelling a cancelled appointment answers 204 again; one
    /// already served answers 422 `not_cancellable`; another person's answers 404.
    #[oai(
        path = "/appointments/:appointmentId",
        method = "delete",
        operation_id = "cancelMyAppointment"
    )]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        /// From `/v1/me/appointments`.
        #[oai(
            name = "appointmentId",
            validator(max_length = 64, custom = "super::validators::item_code()")
        )]
        appointment_id: Path<String>,
    ) -> Result<Cancelled, AppointmentsProblem> {
        let person = verified(&state, &lang, &auth.0).await?;
        match state
            .gov
            .cancel_appointment(&appointment_id.0, &person.holder)
            .await
        {
            Ok(_) | Err(GovError::Conflict(_)) => {}
            Err(GovError::Rejected(_)) => {
                return Err(BookingProblem::kind(&lang, ProblemKind::NotCancellable).into());
            }
            Err(err) => return Err(refused(&lang, err).into()),
        }
        state.halls.forget_slots();
        audit(
            &state,
            &lang,
            &auth.0,
            "update",
            "cancelMyAppointment",
            serde_json::json!({"appointmentId": appointment_id.0}),
        )
        .await?;
        Ok(Cancelled::Done)
    }
}
