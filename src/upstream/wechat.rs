//! Client of WeChat's mini-program server API (`api.weixin.qq.com`, platform-apis.md §1):
//! login (code2Session), the phone-number button, the v2 content check and one-time
//! subscription messages. The access token these need is kept by `token` (one refresh at a
//! time, passive refresh and one retry when WeChat rejects it); `crypto` opens and seals the
//! message-push callbacks; `subscribe` holds the template value rules ([`fit_value`]) and reads
//! the subscription events WeChat pushes ([`parse_subscribe_events`]).
//!
//! WeChat answers errors with HTTP 200 and `{errcode, errmsg}`; every call goes through one
//! helper, `WechatClient::request`, which maps them to [`WechatError`] and logs the path, the
//! errcode and the latency, never a token, secret, code, session key or phone number.

pub mod crypto;
pub mod subscribe;
mod token;
mod wire;

#[cfg(test)]
mod tests;

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::config::WechatUpstreamConfig;
pub use subscribe::{FieldKind, SubscribeEvent, fit_value, parse_subscribe_events, value_fits};
use token::{Clock, IssuedToken, TokenManager};
use wire::{PhoneAnswer, SecCheckAnswer, SendAnswer, SessionAnswer, TokenAnswer};
pub use wire::{PhoneInfo, SecScene, SecVerdict, SubscribeMessage, Suggest, WxSession};

/// What can go wrong when calling WeChat, as callers need to tell it apart. The texts carry
/// WeChat's errmsg at most, never personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WechatError {
    /// 40029: the login or phone code is unknown, expired or spent; the client must get a new one.
    #[error("the code is invalid or expired")]
    InvalidCode,
    /// 40163: the login code was already exchanged (often a double tap or a retried request).
    #[error("the code has already been used")]
    CodeUsed,
    /// 40226: WeChat blocks this user's login as high-risk.
    #[error("WeChat blocked this login as high-risk")]
    CodeBlocked,
    /// 45011 / 45009: minute or daily quota reached.
    #[error("rate limited by WeChat")]
    RateLimited,
    /// 43101: no subscription credit left for this user and template (never accepted, spent,
    /// or turned off in settings). Not worth retrying until the user accepts again.
    #[error("the user has not accepted this subscription message")]
    UserRefused,
    /// 40003: WeChat knows no such openid for this mini-program (or it is empty). Not worth
    /// retrying with the same openid.
    #[error("WeChat does not know this openid")]
    InvalidOpenid,
    /// 47003, 40037, 41030: something we sent is wrong (a template value, the template id,
    /// the page); WeChat's errmsg names it.
    #[error("WeChat refused an argument: {0}")]
    InvalidArgument(String),
    /// 40013, 40125, 40164, 48001 (and tokens rejected even after a refresh): our
    /// configuration is wrong.
    #[error("WeChat refused our credentials: {0}")]
    Unauthorized(String),
    /// -1, network errors, timeouts, HTTP 5xx: worth retrying later.
    #[error("WeChat is unavailable: {0}")]
    Unavailable(String),
    /// Anything unexpected.
    #[error("unexpected answer from WeChat: {0}")]
    Protocol(String),
}

impl WechatError {
    /// Whether the same call may succeed later unchanged: WeChat was down or slow
    /// ([`WechatError::Unavailable`]) or a quota was reached ([`WechatError::RateLimited`],
    /// worth a longer pause).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::RateLimited)
    }
}

/// A call's failure before the access-token rules have had their say.
enum Failure {
    /// 40001, 40014 or 42001: the access token was refused.
    TokenRejected(i64),
    Error(WechatError),
}

impl From<WechatError> for Failure {
    fn from(err: WechatError) -> Self {
        Failure::Error(err)
    }
}

impl Failure {
    fn into_error(self, context: &str) -> WechatError {
        match self {
            Failure::TokenRejected(errcode) => {
                WechatError::Unauthorized(format!("errcode {errcode} {context}"))
            }
            Failure::Error(err) => err,
        }
    }
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    app_id: String,
    app_secret: SecretString,
    tokens: TokenManager,
    token_fetches: AtomicU64,
}

/// The WeChat client; clones share one connection pool and one access token.
#[derive(Clone)]
pub struct WechatClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for WechatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatClient")
            .field("base_url", &self.inner.base_url)
            .field("app_id", &self.inner.app_id)
            .finish_non_exhaustive()
    }
}

