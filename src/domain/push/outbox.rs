//! The outbox: a cause writes its notification in its own transaction, so a notification exists
//! exactly when its cause does (DESIGN.md principle 4). The unique `dedup_key`
//! (person, kind, cause, version) makes a cause that is processed twice — a replayed event, a
//! re-run sweep — notify once.

use std::sync::Arc;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::{Kind, PushConfig, now_ms};
use crate::domain::benefits::policy::Text3;

/// What a notification's texts are made of, in every language, so the inbox and each send can
/// render them in the person's language of the moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Params {
    BenefitOffer {
        offer_id: String,
        policy_id: String,
        policy: Text3,
        /// Amount in fen and its unit code (`once`, `month`, …), when the policy has one.
        amount_fen: Option<i64>,
        amount_unit: Option<String>,
        /// The last day to confirm (YYYY-MM-DD, Beijing), for offers that need confirming.
        confirm_by: Option<String>,
    },
    ApplicationStatus {
        project_no: String,
        service: Text3,
        change: StatusChange,
        /// The supplement deadline (YYYY-MM-DD), when the platform gave one.
        due: Option<String>,
        /// When the status changed, Unix milliseconds.
        changed_at: i64,
    },
}

impl Params {
    pub fn kind(&self) -> Kind {
        match self {
            Params::BenefitOffer { .. } => Kind::BenefitOffer,
            Params::ApplicationStatus { .. } => Kind::ApplicationStatus,
        }
    }
}

/// The application status changes a person is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusChange {
    /// 办结 · 准予 (also 容缺通过).
    Approved,
    /// 补正: material is missing.
    Supplement,
    /// The result can be collected.
    Ready,
    /// 不予受理 / 不予许可.
    Rejected,
}

impl StatusChange {
    pub fn code(self) -> &'static str {
        match self {
            StatusChange::Approved => "approved",
            StatusChange::Supplement => "supplement",
            StatusChange::Ready => "ready",
            StatusChange::Rejected => "rejected",
        }
    }
}

/// One notification to write.
#[derive(Debug)]
pub struct NewNotification<'a> {
    pub account_id: &'a str,
    /// The cause, stable across re-processing: `{policy}:{period}` for offers, the project
    /// number for applications.
    pub cause: &'a str,
    /// The cause's version: one notification per version (`offer`, the status sequence).
    pub version: &'a str,
    pub params: Params,
    /// The sweep that made it, for campaign progress and pausing.
    pub campaign_id: Option<&'a str>,
}

/// Writes notifications inside their causes' transactions and wakes this instance's
/// dispatcher. Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    deadline_ms: i64,
    wake: Arc<Notify>,
    /// Each person's home-screen notifications section (unread count, newest three), read on
    /// every `GET /v1/home`. Forgotten when a notification for the person is written or read
    /// here; the time to live bounds what another instance, or a read racing a write's commit,
    /// can keep.
    home: moka::sync::Cache<String, Arc<super::inbox::InboxPage>>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("deadline_ms", &self.deadline_ms)
            .finish_non_exhaustive()
    }
}

/// How long a home notifications section is kept at most.
const HOME_NOTICES_TTL: std::time::Duration = std::time::Duration::from_secs(10);
/// People whose home notifications section is kept.
const HOME_NOTICES_PEOPLE: u64 = 100_000;

impl Outbox {
    pub fn new(config: &PushConfig) -> Self {
        Self {
            deadline_ms: i64::try_from(config.deadline_hours.saturating_mul(3_600_000))
                .unwrap_or(i64::MAX / 4),
            wake: Arc::new(Notify::new()),
            home: moka::sync::Cache::builder()
                .max_capacity(HOME_NOTICES_PEOPLE)
                .time_to_live(HOME_NOTICES_TTL)
                .build(),
        }
    }

    /// The kept home notifications sections.
    pub(super) fn home(&self) -> &moka::sync::Cache<String, Arc<super::inbox::InboxPage>> {
        &self.home
    }

    /// Writes `notification` in `tx`; false when its cause already notified this person.
    /// Call [`Outbox::wake`] after the transaction commits.
    pub async fn enqueue(
        &self,
        tx: &mut crate::db::Tx,
        notification: &NewNotification<'_>,
    ) -> anyhow::Result<bool> {
        let kind = notification.params.kind();
        let dedup_key = format!(
            "{}/{}/{}/{}",
            notification.account_id,
            kind.code(),
            notification.cause,
            notification.version
        );
        let priority = match (kind, notification.campaign_id) {
            (Kind::ApplicationStatus, _) => 0,
            (Kind::BenefitOffer, None) => 1,
            (Kind::BenefitOffer, Some(_)) => 2,
        };
        let cause_id = match &notification.params {
            Params::BenefitOffer { offer_id, .. } => offer_id.as_str(),
            Params::ApplicationStatus { project_no, .. } => project_no.as_str(),
        };
        let now = now_ms();
        let result = crate::db::query(
            "INSERT INTO notifications
               (id, account_id, dedup_key, kind, category, cause_id, params, priority,
                campaign_id, state, due_at, deadline_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $11, $12)
             ON CONFLICT (dedup_key) DO NOTHING",
        )
        // Time-ordered (UUIDv7): rows and every index keyed by the notification id (its
        // attempts') grow at one end instead of dirtying a random page per row.
        .bind(format!("ntf_{}", uuid::Uuid::now_v7().simple()))
        .bind(notification.account_id)
        .bind(dedup_key)
        .bind(kind.code())
        .bind(kind.category())
        .bind(cause_id)
        .bind(serde_json::to_string(&notification.params).context("encode params")?)
        .bind(priority)
        .bind(notification.campaign_id)
        .bind(now)
        .bind(now + self.deadline_ms)
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("store notification")?;
        self.home.invalidate(notification.account_id);
        Ok(result.rows_affected() == 1)
    }

    /// Tells this instance's dispatcher that new notifications are due.
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    pub(super) async fn woken(&self) {
        self.wake.notified().await;
    }
}
