//! `/v1/me/applications` and `/v1/me/certificates`: the signed-in person's applications (办件)
//! with their progress, and their e-certificates (电子证照), from the provincial platform.
//! They need a bound real name: the platform knows people by their ID numbers.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Header, Path},
    payload::Json,
};

use super::{ApiTags, Text, internal, submit};
use crate::{
    AppState,
    domain::{
        account::VerifiedPerson,
        cache::Freshness,
        catalog::LocalizedText,
        records::{ApplicationStatus, RecordsError},
        session::Principal,
    },
    http::{
        auth::CitizenAuth,
        context::RequestCtx,
        problem::{Problem, ProblemKind},
    },
    i18n::Args,
    msg,
    upstream::gov::wire::{self, I18nText},
};

pub struct RecordsApi;

/// Upstream text in the request's language, marked with the language it is really in.
pub fn text(ctx: &RequestCtx, text: &I18nText) -> Text {
    let localized = LocalizedText::from(text.clone());
    let (value, lang) = localized.get(ctx.lang);
    Text::new(value, lang)
}

/// Whether data came fresh from the platform or from Tongban's copy because the platform did
/// not answer in time (`stale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum FreshnessCode {
    Fresh,
    Stale,
}

impl From<Freshness> for FreshnessCode {
    fn from(freshness: Freshness) -> Self {
        match freshness {
            Freshness::Fresh => FreshnessCode::Fresh,
            Freshness::Stale => FreshnessCode::Stale,
        }
    }
}

/// Where an application stands, one value whatever system handled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum ApplicationStatusCode {
    Submitted,
    Withdrawn,
    Accepted,
    RejectedAtIntake,
    SupplementRequested,
    SupplementSubmitted,
    InReview,
    /// A special procedure (hearing, inspection, expert review) stopped the clock.
    Paused,
    Approved,
    /// Approved while material is still owed (容缺受理).
    ApprovedTolerant,
    Denied,
    Revoked,
    /// Approved, and the result (licence, card, decision) waits at the window to be collected
    /// (出证, 待领取).
    ResultReady,
}

impl From<ApplicationStatus> for ApplicationStatusCode {
    fn from(status: ApplicationStatus) -> Self {
        use ApplicationStatus as S;
        match status {
            S::Submitted => Self::Submitted,
            S::Withdrawn => Self::Withdrawn,
            S::Accepted => Self::Accepted,
            S::RejectedAtIntake => Self::RejectedAtIntake,
            S::SupplementRequested => Self::SupplementRequested,
            S::SupplementSubmitted => Self::SupplementSubmitted,
            S::InReview => Self::InReview,
            S::Paused => Self::Paused,
            S::Approved => Self::Approved,
            S::ApprovedTolerant => Self::ApprovedTolerant,
            S::Denied => Self::Denied,
            S::Revoked => Self::Revoked,
            S::ResultReady => Self::ResultReady,
        }
    }
}

/// One application as listed.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct ApplicationSummaryView {
    /// 办件编号, for `/v1/me/applications/{projectNo}`.
    pub project_no: String,
    /// The service item's code (`/v1/services/{code}`).
    pub service_code: String,
    pub service_name: Text,
    pub status: ApplicationStatusCode,
    pub status_name: String,
    /// The person has something to do (hand in more material, collect the result).
    pub needs_action: bool,
    /// Finished with a decision: it can be rated.
    pub rateable: bool,
    pub applied_at: String,
    pub updated_at: String,
}

