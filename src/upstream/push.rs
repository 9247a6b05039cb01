//! Client of the app push gateway, a JPush-REST-API-v3-shaped service (极光推送,
//! `docs/upstream-push.md`): reserving cids and sending one notification to one device.
//!
//! A cid (`{appkey}-{uuid}`, reserved with [`PushGatewayClient::reserve_cids`]) makes a push
//! idempotent: the gateway answers a repeated cid with the first push's result and does not
//! deliver again, so a caller that stores the cid with its outbox row may retry after a
//! timeout without a second notification. Every call goes through one helper,
//! `PushGatewayClient::request`, which maps JPush's `{"error":{"code","message"}}` answers and
//! HTTP statuses to [`PushGatewayError`] and logs the path, status, code and latency, never the
//! credentials, a registration id, a title or a body. `wire` holds the shared types, codes and
//! the receipt format the simulator uses too.

pub mod wire;

#[cfg(test)]
mod tests;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use futures_util::future::join_all;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::config::PushUpstreamConfig;
pub use wire::{
    DevicePlatform, MalformedReceipts, Receipt, ReceiptStatus, parse_receipts, receipt_signature,
    verify_receipt, verify_receipt_authorization,
};

/// What can go wrong when calling the gateway, as the dispatcher needs to tell it apart.
/// Texts carry JPush's message at most, with the device's registration id masked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushGatewayError {
    /// 2002 / HTTP 429: the app's call quota for the current window is spent; `retry_after`
    /// is the gateway's `X-Rate-Limit-Reset` when it sent one.
    #[error("rate limited by the push gateway")]
    RateLimited { retry_after: Option<Duration> },
    /// 1011: the gateway knows no such device (never registered, or inactive for more than
    /// 255 days); pushing to it again is pointless.
    #[error("the push gateway knows no such device")]
    NoSuchDevice,
    /// Any other 4xx: something in the push is wrong (1002, 1003, 1005 …); retrying the same
    /// push fails the same way.
    #[error("the push gateway refused the push: {code} {message}")]
    Rejected { code: i64, message: String },
    /// 1004 / HTTP 401, 2003, 2004: our app key, master secret or server IP is not accepted.
    #[error("the push gateway refused our credentials")]
    Unauthorized,
    /// HTTP 5xx, 1000, 1030, timeouts and connection errors: worth retrying later.
    #[error("the push gateway is unavailable: {0}")]
    Unavailable(String),
    /// An answer that fits none of the above.
    #[error("unexpected answer from the push gateway: {0}")]
    Protocol(String),
}

impl PushGatewayError {
    /// Whether the same call may succeed later: rate limits and outages. With a cid, retrying
    /// a push is safe even when the first try reached the gateway.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Unavailable(_))
    }
}

/// One notification to one device (推送): what the dispatcher hands over.
#[derive(Debug, Clone, PartialEq)]
pub struct AppPush {
    /// A cid from [`PushGatewayClient::reserve_cids`], kept with the outbox row so that
    /// retries of this push reuse it; `None` sends without idempotency.
    pub cid: Option<String>,
    /// The device's registration id (注册 ID), from the app.
    pub registration_id: String,
    /// Which notification object the device reads.
    pub platform: DevicePlatform,
    /// The notification's title, already localized.
    pub title: String,
    /// The notification's text (`alert`), already localized.
    pub body: String,
    /// Key/values the app reads when the notification is opened (the benefit to show, the
    /// outbox id …); sent as the platform's `extras`.
    pub extras: Map<String, Value>,
    /// How long the gateway keeps the push for a device that is offline; at most 10 days
    /// (longer values are shortened to that), 0 for online devices only.
    pub time_to_live_secs: u64,
}

/// A push the gateway accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushAccepted {
    /// The gateway's id of the push; receipts name it.
    pub msg_id: String,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    app_key: String,
    master_secret: SecretString,
    apns_production: bool,
    /// Whether to use the batch single push; cleared when the gateway refuses it.
    batch: AtomicBool,
}

/// The push gateway client; clones share one connection pool.
#[derive(Clone)]
pub struct PushGatewayClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for PushGatewayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushGatewayClient")
            .field("base_url", &self.inner.base_url)
            .field("app_key", &self.inner.app_key)
            .finish_non_exhaustive()
    }
}

/// `POST /v3/push` success: `{"sendno":"0","msg_id":"…"}`. The msg_id is a string in current
/// answers and a number in older ones.
#[derive(Deserialize)]
struct PushAnswer {
    msg_id: Value,
}

/// `GET /v3/push/cid` success.
#[derive(Deserialize)]
struct CidAnswer {
    cidlist: Vec<String>,
}

