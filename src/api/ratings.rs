//! `POST /v1/me/applications/{projectNo}/rating`: the person rates a finished application
//! (好差评, "一事一评": once per application) on the national five-level scale. Free text is
//! checked with WeChat's content check first (see `domain::content` for the policy); a rating
//! held for review is accepted and audited as such.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use super::{
    ApiTags, internal,
    records::{RecordsProblem, verified},
};
use crate::{
    AppState,
    domain::{
        content::{ContentCheck, Verdict},
        records::{ApplicationStatus, RecordsError},
        session::Principal,
    },
    http::{
        auth::CitizenAuth,
        context::RequestCtx,
        problem::{FieldIssue, Problem, ProblemKind, Rule},
    },
    i18n::Args,
    upstream::gov::{GovError, wire},
};

pub struct RatingsApi;

/// Levels at or below this are bad ratings (差评): the agency must know why.
const BAD_LEVEL: u8 = 2;

/// A rating (好差评).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields, example)]
pub struct RatingBody {
    /// 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub level: u8,
    /// Short reasons (`办理时间过长`), at most 5 of at most 20 characters.
    #[oai(default, validator(max_items = 5, max_length = 20))]
    pub tags: Vec<String>,
    /// Required for level 1 and 2 so the agency can put it right.
    #[oai(validator(max_length = 500))]
    pub comment: Option<String>,
}

impl poem_openapi::types::Example for RatingBody {
    fn example() -> Self {
        Self {
            level: 2,
            tags: vec!["办理时间过长".into()],
            comment: Some("等了很久没有人通知".into()),
        }
    }
}

/// The rating as the platform recorded it.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct RatingReceiptView {
    /// The platform's rating id.
    pub rating_id: String,
    pub project_no: String,
    pub level: u8,
    pub created_at: String,
    /// The text is held for a person to look at before it is shown publicly.
    pub under_review: bool,
}

impl poem_openapi::types::Example for RatingReceiptView {
    fn example() -> Self {
        Self {
            rating_id: "PJ20261122000003".into(),
            project_no: "6540002026112200001".into(),
            level: 2,
            created_at: "2026-11-22T10:15:00+08:00".into(),
            under_review: false,
        }
    }
}

