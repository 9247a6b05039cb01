//! `/v1/hooks`: callbacks that WeChat and Alipay send. Nothing here is called by clients.
//!
//! - WeChat message push (消息推送), JSON format: the URL check (`GET`, 3-value `signature`,
//!   answer `echostr`), plain-mode pushes (`signature`) and secure-mode pushes (`encrypt_type=aes`,
//!   4-value `msg_signature`, AES envelope). Configure the JSON data format in the console.
//! - Alipay asynchronous notifications: form posts verified with Alipay's public key, answered
//!   with exactly `success`.
//!
//! A verified callback is written to `platform_events` before it is acknowledged, so an event
//! the platform considers delivered is never lost (DESIGN.md principle 4); delivery receipts
//! (WeChat's sent events, the push gateway's receipts) are written to `push_receipts` instead.

use poem::web::{Data, Form};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Query},
    payload::{Json, PlainText},
};
use secrecy::ExposeSecret;

use super::{ApiTags, gov_events::RawBody, internal};
use crate::{
    AppState,
    http::{
        context::RequestCtx,
        problem::{Problem, ProblemKind},
    },
    i18n::Args,
    upstream::wechat::crypto,
};

pub struct HooksApi;

/// One delivery receipt of the push gateway (documented shape; the body is read raw to check
/// its signature).
#[derive(Debug, Object)]
#[oai(rename_all = "snake_case")]
pub struct PushReceiptBody {
    pub msg_id: String,
    pub registration_id: String,
    /// `android` or `ios`.
    pub platform: String,
    /// `delivered` or `not_delivered`.
    pub status: String,
    /// Why it was not delivered (`offline`, `uninstalled`).
    pub reason: Option<String>,
    /// Unix seconds.
    pub time: i64,
}

#[derive(ApiResponse)]
pub enum HookResponse {
    /// Accepted: `echostr` for the URL check, `success` for a push.
    #[oai(status = 200)]
    Ok(PlainText<String>),
    /// The body is not what the platform sends.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// The signature does not verify (`signature_invalid`).
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// The body is not JSON (WeChat) or a form (Alipay) (`unsupported_media_type`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Something failed inside Tongban; the platform will retry.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

fn refused(lang: &RequestCtx) -> HookResponse {
    HookResponse::Forbidden(lang.problem(ProblemKind::SignatureInvalid, &Args::new()))
}

fn malformed(lang: &RequestCtx) -> HookResponse {
    HookResponse::BadRequest(lang.problem(
        ProblemKind::BadRequest(poem::http::StatusCode::BAD_REQUEST),
        &Args::new(),
    ))
}

#[OpenApi(prefix_path = "/v1/hooks", tag = "ApiTags::Hooks")]
impl HooksApi {
    /// WeChat: verify the push URL
    ///
    /// WeChat's check when the message-push URL is configured: answers `echostr` when
    /// `signature` is sha1 of the sorted token, timestamp and nonce.
    #[oai(path = "/wechat", method = "get", operation_id = "verifyWechatHook")]
    async fn verify_wechat(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        #[oai(validator(max_length = 64))] signature: Query<String>,
        #[oai(validator(max_length = 32))] timestamp: Query<String>,
        #[oai(validator(max_length = 64))] nonce: Query<String>,
        #[oai(validator(max_length = 128))] echostr: Query<String>,
    ) -> HookResponse {
        let token = state.config.upstream.wechat.push_token.expose_secret();
        if crypto::verify_signature(token, &timestamp, &nonce, &signature) {
            HookResponse::Ok(PlainText(echostr.0))
        } else {
            refused(&lang)
        }
    }

