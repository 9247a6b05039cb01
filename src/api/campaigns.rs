//! `/v1/admin/campaigns`: the notifications each sweep made, for operators — progress,
//! failures, pause, resume, and sending ended rows again. Needs `push:read` / `push:write`.

use std::collections::BTreeMap;

use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};

use super::{
    ApiTags, internal,
    policies::{PolicyProblem, authorize},
    rfc3339,
};
use crate::{
    AppState,
    domain::{
        admin::{SCOPE_PUSH_READ, SCOPE_PUSH_WRITE},
        push::campaigns::CampaignProgress,
    },
    http::{auth::AdminAuth, context::RequestCtx, problem::ProblemKind},
    i18n::Args,
};

pub struct CampaignsApi;

/// Failures of a campaign, grouped.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct FailureView {
    /// `attempt` (one try failed) or `ended` (the notification stopped there).
    pub scope: String,
    #[oai(skip_serializing_if_is_none)]
    pub channel: Option<String>,
    /// transient | permanent | refused | in_doubt (attempts); failed | inbox (ended).
    pub outcome: String,
    /// The provider's code (`43101`, `1011`, …) or why the notification ended
    /// (`deadline`, `no_channel`, `category_off`, …).
    #[oai(skip_serializing_if_is_none)]
    pub code: Option<String>,
    pub count: u64,
}

/// Where a campaign stands.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct CampaignView {
    /// The sweep that made the offers.
    pub id: String,
    pub paused: bool,
    pub total: u64,
    /// Per state: queued, sending, in_doubt, sent, failed, inbox.
    pub states: BTreeMap<String, u64>,
    /// Sent notifications per channel.
    pub channels: BTreeMap<String, u64>,
    /// Platform receipts per status (delivered, failed).
    pub receipts: BTreeMap<String, u64>,
    pub failures: Vec<FailureView>,
    pub created_at: String,
    #[oai(skip_serializing_if_is_none)]
    pub last_finished_at: Option<String>,
}

/// The newest campaigns.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct CampaignList {
    pub items: Vec<CampaignView>,
}

/// How many notifications were queued again.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct Requeued {
    pub requeued: u64,
}

fn view(progress: CampaignProgress) -> CampaignView {
    CampaignView {
        id: progress.id,
        paused: progress.paused,
        total: progress.total,
        states: progress.states,
        channels: progress.channels,
        receipts: progress.receipts,
        failures: progress
            .failures
            .into_iter()
            .map(|f| FailureView {
                scope: f.scope.to_string(),
                channel: f.channel,
                outcome: f.outcome,
                code: f.code,
                count: f.count,
            })
            .collect(),
        created_at: rfc3339(progress.created_at.div_euclid(1000)),
        last_finished_at: progress
            .last_finished_at
            .map(|at| rfc3339(at.div_euclid(1000))),
    }
}

fn not_found(lang: &RequestCtx) -> PolicyProblem {
    PolicyProblem::NotFound(lang.problem(ProblemKind::CampaignNotFound, &Args::new()))
}

