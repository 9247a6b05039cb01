//! `POST /v1/me/applications` and `POST /v1/me/applications/{projectNo}/supplements`:
//! submitting an application (网上申报) and handing in the material a 补正 notice asked for.
//!
//! Both need an `Idempotency-Key` header, so that a tap retried over a bad mobile connection
//! never makes a second application: per (account, key) Tongban keeps the request's hash and
//! its successful answer before answering ([`crate::domain::idempotency`]). The same key with
//! the same request answers that result again with `Idempotent-Replayed: true`; with another
//! request, 422 `idempotency_key_reused`; while the first is still being handled, 409
//! `request_in_progress`. The key also goes to the platform inside its `clientRequestId`, so a
//! crash between the platform's answer and ours cannot make two applications either.

use std::{collections::BTreeMap, future::Future};

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path},
    payload::Json,
    types::{ParseFromJSON, ToJSON},
};

use super::{ApiTags, internal, records::ApplicationStatusCode};
use crate::{
    AppState,
    domain::{
        account::VerifiedPerson,
        catalog::{CatalogError, ServiceObject},
        idempotency::{Claim, IdempotencyKey, StoredAnswer, request_hash},
        records::{ApplicationStatus, RecordsError},
        session::Principal,
    },
    http::{
        auth::CitizenAuth,
        context::RequestCtx,
        problem::{FieldIssue, Problem, ProblemKind, Rule},
    },
    i18n::Args,
    upstream::gov::{
        GovError,
        wire::{SubmitApplication, SubmitResult, SubmittedMaterial},
    },
};

/// The largest `formData`, as compact JSON: forms are a few fields, not documents.
const MAX_FORM_BYTES: usize = 16 * 1024;

pub struct SubmitApi;

/// One material handed in: an e-certificate the platform fetches itself (免提交), or just its
/// name when it is brought to the hall.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct MaterialRef {
    /// The material's name as the guide lists it (`居民户口簿`).
    #[oai(validator(min_length = 1, max_length = 128))]
    pub name: String,
    /// `certificateId` of one of the person's e-certificates (`/v1/me/certificates`).
    #[oai(validator(max_length = 128))]
    pub certificate_id: Option<String>,
}

/// An application to submit.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApplication {
    /// 实施编码 of the service item (`/v1/services/{code}`).
    #[oai(validator(max_length = 64, custom = "super::validators::item_code()"))]
    pub service_code: String,
    /// The item's form, as its guide asks (at most 16 KiB of JSON).
    pub form_data: BTreeMap<String, serde_json::Value>,
    #[oai(validator(max_items = 30))]
    pub materials: Vec<MaterialRef>,
}

/// The material a 补正 notice asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSupplement {
    #[oai(validator(min_items = 1, max_items = 30))]
    pub materials: Vec<MaterialRef>,
}

/// Where the application stands after the request.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct SubmittedApplication {
    /// 办件编号, for `/v1/me/applications/{projectNo}`.
    pub project_no: String,
    pub status: ApplicationStatusCode,
    pub status_name: String,
}

impl poem_openapi::types::Example for SubmittedApplication {
    fn example() -> Self {
        Self {
            project_no: "11654000MB0000001X3000173001001202611220001".into(),
            status: ApplicationStatusCode::Submitted,
            status_name: "已接件".into(),
        }
    }
}

