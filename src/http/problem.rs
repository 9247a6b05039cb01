//! One shape for every error: RFC 9457 `application/problem+json` with a stable machine `code`,
//! a localized `title` and `detail`, the `requestId`, and `errors[]` for invalid fields.
//!
//! [`from_error`] turns any `poem::Error` that escaped a handler (route not found, wrong method,
//! poem-openapi's parse and validation failures, a too-large body, anything unexpected) into
//! that shape. poem-openapi's English reason strings are read here for the field name and the
//! violated rule, and never forwarded.

use poem::{
    Response,
    error::{MethodNotAllowedError, NotFoundError},
    http::StatusCode,
};
use poem_openapi::{
    Object,
    error::{
        AuthorizationError, ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
        ParseRequestPayloadError,
    },
    types::ToJSON,
};

use super::{auth::AuthError, context::RequestCtx};
use crate::i18n::Args;
use crate::msg;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// An error, as every Tongban endpoint reports it (RFC 9457).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:tongban:problem:<code>`.
    #[oai(rename = "type")]
    pub type_: String,
    /// A short, localized summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// A localized explanation of this occurrence, fit to show to the person.
    pub detail: String,
    /// Stable machine-readable code; clients branch on this, never on `title`.
    pub code: String,
    /// The id of this request (also in the `X-Request-Id` header), for support and logs.
    pub request_id: String,
    /// For validation failures: one entry per invalid field or parameter.
    #[oai(skip_serializing_if_is_none)]
    pub errors: Option<Vec<FieldError>>,
}

impl poem_openapi::types::Example for Problem {
    fn example() -> Self {
        Self {
            type_: "urn:tongban:problem:validation_failed".into(),
            title: "请求参数有误".into(),
            status: 400,
            detail: "请检查下列各项后重试。".into(),
            code: "validation_failed".into(),
            request_id: "0f9c2d4e8b7a4c1d9e3f5a6b7c8d9e0f".into(),
            errors: Some(vec![FieldError {
                field: "limit".into(),
                code: "out_of_range".into(),
                message: "“limit”的取值超出允许范围。".into(),
            }]),
        }
    }
}

/// One invalid field or parameter.
#[derive(Debug, Clone, Object)]
pub struct FieldError {
    /// The parameter or body field name as it appears in the API (`body` when poem cannot
    /// tell which field of the body is wrong).
    pub field: String,
    /// Stable code: `required`, `too_long`, `too_short`, `out_of_range`, `invalid`,
    /// `bad_format`, `unknown_field`, `invalid_cursor` or `malformed`.
    pub code: String,
    /// Localized explanation naming the field.
    pub message: String,
}

/// Every kind of problem Tongban reports, with its status, code and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A client error no other kind describes; keeps the status poem reported (401, 408, 414, …).
    BadRequest(StatusCode),
    Validation,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    ServiceNotFound,
    Internal,
    UpstreamUnavailable,
    Unauthorized,
    TokenExpired,
    Forbidden,
    RateLimited,
    LoginCodeInvalid,
    LoginCodeUsed,
    LoginBlocked,
    RefreshTokenInvalid,
    RealNameMismatch,
    RealNameNotFound,
    FaceVerificationFailed,
    FaceVerificationRequired,
    RealNameAlreadyBound,
    PhoneCodeInvalid,
    SignatureInvalid,
    WechatUnavailable,
    AlipayUnavailable,
    /// Tongban itself has too much work in flight (load shedding).
    Overloaded,
    RealNameRequired,
    /// 一事一评: the application was rated already.
    AlreadyRated,
    /// The application is not finished, so it cannot be rated yet.
    NotRateable,
    /// WeChat's content check judged the text risky.
    ContentRejected,
    /// The appointment slot has no place left.
    SlotFull,
    /// Booking needs a phone number the hall can call.
    PhoneRequired,
    /// An `Idempotency-Key` was used before with another request.
    IdempotencyKeyReused,
    /// The platform does not take this booking (slot outside the window, item not at the hall).
    NotBookable,
    /// The appointment was already served or missed.
    NotCancellable,
    /// No "one thing done once" bundle (一件事一次办) has this code.
    BundleNotFound,
    /// A request with this `Idempotency-Key` is still being handled.
    RequestInProgress,
    /// The service item cannot be applied for online.
    NotOnline,
    /// The application is not waiting for more material.
    NotAwaitingSupplement,
    /// No benefit offer of this person has the id.
    OfferNotFound,
    /// No notification of this person has the id.
    NotificationNotFound,
    /// No push registration of this person has the id.
    DeviceNotFound,
    /// A subscription template id that is not configured.
    TemplateUnknown,
    /// No campaign has the id.
    CampaignNotFound,
    /// The offer was declined, expired or granted: it cannot be confirmed or declined.
    OfferClosed,
    /// A policy document has problems, listed per field.
    PolicyInvalid,
    /// No policy version has this id and number.
    PolicyNotFound,
    /// The version's status does not allow the operation (publishing a published one).
    PolicyState,
    /// No sweep has this id.
    SweepNotFound,
    /// A platform callback whose signature, timestamp or key does not verify.
    HookUnauthorized,
}

