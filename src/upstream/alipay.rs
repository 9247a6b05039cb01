//! Client of Alipay's open platform gateway (`gateway.do`, protocol v2 with RSA2 signatures; the
//! rules live in [`sign`]). Each call is a form POST: protocol parameters in the URL query (the
//! gateway insists on `charset` there), API parameters in the body, everything signed with the
//! app private key. Each answer is verified with Alipay's public key over the raw `*_response`
//! text, and that same text is what gets parsed.
//!
//! Template (subscription) messages fail with 40004 and a `sub_code` the caller classifies
//! with [`AlipayError::is_subscription_gone`], [`AlipayError::is_unknown_user`],
//! [`AlipayError::is_invalid_argument`] and [`AlipayError::is_transient`]; the codes are in
//! [`template_codes`]. Alipay sends no delivery result for template messages (nothing found in
//! the SDKs or docs): a 10000 answer is all the caller learns, and subscription state can only
//! be polled (`alipay.open.app.messagetemplate.subscribe.query`, not implemented).

pub mod sign;

pub mod template_codes;

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use anyhow::Context;
use openssl::pkey::{PKey, Private, Public};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, de::DeserializeOwned};

use crate::config::AlipayUpstreamConfig;

const METHOD_OAUTH_TOKEN: &str = "alipay.system.oauth.token";
const METHOD_USER_INFO: &str = "alipay.user.info.share";
const METHOD_TEMPLATE_MESSAGE: &str = "alipay.open.app.mini.templatemessage.send";

const CODE_SUCCESS: &str = "10000";
const CODE_UNAVAILABLE: &str = "20000";
const CODE_TOKEN_REFUSED: &str = "20001";
const SUB_CODE_INVALID_SIGNATURE: &str = "isv.invalid-signature";
const SUB_CODE_CODE_INVALID: &str = "isv.code-invalid";

/// Parameters whose values may appear in logs and errors when the gateway echoes its
/// string-to-sign; every other value (auth codes, tokens, biz_content) is hidden.
const ECHO_SAFE_PARAMS: &[&str] = &[
    "app_id",
    "charset",
    "format",
    "grant_type",
    "method",
    "sign_type",
    "timestamp",
    "version",
];

/// What can go wrong when calling Alipay, as callers need to tell it apart. Display texts
/// never carry tokens, auth codes or personal data.
#[derive(Debug, thiserror::Error)]
pub enum AlipayError {
    /// The auth code is unknown, used or expired (40002 `isv.code-invalid`): ask the user again.
    #[error("the auth code was refused")]
    CodeInvalid,
    /// The user's access token is invalid or expired (20001).
    #[error("the user's auth token was refused")]
    InvalidAuthToken,
    /// The gateway refused our request signature (40002 `isv.invalid-signature`): wrong key
    /// pair or charset. Holds the gateway's string-to-sign with secret values hidden.
    #[error("the gateway refused our request signature: {0}")]
    InvalidSignature(String),
    /// The answer's `sign` did not verify with Alipay's public key (tampering or a wrong key).
    #[error("the response signature did not verify")]
    BadResponseSignature,
    /// A business failure (40004 and other codes) the caller may explain to the user.
    #[error("Alipay refused the call: {sub_code} {sub_msg}")]
    Business { sub_code: String, sub_msg: String },
    /// 20000, network failures, timeouts and 5xx: worth retrying later.
    #[error("Alipay is unavailable: {0}")]
    Unavailable(String),
    /// An answer that does not follow the protocol (unparseable, missing fields, HTTP 4xx).
    #[error("unexpected answer from Alipay: {0}")]
    Protocol(String),
}

impl AlipayError {
    /// The user no longer holds a subscription to the template: do not retry until they
    /// subscribe again ([`template_codes::NOT_SUBSCRIBED`]).
    pub fn is_subscription_gone(&self) -> bool {
        self.sub_code() == Some(template_codes::NOT_SUBSCRIBED)
    }

    /// The recipient is not a user of the app ([`template_codes::USER_NOT_EXIST`]).
    pub fn is_unknown_user(&self) -> bool {
        self.sub_code() == Some(template_codes::USER_NOT_EXIST)
    }

    /// Alipay refused what we sent (template id, keywords, lengths, parameters): retrying the
    /// same message cannot succeed. Any business refusal that is neither a missing
    /// subscription nor an unknown user counts.
    pub fn is_invalid_argument(&self) -> bool {
        matches!(self, Self::Business { .. })
            && !self.is_subscription_gone()
            && !self.is_unknown_user()
    }