#[derive(ApiResponse)]
pub enum SubmitResponse {
    /// Submitted. With `Idempotent-Replayed: true` this is the stored answer to the first
    /// request with this key.
    #[oai(status = 201)]
    Created(
        Json<SubmittedApplication>,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum SupplementResponse {
    /// Handed in. With `Idempotent-Replayed: true` this is the stored answer to the first
    /// request with this key.
    #[oai(status = 200)]
    Ok(
        Json<SubmittedApplication>,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum SubmitProblem {
    /// The body or `Idempotency-Key` is missing or invalid (`validation_failed`, with
    /// `errors[]`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid access token (`unauthorized`, `token_expired`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The person has not bound their real name yet (`real_name_required`).
    #[oai(status = 403, content_type = "application/problem+json")]
    RealNameRequired(Json<Problem>),
    /// No such service item (`service_not_found`), or no such application of this person
    /// (`not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// A request with this `Idempotency-Key` is still being handled (`request_in_progress`).
    #[oai(status = 409, content_type = "application/problem+json")]
    InProgress(Json<Problem>),
    /// The key was used with another request (`idempotency_key_reused`); the item cannot be
    /// applied for online (`not_online`); no phone number is bound (`phone_required`); the
    /// application is not waiting for material (`not_awaiting_supplement`).
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached (`upstream_unavailable`); retry with the same
    /// key.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

type Outcome<T> = Result<T, SubmitProblem>;

/// `POST /v1/me/applications`, declared in [`super::records::RecordsApi`] next to the list
/// because poem-openapi writes one spec entry per path and API.
pub async fn submit_application(
    state: &AppState,
    lang: &RequestCtx,
    principal: &Principal,
    idempotency_key: &str,
    body: &NewApplication,
) -> Outcome<SubmitResponse> {
    let person = verified(state, lang, principal).await?;
    // The header's validator admits only valid keys; this makes the type say so.
    let Some(key) = IdempotencyKey::parse(idempotency_key) else {
        return Err(invalid(lang, "Idempotency-Key", Rule::BadFormat));
    };
    let form_bytes = serde_json::to_vec(&body.form_data).map_or(usize::MAX, |b| b.len());
    if form_bytes > MAX_FORM_BYTES {
        return Err(invalid(
            lang,
            "formData",
            Rule::TooLong(MAX_FORM_BYTES.to_string()),
        ));
    }
    let hash = request_hash("submitApplication", &body.to_json().unwrap_or_default());
    let work = submit_new(state, lang, principal, &person, &key, body);
    let (view, replayed) = idempotent(state, lang, principal, &key, &hash, 201, work).await?;
    Ok(SubmitResponse::Created(Json(view), replayed))
}

#[OpenApi(prefix_path = "/v1/me", tag = "ApiTags::Me")]
impl SubmitApi {
    /// Hand in material for an application
    ///
    /// Hands in everything a 补正 notice asked for, while the application waits for it
    /// (status `supplementRequested`). Needs an `Idempotency-Key` as submitting does. Another
    /// person's application answers 404.
    #[oai(
        path = "/applications/:projectNo/supplements",
        method = "post",
        operation_id = "submitSupplement"
    )]
    async fn supplement(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        /// 办件编号 from the list.
        #[oai(
            name = "projectNo",
            validator(max_length = 64, custom = "super::validators::item_code()")
        )]
        project_no: Path<String>,
        /// 1–64 of `A–Z a–z 0–9 _ -`, new for each tap of "hand in", reused on its retries.
        #[oai(
            name = "Idempotency-Key",
            validator(max_length = 64, custom = "super::validators::token()")
        )]
        idempotency_key: Header<String>,
        body: Json<NewSupplement>,
    ) -> Outcome<SupplementResponse> {
        let person = verified(&state, &lang, &auth.0).await?;
        // The header's validator admits only valid keys; this makes the type say so.
        let Some(key) = IdempotencyKey::parse(&idempotency_key.0) else {
            return Err(invalid(&lang, "Idempotency-Key", Rule::BadFormat));
        };
        let request = serde_json::json!({
            "projectNo": project_no.0,
            "materials": body.0.materials.to_json(),
        });
        let hash = request_hash("submitSupplement", &request);
        let work = supplement_new(
            &state,
            &lang,
            &auth.0,
            &person,
            &key,
            &project_no.0,
            &body.0,
        );
        let (view, replayed) = idempotent(&state, &lang, &auth.0, &key, &hash, 200, work).await?;
        Ok(SupplementResponse::Ok(Json(view), replayed))
    }
}