impl WechatClient {
    /// A client of the API at `base_url` (WeChat's, or the simulator's), with no token yet:
    /// the first business call fetches one.
    pub fn new(config: &WechatUpstreamConfig, base_url: String) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(Duration::from_millis(config.timeout_ms))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("tongban/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the WeChat HTTP client")?;
        let margin = Duration::from_secs(config.token_refresh_margin_secs);
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url: base_url.trim_end_matches('/').to_string(),
                app_id: config.app_id.clone(),
                app_secret: config.app_secret.clone(),
                tokens: TokenManager::new(margin, Clock::default()),
                token_fetches: AtomicU64::new(0),
            }),
        })
    }

    /// Exchanges a `wx.login` code for the user's identity (`GET /sns/jscode2session`).
    pub async fn code2session(&self, js_code: &str) -> Result<WxSession, WechatError> {
        let request = self
            .inner
            .http
            .get(self.url("/sns/jscode2session"))
            .query(&[
                ("appid", self.inner.app_id.as_str()),
                ("secret", self.inner.app_secret.expose_secret()),
                ("js_code", js_code),
                ("grant_type", "authorization_code"),
            ]);
        let answer: SessionAnswer = self
            .request("/sns/jscode2session", request)
            .await
            .map_err(|failure| failure.into_error("from code2session"))?;
        if answer.openid.is_empty() {
            return Err(WechatError::Protocol("code2session without openid".into()));
        }
        Ok(WxSession {
            openid: answer.openid,
            unionid: answer.unionid.filter(|id| !id.is_empty()),
            session_key: answer.session_key.into(),
        })
    }

    /// The phone number behind a phone-number button `code`; with `openid`, WeChat also checks
    /// that the code was issued to that user.
    pub async fn phone_number(
        &self,
        code: &str,
        openid: Option<&str>,
    ) -> Result<PhoneInfo, WechatError> {
        let mut body = json!({"code": code});
        if let Some(openid) = openid {
            body["openid"] = json!(openid);
        }
        let answer: PhoneAnswer = self.call("/wxa/business/getuserphonenumber", &body).await?;
        let phone = answer.phone_info;
        if phone
            .watermark
            .is_some_and(|mark| mark.appid != self.inner.app_id)
        {
            return Err(WechatError::Protocol(
                "phone number watermarked for another appid".into(),
            ));
        }
        Ok(PhoneInfo {
            phone_number: phone.phone_number,
            pure_phone_number: phone.pure_phone_number,
            country_code: phone.country_code,
        })
    }

    /// msgSecCheck v2 of text `openid` wants to publish in `scene`.
    pub async fn msg_sec_check(
        &self,
        openid: &str,
        scene: SecScene,
        content: &str,
    ) -> Result<SecVerdict, WechatError> {
        let body = json!({
            "version": 2,
            "openid": openid,
            "scene": scene as u8,
            "content": content,
        });
        let answer: SecCheckAnswer = self.call("/wxa/msg_sec_check", &body).await?;
        Ok(SecVerdict {
            suggest: answer.result.suggest,
            label: answer.result.label,
            trace_id: answer.trace_id,
        })
    }

    /// Sends a one-time subscription message, spending the user's credit for its template.
    /// Returns WeChat's `msgid`.
    pub async fn send_subscribe_message(
        &self,
        message: &SubscribeMessage,
    ) -> Result<i64, WechatError> {
        let body = message.body();
        let answer: SendAnswer = self.call("/cgi-bin/message/subscribe/send", &body).await?;
        Ok(answer.msgid)
    }

    /// Shares the access token with the other instances on the same PostgreSQL: one of them
    /// refreshes it for all (see `token.rs`).
    pub fn share_tokens(
        &self,
        store: crate::store::Store,
        vault: crate::domain::identity::vault::Vault,
    ) {
        self.inner
            .tokens
            .share(token::SharedToken::new(store, vault, &self.inner.app_id));
    }

    /// Calls to the token endpoint made so far by this client (for tests).
    pub fn token_fetches(&self) -> u64 {
        self.inner.token_fetches.load(Ordering::SeqCst)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.base_url)
    }

    /// A business call with the access token; on 40001/40014/42001, one refresh and one retry.
    async fn call<T: DeserializeOwned>(
        &self,
        path: &'static str,
        body: &Value,
    ) -> Result<T, WechatError> {
        let fetch = |force| self.fetch_token(force);
        let token = self.inner.tokens.token(fetch).await?;
        match self.post_with_token(path, &token, body).await {
            Err(Failure::TokenRejected(errcode)) => {
                tracing::info!(path, errcode, "access token rejected; retrying once");
                let fresh = self
                    .inner
                    .tokens
                    .replace_rejected(token.expose_secret(), fetch)
                    .await?;
                self.post_with_token(path, &fresh, body)
                    .await
                    .map_err(|failure| failure.into_error("even with a fresh access token"))
            }
            outcome => outcome.map_err(|failure| failure.into_error("from WeChat")),
        }
    }

    async fn post_with_token<T: DeserializeOwned>(
        &self,
        path: &'static str,
        token: &SecretString,
        body: &Value,
    ) -> Result<T, Failure> {
        let request = self
            .inner
            .http
            .post(self.url(path))
            .query(&[("access_token", token.expose_secret())])
            .json(body);
        self.request(path, request).await
    }

    /// `POST /cgi-bin/stable_token`, normal mode unless `force`.
    async fn fetch_token(&self, force: bool) -> Result<IssuedToken, WechatError> {
        self.inner.token_fetches.fetch_add(1, Ordering::SeqCst);
        let body = json!({
            "grant_type": "client_credential",
            "appid": self.inner.app_id,
            "secret": self.inner.app_secret.expose_secret(),
            "force_refresh": force,
        });
        let request = self
            .inner
            .http
            .post(self.url("/cgi-bin/stable_token"))
            .json(&body);
        let answer: TokenAnswer = self
            .request("/cgi-bin/stable_token", request)
            .await
            .map_err(|failure| failure.into_error("from stable_token"))?;
        if answer.access_token.is_empty() {
            return Err(WechatError::Protocol("stable_token without a token".into()));
        }
        Ok(IssuedToken {
            token: answer.access_token.into(),
            expires_in: Duration::from_secs(answer.expires_in),
        })
    }

    /// Sends one request, logs it, and maps WeChat's answer.
    async fn request<T: DeserializeOwned>(
        &self,
        path: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, Failure> {
        let started = Instant::now();
        let answer = read_answer(request).await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let body = match answer {
            Ok(body) => body,
            Err(err) => {
                tracing::warn!(path, latency_ms, error = %err, "WeChat call failed");
                return Err(err.into());
            }
        };
        let errcode = body.get("errcode").and_then(Value::as_i64).unwrap_or(0);
        tracing::info!(path, errcode, latency_ms, "WeChat call");
        if errcode != 0 {
            let errmsg = body.get("errmsg").and_then(Value::as_str).unwrap_or("");
            return Err(classify(errcode, errmsg));
        }
        serde_json::from_value(body)
            .map_err(|err| WechatError::Protocol(format!("{path}: {}", shape_error(&err))).into())
    }
}

