//! The inbox of platform callbacks: WeChat message pushes and Alipay notifications, kept once
//! their signatures verify and before they are acknowledged, so an event the platform counts
//! as delivered is never lost. The push service reads subscription events from here.

use anyhow::Context;

use super::session::now;
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct PlatformEvents {
    store: Store,
}

impl PlatformEvents {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Records one verified event.
    pub async fn keep(
        &self,
        platform: &str,
        event_type: &str,
        payload: &serde_json::Value,
    ) -> anyhow::Result<()> {
        crate::db::query(
            "INSERT INTO platform_events (platform, received_at, event_type, payload)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(platform)
        .bind(now())
        .bind(event_type)
        .bind(payload.to_string())
        .execute(self.store.pool())
        .await
        .context("keep platform event")?;
        tracing::info!(platform, event_type, "platform event kept");
        Ok(())
    }

    /// How many events of `platform` are kept (for tests and operators).
    pub async fn count(&self, platform: &str) -> anyhow::Result<i64> {
        crate::db::query_scalar("SELECT count(*) FROM platform_events WHERE platform = $1")
            .bind(platform)
            .fetch_one(self.store.pool())
            .await
            .context("count platform events")
    }
}
