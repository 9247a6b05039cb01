//! `GET /v1/meta/languages`: the languages a client can offer in its switcher.

use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use super::{ApiTags, Dir};
use crate::{
    http::{context::RequestCtx, problem::Problem},
    i18n::Lang,
};

pub struct MetaApi;

/// One served language.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct Language {
    /// BCP 47 tag with script, to send back as `lang`.
    pub tag: String,
    /// The language's name in its own script.
    pub name: String,
    pub dir: Dir,
    /// Whether this is the default and fallback language.
    pub is_default: bool,
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Languages {
    pub languages: Vec<Language>,
    /// The language negotiated for this request.
    pub current: String,
}

#[derive(ApiResponse)]
pub enum LanguagesResponse {
    /// The served languages.
    #[oai(status = 200)]
    Ok(Json<Languages>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

impl poem_openapi::types::Example for Languages {
    fn example() -> Self {
        Self {
            languages: Lang::ALL.into_iter().map(language).collect(),
            current: Lang::UgArab.tag().to_string(),
        }
    }
}

fn language(l: Lang) -> Language {
    Language {
        tag: l.tag().to_string(),
        name: l.autonym().to_string(),
        dir: l.direction().into(),
        is_default: l == Lang::ZhHans,
    }
}

#[OpenApi(prefix_path = "/v1/meta", tag = "ApiTags::Meta")]
impl MetaApi {
    /// List the served languages
    ///
    /// Each language's name in its own script and its writing direction, for the language
    /// switcher. Text is never crossed between scripts: Kazakh here is the Arabic-script Kazakh
    /// of Xinjiang.
    #[oai(path = "/languages", method = "get", operation_id = "listLanguages")]
    async fn list_languages(
        &self,
        /// Language of the response: `zh-Hans`, `ug-Arab` or `kk-Arab` (also `zh`, `ug`, `kk`).
        /// Overrides `Accept-Language`.
        lang: RequestCtx,
    ) -> LanguagesResponse {
        LanguagesResponse::Ok(Json(Languages {
            languages: Lang::ALL.into_iter().map(language).collect(),
            current: lang.lang.tag().to_string(),
        }))
    }
}