impl ProblemKind {
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest(status) => status,
            Self::Validation => StatusCode::BAD_REQUEST,
            Self::NotFound
            | Self::ServiceNotFound
            | Self::BundleNotFound
            | Self::OfferNotFound
            | Self::NotificationNotFound
            | Self::DeviceNotFound
            | Self::CampaignNotFound
            | Self::PolicyNotFound
            | Self::SweepNotFound => StatusCode::NOT_FOUND,
            Self::OfferClosed | Self::PolicyState => StatusCode::CONFLICT,
            Self::PolicyInvalid | Self::TemplateUnknown => StatusCode::UNPROCESSABLE_ENTITY,
            Self::HookUnauthorized => StatusCode::UNAUTHORIZED,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::UpstreamUnavailable
            | Self::WechatUnavailable
            | Self::AlipayUnavailable
            | Self::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unauthorized | Self::TokenExpired | Self::RefreshTokenInvalid => {
                StatusCode::UNAUTHORIZED
            }
            Self::Forbidden
            | Self::LoginBlocked
            | Self::SignatureInvalid
            | Self::RealNameRequired => StatusCode::FORBIDDEN,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::LoginCodeInvalid | Self::PhoneCodeInvalid => StatusCode::BAD_REQUEST,
            Self::LoginCodeUsed
            | Self::RealNameAlreadyBound
            | Self::AlreadyRated
            | Self::SlotFull
            | Self::RequestInProgress => StatusCode::CONFLICT,
            Self::RealNameMismatch
            | Self::RealNameNotFound
            | Self::FaceVerificationFailed
            | Self::FaceVerificationRequired
            | Self::NotRateable
            | Self::ContentRejected
            | Self::PhoneRequired
            | Self::NotBookable
            | Self::NotCancellable
            // The same key with another body is 422 (IETF draft-ietf-httpapi-idempotency-key
            // -header §2.7); 409 is for the same request still in progress.
            | Self::IdempotencyKeyReused
            | Self::NotOnline
            | Self::NotAwaitingSupplement => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Validation => "validation_failed",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::ServiceNotFound => "service_not_found",
            Self::Internal => "internal_error",
            Self::UpstreamUnavailable | Self::WechatUnavailable | Self::AlipayUnavailable => {
                "upstream_unavailable"
            }
            Self::Unauthorized => "unauthorized",
            Self::TokenExpired => "token_expired",
            Self::Forbidden => "forbidden",
            Self::RateLimited => "rate_limited",
            Self::LoginCodeInvalid => "login_code_invalid",
            Self::LoginCodeUsed => "login_code_used",
            Self::LoginBlocked => "login_blocked",
            Self::RefreshTokenInvalid => "refresh_token_invalid",
            Self::RealNameMismatch => "real_name_mismatch",
            Self::RealNameNotFound => "real_name_not_found",
            Self::FaceVerificationFailed => "face_verification_failed",
            Self::FaceVerificationRequired => "face_verification_required",
            Self::RealNameAlreadyBound => "real_name_already_bound",
            Self::PhoneCodeInvalid => "phone_code_invalid",
            Self::SignatureInvalid => "signature_invalid",
            Self::Overloaded => "overloaded",
            Self::RealNameRequired => "real_name_required",
            Self::AlreadyRated => "already_rated",
            Self::NotRateable => "not_rateable",
            Self::ContentRejected => "content_rejected",
            Self::SlotFull => "slot_full",
            Self::PhoneRequired => "phone_required",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::NotBookable => "not_bookable",
            Self::NotCancellable => "not_cancellable",
            Self::BundleNotFound => "bundle_not_found",
            Self::RequestInProgress => "request_in_progress",
            Self::NotOnline => "not_online",
            Self::NotAwaitingSupplement => "not_awaiting_supplement",
            Self::OfferNotFound => "offer_not_found",
            Self::NotificationNotFound => "notification_not_found",
            Self::DeviceNotFound => "device_not_found",
            Self::TemplateUnknown => "template_unknown",
            Self::CampaignNotFound => "campaign_not_found",
            Self::OfferClosed => "offer_closed",
            Self::PolicyInvalid => "policy_invalid",
            Self::PolicyNotFound => "policy_not_found",
            Self::PolicyState => "policy_state_conflict",
            Self::SweepNotFound => "sweep_not_found",
            Self::HookUnauthorized => "signature_invalid",
        }
    }

    fn messages(self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest(_) => (
                msg!("problem-bad-request-title"),
                msg!("problem-bad-request-detail"),
            ),
            Self::Validation => (
                msg!("problem-validation-title"),
                msg!("problem-validation-detail"),
            ),
            Self::NotFound => (
                msg!("problem-not-found-title"),
                msg!("problem-not-found-detail"),
            ),
            Self::MethodNotAllowed => (
                msg!("problem-method-not-allowed-title"),
                msg!("problem-method-not-allowed-detail"),
            ),
            Self::PayloadTooLarge => (
                msg!("problem-payload-too-large-title"),
                msg!("problem-payload-too-large-detail"),
            ),
            Self::UnsupportedMediaType => (
                msg!("problem-unsupported-media-type-title"),
                msg!("problem-unsupported-media-type-detail"),
            ),
            Self::ServiceNotFound => (
                msg!("problem-service-not-found-title"),
                msg!("problem-service-not-found-detail"),
            ),
            Self::Internal => (
                msg!("problem-internal-title"),
                msg!("problem-internal-detail"),
            ),
            Self::UpstreamUnavailable => (
                msg!("problem-upstream-unavailable-title"),
                msg!("problem-upstream-unavailable-detail"),
            ),
            Self::Unauthorized => (
                msg!("problem-unauthorized-title"),
                msg!("problem-unauthorized-detail"),
            ),
            Self::TokenExpired => (
                msg!("problem-token-expired-title"),
                msg!("problem-token-expired-detail"),
            ),
            Self::Forbidden => (
                msg!("problem-forbidden-title"),
                msg!("problem-forbidden-detail"),
            ),
            Self::RateLimited => (
                msg!("problem-rate-limited-title"),
                msg!("problem-rate-limited-detail"),
            ),
            Self::LoginCodeInvalid => (
                msg!("problem-login-code-invalid-title"),
                msg!("problem-login-code-invalid-detail"),
            ),
            Self::LoginCodeUsed => (
                msg!("problem-login-code-used-title"),
                msg!("problem-login-code-used-detail"),
            ),
            Self::LoginBlocked => (
                msg!("problem-login-blocked-title"),
                msg!("problem-login-blocked-detail"),
            ),
            Self::RefreshTokenInvalid => (
                msg!("problem-refresh-token-invalid-title"),
                msg!("problem-refresh-token-invalid-detail"),
            ),
            Self::RealNameMismatch => (
                msg!("problem-real-name-mismatch-title"),
                msg!("problem-real-name-mismatch-detail"),
            ),
            Self::RealNameNotFound => (
                msg!("problem-real-name-not-found-title"),
                msg!("problem-real-name-not-found-detail"),
            ),
            Self::FaceVerificationFailed => (
                msg!("problem-face-verification-failed-title"),
                msg!("problem-face-verification-failed-detail"),
            ),
            Self::FaceVerificationRequired => (
                msg!("problem-face-verification-required-title"),
                msg!("problem-face-verification-required-detail"),
            ),
            Self::RealNameAlreadyBound => (
                msg!("problem-real-name-already-bound-title"),
                msg!("problem-real-name-already-bound-detail"),
            ),
            Self::PhoneCodeInvalid => (
                msg!("problem-phone-code-invalid-title"),
                msg!("problem-phone-code-invalid-detail"),
            ),
            Self::SignatureInvalid => (
                msg!("problem-signature-invalid-title"),
                msg!("problem-signature-invalid-detail"),
            ),
            Self::WechatUnavailable => (
                msg!("problem-wechat-unavailable-title"),
                msg!("problem-wechat-unavailable-detail"),
            ),
            Self::AlipayUnavailable => (
                msg!("problem-alipay-unavailable-title"),
                msg!("problem-alipay-unavailable-detail"),
            ),
            Self::Overloaded => (
                msg!("problem-overloaded-title"),
                msg!("problem-overloaded-detail"),
            ),
            Self::RealNameRequired => (
                msg!("problem-real-name-required-title"),
                msg!("problem-real-name-required-detail"),
            ),
            Self::AlreadyRated => (
                msg!("problem-already-rated-title"),
                msg!("problem-already-rated-detail"),
            ),
            Self::NotRateable => (
                msg!("problem-not-rateable-title"),
                msg!("problem-not-rateable-detail"),
            ),
            Self::ContentRejected => (
                msg!("problem-content-rejected-title"),
                msg!("problem-content-rejected-detail"),
            ),
            Self::SlotFull => (
                msg!("problem-slot-full-title"),
                msg!("problem-slot-full-detail"),
            ),
            Self::PhoneRequired => (
                msg!("problem-phone-required-title"),
                msg!("problem-phone-required-detail"),
            ),
            Self::IdempotencyKeyReused => (
                msg!("problem-idempotency-key-reused-title"),
                msg!("problem-idempotency-key-reused-detail"),
            ),
            Self::NotBookable => (
                msg!("problem-not-bookable-title"),
                msg!("problem-not-bookable-detail"),
            ),
            Self::NotCancellable => (
                msg!("problem-not-cancellable-title"),
                msg!("problem-not-cancellable-detail"),
            ),
            Self::BundleNotFound => (
                msg!("problem-bundle-not-found-title"),
                msg!("problem-bundle-not-found-detail"),
            ),
            Self::RequestInProgress => (
                msg!("problem-request-in-progress-title"),
                msg!("problem-request-in-progress-detail"),
            ),
            Self::NotOnline => (
                msg!("problem-not-online-title"),
                msg!("problem-not-online-detail"),
            ),
            Self::NotAwaitingSupplement => (
                msg!("problem-not-awaiting-supplement-title"),
                msg!("problem-not-awaiting-supplement-detail"),
            ),
            Self::OfferNotFound => (
                msg!("problem-offer-not-found-title"),
                msg!("problem-offer-not-found-detail"),
            ),
            Self::NotificationNotFound => (
                msg!("problem-notification-not-found-title"),
                msg!("problem-notification-not-found-detail"),
            ),
            Self::DeviceNotFound => (
                msg!("problem-device-not-found-title"),
                msg!("problem-device-not-found-detail"),
            ),
            Self::TemplateUnknown => (
                msg!("problem-template-unknown-title"),
                msg!("problem-template-unknown-detail"),
            ),
            Self::CampaignNotFound => (
                msg!("problem-campaign-not-found-title"),
                msg!("problem-campaign-not-found-detail"),
            ),
            Self::OfferClosed => (
                msg!("problem-offer-closed-title"),
                msg!("problem-offer-closed-detail"),
            ),
            Self::PolicyInvalid => (
                msg!("problem-policy-invalid-title"),
                msg!("problem-policy-invalid-detail"),
            ),
            Self::PolicyNotFound => (
                msg!("problem-policy-not-found-title"),
                msg!("problem-policy-not-found-detail"),
            ),
            Self::PolicyState => (
                msg!("problem-policy-state-title"),
                msg!("problem-policy-state-detail"),
            ),
            Self::SweepNotFound => (
                msg!("problem-sweep-not-found-title"),
                msg!("problem-sweep-not-found-detail"),
            ),
            Self::HookUnauthorized => (
                msg!("problem-signature-invalid-title"),
                msg!("problem-signature-invalid-detail"),
            ),
        }
    }

    /// The localized problem body.
    pub fn build(self, ctx: &RequestCtx, args: &Args, errors: Vec<FieldIssue>) -> Problem {
        let (title, detail) = self.messages();
        let args = args.clone().text("requestId", ctx.request_id.as_str());
        let errors = (!errors.is_empty()).then(|| {
            errors
                .into_iter()
                .map(|issue| FieldError {
                    message: ctx.text(issue.rule.message_id(), &issue.args(&issue.field)),
                    code: issue.rule.code().to_string(),
                    field: issue.field,
                })
                .collect()
        });
        Problem {
            type_: format!("urn:tongban:problem:{}", self.code()),
            title: ctx.text(title, &args),
            status: self.status().as_u16(),
            detail: ctx.text(detail, &args),
            code: self.code().to_string(),
            request_id: ctx.request_id.to_string(),
            errors,
        }
    }

    /// The problem as a complete HTTP response.
    pub fn response(self, ctx: &RequestCtx, args: &Args, errors: Vec<FieldIssue>) -> Response {
        let body = self.build(ctx, args, errors).to_json_string();
        Response::builder()
            .status(self.status())
            .content_type(CONTENT_TYPE)
            .body(body.to_string())
    }
}