/// Runs `work` once per key: answers a stored answer again, refuses a reused or busy key, and
/// keeps a success before it is answered. A refusal or failure frees the key for a retry.
async fn idempotent(
    state: &AppState,
    ctx: &RequestCtx,
    principal: &Principal,
    key: &IdempotencyKey,
    hash: &str,
    status: u16,
    work: impl Future<Output = Outcome<SubmittedApplication>>,
) -> Outcome<(SubmittedApplication, Option<String>)> {
    let account = &principal.account_id;
    let fail = |err: anyhow::Error| SubmitProblem::Internal(internal(ctx, &err));
    match state
        .idempotency
        .begin(account, key, hash)
        .await
        .map_err(fail)?
    {
        Claim::Started => {}
        Claim::Replay(answer) => {
            let json = serde_json::from_str(&answer.body).ok();
            let view = SubmittedApplication::parse_from_json(json).map_err(|err| {
                fail(anyhow::anyhow!(
                    "stored answer does not parse: {}",
                    err.message()
                ))
            })?;
            return Ok((view, Some("true".into())));
        }
        Claim::Reused => {
            return Err(unprocessable(ctx, ProblemKind::IdempotencyKeyReused));
        }
        Claim::InProgress => {
            return Err(SubmitProblem::InProgress(
                ctx.problem(ProblemKind::RequestInProgress, &Args::new()),
            ));
        }
    }
    let view = match work.await {
        Ok(view) => view,
        Err(problem) => {
            state
                .idempotency
                .release(account, key)
                .await
                .map_err(fail)?;
            return Err(problem);
        }
    };
    let answer = StoredAnswer {
        status,
        body: view.to_json_string(),
    };
    state
        .idempotency
        .complete(account, key, &answer)
        .await
        .map_err(fail)?;
    // The person's list must show what they just did.
    state.records.forget(account).await;
    Ok((view, None))
}

async fn submit_new(
    state: &AppState,
    ctx: &RequestCtx,
    principal: &Principal,
    person: &VerifiedPerson,
    key: &IdempotencyKey,
    body: &NewApplication,
) -> Outcome<SubmittedApplication> {
    let item = match state.catalog.get(&body.service_code).await {
        Ok(item) => item,
        Err(CatalogError::NotFound) => {
            return Err(SubmitProblem::NotFound(ctx.problem(
                ProblemKind::ServiceNotFound,
                &Args::new().text("code", body.service_code.clone()),
            )));
        }
        Err(err) => {
            tracing::warn!(error = %err, "catalog unavailable for a submission");
            return Err(unavailable(ctx));
        }
    };
    if !item.online_apply || !item.service_objects.contains(&ServiceObject::Person) {
        return Err(unprocessable(ctx, ProblemKind::NotOnline));
    }
    let contact = state
        .accounts
        .contact(&principal.account_id)
        .await
        .map_err(|err| SubmitProblem::Internal(internal(ctx, &err)))?;
    let (Some(name), Some(phone)) = (contact.name, contact.phone) else {
        return Err(unprocessable(ctx, ProblemKind::PhoneRequired));
    };
    let submission = SubmitApplication {
        client_request_id: key.client_request_id(&principal.account_id),
        task_code: item.code.clone(),
        holder_code: person.holder.code.clone(),
        holder_code_type: person.holder.code_type,
        holder_name: name,
        contact_phone: phone,
        form_data: body.form_data.clone().into_iter().collect(),
        materials: materials(&body.materials),
    };
    let result = state.gov.submit_application(&submission).await;
    let result = result.map_err(|err| refused(ctx, err, ProblemKind::NotOnline))?;
    audit(state, ctx, principal, "submitApplication", &result).await?;
    Ok(view(ctx, &result))
}

