//! The app push gateway, simulated on a loopback port with JPush REST API v3's wire shapes
//! (`docs/upstream-push.md`): HTTP Basic `appKey:masterSecret`, `POST /v3/push` and
//! `GET /v3/push/cid`, `{"error":{"code","message"}}` answers with JPush's codes and statuses,
//! `X-Rate-Limit-*` headers, cids that make a push idempotent for a day, and delivery receipts
//! posted to a sink.
//!
//! Layout: this file holds the state ([`World`], behind one mutex that is never held across an
//! await) and the control methods tests and demos use; `endpoints` holds the HTTP handlers,
//! `payload` reads a push object the way the gateway validates it, and `receipts` posts the
//! outcome of each accepted push to the sink set with [`PushSim::set_receipt_sink`]. The
//! simulator keeps its own clock, which [`PushSim::advance_clock`] moves forward, so tests can
//! expire cids without waiting.

mod endpoints;
mod payload;
mod receipts;
#[cfg(test)]
mod tests;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use anyhow::Context;
use poem::{EndpointExt, Route, Server, http::StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

use crate::upstream::push::wire::{self, DevicePlatform};
pub use receipts::{RECEIPT_ATTEMPTS, RECEIPT_RETRY_PAUSE};

/// How long a reserved cid stays usable (JPush: one day).
const CID_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Calls per second allowed until a test sets another cap: generous enough never to bite
/// unless asked to.
const DEFAULT_RATE_CAP: u64 = 10_000;

/// Faults injected into every answer.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer every request with HTTP 503 and code 1030 (内部服务超时).
    pub outage: bool,
    /// Added before every answer.
    pub latency: Duration,
    /// The share of requests (0.0–1.0) answered with HTTP 500 and code 1000 at random.
    pub error_rate: f64,
}

/// One push as one device got it (or would have): what tests count.
#[derive(Debug, Clone, PartialEq)]
pub struct PushRecord {
    /// The gateway's answer to the push.
    pub msg_id: String,
    pub registration_id: String,
    pub platform: DevicePlatform,
    /// `notification.android.title`, or the `title` of an iOS alert object.
    pub title: Option<String>,
    /// The text shown: the platform's `alert`, else `notification.alert`.
    pub alert: String,
    /// The platform's `extras`.
    pub extras: Map<String, Value>,
    /// The cid the push was sent with.
    pub cid: Option<String>,
    /// Whether it reached the device (false when the device was offline or uninstalled).
    pub delivered: bool,
    /// `options.time_to_live` (JPush's default is one day).
    pub time_to_live_secs: u64,
}

#[derive(Debug)]
struct Device {
    platform: DevicePlatform,
    online: bool,
    /// Cleared by [`PushSim::unregister_device`]: the gateway still knows the id, as JPush
    /// does until a device has been inactive for 255 days, but nothing reaches it.
    installed: bool,
}

/// What `type` a cid was reserved for: push cids do not work for schedules and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CidKind {
    Push,
    Schedule,
}

#[derive(Debug)]
struct Cid {
    kind: CidKind,
    issued_at: Instant,
    /// The first successful push with this cid: `(sendno, msg_id)`, answered again to repeats.
    first: Option<(String, String)>,
}

/// Everything the simulated gateway knows.
#[derive(Debug)]
struct World {
    clock_offset: Duration,
    devices: HashMap<String, Device>,
    cids: HashMap<String, Cid>,
    pushes: Vec<PushRecord>,
    calls: HashMap<String, u64>,
    next_msg_id: u64,
    /// Calls allowed per one-second window.
    rate_cap: u64,
    /// The current window: when it started and the calls it has admitted.
    window: (Instant, u64),
    /// Whether this app has JPush's VIP batch single push (`/v3/push/batch/regid/single`).
    batch_allowed: bool,
}

impl World {
    fn now(&self) -> Instant {
        Instant::now() + self.clock_offset
    }

    fn mint_msg_id(&mut self) -> String {
        self.next_msg_id += 1;
        self.next_msg_id.to_string()
    }
}

/// Where one call stands in the rate window; sent as the `X-Rate-Limit-*` headers.
#[derive(Debug, Clone, Copy)]
struct RateInfo {
    quota: u64,
    remaining: u64,
    reset_secs: u64,
}

/// An error answer: HTTP status, JPush code and message, and the `msg_id` JPush puts beside
/// the error of a push it had numbered (1011).
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    code: i64,
    message: String,
    msg_id: Option<String>,
}

impl Refusal {
    fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            msg_id: None,
        }
    }

    /// 1002, HTTP 400.
    fn missing(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 1002, message)
    }

    /// 1003, HTTP 400.
    fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 1003, message)
    }
}