pub fn summary_view(
    ctx: &RequestCtx,
    summary: &wire::ApplicationSummary,
) -> ApplicationSummaryView {
    let status = ApplicationStatus::from_code(&summary.status);
    ApplicationSummaryView {
        project_no: summary.project_no.clone(),
        service_code: summary.task_code.clone(),
        service_name: text(ctx, &summary.task_name),
        status: status.into(),
        status_name: ctx.text(status.message_id(), &Args::new()),
        needs_action: status.needs_action(),
        rateable: status.rateable(),
        applied_at: summary.apply_time.clone(),
        updated_at: summary.update_time.clone(),
    }
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct ApplicationList {
    pub items: Vec<ApplicationSummaryView>,
    pub freshness: FreshnessCode,
}

pub fn example_summary() -> ApplicationSummaryView {
    ApplicationSummaryView {
        project_no: "6540002026112200001".into(),
        service_code: "1165400001010031273000173007001".into(),
        service_name: Text::new("居民身份证首次申领", crate::i18n::Lang::ZhHans),
        status: ApplicationStatusCode::InReview,
        status_name: "审查中".into(),
        needs_action: false,
        rateable: false,
        applied_at: "2026-11-18T10:20:00+08:00".into(),
        updated_at: "2026-11-20T16:05:00+08:00".into(),
    }
}

impl poem_openapi::types::Example for ApplicationList {
    fn example() -> Self {
        Self {
            items: vec![example_summary()],
            freshness: FreshnessCode::Fresh,
        }
    }
}

/// One step of an application's progress.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct TimelineStep {
    pub seq: u32,
    pub status: ApplicationStatusCode,
    pub status_name: String,
    /// 业务动作
    pub action: Text,
    /// 办理环节
    pub step: Text,
    #[oai(skip_serializing_if_is_none)]
    pub opinion: Option<Text>,
    pub started_at: String,
    #[oai(skip_serializing_if_is_none)]
    pub ended_at: Option<String>,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SpecialProcedureView {
    pub name: Text,
    pub started_at: String,
    /// Absent while it runs; the clock is stopped meanwhile.
    #[oai(skip_serializing_if_is_none)]
    pub ended_at: Option<String>,
}

/// 一次性补正告知: everything still to hand in, told at once.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SupplementView {
    pub items: Vec<Text>,
    pub notice_no: String,
    pub issued_at: String,
    pub due_at: String,
}

/// An application with its progress.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct ApplicationDetail {
    #[oai(flatten)]
    pub summary: ApplicationSummaryView,
    #[oai(skip_serializing_if_is_none)]
    pub accepted_at: Option<String>,
    /// 承诺办结: the day the department promised, moved by paused time.
    #[oai(skip_serializing_if_is_none)]
    pub promised_due_at: Option<String>,
    /// 法定办结: the legal limit.
    #[oai(skip_serializing_if_is_none)]
    pub statutory_due_at: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub finished_at: Option<String>,
    /// A special procedure is running: the time limit is not counting.
    pub clock_paused: bool,
    pub timeline: Vec<TimelineStep>,
    pub special_procedures: Vec<SpecialProcedureView>,
    #[oai(skip_serializing_if_is_none)]
    pub supplement: Option<SupplementView>,
    /// The person's rating (1–5), once given.
    #[oai(skip_serializing_if_is_none)]
    pub rating: Option<u8>,
}

impl poem_openapi::types::Example for ApplicationDetail {
    fn example() -> Self {
        Self {
            summary: example_summary(),
            accepted_at: Some("2026-11-18T11:00:00+08:00".into()),
            promised_due_at: Some("2026-12-09T19:30:00+08:00".into()),
            statutory_due_at: Some("2026-12-30T19:30:00+08:00".into()),
            finished_at: None,
            clock_paused: false,
            timeline: vec![TimelineStep {
                seq: 1,
                status: ApplicationStatusCode::Submitted,
                status_name: "已接件".into(),
                action: Text::new("网上申请", crate::i18n::Lang::ZhHans),
                step: Text::new("收件", crate::i18n::Lang::ZhHans),
                opinion: None,
                started_at: "2026-11-18T10:20:00+08:00".into(),
                ended_at: Some("2026-11-18T11:00:00+08:00".into()),
            }],
            special_procedures: vec![],
            supplement: None,
            rating: None,
        }
    }
}