#[OpenApi(prefix_path = "/v1/admin/campaigns", tag = "ApiTags::Admin")]
impl CampaignsApi {
    /// List campaigns
    ///
    /// The newest 100 campaigns (one per sweep that made offers). Needs `push:read`.
    #[oai(path = "/", method = "get", operation_id = "listCampaigns")]
    async fn list(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
    ) -> Result<Json<CampaignList>, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_PUSH_READ,
            "listCampaigns",
            "campaigns".into(),
        )
        .await?;
        let all = state
            .push
            .campaigns()
            .await
            .map_err(|err| PolicyProblem::Internal(internal(&lang, &err)))?;
        Ok(Json(CampaignList {
            items: all.into_iter().map(view).collect(),
        }))
    }

    /// Follow a campaign
    ///
    /// Progress per state and channel, platform receipts, and failures grouped by channel,
    /// outcome and code. Needs `push:read`.
    #[oai(path = "/:campaign_id", method = "get", operation_id = "getCampaign")]
    async fn get(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        #[oai(validator(custom = "super::validators::token()"))] campaign_id: Path<String>,
    ) -> Result<Json<CampaignView>, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_PUSH_READ,
            "getCampaign",
            format!("campaign:{}", campaign_id.0),
        )
        .await?;
        match state.push.campaign(&campaign_id.0).await {
            Ok(Some(progress)) => Ok(Json(view(progress))),
            Ok(None) => Err(not_found(&lang)),
            Err(err) => Err(PolicyProblem::Internal(internal(&lang, &err))),
        }
    }

    /// Pause a campaign
    ///
    /// Its queued notifications wait (the inbox already has them); application-status
    /// messages are not affected. Needs `push:write`.
    #[oai(
        path = "/:campaign_id/pause",
        method = "post",
        operation_id = "pauseCampaign"
    )]
    async fn pause(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        #[oai(validator(custom = "super::validators::token()"))] campaign_id: Path<String>,
    ) -> Result<Json<CampaignView>, PolicyProblem> {
        self.set_paused(&state, &lang, &key, &campaign_id.0, true, "pauseCampaign")
            .await
    }

    /// Resume a campaign
    #[oai(
        path = "/:campaign_id/resume",
        method = "post",
        operation_id = "resumeCampaign"
    )]
    async fn resume(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        #[oai(validator(custom = "super::validators::token()"))] campaign_id: Path<String>,
    ) -> Result<Json<CampaignView>, PolicyProblem> {
        self.set_paused(&state, &lang, &key, &campaign_id.0, false, "resumeCampaign")
            .await
    }

    /// Send ended notifications again
    ///
    /// Notifications of the campaign that ran past their deadline (`failed`) are queued again
    /// with a fresh deadline. Needs `push:write`.
    #[oai(
        path = "/:campaign_id/retry",
        method = "post",
        operation_id = "retryCampaign"
    )]
    async fn retry(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        key: AdminAuth,
        #[oai(validator(custom = "super::validators::token()"))] campaign_id: Path<String>,
    ) -> Result<Json<Requeued>, PolicyProblem> {
        authorize(
            &state,
            &lang,
            &key,
            SCOPE_PUSH_WRITE,
            "retryCampaign",
            format!("campaign:{}", campaign_id.0),
        )
        .await?;
        match state.push.campaign(&campaign_id.0).await {
            Ok(Some(_)) => {}
            Ok(None) => return Err(not_found(&lang)),
            Err(err) => return Err(PolicyProblem::Internal(internal(&lang, &err))),
        }
        let requeued = state
            .push
            .retry_failed(&campaign_id.0)
            .await
            .map_err(|err| PolicyProblem::Internal(internal(&lang, &err)))?;
        Ok(Json(Requeued { requeued }))
    }
}

impl CampaignsApi {
    async fn set_paused(
        &self,
        state: &AppState,
        lang: &RequestCtx,
        key: &AdminAuth,
        id: &str,
        paused: bool,
        operation: &str,
    ) -> Result<Json<CampaignView>, PolicyProblem> {
        authorize(
            state,
            lang,
            key,
            SCOPE_PUSH_WRITE,
            operation,
            format!("campaign:{id}"),
        )
        .await?;
        match state.push.set_paused(id, paused).await {
            Ok(true) => {}
            Ok(false) => return Err(not_found(lang)),
            Err(err) => return Err(PolicyProblem::Internal(internal(lang, &err))),
        }
        match state.push.campaign(id).await {
            Ok(Some(progress)) => Ok(Json(view(progress))),
            Ok(None) => Err(not_found(lang)),
            Err(err) => Err(PolicyProblem::Internal(internal(lang, &err))),
        }
    }
}

impl poem_openapi::types::Example for CampaignView {
    fn example() -> Self {
        Self {
            id: "swp_3f0c1e2d3b4a49d8a7e6f5c4b3a29180".into(),
            paused: false,
            total: 12_480,
            states: BTreeMap::from([
                ("queued".into(), 2_130),
                ("sent".into(), 9_870),
                ("inbox".into(), 470),
                ("failed".into(), 10),
            ]),
            channels: BTreeMap::from([("wechat".into(), 6_020), ("app".into(), 3_850)]),
            receipts: BTreeMap::from([("delivered".into(), 9_640), ("failed".into(), 12)]),
            failures: vec![FailureView {
                scope: "attempt".into(),
                channel: Some("wechat".into()),
                outcome: "refused".into(),
                code: Some("43101".into()),
                count: 37,
            }],
            created_at: "2026-11-22T10:00:00+08:00".into(),
            last_finished_at: Some("2026-11-22T10:04:12+08:00".into()),
        }
    }
}

impl poem_openapi::types::Example for CampaignList {
    fn example() -> Self {
        Self {
            items: vec![CampaignView::example()],
        }
    }
}

impl poem_openapi::types::Example for Requeued {
    fn example() -> Self {
        Self { requeued: 10 }
    }
}
