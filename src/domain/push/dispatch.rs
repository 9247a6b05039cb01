//! The dispatcher: workers lease due notifications in batches, decide each one's channel,
//! write a `pending` attempt for every request about to leave, send at each channel's pace,
//! and record the outcomes; a recoverer takes back rows whose worker died.
//!
//! One batch is three transactions: lease (rows → `sending`), plan (attempts, credits, quota,
//! quiet-hours deferrals, inbox-only ends), record (outcomes). A crash between plan and record
//! leaves `pending` attempts: the requests that may have gone out. [`Push::recover`] settles
//! them per channel — the push gateway de-duplicates by `cid`, WeChat reports every send with
//! a `subscribe_msg_sent_event`, Alipay reports nothing so its unsettled sends are not repeated.

use std::{
    collections::{HashMap, HashSet},
    num::NonZeroU32,
    sync::Mutex,
    time::Duration,
};

use anyhow::Context;
use futures_util::{StreamExt, stream};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::{
    AttemptLabels, Channel, EndLabels, Kind, Push, PushConfig,
    channels::{Outcome, Planned},
    now_ms,
    outbox::Params,
    schedule::{self, QuietHours},
};
use crate::{domain::session::random_id, i18n::Lang, upstream::resilience::retry::Backoff};

/// Dispatcher state shared by this instance's workers.
pub(super) struct Shared {
    limiters: [DefaultDirectRateLimiter; 3],
    backoff: Backoff,
    quiet: QuietHours,
    /// Push-gateway `cid`s reserved and not yet given to a notification.
    cids: Mutex<Vec<String>>,
    instance: String,
    /// App pushes sent in one gateway call: at most the app channel's burst, so one call
    /// never goes past its pace.
    pub(super) app_chunk: usize,
}

impl Shared {
    pub(super) fn new(config: &PushConfig) -> anyhow::Result<Self> {
        let limiter = |rate: u32| {
            let rate = NonZeroU32::new(rate).context("a channel rate of 0")?;
            let burst = NonZeroU32::new(burst(rate.get())).unwrap_or(NonZeroU32::MIN);
            Ok::<_, anyhow::Error>(RateLimiter::direct(
                Quota::per_second(rate).allow_burst(burst),
            ))
        };
        Ok(Self {
            limiters: [
                limiter(config.wechat.pace().rate_per_sec)?,
                limiter(config.alipay.pace().rate_per_sec)?,
                limiter(config.app.pace().rate_per_sec)?,
            ],
            backoff: Backoff::new(
                Duration::from_millis(config.retry_base_ms),
                Duration::from_millis(config.retry_max_ms),
            ),
            quiet: QuietHours::parse(&config.quiet_start, &config.quiet_end)?,
            cids: Mutex::new(Vec::new()),
            instance: random_id("inst_"),
            app_chunk: usize::try_from(burst(config.app.pace().rate_per_sec))
                .unwrap_or(1)
                .min(crate::upstream::push::wire::MAX_BATCH),
        })
    }

    fn limiter(&self, channel: Channel) -> &DefaultDirectRateLimiter {
        match channel {
            Channel::Wechat => &self.limiters[0],
            Channel::Alipay => &self.limiters[1],
            Channel::App => &self.limiters[2],
        }
    }
}

/// A row a worker holds.
#[derive(Debug)]
pub(super) struct Leased {
    pub id: String,
    pub account_id: String,
    pub kind: Kind,
    pub params: Params,
    pub attempts: u32,
    pub deadline_at: i64,
    pub push_cid: Option<String>,
}

/// What a worker knows of a person while planning.
#[derive(Debug, Default)]
struct Person {
    lang: Option<Lang>,
    offset_ms: i64,
    categories: Vec<String>,
    channels: Vec<Channel>,
    quiet: Option<QuietHours>,
    openid: Option<String>,
    alipay_user: Option<String>,
    /// (platform, template) → (credits, long-term).
    credits: HashMap<(Channel, String), (i64, bool)>,
    /// The newest registered device: (registration id, platform).
    device: Option<(String, String)>,
}

enum Decision {
    Quiet(i64),
    Inbox(&'static str),
    Send(Box<Planned>),
}

/// What one pass of the recoverer did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Recovered {
    /// Leases of dead workers taken back.
    pub expired: u64,
    /// Unsettled WeChat sends that WeChat's sent event showed delivered.
    pub confirmed: u64,
    /// Unsettled WeChat sends with no sent event in the grace period, queued again.
    pub requeued: u64,
}

impl Push {
    /// Starts this instance's workers and recoverer, unless `push.dispatch` is off.
    pub fn spawn_dispatcher(&self) -> Vec<tokio::task::JoinHandle<()>> {
        if !self.inner.config.dispatch {
            return Vec::new();
        }
        self.spawn_workers()
    }

    /// Starts the workers and the recoverer whatever `push.dispatch` says (benchmarks and the
    /// command line start them when they choose).
    pub fn spawn_workers(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        for worker in 0..self.inner.config.workers.max(1) {
            let push = self.clone();
            tasks.push(tokio::spawn(async move { push.run_worker(worker).await }));
        }
        let push = self.clone();
        tasks.push(tokio::spawn(async move { push.run_recoverer().await }));
        tasks
    }