    /// Alipay was unavailable (20000, network failure, timeout, 5xx): the same call may
    /// succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    fn sub_code(&self) -> Option<&str> {
        match self {
            Self::Business { sub_code, .. } => Some(sub_code),
            _ => None,
        }
    }
}

/// A user's identity and access token from `alipay.system.oauth.token`.
#[derive(Debug, Clone)]
pub struct OauthToken {
    /// App-scoped user id; the only id new apps receive.
    pub open_id: Option<String>,
    /// The `2088…` user id, only for apps created before the open_id migration.
    pub user_id: Option<String>,
    /// Sent as `auth_token` to read the user's profile.
    pub access_token: SecretString,
    /// Seconds `access_token` stays valid.
    pub expires_in: i64,
    /// Renews `access_token` without asking the user again.
    pub refresh_token: SecretString,
}

/// The user's profile from `alipay.user.info.share`.
#[derive(Clone)]
pub struct UserInfo {
    /// App-scoped user id, as in [`OauthToken::open_id`].
    pub open_id: Option<String>,
    /// The `2088…` user id, for apps from before the open_id migration.
    pub user_id: Option<String>,
    /// Absent when the user never set one.
    pub nick_name: Option<String>,
    /// Whether Alipay has verified the user's real-name identity (实名认证).
    pub is_certified: Option<bool>,
    /// `"1"` company, `"2"` person.
    pub user_type: Option<String>,
}

impl std::fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInfo")
            .field("open_id", &self.open_id)
            .field("user_id", &self.user_id)
            .field("is_certified", &self.is_certified)
            .field("user_type", &self.user_type)
            .finish_non_exhaustive()
    }
}

/// The gateway client; clones share one connection pool and the keys.
#[derive(Clone)]
pub struct AlipayClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    gateway_url: String,
    app_id: String,
    app_private_key: PKey<Private>,
    alipay_public_key: PKey<Public>,
}

impl std::fmt::Debug for AlipayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlipayClient")
            .field("gateway_url", &self.inner.gateway_url)
            .field("app_id", &self.inner.app_id)
            .finish_non_exhaustive()
    }
}

/// The fields every `*_response` carries on failure (and on most successes).
#[derive(Debug, Deserialize)]
struct Outcome {
    code: Option<String>,
    #[serde(default)]
    msg: String,
    sub_code: Option<String>,
    #[serde(default)]
    sub_msg: String,
}

#[derive(Deserialize)]
struct OauthTokenWire {
    open_id: Option<String>,
    user_id: Option<String>,
    access_token: String,
    expires_in: Seconds,
    refresh_token: String,
}

/// `expires_in` is documented and sent as a string; a number is tolerated too.
#[derive(Deserialize)]
#[serde(untagged)]
enum Seconds {
    Text(String),
    Number(i64),
}

#[derive(Deserialize)]
struct UserInfoWire {
    open_id: Option<String>,
    user_id: Option<String>,
    nick_name: Option<String>,
    is_certified: Option<String>,
    user_type: Option<String>,
}

