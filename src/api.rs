//! The client API, one file per area. Handlers are thin: parse, call the domain, shape the
//! response in the request's language. Composition happens here, once.

pub mod health;
pub mod meta;
pub mod services;

use poem_openapi::{Enum, Object, OpenApiService, Tags};

use crate::i18n::{Direction, Lang};

#[derive(Tags)]
pub enum ApiTags {
    /// Languages and other facts clients need before anything else.
    Meta,
    /// The service catalog (事项库) and service guides (办事指南).
    Services,
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

**Errors.** Every error is `application/problem+json` with a stable `code`, a localized `title` \
and `detail`, the `requestId` (also in `X-Request-Id`), and `errors[]` naming each invalid field.";

/// The OpenAPI service with every area. Building it needs no state, so `tongban openapi` can
/// print the spec without opening anything.
pub fn service() -> OpenApiService<(meta::MetaApi, services::ServicesApi, health::HealthApi), ()> {
    OpenApiService::new(
        (meta::MetaApi, services::ServicesApi, health::HealthApi),
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