    async fn run_worker(&self, worker: u32) {
        let owner = format!("{}/{worker}", self.inner.dispatch.instance);
        let idle = Duration::from_millis(self.inner.config.idle_poll_ms.max(10));
        loop {
            match self.dispatch_batch(&owner).await {
                Ok(0) => {
                    tokio::select! {
                        () = self.inner.outbox.woken() => {}
                        () = tokio::time::sleep(idle) => {}
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::error!(error = %format!("{err:#}"), "push dispatch batch failed");
                    tokio::time::sleep(idle * 4).await;
                }
            }
        }
    }

    async fn run_recoverer(&self) {
        let mut every = tokio::time::interval(Duration::from_millis(500));
        loop {
            every.tick().await;
            if let Err(err) = self.recover().await {
                tracing::error!(error = %format!("{err:#}"), "push recovery failed");
            }
        }
    }

    /// Leases, plans, sends and records one batch; returns how many rows it leased.
    pub async fn dispatch_batch(&self, owner: &str) -> anyhow::Result<usize> {
        let leased = self.lease(owner).await?;
        if leased.is_empty() {
            return Ok(0);
        }
        let count = leased.len();
        let planned = self.plan(owner, leased).await?;
        let (app, one_by_one): (Vec<Planned>, Vec<Planned>) = planned
            .into_iter()
            .partition(|planned| planned.channel == Channel::App);
        let concurrency = self.inner.config.concurrency.max(1) as usize;
        let singles = stream::iter(one_by_one)
            .map(|planned| async move {
                if let Some(pace) = &self.inner.pace {
                    pace.admit(planned.channel, 1).await;
                }
                self.inner
                    .dispatch
                    .limiter(planned.channel)
                    .until_ready()
                    .await;
                let outcome = self.send(&planned).await;
                (planned, outcome)
            })
            .buffer_unordered(concurrency)
            .collect::<Vec<_>>();
        let (mut outcomes, app_outcomes) = tokio::join!(singles, self.send_app(app));
        outcomes.extend(app_outcomes);
        self.record(owner, outcomes).await?;
        Ok(count)
    }

    /// Waits until the app channel's pace admits `count` more pushes (at most a burst).
    pub(super) async fn app_pace(&self, count: usize) {
        let limiter = self.inner.dispatch.limiter(Channel::App);
        let count = u32::try_from(count.clamp(1, self.inner.dispatch.app_chunk)).unwrap_or(1);
        let count = NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN);
        if let Some(pace) = &self.inner.pace {
            pace.admit(Channel::App, count.get()).await;
        }
        if limiter.until_n_ready(count).await.is_err() {
            // More than a burst: cannot happen as the chunk is at most a burst; pace singly.
            for _ in 0..count.get() {
                limiter.until_ready().await;
            }
        }
    }