/// Which rule a field broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Required,
    TooLong(String),
    TooShort(String),
    OutOfRange,
    Invalid,
    BadFormat,
    Unknown,
    InvalidCursor,
    Malformed,
    /// A rule of one field's own, with its stable code and message id (ID numbers, names).
    Custom {
        code: &'static str,
        message: &'static str,
    },
    /// A benefit rule that does not compile, at a place in its text; `detail` is the
    /// compiler's (English) account, for the operator.
    PolicyRule {
        line: u32,
        column: u32,
        detail: String,
    },
}

impl Rule {
    pub fn code(&self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::TooLong(_) => "too_long",
            Rule::TooShort(_) => "too_short",
            Rule::OutOfRange => "out_of_range",
            Rule::Invalid => "invalid",
            Rule::BadFormat => "bad_format",
            Rule::Unknown => "unknown_field",
            Rule::InvalidCursor => "invalid_cursor",
            Rule::Malformed => "malformed",
            Rule::Custom { code, .. } => code,
            Rule::PolicyRule { .. } => "rule",
        }
    }

    fn message_id(&self) -> &'static str {
        match self {
            Rule::Required => msg!("field-required"),
            Rule::TooLong(_) => msg!("field-too-long"),
            Rule::TooShort(_) => msg!("field-too-short"),
            Rule::OutOfRange => msg!("field-out-of-range"),
            Rule::Invalid => msg!("field-invalid"),
            Rule::BadFormat => msg!("field-bad-format"),
            Rule::Unknown => msg!("field-unknown"),
            Rule::InvalidCursor => msg!("field-invalid-cursor"),
            Rule::Malformed => msg!("body-malformed"),
            Rule::Custom { message, .. } => message,
            Rule::PolicyRule { .. } => msg!("policy-rule-error"),
        }
    }
}

