//! `/v1/admin/policies` and `/v1/admin/sweeps`: operators write benefit policies (免申即享) as
//! rules (`docs/benefits-rules.md`), check them, try them against today's population, publish
//! and retire versions, and follow sweeps. Needs `policies:write` (or `policies:read` to read).

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, internal};
use crate::{
    AppState,
    domain::{
        admin::{
            Operator, SCOPE_POLICIES_READ, SCOPE_POLICIES_WRITE, SCOPE_PUSH_READ, SCOPE_PUSH_WRITE,
        },
        audit::AuditEntry,
        benefits::{
            explain,
            policy::{
                AmountSpec, AmountUnit, BenefitKind, Issuer, Mode, Period, PolicyDocument,
                Problem as DocumentProblem, ProblemKind as DocumentProblemKind, Text3,
            },
            service::{DryRun, PolicyError, VersionRecord, VersionStatus},
            sweep::{SweepPolicy, SweepStatus},
        },
    },
    http::{
        auth::AdminAuth,
        context::RequestCtx,
        problem::{FieldIssue, Problem, ProblemKind, Rule},
    },
    i18n::Args,
};

pub struct PoliciesApi;

/// Text in the three languages; all are required.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct TextBody {
    #[oai(rename = "zh-Hans", validator(max_length = 2000))]
    pub zh_hans: String,
    #[oai(rename = "ug-Arab", validator(max_length = 2000))]
    pub ug_arab: String,
    #[oai(rename = "kk-Arab", validator(max_length = 2000))]
    pub kk_arab: String,
}

impl From<TextBody> for Text3 {
    fn from(text: TextBody) -> Self {
        Text3 {
            zh_hans: text.zh_hans,
            ug_arab: text.ug_arab,
            kk_arab: text.kk_arab,
        }
    }
}

