//! `GET /v1/themes`, `GET /v1/bundles` and `GET /v1/bundles/{code}`: the themes (主题) service
//! items are grouped under, and the "one thing done once" bundles (一件事一次办) that join the
//! items of one life event into one application.
//!
//! Shared data: [`BundleCache`] keeps one copy of each list in all languages (coalesced misses,
//! stale-while-revalidate, stale-if-error) and each request localizes it. A bundle's items are
//! resolved against the catalog, so a client shows names, departments and time limits without
//! one call per item. Responses carry a weak `ETag` and answer `If-None-Match` with 304.

use std::{hash::Hasher, sync::Arc, time::Duration};

use futures_util::future::join_all;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

use super::{
    ApiTags, Text,
    conditional::{etag, matches_etag},
    records::text,
    services::{ServiceSummary, example_summary, summary},
};
use crate::{
    AppState,
    config::CacheConfig,
    domain::{
        cache::{CacheCounters, Fnv1a, SharedCache, Ttl},
        catalog::{CatalogError, ServiceItem},
    },
    http::{
        context::RequestCtx,
        problem::{Problem, ProblemKind},
    },
    i18n::{Args, Lang},
    msg,
    upstream::gov::{
        GovClient, GovError,
        wire::{Bundle, Theme},
    },
};

/// A list as the platform last gave it, with a hash of it for `ETag`s.
#[derive(Debug)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub fingerprint: u64,
}

impl<T: serde::Serialize> Listing<T> {
    fn new(items: Vec<T>) -> Self {
        let mut hash = Fnv1a::default();
        hash.write(&serde_json::to_vec(&items).unwrap_or_default());
        let fingerprint = hash.finish();
        Self { items, fingerprint }
    }
}

/// Themes and bundles, cached once for everyone; clones share the caches.
#[derive(Clone)]
pub struct BundleCache {
    gov: GovClient,
    themes: SharedCache<(), Listing<Theme>>,
    bundles: SharedCache<(), Listing<Bundle>>,
}

impl std::fmt::Debug for BundleCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleCache").finish_non_exhaustive()
    }
}

impl BundleCache {
    /// Same lifetimes as the catalog: themes and bundles change with it.
    pub fn new(gov: GovClient, config: &CacheConfig, counters: CacheCounters) -> Self {
        let ttl = Ttl {
            fresh: Duration::from_secs(config.catalog_ttl_secs),
            stale_while_revalidate: Duration::from_secs(config.stale_while_revalidate_secs),
            stale_if_error: Duration::from_secs(config.stale_if_error_secs),
            negative: Duration::ZERO,
        };
        Self {
            gov,
            themes: SharedCache::new("themes", ttl, 1, counters.clone()),
            bundles: SharedCache::new("bundles", ttl, 1, counters),
        }
    }

    pub async fn themes(&self) -> Result<Arc<Listing<Theme>>, Arc<GovError>> {
        let gov = self.gov.clone();
        let found = self
            .themes
            .get(&(), move || {
                let gov = gov.clone();
                async move { gov.themes().await.map(|t| Some(Listing::new(t))) }
            })
            .await?;
        // The fetch never answers "not found".
        found
            .map(|(listing, _)| listing)
            .ok_or_else(|| Arc::new(GovError::NotFound))
    }

    pub async fn bundles(&self) -> Result<Arc<Listing<Bundle>>, Arc<GovError>> {
        let gov = self.gov.clone();
        let found = self
            .bundles
            .get(&(), move || {
                let gov = gov.clone();
                async move { gov.bundles().await.map(|b| Some(Listing::new(b))) }
            })
            .await?;
        found
            .map(|(listing, _)| listing)
            .ok_or_else(|| Arc::new(GovError::NotFound))
    }

    /// Drops both lists, with the operator's invalidation.
    pub fn invalidate(&self) {
        self.themes.invalidate_all();
        self.bundles.invalidate_all();
    }
}

pub struct BundlesApi;

/// Whose life a bundle belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum LifecycleCode {
    Person,
    Enterprise,
}

impl LifecycleCode {
    fn of(bundle: &Bundle) -> Self {
        if bundle.lifecycle == "enterprise" {
            Self::Enterprise
        } else {
            Self::Person
        }
    }
}