fn detail_view(ctx: &RequestCtx, app: &wire::Application) -> ApplicationDetail {
    let summary = wire::ApplicationSummary {
        project_no: app.project_no.clone(),
        task_code: app.task_code.clone(),
        task_name: app.task_name.clone(),
        status: app.status.clone(),
        apply_time: app.apply_time.clone(),
        update_time: app
            .history
            .last()
            .map(|step| step.start_time.clone())
            .unwrap_or_else(|| app.apply_time.clone()),
    };
    ApplicationDetail {
        summary: summary_view(ctx, &summary),
        accepted_at: app.accept_time.clone(),
        promised_due_at: app.promise_due_time.clone(),
        statutory_due_at: app.statutory_due_time.clone(),
        finished_at: app.finish_time.clone(),
        clock_paused: app.special_procedures.iter().any(|p| p.end_time.is_none()),
        timeline: app
            .history
            .iter()
            .map(|step| {
                let status = ApplicationStatus::from_code(&step.status_code);
                TimelineStep {
                    seq: step.seq,
                    status: status.into(),
                    status_name: ctx.text(status.message_id(), &Args::new()),
                    action: text(ctx, &step.action),
                    step: text(ctx, &step.step_name),
                    opinion: step.opinion.as_ref().map(|o| text(ctx, o)),
                    started_at: step.start_time.clone(),
                    ended_at: step.end_time.clone(),
                }
            })
            .collect(),
        special_procedures: app
            .special_procedures
            .iter()
            .map(|p| SpecialProcedureView {
                name: text(ctx, &p.name),
                started_at: p.start_time.clone(),
                ended_at: p.end_time.clone(),
            })
            .collect(),
        supplement: app.supplement.as_ref().map(|s| SupplementView {
            items: s.items.iter().map(|item| text(ctx, item)).collect(),
            notice_no: s.notice_no.clone(),
            issued_at: s.issue_time.clone(),
            due_at: s.due_time.clone(),
        }),
        rating: app.rating_level,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum CertificateStatusCode {
    Valid,
    Expired,
    Suspended,
    Revoked,
    Cancelled,
}

/// An e-certificate (电子证照).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct CertificateView {
    /// 电子证照标识
    pub certificate_id: String,
    /// 证照类型: `ID_CARD`, `HOUSEHOLD_REGISTER`, `DRIVER_LICENSE`, …
    pub type_code: String,
    pub type_name: Text,
    /// 证照编号
    pub number: String,
    pub issuer: Text,
    pub issued_on: String,
    pub valid_from: String,
    /// Absent for a long-term certificate.
    #[oai(skip_serializing_if_is_none)]
    pub valid_to: Option<String>,
    pub status: CertificateStatusCode,
    pub status_name: String,
    /// Days until it expires, when it is valid and has an end date.
    #[oai(skip_serializing_if_is_none)]
    pub expires_in_days: Option<i32>,
    /// `还有 12 天到期`, `长期有效`, …
    pub validity_display: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct CertificateList {
    pub items: Vec<CertificateView>,
    pub freshness: FreshnessCode,
}

impl poem_openapi::types::Example for CertificateList {
    fn example() -> Self {
        Self {
            items: vec![CertificateView {
                certificate_id:
                    "1.2.156.3005.2.11100000000013338W001.11654000MB0000001X.6540002026000123.001.K"
                        .into(),
                type_code: "DRIVER_LICENSE".into(),
                type_name: Text::new("机动车驾驶证", crate::i18n::Lang::ZhHans),
                number: "654002198807210038".into(),
                issuer: Text::new(
                    "伊犁哈萨克自治州公安局交通警察支队",
                    crate::i18n::Lang::ZhHans,
                ),
                issued_on: "2020-12-01".into(),
                valid_from: "2020-12-01".into(),
                valid_to: Some("2027-01-15".into()),
                status: CertificateStatusCode::Valid,
                status_name: "有效".into(),
                expires_in_days: Some(54),
                validity_display: "54 天后到期".into(),
            }],
            freshness: FreshnessCode::Fresh,
        }
    }
}

/// Today in Beijing time, the calendar certificates' dates are written in.
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

pub fn certificate_view(ctx: &RequestCtx, cert: &wire::Certificate) -> CertificateView {
    use wire::CertificateStatus as S;
    let (status, message) = match cert.status {
        S::Valid => (
            CertificateStatusCode::Valid,
            msg!("certificate-status-valid"),
        ),
        S::Expired => (
            CertificateStatusCode::Expired,
            msg!("certificate-status-expired"),
        ),
        S::Suspended => (
            CertificateStatusCode::Suspended,
            msg!("certificate-status-suspended"),
        ),
        S::Revoked => (
            CertificateStatusCode::Revoked,
            msg!("certificate-status-revoked"),
        ),
        S::Cancelled => (
            CertificateStatusCode::Cancelled,
            msg!("certificate-status-cancelled"),
        ),
    };
    let expires_in_days = expires_in_days(cert);
    let validity_display = match (cert.valid_to.as_ref(), expires_in_days) {
        (None, _) => ctx.text(msg!("certificate-long-term"), &Args::new()),
        (Some(_), Some(days)) => ctx.text(
            msg!("certificate-expires-in"),
            &Args::new().count("days", i64::from(days)),
        ),
        (Some(_), None) => ctx.text(message, &Args::new()),
    };
    CertificateView {
        certificate_id: cert.certificate_id.clone(),
        type_code: cert.type_code.clone(),
        type_name: text(ctx, &cert.type_name),
        number: cert.certificate_no.clone(),
        issuer: text(ctx, &cert.issuer_name),
        issued_on: cert.issue_date.clone(),
        valid_from: cert.valid_from.clone(),
        valid_to: cert.valid_to.clone(),
        status,
        status_name: ctx.text(message, &Args::new()),
        expires_in_days,
        validity_display,
    }
}

/// Days from today until a valid certificate's end date.
pub fn expires_in_days(cert: &wire::Certificate) -> Option<i32> {
    if cert.status != wire::CertificateStatus::Valid {
        return None;
    }
    let valid_to: jiff::civil::Date = cert.valid_to.as_ref()?.parse().ok()?;
    let days = (valid_to - today()).get_days();
    (days >= 0).then_some(days)
}

#[derive(ApiResponse)]
pub enum RecordsProblem {
    /// No valid access token (`unauthorized`, `token_expired`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The person has not bound their real name yet (`real_name_required`).
    #[oai(status = 403, content_type = "application/problem+json")]
    RealNameRequired(Json<Problem>),
    /// No such record of this person (`not_found`), another person's included.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached and nothing is kept (`upstream_unavailable`).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

type Answer<T> = Result<Json<T>, RecordsProblem>;

/// The person's verified identity, or the 403 that says to bind it.
pub async fn verified(
    state: &AppState,
    lang: &RequestCtx,
    principal: &Principal,
) -> Result<VerifiedPerson, RecordsProblem> {
    match state.accounts.verified(&principal.account_id).await {
        Ok(Some(person)) => Ok(person),
        Ok(None) => Err(RecordsProblem::RealNameRequired(
            lang.problem(ProblemKind::RealNameRequired, &Args::new()),
        )),
        Err(err) => Err(RecordsProblem::Internal(internal(lang, &err))),
    }
}

fn refused(lang: &RequestCtx, err: RecordsError) -> RecordsProblem {
    match err {
        RecordsError::NotFound => {
            RecordsProblem::NotFound(lang.problem(ProblemKind::NotFound, &Args::new()))
        }
        RecordsError::Unavailable(err) => {
            tracing::warn!(error = %err, "records unavailable");
            RecordsProblem::Unavailable(
                lang.problem(ProblemKind::UpstreamUnavailable, &Args::new()),
            )
        }
    }
}

async fn audit(
    state: &AppState,
    lang: &RequestCtx,
    principal: &Principal,
    operation: &str,
    detail: serde_json::Value,
) -> Result<(), RecordsProblem> {
    state
        .audit
        .own(
            lang.request_id.as_str(),
            &principal.account_id,
            "read",
            operation,
            detail,
        )
        .await
        .map_err(|err| RecordsProblem::Internal(internal(lang, &err)))
}

#[OpenApi(prefix_path = "/v1/me", tag = "ApiTags::Me")]
impl RecordsApi {
    /// List my applications
    ///
    /// The person's applications (办件) at the provincial platform, newest first, with one
    /// canonical status each. Needs a bound real name.
    #[oai(
        path = "/applications",
        method = "get",
        operation_id = "listMyApplications"
    )]
    async fn list_applications(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> Answer<ApplicationList> {
        let person = verified(&state, &lang, &auth.0).await?;
        let (list, freshness) = state
            .records
            .applications(&auth.0.account_id, &person.holder)
            .await
            .map_err(|err| refused(&lang, err))?;
        audit(
            &state,
            &lang,
            &auth.0,
            "listMyApplications",
            serde_json::json!({"fields": ["applications"]}),
        )
        .await?;
        Ok(Json(ApplicationList {
            items: list.iter().map(|s| summary_view(&lang, s)).collect(),
            freshness: freshness.into(),
        }))
    }

    /// Submit an application
    ///
    /// Applies for a service item online (网上申报) with its form and materials. Needs a bound
    /// real name and phone number, and an `Idempotency-Key` per tap: a retry with the same key
    /// and body answers the first result again (`Idempotent-Replayed: true`) and never makes a
    /// second application. See `api::submit`.
    #[oai(
        path = "/applications",
        method = "post",
        operation_id = "submitApplication"
    )]
    async fn submit_application(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        /// 1–64 of `A–Z a–z 0–9 _ -`, new for each tap of "submit", reused on its retries.
        #[oai(
            name = "Idempotency-Key",
            validator(max_length = 64, custom = "super::validators::token()")
        )]
        idempotency_key: Header<String>,
        body: Json<submit::NewApplication>,
    ) -> Result<submit::SubmitResponse, submit::SubmitProblem> {
        submit::submit_application(&state, &lang, &auth.0, &idempotency_key.0, &body.0).await
    }

    /// Follow one of my applications
    ///
    /// Its status, due dates (moved by paused time), every step so far, special procedures
    /// and what is still to hand in. Another person's application answers 404.
    #[oai(
        path = "/applications/:projectNo",
        method = "get",
        operation_id = "getMyApplication"
    )]
    async fn get_application(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        /// 办件编号 from the list (`^[A-Za-z0-9-]{1,64}$`).
        #[oai(
            name = "projectNo",
            validator(max_length = 64, custom = "super::validators::item_code()")
        )]
        project_no: Path<String>,
    ) -> Answer<ApplicationDetail> {
        let person = verified(&state, &lang, &auth.0).await?;
        let application = state
            .records
            .application(&project_no.0, &person.holder)
            .await
            .map_err(|err| refused(&lang, err))?;
        audit(
            &state,
            &lang,
            &auth.0,
            "getMyApplication",
            serde_json::json!({"projectNo": project_no.0}),
        )
        .await?;
        Ok(Json(detail_view(&lang, &application)))
    }

    /// List my certificates
    ///
    /// The person's e-certificates (电子证照) with their validity, from the provincial
    /// platform. Needs a bound real name.
    #[oai(
        path = "/certificates",
        method = "get",
        operation_id = "listMyCertificates"
    )]
    async fn list_certificates(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> Answer<CertificateList> {
        let person = verified(&state, &lang, &auth.0).await?;
        let (list, freshness) = state
            .records
            .certificates(&auth.0.account_id, &person.holder)
            .await
            .map_err(|err| refused(&lang, err))?;
        audit(
            &state,
            &lang,
            &auth.0,
            "listMyCertificates",
            serde_json::json!({"fields": ["certificates"]}),
        )
        .await?;
        Ok(Json(CertificateList {
            items: list.iter().map(|c| certificate_view(&lang, c)).collect(),
            freshness: freshness.into(),
        }))
    }
}
