//! `/v1/benefits`: the benefits a person qualifies for without applying (免申即享), each with
//! why, in their language and with their own values; confirm with one tap, or decline.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, internal};
use crate::{
    AppState,
    domain::benefits::{
        explain,
        policy::{BenefitKind, Mode},
        service::{Offer, OfferError, OfferStatus},
    },
    http::{
        auth::CitizenAuth,
        context::RequestCtx,
        problem::{Problem, ProblemKind},
    },
    i18n::Args,
};

pub struct BenefitsApi;

/// Where an offer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum OfferStatusView {
    /// Waiting for the person's confirmation until `deadline`.
    New,
    /// Confirmed; the claim is with the platform (see `claim`).
    Confirmed,
    /// Granted with no action needed: the person is informed.
    Granted,
    Declined,
    /// Not confirmed before the deadline.
    Expired,
}

impl From<OfferStatus> for OfferStatusView {
    fn from(status: OfferStatus) -> Self {
        match status {
            OfferStatus::New => Self::New,
            OfferStatus::Confirmed => Self::Confirmed,
            OfferStatus::Granted => Self::Granted,
            OfferStatus::Declined => Self::Declined,
            OfferStatus::Expired => Self::Expired,
        }
    }
}

impl From<OfferStatusView> for OfferStatus {
    fn from(status: OfferStatusView) -> Self {
        match status {
            OfferStatusView::New => Self::New,
            OfferStatusView::Confirmed => Self::Confirmed,
            OfferStatusView::Granted => Self::Granted,
            OfferStatusView::Declined => Self::Declined,
            OfferStatusView::Expired => Self::Expired,
        }
    }
}

/// What kind of benefit it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum BenefitKindView {
    /// Money paid to the person.
    Cash,
    /// Money paid to a provider on the person's behalf, or a reduced price.
    Subsidy,
    /// A service given free.
    Service,
    /// A fee or tax not charged.
    Exemption,
}

impl From<BenefitKind> for BenefitKindView {
    fn from(kind: BenefitKind) -> Self {
        match kind {
            BenefitKind::Cash => Self::Cash,
            BenefitKind::Subsidy => Self::Subsidy,
            BenefitKind::Service => Self::Service,
            BenefitKind::Exemption => Self::Exemption,
        }
    }
}

/// How the person takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum ModeView {
    /// Granted automatically; nothing to do.
    AutoGrant,
    /// Confirmed with one tap (`POST …/confirm`).
    Confirm,
}

/// An amount of money.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct AmountView {
    /// In fen (1/100 yuan).
    pub fen: i64,
    /// `once`, `month` or `year`.
    pub unit: String,
    /// As the person reads it: `每月100元`.
    pub display: String,
}

/// The claim filed with the platform after confirmation.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct ClaimView {
    /// The platform's claim id.
    pub id: String,
    /// `submitted`, `accepted`, `paid` or `rejected`, as the platform last said (asked again
    /// whenever the person reads their benefits).
    pub status: String,
    /// The status in the person's language.
    pub status_text: String,
}

/// A benefit the person qualifies for.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct OfferView {
    pub id: String,
    pub policy_id: String,
    /// The policy version the offer came from; later versions never change it.
    pub policy_version: u32,
    pub title: String,
    pub summary: String,
    pub how_paid: String,
    pub legal_basis: String,
    /// The issuing department.
    pub issuer: String,
    pub kind: BenefitKindView,
    pub mode: ModeView,
    pub status: OfferStatusView,
    /// The status in the person's language.
    pub status_text: String,
    #[oai(skip_serializing_if_is_none)]
    pub amount: Option<AmountView>,
    /// The period it is for: `once`, `2026` or `2026-11`.
    pub period: String,
    /// Why the person qualifies, one sentence per condition, with their own values as they
    /// were on `evaluatedOn`.
    pub reasons: Vec<String>,
    /// The day the person's facts were evaluated (`YYYY-MM-DD`, Beijing time).
    pub evaluated_on: String,
    /// For `confirm`: the last moment to confirm (RFC 3339).
    #[oai(skip_serializing_if_is_none)]
    pub deadline: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub claim: Option<ClaimView>,
}