/// 主题: a group of service items (`household`, `elderly`, …).
#[derive(Debug, Clone, Object)]
pub struct ThemeView {
    pub code: String,
    pub name: Text,
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct ThemeList {
    pub items: Vec<ThemeView>,
}

/// 一件事一次办: the items of one life event, applied for together.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct BundleSummary {
    /// The life-event code (`birth`, `marriage`, `startBusiness`, …), for
    /// `/v1/bundles/{code}` and `/v1/services?lifeEvent=`.
    pub code: String,
    pub name: Text,
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<Text>,
    pub lifecycle: LifecycleCode,
    pub lifecycle_name: String,
    /// The department that leads the bundle (its unified social credit code).
    pub lead_department_code: String,
    /// Working days promised for the whole bundle.
    pub promised_days: u32,
    /// `10 个工作日`, …
    pub promised_display: String,
    pub item_count: u32,
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct BundleList {
    pub items: Vec<BundleSummary>,
}

/// One item of a bundle.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct BundleItemView {
    /// 实施编码 of the item (`/v1/services/{code}`).
    pub code: String,
    /// The bundle is complete without it.
    pub optional: bool,
    /// False when the catalog no longer lists the item: show its code and no link.
    pub available: bool,
    /// Can be applied for in the mini-program (`POST /v1/me/applications`).
    pub online_apply: bool,
    /// Name, department and promised time limit, when `available`.
    #[oai(skip_serializing_if_is_none)]
    pub service: Option<ServiceSummary>,
}

/// A bundle with its items.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct BundleDetail {
    #[oai(flatten)]
    pub summary: BundleSummary,
    pub items: Vec<BundleItemView>,
}

