//! `/v1/admin`: the operator API. Every call needs an `X-Admin-Key` whose scopes include the
//! operation's; every call is itself audited.

use poem::web::Data;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, param::Query, payload::Json};

use super::{ApiTags, internal};
use crate::{
    AppState,
    domain::{
        admin::{Operator, SCOPE_AUDIT_READ, SCOPE_CACHE_INVALIDATE},
        audit::AuditEntry,
    },
    http::{
        auth::AdminAuth,
        context::RequestCtx,
        problem::{Problem, ProblemKind},
    },
    i18n::Args,
};

pub struct AdminApi;

/// One audit entry.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct AuditRecordView {
    pub id: i64,
    pub at: String,
    #[oai(skip_serializing_if_is_none)]
    pub request_id: Option<String>,
    pub actor: String,
    pub action: String,
    #[oai(skip_serializing_if_is_none)]
    pub subject: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub operation: Option<String>,
    pub detail: serde_json::Value,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct AuditPage {
    pub items: Vec<AuditRecordView>,
    /// Pass as `after` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_after: Option<i64>,
}

impl poem_openapi::types::Example for AuditPage {
    fn example() -> Self {
        Self {
            items: vec![AuditRecordView {
                id: 42,
                at: "2026-11-22T02:03:04.567Z".into(),
                request_id: Some("0f9c2d4e8b7a4c1d9e3f5a6b7c8d9e0f".into()),
                actor: "account:acc_5f0c1e2d3b4a49d8a7e6f5c4b3a29180".into(),
                action: "update".into(),
                subject: Some("account:acc_5f0c1e2d3b4a49d8a7e6f5c4b3a29180".into()),
                operation: Some("bindRealName".into()),
                detail: serde_json::json!({"fields": ["name", "idNumber"], "result": "bound"}),
            }],
            next_after: None,
        }
    }
}

/// What every operator call can answer besides its own.
#[derive(ApiResponse)]
pub enum AdminError {
    /// A parameter or the body is invalid (`validation_failed`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid `X-Admin-Key` (`unauthorized`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The key lacks the operation's scope (`forbidden`).
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// The body is not JSON (`unsupported_media_type`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

#[derive(ApiResponse)]
pub enum Invalidated {
    /// Dropped; the next request of each entry reaches the platform.
    #[oai(status = 204)]
    Done,
}

/// Shared data that can be dropped from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum)]
#[oai(rename_all = "camelCase")]
pub enum CacheName {
    /// The service catalog and every service guide.
    Catalog,
    /// Themes and "one thing done once" bundles.
    Bundles,
    /// Service halls and their appointment slots.
    Halls,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct InvalidateRequest {
    /// Which caches to drop; all when left out.
    #[oai(validator(max_items = 8, unique_items))]
    pub caches: Option<Vec<CacheName>>,
}

fn default_limit() -> u32 {
    100
}

#[OpenApi(prefix_path = "/v1/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// Read the audit log
    ///
    /// Who read or changed which personal data, when and through which operation. Needs the
    /// `audit:read` scope.
    #[oai(path = "/audit", method = "get", operation_id = "listAuditEntries")]
    async fn list_audit(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        /// Only entries about this subject (`account:<id>`).
        #[oai(validator(max_length = 128))]
        subject: Query<Option<String>>,
        /// `nextAfter` of the previous page.
        #[oai(default, validator(minimum(value = "0")))]
        after: Query<i64>,
        /// Entries per page, 1–1000.
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "1000"))
        )]
        limit: Query<u32>,
    ) -> Result<Json<AuditPage>, AdminError> {
        let operator = authorize(&state, &lang, &key, SCOPE_AUDIT_READ).await?;
        let entry = AuditEntry {
            request_id: lang.request_id.as_str(),
            actor: format!("operator:{}", operator.key_id),
            action: "read",
            subject: subject.0.clone().unwrap_or_else(|| "audit_log".into()),
            operation: "listAuditEntries",
            detail: serde_json::json!({"operator": operator.name}),
        };
        state
            .audit
            .record(entry)
            .await
            .map_err(|err| AdminError::Internal(internal(&lang, &err)))?;
        match state
            .audit
            .list(subject.0.as_deref(), after.0, limit.0)
            .await
        {
            Ok(records) => {
                let next_after = (records.len() == limit.0 as usize)
                    .then(|| records.last().map(|r| r.id))
                    .flatten();
                Ok(Json(AuditPage {
                    items: records
                        .into_iter()
                        .map(|r| AuditRecordView {
                            id: r.id,
                            at: r.at,
                            request_id: r.request_id,
                            actor: r.actor,
                            action: r.action,
                            subject: r.subject,
                            operation: r.operation,
                            detail: r.detail,
                        })
                        .collect(),
                    next_after,
                }))
            }
            Err(err) => Err(AdminError::Internal(internal(&lang, &err))),
        }
    }

    /// Drop cached shared data
    ///
    /// Makes the next request of the named caches (all when none are named) reach the
    /// provincial platform, after the platform changed data Tongban caches. Needs the
    /// `cache:invalidate` scope.
    #[oai(
        path = "/cache/invalidate",
        method = "post",
        operation_id = "invalidateCaches"
    )]
    async fn invalidate_caches(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        body: Json<InvalidateRequest>,
    ) -> Result<Invalidated, AdminError> {
        let operator = authorize(&state, &lang, &key, SCOPE_CACHE_INVALIDATE).await?;
        let caches = body
            .0
            .caches
            .unwrap_or_else(|| vec![CacheName::Catalog, CacheName::Bundles, CacheName::Halls]);
        let names: Vec<String> = caches
            .iter()
            .map(|cache| {
                match cache {
                    CacheName::Catalog => "catalog",
                    CacheName::Bundles => "bundles",
                    CacheName::Halls => "halls",
                }
                .to_owned()
            })
            .collect();
        for name in &names {
            state.drop_cache(name);
        }
        // The other instances drop theirs within milliseconds (PostgreSQL NOTIFY).
        state
            .store
            .cluster()
            .tell(crate::cluster::Signal::Caches(names))
            .await;
        tracing::info!(key = %operator.key_id, ?caches, "caches invalidated");
        Ok(Invalidated::Done)
    }
}

async fn authorize(
    state: &AppState,
    lang: &RequestCtx,
    key: &AdminAuth,
    scope: &str,
) -> Result<Operator, AdminError> {
    match state.admin_keys.resolve(&key.0.key).await {
        Ok(Some(operator)) if operator.may(scope) => Ok(operator),
        Ok(Some(operator)) => {
            tracing::warn!(key = %operator.key_id, scope, "operator key lacks scope");
            Err(AdminError::Forbidden(
                lang.problem(ProblemKind::Forbidden, &Args::new()),
            ))
        }
        Ok(None) => Err(AdminError::Unauthorized(
            lang.problem(ProblemKind::Unauthorized, &Args::new()),
        )),
        Err(err) => Err(AdminError::Internal(internal(lang, &err))),
    }
}
