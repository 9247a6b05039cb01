//! `[push]`: the dispatcher's pace, quiet hours, retries, and per channel the rate, the
//! provider's caps and the template each kind of notification uses.
//!
//! A channel's rate may never come within `headroom_percent` of its provider's cap: rolling
//! windows bite even when a client throttles to exactly the nominal rate (NHS MAVIS hit 429s at
//! exactly Notify's 3,000/min), so [`PushConfig::check`] refuses such a configuration at start.

use std::collections::BTreeMap;

use serde::Deserialize;

/// How notifications are dispatched.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushConfig {
    /// Run the dispatcher in this instance. Off, notifications still go to the inbox and wait
    /// in the outbox for an instance that dispatches.
    pub dispatch: bool,
    /// Dispatcher workers in this instance; each leases its own batches.
    pub workers: u32,
    /// Notifications one worker leases at a time.
    pub batch_size: u32,
    /// Requests one worker has in flight at once.
    pub concurrency: u32,
    /// Seconds a lease lasts: a row leased by a worker that died is taken up again after this.
    pub lease_secs: u64,
    /// Milliseconds an idle worker waits before looking for due notifications again (new
    /// notifications made by this instance wake it at once).
    pub idle_poll_ms: u64,
    /// Start of quiet hours (HH:MM, the person's time zone) when the person chose none.
    pub quiet_start: String,
    /// End of quiet hours (HH:MM); equal to the start: no quiet hours.
    pub quiet_end: String,
    /// Hours after which a notification that could not be delivered stops being retried (it
    /// stays in the inbox).
    pub deadline_hours: u64,
    /// The first retry waits up to this many milliseconds; each further one up to twice as
    /// long (full jitter).
    pub retry_base_ms: u64,
    /// No retry waits longer than this many milliseconds.
    pub retry_max_ms: u64,
    /// Seconds a WeChat message whose fate a crash left unknown waits for WeChat's
    /// `subscribe_msg_sent_event` before it is sent again.
    pub in_doubt_grace_secs: u64,
    /// Percent kept free under every provider cap (rate and daily quota).
    pub headroom_percent: u32,
    /// WeChat subscription messages.
    pub wechat: TemplateChannelConfig,
    /// Alipay mini-program subscription messages.
    pub alipay: TemplateChannelConfig,
    /// App push through the JPush-shaped gateway.
    pub app: AppChannelConfig,
}

impl Default for PushConfig {
    fn default() -> Self {
        Self {
            dispatch: true,
            workers: 2,
            batch_size: 200,
            concurrency: 64,
            lease_secs: 30,
            idle_poll_ms: 250,
            quiet_start: "22:00".into(),
            quiet_end: "08:00".into(),
            deadline_hours: 72,
            retry_base_ms: 2_000,
            retry_max_ms: 600_000,
            in_doubt_grace_secs: 60,
            headroom_percent: 10,
            wechat: TemplateChannelConfig::wechat(),
            alipay: TemplateChannelConfig::alipay(),
            app: AppChannelConfig::default(),
        }
    }
}

/// A channel's pace against its provider's caps.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Messages per second sent at most: by this instance on SQLite, by all the instances
    /// together on PostgreSQL (a shared pace).
    pub rate_per_sec: u32,
    /// The provider's per-second cap for this account; 0: none published.
    pub provider_rate_cap_per_sec: u32,
    /// The provider's daily cap (WeChat: 10,000,000 without WeChat Pay, 30,000,000 with);
    /// 0: none.
    pub provider_daily_cap: u64,
}

/// WeChat or Alipay: a pace and one template per kind of notification.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TemplateChannelConfig {
    /// Messages per second sent at most: by this instance on SQLite, by all the instances
    /// together on PostgreSQL (a shared pace).
    pub rate_per_sec: u32,
    /// The provider's per-second cap for this account; 0: none published.
    pub provider_rate_cap_per_sec: u32,
    /// The provider's daily cap (WeChat: 10,000,000 without WeChat Pay, 30,000,000 with);
    /// 0: none.
    pub provider_daily_cap: u64,
    /// The template for benefit offers.
    pub benefit_offer: TemplateConfig,
    /// The template for application status changes.
    pub application_status: TemplateConfig,
}

impl Default for TemplateChannelConfig {
    fn default() -> Self {
        Self::wechat()
    }
}

impl TemplateChannelConfig {
    /// Templates as the built-in WeChat simulator knows them; a real mini-program chooses its
    /// own in the console and maps their keys here.
    fn wechat() -> Self {
        Self {
            rate_per_sec: 3_000,
            provider_rate_cap_per_sec: 0,
            provider_daily_cap: 10_000_000,
            benefit_offer: TemplateConfig::new(
                "tongban-benefit-offer-0001",
                "pages/benefits/detail",
                &[
                    ("thing1", Slot::Policy),
                    ("amount2", Slot::Amount),
                    ("date3", Slot::Deadline),
                    ("thing4", Slot::Hint),
                    ("phrase5", Slot::State),
                ],
            ),
            application_status: TemplateConfig::new(
                "tongban-application-status-0001",
                "pages/applications/detail",
                &[
                    ("thing1", Slot::Service),
                    ("phrase2", Slot::State),
                    ("time3", Slot::Date),
                    ("thing4", Slot::Hint),
                ],
            ),
        }
    }