#[derive(ApiResponse)]
pub enum ThemesResponse {
    /// Every theme.
    #[oai(status = 200)]
    Ok(Json<ThemeList>, #[oai(header = "ETag")] String),
    /// Unchanged since the `ETag` sent in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
    /// A parameter is invalid (`validation_failed`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached and nothing is cached.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

#[derive(ApiResponse)]
pub enum BundlesResponse {
    /// The bundles, in the platform's order.
    #[oai(status = 200)]
    Ok(Json<BundleList>, #[oai(header = "ETag")] String),
    /// Unchanged since the `ETag` sent in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
    /// A parameter is invalid (`validation_failed`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached and nothing is cached.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

#[derive(ApiResponse)]
pub enum BundleResponse {
    /// The bundle with its items.
    #[oai(status = 200)]
    Ok(Json<BundleDetail>, #[oai(header = "ETag")] String),
    /// Unchanged since the `ETag` sent in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
    /// `code` is malformed (`validation_failed`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No bundle has this code (`bundle_not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached and nothing is cached.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Services")]
impl BundlesApi {
    /// List the themes
    ///
    /// The themes (主题) service items are grouped under, in the request's language. Answers
    /// 304 to a matching `If-None-Match`.
    #[oai(path = "/themes", method = "get", operation_id = "listThemes")]
    async fn list_themes(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        /// The `ETag` of a copy the client holds.
        #[oai(name = "If-None-Match", validator(max_length = 256))]
        if_none_match: Header<Option<String>>,
    ) -> ThemesResponse {
        let themes = match state.bundles.themes().await {
            Ok(themes) => themes,
            Err(err) => return ThemesResponse::Unavailable(unavailable(&lang, &err)),
        };
        let tag = etag(themes.fingerprint, &[lang.lang.tag()]);
        if matches_etag(if_none_match.0.as_deref(), &tag) {
            return ThemesResponse::NotModified(tag);
        }
        let items = themes
            .items
            .iter()
            .map(|theme| ThemeView {
                code: theme.code.clone(),
                name: text(&lang, &theme.name),
            })
            .collect();
        ThemesResponse::Ok(Json(ThemeList { items }), tag)
    }

    /// List the "one thing done once" bundles
    ///
    /// The bundles (一件事一次办) that join the items of one life event, for a person or an
    /// enterprise. Answers 304 to a matching `If-None-Match`.
    #[oai(path = "/bundles", method = "get", operation_id = "listBundles")]
    async fn list_bundles(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        /// Only the bundles of a person's or of an enterprise's life.
        lifecycle: Query<Option<LifecycleCode>>,
        /// The `ETag` of a copy the client holds.
        #[oai(name = "If-None-Match", validator(max_length = 256))]
        if_none_match: Header<Option<String>>,
    ) -> BundlesResponse {
        let bundles = match state.bundles.bundles().await {
            Ok(bundles) => bundles,
            Err(err) => return BundlesResponse::Unavailable(unavailable(&lang, &err)),
        };
        let filter = match lifecycle.0 {
            Some(LifecycleCode::Person) => "person",
            Some(LifecycleCode::Enterprise) => "enterprise",
            None => "",
        };
        let tag = etag(bundles.fingerprint, &[lang.lang.tag(), filter]);
        if matches_etag(if_none_match.0.as_deref(), &tag) {
            return BundlesResponse::NotModified(tag);
        }
        let items = bundles
            .items
            .iter()
            .filter(|b| {
                lifecycle
                    .0
                    .is_none_or(|wanted| LifecycleCode::of(b) == wanted)
            })
            .map(|b| bundle_summary(&lang, b))
            .collect();
        BundlesResponse::Ok(Json(BundleList { items }), tag)
    }

    /// Read a "one thing done once" bundle
    ///
    /// One bundle with its items resolved against the catalog: each item's name, department
    /// and promised time limit, and whether it can be applied for online. An item the catalog
    /// no longer lists comes with its code and `available: false`. Answers 304 to a matching
    /// `If-None-Match`.
    #[oai(path = "/bundles/:code", method = "get", operation_id = "getBundle")]
    async fn get_bundle(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        /// The bundle's life-event code (`birth`, `startBusiness`, …).
        #[oai(validator(max_length = 32, custom = "super::validators::word()"))]
        code: Path<String>,
        /// The `ETag` of a copy the client holds.
        #[oai(name = "If-None-Match", validator(max_length = 256))]
        if_none_match: Header<Option<String>>,
    ) -> BundleResponse {
        let bundles = match state.bundles.bundles().await {
            Ok(bundles) => bundles,
            Err(err) => return BundleResponse::Unavailable(unavailable(&lang, &err)),
        };
        let Some(bundle) = bundles.items.iter().find(|b| b.code == code.0) else {
            return BundleResponse::NotFound(lang.problem(
                ProblemKind::BundleNotFound,
                &Args::new().text("code", code.0.clone()),
            ));
        };
        let lookups = bundle.items.iter().map(|i| state.catalog.get(&i.task_code));
        let mut resolved = Vec::with_capacity(bundle.items.len());
        for found in join_all(lookups).await {
            match found {
                Ok(item) => resolved.push(Some(item)),
                Err(CatalogError::NotFound) => resolved.push(None),
                Err(CatalogError::Unavailable(err)) => {
                    return BundleResponse::Unavailable(unavailable(&lang, &err));
                }
                Err(CatalogError::InvalidCursor) => resolved.push(None),
            }
        }
        let fingerprint = resolved
            .iter()
            .flatten()
            .fold(Fnv1a::from_hash(bundles.fingerprint), |mut hash, item| {
                hash.write(&item.fingerprint.to_le_bytes());
                hash
            })
            .finish();
        let tag = etag(fingerprint, &[lang.lang.tag(), &bundle.code]);
        if matches_etag(if_none_match.0.as_deref(), &tag) {
            return BundleResponse::NotModified(tag);
        }
        BundleResponse::Ok(Json(bundle_detail(&lang, bundle, &resolved)), tag)
    }
}

fn bundle_summary(ctx: &RequestCtx, bundle: &Bundle) -> BundleSummary {
    let lifecycle = LifecycleCode::of(bundle);
    let lifecycle_name = match lifecycle {
        LifecycleCode::Person => msg!("service-object-person"),
        LifecycleCode::Enterprise => msg!("service-object-enterprise"),
    };
    BundleSummary {
        code: bundle.code.clone(),
        name: text(ctx, &bundle.name),
        description: bundle.description.as_ref().map(|d| text(ctx, d)),
        lifecycle,
        lifecycle_name: ctx.text(lifecycle_name, &Args::new()),
        lead_department_code: bundle.lead_dept_code.clone(),
        promised_days: bundle.promise_day,
        promised_display: ctx.text(
            msg!("time-limit-working-days"),
            &Args::new().count("days", i64::from(bundle.promise_day)),
        ),
        item_count: u32::try_from(bundle.items.len()).unwrap_or(u32::MAX),
    }
}

/// The bundle with each item as the catalog has it; `resolved` is in the bundle's order,
/// `None` for an item the catalog lacks.
fn bundle_detail(
    ctx: &RequestCtx,
    bundle: &Bundle,
    resolved: &[Option<Arc<ServiceItem>>],
) -> BundleDetail {
    let items = bundle
        .items
        .iter()
        .zip(resolved)
        .map(|(entry, item)| BundleItemView {
            code: entry.task_code.clone(),
            optional: entry.optional,
            available: item.is_some(),
            online_apply: item.as_ref().is_some_and(|i| i.online_apply),
            service: item.as_ref().map(|i| summary(ctx, i)),
        })
        .collect();
    BundleDetail {
        summary: bundle_summary(ctx, bundle),
        items,
    }
}

/// Logs why the platform could not be read and answers the localized 503 body.
fn unavailable(ctx: &RequestCtx, err: &GovError) -> Json<Problem> {
    tracing::warn!(error = %err, "themes or bundles unavailable");
    ctx.problem(ProblemKind::UpstreamUnavailable, &Args::new())
}

impl poem_openapi::types::Example for ThemeList {
    fn example() -> Self {
        Self {
            items: vec![ThemeView {
                code: "household".into(),
                name: Text::new("户籍", Lang::ZhHans),
            }],
        }
    }
}

fn example_bundle() -> BundleSummary {
    BundleSummary {
        code: "birth".into(),
        name: Text::new("出生一件事", Lang::ZhHans),
        description: Some(Text::new(
            "新生儿出生医学证明、户口登记、医保参保等一次办理。",
            Lang::ZhHans,
        )),
        lifecycle: LifecycleCode::Person,
        lifecycle_name: "个人".into(),
        lead_department_code: "116540000101006895".into(),
        promised_days: 10,
        promised_display: "10 个工作日".into(),
        item_count: 7,
    }
}

impl poem_openapi::types::Example for BundleList {
    fn example() -> Self {
        Self {
            items: vec![example_bundle()],
        }
    }
}

impl poem_openapi::types::Example for BundleDetail {
    fn example() -> Self {
        Self {
            summary: example_bundle(),
            items: vec![BundleItemView {
                code: "11654000MB0000001X3000173001001".into(),
                optional: false,
                available: true,
                online_apply: true,
                service: Some(example_summary()),
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        http::request_id::RequestId,
        i18n::L10n,
        sim::gov::seed_catalog,
        upstream::gov::wire::{BundleItem, I18nText},
    };

    #[test]
    fn an_item_the_catalog_lacks_is_listed_with_its_code_and_not_available() {
        let ctx = RequestCtx {
            lang: Lang::UgArab,
            request_id: RequestId::generate(),
            l10n: L10n::embedded().expect("locales"),
        };
        let known = seed_catalog().expect("seed").remove(0);
        let bundle = Bundle {
            code: "birth".into(),
            name: I18nText {
                zh: "出生一件事".into(),
                ug: None,
                kk: None,
            },
            description: None,
            lifecycle: "person".into(),
            lead_dept_code: known.dept_code.clone(),
            promise_day: 10,
            items: vec![
                BundleItem {
                    task_code: known.task_code.clone(),
                    optional: false,
                },
                BundleItem {
                    task_code: "GONE-1".into(),
                    optional: true,
                },
            ],
        };
        let resolved = [Some(Arc::new(ServiceItem::from(known))), None];
        let detail = bundle_detail(&ctx, &bundle, &resolved);
        assert!(detail.items[0].available && detail.items[0].service.is_some());
        let gone = &detail.items[1];
        assert_eq!(gone.code, "GONE-1");
        assert!(!gone.available && !gone.online_apply && gone.service.is_none());
        assert_eq!(
            detail.summary.name.lang, "zh-Hans",
            "untranslated text is marked"
        );
        assert_eq!(detail.summary.item_count, 2);
    }
}