#[derive(Debug)]
struct SimState {
    app_key: String,
    master_secret: String,
    faults: Mutex<Faults>,
    world: Mutex<World>,
    receipts: receipts::Receipts,
}

impl SimState {
    fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }
}

/// A running simulator; clones share it.
#[derive(Debug, Clone)]
pub struct PushSim {
    state: Arc<SimState>,
    addr: SocketAddr,
}

impl PushSim {
    /// Starts the simulator on a free loopback port for the app `app_key`, accepting
    /// `master_secret`, with no devices registered.
    pub async fn start(app_key: &str, master_secret: &SecretString) -> anyhow::Result<Self> {
        let state = Arc::new(SimState {
            app_key: app_key.to_string(),
            master_secret: master_secret.expose_secret().to_string(),
            faults: Mutex::new(Faults::default()),
            world: Mutex::new(World {
                clock_offset: Duration::ZERO,
                devices: HashMap::new(),
                cids: HashMap::new(),
                pushes: Vec::new(),
                calls: HashMap::new(),
                next_msg_id: 18_100_000_000_000_000,
                rate_cap: DEFAULT_RATE_CAP,
                window: (Instant::now(), 0),
                batch_allowed: true,
            }),
            receipts: receipts::Receipts::new()?,
        });
        let acceptor = crate::http::listener::bind("127.0.0.1:0").await?;
        let addr =
            crate::http::listener::socket_addr(&acceptor).context("simulator has no address")?;
        let routes = Route::new()
            .at("/v3/push", endpoints::send_push)
            .at("/v3/push/cid", endpoints::reserve_cids)
            .at(wire::BATCH_REGID_PATH, endpoints::send_batch)
            .data(state.clone());
        tokio::spawn(async move {
            if let Err(err) = Server::new_with_acceptor(acceptor).run(routes).await {
                tracing::error!(%err, "push gateway simulator stopped");
            }
        });
        Ok(Self { state, addr })
    }

    /// Where the simulated `api.jpush.cn` listens.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Registers a new device with the app installed and online, as the JPush SDK does on
    /// first start, and answers its registration id.
    pub fn register_device(&self, platform: DevicePlatform) -> String {
        // Shaped like JPush's: 19 lowercase hex digits starting with 1.
        let rid = format!("1{}", &uuid::Uuid::new_v4().simple().to_string()[..18]);
        self.state.world().devices.insert(
            rid.clone(),
            Device {
                platform,
                online: true,
                installed: true,
            },
        );
        rid
    }

    /// Takes a device offline (`true`) or back online: pushes to an offline device are
    /// accepted but not delivered, and its receipt says `offline`. Unknown ids are ignored.
    pub fn set_device_offline(&self, registration_id: &str, offline: bool) {
        if let Some(device) = self.state.world().devices.get_mut(registration_id) {
            device.online = !offline;
        }
    }

    /// The app was uninstalled: the gateway still accepts pushes to the id (JPush forgets a
    /// device only after 255 days of inactivity) but none is delivered, and receipts say
    /// `uninstalled`. Ids never registered answer 1011 instead.
    pub fn unregister_device(&self, registration_id: &str) {
        if let Some(device) = self.state.world().devices.get_mut(registration_id) {
            device.installed = false;
        }
    }

    /// Every accepted push addressed to the device, oldest first, delivered or not.
    pub fn pushes_to(&self, registration_id: &str) -> Vec<PushRecord> {
        let world = self.state.world();
        let to_device = world
            .pushes
            .iter()
            .filter(|push| push.registration_id == registration_id);
        to_device.cloned().collect()
    }

    /// Every accepted push on every device, oldest first.
    pub fn all_pushes(&self) -> Vec<PushRecord> {
        self.state.world().pushes.clone()
    }

    /// Requests received on `path` (`/v3/push`, `/v3/push/cid`), faults and errors included.
    pub fn calls(&self, path: &str) -> u64 {
        self.state.world().calls.get(path).copied().unwrap_or(0)
    }

    /// Replaces the faults applied to every request from now on.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.state.faults) = faults;
    }

    /// Calls per second the app may make before 2002/429 (default 10,000). The current window
    /// starts afresh.
    pub fn set_rate_cap(&self, per_second: u64) {
        let mut world = self.state.world();
        world.rate_cap = per_second;
        world.window = (world.now(), 0);
    }

    /// Grants or withdraws the VIP batch single push; without it the batch path answers
    /// 2006 (HTTP 403), as JPush does for other accounts. Granted by default.
    pub fn set_batch_allowed(&self, allowed: bool) {
        self.state.world().batch_allowed = allowed;
    }

    /// Moves the simulator's clock forward (cids age; nothing sleeps).
    pub fn advance_clock(&self, by: Duration) {
        self.state.world().clock_offset += by;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
