//! The provincial government-service platform, simulated: the implementation list (实施清单) of
//! the Ili Kazakh Autonomous Prefecture from `gov/seed/catalog.json`, request signatures checked
//! exactly as `upstream::gov::wire` specifies, and faults (outage, added latency) for tests.
//! The real-name check answers from a small population register of demo citizens
//! ([`citizens`]).

pub mod citizens;

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
    EndpointExt, Request, Response, Route, Server, get, handler,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    post,
    web::{Data, Path, Query},
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::upstream::gov::wire::{self, Envelope, Page, TaskItem};

pub use citizens::{DemoCitizen, demo_citizens};

const SEED_CATALOG: &str = include_str!("gov/seed/catalog.json");

/// Faults injected into every answer.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer every request with HTTP 503.
    pub outage: bool,
    /// Added before every answer.
    pub latency: Duration,
}

#[derive(Debug)]
struct SimState {
    app_key: String,
    secret: Vec<u8>,
    items: Vec<TaskItem>,
    faults: Mutex<Faults>,
    catalog_calls: AtomicU64,
    identity_calls: AtomicU64,
    nonces: Mutex<HashMap<String, i64>>,
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
    /// `app_key`/`secret`.
    pub async fn start(app_key: &str, secret: &SecretString) -> anyhow::Result<Self> {
        let state = Arc::new(SimState {
            app_key: app_key.to_string(),
            secret: secret.expose_secret().as_bytes().to_vec(),
            items: seed_catalog()?,
            faults: Mutex::new(Faults::default()),
            catalog_calls: AtomicU64::new(0),
            identity_calls: AtomicU64::new(0),
            nonces: Mutex::new(HashMap::new()),
        });
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("simulator has no address")?;
        let routes = Route::new()
            .at("/api/v1/health", get(health))
            .at("/api/v1/catalog/items", get(list_items))
            .at("/api/v1/catalog/items/:code", get(get_item))
            .at("/api/v1/identity/verify", post(citizens::verify))
            .data(state.clone());
        tokio::spawn(async move {
            if let Err(err) = Server::new_with_acceptor(acceptor).run(routes).await {
                tracing::error!(%err, "gov simulator stopped");
            }
        });
        Ok(Self { state, addr })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.state.faults) = faults;
    }

    /// Catalog requests answered so far (list pages and single items).
    pub fn catalog_calls(&self) -> u64 {
        self.state.catalog_calls.load(Ordering::SeqCst)
    }

    /// Real-name checks admitted so far (refused signatures are not counted).
    pub fn identity_calls(&self) -> u64 {
        self.state.identity_calls.load(Ordering::SeqCst)
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

/// Applies faults, then checks the signature (over `body` too when there is one), timestamp
/// and nonce.
async fn admit(state: &SimState, req: &Request, body: &[u8]) -> Result<(), Response> {
    let faults = lock(&state.faults).clone();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if faults.outage {
        return Err(answer::<()>(
            StatusCode::SERVICE_UNAVAILABLE,
            wire::CODE_INTERNAL,
            "系统维护中",
            None,
        ));
    }
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let refuse = |why: &str| {
        answer::<()>(
            StatusCode::UNAUTHORIZED,
            wire::CODE_BAD_SIGNATURE,
            why,
            None,
        )
    };
    let timestamp: i64 = header(wire::HEADER_TIMESTAMP)
        .parse()
        .map_err(|_| refuse("时间戳无效"))?;
    let now = jiff::Timestamp::now().as_second();
    if (now - timestamp).abs() > wire::MAX_CLOCK_SKEW_SECS {
        return Err(refuse("时间戳超出允许范围"));
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
        return Err(refuse("签名验证失败"));
    }
    let mut nonces = lock(&state.nonces);
    nonces.retain(|_, seen| now - *seen <= wire::MAX_CLOCK_SKEW_SECS);
    if nonces.insert(nonce.to_string(), now).is_some() {
        return Err(refuse("请求重复"));
    }
    Ok(())
}

#[handler]
async fn health(req: &Request, Data(state): Data<&Arc<SimState>>) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    answer(
        StatusCode::OK,
        wire::CODE_OK,
        "成功",
        Some(serde_json::json!({"status": "up"})),
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageQuery {
    page_no: Option<u32>,
    page_size: Option<u32>,
}

#[handler]
async fn list_items(
    req: &Request,
    Query(query): Query<PageQuery>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    state.catalog_calls.fetch_add(1, Ordering::SeqCst);
    let page_no = query.page_no.unwrap_or(1).max(1);
    let page_size = query.page_size.unwrap_or(20).clamp(1, 100);
    let list = state
        .items
        .iter()
        .skip(((page_no - 1) * page_size) as usize)
        .take(page_size as usize)
        .cloned()
        .collect();
    let page = Page {
        total: state.items.len() as u64,
        page_no,
        page_size,
        list,
    };
    answer(StatusCode::OK, wire::CODE_OK, "成功", Some(page))
}

#[handler]
async fn get_item(
    req: &Request,
    Path(code): Path<String>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    state.catalog_calls.fetch_add(1, Ordering::SeqCst);
    match state.items.iter().find(|item| item.task_code == code) {
        Some(item) => answer(StatusCode::OK, wire::CODE_OK, "成功", Some(item.clone())),
        None => answer::<()>(
            StatusCode::NOT_FOUND,
            wire::CODE_NOT_FOUND,
            "事项不存在",
            None,
        ),
    }
}