async fn supplement_new(
    state: &AppState,
    ctx: &RequestCtx,
    principal: &Principal,
    person: &VerifiedPerson,
    key: &IdempotencyKey,
    project_no: &str,
    body: &NewSupplement,
) -> Outcome<SubmittedApplication> {
    let application = state
        .records
        .application(project_no, &person.holder)
        .await
        .map_err(|err| match err {
            RecordsError::NotFound => {
                SubmitProblem::NotFound(ctx.problem(ProblemKind::NotFound, &Args::new()))
            }
            RecordsError::Unavailable(err) => {
                tracing::warn!(error = %err, "application unavailable for a supplement");
                unavailable(ctx)
            }
        })?;
    if ApplicationStatus::from_code(&application.status) != ApplicationStatus::SupplementRequested {
        return Err(unprocessable(ctx, ProblemKind::NotAwaitingSupplement));
    }
    let client_request_id = key.client_request_id(&principal.account_id);
    let result = state
        .gov
        .supplement(
            project_no,
            &person.holder,
            &client_request_id,
            &materials(&body.materials),
        )
        .await
        .map_err(|err| refused(ctx, err, ProblemKind::NotAwaitingSupplement))?;
    audit(state, ctx, principal, "submitSupplement", &result).await?;
    Ok(view(ctx, &result))
}

fn materials(refs: &[MaterialRef]) -> Vec<SubmittedMaterial> {
    refs.iter()
        .map(|m| SubmittedMaterial {
            name: m.name.clone(),
            certificate_id: m.certificate_id.clone(),
            file_ref: None,
        })
        .collect()
}

fn view(ctx: &RequestCtx, result: &SubmitResult) -> SubmittedApplication {
    let status = ApplicationStatus::from_code(&result.status);
    SubmittedApplication {
        project_no: result.project_no.clone(),
        status: status.into(),
        status_name: ctx.text(status.message_id(), &Args::new()),
    }
}

/// The platform's refusal as the person's problem; `rejected` names what its 422 means for
/// this operation.
fn refused(ctx: &RequestCtx, err: GovError, rejected: ProblemKind) -> SubmitProblem {
    match err {
        GovError::NotFound => {
            SubmitProblem::NotFound(ctx.problem(ProblemKind::NotFound, &Args::new()))
        }
        GovError::Conflict(_) => unprocessable(ctx, ProblemKind::IdempotencyKeyReused),
        GovError::Rejected(reason) => {
            tracing::info!(%reason, "the platform refused a submission");
            unprocessable(ctx, rejected)
        }
        GovError::Unavailable(_) | GovError::RateLimited => {
            tracing::warn!(error = %err, "the platform did not take a submission");
            unavailable(ctx)
        }
        err => SubmitProblem::Internal(internal(ctx, &anyhow::Error::new(err))),
    }
}

async fn verified(
    state: &AppState,
    ctx: &RequestCtx,
    principal: &Principal,
) -> Outcome<VerifiedPerson> {
    match state.accounts.verified(&principal.account_id).await {
        Ok(Some(person)) => Ok(person),
        Ok(None) => Err(SubmitProblem::RealNameRequired(
            ctx.problem(ProblemKind::RealNameRequired, &Args::new()),
        )),
        Err(err) => Err(SubmitProblem::Internal(internal(ctx, &err))),
    }
}

fn invalid(ctx: &RequestCtx, field: &str, rule: Rule) -> SubmitProblem {
    SubmitProblem::BadRequest(Json(ProblemKind::Validation.build(
        ctx,
        &Args::new(),
        vec![FieldIssue::new(field, rule)],
    )))
}

fn unprocessable(ctx: &RequestCtx, kind: ProblemKind) -> SubmitProblem {
    SubmitProblem::Unprocessable(ctx.problem(kind, &Args::new()))
}

fn unavailable(ctx: &RequestCtx) -> SubmitProblem {
    SubmitProblem::Unavailable(ctx.problem(ProblemKind::UpstreamUnavailable, &Args::new()))
}

async fn audit(
    state: &AppState,
    ctx: &RequestCtx,
    principal: &Principal,
    operation: &str,
    result: &SubmitResult,
) -> Outcome<()> {
    state
        .audit
        .own(
            ctx.request_id.as_str(),
            &principal.account_id,
            "create",
            operation,
            serde_json::json!({"projectNo": result.project_no}),
        )
        .await
        .map_err(|err| SubmitProblem::Internal(internal(ctx, &err)))
}