#[derive(ApiResponse)]
pub enum RatingProblem {
    /// A field is invalid (`validation_failed`; a bad rating without a comment answers
    /// `errors[].field = "comment"`, code `required`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid access token (`unauthorized`, `token_expired`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The person has not bound their real name yet (`real_name_required`).
    #[oai(status = 403, content_type = "application/problem+json")]
    RealNameRequired(Json<Problem>),
    /// No such application of this person (`not_found`), another person's included.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The application was rated already (`already_rated`).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The body is not `JSON` (`unsupported_media_type`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// The application is not finished (`not_rateable`), or the text was judged unfit to
    /// publish (`content_rejected`: rewrite it).
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached (`upstream_unavailable`).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

impl From<RecordsProblem> for RatingProblem {
    fn from(problem: RecordsProblem) -> Self {
        match problem {
            RecordsProblem::Unauthorized(p) => Self::Unauthorized(p),
            RecordsProblem::RealNameRequired(p) => Self::RealNameRequired(p),
            RecordsProblem::NotFound(p) => Self::NotFound(p),
            RecordsProblem::Internal(p) => Self::Internal(p),
            RecordsProblem::Unavailable(p) => Self::Unavailable(p),
        }
    }
}

impl RatingProblem {
    fn kind(lang: &RequestCtx, kind: ProblemKind) -> Self {
        let problem = lang.problem(kind, &Args::new());
        match kind.status().as_u16() {
            404 => Self::NotFound(problem),
            409 => Self::Conflict(problem),
            422 => Self::Unprocessable(problem),
            503 => Self::Unavailable(problem),
            _ => Self::Internal(problem),
        }
    }
}

/// The answer to a platform error while rating.
fn refused(lang: &RequestCtx, err: GovError) -> RatingProblem {
    let kind = match err {
        GovError::NotFound => ProblemKind::NotFound,
        GovError::Conflict(_) => ProblemKind::AlreadyRated,
        GovError::Rejected(_) => ProblemKind::NotRateable,
        err => {
            tracing::warn!(error = %err, "rating unavailable");
            ProblemKind::UpstreamUnavailable
        }
    };
    RatingProblem::kind(lang, kind)
}

/// The comment, trimmed, when there is one.
fn comment_of(body: &RatingBody) -> Option<&str> {
    body.comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// All the free text of a rating, as one text for the content check.
fn free_text(body: &RatingBody) -> String {
    let mut parts: Vec<&str> = body.tags.iter().map(|t| t.trim()).collect();
    parts.extend(comment_of(body));
    parts.retain(|p| !p.is_empty());
    parts.join("\n")
}

async fn audit(
    state: &AppState,
    lang: &RequestCtx,
    principal: &Principal,
    detail: serde_json::Value,
) -> Result<(), RatingProblem> {
    state
        .audit
        .own(
            lang.request_id.as_str(),
            &principal.account_id,
            "create",
            "rateMyApplication",
            detail,
        )
        .await
        .map_err(|err| RatingProblem::Internal(internal(lang, &err)))
}

/// What the platform would refuse, found before spending a content check on it.
fn not_rateable(application: &wire::Application) -> Option<ProblemKind> {
    if !ApplicationStatus::from_code(&application.status).rateable() {
        return Some(ProblemKind::NotRateable);
    }
    application
        .rating_level
        .is_some()
        .then_some(ProblemKind::AlreadyRated)
}

#[OpenApi(prefix_path = "/v1/me", tag = "ApiTags::Me")]
impl RatingsApi {
    /// Rate my application
    ///
    /// Rates a finished application (好差评) from 5 (非常满意) to 1 (非常不满意), once. Levels
    /// 1 and 2 need a comment. Tags and comment are checked for content unfit to publish
    /// (`content_rejected`); text held for review is accepted with `underReview`.
    #[oai(
        path = "/applications/:projectNo/rating",
        method = "post",
        operation_id = "rateMyApplication"
    )]
    async fn rate(
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
        body: Json<RatingBody>,
    ) -> Result<Json<RatingReceiptView>, RatingProblem> {
        let comment = comment_of(&body.0);
        if body.0.level <= BAD_LEVEL && comment.is_none() {
            return Err(RatingProblem::BadRequest(Json(
                ProblemKind::Validation.build(
                    &lang,
                    &Args::new(),
                    vec![FieldIssue::new("comment", Rule::Required)],
                ),
            )));
        }
        let person = verified(&state, &lang, &auth.0).await?;
        let application = state
            .records
            .application(&project_no.0, &person.holder)
            .await
            .map_err(|err| match err {
                RecordsError::NotFound => RatingProblem::kind(&lang, ProblemKind::NotFound),
                RecordsError::Unavailable(err) => {
                    tracing::warn!(error = %err, "records unavailable");
                    RatingProblem::kind(&lang, ProblemKind::UpstreamUnavailable)
                }
            })?;
        if let Some(kind) = not_rateable(&application) {
            return Err(RatingProblem::kind(&lang, kind));
        }
        let text = free_text(&body.0);
        let verdict = if text.is_empty() {
            Verdict::Pass
        } else {
            ContentCheck::new(state.wechat.clone(), state.accounts.clone())
                .check(&auth.0.account_id, &text)
                .await
                .map_err(|err| RatingProblem::Internal(internal(&lang, &err)))?
        };
        if !verdict.accepted() {
            audit(
                &state,
                &lang,
                &auth.0,
                serde_json::json!({"projectNo": project_no.0, "content": verdict.outcome(),
                    "outcome": "refused"}),
            )
            .await?;
            return Err(RatingProblem::kind(&lang, ProblemKind::ContentRejected));
        }
        let receipt = state
            .gov
            .rate(
                &project_no.0,
                &person.holder,
                body.0.level,
                &body.0.tags,
                comment,
            )
            .await
            .map_err(|err| refused(&lang, err))?;
        state.records.forget(&auth.0.account_id).await;
        let under_review = matches!(verdict, Verdict::Review { .. });
        let mut detail = serde_json::json!({
            "projectNo": project_no.0,
            "ratingId": receipt.rating_id,
            "level": receipt.level,
            "content": verdict.outcome(),
            "needsReview": under_review,
        });
        if let Verdict::Review { label, trace_id } = &verdict {
            detail["wechatLabel"] = (*label).into();
            detail["wechatTraceId"] = trace_id.clone().into();
        }
        audit(&state, &lang, &auth.0, detail).await?;
        Ok(Json(RatingReceiptView {
            rating_id: receipt.rating_id,
            project_no: receipt.project_no,
            level: receipt.level,
            created_at: receipt.create_time,
            under_review,
        }))
    }
}
