//! What the platforms report after accepting a message: WeChat's `subscribe_msg_sent_event`
//! and `subscribe_msg_change_event`, and the push gateway's receipts. A receipt is kept by the
//! provider's id (a repeat counts once) with the person and template it concerns, so it also
//! settles a send whose attempt a crash left unrecorded (see `dispatch`).
//!
//! Receipts arrive as fast as messages leave (one WeChat callback per message), so they are
//! group-committed: each callback hands its receipts to one writer task and waits for the
//! commit before it answers, so a receipt the platform saw acknowledged is stored; the writer
//! stores everything waiting in one transaction.

use std::sync::OnceLock;

use anyhow::Context;
use prometheus_client::metrics::{counter::Counter, family::Family};
use tokio::sync::{mpsc, oneshot};

use super::{Push, ReceiptLabels, now_ms};
use crate::{
    store::Store,
    upstream::{
        push::{Receipt, ReceiptStatus},
        wechat::SubscribeEvent,
    },
};

/// Receipts one transaction of the writer stores at most.
const GROUP_MAX: usize = 2_000;

/// One receipt on its way to the store. Whose it is is looked up as it is stored.
#[derive(Debug)]
struct NewReceipt {
    channel: &'static str,
    provider_ref: String,
    status: &'static str,
    code: Option<String>,
    /// The openid (WeChat) or registration id (app) the receipt names.
    recipient: String,
    /// WeChat: the template id. App: looked up (the device's platform).
    template: Option<String>,
}

struct Job {
    receipts: Vec<NewReceipt>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The receipt writer's queue, started on first use.
#[derive(Default)]
pub(super) struct ReceiptQueue(OnceLock<mpsc::UnboundedSender<Job>>);

impl Push {
    /// Records verified WeChat subscription events. Popup events are not credits: the client
    /// reports accepts itself (`POST /v1/me/subscriptions`) and counting both would count twice.
    pub async fn wechat_events(&self, events: &[SubscribeEvent]) -> anyhow::Result<()> {
        let now = now_ms();
        let mut receipts = Vec::new();
        for event in events {
            match event {
                SubscribeEvent::Sent {
                    openid,
                    template_id,
                    msg_id,
                    error_code,
                    ..
                } => receipts.push(NewReceipt {
                    channel: "wechat",
                    provider_ref: msg_id.to_string(),
                    status: if *error_code == 0 {
                        "delivered"
                    } else {
                        "failed"
                    },
                    code: Some(error_code.to_string()),
                    recipient: openid.clone(),
                    template: Some(template_id.clone()),
                }),
                SubscribeEvent::Changed {
                    openid,
                    template_id,
                    status,
                } if status == "reject" => {
                    if let Some(account) = self.wechat_account(openid).await? {
                        crate::db::query(
                            "UPDATE push_credits SET credits = 0, long_term = 0, updated_at = $1
                             WHERE account_id = $2 AND platform = 'wechat' AND template_id = $3",
                        )
                        .bind(now / 1000)
                        .bind(account)
                        .bind(template_id)
                        .execute(self.store().writer())
                        .await
                        .context("withdraw credits")?;
                    }
                }
                _ => {}
            }
        }
        self.keep_receipts(receipts).await
    }

    /// Records verified push-gateway receipts.
    pub async fn gateway_receipts(&self, receipts: &[Receipt]) -> anyhow::Result<()> {
        let receipts = receipts
            .iter()
            .map(|receipt| NewReceipt {
                channel: "app",
                provider_ref: receipt.msg_id.clone(),
                status: if receipt.status == ReceiptStatus::Delivered {
                    "delivered"
                } else {
                    "failed"
                },
                code: None,
                recipient: receipt.registration_id.clone(),
                template: None,
            })
            .collect();
        self.keep_receipts(receipts).await
    }

    /// Hands receipts to the writer and waits until they are committed.
    async fn keep_receipts(&self, receipts: Vec<NewReceipt>) -> anyhow::Result<()> {
        if receipts.is_empty() {
            return Ok(());
        }
        let queue = self.inner.receipt_queue.0.get_or_init(|| {
            let (sender, jobs) = mpsc::unbounded_channel();
            tokio::spawn(write_receipts(
                self.store().clone(),
                self.inner.wechat_app_id.clone(),
                self.inner.counters.receipts.clone(),
                jobs,
            ));
            sender
        });
        let (done, committed) = oneshot::channel();
        queue
            .send(Job { receipts, done })
            .map_err(|_| anyhow::anyhow!("the receipt writer has stopped"))?;
        committed
            .await
            .context("the receipt writer has stopped")?
            .map_err(|err| anyhow::anyhow!(err))
            .context("keep receipts")
    }

