//! Alipay's open platform gateway, simulated: `POST /gateway.do` with the real protocol
//! (`upstream::alipay::sign`): parameters in query and form body, RSA2 request signatures checked
//! with the app public key, GMT+8 timestamps within ±15 minutes, answers
//! `{"<method>_response":{…},"sign":"…"}` signed over the exact text written, with its own
//! "Alipay" key pair generated at start. The methods themselves live in `alipay/methods.rs`.
//!
//! Beyond the protocol it keeps call counters, injects faults (outage, latency, corrupt
//! signatures), mints auth codes for tests and demo logins, and signs notifications;
//! `alipay/subscriptions.rs` holds the message templates and users' subscriptions to them.

mod methods;
mod subscriptions;
#[cfg(test)]
mod tests;

pub use subscriptions::{APPLICATION_STATUS_TEMPLATE, BENEFIT_OFFER_TEMPLATE, SentTemplateMessage};

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use anyhow::Context;
use openssl::pkey::{PKey, Private, Public};
use poem::{
    EndpointExt, Request, Response, Route, Server, post,
    web::{Data, Form, Query},
};

use crate::upstream::alipay::sign;

/// Demo citizens' Alipay open_ids, stable across restarts so demo logins keep their accounts:
/// the first three of the gov simulator's demo citizens (`sim::gov::citizens`).
pub const DEMO_OPEN_IDS: &[&str] = &[
    "074TongbanDemoCitizen00000000000000000000000001",
    "074TongbanDemoCitizen00000000000000000000000002",
    "074TongbanDemoCitizen00000000000000000000000003",
];

/// The `2088…` user ids of the demo citizens whose app predates the open_id migration; the
/// others, like every new app's users, get an open_id only.
const DEMO_USER_IDS: &[(&str, &str)] = &[
    (
        "074TongbanDemoCitizen00000000000000000000000001",
        "2088102150477652",
    ),
    (
        "074TongbanDemoCitizen00000000000000000000000002",
        "2088102150477653",
    ),
];

/// Requests whose timestamp is further than this from the simulator's clock are refused.
const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Faults injected into every gateway answer.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer every admitted call with 20000 `isp.unknow-error`.
    pub outage: bool,
    /// Added before every answer.
    pub latency: Duration,
}

/// A running simulator; clones share it.
#[derive(Debug, Clone)]
pub struct AlipaySim {
    state: Arc<SimState>,
    addr: SocketAddr,
}

struct SimState {
    app_id: String,
    app_public_key: PKey<Public>,
    alipay_private_key: PKey<Private>,
    alipay_public_key: PKey<Public>,
    faults: Mutex<Faults>,
    corrupt_signatures: AtomicBool,
    /// Added to the clock that ages auth codes and tokens, so tests can expire them.
    clock_offset: Mutex<Duration>,
    auth_codes: Mutex<HashMap<String, methods::Grant>>,
    access_tokens: Mutex<HashMap<String, methods::Grant>>,
    /// Template id → number of keywords, as taken in the merchant platform.
    templates: Mutex<HashMap<String, usize>>,
    /// (user, template) → the user's subscription to it.
    subscriptions: Mutex<HashMap<(String, String), subscriptions::Subscription>>,
    /// Ids (open_ids and 2088 user ids) of users the platform knows: the demo citizens, anyone
    /// an auth code was minted for or who subscribed.
    users: Mutex<HashSet<String>>,
    sent: Mutex<Vec<SentTemplateMessage>>,
    calls: Mutex<HashMap<String, u64>>,
}

impl std::fmt::Debug for SimState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimState")
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl SimState {
    /// Now, as far as auth code and token lifetimes go.
    fn now(&self) -> jiff::Timestamp {
        let offset = *lock(&self.clock_offset);
        let now = jiff::Timestamp::now();
        jiff::SignedDuration::try_from(offset)
            .ok()
            .and_then(|offset| now.checked_add(offset).ok())
            .unwrap_or(now)
    }
}

impl AlipaySim {
    /// Starts the simulator on a free loopback port for the app `app_id`, whose requests must be
    /// signed with the private half of `app_public_key`.
    pub async fn start(app_id: &str, app_public_key: PKey<Public>) -> anyhow::Result<Self> {
        let (alipay_private_key, alipay_public_key) = sign::generate_key_pair()?;
        let state = Arc::new(SimState {
            app_id: app_id.to_string(),
            app_public_key,
            alipay_private_key,
            alipay_public_key,
            faults: Mutex::new(Faults::default()),
            corrupt_signatures: AtomicBool::new(false),
            clock_offset: Mutex::new(Duration::ZERO),
            auth_codes: Mutex::new(HashMap::new()),
            access_tokens: Mutex::new(HashMap::new()),
            templates: Mutex::new(subscriptions::default_templates()),
            subscriptions: Mutex::new(HashMap::new()),
            users: Mutex::new(subscriptions::demo_users()),
            sent: Mutex::new(Vec::new()),
            calls: Mutex::new(HashMap::new()),
        });
        let acceptor = crate::http::listener::bind("127.0.0.1:0").await?;
        let addr =
            crate::http::listener::socket_addr(&acceptor).context("simulator has no address")?;
        let routes = Route::new()
            .at("/gateway.do", post(gateway))
            .data(state.clone());
        tokio::spawn(async move {
            if let Err(err) = Server::new_with_acceptor(acceptor).run(routes).await {
                tracing::error!(%err, "alipay simulator stopped");
            }
        });
        Ok(Self { state, addr })
    }