    async fn lease(&self, owner: &str) -> anyhow::Result<Vec<Leased>> {
        let now = now_ms();
        let lease_until = now + i64::try_from(self.inner.config.lease_secs * 1000).unwrap_or(0);
        // On PostgreSQL many instances lease at once, in autocommit's READ COMMITTED: the rows
        // picked are locked and the rows another instance is taking skipped, or two instances
        // would each take the same row (an UPDATE waiting on a row lock checks again only its
        // outer condition, `id IN (…)`, not the subquery that chose it). The one-in-flight-
        // per-person rule is then kept within each batch but not between two batches taken at
        // the same instant; SQLite's single writer keeps it always.
        let lease = "UPDATE notifications SET state = 'sending', lease_owner = $1, lease_until = $2
             WHERE id IN (
               SELECT n.id FROM notifications n
               WHERE n.state = 'queued' AND n.due_at <= $3
                 AND (n.campaign_id IS NULL OR n.campaign_id NOT IN
                      (SELECT id FROM push_campaigns WHERE paused = 1))
                 AND NOT EXISTS (SELECT 1 FROM notifications s
                                 WHERE s.account_id = n.account_id
                                   AND s.state IN ('sending', 'in_doubt'))
               ORDER BY n.priority, n.due_at
               LIMIT $4 {lock})
             RETURNING id, account_id, kind, params, attempts, deadline_at, push_cid";
        let writer = self.store().writer();
        let sql = lease.replace("{lock}", writer.sql("", "FOR UPDATE OF n SKIP LOCKED"));
        let rows = crate::db::query(&sql)
            .bind(owner)
            .bind(lease_until)
            .bind(now)
            .bind(i64::from(self.inner.config.batch_size.max(1)))
            .fetch_all(writer)
            .await
            .context("lease notifications")?;
        let mut leased = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.get("kind");
            let params: String = row.get("params");
            leased.push(Leased {
                id: row.get("id"),
                account_id: row.get("account_id"),
                kind: Kind::parse(&kind).context("unknown notification kind")?,
                params: serde_json::from_str(&params).context("notification params")?,
                attempts: u32::try_from(row.get::<i64>("attempts")).unwrap_or(0),
                deadline_at: row.get("deadline_at"),
                push_cid: row.get("push_cid"),
            });
        }
        Ok(leased)
    }

    /// Reads what the batch's people allow and have.
    async fn people(&self, leased: &[Leased]) -> anyhow::Result<HashMap<String, Person>> {
        let ids: HashSet<&str> = leased.iter().map(|l| l.account_id.as_str()).collect();
        let mut people: HashMap<String, Person> = HashMap::new();
        let pool = self.store().pool();
        let ids = json_rows(&ids.iter().collect::<Vec<_>>());
        let sql = format!(
            "SELECT a.id, a.lang, a.time_zone, a.notify_categories, a.notify_channels,
                    a.quiet_start, a.quiet_end,
                    (SELECT subject FROM platform_identities p
                     WHERE p.account_id = a.id AND p.platform = 'wechat' AND p.app_id = $1
                     ORDER BY p.last_login_at DESC LIMIT 1) AS openid,
                    (SELECT subject FROM platform_identities p
                     WHERE p.account_id = a.id AND p.platform = 'alipay' AND p.app_id = $2
                     ORDER BY p.last_login_at DESC LIMIT 1) AS alipay_user
             FROM accounts a WHERE a.id IN (SELECT value FROM {texts3})",
            texts3 = crate::db::json_texts(self.store().engine(), "$3")
        );
        let query = crate::db::query(&sql)
            .bind(&self.inner.wechat_app_id)
            .bind(&self.inner.alipay_app_id)
            .bind(&ids);
        for row in query.fetch_all(pool).await.context("people")? {
            let categories: String = row.get("notify_categories");
            let channels: Option<String> = row.get("notify_channels");
            let channels = channels
                .and_then(|c| serde_json::from_str::<Vec<String>>(&c).ok())
                .map(|codes| codes.iter().filter_map(|c| Channel::parse(c)).collect())
                .unwrap_or_else(|| Channel::ALL.to_vec());
            let quiet = match (
                row.get::<Option<String>>("quiet_start"),
                row.get::<Option<String>>("quiet_end"),
            ) {
                (Some(start), Some(end)) => QuietHours::parse(&start, &end).ok(),
                _ => None,
            };
            let lang: Option<String> = row.get("lang");
            let zone: String = row.get("time_zone");
            people.insert(
                row.get("id"),
                Person {
                    lang: lang.as_deref().and_then(Lang::from_tag),
                    offset_ms: schedule::zone_offset_ms(&zone),
                    categories: serde_json::from_str(&categories).unwrap_or_default(),
                    channels,
                    quiet,
                    openid: row.get("openid"),
                    alipay_user: row.get("alipay_user"),
                    ..Person::default()
                },
            );
        }
        let sql = format!(
            "SELECT account_id, platform, template_id, credits, long_term FROM push_credits
             WHERE account_id IN (SELECT value FROM {texts1})",
            texts1 = crate::db::json_texts(self.store().engine(), "$1")
        );
        let query = crate::db::query(&sql).bind(&ids);
        for row in query.fetch_all(pool).await.context("credits")? {
            let account: String = row.get("account_id");
            let platform: String = row.get("platform");
            if let (Some(person), Some(channel)) =
                (people.get_mut(&account), Channel::parse(&platform))
            {
                person.credits.insert(
                    (channel, row.get("template_id")),
                    (row.get("credits"), row.get::<i64>("long_term") != 0),
                );
            }
        }
        let sql = format!(
            "SELECT account_id, registration_id, platform FROM push_devices
             WHERE account_id IN (SELECT value FROM {texts1}) ORDER BY created_at",
            texts1 = crate::db::json_texts(self.store().engine(), "$1")
        );
        let query = crate::db::query(&sql).bind(&ids);
        for row in query.fetch_all(pool).await.context("devices")? {
            let account: String = row.get("account_id");
            if let Some(person) = people.get_mut(&account) {
                person.device = Some((row.get("registration_id"), row.get("platform")));
            }
        }
        Ok(people)
    }

    /// Channels that already refused each notification for good.
    async fn refused_channels(
        &self,
        leased: &[Leased],
    ) -> anyhow::Result<HashMap<String, HashSet<Channel>>> {
        let retried: HashSet<&str> = leased
            .iter()
            .filter(|l| l.attempts > 0)
            .map(|l| l.id.as_str())
            .collect();
        let mut refused: HashMap<String, HashSet<Channel>> = HashMap::new();
        if retried.is_empty() {
            return Ok(refused);
        }
        let retried = json_rows(&retried.into_iter().collect::<Vec<_>>());
        let sql = format!(
            "SELECT notification_id, channel FROM notification_attempts
             WHERE outcome IN ('permanent', 'refused')
               AND notification_id IN (SELECT value FROM {texts1})",
            texts1 = crate::db::json_texts(self.store().engine(), "$1")
        );
        let query = crate::db::query(&sql).bind(&retried);
        for row in query.fetch_all(self.store().pool()).await? {
            if let Some(channel) = Channel::parse(&row.get::<String>("channel")) {
                refused
                    .entry(row.get("notification_id"))
                    .or_default()
                    .insert(channel);
            }
        }
        Ok(refused)
    }

    fn decide(
        &self,
        leased: Leased,
        person: Option<&mut Person>,
        refused: Option<&HashSet<Channel>>,
        quota_left: &mut HashMap<Channel, u64>,
        busy: &mut HashSet<(String, Channel, String)>,
        now: i64,
    ) -> (Leased, Decision) {
        let Some(person) = person else {
            return (leased, Decision::Inbox("no_account"));
        };
        if !person
            .categories
            .iter()
            .any(|c| c == leased.kind.category())
        {
            return (leased, Decision::Inbox("category_off"));
        }
        let quiet = person.quiet.unwrap_or(self.inner.dispatch.quiet);
        if let Some(until) = quiet.ends_after(now, person.offset_ms) {
            return (leased, Decision::Quiet(until));
        }
        let config = &self.inner.config;
        for channel in person.channels.clone() {
            if refused.is_some_and(|r| r.contains(&channel)) {
                continue;
            }
            if quota_left.get(&channel).is_some_and(|left| *left == 0) {
                continue;
            }
            let (recipient, target, page) = match channel {
                Channel::Wechat | Channel::Alipay => {
                    let (recipient, channel_config) = if channel == Channel::Wechat {
                        (person.openid.clone(), &config.wechat)
                    } else {
                        (person.alipay_user.clone(), &config.alipay)
                    };
                    let Some(recipient) = recipient else { continue };
                    let template = match leased.kind {
                        Kind::BenefitOffer => &channel_config.benefit_offer,
                        Kind::ApplicationStatus => &channel_config.application_status,
                    };
                    let key = (channel, template.template_id.clone());
                    let Some((credits, long_term)) = person.credits.get_mut(&key) else {
                        continue;
                    };
                    if !*long_term && *credits <= 0 {
                        continue;
                    }
                    // One unsettled send per person and template at a time: a crash then
                    // leaves at most one request whose sent event could answer for it.
                    if !busy.insert((leased.account_id.clone(), channel, key.1.clone())) {
                        return (leased, Decision::Quiet(now + 1_000));
                    }
                    if !*long_term {
                        *credits -= 1;
                    }
                    (
                        recipient,
                        template.template_id.clone(),
                        template.page.clone(),
                    )
                }
                Channel::App => {
                    let Some((rid, platform)) = person.device.clone() else {
                        continue;
                    };
                    (rid, platform, String::new())
                }
            };
            if let Some(left) = quota_left.get_mut(&channel) {
                *left -= 1;
            }
            let lang = person.lang.unwrap_or(Lang::ZhHans);
            let long_term = matches!(
                person.credits.get(&(channel, target.clone())),
                Some((_, true))
            );
            let cid = leased.push_cid.clone();
            let planned = Planned {
                notification_id: leased.id.clone(),
                channel,
                recipient,
                target,
                page,
                lang,
                spends_credit: matches!(channel, Channel::Wechat | Channel::Alipay) && !long_term,
                cid,
                attempt_id: 0,
                leased: None,
            };
            return (leased, Decision::Send(Box::new(planned)));
        }
        let reason = if refused.is_some_and(|r| !r.is_empty()) {
            "channels_refused"
        } else {
            "no_channel"
        };
        (leased, Decision::Inbox(reason))
    }

    /// Decides every leased row and writes the decisions in one transaction.
    async fn plan(&self, owner: &str, leased: Vec<Leased>) -> anyhow::Result<Vec<Planned>> {
        let now = now_ms();
        let mut people = self.people(&leased).await?;
        let refused = self.refused_channels(&leased).await?;
        let day = beijing_day(now);
        let mut quota_left = self.quota_left(&day).await?;
        let mut busy = HashSet::new();
        let mut decisions = Vec::with_capacity(leased.len());
        for row in leased {
            let person = people.get_mut(&row.account_id);
            let refused = refused.get(&row.id);
            decisions.push(self.decide(row, person, refused, &mut quota_left, &mut busy, now));
        }
        let need_cids = decisions
            .iter()
            .filter(|(l, d)| {
                matches!(d, Decision::Send(p) if p.channel == Channel::App) && l.push_cid.is_none()
            })
            .count();
        let mut cids = self.take_cids(need_cids).await;
        let mut quiet: Vec<(String, i64)> = Vec::new();
        let mut inbox: Vec<(String, &'static str)> = Vec::new();
        let mut planned: Vec<Planned> = Vec::new();
        for (leased, decision) in decisions {
            match decision {
                Decision::Quiet(until) => quiet.push((leased.id, until)),
                Decision::Inbox(reason) => {
                    self.inner
                        .counters
                        .ended
                        .get_or_create(&EndLabels {
                            state: "inbox",
                            reason: reason.to_string(),
                        })
                        .inc();
                    inbox.push((leased.id, reason));
                }
                Decision::Send(mut send) => {
                    if send.channel == Channel::App && send.cid.is_none() {
                        send.cid = cids.pop();
                    }
                    send.leased = Some(leased);
                    planned.push(*send);
                }
            }
        }
        let batch: Vec<&str> = quiet
            .iter()
            .map(|(id, _)| id.as_str())
            .chain(inbox.iter().map(|(id, _)| id.as_str()))
            .chain(planned.iter().map(|send| send.notification_id.as_str()))
            .collect();
        let attempt_ids = crate::db::transaction!(self.store().writer(), |tx| {
            lock_in_order(&mut *tx, self.store().engine(), &batch).await?;
            if !quiet.is_empty() {
                crate::db::query(&format!(
                    "UPDATE notifications SET state = 'queued', due_at = CAST(v.value ->> 1 AS BIGINT),
                       lease_owner = NULL, lease_until = NULL
                     FROM {rows1} AS v
                     WHERE notifications.id = v.value ->> 0 AND notifications.lease_owner = $2",
                    rows1 = crate::db::json_rows(self.store().engine(), "$1")
                ))
                .bind(json_rows(&quiet))
                .bind(owner)
                .execute(&mut *tx)
                .await
                .context("defer")?;
            }
            if !inbox.is_empty() {
                crate::db::query(&format!(
                    "UPDATE notifications SET state = 'inbox', end_reason = v.value ->> 1,
                       finished_at = $1, lease_owner = NULL, lease_until = NULL
                     FROM {rows2} AS v
                     WHERE notifications.id = v.value ->> 0 AND notifications.lease_owner = $3",
                    rows2 = crate::db::json_rows(self.store().engine(), "$2")
                ))
                .bind(now)
                .bind(json_rows(&inbox))
                .bind(owner)
                .execute(&mut *tx)
                .await
                .context("inbox only")?;
            }
            let mut attempt_ids: HashMap<String, i64> = HashMap::with_capacity(planned.len());
            let mut credits: HashMap<(&str, &'static str, &str), i64> = HashMap::new();
            let mut used: HashMap<Channel, i64> = HashMap::new();
            if !planned.is_empty() {
                let sends = json_rows(
                    &planned
                        .iter()
                        .map(|send| {
                            (
                                &send.notification_id,
                                send.channel.code(),
                                &send.target,
                                &send.cid,
                            )
                        })
                        .collect::<Vec<_>>(),
                );
                crate::db::query(&format!(
                    "UPDATE notifications SET attempts = attempts + 1, channel = v.value ->> 1,
                       push_cid = COALESCE(push_cid, v.value ->> 3)
                     FROM {rows1} AS v WHERE notifications.id = v.value ->> 0",
                    rows1 = crate::db::json_rows(self.store().engine(), "$1")
                ))
                .bind(&sends)
                .execute(&mut *tx)
                .await
                .context("mark attempts")?;
                let sql = format!(
                    "INSERT INTO notification_attempts
                       (notification_id, channel, target, started_at, outcome)
                     SELECT v.value ->> 0, v.value ->> 1, v.value ->> 2, $1, 'pending'
                     FROM {rows2} AS v
                     RETURNING id, notification_id",
                    rows2 = crate::db::json_rows(self.store().engine(), "$2")
                );
                let rows = crate::db::query(&sql)
                    .bind(now)
                    .bind(&sends)
                    .fetch_all(&mut *tx)
                    .await
                    .context("record attempts")?;
                for row in rows {
                    attempt_ids.insert(row.get("notification_id"), row.get("id"));
                }
            }
            for send in &planned {
                *used.entry(send.channel).or_default() += 1;
                if send.spends_credit
                    && let Some(leased) = &send.leased
                {
                    *credits
                        .entry((&leased.account_id, send.channel.code(), &send.target))
                        .or_default() += 1;
                }
            }
            if !credits.is_empty() {
                let credits: Vec<_> = credits
                    .into_iter()
                    .map(|((account, platform, template), count)| (account, platform, template, count))
                    .collect();
                crate::db::query(&format!(
                    "UPDATE push_credits SET credits = CASE WHEN credits > CAST(v.value ->> 3 AS BIGINT)
                       THEN credits - CAST(v.value ->> 3 AS BIGINT) ELSE 0 END
                     FROM {rows1} AS v
                     WHERE push_credits.account_id = v.value ->> 0
                       AND push_credits.platform = v.value ->> 1
                       AND push_credits.template_id = v.value ->> 2
                       AND push_credits.long_term = 0",
                    rows1 = crate::db::json_rows(self.store().engine(), "$1")
                ))
                .bind(json_rows(&credits))
                .execute(&mut *tx)
                .await
                .context("spend credits")?;
            }
            // In one order, or two instances' plans deadlock over the day's rows.
            let mut used: Vec<_> = used.into_iter().collect();
            used.sort_by_key(|(channel, _)| channel.code());
            for (channel, count) in used {
                crate::db::query(
                    "INSERT INTO push_quota (channel, day, used) VALUES ($1, $2, $3)
                     ON CONFLICT (channel, day) DO UPDATE SET used = push_quota.used + excluded.used",
                )
                .bind(channel.code())
                .bind(&day)
                .bind(count)
                .execute(&mut *tx)
                .await?;
            }
                Ok(attempt_ids)
            })
            .await
            .context("plan")?;
        for send in &mut planned {
            send.attempt_id = attempt_ids
                .get(&send.notification_id)
                .copied()
                .unwrap_or_default();
        }
        // cids not given out stay reserved for the next batch.
        if !cids.is_empty()
            && let Ok(mut pool) = self.inner.dispatch.cids.lock()
        {
            pool.extend(cids);
        }
        Ok(planned)
    }

    /// Daily quota left per channel with a provider daily cap.
    async fn quota_left(&self, day: &str) -> anyhow::Result<HashMap<Channel, u64>> {
        let config = &self.inner.config;
        let mut left = HashMap::new();
        for (channel, cap) in [
            (Channel::Wechat, config.wechat.pace().provider_daily_cap),
            (Channel::Alipay, config.alipay.pace().provider_daily_cap),
            (Channel::App, config.app.pace().provider_daily_cap),
        ] {
            if cap == 0 {
                continue;
            }
            let used: Option<i64> = crate::db::query_scalar(
                "SELECT used FROM push_quota WHERE channel = $1 AND day = $2",
            )
            .bind(channel.code())
            .bind(day)
            .fetch_optional(self.store().pool())
            .await?;
            let used = u64::try_from(used.unwrap_or(0)).unwrap_or(0);
            left.insert(channel, config.usable(cap).saturating_sub(used));
        }
        Ok(left)
    }

    /// Push-gateway cids from the local pool, reserving more when it runs short; fewer than
    /// asked when the gateway cannot be reached (those sends then fail as transient).
    async fn take_cids(&self, count: usize) -> Vec<String> {
        if count == 0 {
            return Vec::new();
        }
        let short = {
            let pool = self
                .inner
                .dispatch
                .cids
                .lock()
                .map(|p| p.len())
                .unwrap_or(0);
            count.saturating_sub(pool)
        };
        if short > 0 {
            let ask = u32::try_from(short.max(500)).unwrap_or(1000).min(1000);
            match self.inner.gateway.reserve_cids(ask).await {
                Ok(fresh) => {
                    if let Ok(mut pool) = self.inner.dispatch.cids.lock() {
                        pool.extend(fresh);
                    }
                }
                Err(err) => tracing::warn!(error = %err, "push gateway cids not reserved"),
            }
        }
        let Ok(mut pool) = self.inner.dispatch.cids.lock() else {
            return Vec::new();
        };
        let keep = pool.len().saturating_sub(count);
        pool.split_off(keep)
    }

    /// Writes the outcomes of one batch in one transaction: the attempts and the accepted
    /// rows in a few set-wide statements, the rarer retries and refusals one by one.
    async fn record(&self, owner: &str, outcomes: Vec<(Planned, Outcome)>) -> anyhow::Result<()> {
        let now = now_ms();
        let mut finished = Vec::with_capacity(outcomes.len());
        for (planned, outcome) in &outcomes {
            let (label, code, provider_ref) = outcome.labels();
            self.inner
                .counters
                .attempts
                .get_or_create(&AttemptLabels {
                    channel: planned.channel.code(),
                    outcome: label,
                })
                .inc();
            finished.push((planned.attempt_id, outcome.stored(), code, provider_ref));
        }
        let accepted: Vec<&str> = outcomes
            .iter()
            .filter(|(_, outcome)| matches!(outcome, Outcome::Accepted { .. }))
            .map(|(planned, _)| planned.notification_id.as_str())
            .collect();
        // Rows are locked in one order by every writer of the outbox (notifications, then
        // attempts, then credits and devices): two instances' transactions then wait for each
        // other instead of deadlocking (PostgreSQL breaks a deadlock only after a second).
        let batch: Vec<&str> = outcomes
            .iter()
            .map(|(planned, _)| planned.notification_id.as_str())
            .collect();
        let past_deadline = crate::db::transaction!(self.store().writer(), |tx| {
            lock_in_order(&mut *tx, self.store().engine(), &batch).await?;
            let mut past_deadline = 0u64;
            if !accepted.is_empty() {
                // Accepted is accepted: also when the lease ran out meanwhile and the row was
                // taken back but not taken again (queued, or in doubt for WeChat).
                crate::db::query(&format!(
                    "UPDATE notifications SET state = 'sent', finished_at = $1,
                       lease_owner = NULL, lease_until = NULL
                     WHERE (lease_owner = $2
                            OR (lease_owner IS NULL AND state IN ('queued', 'in_doubt')))
                       AND id IN (SELECT value FROM {texts3})",
                    texts3 = crate::db::json_texts(self.store().engine(), "$3")
                ))
                .bind(now)
                .bind(owner)
                .bind(json_rows(&accepted))
                .execute(&mut *tx)
                .await
                .context("mark sent")?;
            }
            for (planned, outcome) in &outcomes {
                let Some(leased) = &planned.leased else {
                    continue;
                };
                match outcome {
                    Outcome::Accepted { .. } => {}
                    Outcome::Transient { retry_after, .. } => {
                        let next = schedule::retry_at(
                            &self.inner.dispatch.backoff,
                            leased.attempts + 1,
                            now,
                            leased.deadline_at,
                        )
                        .map(|at| {
                            retry_after.map_or(at, |after| {
                                at.max(now + i64::try_from(after.as_millis()).unwrap_or(0))
                            })
                        });
                        match next {
                            Some(at) => requeue(&mut *tx, &leased.id, owner, at).await?,
                            None => {
                                end(&mut *tx, &leased.id, owner, "failed", "deadline", now).await?;
                                past_deadline += 1;
                            }
                        }
                    }
                    Outcome::Refused { .. } | Outcome::Permanent { .. } => {
                        requeue(&mut *tx, &leased.id, owner, now).await?;
                    }
                }
            }
            if !finished.is_empty() {
                crate::db::query(&format!(
                    "UPDATE notification_attempts SET finished_at = $1, outcome = v.value ->> 1,
                       code = v.value ->> 2, provider_ref = v.value ->> 3
                     FROM {rows2} AS v
                     WHERE notification_attempts.id = CAST(v.value ->> 0 AS BIGINT)",
                    rows2 = crate::db::json_rows(self.store().engine(), "$2")
                ))
                .bind(now)
                .bind(json_rows(&finished))
                .execute(&mut *tx)
                .await
                .context("finish attempts")?;
            }
            for (planned, outcome) in &outcomes {
                let Some(leased) = &planned.leased else {
                    continue;
                };
                match outcome {
                    Outcome::Accepted { .. } => {}
                    Outcome::Transient { .. } => {
                        if planned.spends_credit {
                            spend_credit(&mut *tx, &leased.account_id, planned, 1).await?;
                        }
                    }
                    Outcome::Refused { .. } => {
                        // The person's permission is gone: no credit left to spend.
                        crate::db::query(
                            "UPDATE push_credits SET credits = 0, updated_at = $1
                             WHERE account_id = $2 AND platform = $3 AND template_id = $4",
                        )
                        .bind(now / 1000)
                        .bind(&leased.account_id)
                        .bind(planned.channel.code())
                        .bind(&planned.target)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Outcome::Permanent { device_gone, .. } => {
                        if planned.spends_credit {
                            spend_credit(&mut *tx, &leased.account_id, planned, 1).await?;
                        }
                        if *device_gone {
                            crate::db::query("DELETE FROM push_devices WHERE registration_id = $1")
                                .bind(&planned.recipient)
                                .execute(&mut *tx)
                                .await?;
                        }
                    }
                }
            }
            Ok(past_deadline)
        })
        .await
        .context("record")?;
        if past_deadline > 0 {
            self.inner
                .counters
                .ended
                .get_or_create(&EndLabels {
                    state: "failed",
                    reason: "deadline".into(),
                })
                .inc_by(past_deadline);
        }
        Ok(())
    }

    /// Takes back rows whose lease ran out, and settles WeChat sends left in doubt.
    pub async fn recover(&self) -> anyhow::Result<Recovered> {
        let now = now_ms();
        let mut recovered = Recovered::default();
        let expired = crate::db::query(
            "SELECT n.id, n.account_id, a.id AS attempt_id, a.channel, a.target
             FROM notifications n
             LEFT JOIN notification_attempts a
               ON a.notification_id = n.id AND a.outcome = 'pending'
             WHERE n.state = 'sending' AND n.lease_until < $1
             ORDER BY n.id",
        )
        .bind(now)
        .fetch_all(self.store().pool())
        .await
        .context("expired leases")?;
        if !expired.is_empty() {
            let grace = i64::try_from(self.inner.config.in_doubt_grace_secs * 1000).unwrap_or(0);
            // Another instance may be taking the same rows back: each is taken only while
            // still `sending` under a lapsed lease, and its attempt marked only then.
            let ids: Vec<String> = expired.iter().map(|row| row.get("id")).collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let taken = crate::db::transaction!(self.store().writer(), |tx| {
                lock_in_order(&mut *tx, self.store().engine(), &ids).await?;
                let mut taken = 0u64;
                for row in &expired {
                    let id: String = row.get("id");
                    let attempt: Option<i64> = row.get("attempt_id");
                    let channel = row
                        .get::<Option<String>>("channel")
                        .and_then(|c| Channel::parse(&c));
                    let (state, due, reason) = match channel {
                        // Not sent yet, or sent with a cid the gateway will not deliver twice.
                        None | Some(Channel::App) => ("queued", now, None),
                        Some(Channel::Wechat) => ("in_doubt", now + grace, None),
                        // Alipay reports nothing: sending again could tell the person twice.
                        Some(Channel::Alipay) => ("sent", now, Some("in_doubt")),
                    };
                    let done = crate::db::query(
                        "UPDATE notifications SET state = $1, due_at = $2, end_reason = $3,
                           finished_at = CASE WHEN $4 = 'sent' THEN $5 END,
                           lease_owner = NULL, lease_until = NULL
                         WHERE id = $6 AND state = 'sending' AND lease_until < $7",
                    )
                    .bind(state)
                    .bind(due)
                    .bind(reason)
                    .bind(state)
                    .bind(now)
                    .bind(&id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        continue;
                    }
                    taken += 1;
                    if let Some(attempt) = attempt {
                        crate::db::query(
                            "UPDATE notification_attempts SET outcome = 'in_doubt', finished_at = $1
                             WHERE id = $2 AND outcome = 'pending'",
                        )
                        .bind(now)
                        .bind(attempt)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                Ok(taken)
            })
            .await
            .context("take back expired leases")?;
            recovered.expired = taken;
            if taken > 0 {
                tracing::warn!(
                    rows = taken,
                    "push: took back rows of a worker that stopped"
                );
            }
        }
        let (confirmed, requeued) = self.settle_in_doubt(now).await?;
        recovered.confirmed = confirmed;
        recovered.requeued = requeued;
        Ok(recovered)
    }

    /// A WeChat send left in doubt is delivered if WeChat reported a send to that person with
    /// that template, after the attempt started, that no other attempt accounts for.
    async fn settle_in_doubt(&self, now: i64) -> anyhow::Result<(u64, u64)> {
        let rows = crate::db::query(
            // Driven from the few in-doubt notifications (an index of their own), not from
            // the attempts, which grow with every message ever sent.
            "SELECT n.id, n.account_id, n.due_at, a.id AS attempt_id, a.target, a.started_at
         FROM notifications n
         JOIN notification_attempts a
           ON a.id = (SELECT x.id FROM notification_attempts x
                      WHERE x.notification_id = n.id AND x.outcome = 'in_doubt'
                      ORDER BY x.id DESC LIMIT 1)
         WHERE n.state = 'in_doubt'
         ORDER BY a.started_at",
        )
        .fetch_all(self.store().pool())
        .await
        .context("in-doubt sends")?;
        let (mut confirmed, mut requeued) = (0, 0);
        for row in rows {
            let id: String = row.get("id");
            let account: String = row.get("account_id");
            let target: String = row.get("target");
            let attempt: i64 = row.get("attempt_id");
            // Another instance may settle the same row at once: the notification is taken
            // first (the outbox's lock order), and only while still in doubt.
            let settled = crate::db::transaction!(self.store().writer(), |tx| {
                let receipt: Option<String> = crate::db::query_scalar(
                    "SELECT r.provider_ref FROM push_receipts r
                 WHERE r.channel = 'wechat' AND r.account_id = $1 AND r.target = $2
                   AND r.received_at >= $3
                   AND NOT EXISTS (SELECT 1 FROM notification_attempts x
                                   WHERE x.channel = 'wechat' AND x.provider_ref = r.provider_ref)
                 ORDER BY r.received_at LIMIT 1",
                )
                .bind(&account)
                .bind(&target)
                .bind(row.get::<i64>("started_at"))
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(provider_ref) = receipt {
                    let taken = crate::db::query(
                        "UPDATE notifications SET state = 'sent', finished_at = $1
                     WHERE id = $2 AND state = 'in_doubt'",
                    )
                    .bind(now)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                    if taken.rows_affected() == 0 {
                        return Ok(Settled::Elsewhere);
                    }
                    crate::db::query(
                        "UPDATE notification_attempts SET outcome = 'resolved', provider_ref = $1
                     WHERE id = $2",
                    )
                    .bind(provider_ref)
                    .bind(attempt)
                    .execute(&mut *tx)
                    .await?;
                    Ok(Settled::Confirmed)
                } else if row.get::<i64>("due_at") <= now {
                    // No sent event in the grace period: WeChat never took it. The credit the
                    // attempt reserved was not spent.
                    let taken = crate::db::query(
                        "UPDATE notifications SET state = 'queued', due_at = $1
                     WHERE id = $2 AND state = 'in_doubt'",
                    )
                    .bind(now)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                    if taken.rows_affected() == 0 {
                        return Ok(Settled::Elsewhere);
                    }
                    crate::db::query(
                    "UPDATE notification_attempts SET outcome = 'transient', code = 'unconfirmed'
                     WHERE id = $1",
                )
                .bind(attempt)
                .execute(&mut *tx)
                .await?;
                    crate::db::query(
                        "UPDATE push_credits SET credits = credits + 1
                     WHERE account_id = $1 AND platform = 'wechat' AND template_id = $2
                       AND long_term = 0",
                    )
                    .bind(&account)
                    .bind(&target)
                    .execute(&mut *tx)
                    .await?;
                    Ok(Settled::Requeued)
                } else {
                    Ok(Settled::Waiting)
                }
            })
            .await
            .context("settle an in-doubt send")?;
            match settled {
                Settled::Confirmed => confirmed += 1,
                Settled::Requeued => requeued += 1,
                Settled::Waiting | Settled::Elsewhere => {}
            }
        }
        Ok((confirmed, requeued))
    }
}

/// What settling one in-doubt send came to.
enum Settled {
    Confirmed,
    Requeued,
    /// Still within its grace period, no sent event yet.
    Waiting,
    /// Another instance settled it first.
    Elsewhere,
}

/// A channel's burst: a full bucket of a second's worth would let 2× the rate through in the
/// first second, past the provider's cap, so it is a twentieth of a second's worth and no
/// one-second window sees more than 1.05× the rate (within the headroom).
pub(super) fn burst(rate_per_sec: u32) -> u32 {
    (rate_per_sec / 20).max(1)
}

/// Rows as one JSON array, bound as a single parameter and read with `json_each`: the
/// statement's text stays the same whatever the batch holds, so SQLite prepares it once
/// (a `VALUES` list per row count is parsed anew each time, a cost measured while holding the
/// writer).
fn json_rows<T: serde::Serialize>(rows: &[T]) -> String {
    serde_json::to_string(rows).unwrap_or_else(|_| "[]".into())
}

/// Locks the notifications `ids` in id order on PostgreSQL, first thing in a transaction that
/// writes several of them: two instances' transactions over overlapping rows then wait for
/// each other instead of deadlocking (PostgreSQL breaks a deadlock only after a second, by
/// aborting one; `transaction!` would run it again, but the second is lost). SQLite's single
/// writer needs nothing.
async fn lock_in_order(
    tx: &mut crate::db::Tx,
    engine: crate::db::Engine,
    ids: &[&str],
) -> anyhow::Result<()> {
    if engine != crate::db::Engine::Postgres || ids.len() < 2 {
        return Ok(());
    }
    crate::db::query(
        "SELECT id FROM notifications
         WHERE id IN (SELECT value FROM jsonb_array_elements_text($1::jsonb))
         ORDER BY id FOR UPDATE",
    )
    .bind(json_rows(ids))
    .fetch_all(tx)
    .await
    .context("lock notifications")?;
    Ok(())
}

async fn spend_credit(
    tx: &mut crate::db::Tx,
    account_id: &str,
    planned: &Planned,
    delta: i64,
) -> anyhow::Result<()> {
    crate::db::query(
        "UPDATE push_credits SET credits = CASE WHEN credits + $1 > 0 THEN credits + $1 ELSE 0 END
         WHERE account_id = $2 AND platform = $3 AND template_id = $4 AND long_term = 0",
    )
    .bind(delta)
    .bind(account_id)
    .bind(planned.channel.code())
    .bind(&planned.target)
    .execute(&mut *tx)
    .await
    .context("credit")?;
    Ok(())
}

async fn requeue(tx: &mut crate::db::Tx, id: &str, owner: &str, due_at: i64) -> anyhow::Result<()> {
    crate::db::query(
        "UPDATE notifications SET state = 'queued', due_at = $1, lease_owner = NULL,
           lease_until = NULL WHERE id = $2 AND lease_owner = $3",
    )
    .bind(due_at)
    .bind(id)
    .bind(owner)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn end(
    tx: &mut crate::db::Tx,
    id: &str,
    owner: &str,
    state: &str,
    reason: &str,
    now: i64,
) -> anyhow::Result<()> {
    crate::db::query(
        "UPDATE notifications SET state = $1, end_reason = $2, finished_at = $3,
           lease_owner = NULL, lease_until = NULL WHERE id = $4 AND lease_owner = $5",
    )
    .bind(state)
    .bind(reason)
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The provider day, YYYY-MM-DD in Beijing time (WeChat's quotas reset at Beijing midnight).
fn beijing_day(now_ms: i64) -> String {
    let offset = schedule::zone_offset_ms("Asia/Shanghai");
    jiff::Timestamp::from_millisecond(now_ms + offset)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