/// One invalid field, before localization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: String,
    pub rule: Rule,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, rule: Rule) -> Self {
        Self {
            field: field.into(),
            rule,
        }
    }

    fn args(&self, field: &str) -> Args {
        let args = Args::new().text("field", field).text("format", "JSON");
        match &self.rule {
            Rule::TooLong(max) => args.text("max", max.clone()),
            Rule::TooShort(min) => args.text("min", min.clone()),
            Rule::PolicyRule {
                line,
                column,
                detail,
            } => args
                .count("line", i64::from(*line))
                .count("column", i64::from(*column))
                .text("detail", detail.clone()),
            _ => args,
        }
    }
}

/// Maps an error that escaped a handler to its problem kind, message arguments and field issues.
pub fn classify(err: &poem::Error) -> (ProblemKind, Args, Vec<FieldIssue>) {
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return validation(vec![FieldIssue::new(e.name, rule_from_reason(&e.reason))]);
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        return validation(vec![FieldIssue::new(e.name, rule_from_reason(&e.reason))]);
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return validation(vec![payload_issue(&e.reason)]);
    }
    if err.is::<ParseMultipartError>() {
        return validation(vec![FieldIssue::new("body", Rule::Malformed)]);
    }
    if err.is::<ContentTypeError>() {
        return (
            ProblemKind::UnsupportedMediaType,
            Args::new().text("format", "JSON"),
            vec![],
        );
    }
    if let Some(auth) = err.downcast_ref::<AuthError>() {
        let kind = match auth {
            AuthError::Invalid => ProblemKind::Unauthorized,
            AuthError::Expired => ProblemKind::TokenExpired,
        };
        return (kind, Args::new(), vec![]);
    }
    if err.is::<AuthorizationError>() {
        return (ProblemKind::Unauthorized, Args::new(), vec![]);
    }
    if err.is::<NotFoundError>() {
        return (ProblemKind::NotFound, Args::new(), vec![]);
    }
    if err.is::<MethodNotAllowedError>() {
        return (ProblemKind::MethodNotAllowed, Args::new(), vec![]);
    }
    let kind = match err.status() {
        StatusCode::NOT_FOUND => ProblemKind::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ProblemKind::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ProblemKind::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemKind::UnsupportedMediaType,
        status if status.is_client_error() => ProblemKind::BadRequest(status),
        _ => ProblemKind::Internal,
    };
    (kind, Args::new().text("format", "JSON"), vec![])
}