    /// The URL to configure as `upstream.alipay.gateway_url`.
    pub fn gateway_url(&self) -> String {
        format!("http://{}/gateway.do", self.addr)
    }

    /// The simulator's "Alipay" public key, which verifies its answers and notifications.
    pub fn alipay_public_key(&self) -> PKey<Public> {
        self.state.alipay_public_key.clone()
    }

    /// [`Self::alipay_public_key`] as SPKI PEM, as it would be pasted into configuration.
    pub fn alipay_public_key_pem(&self) -> String {
        self.state
            .alipay_public_key
            .public_key_to_pem()
            .ok()
            .and_then(|pem| String::from_utf8(pem).ok())
            .unwrap_or_default()
    }

    /// A fresh single-use auth code for `open_id`, valid 3 minutes, as `my.getAuthCode` would
    /// hand the mini-program. Any open_id is accepted; [`DEMO_OPEN_IDS`] have profiles.
    pub fn mint_auth_code(&self, open_id: &str) -> String {
        let code = format!("{}", uuid::Uuid::new_v4().simple());
        let grant = methods::Grant::new(open_id, self.state.now(), methods::AUTH_CODE_LIFETIME);
        lock(&self.state.auth_codes).insert(code.clone(), grant);
        lock(&self.state.users).insert(open_id.to_string());
        code
    }

    /// Requests received naming `method`, whether or not they were admitted.
    pub fn calls(&self, method: &str) -> u64 {
        lock(&self.state.calls).get(method).copied().unwrap_or(0)
    }