impl AlipayClient {
    /// A client of the gateway at `gateway_url`, signing with `app_private_key` and trusting
    /// answers signed by `alipay_public_key` (Alipay's key, not the app's public key).
    pub fn new(
        config: &AlipayUpstreamConfig,
        gateway_url: String,
        app_private_key: PKey<Private>,
        alipay_public_key: PKey<Public>,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(Duration::from_millis(config.timeout_ms))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("tongban/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the Alipay HTTP client")?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                gateway_url,
                app_id: config.app_id.clone(),
                app_private_key,
                alipay_public_key,
            }),
        })
    }

    /// Exchanges a mini-program auth code (`my.getAuthCode`) for the user's ids and token.
    pub async fn oauth_token(&self, auth_code: &str) -> Result<OauthToken, AlipayError> {
        let params = [
            ("grant_type", "authorization_code".to_string()),
            ("code", auth_code.to_string()),
        ];
        let wire: OauthTokenWire = self.call(METHOD_OAUTH_TOKEN, None, &params).await?;
        let expires_in = match wire.expires_in {
            Seconds::Number(seconds) => seconds,
            Seconds::Text(text) => text
                .trim()
                .parse()
                .map_err(|_| AlipayError::Protocol("expires_in is not a number".into()))?,
        };
        Ok(OauthToken {
            open_id: wire.open_id.filter(|id| !id.is_empty()),
            user_id: wire.user_id.filter(|id| !id.is_empty()),
            access_token: SecretString::from(wire.access_token),
            expires_in,
            refresh_token: SecretString::from(wire.refresh_token),
        })
    }

    /// The profile of the user holding `auth_token` (needs the `auth_user` scope).
    pub async fn user_info(&self, auth_token: &SecretString) -> Result<UserInfo, AlipayError> {
        let wire: UserInfoWire = self.call(METHOD_USER_INFO, Some(auth_token), &[]).await?;
        Ok(UserInfo {
            open_id: wire.open_id,
            user_id: wire.user_id,
            nick_name: wire.nick_name,
            is_certified: wire.is_certified.map(|flag| flag == "T"),
            user_type: wire.user_type,
        })
    }

    /// Sends a mini-program template (subscription) message to `to_user` (the `to_user_id`
    /// field; Alipay documents a 2088 user id, the simulator also takes open_ids). `data` maps
    /// `keyword1..N` to values of at most 50 characters, exactly the template's keywords;
    /// Alipay wants it as a JSON string inside `biz_content`. `page` is the mini-program page a
    /// tap opens, query included. Failures: see the `is_*` methods of [`AlipayError`].
    pub async fn send_template_message(
        &self,
        to_user: &str,
        template_id: &str,
        page: &str,
        data: &BTreeMap<String, String>,
    ) -> Result<(), AlipayError> {
        let keywords: BTreeMap<&str, serde_json::Value> = data
            .iter()
            .map(|(key, value)| (key.as_str(), serde_json::json!({ "value": value })))
            .collect();
        let data = serde_json::to_string(&keywords)
            .map_err(|err| AlipayError::Protocol(format!("encoding data: {err}")))?;
        let biz_content = serde_json::json!({
            "to_user_id": to_user,
            "user_template_id": template_id,
            "page": page,
            "data": data,
        });
        let params = [("biz_content", biz_content.to_string())];
        self.call::<serde::de::IgnoredAny>(METHOD_TEMPLATE_MESSAGE, None, &params)
            .await
            .map(|_| ())
    }

    /// Whether an asynchronous notification (form fields as received, decoded once) really
    /// comes from Alipay; V1 rules first, then V2.
    pub fn verify_notify(&self, form: &[(String, String)]) -> bool {
        sign::verify_notify(&self.inner.alipay_public_key, form)
    }

    /// Signs and sends one gateway call, then verifies and parses its `*_response`.
    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        auth_token: Option<&SecretString>,
        api_params: &[(&str, String)],
    ) -> Result<T, AlipayError> {
        let started = std::time::Instant::now();
        let result = self.exchange(method, auth_token, api_params).await;
        let latency_ms = started.elapsed().as_millis();
        match &result {
            Ok(_) => tracing::info!(method, latency_ms, "alipay call succeeded"),
            // A refused code, token or message is the user's or the caller's business.
            Err(
                err @ (AlipayError::CodeInvalid
                | AlipayError::InvalidAuthToken
                | AlipayError::Business { .. }),
            ) => tracing::info!(method, latency_ms, error = %err, "alipay refused the call"),
            Err(err) => tracing::warn!(method, latency_ms, error = %err, "alipay call failed"),
        }
        let raw = result?;
        serde_json::from_str(&raw)
            .map_err(|err| AlipayError::Protocol(format!("{method} response: {err}")))
    }

    /// The verified raw `*_response` text of a successful call.
    async fn exchange(
        &self,
        method: &str,
        auth_token: Option<&SecretString>,
        api_params: &[(&str, String)],
    ) -> Result<String, AlipayError> {
        let mut protocol: Vec<(&str, String)> = vec![
            ("app_id", self.inner.app_id.clone()),
            ("method", method.to_string()),
            ("format", "JSON".into()),
            ("charset", "utf-8".into()),
            ("sign_type", "RSA2".into()),
            ("timestamp", sign::timestamp_gmt8(jiff::Timestamp::now())),
            ("version", "1.0".into()),
        ];
        if let Some(token) = auth_token {
            protocol.push(("auth_token", token.expose_secret().to_string()));
        }
        let signed: BTreeMap<String, String> = protocol
            .iter()
            .chain(api_params)
            .map(|(key, value)| (key.to_string(), value.clone()))
            .collect();
        let signature = sign::rsa2_sign(&self.inner.app_private_key, &sign::sign_content(&signed))
            .map_err(|err| AlipayError::Protocol(format!("signing the request: {err}")))?;
        protocol.push(("sign", signature));

        let response = self
            .inner
            .http
            .post(&self.inner.gateway_url)
            .query(&protocol)
            .form(api_params)
            .send()
            .await
            .map_err(|err| AlipayError::Unavailable(err.without_url().to_string()))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|err| AlipayError::Unavailable(err.without_url().to_string()))?;
        if status.is_server_error() {
            return Err(AlipayError::Unavailable(format!("HTTP {status}")));
        }
        if !status.is_success() {
            return Err(AlipayError::Protocol(format!("HTTP {status}")));
        }
        self.accept(method, &body)
    }

    /// Verifies the answer's signature and turns a failure code into an [`AlipayError`].
    fn accept(&self, method: &str, body: &str) -> Result<String, AlipayError> {
        let (raw, signature, is_error) = sign::extract_response(body, method)
            .map_err(|err| AlipayError::Protocol(err.to_string()))?;
        let outcome: Outcome = serde_json::from_str(&raw)
            .map_err(|err| AlipayError::Protocol(format!("{method} response: {err}")))?;
        // oauth.token answers success without a code; as the Java SDK, success means no sub_code.
        let succeeded = !is_error
            && outcome.sub_code.is_none()
            && outcome
                .code
                .as_deref()
                .is_none_or(|code| code == CODE_SUCCESS);
        match signature {
            Some(signature) if !self.response_verifies(&raw, &signature) => {
                return Err(AlipayError::BadResponseSignature);
            }
            None if succeeded => return Err(AlipayError::BadResponseSignature),
            _ => {}
        }
        if succeeded {
            return Ok(raw);
        }
        let code = outcome.code.unwrap_or_default();
        let sub_code = outcome.sub_code.unwrap_or_default();
        tracing::info!(method, code, sub_code, "alipay answered a failure");
        Err(match (code.as_str(), sub_code.as_str()) {
            (_, SUB_CODE_CODE_INVALID) => AlipayError::CodeInvalid,
            (_, SUB_CODE_INVALID_SIGNATURE) => {
                AlipayError::InvalidSignature(redact_sign_echo(&outcome.sub_msg))
            }
            (CODE_TOKEN_REFUSED, _) => AlipayError::InvalidAuthToken,
            (CODE_UNAVAILABLE, _) => {
                AlipayError::Unavailable(format!("{code} {sub_code} {}", outcome.msg))
            }
            _ => AlipayError::Business {
                sub_code: if sub_code.is_empty() { code } else { sub_code },
                sub_msg: outcome.sub_msg,
            },
        })
    }

    /// The Java SDK's rule: Alipay sometimes signs `/` but sends `\/`, so retry unescaped.
    fn response_verifies(&self, raw: &str, signature: &str) -> bool {
        let key = &self.inner.alipay_public_key;
        sign::rsa2_verify(key, raw, signature)
            || (raw.contains("\\/") && sign::rsa2_verify(key, &raw.replace("\\/", "/"), signature))
    }
}