    fn alipay() -> Self {
        Self {
            rate_per_sec: 1_000,
            provider_rate_cap_per_sec: 0,
            provider_daily_cap: 0,
            benefit_offer: TemplateConfig::new(
                "tongban-benefit-offer-0001",
                "pages/benefits/detail",
                &[
                    ("keyword1", Slot::Policy),
                    ("keyword2", Slot::Amount),
                    ("keyword3", Slot::Deadline),
                    ("keyword4", Slot::Hint),
                ],
            ),
            application_status: TemplateConfig::new(
                "tongban-application-status-0001",
                "pages/applications/detail",
                &[
                    ("keyword1", Slot::Service),
                    ("keyword2", Slot::State),
                    ("keyword3", Slot::Date),
                    ("keyword4", Slot::Hint),
                ],
            ),
        }
    }
}

/// One template: its id, the mini-program page it opens, and which value fills each field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateConfig {
    /// The template id from the platform's console.
    pub template_id: String,
    /// The page the message opens; Tongban adds `?id=<cause>&n=<notification>`.
    pub page: String,
    /// Template field key (`thing1`, `keyword2`, …) → the value that fills it.
    pub fields: BTreeMap<String, Slot>,
}

impl TemplateConfig {
    fn new(template_id: &str, page: &str, fields: &[(&str, Slot)]) -> Self {
        Self {
            template_id: template_id.into(),
            page: page.into(),
            fields: fields
                .iter()
                .map(|(key, slot)| (key.to_string(), *slot))
                .collect(),
        }
    }
}

/// A value a template field can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// The policy's title (offers).
    Policy,
    /// The amount as displayed (offers); `-` when the policy has none.
    Amount,
    /// The last day to confirm (offers that need confirming).
    Deadline,
    /// The service item's name (applications).
    Service,
    /// The short status (`*-state` messages).
    State,
    /// When the application's status changed.
    Date,
    /// What to do next (`*-hint` messages).
    Hint,
}

/// App push through the push gateway.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppChannelConfig {
    /// Messages per second sent at most: by this instance on SQLite, by all the instances
    /// together on PostgreSQL (a shared pace).
    pub rate_per_sec: u32,
    /// The provider's per-second cap for this account; 0: none published.
    pub provider_rate_cap_per_sec: u32,
    /// The provider's daily cap (WeChat: 10,000,000 without WeChat Pay, 30,000,000 with);
    /// 0: none.
    pub provider_daily_cap: u64,
    /// Seconds the gateway keeps a message for a device that is offline.
    pub time_to_live_secs: u32,
}

impl Default for AppChannelConfig {
    fn default() -> Self {
        Self {
            rate_per_sec: 9_000,
            provider_rate_cap_per_sec: 10_000,
            provider_daily_cap: 0,
            time_to_live_secs: 86_400,
        }
    }
}

impl PushConfig {
    /// Refuses paces that come within the headroom of a provider's cap, and malformed quiet
    /// hours.
    pub fn check(&self) -> anyhow::Result<()> {
        for (name, pace) in [
            ("wechat", self.wechat.pace()),
            ("alipay", self.alipay.pace()),
            ("app", self.app.pace()),
        ] {
            let cap = pace.provider_rate_cap_per_sec;
            if cap > 0 && u64::from(pace.rate_per_sec) > self.usable(u64::from(cap)) {
                anyhow::bail!(
                    "push.{name}.rate_per_sec {} leaves less than {}% headroom under the provider's cap of {cap}/s",
                    pace.rate_per_sec,
                    self.headroom_percent
                );
            }
            if pace.rate_per_sec == 0 {
                anyhow::bail!("push.{name}.rate_per_sec must be at least 1");
            }
        }
        super::schedule::QuietHours::parse(&self.quiet_start, &self.quiet_end)?;
        if self.headroom_percent >= 100 {
            anyhow::bail!("push.headroom_percent must be below 100");
        }
        Ok(())
    }

    /// The part of a provider cap Tongban may use.
    pub fn usable(&self, cap: u64) -> u64 {
        cap * u64::from(100 - self.headroom_percent.min(100)) / 100
    }
}

macro_rules! pace {
    ($config:ty) => {
        impl $config {
            pub fn pace(&self) -> Pace {
                Pace {
                    rate_per_sec: self.rate_per_sec,
                    provider_rate_cap_per_sec: self.provider_rate_cap_per_sec,
                    provider_daily_cap: self.provider_daily_cap,
                }
            }
        }
    };
}
pace!(TemplateChannelConfig);
pace!(AppChannelConfig);
