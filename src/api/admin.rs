//! `/v1/admin`: the operator API. Every call needs an `X-Admin-Key` whose scopes include the
//! operation's; every call is itself audited.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Query, payload::Json};

use super::{ApiTags, internal};
use crate::{
    AppState,
    domain::{
        admin::{Operator, SCOPE_AUDIT_READ},
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

#[derive(ApiResponse)]
pub enum AuditResponse {
    /// One page of entries, oldest first.
    #[oai(status = 200)]
    Ok(Json<AuditPage>),
    /// A parameter is invalid.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid `X-Admin-Key` (`unauthorized`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The key lacks the `audit:read` scope (`forbidden`).
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
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
    ) -> AuditResponse {
        let operator = match authorize(&state, &lang, &key, SCOPE_AUDIT_READ).await {
            Ok(operator) => operator,
            Err(refused) => return refused,
        };
        let entry = AuditEntry {
            request_id: lang.request_id.as_str(),
            actor: format!("operator:{}", operator.key_id),
            action: "read",
            subject: subject.0.clone().unwrap_or_else(|| "audit_log".into()),
            operation: "listAuditEntries",
            detail: serde_json::json!({"operator": operator.name}),
        };
        if let Err(err) = state.audit.record(entry).await {
            return AuditResponse::Internal(internal(&lang, &err));
        }
        match state
            .audit
            .list(subject.0.as_deref(), after.0, limit.0)
            .await
        {
            Ok(records) => {
                let next_after = (records.len() == limit.0 as usize)
                    .then(|| records.last().map(|r| r.id))
                    .flatten();
                AuditResponse::Ok(Json(AuditPage {
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
            Err(err) => AuditResponse::Internal(internal(&lang, &err)),
        }
    }
}

async fn authorize(
    state: &AppState,
    lang: &RequestCtx,
    key: &AdminAuth,
    scope: &str,
) -> Result<Operator, AuditResponse> {
    match state.admin_keys.resolve(&key.0.key).await {
        Ok(Some(operator)) if operator.may(scope) => Ok(operator),
        Ok(Some(operator)) => {
            tracing::warn!(key = %operator.key_id, scope, "operator key lacks scope");
            Err(AuditResponse::Forbidden(
                lang.problem(ProblemKind::Forbidden, &Args::new()),
            ))
        }
        Ok(None) => Err(AuditResponse::Unauthorized(
            lang.problem(ProblemKind::Unauthorized, &Args::new()),
        )),
        Err(err) => Err(AuditResponse::Internal(internal(lang, &err))),
    }
}