    async fn wechat_account(&self, openid: &str) -> anyhow::Result<Option<String>> {
        crate::db::query_scalar(
            "SELECT account_id FROM platform_identities
             WHERE platform = 'wechat' AND app_id = $1 AND subject = $2",
        )
        .bind(&self.inner.wechat_app_id)
        .bind(openid)
        .fetch_optional(self.store().pool())
        .await
        .context("openid account")
    }
}

/// The receipt writer: takes every job waiting (up to [`GROUP_MAX`] receipts), stores them in
/// one transaction, then answers each job. Ends when the push service is dropped.
async fn write_receipts(
    store: Store,
    wechat_app_id: String,
    counter: Family<ReceiptLabels, Counter>,
    mut jobs: mpsc::UnboundedReceiver<Job>,
) {
    while let Some(first) = jobs.recv().await {
        let mut group = vec![first];
        let mut count = group[0].receipts.len();
        while count < GROUP_MAX {
            match jobs.try_recv() {
                Ok(job) => {
                    count += job.receipts.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let receipts: Vec<&NewReceipt> = group.iter().flat_map(|job| &job.receipts).collect();
        let outcome = store_receipts(&store, &wechat_app_id, &receipts).await;
        let answer = match outcome {
            Ok(kept) => {
                for (channel, status) in kept {
                    counter
                        .get_or_create(&ReceiptLabels { channel, status })
                        .inc();
                }
                Ok(())
            }
            Err(err) => {
                tracing::error!(error = %format!("{err:#}"), receipts = receipts.len(), "push receipts not stored");
                Err(format!("{err:#}"))
            }
        };
        for job in group {
            let _ = job.done.send(answer.clone());
        }
    }
}

/// Stores receipts, a repeat of a provider's id once; answers the (channel, status) of each
/// receipt stored for the first time.
async fn store_receipts(
    store: &Store,
    wechat_app_id: &str,
    receipts: &[&NewReceipt],
) -> anyhow::Result<Vec<(&'static str, &'static str)>> {
    let now = now_ms();
    crate::db::transaction!(store.writer(), |tx| {
        let rows: Vec<_> = receipts
            .iter()
            .map(|r| {
                (
                    r.channel,
                    &r.provider_ref,
                    r.status,
                    &r.code,
                    &r.recipient,
                    &r.template,
                )
            })
            .collect();
        // One statement of constant text (prepared once), whoever the receipts are for; the person
        // is found by openid (WeChat) or registration id (app).
        let stored = crate::db::query(&format!(
            "INSERT INTO push_receipts
           (channel, provider_ref, status, code, account_id, target, received_at)
         SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3,
                CASE WHEN r.value ->> 0 = 'wechat'
                     THEN (SELECT account_id FROM platform_identities
                           WHERE platform = 'wechat' AND app_id = $1 AND subject = r.value ->> 4)
                     ELSE (SELECT account_id FROM push_devices
                           WHERE registration_id = r.value ->> 4) END,
                CASE WHEN r.value ->> 0 = 'wechat' THEN r.value ->> 5
                     ELSE COALESCE((SELECT platform FROM push_devices
                                    WHERE registration_id = r.value ->> 4), '') END,
                $2
         FROM {rows3} AS r WHERE true
         ON CONFLICT (channel, provider_ref) DO NOTHING
         RETURNING channel, status",
            rows3 = crate::db::json_rows(store.engine(), "$3")
        ))
        .bind(wechat_app_id)
        .bind(now)
        .bind(serde_json::to_string(&rows).context("receipts as JSON")?)
        .fetch_all(&mut *tx)
        .await
        .context("keep receipts")?;
        let kept = stored
            .iter()
            .map(|row| {
                let channel: String = row.get("channel");
                let status: String = row.get("status");
                (
                    if channel == "wechat" { "wechat" } else { "app" },
                    if status == "delivered" {
                        "delivered"
                    } else {
                        "failed"
                    },
                )
            })
            .collect();
        Ok(kept)
    })
    .await
    .context("store receipts")
}