impl PushGatewayClient {
    /// A client of the gateway at `base_url` (JPush's `https://api.jpush.cn`, or the
    /// simulator's).
    pub fn new(config: &PushUpstreamConfig, base_url: String) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(Duration::from_millis(config.timeout_ms))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("tongban/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the push gateway HTTP client")?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url: base_url.trim_end_matches('/').to_string(),
                app_key: config.app_key.clone(),
                master_secret: config.master_secret.clone(),
                apns_production: config.apns_production,
                batch: AtomicBool::new(config.batch),
            }),
        })
    }

    /// Reserves `count` cids (1 to 1000) for pushes (`GET /v3/push/cid?count=n&type=push`).
    /// Each lives one day and makes one push idempotent.
    pub async fn reserve_cids(&self, count: u32) -> Result<Vec<String>, PushGatewayError> {
        let request = self
            .inner
            .http
            .get(self.url("/v3/push/cid"))
            .query(&[("count", count.to_string()), ("type", "push".to_string())]);
        let answer: CidAnswer = self.request("/v3/push/cid", request).await?;
        Ok(answer.cidlist)
    }

    /// Sends one notification to one device (`POST /v3/push`). A repeated cid answers the
    /// first push's msg_id without delivering again.
    pub async fn push(&self, push: &AppPush) -> Result<PushAccepted, PushGatewayError> {
        let request = self
            .inner
            .http
            .post(self.url("/v3/push"))
            .json(&self.push_body(push));
        let answer: PushAnswer = self
            .request("/v3/push", request)
            .await
            .map_err(|err| mask_device(err, &push.registration_id))?;
        msg_id_of(Some(&answer.msg_id))
    }

    /// Sends many notifications, each to its own device, in as few calls as the gateway
    /// allows: JPush's batch single push (批量单推, up to 1000 per call) while this account
    /// has it, else one `POST /v3/push` each, 64 at a time. One answer per push, in order.
    /// Pushes without a cid are sent alone (the batch call keys each push by its cid).
    pub async fn push_many(
        &self,
        pushes: &[AppPush],
    ) -> Vec<Result<PushAccepted, PushGatewayError>> {
        if self.inner.batch.load(Ordering::Relaxed)
            && pushes.len() > 1
            && pushes.iter().all(|push| push.cid.is_some())
        {
            let mut answers = Vec::with_capacity(pushes.len());
            for chunk in pushes.chunks(wire::MAX_BATCH) {
                match self.push_batch(chunk).await {
                    Ok(chunk_answers) => answers.extend(chunk_answers),
                    Err(PushGatewayError::Rejected { code, .. })
                        if code == wire::CODE_NOT_VIP || code == wire::CODE_NOT_GRANTED =>
                    {
                        tracing::warn!(
                            code,
                            "the push gateway refused batch single push to this account; sending one push per call from now on"
                        );
                        self.inner.batch.store(false, Ordering::Relaxed);
                        answers.extend(self.push_each(&pushes[answers.len()..]).await);
                        return answers;
                    }
                    Err(err) => answers.extend(chunk.iter().map(|_| Err(err.clone()))),
                }
            }
            return answers;
        }
        self.push_each(pushes).await
    }

    async fn push_each(&self, pushes: &[AppPush]) -> Vec<Result<PushAccepted, PushGatewayError>> {
        let mut answers = Vec::with_capacity(pushes.len());
        for chunk in pushes.chunks(64) {
            answers.extend(join_all(chunk.iter().map(|push| self.push(push))).await);
        }
        answers
    }

    /// One batch single push (`POST /v3/push/batch/regid/single`): every push keyed by its
    /// cid. `Err` when the call as a whole failed; else one answer per push, in order. A push
    /// the answer does not mention failed as a protocol error (retrying with its cid is safe).
    pub async fn push_batch(
        &self,
        pushes: &[AppPush],
    ) -> Result<Vec<Result<PushAccepted, PushGatewayError>>, PushGatewayError> {
        let mut list = Map::with_capacity(pushes.len());
        for push in pushes {
            let Some(cid) = &push.cid else {
                return Err(PushGatewayError::Protocol(
                    "a batch push without a cid".into(),
                ));
            };
            let mut body = self.push_body(push);
            if let Some(body) = body.as_object_mut() {
                body.remove("cid");
                body.remove("audience");
                body.insert("target".into(), json!(push.registration_id));
            }
            list.insert(cid.clone(), body);
        }
        let request = self
            .inner
            .http
            .post(self.url(wire::BATCH_REGID_PATH))
            .json(&json!({ "pushlist": list }));
        let mut answer: Map<String, Value> = self.request(wire::BATCH_REGID_PATH, request).await?;
        Ok(pushes
            .iter()
            .map(|push| {
                let cid = push.cid.as_deref().unwrap_or_default();
                let Some(entry) = answer.remove(cid) else {
                    return Err(PushGatewayError::Protocol(
                        "a batch answer without one of its pushes".into(),
                    ));
                };
                match serde_json::from_value::<ErrorAnswer>(entry.clone()) {
                    Ok(ErrorAnswer { error: Some(error) }) => Err(mask_device(
                        classify(reqwest::StatusCode::BAD_REQUEST, Some(error), None),
                        &push.registration_id,
                    )),
                    _ => msg_id_of(entry.get("msg_id")),
                }
            })
            .collect())
    }

    /// The push object: one platform, one registration id, that platform's notification.
    fn push_body(&self, push: &AppPush) -> Value {
        let notification = match push.platform {
            DevicePlatform::Android => json!({"android": {
                "alert": push.body,
                "title": push.title,
                "extras": push.extras,
            }}),
            DevicePlatform::Ios => json!({"ios": {
                "alert": {"title": push.title, "body": push.body},
                "sound": "default",
                "extras": push.extras,
            }}),
        };
        let mut options = json!({
            "time_to_live": push.time_to_live_secs.min(wire::MAX_TIME_TO_LIVE_SECS),
        });
        if push.platform == DevicePlatform::Ios {
            // JPush pushes to the APNs production environment when this is absent.
            options["apns_production"] = json!(self.inner.apns_production);
        }
        let mut body = json!({
            "platform": [push.platform.as_str()],
            "audience": {"registration_id": [push.registration_id]},
            "notification": notification,
            "options": options,
        });
        if let Some(cid) = &push.cid {
            body["cid"] = json!(cid);
        }
        body
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.base_url)
    }

    /// Sends one request with the Basic credentials, logs it, and maps the answer.
    async fn request<T: serde::de::DeserializeOwned>(
        &self,
        path: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, PushGatewayError> {
        let started = Instant::now();
        let sent = request
            .basic_auth(
                &self.inner.app_key,
                Some(self.inner.master_secret.expose_secret()),
            )
            .send()
            .await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                let err = transport_error(err);
                tracing::warn!(path, latency_ms, error = %err, "push gateway call failed");
                return Err(err);
            }
        };
        let status = response.status();
        let retry_after = header_secs(&response, wire::HEADER_RATE_RESET);
        let bytes = response.bytes().await.map_err(transport_error)?;
        let error = serde_json::from_slice::<ErrorAnswer>(&bytes)
            .ok()
            .and_then(|answer| answer.error);
        let code = error.as_ref().map_or(0, |error| error.code);
        tracing::info!(
            path,
            status = status.as_u16(),
            code,
            latency_ms,
            "push gateway call"
        );
        if status.is_success() && error.is_none() {
            return serde_json::from_slice(&bytes).map_err(|err| {
                PushGatewayError::Protocol(format!("{path}: {:?} error", err.classify()))
            });
        }
        Err(classify(status, error, retry_after))
    }
}

