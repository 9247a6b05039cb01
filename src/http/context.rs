//! The per-request context handlers receive: the negotiated language, the request id and the
//! messages. As an API extractor it documents the `lang` query parameter on every operation;
//! the negotiation itself happened in [`super::frame`] before any handler ran.

use poem::{Request, RequestBody};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    registry::{MetaParamIn, MetaSchema, MetaSchemaRef},
};

use poem_openapi::payload::Json;

use super::{
    problem::{Problem, ProblemKind},
    request_id::RequestId,
};
use crate::i18n::{Args, L10n, Lang};

#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub lang: Lang,
    pub request_id: RequestId,
    pub l10n: L10n,
}

impl RequestCtx {
    /// A localized message in the request's language.
    pub fn text(&self, id: &str, args: &Args) -> String {
        self.l10n.format(self.lang, id, args)
    }

    /// A problem body of `kind`, localized, carrying this request's id.
    pub fn problem(&self, kind: ProblemKind, args: &Args) -> Json<Problem> {
        Json(kind.build(self, args, Vec::new()))
    }
}

impl<'a> ApiExtractor<'a> for RequestCtx {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];
    type ParamType = String;
    type ParamRawType = String;

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Query)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(MetaSchemaRef::Inline(Box::new(MetaSchema {
            enum_items: vec!["zh-Hans".into(), "ug-Arab".into(), "kk-Arab".into()],
            example: Some("ug-Arab".into()),
            ..MetaSchema::new("string")
        })))
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        request
            .extensions()
            .get::<RequestCtx>()
            .cloned()
            .ok_or_else(|| {
                poem::Error::from_string(
                    "request context missing",
                    poem::http::StatusCode::INTERNAL_SERVER_ERROR,
                )
            })
    }
}
