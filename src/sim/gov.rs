//! The provincial government-service platform, simulated: the implementation list (实施清单) of
//! the Ili Kazakh Autonomous Prefecture from `gov/seed/catalog.json` with its themes and "one
//! thing done once" bundles, the prefecture's halls with bookable slots, and demo people's
//! applications (办件), e-certificates (电子证照), ratings (好差评) and appointments (预约).
//! Request signatures are checked exactly as `upstream::gov::wire` specifies. Faults (outage,
//! added latency, a share of random errors) and call counters are kept per [`Resource`], so a
//! test can take one part of the platform down and see the others keep working.
//!
//! Layout: this file holds the server and admission (faults, signature, nonce); `catalog` and
//! `directory` serve the implementation list, themes, bundles and halls; [`citizens`] and
//! [`enterprises`] are the demo holders; `records` holds the personal records seeded by
//! `demo_applications` (with the step texts of `steps`), `certificates` and `appointments`,
//! which also serve them; `applications` serves 办件 and ratings, and `progress` moves an
//! application from status to status and pushes the change to Tongban; `facts` holds the
//! generated population of the prefecture and serves its facts for eligibility, which
//! [`events`] changes and announces to Tongban (事件推送).

mod applications;
mod appointments;
mod catalog;
mod certificates;

/// The simulated platform's benefit policies (`docs/benefits-rules.md` §1 format), which
/// Tongban publishes at start-up for the demo.
pub const SEED_POLICIES: &str = include_str!("gov/seed/policies.json");
pub mod citizens;
mod claims;
mod demo_applications;
mod directory;
pub mod enterprises;
pub mod events;
mod facts;
mod progress;
mod records;
#[cfg(test)]
mod seed_check;
mod steps;
#[cfg(test)]
mod tests;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context;
use poem::{
    EndpointExt, Request, Response, Route, Server, get, handler, http::StatusCode, post, web::Data,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, de::DeserializeOwned};

use crate::upstream::gov::wire::{self, Envelope, TaskItem};

pub use citizens::{DemoCitizen, demo_citizens};
pub use enterprises::{DemoEnterprise, demo_enterprises};
pub use events::Delivery;

const SEED_CATALOG: &str = include_str!("gov/seed/catalog.json");

/// The parts of the platform that fail independently, each with its own faults and counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Catalog items and themes.
    Catalog,
    Bundles,
    /// Halls and their slots.
    Halls,
    /// 办件: queries, submissions, supplements.
    Applications,
    Certificates,
    Ratings,
    Appointments,
    /// The real-name check.
    Identity,
    Health,
    /// Facts for eligibility (共享数据): people's and enterprises' facts and their id lists.
    Facts,
}

impl Resource {
    /// Every resource, in a stable order.
    pub const ALL: [Resource; 10] = [
        Resource::Catalog,
        Resource::Bundles,
        Resource::Halls,
        Resource::Applications,
        Resource::Certificates,
        Resource::Ratings,
        Resource::Appointments,
        Resource::Identity,
        Resource::Health,
        Resource::Facts,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// Which resource a request path belongs to; unknown paths count as the catalog.
    fn of_path(path: &str) -> Self {
        let rest = path.strip_prefix("/api/v1/").unwrap_or(path);
        match rest.split('/').next().unwrap_or_default() {
            "bundles" => Self::Bundles,
            "halls" => Self::Halls,
            // A benefit claim is filed like an application (办件).
            "applications" | "benefits" => Self::Applications,
            "certificates" => Self::Certificates,
            "ratings" => Self::Ratings,
            "appointments" => Self::Appointments,
            "identity" => Self::Identity,
            "health" => Self::Health,
            "facts" => Self::Facts,
            _ => Self::Catalog,
        }
    }
}

/// Faults injected into the answers of one resource.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer every request with HTTP 503.
    pub outage: bool,
    /// Added before every answer.
    pub latency: Duration,
    /// The share of requests (0.0–1.0) answered with HTTP 500 at random.
    pub error_rate: f64,
}

