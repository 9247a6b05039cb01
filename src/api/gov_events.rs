//! `POST /v1/hooks/gov/events`: life events from the provincial platform (事件推送), see
//! `docs/upstream-gov.md`. The signature covers the exact body bytes, so the body is taken raw
//! and parsed only after it verifies; a bad signature, a stale timestamp or a replayed event
//! id changes nothing.

use std::marker::PhantomData;

use poem::{FromRequest, Request, RequestBody, web::Data};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, Object, OpenApi,
    error::ContentTypeError,
    param::Header,
    payload::{Json, ParsePayload, Payload},
    registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry},
    types::Type,
};
use secrecy::ExposeSecret;

use super::{ApiTags, internal};
use crate::{
    AppState,
    domain::identity::id_number::IdNumber,
    domain::session::now,
    http::{
        context::RequestCtx,
        problem::{Problem, ProblemKind},
    },
    i18n::Args,
    upstream::gov::wire::{ApplicationEvent, EventSubject, GovEvent, verify_event_signature},
};

pub struct GovEventsApi;

/// A life event or an application status event as the platform sends it (documented shape;
/// the body is read raw to check its signature).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct LifeEventBody {
    /// A UUID, the same on every retry.
    pub event_id: String,
    /// `birth_registered`, `disability_certified`, `subsistence_granted`, `retired`,
    /// `unemployment_registered`, `birthday`, `enterprise_registered`, `enterprise_changed`;
    /// `application_status_changed` (docs/upstream-gov.md §10b).
    #[oai(rename = "type")]
    pub kind: String,
    /// RFC 3339.
    pub occurred_at: String,
    /// `{"type": "person", "idNumber": …}` or `{"type": "enterprise", "creditCode": …}`.
    pub subject: serde_json::Value,
    /// Life events: the platform's names of the changed facts (`children`, …).
    pub facts: Option<Vec<String>>,
    /// Application status events: `{projectNo, taskCode, taskName, status, statusSeq,
    /// dueDate?}`.
    pub application: Option<serde_json::Value>,
}

/// The body bytes exactly as received, documented as `T`: a signed callback must be checked
/// over the bytes the sender signed, not over a re-serialization.
pub struct RawBody<T>(pub Vec<u8>, PhantomData<fn() -> T>);

/// A life event's raw body.
pub type RawEvent = RawBody<LifeEventBody>;

impl<T: Type> Payload for RawBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        <Json<serde_json::Value> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type> ParsePayload for RawBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self(
            <Vec<u8> as FromRequest>::from_request(request, body).await?,
            PhantomData,
        ))
    }
}

// As poem-openapi does for its own payloads (its macro for this is not exported): a request
// body with a checked content type.
impl<'a, T: Type> ApiExtractor<'a> for RawBody<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(content_type) if Self::check_content_type(content_type) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(content_type) => Err(ContentTypeError::NotSupported {
                content_type: content_type.to_string(),
            }
            .into()),
            None => Err(ContentTypeError::ExpectContentType.into()),
        }
    }
}

/// What happened to a delivered event.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct EventReceipt {
    pub event_id: String,
    /// The event was handled before: this delivery changed nothing.
    pub duplicate: bool,
    /// Offers the event made (life events).
    pub offers: u64,
    /// A notification was written for the person (application status events).
    pub notified: bool,
}

impl poem_openapi::types::Example for EventReceipt {
    fn example() -> Self {
        Self {
            event_id: "5b0f3c1e-2d3b-4a49-8a7e-6f5c4b3a2918".into(),
            duplicate: false,
            offers: 1,
            notified: false,
        }
    }
}