    /// Replaces the faults injected into every later answer.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.state.faults) = faults;
    }

    /// Makes every later signed answer carry a signature over different text, as a tampered
    /// answer or a wrong Alipay public key would look to the client.
    pub fn set_corrupt_signatures(&self, corrupt: bool) {
        self.state
            .corrupt_signatures
            .store(corrupt, Ordering::SeqCst);
    }

    /// Moves the clock that ages auth codes and access tokens forward by `by`.
    pub fn advance_clock(&self, by: Duration) {
        *lock(&self.state.clock_offset) += by;
    }

    /// `form` as Alipay would post it as an asynchronous notification: with `sign_type=RSA2`
    /// and a V1 signature by the simulator's Alipay key.
    pub fn sign_notify(&self, form: &[(String, String)]) -> Vec<(String, String)> {
        let mut signed: Vec<(String, String)> = form
            .iter()
            .filter(|(key, _)| key != "sign" && key != "sign_type")
            .cloned()
            .collect();
        signed.push(("sign_type".into(), "RSA2".into()));
        let signature = sign::rsa2_sign(
            &self.state.alipay_private_key,
            &sign::notify_content_v1(&signed),
        )
        .unwrap_or_default();
        signed.push(("sign".into(), signature));
        signed
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The members of one `*_response` object, written in this order.
type Fields = Vec<(&'static str, serde_json::Value)>;

/// One gateway answer before it is written and signed.
#[derive(Debug)]
struct Reply {
    /// Under `error_response` instead of `<method>_response`.
    error: bool,
    fields: Fields,
    signed: bool,
    /// Write `/` as `\/` while signing the unescaped text: the mismatch Alipay's Java SDK
    /// works around by retrying verification without the escapes (smartwalle/alipay#21).
    escape_slashes: bool,
}

impl Reply {
    fn success(mut fields: Fields) -> Self {
        fields.splice(0..0, [("code", "10000".into()), ("msg", "Success".into())]);
        Self::signed(fields)
    }

    /// An answer with no code, as oauth.token writes its successes.
    fn signed(fields: Fields) -> Self {
        Self {
            error: false,
            fields,
            signed: true,
            escape_slashes: false,
        }
    }

    fn failure(code: &str, sub_code: &str, sub_msg: &str) -> Self {
        let msg = match code {
            "20000" => "Service Currently Unavailable",
            "20001" => "Insufficient Token Permissions",
            "40001" => "Missing Required Arguments",
            "40002" => "Invalid Arguments",
            _ => "Business Failed",
        };
        Self::signed(vec![
            ("code", code.into()),
            ("msg", msg.into()),
            ("sub_code", sub_code.into()),
            ("sub_msg", sub_msg.into()),
        ])
    }

    /// A gateway-level failure: under `error_response` and unsigned.
    fn gateway_error(code: &str, sub_code: &str, sub_msg: &str) -> Self {
        Self {
            error: true,
            signed: false,
            ..Self::failure(code, sub_code, sub_msg)
        }
    }
}

#[poem::handler]
async fn gateway(
    req: &Request,
    Query(query): Query<Vec<(String, String)>>,
    form: Option<Form<Vec<(String, String)>>>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let faults = lock(&state.faults).clone();
    if !faults.latency.is_zero() {
        crate::sim::delay::sleep(faults.latency).await;
    }
    let charset_in_query = query.iter().any(|(key, _)| key == "charset");
    let params: BTreeMap<String, String> = query
        .into_iter()
        .chain(form.map(|Form(pairs)| pairs).unwrap_or_default())
        .collect();
    let method = params.get("method").cloned().unwrap_or_default();
    if !method.is_empty() {
        *lock(&state.calls).entry(method.clone()).or_default() += 1;
    }
    tracing::debug!(method, path = %req.uri().path(), "alipay simulator call");
    let reply = match admit(state, &params, charset_in_query) {
        Err(refused) => refused,
        Ok(()) if faults.outage => Reply::failure("20000", "isp.unknow-error", "系统繁忙"),
        Ok(()) => methods::dispatch(state, &method, &params),
    };
    write(state, &method, reply)
}

/// The gateway's own checks, in its order, before any method runs.
fn admit(
    state: &SimState,
    params: &BTreeMap<String, String>,
    charset_in_query: bool,
) -> Result<(), Reply> {
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    if param("method").is_empty() {
        return Err(Reply::gateway_error(
            "40001",
            "isv.missing-method",
            "缺少方法名参数",
        ));
    }
    if param("app_id").is_empty() {
        return Err(Reply::gateway_error(
            "40001",
            "isv.missing-app-id",
            "缺少AppID参数",
        ));
    }
    if param("app_id") != state.app_id {
        return Err(Reply::gateway_error(
            "40002",
            "isv.invalid-app-id",
            "无效的AppID参数",
        ));
    }
    if !charset_in_query {
        return Err(Reply::gateway_error(
            "40002",
            "isv.invalid-signature",
            "验签出错，请确认charset参数放在了URL查询字符串中且各参数值使用charset参数指示的字符集编码",
        ));
    }
    if param("sign").is_empty() {
        return Err(Reply::gateway_error(
            "40001",
            "isv.missing-signature",
            "缺少签名参数",
        ));
    }
    if param("sign_type") != "RSA2" {
        return Err(Reply::gateway_error(
            "40002",
            "isv.invalid-signature-type",
            "无效的签名类型参数",
        ));
    }
    let timely = sign::parse_timestamp_gmt8(param("timestamp")).is_some_and(|sent| {
        jiff::Timestamp::now().duration_since(sent).unsigned_abs() <= MAX_CLOCK_SKEW
    });
    if !timely {
        return Err(Reply::gateway_error(
            "40002",
            "isv.invalid-timestamp",
            "非法的时间戳参数",
        ));
    }
    let content = sign::sign_content(params);
    if !sign::rsa2_verify(&state.app_public_key, &content, param("sign")) {
        return Err(Reply::gateway_error(
            "40002",
            "isv.invalid-signature",
            &format!(
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{content}"
            ),
        ));
    }
    Ok(())
}

/// Writes `reply` as the gateway does: the response object's text, then `sign` computed over
/// exactly that text.
fn write(state: &SimState, method: &str, reply: Reply) -> Response {
    let key = if reply.error {
        sign::ERROR_RESPONSE_KEY.to_string()
    } else {
        format!("{}_response", method.replace('.', "_"))
    };
    let members: Vec<String> = reply
        .fields
        .iter()
        .map(|(name, value)| format!("\"{name}\":{value}"))
        .collect();
    let text = format!("{{{}}}", members.join(","));
    let mut body = if reply.escape_slashes {
        format!("{{\"{key}\":{}", text.replace('/', "\\/"))
    } else {
        format!("{{\"{key}\":{text}")
    };
    if reply.signed {
        let covered = if state.corrupt_signatures.load(Ordering::SeqCst) {
            format!("{text} ")
        } else {
            text
        };
        let signature = sign::rsa2_sign(&state.alipay_private_key, &covered).unwrap_or_default();
        body.push_str(&format!(",\"sign\":\"{signature}\""));
    }
    body.push('}');
    Response::builder()
        .content_type("application/json;charset=utf-8")
        .body(body)
}
