//! What the platforms report after accepting a message: WeChat's `subscribe_msg_sent_event`
//! and `subscribe_msg_change_event`, and the push gateway's receipts. A receipt is kept by the
//! provider's id (a repeat counts once) with the person and template it concerns, so it also
//! settles a send whose attempt a crash left unrecorded (see `dispatch`).

use anyhow::Context;

use super::{Push, ReceiptLabels, now_ms};
use crate::upstream::{
    push::{Receipt, ReceiptStatus},
    wechat::SubscribeEvent,
};

impl Push {
    /// Records verified WeChat subscription events. Popup events are not credits: the client
    /// reports accepts itself (`POST /v1/me/subscriptions`) and counting both would count twice.
    pub async fn wechat_events(&self, events: &[SubscribeEvent]) -> anyhow::Result<()> {
        let now = now_ms();
        for event in events {
            match event {
                SubscribeEvent::Sent {
                    openid,
                    template_id,
                    msg_id,
                    error_code,
                    ..
                } => {
                    let account = self.wechat_account(openid).await?;
                    let status = if *error_code == 0 {
                        "delivered"
                    } else {
                        "failed"
                    };
                    self.keep_receipt(
                        "wechat",
                        &msg_id.to_string(),
                        status,
                        Some(&error_code.to_string()),
                        account.as_deref(),
                        template_id,
                        now,
                    )
                    .await?;
                }
                SubscribeEvent::Changed {
                    openid,
                    template_id,
                    status,
                } if status == "reject" => {
                    if let Some(account) = self.wechat_account(openid).await? {
                        sqlx::query(
                            "UPDATE push_credits SET credits = 0, long_term = 0, updated_at = ?
                             WHERE account_id = ? AND platform = 'wechat' AND template_id = ?",
                        )
                        .bind(now / 1000)
                        .bind(account)
                        .bind(template_id)
                        .execute(self.store().pool())
                        .await
                        .context("withdraw credits")?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Records verified push-gateway receipts.
    pub async fn gateway_receipts(&self, receipts: &[Receipt]) -> anyhow::Result<()> {
        let now = now_ms();
        for receipt in receipts {
            let device: Option<(String, String)> = sqlx::query_as(
                "SELECT account_id, platform FROM push_devices WHERE registration_id = ?",
            )
            .bind(&receipt.registration_id)
            .fetch_optional(self.store().pool())
            .await
            .context("receipt device")?;
            let status = if receipt.status == ReceiptStatus::Delivered {
                "delivered"
            } else {
                "failed"
            };
            let (account, platform) = device.unzip();
            self.keep_receipt(
                "app",
                &receipt.msg_id,
                status,
                None,
                account.as_deref(),
                platform.as_deref().unwrap_or(""),
                now,
            )
            .await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn keep_receipt(
        &self,
        channel: &'static str,
        provider_ref: &str,
        status: &'static str,
        code: Option<&str>,
        account: Option<&str>,
        target: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        let kept = sqlx::query(
            "INSERT INTO push_receipts
               (channel, provider_ref, status, code, account_id, target, received_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (channel, provider_ref) DO NOTHING",
        )
        .bind(channel)
        .bind(provider_ref)
        .bind(status)
        .bind(code)
        .bind(account)
        .bind(target)
        .bind(now)
        .execute(self.store().pool())
        .await
        .context("keep receipt")?;
        if kept.rows_affected() == 1 {
            self.inner
                .counters
                .receipts
                .get_or_create(&ReceiptLabels { channel, status })
                .inc();
        }
        Ok(())
    }

    async fn wechat_account(&self, openid: &str) -> anyhow::Result<Option<String>> {
        sqlx::query_scalar(
            "SELECT account_id FROM platform_identities
             WHERE platform = 'wechat' AND app_id = ? AND subject = ?",
        )
        .bind(&self.inner.wechat_app_id)
        .bind(openid)
        .fetch_optional(self.store().pool())
        .await
        .context("openid account")
    }
}