impl poem_openapi::types::Example for OfferView {
    fn example() -> Self {
        Self {
            id: "ofr_3f0c1e2d3b4a49d8a7e6f5c4b3a29180".into(),
            policy_id: "national-childcare-subsidy".into(),
            policy_version: 1,
            title: "育儿补贴".into(),
            summary: "3周岁以下婴幼儿每人每年3600元。".into(),
            how_paid: "确认后按年发放至本人社会保障卡".into(),
            legal_basis: "《育儿补贴制度实施方案》".into(),
            issuer: "伊犁哈萨克自治州卫生健康委员会".into(),
            kind: BenefitKindView::Cash,
            mode: ModeView::Confirm,
            status: OfferStatusView::New,
            status_text: "待确认".into(),
            amount: Some(AmountView {
                fen: 360_000,
                unit: "year".into(),
                display: "每年3600元".into(),
            }),
            period: "2026".into(),
            reasons: vec!["您有未满3周岁的子女（2025年12月出生）".into()],
            evaluated_on: "2026-11-22".into(),
            deadline: Some("2027-02-20T10:00:00+08:00".into()),
            claim: None,
        }
    }
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct OfferList {
    /// Newest first.
    pub items: Vec<OfferView>,
    /// The person has not bound their real name: nothing can be matched yet.
    pub real_name_required: bool,
}

impl poem_openapi::types::Example for OfferList {
    fn example() -> Self {
        Self {
            items: vec![OfferView::example()],
            real_name_required: false,
        }
    }
}

#[derive(ApiResponse)]
pub enum BenefitsProblem {
    /// A parameter is invalid (`validation_failed`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid access token (`unauthorized`, `token_expired`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The person has not bound their real name (`real_name_required`).
    #[oai(status = 403, content_type = "application/problem+json")]
    RealNameRequired(Json<Problem>),
    /// No such offer of this person (`offer_not_found`), another person's included.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The offer was declined, has expired or was granted (`offer_closed`).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform did not take the claim (`upstream_unavailable`); confirm again.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

fn view(lang: &RequestCtx, offer: Offer) -> OfferView {
    let l = lang.lang;
    let document = &offer.policy;
    let status_text = lang.text(
        &format!("benefit-status-{}", offer.status.code()),
        &Args::new(),
    );
    OfferView {
        title: document.title.get(l).to_owned(),
        summary: document.summary.get(l).to_owned(),
        how_paid: document.how_paid.get(l).to_owned(),
        legal_basis: document.legal_basis.get(l).to_owned(),
        issuer: document.issuer.name.get(l).to_owned(),
        kind: document.benefit_kind.into(),
        mode: match document.mode {
            Mode::AutoGrant => ModeView::AutoGrant,
            Mode::Confirm => ModeView::Confirm,
        },
        status: offer.status.into(),
        status_text,
        amount: offer.amount_fen.map(|fen| {
            let unit = offer.amount_unit.clone().unwrap_or_else(|| "once".into());
            AmountView {
                fen,
                display: explain::amount(&lang.l10n, l, fen, &unit),
                unit,
            }
        }),
        period: offer.period_key,
        reasons: offer
            .reasons
            .iter()
            .map(|reason| explain::render(&lang.l10n, l, reason))
            .collect(),
        evaluated_on: offer.evaluated_on,
        deadline: offer.deadline.map(beijing_time),
        claim: offer.claim_id.map(|id| {
            let status = offer.claim_status.unwrap_or_else(|| "submitted".into());
            ClaimView {
                id,
                status_text: lang.text(&format!("benefit-claim-{status}"), &Args::new()),
                status,
            }
        }),
        policy_id: document.policy_id.clone(),
        policy_version: offer.policy_version,
        id: offer.id,
    }
}

/// Unix seconds as RFC 3339 in Beijing time.
fn beijing_time(seconds: i64) -> String {
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(seconds)
        .map(|t| {
            t.to_zoned(zone)
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
}

fn refused(lang: &RequestCtx, err: OfferError) -> BenefitsProblem {
    match err {
        OfferError::NotFound => {
            BenefitsProblem::NotFound(lang.problem(ProblemKind::OfferNotFound, &Args::new()))
        }
        OfferError::Closed(_) => {
            BenefitsProblem::Conflict(lang.problem(ProblemKind::OfferClosed, &Args::new()))
        }
        OfferError::Upstream(err) => {
            tracing::warn!(error = %err, "benefit claim not taken");
            BenefitsProblem::Unavailable(
                lang.problem(ProblemKind::UpstreamUnavailable, &Args::new()),
            )
        }
        OfferError::Store(err) => BenefitsProblem::Internal(internal(lang, &err)),
    }
}

async fn audit(
    state: &AppState,
    lang: &RequestCtx,
    account_id: &str,
    action: &str,
    operation: &str,
) -> Result<(), BenefitsProblem> {
    state
        .audit
        .own(
            lang.request_id.as_str(),
            account_id,
            action,
            operation,
            serde_json::json!({"fields": ["benefits", "reasons"]}),
        )
        .await
        .map_err(|err| BenefitsProblem::Internal(internal(lang, &err)))
}

#[OpenApi(prefix_path = "/v1/benefits", tag = "ApiTags::Me")]
impl BenefitsApi {
    /// List my benefits
    ///
    /// Benefits the person qualifies for without applying (免申即享): new ones to confirm,
    /// confirmed, granted, declined and expired, each with why in the person's language.
    #[oai(path = "/", method = "get", operation_id = "listMyBenefits")]
    async fn list(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        /// Only offers in this status.
        status: Query<Option<OfferStatusView>>,
    ) -> Result<Json<OfferList>, BenefitsProblem> {
        let account_id = &auth.0.account_id;
        let person = state
            .accounts
            .verified(account_id)
            .await
            .map_err(|err| BenefitsProblem::Internal(internal(&lang, &err)))?;
        if let Some(person) = &person {
            state
                .benefits
                .refresh_claims(account_id, &person.holder)
                .await
                .map_err(|err| BenefitsProblem::Internal(internal(&lang, &err)))?;
        }
        let bound = person.is_some();
        let offers = state
            .benefits
            .offers(account_id, status.0.map(Into::into))
            .await
            .map_err(|err| BenefitsProblem::Internal(internal(&lang, &err)))?;
        audit(&state, &lang, account_id, "read", "listMyBenefits").await?;
        Ok(Json(OfferList {
            items: offers.into_iter().map(|offer| view(&lang, offer)).collect(),
            real_name_required: !bound,
        }))
    }

    /// Read one of my benefits
    #[oai(path = "/:offer_id", method = "get", operation_id = "getMyBenefit")]
    async fn get(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        #[oai(validator(custom = "super::validators::token()"))] offer_id: Path<String>,
    ) -> Result<Json<OfferView>, BenefitsProblem> {
        let account_id = &auth.0.account_id;
        if let Ok(Some(person)) = state.accounts.verified(account_id).await {
            state
                .benefits
                .refresh_claims(account_id, &person.holder)
                .await
                .map_err(|err| BenefitsProblem::Internal(internal(&lang, &err)))?;
        }
        let offer = state
            .benefits
            .offer_of(account_id, &offer_id.0)
            .await
            .map_err(|err| refused(&lang, err))?;
        audit(&state, &lang, account_id, "read", "getMyBenefit").await?;
        Ok(Json(view(&lang, offer)))
    }

    /// Confirm a benefit
    ///
    /// One tap: the claim goes to the provincial platform and its status shows in `claim`.
    /// Confirming again answers the confirmed offer (safe to retry).
    #[oai(
        path = "/:offer_id/confirm",
        method = "post",
        operation_id = "confirmMyBenefit"
    )]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        #[oai(validator(custom = "super::validators::token()"))] offer_id: Path<String>,
    ) -> Result<Json<OfferView>, BenefitsProblem> {
        let account_id = &auth.0.account_id;
        let person = match state.accounts.verified(account_id).await {
            Ok(Some(person)) => person,
            Ok(None) => {
                return Err(BenefitsProblem::RealNameRequired(
                    lang.problem(ProblemKind::RealNameRequired, &Args::new()),
                ));
            }
            Err(err) => return Err(BenefitsProblem::Internal(internal(&lang, &err))),
        };
        let offer = state
            .benefits
            .confirm(account_id, &offer_id.0, &person.holder)
            .await
            .map_err(|err| refused(&lang, err))?;
        audit(&state, &lang, account_id, "update", "confirmMyBenefit").await?;
        Ok(Json(view(&lang, offer)))
    }

    /// Decline a benefit
    ///
    /// The person does not want it; declining again answers the declined offer.
    #[oai(
        path = "/:offer_id/decline",
        method = "post",
        operation_id = "declineMyBenefit"
    )]
    async fn decline(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        #[oai(validator(custom = "super::validators::token()"))] offer_id: Path<String>,
    ) -> Result<Json<OfferView>, BenefitsProblem> {
        let account_id = &auth.0.account_id;
        let offer = state
            .benefits
            .decline(account_id, &offer_id.0)
            .await
            .map_err(|err| refused(&lang, err))?;
        audit(&state, &lang, account_id, "update", "declineMyBenefit").await?;
        Ok(Json(view(&lang, offer)))
    }
}