async fn read_answer(request: reqwest::RequestBuilder) -> Result<Value, WechatError> {
    let response = request.send().await.map_err(transport_error)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(transport_error)?;
    if status.is_server_error() {
        return Err(WechatError::Unavailable(format!("HTTP {status}")));
    }
    if !status.is_success() {
        return Err(WechatError::Protocol(format!("HTTP {status}")));
    }
    match serde_json::from_slice(&bytes) {
        Ok(body @ Value::Object(_)) => Ok(body),
        _ => Err(WechatError::Protocol(
            "the answer is not a JSON object".into(),
        )),
    }
}

/// The request URL carries the secret, the code or the token, so it is cut from the message.
fn transport_error(err: reqwest::Error) -> WechatError {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "transport error"
    };
    WechatError::Unavailable(format!("{kind}: {}", err.without_url()))
}

/// Serde's type errors quote the offending value, which may be a phone number or a key, so
/// only "missing field" messages (which quote a field name) are kept.
fn shape_error(err: &serde_json::Error) -> String {
    let text = err.to_string();
    if text.starts_with("missing field") {
        text
    } else {
        "a field has an unexpected type or value".into()
    }
}

fn classify(errcode: i64, errmsg: &str) -> Failure {
    let error = match errcode {
        40001 | 40014 | 42001 => return Failure::TokenRejected(errcode),
        40029 => WechatError::InvalidCode,
        40163 => WechatError::CodeUsed,
        40226 => WechatError::CodeBlocked,
        45009 | 45011 => WechatError::RateLimited,
        43101 => WechatError::UserRefused,
        40003 => WechatError::InvalidOpenid,
        47003 | 40037 | 41030 => WechatError::InvalidArgument(errmsg.to_string()),
        40013 | 40125 | 40164 | 48001 => {
            WechatError::Unauthorized(format!("errcode {errcode}: {errmsg}"))
        }
        -1 => WechatError::Unavailable(format!("errcode -1: {errmsg}")),
        _ => WechatError::Protocol(format!("errcode {errcode}: {errmsg}")),
    };
    Failure::Error(error)
}