fn validation(issues: Vec<FieldIssue>) -> (ProblemKind, Args, Vec<FieldIssue>) {
    (ProblemKind::Validation, Args::new(), issues)
}

/// Reads poem-openapi's reason text for a parameter (`verification failed. maxLength(10)`,
/// `Type "integer" expects an input value.`, `failed to parse "integer": …`).
fn rule_from_reason(reason: &str) -> Rule {
    if reason.contains("expects an input value") {
        return Rule::Required;
    }
    let Some(validator) = reason.split("verification failed. ").nth(1) else {
        return Rule::Invalid;
    };
    let argument = || {
        validator
            .split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(value, _)| value.to_string())
            .unwrap_or_default()
    };
    if validator.starts_with("maxLength(") {
        Rule::TooLong(argument())
    } else if validator.starts_with("minLength(") {
        Rule::TooShort(argument())
    } else if validator.starts_with("pattern(") {
        Rule::BadFormat
    } else if [
        "maximum(",
        "minimum(",
        "maxItems(",
        "minItems(",
        "multipleOf(",
    ]
    .iter()
    .any(|prefix| validator.starts_with(prefix))
    {
        Rule::OutOfRange
    } else {
        Rule::Invalid
    }
}

/// Reads the reason of a body that could not be parsed. Malformed JSON comes from serde_json
/// (`expected value at line 1 column 2`); object fields from poem-openapi (`field \`name\`
/// verification failed. …`, `unknown field \`x\`.`).
fn payload_issue(reason: &str) -> FieldIssue {
    if reason.contains(" at line ") && reason.contains(" column ") {
        return FieldIssue::new("body", Rule::Malformed);
    }
    let backticked = |marker: &str| {
        reason
            .split(marker)
            .nth(1)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    if let Some(field) = backticked("unknown field `") {
        return FieldIssue::new(field, Rule::Unknown);
    }
    if let Some(field) = backticked("field `") {
        return FieldIssue::new(field, rule_from_reason(reason));
    }
    FieldIssue::new("body", rule_from_reason(reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unlisted_client_error_keeps_its_status() {
        let err = poem::Error::from_status(StatusCode::URI_TOO_LONG);
        let (kind, _, _) = classify(&err);
        assert_eq!(kind.status(), StatusCode::URI_TOO_LONG);
        assert_eq!(kind.code(), "bad_request");
        let (kind, _, _) = classify(&poem::Error::from_status(StatusCode::BAD_GATEWAY));
        assert_eq!(kind, ProblemKind::Internal);
    }

    #[test]
    fn parameter_reasons_map_to_rules() {
        assert_eq!(
            rule_from_reason(r#"Type "integer" expects an input value."#),
            Rule::Required
        );
        assert_eq!(
            rule_from_reason("verification failed. maxLength(64)"),
            Rule::TooLong("64".into())
        );
        assert_eq!(
            rule_from_reason("verification failed. minLength(2)"),
            Rule::TooShort("2".into())
        );
        assert_eq!(
            rule_from_reason("verification failed. maximum(100, exclusive: false)"),
            Rule::OutOfRange
        );
        assert_eq!(
            rule_from_reason(r#"verification failed. pattern("^[0-9]+$")"#),
            Rule::BadFormat
        );
        assert_eq!(
            rule_from_reason(r#"failed to parse "integer": invalid digit"#),
            Rule::Invalid
        );
    }

    #[test]
    fn payload_reasons_name_the_field_when_poem_does() {
        assert_eq!(
            payload_issue("expected value at line 1 column 2"),
            FieldIssue::new("body", Rule::Malformed)
        );
        assert_eq!(
            payload_issue(
                r#"failed to parse "Form": field `name` verification failed. maxLength(10)"#
            ),
            FieldIssue::new("name", Rule::TooLong("10".into()))
        );
        assert_eq!(
            payload_issue(r#"failed to parse "Form": unknown field `nmae`."#),
            FieldIssue::new("nmae", Rule::Unknown)
        );
    }
}