impl From<Text3> for TextBody {
    fn from(text: Text3) -> Self {
        TextBody {
            zh_hans: text.zh_hans,
            ug_arab: text.ug_arab,
            kk_arab: text.kk_arab,
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct IssuerBody {
    /// The department's unified social credit code.
    #[oai(validator(max_length = 18))]
    pub code: String,
    pub name: TextBody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TargetBody {
    Person,
    Enterprise,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum KindBody {
    Cash,
    Subsidy,
    Service,
    Exemption,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ModeBody {
    AutoGrant,
    Confirm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PeriodBody {
    Once,
    Year,
    Month,
}

/// An amount: `fen` (fixed) or `expr` (an `int` rule, in fen), per `unit`.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct AmountBody {
    pub fen: Option<i64>,
    #[oai(validator(max_length = 4000))]
    pub expr: Option<String>,
    pub unit: PeriodBody,
}

/// A policy version (`docs/benefits-rules.md` §1).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields, example)]
pub struct PolicyBody {
    /// `[a-z0-9-]{3,64}`, shared by every version of the policy.
    #[oai(validator(max_length = 64))]
    pub policy_id: String,
    pub target: TargetBody,
    pub benefit_kind: KindBody,
    pub mode: ModeBody,
    /// One offer per person per policy per period.
    pub period: PeriodBody,
    /// `YYYY-MM-DD`, Beijing time.
    #[oai(validator(max_length = 10))]
    pub effective_from: String,
    /// The last day, inclusive.
    #[oai(validator(max_length = 10))]
    pub effective_to: Option<String>,
    /// For `confirm`: days to confirm, 1–366.
    pub confirm_within_days: Option<u32>,
    pub issuer: IssuerBody,
    pub title: TextBody,
    pub summary: TextBody,
    pub how_paid: TextBody,
    pub legal_basis: TextBody,
    /// A CEL rule of type `bool` over `person.*` or `enterprise.*` facts.
    #[oai(validator(max_length = 4000))]
    pub eligibility: String,
    /// Required for `cash`.
    pub amount: Option<AmountBody>,
}

impl poem_openapi::types::Example for PolicyBody {
    fn example() -> Self {
        let text = |zh: &str, ug: &str, kk: &str| TextBody {
            zh_hans: zh.into(),
            ug_arab: ug.into(),
            kk_arab: kk.into(),
        };
        Self {
            policy_id: "ili-elderly-allowance".into(),
            target: TargetBody::Person,
            benefit_kind: KindBody::Cash,
            mode: ModeBody::AutoGrant,
            period: PeriodBody::Month,
            effective_from: "2026-01-01".into(),
            effective_to: None,
            confirm_within_days: None,
            issuer: IssuerBody {
                code: "11654000MB1957436U".into(),
                name: text(
                    "伊犁哈萨克自治州民政局",
                    "ئىلى قازاق ئاپتونوم ئوبلاستلىق خەلق ئىشلىرى ئىدارىسى",
                    "ىلە قازاق اۆتونوميالى وبلىستىق حالىق ىستەرى مەكەمەسى",
                ),
            },
            title: text(
                "高龄老人津贴",
                "يۇقىرى ياشلىق قېرىلار تولۇقلىمىسى",
                "جاسى ۇلعايعان قارتتار جاردەماقىسى",
            ),
            summary: text(
                "年满80周岁的本州户籍老人按月领取。",
                "80 ياشقا توشقان قېرىلار ھەر ئايدا ئالىدۇ.",
                "80 جاسقا تولعان قارتتار ٴار ايدا الادى.",
            ),
            how_paid: text(
                "每月10日前发放至社会保障卡",
                "ھەر ئاينىڭ 10-كۈنىدىن بۇرۇن كارتىغا سېلىنىدۇ",
                "ٴار ايدىڭ 10-كۇنىنە دەيىن كارتاعا سالىنادى",
            ),
            legal_basis: text(
                "《新疆维吾尔自治区老年人权益保障条例》",
                "«شىنجاڭ ئۇيغۇر ئاپتونوم رايونىنىڭ ياشانغانلار نىزامى»",
                "«شينجياڭ ۇيعۇر اۆتونوميالى رايونىنىڭ قارتتار ەرەجەسى»",
            ),
            eligibility: "person.age >= 80 && person.prefecture == '654000'".into(),
            amount: Some(AmountBody {
                fen: None,
                expr: Some("person.age >= 90 ? 20000 : 10000".into()),
                unit: PeriodBody::Month,
            }),
        }
    }
}

impl PolicyBody {
    fn into_document(self) -> PolicyDocument {
        let unit = |period: PeriodBody| match period {
            PeriodBody::Once => AmountUnit::Once,
            PeriodBody::Month => AmountUnit::Month,
            PeriodBody::Year => AmountUnit::Year,
        };
        PolicyDocument {
            policy_id: self.policy_id,
            target: match self.target {
                TargetBody::Person => "person",
                TargetBody::Enterprise => "enterprise",
            }
            .into(),
            benefit_kind: match self.benefit_kind {
                KindBody::Cash => BenefitKind::Cash,
                KindBody::Subsidy => BenefitKind::Subsidy,
                KindBody::Service => BenefitKind::Service,
                KindBody::Exemption => BenefitKind::Exemption,
            },
            mode: match self.mode {
                ModeBody::AutoGrant => Mode::AutoGrant,
                ModeBody::Confirm => Mode::Confirm,
            },
            period: match self.period {
                PeriodBody::Once => Period::Once,
                PeriodBody::Year => Period::Year,
                PeriodBody::Month => Period::Month,
            },
            effective_from: self.effective_from,
            effective_to: self.effective_to,
            confirm_within_days: self.confirm_within_days,
            issuer: Issuer {
                code: self.issuer.code,
                name: self.issuer.name.into(),
            },
            title: self.title.into(),
            summary: self.summary.into(),
            how_paid: self.how_paid.into(),
            legal_basis: self.legal_basis.into(),
            eligibility: self.eligibility,
            amount: self.amount.map(|amount| match (amount.fen, amount.expr) {
                (_, Some(expr)) => AmountSpec::Computed {
                    expr,
                    unit: unit(amount.unit),
                },
                (fen, None) => AmountSpec::Fixed {
                    fen: fen.unwrap_or(0),
                    unit: unit(amount.unit),
                },
            }),
        }
    }
}

/// Where a version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum VersionStatusView {
    Draft,
    Published,
    /// A later version was published; its offers stand.
    Superseded,
    Retired,
}

impl From<VersionStatus> for VersionStatusView {
    fn from(status: VersionStatus) -> Self {
        match status {
            VersionStatus::Draft => Self::Draft,
            VersionStatus::Published => Self::Published,
            VersionStatus::Superseded => Self::Superseded,
            VersionStatus::Retired => Self::Retired,
        }
    }
}

/// A stored version.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct VersionView {
    pub policy_id: String,
    pub version: u32,
    pub status: VersionStatusView,
    /// The title in the operator's language.
    pub title: String,
    pub created_at: i64,
    pub created_by: String,
    #[oai(skip_serializing_if_is_none)]
    pub published_at: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub retired_at: Option<i64>,
    /// The document, as accepted.
    pub document: serde_json::Value,
}

impl poem_openapi::types::Example for VersionView {
    fn example() -> Self {
        Self {
            policy_id: "ili-elderly-allowance".into(),
            version: 2,
            status: VersionStatusView::Published,
            title: "高龄老人津贴".into(),
            created_at: 1_795_000_000,
            created_by: "operator:key_0f9c2d4e".into(),
            published_at: Some(1_795_000_600),
            retired_at: None,
            document: serde_json::json!({"policyId": "ili-elderly-allowance"}),
        }
    }
}

fn version_view(lang: &RequestCtx, record: VersionRecord) -> VersionView {
    VersionView {
        policy_id: record.document.policy_id.clone(),
        version: record.version,
        status: record.status.into(),
        title: record.document.title.get(lang.lang).to_owned(),
        created_at: record.created_at,
        created_by: record.created_by,
        published_at: record.published_at,
        retired_at: record.retired_at,
        document: serde_json::to_value(&record.document).unwrap_or_default(),
    }
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct VersionList {
    pub items: Vec<VersionView>,
}

impl poem_openapi::types::Example for VersionList {
    fn example() -> Self {
        Self {
            items: vec![VersionView::example()],
        }
    }
}

/// A document that checks.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct Checked {
    pub valid: bool,
    /// The facts the rules read (`person.age`): life events changing them re-evaluate it.
    pub reads: Vec<String>,
}

impl poem_openapi::types::Example for Checked {
    fn example() -> Self {
        Self {
            valid: true,
            reads: vec!["person.age".into(), "person.prefecture".into()],
        }
    }
}

/// A matching subject in a dry run, masked.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SampleView {
    /// The ID number or credit code, masked.
    pub subject: String,
    #[oai(skip_serializing_if_is_none)]
    pub amount_fen: Option<i64>,
    /// Why, in the operator's language.
    pub reasons: Vec<String>,
}

/// What a version would do today, without making offers.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct DryRunView {
    /// People (or enterprises) the platform holds facts of.
    pub evaluated: u64,
    pub matched: u64,
    /// Subjects whose rules could not be evaluated (an amount overflowing).
    pub failed: u64,
    pub samples: Vec<SampleView>,
}

impl poem_openapi::types::Example for DryRunView {
    fn example() -> Self {
        Self {
            evaluated: 1207,
            matched: 23,
            failed: 0,
            samples: vec![SampleView {
                subject: "654002********0021".into(),
                amount_fen: Some(10000),
                reasons: vec!["您已年满80周岁（1941年5月出生）".into()],
            }],
        }
    }
}

fn dry_run_view(lang: &RequestCtx, run: DryRun) -> DryRunView {
    DryRunView {
        evaluated: run.evaluated,
        matched: run.matched,
        failed: run.failed,
        samples: run
            .samples
            .into_iter()
            .map(|sample| SampleView {
                subject: sample.subject,
                amount_fen: sample.amount_fen,
                reasons: sample
                    .reasons
                    .iter()
                    .map(|reason| explain::render(&lang.l10n, lang.lang, reason))
                    .collect(),
            })
            .collect(),
    }
}

/// A sweep's progress.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct SweepView {
    pub id: String,
    /// `running`, `done` or `failed`.
    pub status: String,
    /// `publish`, `command` or `admin`.
    pub trigger: String,
    pub policies: Vec<String>,
    pub evaluate_on: String,
    /// Bound people when it started.
    pub total: u64,
    pub done: u64,
    pub matched: u64,
    /// New offers made.
    pub offers: u64,
    /// People the platform had no facts of.
    pub failed: u64,
    pub started_at: i64,
    pub updated_at: i64,
    #[oai(skip_serializing_if_is_none)]
    pub finished_at: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub error: Option<String>,
}

impl poem_openapi::types::Example for SweepView {
    fn example() -> Self {
        Self {
            id: "swp_0f9c2d4e8b7a4c1d9e3f5a6b7c8d9e0f".into(),
            status: "running".into(),
            trigger: "publish".into(),
            policies: vec!["ili-elderly-allowance@2".into()],
            evaluate_on: "2026-11-22".into(),
            total: 120_000,
            done: 45_500,
            matched: 812,
            offers: 812,
            failed: 3,
            started_at: 1_795_000_000,
            updated_at: 1_795_000_042,
            finished_at: None,
            error: None,
        }
    }
}

fn sweep_view(status: SweepStatus) -> SweepView {
    SweepView {
        id: status.id,
        status: status.status,
        trigger: status.trigger,
        policies: status
            .policies
            .iter()
            .map(|p| format!("{}@{}", p.policy_id, p.version))
            .collect(),
        evaluate_on: status.evaluate_on,
        total: status.total,
        done: status.done,
        matched: status.matched,
        offers: status.offers,
        failed: status.failed,
        started_at: status.started_at,
        updated_at: status.updated_at,
        finished_at: status.finished_at,
        error: status.error,
    }
}

/// A created version.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct Created {
    pub policy_id: String,
    pub version: u32,
    pub status: VersionStatusView,
}