/// A push's `msg_id`: a string in current answers, a number in older ones.
fn msg_id_of(value: Option<&Value>) -> Result<PushAccepted, PushGatewayError> {
    let msg_id = match value {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => return Err(PushGatewayError::Protocol("push without a msg_id".into())),
    };
    Ok(PushAccepted { msg_id })
}

/// `{"error":{"code":…,"message":"…"}}`, sometimes with the push's `msg_id` beside it.
#[derive(Deserialize)]
struct ErrorAnswer {
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: i64,
    #[serde(default)]
    message: String,
}

fn classify(
    status: reqwest::StatusCode,
    error: Option<ErrorBody>,
    retry_after: Option<Duration>,
) -> PushGatewayError {
    let (code, message) = error.map_or((0, String::new()), |e| (e.code, e.message));
    match code {
        wire::CODE_RATE_LIMITED => return PushGatewayError::RateLimited { retry_after },
        wire::CODE_NO_AUDIENCE => return PushGatewayError::NoSuchDevice,
        wire::CODE_AUTH_FAILED | wire::CODE_BLACKLISTED | wire::CODE_IP_NOT_ALLOWED => {
            return PushGatewayError::Unauthorized;
        }
        wire::CODE_INTERNAL | wire::CODE_TIMEOUT => {
            return PushGatewayError::Unavailable(format!("HTTP {status}, code {code}"));
        }
        _ => {}
    }
    match status.as_u16() {
        429 => PushGatewayError::RateLimited { retry_after },
        401 => PushGatewayError::Unauthorized,
        500..=599 => PushGatewayError::Unavailable(format!("HTTP {status}, code {code}")),
        400..=499 if code != 0 => PushGatewayError::Rejected { code, message },
        _ => PushGatewayError::Protocol(format!("HTTP {status} without a JPush error")),
    }
}

fn header_secs(response: &reqwest::Response, name: &str) -> Option<Duration> {
    let secs: u64 = response
        .headers()
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs))
}

/// The URL is cut from reqwest's message; it carries nothing secret today, but the habit is
/// kept with the other clients.
fn transport_error(err: reqwest::Error) -> PushGatewayError {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "transport error"
    };
    PushGatewayError::Unavailable(format!("{kind}: {}", err.without_url()))
}

/// JPush names the registration id in some messages ("The registration_id … is invalid!");
/// a device id is personal data, so all but its first four characters are masked.
fn mask_device(err: PushGatewayError, registration_id: &str) -> PushGatewayError {
    match err {
        PushGatewayError::Rejected { code, message } if !registration_id.is_empty() => {
            let shown: String = registration_id.chars().take(4).collect();
            PushGatewayError::Rejected {
                code,
                message: message.replace(registration_id, &format!("{shown}…")),
            }
        }
        other => other,
    }
}