/// Nonces seen within the allowed clock skew, each with its timestamp (seconds).
#[derive(Debug, Default)]
struct Nonces {
    seen: HashMap<String, i64>,
    /// The second expired nonces were last forgotten.
    pruned_at: i64,
}

#[derive(Debug)]
struct SimState {
    app_key: String,
    secret: Vec<u8>,
    items: Vec<TaskItem>,
    directory: directory::Directory,
    faults: Mutex<[Faults; Resource::ALL.len()]>,
    /// Admitted requests per resource, except the real-name check, which `citizens::verify`
    /// counts itself in `identity_calls`.
    calls: [AtomicU64; Resource::ALL.len()],
    identity_calls: AtomicU64,
    nonces: Mutex<Nonces>,
    /// Every personal record behind one lock, so that a booking's capacity check and its
    /// insertion, or an idempotency check and its answer, are one atomic step.
    records: Mutex<records::Records>,
    /// The people and enterprises facts are served from; the life-event mutations change them.
    facts: Mutex<facts::Population>,
    /// Where life events go, once a test or the demo has set it.
    event_sink: Mutex<Option<events::EventSink>>,
    /// The client life events are delivered with.
    event_http: reqwest::Client,
}

/// A running simulator; clones share it.
#[derive(Debug, Clone)]
pub struct GovSim {
    state: Arc<SimState>,
    addr: SocketAddr,
}

/// The seed catalog, parsed. Fails if the embedded JSON is broken.
pub fn seed_catalog() -> anyhow::Result<Vec<TaskItem>> {
    let mut items: Vec<TaskItem> =
        serde_json::from_str(SEED_CATALOG).context("seed catalog is not valid")?;
    items.sort_by(|a, b| a.task_code.cmp(&b.task_code));
    Ok(items)
}