/// `application/x-www-form-urlencoded` text. reqwest's `form` feature is not enabled, and the
/// encoding is short: unreserved bytes as is, space as `+`, everything else `%XX`.
/// The gateway's `isv.invalid-signature` sub_msg echoes its string-to-sign, auth codes and
/// tokens included; keep only the values of [`ECHO_SAFE_PARAMS`] so it can be logged.
fn redact_sign_echo(sub_msg: &str) -> String {
    let mut pieces = Vec::new();
    for piece in sub_msg.split('&') {
        let Some((head, value)) = piece.split_once('=') else {
            continue;
        };
        // The first piece starts with the gateway's prose; the key is the trailing name.
        let key = head
            .rsplit(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .next()
            .unwrap_or_default();
        if key.is_empty() {
            continue;
        }
        let plain = !value.contains(['"', '{', '}']);
        if ECHO_SAFE_PARAMS.contains(&key) && plain {
            pieces.push(format!("{key}={value}"));
        } else {
            pieces.push(format!("{key}=[redacted]"));
        }
    }
    pieces.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_echoed_string_to_sign_keeps_protocol_values_and_hides_codes_and_tokens() {
        let sub_msg = "验签出错，网关生成的验签字符串为：app_id=2021&auth_token=authusrSECRET\
                       &biz_content={\"to_user_id\":\"2088&x=1\"}&charset=utf-8&code=CODE123\
                       &method=alipay.user.info.share&sign_type=RSA2";

        let redacted = redact_sign_echo(sub_msg);

        assert!(redacted.contains("app_id=2021"), "{redacted}");
        assert!(
            redacted.contains("method=alipay.user.info.share"),
            "{redacted}"
        );
        for secret in ["authusrSECRET", "CODE123", "2088"] {
            assert!(!redacted.contains(secret), "{redacted}");
        }
    }
}