#[derive(ApiResponse)]
pub enum EventResponse {
    /// Handled (or handled before); the platform stops retrying.
    #[oai(status = 200)]
    Ok(Json<EventReceipt>),
    /// The body is not a life event.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// The signature, timestamp or event id header does not verify (`signature_invalid`);
    /// nothing was processed.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The body is not JSON (`unsupported_media_type`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Something failed inside Tongban; the platform retries and the event is handled then.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

#[OpenApi(prefix_path = "/v1/hooks", tag = "ApiTags::Hooks")]
impl GovEventsApi {
    /// Provincial platform: receive a life event
    ///
    /// Signed with `X-Gov-Signature: sha256=<hex HMAC-SHA256(key, "{timestamp}.{eventId}.{body}")>`.
    /// Re-evaluates the person against the published policies that read a changed fact and
    /// makes the new offers before answering.
    #[oai(
        path = "/gov/events",
        method = "post",
        operation_id = "receiveGovEvent"
    )]
    async fn receive(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        #[oai(name = "X-Gov-Event-Id", validator(max_length = 64))] event_id: Header<String>,
        #[oai(name = "X-Gov-Timestamp", validator(max_length = 16))] timestamp: Header<String>,
        #[oai(name = "X-Gov-Signature", validator(max_length = 80))] signature: Header<String>,
        body: RawEvent,
    ) -> EventResponse {
        let unauthorized = || {
            EventResponse::Unauthorized(lang.problem(ProblemKind::HookUnauthorized, &Args::new()))
        };
        let config = &state.config.upstream.gov;
        let Ok(sent_at) = timestamp.0.parse::<i64>() else {
            return unauthorized();
        };
        let key = config.event_key.expose_secret().as_bytes();
        if key.is_empty()
            || !verify_event_signature(key, sent_at, &event_id.0, &body.0, &signature.0)
        {
            tracing::warn!("life event refused: bad signature");
            return unauthorized();
        }
        if (now() - sent_at).unsigned_abs() > config.event_max_age_secs {
            tracing::warn!(sent_at, "life event refused: timestamp outside the window");
            return unauthorized();
        }
        let event = match GovEvent::parse(&body.0) {
            Ok(event) if event.event_id() == event_id.0 => event,
            _ => {
                return EventResponse::BadRequest(lang.problem(
                    ProblemKind::BadRequest(poem::http::StatusCode::BAD_REQUEST),
                    &Args::new(),
                ));
            }
        };
        let event = match event {
            GovEvent::Life(event) => event,
            GovEvent::Application(event) => return application_event(&state, &lang, event).await,
        };
        match state.benefits.handle_event(&event).await {
            Ok(outcome) => {
                tracing::info!(event = %event.event_id, kind = event.kind.as_str(), duplicate = outcome.duplicate, offers = outcome.offers, "life event handled");
                EventResponse::Ok(Json(EventReceipt {
                    event_id: event.event_id,
                    duplicate: outcome.duplicate,
                    offers: outcome.offers,
                    notified: false,
                }))
            }
            Err(err) => EventResponse::Internal(internal(&lang, &err)),
        }
    }
}

/// An application's status changed: the applicant's cached records are dropped and, for the
/// changes a person must hear about, a notification is written with the event's claim.
async fn application_event(
    state: &AppState,
    lang: &RequestCtx,
    event: ApplicationEvent,
) -> EventResponse {
    let account = match &event.subject {
        EventSubject::Person { id_number } => match IdNumber::parse(id_number) {
            Ok(id_number) => match state.accounts.find_by_id_number(&id_number).await {
                Ok(account) => account,
                Err(err) => return EventResponse::Internal(internal(lang, &err)),
            },
            Err(_) => {
                return EventResponse::BadRequest(lang.problem(
                    ProblemKind::BadRequest(poem::http::StatusCode::BAD_REQUEST),
                    &Args::new(),
                ));
            }
        },
        EventSubject::Enterprise { .. } => None,
    };
    match state
        .push
        .application_event(account.as_deref(), &event)
        .await
    {
        Ok(outcome) => {
            if let Some(account) = &account {
                state.records.forget(account).await;
            }
            tracing::info!(event = %event.event_id, duplicate = outcome.duplicate, notified = outcome.notified, "application event handled");
            EventResponse::Ok(Json(EventReceipt {
                event_id: event.event_id,
                duplicate: outcome.duplicate,
                offers: 0,
                notified: outcome.notified,
            }))
        }
        Err(err) => EventResponse::Internal(internal(lang, &err)),
    }
}
