//! Campaigns for operators: the notifications one sweep made, their progress and failures,
//! pause and resume, and sending ended rows again.

use std::collections::BTreeMap;

use anyhow::Context;

use super::{Push, now_ms};

/// Where one campaign stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignProgress {
    pub id: String,
    pub paused: bool,
    pub total: u64,
    /// Notifications per state (`queued`, `sending`, `in_doubt`, `sent`, `failed`, `inbox`).
    pub states: BTreeMap<String, u64>,
    /// Sent notifications per channel.
    pub channels: BTreeMap<String, u64>,
    /// Receipts per status (`delivered`, `failed`) from the platforms that report them.
    pub receipts: BTreeMap<String, u64>,
    /// Failed attempts per (channel, outcome, code), and ended rows per reason.
    pub failures: Vec<Failure>,
    /// Unix milliseconds of the first notification and of the latest finished one.
    pub created_at: i64,
    pub last_finished_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `attempt` or `ended`.
    pub scope: &'static str,
    pub channel: Option<String>,
    /// transient | permanent | refused | in_doubt for attempts; failed | inbox for rows.
    pub outcome: String,
    /// The provider's code, or why the row ended.
    pub code: Option<String>,
    pub count: u64,
}

fn count(row: &crate::db::Row, column: &str) -> u64 {
    u64::try_from(row.get::<i64>(column)).unwrap_or(0)
}

impl Push {
    /// The newest campaigns first, at most 100.
    pub async fn campaigns(&self) -> anyhow::Result<Vec<CampaignProgress>> {
        let ids: Vec<String> = crate::db::query_scalar(
            "SELECT campaign_id FROM notifications WHERE campaign_id IS NOT NULL
             GROUP BY campaign_id ORDER BY MIN(created_at) DESC LIMIT 100",
        )
        .fetch_all(self.store().pool())
        .await
        .context("campaigns")?;
        let mut all = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(progress) = self.campaign(&id).await? {
                all.push(progress);
            }
        }
        Ok(all)
    }

    /// One campaign's progress; `None` when it made no notifications.
    pub async fn campaign(&self, id: &str) -> anyhow::Result<Option<CampaignProgress>> {
        let pool = self.store().pool();
        let mut progress = CampaignProgress {
            id: id.to_string(),
            ..CampaignProgress::default()
        };
        let rows = crate::db::query(
            "SELECT state, channel, end_reason, COUNT(*) AS n, MIN(created_at) AS first,
                    MAX(finished_at) AS last
             FROM notifications WHERE campaign_id = $1 GROUP BY state, channel, end_reason",
        )
        .bind(id)
        .fetch_all(pool)
        .await
        .context("campaign states")?;
        if rows.is_empty() {
            return Ok(None);
        }
        progress.created_at = i64::MAX;
        for row in &rows {
            let n = count(row, "n");
            let state: String = row.get("state");
            progress.total += n;
            *progress.states.entry(state.clone()).or_default() += n;
            progress.created_at = progress.created_at.min(row.get("first"));
            progress.last_finished_at = progress
                .last_finished_at
                .max(row.get::<Option<i64>>("last"));
            let channel: Option<String> = row.get("channel");
            if state == "sent"
                && let Some(channel) = channel
            {
                *progress.channels.entry(channel).or_default() += n;
            } else if state == "failed" || state == "inbox" {
                progress.failures.push(Failure {
                    scope: "ended",
                    channel: None,
                    outcome: state,
                    code: row.get("end_reason"),
                    count: n,
                });
            }
        }
        for row in crate::db::query(
            "SELECT a.channel, a.outcome, a.code, COUNT(*) AS n
             FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id
             WHERE n.campaign_id = $1 AND a.outcome NOT IN ('accepted', 'pending', 'resolved')
             GROUP BY a.channel, a.outcome, a.code ORDER BY n DESC LIMIT 50",
        )
        .bind(id)
        .fetch_all(pool)
        .await
        .context("campaign failures")?
        {
            progress.failures.push(Failure {
                scope: "attempt",
                channel: row.get("channel"),
                outcome: row.get("outcome"),
                code: row.get("code"),
                count: count(&row, "n"),
            });
        }
        for row in crate::db::query(
            "SELECT r.status, COUNT(*) AS n
             FROM push_receipts r
             JOIN notification_attempts a ON a.channel = r.channel AND a.provider_ref = r.provider_ref
             JOIN notifications n ON n.id = a.notification_id
             WHERE n.campaign_id = $1 GROUP BY r.status",
        )
        .bind(id)
        .fetch_all(pool)
        .await
        .context("campaign receipts")?
        {
            progress
                .receipts
                .insert(row.get("status"), count(&row, "n"));
        }
        progress.paused =
            crate::db::query_scalar::<i64>("SELECT paused FROM push_campaigns WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
                .is_some_and(|p| p != 0);
        Ok(Some(progress))
    }

    /// Pauses or resumes a campaign; false when it made no notifications.
    pub async fn set_paused(&self, id: &str, paused: bool) -> anyhow::Result<bool> {
        let exists: Option<String> = crate::db::query_scalar(
            "SELECT campaign_id FROM notifications WHERE campaign_id = $1 LIMIT 1",
        )
        .bind(id)
        .fetch_optional(self.store().pool())
        .await?;
        if exists.is_none() {
            return Ok(false);
        }
        crate::db::query(
            "INSERT INTO push_campaigns (id, paused, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(paused)
        .bind(now_ms())
        .execute(self.store().pool())
        .await
        .context("pause campaign")?;
        if !paused {
            self.outbox().wake();
        }
        Ok(true)
    }

    /// Queues the campaign's `failed` rows again with a fresh deadline; returns how many.
    pub async fn retry_failed(&self, id: &str) -> anyhow::Result<u64> {
        let now = now_ms();
        let deadline =
            now + i64::try_from(self.inner.config.deadline_hours * 3_600_000).unwrap_or(0);
        let done = crate::db::query(
            "UPDATE notifications SET state = 'queued', due_at = $1, deadline_at = $2,
               end_reason = NULL, finished_at = NULL
             WHERE campaign_id = $3 AND state = 'failed'",
        )
        .bind(now)
        .bind(deadline)
        .bind(id)
        .execute(self.store().pool())
        .await
        .context("retry failed")?;
        self.outbox().wake();
        Ok(done.rows_affected())
    }
}