impl GovSim {
    /// Starts the simulator on a free loopback port, accepting requests signed with
    /// `app_key`/`secret`. Personal records are seeded relative to today.
    pub async fn start(app_key: &str, secret: &SecretString) -> anyhow::Result<Self> {
        let items = seed_catalog()?;
        let directory = directory::Directory::load()?;
        let now = records::now();
        let records = records::Records::seeded(&items, &directory, &now);
        let population = facts::Population::seeded(now.date());
        let state = Arc::new(SimState {
            app_key: app_key.to_string(),
            secret: secret.expose_secret().as_bytes().to_vec(),
            items,
            directory,
            faults: Mutex::new(Default::default()),
            calls: Default::default(),
            identity_calls: AtomicU64::new(0),
            nonces: Mutex::new(Nonces::default()),
            records: Mutex::new(records),
            facts: Mutex::new(population),
            event_sink: Mutex::new(None),
            event_http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .context("building the life-event client")?,
        });
        let acceptor = crate::http::listener::bind("127.0.0.1:0").await?;
        let addr =
            crate::http::listener::socket_addr(&acceptor).context("simulator has no address")?;
        let sim = Self {
            state: state.clone(),
            addr,
        };
        let routes = Route::new()
            .at("/api/v1/health", get(health))
            .at("/api/v1/catalog/items", get(catalog::list_items))
            .at("/api/v1/catalog/items/:code", get(catalog::get_item))
            .at("/api/v1/identity/verify", post(citizens::verify))
            .at("/api/v1/themes", get(directory::themes))
            .at("/api/v1/bundles", get(directory::bundles))
            .at("/api/v1/bundles/:code", get(directory::bundle))
            .at("/api/v1/halls", get(directory::halls))
            .at("/api/v1/halls/:hall_id/slots", get(appointments::slots))
            .at("/api/v1/appointments", post(appointments::book))
            .at("/api/v1/appointments/query", post(appointments::query))
            .at("/api/v1/appointments/cancel", post(appointments::cancel))
            .at("/api/v1/applications", post(applications::submit))
            .at("/api/v1/applications/query", post(applications::query))
            .at("/api/v1/applications/detail", post(applications::detail))
            .at(
                "/api/v1/applications/supplement",
                post(applications::supplement),
            )
            .at("/api/v1/ratings", post(applications::rate))
            .at("/api/v1/benefits/claims", post(claims::claim))
            .at("/api/v1/benefits/claims/query", post(claims::query))
            .at("/api/v1/certificates/query", post(certificates::query))
            .at("/api/v1/certificates/detail", post(certificates::detail))
            .at("/api/v1/facts/person", post(facts::person_query))
            .at("/api/v1/facts/person/batch", post(facts::person_batch))
            .at("/api/v1/facts/person/ids", post(facts::person_ids))
            .at("/api/v1/facts/enterprise", post(facts::enterprise_query))
            .at(
                "/api/v1/facts/enterprise/batch",
                post(facts::enterprise_batch),
            )
            .at("/api/v1/facts/enterprise/ids", post(facts::enterprise_ids))
            .at("/api/v1/demo/events/:kind", post(events::demo_event))
            .at(
                "/api/v1/demo/applications/:project_no/status",
                post(progress::demo_status),
            )
            .data(state)
            .data(sim.clone());
        tokio::spawn(async move {
            if let Err(err) = Server::new_with_acceptor(acceptor).run(routes).await {
                tracing::error!(%err, "gov simulator stopped");
            }
        });
        Ok(sim)
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sets the faults of one resource; the others keep theirs.
    pub fn set_faults(&self, resource: Resource, faults: Faults) {
        lock(&self.state.faults)[resource.index()] = faults;
    }

    /// Sets the same faults on every resource: the whole platform degrades at once.
    pub fn set_all_faults(&self, faults: Faults) {
        *lock(&self.state.faults) = std::array::from_fn(|_| faults.clone());
    }

    /// Requests of one resource admitted so far (faulted and refused ones are not counted).
    pub fn calls(&self, resource: Resource) -> u64 {
        match resource {
            Resource::Identity => self.state.identity_calls.load(Ordering::SeqCst),
            other => self.state.calls[other.index()].load(Ordering::SeqCst),
        }
    }

    /// Catalog requests answered so far (list pages, single items and themes).
    /// Moves a claim on (`accepted`, `paid`, `rejected`), as the paying department would.
    pub fn set_claim_status(&self, claim_id: &str, status: &str) -> bool {
        let mut records = lock(&self.state.records);
        match records
            .claims
            .iter_mut()
            .find(|record| record.receipt.claim_id == claim_id)
        {
            Some(record) => {
                record.receipt.status = status.to_owned();
                true
            }
            None => false,
        }
    }

    /// The benefit claims filed so far, oldest first.
    pub fn claims(&self) -> Vec<wire::BenefitClaimRecord> {
        lock(&self.state.records).claims.clone()
    }

    pub fn catalog_calls(&self) -> u64 {
        self.calls(Resource::Catalog)
    }

    /// Real-name checks admitted so far (refused signatures are not counted).
    pub fn identity_calls(&self) -> u64 {
        self.calls(Resource::Identity)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn answer<T: Serialize>(
    status: StatusCode,
    code: &str,
    message: &str,
    data: Option<T>,
) -> Response {
    let body = Envelope {
        code: code.to_string(),
        message: message.to_string(),
        data,
    };
    Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(serde_json::to_string(&body).unwrap_or_default())
}

/// A success envelope around `data`.
fn ok<T: Serialize>(data: T) -> Response {
    answer(StatusCode::OK, wire::CODE_OK, "成功", Some(data))
}

/// A refusal with the platform's code; messages never carry personal data.
fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    answer::<()>(status, code, message, None)
}

fn not_found(message: &str) -> Response {
    refuse(StatusCode::NOT_FOUND, wire::CODE_NOT_FOUND, message)
}

fn invalid(message: &str) -> Response {
    refuse(
        StatusCode::UNPROCESSABLE_ENTITY,
        wire::CODE_VALIDATION,
        message,
    )
}

fn conflict(message: &str) -> Response {
    refuse(StatusCode::CONFLICT, wire::CODE_CONFLICT, message)
}

/// A refusal decided by a check before any response is built (a `Response` is too large to
/// pass around in `Result`s).
#[derive(Debug, Clone, Copy)]
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
}

impl Refusal {
    fn invalid(message: &'static str) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: wire::CODE_VALIDATION,
            message,
        }
    }

