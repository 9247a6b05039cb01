//! Delivery receipts (回执): after accepting a push, the simulator posts the outcome on each
//! device to the sink set with [`PushSim::set_receipt_sink`], as one JSON array, from a
//! background task. Each body is signed (`X-Jpush-Signature`, HMAC-SHA256 with the sink's
//! secret) and carries JPush's documented callback credentials (`Authorization: Basic
//! base64(appKey:masterSecret)`); it is tried up to [`RECEIPT_ATTEMPTS`] times,
//! [`RECEIPT_RETRY_PAUSE`] apart, until the sink answers 2xx. **UNVERIFIED**: JPush does not
//! publish its receipt fields, and retries every 50 s in its VIP callback service; the pause is
//! short here so tests run fast. [`PushSim::settle_receipts`] waits for deliveries in flight.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use tokio::task::JoinHandle;

use super::{PushSim, SimState, lock};
use crate::upstream::push::wire::{self, Receipt};

/// How many times one receipt body is sent before the gateway drops it (JPush: 3).
pub const RECEIPT_ATTEMPTS: u32 = 3;
/// The pause between two tries of one body.
pub const RECEIPT_RETRY_PAUSE: Duration = Duration::from_millis(200);

/// Where receipts go and the key they are signed with.
#[derive(Debug, Clone)]
struct Sink {
    url: String,
    secret: SecretString,
}

/// The receipt side of the simulator's state.
#[derive(Debug)]
pub(super) struct Receipts {
    http: reqwest::Client,
    sink: Mutex<Option<Sink>>,
    /// Receipts the sink answered 2xx to, in the order acknowledged.
    acknowledged: Mutex<Vec<Receipt>>,
    /// POSTs made to the sink, retries included.
    attempts: AtomicU64,
    in_flight: Mutex<Vec<JoinHandle<()>>>,
}

impl Receipts {
    pub(super) fn new() -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .context("building the receipt HTTP client")?;
        Ok(Self {
            http,
            sink: Mutex::new(None),
            acknowledged: Mutex::new(Vec::new()),
            attempts: AtomicU64::new(0),
            in_flight: Mutex::new(Vec::new()),
        })
    }
}

impl PushSim {
    /// Posts the receipts of pushes accepted from now on to `url`, signed with `secret`;
    /// replaces any earlier sink. Without a sink no receipt is sent.
    pub fn set_receipt_sink(&self, url: impl Into<String>, secret: SecretString) {
        *lock(&self.state.receipts.sink) = Some(Sink {
            url: url.into(),
            secret,
        });
    }

    /// Every receipt the sink acknowledged (answered 2xx), in that order.
    pub fn receipts_acknowledged(&self) -> Vec<Receipt> {
        lock(&self.state.receipts.acknowledged).clone()
    }

    /// POSTs made to the receipt sink so far, retries included.
    pub fn receipt_attempts(&self) -> u64 {
        self.state.receipts.attempts.load(Ordering::SeqCst)
    }

    /// Waits until every receipt delivery started so far has been acknowledged or given up.
    pub async fn settle_receipts(&self) {
        loop {
            let pending: Vec<JoinHandle<()>> =
                lock(&self.state.receipts.in_flight).drain(..).collect();
            if pending.is_empty() {
                return;
            }
            for task in pending {
                if let Err(err) = task.await {
                    tracing::warn!(%err, "receipt delivery task failed");
                }
            }
        }
    }
}

/// Starts delivering one push's receipts in the background, if a sink is set.
pub(super) fn send(state: &Arc<SimState>, receipts: Vec<Receipt>) {
    let Some(sink) = lock(&state.receipts.sink).clone() else {
        return;
    };
    let state_for_task = Arc::clone(state);
    let task = tokio::spawn(async move {
        deliver(&state_for_task, &sink, receipts).await;
    });
    let mut in_flight = lock(&state.receipts.in_flight);
    in_flight.retain(|task| !task.is_finished());
    in_flight.push(task);
}

async fn deliver(state: &SimState, sink: &Sink, receipts: Vec<Receipt>) {
    let body = match serde_json::to_vec(&receipts) {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(%err, "encoding receipts");
            return;
        }
    };
    let signature = wire::receipt_signature(sink.secret.expose_secret(), &body);
    let authorization = wire::basic_authorization(&state.app_key, &state.master_secret);
    for attempt in 1..=RECEIPT_ATTEMPTS {
        if attempt > 1 {
            tokio::time::sleep(RECEIPT_RETRY_PAUSE).await;
        }
        state.receipts.attempts.fetch_add(1, Ordering::SeqCst);
        let answer = state
            .receipts
            .http
            .post(&sink.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::AUTHORIZATION, &authorization)
            .header(wire::HEADER_RECEIPT_SIGNATURE, &signature)
            .body(body.clone())
            .send()
            .await;
        match answer {
            Ok(response) if response.status().is_success() => {
                lock(&state.receipts.acknowledged).extend(receipts);
                return;
            }
            Ok(response) => {
                tracing::warn!(status = %response.status(), attempt, "receipts refused");
            }
            Err(err) => tracing::warn!(%err, attempt, "receipts not delivered"),
        }
    }
}