    /// WeChat: receive a push
    ///
    /// A message or event from WeChat in JSON format, plain or secure mode
    /// (`encrypt_type=aes`). Subscription-message events update the push service: a
    /// `subscribe_msg_sent_event` is the delivery receipt of a message, a
    /// `subscribe_msg_change_event` that rejects a template takes its credits away.
    #[oai(path = "/wechat", method = "post", operation_id = "receiveWechatHook")]
    #[allow(clippy::too_many_arguments)]
    async fn receive_wechat(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        #[oai(validator(max_length = 64))] signature: Query<String>,
        #[oai(validator(max_length = 32))] timestamp: Query<String>,
        #[oai(validator(max_length = 64))] nonce: Query<String>,
        #[oai(validator(max_length = 16))] encrypt_type: Query<Option<String>>,
        #[oai(validator(max_length = 64))] msg_signature: Query<Option<String>>,
        body: Json<serde_json::Value>,
    ) -> HookResponse {
        let wechat = &state.config.upstream.wechat;
        let token = wechat.push_token.expose_secret();
        let message = if encrypt_type.0.as_deref() == Some("aes") {
            let Some(encrypt) = body.0.get("Encrypt").and_then(|v| v.as_str()) else {
                return malformed(&lang);
            };
            let given = msg_signature.0.as_deref().unwrap_or_default();
            if !crypto::verify_msg_signature(token, &timestamp, &nonce, encrypt, given) {
                return refused(&lang);
            }
            match state.push_crypto.decrypt(encrypt) {
                Ok(plain) => match serde_json::from_str::<serde_json::Value>(&plain) {
                    Ok(message) => message,
                    Err(_) => return malformed(&lang),
                },
                Err(err) => {
                    tracing::warn!(error = %err, "wechat push could not be decrypted");
                    return refused(&lang);
                }
            }
        } else {
            if !crypto::verify_signature(token, &timestamp, &nonce, &signature) {
                return refused(&lang);
            }
            body.0
        };
        let event_type = message
            .get("Event")
            .or_else(|| message.get("MsgType"))
            .and_then(|v| v.as_str())
            .unwrap_or("unknown")
            .to_string();
        let subscribe = crate::upstream::wechat::parse_subscribe_events(&message);
        // A sent event is a delivery receipt, stored as one by the push service below (one
        // arrives per message sent, so it is not kept twice); everything else is kept raw.
        let receipt_only = event_type == "subscribe_msg_sent_event" && !subscribe.is_empty();
        if !receipt_only && let Err(err) = state.events.keep("wechat", &event_type, &message).await
        {
            return HookResponse::Internal(internal(&lang, &err));
        }
        if !subscribe.is_empty()
            && let Err(err) = state.push.wechat_events(&subscribe).await
        {
            return HookResponse::Internal(internal(&lang, &err));
        }
        HookResponse::Ok(PlainText("success".into()))
    }

    /// Push gateway: receive delivery receipts
    ///
    /// A JSON array of receipts (`msgId`, `registrationId`, `platform`, `status`, …) signed with
    /// `X-Jpush-Signature: sha256=<hex HMAC-SHA256(receipt_secret, body)>`
    /// (docs/upstream-push.md §6).
    #[oai(path = "/push", method = "post", operation_id = "receivePushReceipts")]
    async fn receive_push(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        #[oai(name = "X-Jpush-Signature", validator(max_length = 80))] signature: Header<String>,
        body: RawBody<Vec<PushReceiptBody>>,
    ) -> HookResponse {
        let secret = state.config.upstream.push.receipt_secret.expose_secret();
        if !crate::upstream::push::verify_receipt(secret, &signature.0, &body.0) {
            return refused(&lang);
        }
        let Ok(receipts) = crate::upstream::push::parse_receipts(&body.0) else {
            return malformed(&lang);
        };
        match state.push.gateway_receipts(&receipts).await {
            Ok(()) => HookResponse::Ok(PlainText("success".into())),
            Err(err) => HookResponse::Internal(internal(&lang, &err)),
        }
    }

    /// Alipay: receive a notification
    ///
    /// An asynchronous notification (`application/x-www-form-urlencoded`), verified with
    /// Alipay's public key over the fields exactly as received. Answers `success`; anything
    /// else makes Alipay retry.
    #[oai(path = "/alipay", method = "post", operation_id = "receiveAlipayHook")]
    async fn receive_alipay(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        form: Form<Vec<(String, String)>>,
    ) -> HookResponse {
        let form = form.0;
        if !state.alipay.verify_notify(&form) {
            return refused(&lang);
        }
        let event_type = form
            .iter()
            .find(|(k, _)| k == "notify_type")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "unknown".into());
        let payload: serde_json::Map<String, serde_json::Value> = form
            .into_iter()
            .filter(|(k, _)| k != "sign")
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        match state
            .events
            .keep("alipay", &event_type, &payload.into())
            .await
        {
            Ok(()) => HookResponse::Ok(PlainText("success".into())),
            Err(err) => HookResponse::Internal(internal(&lang, &err)),
        }
    }
}
