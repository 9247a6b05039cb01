//! Proactive push (消息推送): every notification a person is owed, told once, in their language,
//! through the channel they allowed, and always in the in-app inbox.
//!
//! Layout:
//! - [`outbox`]: the row a cause writes in its own transaction (a benefit offer, an application's
//!   status change). The row is the inbox entry too, so the inbox never misses what was owed.
//! - `dispatch`: workers that lease due rows, choose a channel, respect quiet hours, rates and
//!   quotas, send, and record every attempt; crash recovery of rows whose fate is unknown.
//! - `channels`: one send through WeChat, Alipay or the push gateway, its outcome classified.
//! - `content`: the texts, from `locales/*/push.ftl`, and template values cut to each platform's
//!   field rules.
//! - `inbox`, `preferences`, `receipts`, `campaigns`: what the API reads and changes.
//!
//! A notification's states: `queued` (waiting for `due_at`) → `sending` (leased by a worker) →
//! `sent` (a provider accepted it) | `queued` again (transient failure, or the channel refused:
//! the next channel is tried) | `failed` (retries ran past the deadline) | `inbox` (no channel
//! the person allowed could take it: it lives in the inbox alone) | `in_doubt` (a crash left a
//! WeChat send's fate unknown: waiting for WeChat's sent event). `docs/push.md` states the
//! delivery guarantee and why it holds.

pub mod applications;
pub mod campaigns;
mod channels;
pub mod config;
pub mod content;
mod dispatch;
pub mod inbox;
pub mod outbox;
mod pace;
pub mod preferences;
pub mod receipts;
pub mod schedule;

use std::{fmt, sync::Arc};

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family},
};

use crate::{
    i18n::L10n,
    store::Store,
    upstream::{alipay::AlipayClient, push::PushGatewayClient, wechat::WechatClient},
};

pub use config::PushConfig;
pub use outbox::Outbox;

/// A way to reach a person outside the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// WeChat subscription message (订阅消息).
    Wechat,
    /// Alipay mini-program subscription message.
    Alipay,
    /// App push through the push gateway.
    App,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Wechat, Channel::Alipay, Channel::App];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Wechat => "wechat",
            Channel::Alipay => "alipay",
            Channel::App => "app",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A benefit offer (免申即享).
    BenefitOffer,
    /// An application's status changed in a way the person must know.
    ApplicationStatus,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::BenefitOffer => "benefit_offer",
            Kind::ApplicationStatus => "application_status",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        match code {
            "benefit_offer" => Some(Kind::BenefitOffer),
            "application_status" => Some(Kind::ApplicationStatus),
            _ => None,
        }
    }

    /// The person's notification category (`PATCH /v1/me` `notificationCategories`).
    pub fn category(self) -> &'static str {
        match self {
            Kind::BenefitOffer => "benefits",
            Kind::ApplicationStatus => "applications",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AttemptLabels {
    pub channel: &'static str,
    /// accepted | transient | permanent | refused | rate_limited
    pub outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReceiptLabels {
    pub channel: &'static str,
    /// delivered | failed
    pub status: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndLabels {
    /// inbox | failed
    pub state: &'static str,
    pub reason: String,
}

/// Push counters, registered with the metrics registry (`tongban_push_*`).
#[derive(Debug, Clone, Default)]
pub struct PushCounters {
    pub attempts: Family<AttemptLabels, Counter>,
    pub receipts: Family<ReceiptLabels, Counter>,
    pub ended: Family<EndLabels, Counter>,
}

/// The push service: dispatcher, inbox, preferences, receipts and campaigns.
#[derive(Clone)]
pub struct Push {
    inner: Arc<Inner>,
}

impl fmt::Debug for Push {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Push").finish_non_exhaustive()
    }
}

struct Inner {
    store: Store,
    config: PushConfig,
    l10n: L10n,
    outbox: Outbox,
    wechat: WechatClient,
    wechat_app_id: String,
    alipay: AlipayClient,
    alipay_app_id: String,
    gateway: PushGatewayClient,
    counters: PushCounters,
    dispatch: dispatch::Shared,
    /// The deployment-wide pace, with several instances on PostgreSQL.
    pace: Option<pace::SharedPace>,
    receipt_queue: receipts::ReceiptQueue,
}

/// What the push service is built from.
pub struct PushParts {
    pub store: Store,
    pub config: PushConfig,
    pub l10n: L10n,
    pub outbox: Outbox,
    pub wechat: WechatClient,
    pub wechat_app_id: String,
    pub alipay: AlipayClient,
    pub alipay_app_id: String,
    pub gateway: PushGatewayClient,
    pub counters: PushCounters,
}

impl Push {
    pub fn new(parts: PushParts) -> anyhow::Result<Self> {
        parts.config.check()?;
        let dispatch = dispatch::Shared::new(&parts.config)?;
        let pace = (parts.store.engine() == crate::db::Engine::Postgres).then(|| {
            let config = &parts.config;
            pace::SharedPace::new(
                parts.store.clone(),
                [
                    config.wechat.pace().rate_per_sec,
                    config.alipay.pace().rate_per_sec,
                    config.app.pace().rate_per_sec,
                ]
                .map(|rate| (rate, dispatch::burst(rate))),
            )
        });
        Ok(Self {
            inner: Arc::new(Inner {
                store: parts.store,
                config: parts.config,
                l10n: parts.l10n,
                outbox: parts.outbox,
                wechat: parts.wechat,
                wechat_app_id: parts.wechat_app_id,
                alipay: parts.alipay,
                alipay_app_id: parts.alipay_app_id,
                gateway: parts.gateway,
                counters: parts.counters,
                dispatch,
                pace,
                receipt_queue: receipts::ReceiptQueue::default(),
            }),
        })
    }

    pub fn config(&self) -> &PushConfig {
        &self.inner.config
    }

    pub fn outbox(&self) -> &Outbox {
        &self.inner.outbox
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
