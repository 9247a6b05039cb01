//! Message push (消息推送) from the simulated WeChat to the mini-program's server: the events a
//! real WeChat posts to the configured URL, in JSON plain mode (platform-apis.md §1.8). Each
//! POST carries `signature`, `timestamp` and `nonce` in the query, `signature` being the sha1 of
//! the sorted push token, timestamp and nonce (`upstream::wechat::crypto::signature`).
//!
//! Delivery is asynchronous, so the API call that caused an event answers at once: events go
//! into a queue drained by a background task, which delivers each on its own task. An event
//! is delivered until the receiver answers 2xx, at most [`MAX_TRIES`] times, each try with a
//! 5-second timeout and a pause between tries (5 s by default; tests shorten it).
//!
//! **UNVERIFIED**: the retry policy ("no answer within 5 s: WeChat drops the connection and
//! retries, three times in all" is documented for official-account messages; the same is
//! assumed here, with 4 tries meaning the first plus 3 retries); whether a non-2xx answer is
//! retried like a timeout; the pause between tries (not documented).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::mpsc;

use super::{WechatSim, lock};
use crate::upstream::wechat::crypto;

/// Tries per event: the first and three retries.
pub(super) const MAX_TRIES: u32 = 4;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_RETRY_PAUSE: Duration = Duration::from_secs(5);

/// What a pushed event is, for the counters tests read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EventKind {
    /// `subscribe_msg_sent_event`.
    Sent,
    /// Any other event (popup, change).
    Other,
}

#[derive(Debug)]
struct Settings {
    /// The message-push URL and its token; `None`: not configured, nothing is pushed.
    target: Option<(String, SecretString)>,
    retry_pause: Duration,
    timeout: Duration,
}

#[derive(Debug)]
struct Shared {
    settings: Mutex<Settings>,
    /// Events queued or being delivered.
    pending: AtomicUsize,
    acknowledged: AtomicU64,
    sent_acknowledged: AtomicU64,
    given_up: AtomicU64,
}

/// One event on its way, with the target that was configured when it was queued.
#[derive(Debug)]
struct Job {
    url: String,
    token: SecretString,
    kind: EventKind,
    body: String,
}

/// The queue of events and the counters of their delivery.
#[derive(Debug)]
pub(super) struct Pusher {
    queue: mpsc::UnboundedSender<Job>,
    shared: Arc<Shared>,
}

impl Pusher {
    /// Starts the background task that drains the queue; needs a Tokio runtime.
    pub(super) fn start() -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .build()
            .context("building the simulator's push client")?;
        let shared = Arc::new(Shared {
            settings: Mutex::new(Settings {
                target: None,
                retry_pause: DEFAULT_RETRY_PAUSE,
                timeout: DEFAULT_TIMEOUT,
            }),
            pending: AtomicUsize::new(0),
            acknowledged: AtomicU64::new(0),
            sent_acknowledged: AtomicU64::new(0),
            given_up: AtomicU64::new(0),
        });
        let (queue, mut jobs) = mpsc::unbounded_channel::<Job>();
        let worker_shared = shared.clone();
        tokio::spawn(async move {
            while let Some(job) = jobs.recv().await {
                tokio::spawn(deliver(job, worker_shared.clone(), http.clone()));
            }
        });
        Ok(Self { queue, shared })
    }

    /// Queues `message` for the configured URL; dropped when none is configured, as WeChat
    /// pushes nothing without a message-push configuration.
    pub(super) fn enqueue(&self, kind: EventKind, message: &Value) {
        let Some((url, token)) = lock(&self.shared.settings).target.clone() else {
            return;
        };
        self.shared.pending.fetch_add(1, Ordering::SeqCst);
        let job = Job {
            url,
            token,
            kind,
            body: message.to_string(),
        };
        if self.queue.send(job).is_err() {
            self.shared.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

async fn deliver(job: Job, shared: Arc<Shared>, http: reqwest::Client) {
    for attempt in 1..=MAX_TRIES {
        let timeout = lock(&shared.settings).timeout;
        if try_once(&http, &job, timeout).await {
            shared.acknowledged.fetch_add(1, Ordering::SeqCst);
            if job.kind == EventKind::Sent {
                shared.sent_acknowledged.fetch_add(1, Ordering::SeqCst);
            }
            break;
        }
        if attempt == MAX_TRIES {
            tracing::warn!(
                tries = MAX_TRIES,
                "wechat simulator gave up pushing an event"
            );
            shared.given_up.fetch_add(1, Ordering::SeqCst);
        } else {
            let pause = lock(&shared.settings).retry_pause;
            tokio::time::sleep(pause).await;
        }
    }
    // Last, so a test that sees nothing pending also sees the final counts.
    shared.pending.fetch_sub(1, Ordering::SeqCst);
}

/// One signed POST; true when the receiver answered 2xx.
async fn try_once(http: &reqwest::Client, job: &Job, timeout: Duration) -> bool {
    let timestamp = jiff::Timestamp::now().as_second().to_string();
    let nonce = (uuid::Uuid::new_v4().as_u128() % 10_000_000_000).to_string();
    let signature = crypto::signature(job.token.expose_secret(), &timestamp, &nonce);
    let outcome = http
        .post(&job.url)
        .query(&[
            ("signature", signature.as_str()),
            ("timestamp", timestamp.as_str()),
            ("nonce", nonce.as_str()),
        ])
        .header("content-type", "application/json")
        .body(job.body.clone())
        .timeout(timeout)
        .send()
        .await;
    match outcome {
        Ok(response) if response.status().is_success() => true,
        Ok(response) => {
            tracing::debug!(status = %response.status(), "push refused by the receiver");
            false
        }
        Err(err) => {
            tracing::debug!(error = %err.without_url(), "push did not reach the receiver");
            false
        }
    }
}

impl WechatSim {
    /// Configures message push (消息推送) to `url` in JSON plain mode, signed with `token`.
    /// Events are only pushed once a URL is set; events already queued keep their target.
    pub fn set_push_url(&self, url: &str, token: SecretString) {
        lock(&self.state.pusher.shared.settings).target = Some((url.to_string(), token));
    }

    /// The pause between two tries of one event (5 s by default).
    pub fn set_push_retry_pause(&self, pause: Duration) {
        lock(&self.state.pusher.shared.settings).retry_pause = pause;
    }

    /// How long one try waits for the receiver's answer (5 s, as WeChat).
    pub fn set_push_timeout(&self, timeout: Duration) {
        lock(&self.state.pusher.shared.settings).timeout = timeout;
    }

    /// `subscribe_msg_sent_event`s the receiver answered with 2xx.
    pub fn sent_events_acknowledged(&self) -> u64 {
        self.state
            .pusher
            .shared
            .sent_acknowledged
            .load(Ordering::SeqCst)
    }

    /// Pushed events of any kind the receiver answered with 2xx.
    pub fn push_events_acknowledged(&self) -> u64 {
        self.state.pusher.shared.acknowledged.load(Ordering::SeqCst)
    }

    /// Events abandoned after 4 tries without a 2xx answer.
    pub fn push_events_given_up(&self) -> u64 {
        self.state.pusher.shared.given_up.load(Ordering::SeqCst)
    }

    /// Events queued or still being delivered (retries included).
    pub fn pending_push_events(&self) -> usize {
        self.state.pusher.shared.pending.load(Ordering::SeqCst)
    }

    /// Waits until no event is pending, polling every 10 ms for at most `within`; false when
    /// some are still pending then.
    pub async fn push_settled(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while self.pending_push_events() > 0 {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }
}