    fn not_found(message: &'static str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: wire::CODE_NOT_FOUND,
            message,
        }
    }
}

impl From<Refusal> for Response {
    fn from(refusal: Refusal) -> Self {
        refuse(refusal.status, refusal.code, refusal.message)
    }
}

/// A uniformly random number in [0, 1), from 53 random bits so that 1.0 is never drawn.
fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    if openssl::rand::rand_bytes(&mut bytes).is_err() {
        return 0.0;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// Applies the faults of the request's resource, then checks the signature (over `body` too
/// when there is one), timestamp and nonce, and counts the admitted request.
async fn admit(state: &SimState, req: &Request, body: &[u8]) -> Result<(), Response> {
    let resource = Resource::of_path(req.uri().path());
    let faults = lock(&state.faults)[resource.index()].clone();
    if !faults.latency.is_zero() {
        crate::sim::delay::sleep(faults.latency).await;
    }
    if faults.outage {
        return Err(refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            wire::CODE_INTERNAL,
            "系统维护中",
        ));
    }
    if faults.error_rate > 0.0 && random_unit() < faults.error_rate {
        return Err(refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            wire::CODE_INTERNAL,
            "系统繁忙",
        ));
    }
    check_signature(state, req, body)
        .map_err(|why| refuse(StatusCode::UNAUTHORIZED, wire::CODE_BAD_SIGNATURE, why))?;
    if resource != Resource::Identity {
        state.calls[resource.index()].fetch_add(1, Ordering::SeqCst);
    }
    Ok(())
}

/// Why a request's signature, timestamp or nonce is refused.
fn check_signature(state: &SimState, req: &Request, body: &[u8]) -> Result<(), &'static str> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let timestamp: i64 = header(wire::HEADER_TIMESTAMP)
        .parse()
        .map_err(|_| "时间戳无效")?;
    let now = jiff::Timestamp::now().as_second();
    if (now - timestamp).abs() > wire::MAX_CLOCK_SKEW_SECS {
        return Err("时间戳超出允许范围");
    }
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let nonce = header(wire::HEADER_NONCE);
    let signed = wire::SignedRequest {
        app_key: &state.app_key,
        timestamp,
        nonce,
        method: req.method().as_str(),
        path_and_query,
        body,
    };
    if header(wire::HEADER_APP_KEY) != state.app_key
        || nonce.is_empty()
        || !signed.verify(&state.secret, header(wire::HEADER_SIGNATURE))
    {
        return Err("签名验证失败");
    }
    let mut nonces = lock(&state.nonces);
    // Forgetting expired nonces walks them all: once a second, not on every request (at a
    // thousand calls a second that walk was the simulator's largest cost).
    if nonces.pruned_at != now {
        nonces.pruned_at = now;
        nonces
            .seen
            .retain(|_, seen| now - *seen <= wire::MAX_CLOCK_SKEW_SECS);
    }
    if nonces.seen.insert(nonce.to_string(), now).is_some() {
        return Err("请求重复");
    }
    Ok(())
}

/// Admits a signed JSON POST and parses its body.
async fn admit_json<B: DeserializeOwned>(
    state: &SimState,
    req: &Request,
    body: &[u8],
) -> Result<B, Response> {
    admit(state, req, body).await?;
    serde_json::from_slice(body).map_err(|_| {
        refuse(
            StatusCode::BAD_REQUEST,
            wire::CODE_BAD_REQUEST,
            "请求参数错误",
        )
    })
}

#[handler]
async fn health(req: &Request, Data(state): Data<&Arc<SimState>>) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    ok(serde_json::json!({"status": "up"}))
}
