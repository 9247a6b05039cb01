//! The client API, one file per area. Handlers are thin: parse, call the domain, shape the
//! response in the request's language. Composition happens here, once.

pub mod admin;
pub mod appointments;
pub mod auth;
pub mod benefits;
pub mod bundles;
pub mod campaigns;
pub mod conditional;
pub mod gov_events;
pub mod health;
pub mod home;
pub mod hooks;
pub mod me;
pub mod meta;
pub mod notifications;
pub mod policies;
pub mod ratings;
pub mod records;
pub mod rendered;
pub mod services;
pub mod submit;
pub mod validators;

use std::net::IpAddr;

use poem_openapi::{Enum, Object, OpenApiService, Tags, payload::Json};

use crate::{
    http::{
        context::RequestCtx,
        problem::{Problem, ProblemKind},
    },
    i18n::{Args, Direction, Lang},
};

#[derive(Tags)]
pub enum ApiTags {
    /// Languages and other facts clients need before anything else.
    Meta,
    /// The service catalog (事项库) and service guides (办事指南).
    Services,
    /// Logging in with WeChat or Alipay, and Tongban's own tokens.
    Auth,
    /// The signed-in person's own account: real name, preferences, logins, export, deletion.
    Me,
    /// Callbacks from WeChat and Alipay (signed by them, not called by clients).
    Hooks,
    /// Operator API, with `X-Admin-Key` keys and scopes.
    Admin,
    /// Liveness and readiness, for load balancers and operators.
    Operations,
}

/// The API's version, published in the spec.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

const DESCRIPTION: &str = "\
Tongban (通办) serves the government-service mini-programs and apps of the Ili Kazakh Autonomous \
Prefecture in Mandarin (zh-Hans), Uyghur (ug-Arab) and Kazakh (kk-Arab).

**Language.** The `lang` query parameter wins; then the signed-in person's saved choice; then \
`Accept-Language` (q-values honoured, WeChat's `zh_CN` accepted); then zh-Hans. Cyrillic Kazakh \
(`kk-KZ`, `kk-Cyrl`) is not served and gets zh-Hans. Every response carries `Content-Language`; \
text from upstream systems comes as `{text, lang, dir}` so a client can mark text that fell back \
to Chinese. ug-Arab and kk-Arab are right-to-left.

**Signing in.** `POST /v1/auth/wechat` with the code of `wx.login()` (or \
`POST /v1/auth/alipay` with the code of `my.getAuthCode()`) answers a token pair. Send \
`Authorization: Bearer <accessToken>`; on `401` with code `token_expired` exchange the \
`refreshToken` at `POST /v1/auth/refresh` (each works once). After `POST /v1/me/real-name` the \
same person through WeChat and Alipay is one account.

**Limits.** Any operation may answer `429` with code `rate_limited` and `Retry-After` (seconds) \
when one address or one signed-in person sends too many requests.

**Errors.** Every error is `application/problem+json` with a stable `code`, a localized `title` \
and `detail`, the `requestId` (also in `X-Request-Id`), and `errors[]` naming each invalid field.";

/// The OpenAPI service with every area. Building it needs no state, so `tongban openapi` can
/// print the spec without opening anything.
pub type Apis = (
    meta::MetaApi,
    services::ServicesApi,
    bundles::BundlesApi,
    auth::AuthApi,
    home::HomeApi,
    me::MeApi,
    records::RecordsApi,
    ratings::RatingsApi,
    appointments::HallsApi,
    appointments::AppointmentsApi,
    submit::SubmitApi,
    (benefits::BenefitsApi, notifications::NotificationsApi),
    (hooks::HooksApi, gov_events::GovEventsApi),
    (
        admin::AdminApi,
        policies::PoliciesApi,
        campaigns::CampaignsApi,
    ),
    health::HealthApi,
);

pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            meta::MetaApi,
            services::ServicesApi,
            bundles::BundlesApi,
            auth::AuthApi,
            home::HomeApi,
            me::MeApi,
            records::RecordsApi,
            ratings::RatingsApi,
            appointments::HallsApi,
            appointments::AppointmentsApi,
            submit::SubmitApi,
            (benefits::BenefitsApi, notifications::NotificationsApi),
            (hooks::HooksApi, gov_events::GovEventsApi),
            (
                admin::AdminApi,
                policies::PoliciesApi,
                campaigns::CampaignsApi,
            ),
            health::HealthApi,
        ),
        "Tongban 通办",
        VERSION,
    )
    .description(DESCRIPTION)
}

/// The spec as served at `/openapi.json` and committed under `openapi/`.
pub fn spec_json() -> String {
    service().spec()
}

/// Writing direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Dir {
    Ltr,
    Rtl,
}

impl From<Direction> for Dir {
    fn from(direction: Direction) -> Self {
        match direction {
            Direction::Ltr => Dir::Ltr,
            Direction::Rtl => Dir::Rtl,
        }
    }
}

/// Text from an upstream system, with the language it is actually in. `lang` differs from the
/// response's `Content-Language` when a translation was missing and Chinese was used instead.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Text {
    pub text: String,
    /// BCP 47 tag of `text`.
    pub lang: String,
    /// Direction to render `text` in.
    pub dir: Dir,
}

impl Text {
    pub fn new(text: &str, lang: Lang) -> Self {
        Self {
            text: text.to_string(),
            lang: lang.tag().to_string(),
            dir: lang.direction().into(),
        }
    }
}

impl poem_openapi::types::Example for Text {
    fn example() -> Self {
        Self::new("نوپۇس يۆتكەش", Lang::UgArab)
    }
}

/// An instant as RFC 3339 in Beijing time (`2026-11-22T10:15:00+08:00`), the offset the
/// platforms and the person's documents use.
pub fn rfc3339(unix_seconds: i64) -> String {
    let beijing = jiff::tz::Offset::constant(8);
    jiff::Timestamp::from_second(unix_seconds)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .display_with_offset(beijing)
        .to_string()
}

/// The client's address as the listener saw it.
pub fn client_ip(req: &poem::Request) -> Option<IpAddr> {
    req.remote_addr().as_socket_addr().map(|addr| addr.ip())
}

/// Logs an unexpected failure with the request id (the frame's span carries it) and answers
/// the localized 500 body, which says nothing of the cause.
pub fn internal(ctx: &RequestCtx, err: &anyhow::Error) -> Json<Problem> {
    tracing::error!(error = format!("{err:#}"), "request failed");
    ctx.problem(ProblemKind::Internal, &Args::new())
}