impl poem_openapi::types::Example for Created {
    fn example() -> Self {
        Self {
            policy_id: "ili-elderly-allowance".into(),
            version: 3,
            status: VersionStatusView::Draft,
        }
    }
}

/// A published version and the sweep that evaluates every bound person against it.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct Published {
    pub policy_id: String,
    pub version: u32,
    pub status: VersionStatusView,
    /// Follow it at `GET /v1/admin/sweeps/{sweepId}`; absent for enterprise policies.
    #[oai(skip_serializing_if_is_none)]
    pub sweep_id: Option<String>,
}

impl poem_openapi::types::Example for Published {
    fn example() -> Self {
        Self {
            policy_id: "ili-elderly-allowance".into(),
            version: 3,
            status: VersionStatusView::Published,
            sweep_id: Some("swp_0f9c2d4e8b7a4c1d9e3f5a6b7c8d9e0f".into()),
        }
    }
}

#[derive(ApiResponse)]
pub enum PolicyProblem {
    /// A parameter or the body is invalid (`validation_failed`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid `X-Admin-Key` (`unauthorized`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The key lacks the scope (`forbidden`).
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// No such version or sweep (`policy_not_found`, `sweep_not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The version's status does not allow it (`policy_state_conflict`).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The body is not JSON (`unsupported_media_type`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// The document has problems (`policy_invalid`): `errors[]` names each field; a rule's
    /// error starts with its line and column.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached for a dry run (`upstream_unavailable`).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

#[derive(ApiResponse)]
pub enum CreatedResponse {
    /// Stored as a draft.
    #[oai(status = 201)]
    Created(Json<Created>),
}

#[derive(ApiResponse)]
pub enum SweepStarted {
    /// Started; follow it at `GET /v1/admin/sweeps/{sweepId}`.
    #[oai(status = 202)]
    Accepted(Json<SweepView>),
}

fn invalid(lang: &RequestCtx, problems: Vec<DocumentProblem>) -> PolicyProblem {
    let issues = problems
        .into_iter()
        .map(|problem| {
            let rule = match problem.kind {
                DocumentProblemKind::Required => Rule::Required,
                DocumentProblemKind::TooLong(max) => Rule::TooLong(max.to_string()),
                DocumentProblemKind::OutOfRange => Rule::OutOfRange,
                DocumentProblemKind::Invalid => Rule::Invalid,
                DocumentProblemKind::NotArabicScript => Rule::Custom {
                    code: "not_arabic_script",
                    message: crate::msg!("field-not-arabic-script"),
                },
                DocumentProblemKind::Rule { line, column } => Rule::PolicyRule {
                    line,
                    column,
                    detail: problem.message,
                },
            };
            FieldIssue::new(problem.field, rule)
        })
        .collect();
    PolicyProblem::Unprocessable(Json(ProblemKind::PolicyInvalid.build(
        lang,
        &Args::new(),
        issues,
    )))
}

fn policy_error(lang: &RequestCtx, err: PolicyError) -> PolicyProblem {
    match err {
        PolicyError::NotFound => {
            PolicyProblem::NotFound(lang.problem(ProblemKind::PolicyNotFound, &Args::new()))
        }
        PolicyError::WrongState(_) => {
            PolicyProblem::Conflict(lang.problem(ProblemKind::PolicyState, &Args::new()))
        }
        PolicyError::Invalid(problems) => invalid(lang, problems),
        PolicyError::Upstream(err) => {
            tracing::warn!(error = %err, "dry run: platform unavailable");
            PolicyProblem::Unavailable(lang.problem(ProblemKind::UpstreamUnavailable, &Args::new()))
        }
        PolicyError::Store(err) => PolicyProblem::Internal(internal(lang, &err)),
    }
}

pub(super) async fn authorize(
    state: &AppState,
    lang: &RequestCtx,
    key: &AdminAuth,
    scope: &str,
    operation: &str,
    subject: String,
) -> Result<Operator, PolicyProblem> {
    let operator = match state.admin_keys.resolve(&key.0.key).await {
        Ok(Some(operator))
            if operator.may(scope)
                || (scope == SCOPE_POLICIES_READ && operator.may(SCOPE_POLICIES_WRITE))
                || (scope == SCOPE_PUSH_READ && operator.may(SCOPE_PUSH_WRITE)) =>
        {
            operator
        }
        Ok(Some(operator)) => {
            tracing::warn!(key = %operator.key_id, scope, "operator key lacks scope");
            return Err(PolicyProblem::Forbidden(
                lang.problem(ProblemKind::Forbidden, &Args::new()),
            ));
        }
        Ok(None) => {
            return Err(PolicyProblem::Unauthorized(
                lang.problem(ProblemKind::Unauthorized, &Args::new()),
            ));
        }
        Err(err) => return Err(PolicyProblem::Internal(internal(lang, &err))),
    };
    state
        .audit
        .record(AuditEntry {
            request_id: lang.request_id.as_str(),
            actor: format!("operator:{}", operator.key_id),
            action: if scope.ends_with(":read") {
                "read"
            } else {
                "update"
            },
            subject,
            operation,
            detail: serde_json::json!({"operator": operator.name}),
        })
        .await
        .map_err(|err| PolicyProblem::Internal(internal(lang, &err)))?;
    Ok(operator)
}

fn default_samples() -> u32 {
    5
}

#[OpenApi(prefix_path = "/v1/admin", tag = "ApiTags::Admin")]
impl PoliciesApi {
    /// Check a policy document
    ///
    /// Compiles the rules against the fact schema and checks every field, storing nothing.
    /// Needs `policies:write`.
    #[oai(
        path = "/policies/validate",
        method = "post",
        operation_id = "validatePolicy"
    )]
    async fn validate(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        body: Json<PolicyBody>,
    ) -> Result<Json<Checked>, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_POLICIES_WRITE,
            "validatePolicy",
            format!("policy:{}", body.0.policy_id),
        )
        .await?;
        let compiled = state
            .benefits
            .check(body.0.into_document())
            .map_err(|problems| invalid(&lang, problems))?;
        let reads = compiled
            .subject
            .facts()
            .iter()
            .filter(|fact| compiled.reads().contains(fact))
            .map(|fact| fact.path())
            .collect();
        Ok(Json(Checked { valid: true, reads }))
    }

    /// Create a policy version
    ///
    /// Stores the document as the next draft version of its policy, after the same checks
    /// as `validatePolicy`. Publishing it is a separate step. Needs `policies:write`.
    #[oai(
        path = "/policies",
        method = "post",
        operation_id = "createPolicyVersion"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        body: Json<PolicyBody>,
    ) -> Result<CreatedResponse, PolicyProblem> {
        let operator = authorize(
            &state,
            &lang,
            &key,
            SCOPE_POLICIES_WRITE,
            "createPolicyVersion",
            format!("policy:{}", body.0.policy_id),
        )
        .await?;
        let document = body.0.into_document();
        let policy_id = document.policy_id.clone();
        let version = state
            .benefits
            .create_version(document, &format!("operator:{}", operator.key_id))
            .await
            .map_err(|err| policy_error(&lang, err))?;
        Ok(CreatedResponse::Created(Json(Created {
            policy_id,
            version,
            status: VersionStatusView::Draft,
        })))
    }

    /// List policy versions
    ///
    /// Every version of every policy. Needs `policies:read`.
    #[oai(
        path = "/policies",
        method = "get",
        operation_id = "listPolicyVersions"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
    ) -> Result<Json<VersionList>, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_POLICIES_READ,
            "listPolicyVersions",
            "policies".into(),
        )
        .await?;
        let versions = state
            .benefits
            .versions()
            .await
            .map_err(|err| PolicyProblem::Internal(internal(&lang, &err)))?;
        Ok(Json(VersionList {
            items: versions
                .into_iter()
                .map(|record| version_view(&lang, record))
                .collect(),
        }))
    }

    /// Read a policy version
    #[oai(
        path = "/policies/:policy_id/versions/:version",
        method = "get",
        operation_id = "getPolicyVersion"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        #[oai(validator(custom = "super::validators::token()"))] policy_id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] version: Path<u32>,
    ) -> Result<Json<VersionView>, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_POLICIES_READ,
            "getPolicyVersion",
            format!("policy:{}", policy_id.0),
        )
        .await?;
        let record = state
            .benefits
            .version(&policy_id.0, version.0)
            .await
            .map_err(|err| policy_error(&lang, err))?;
        Ok(Json(version_view(&lang, record)))
    }

    /// Try a policy version
    ///
    /// Evaluates the version against every person (or enterprise) the platform holds facts of
    /// today, without making offers: how many match, with a few masked samples and their
    /// reasons. Needs `policies:write`.
    #[oai(
        path = "/policies/:policy_id/versions/:version/dry-run",
        method = "post",
        operation_id = "dryRunPolicyVersion"
    )]
    async fn dry_run(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        #[oai(validator(custom = "super::validators::token()"))] policy_id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] version: Path<u32>,
        /// Samples to show, 0–20.
        #[oai(
            default = "default_samples",
            validator(minimum(value = "0"), maximum(value = "20"))
        )]
        samples: Query<u32>,
    ) -> Result<Json<DryRunView>, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_POLICIES_WRITE,
            "dryRunPolicyVersion",
            format!("policy:{}", policy_id.0),
        )
        .await?;
        let run = state
            .benefits
            .dry_run(&policy_id.0, version.0, samples.0 as usize)
            .await
            .map_err(|err| policy_error(&lang, err))?;
        Ok(Json(dry_run_view(&lang, run)))
    }

    /// Publish a policy version
    ///
    /// The draft makes offers from now on; the version published before it stops (its
    /// offers stand). A sweep evaluates every bound person against it. Needs
    /// `policies:write`.
    #[oai(
        path = "/policies/:policy_id/versions/:version/publish",
        method = "post",
        operation_id = "publishPolicyVersion"
    )]
    async fn publish(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        #[oai(validator(custom = "super::validators::token()"))] policy_id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] version: Path<u32>,
    ) -> Result<Json<Published>, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_POLICIES_WRITE,
            "publishPolicyVersion",
            format!("policy:{}", policy_id.0),
        )
        .await?;
        state
            .benefits
            .publish(&policy_id.0, version.0)
            .await
            .map_err(|err| policy_error(&lang, err))?;
        let record = state
            .benefits
            .version(&policy_id.0, version.0)
            .await
            .map_err(|err| policy_error(&lang, err))?;
        let sweep_id = if record.document.target == "person" {
            let id = state
                .benefits
                .create_sweep(
                    Some(vec![SweepPolicy {
                        policy_id: policy_id.0.clone(),
                        version: version.0,
                    }]),
                    "publish",
                )
                .await
                .map_err(|err| PolicyProblem::Internal(internal(&lang, &err)))?;
            state.benefits.spawn_sweep(id.clone());
            Some(id)
        } else {
            None
        };
        Ok(Json(Published {
            policy_id: policy_id.0,
            version: version.0,
            status: VersionStatusView::Published,
            sweep_id,
        }))
    }

    /// Retire a policy version
    ///
    /// The published version stops making offers; offers made stand. Needs
    /// `policies:write`.
    #[oai(
        path = "/policies/:policy_id/versions/:version/retire",
        method = "post",
        operation_id = "retirePolicyVersion"
    )]
    async fn retire(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        #[oai(validator(custom = "super::validators::token()"))] policy_id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] version: Path<u32>,
    ) -> Result<Json<VersionView>, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_POLICIES_WRITE,
            "retirePolicyVersion",
            format!("policy:{}", policy_id.0),
        )
        .await?;
        state
            .benefits
            .retire(&policy_id.0, version.0)
            .await
            .map_err(|err| policy_error(&lang, err))?;
        let record = state
            .benefits
            .version(&policy_id.0, version.0)
            .await
            .map_err(|err| policy_error(&lang, err))?;
        Ok(Json(version_view(&lang, record)))
    }

    /// Start a sweep
    ///
    /// Evaluates every bound person against every published person policy, in the
    /// background; offers are made once per person, policy and period however often it runs.
    /// Needs `policies:write`.
    #[oai(path = "/sweeps", method = "post", operation_id = "startSweep")]
    async fn start_sweep(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
    ) -> Result<SweepStarted, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_POLICIES_WRITE,
            "startSweep",
            "sweeps".into(),
        )
        .await?;
        let id = state
            .benefits
            .create_sweep(None, "admin")
            .await
            .map_err(|err| PolicyProblem::Internal(internal(&lang, &err)))?;
        let status = state
            .benefits
            .sweep(&id)
            .await
            .map_err(|err| PolicyProblem::Internal(internal(&lang, &err)))?
            .ok_or_else(|| {
                PolicyProblem::Internal(internal(&lang, &anyhow::anyhow!("sweep vanished")))
            })?;
        state.benefits.spawn_sweep(id);
        Ok(SweepStarted::Accepted(Json(sweep_view(status))))
    }

    /// Follow a sweep
    #[oai(path = "/sweeps/:sweep_id", method = "get", operation_id = "getSweep")]
    async fn get_sweep(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        #[oai(validator(custom = "super::validators::token()"))] sweep_id: Path<String>,
    ) -> Result<Json<SweepView>, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_POLICIES_READ,
            "getSweep",
            format!("sweep:{}", sweep_id.0),
        )
        .await?;
        match state.benefits.sweep(&sweep_id.0).await {
            Ok(Some(status)) => Ok(Json(sweep_view(status))),
            Ok(None) => Err(PolicyProblem::NotFound(
                lang.problem(ProblemKind::SweepNotFound, &Args::new()),
            )),
            Err(err) => Err(PolicyProblem::Internal(internal(&lang, &err))),
        }
    }
}
