//! The push gateway's data as it crosses the wire, shared by the client and the simulator:
//! the device platforms, the error codes and header names of JPush's REST API v3
//! (`docs/upstream-push.md` §2–§4), and the delivery receipts with their signature (§6).
//!
//! Receipts are Tongban's design, not JPush's: JPush does not publish the fields of its
//! 回执 API, so their body and the `X-Jpush-Signature` header are **UNVERIFIED** (see §6).

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// 参数值不合法: a value is wrong (a registration id, a count, an unknown cid). Permanent.
pub const CODE_INVALID_PARAM: i64 = 1003;
/// 缺少了必须的参数: a required field is missing or the body is not JSON. Permanent.
pub const CODE_MISSING_PARAM: i64 = 1002;
/// 只支持 HTTP Post 方法 (HTTP 405).
pub const CODE_POST_ONLY: i64 = 1001;
/// 验证失败: the Basic credentials are wrong (HTTP 401).
pub const CODE_AUTH_FAILED: i64 = 1004;
/// 消息体太大: Android notification over 4000 bytes, or `ios` over 2000 (HTTP 400).
pub const CODE_TOO_BIG: i64 = 1005;
/// 没有满足条件的推送目标: no device matches the audience (HTTP 400).
pub const CODE_NO_AUDIENCE: i64 = 1011;
/// 系统内部错误 (HTTP 500): retry later.
pub const CODE_INTERNAL: i64 = 1000;
/// 内部服务超时 (HTTP 503): retry later.
pub const CODE_TIMEOUT: i64 = 1030;
/// API调用频率超出该应用的限制 (HTTP 429).
pub const CODE_RATE_LIMITED: i64 = 2002;
/// The appkey is blacklisted (HTTP 403): a configuration matter, not a message's.
pub const CODE_BLACKLISTED: i64 = 2003;
/// The caller's IP is not in the app's whitelist (HTTP 403): a configuration matter.
pub const CODE_IP_NOT_ALLOWED: i64 = 2004;

/// 非VIP用户 (HTTP 403): the interface is open to VIP accounts only (batch single push).
pub const CODE_NOT_VIP: i64 = 2006;
/// 无权调用此接口 (HTTP 403): the interface has not been granted to this account.
pub const CODE_NOT_GRANTED: i64 = 2007;

/// Calls allowed in the current window (current JPush documentation).
pub const HEADER_RATE_QUOTA: &str = "X-Rate-Limit-Quota";
/// The same figure under the name older JPush documentation and most clients use.
pub const HEADER_RATE_LIMIT: &str = "X-Rate-Limit-Limit";
/// Calls left in the current window.
pub const HEADER_RATE_REMAINING: &str = "X-Rate-Limit-Remaining";
/// Seconds until the window resets: how long a rate-limited caller waits.
pub const HEADER_RATE_RESET: &str = "X-Rate-Limit-Reset";
/// `sha256=` and the lowercase hex HMAC-SHA256 of a receipt body. **UNVERIFIED** (our design).
pub const HEADER_RECEIPT_SIGNATURE: &str = "X-Jpush-Signature";

/// JPush's longest `options.time_to_live`: 10 days.
pub const MAX_TIME_TO_LIVE_SECS: u64 = 10 * 24 * 3600;
/// Registration ids one push may name (`audience.registration_id`).
pub const MAX_AUDIENCE: usize = 1000;
/// Pushes one batch single push (`POST /v3/push/batch/regid/single`) may carry.
pub const MAX_BATCH: usize = 1000;
/// The batch single push by registration id (批量单推, VIP).
pub const BATCH_REGID_PATH: &str = "/v3/push/batch/regid/single";
/// Cids one `GET /v3/push/cid` may reserve.
pub const MAX_CIDS: u32 = 1000;

/// The operating system of a device registered with the gateway: it decides which
/// notification object (`notification.android` or `notification.ios`) reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DevicePlatform {
    Android,
    Ios,
}

impl DevicePlatform {
    /// The name in `platform` and in receipts.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Android => "android",
            Self::Ios => "ios",
        }
    }
}

/// What became of one push on one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// The notification reached the device.
    Delivered,
    /// It did not (device offline past the message's lifetime, app uninstalled); `reason`
    /// says which when the gateway knows.
    NotDelivered,
}

/// One delivery receipt (回执): the outcome of push `msg_id` on device `registration_id`.
/// The gateway batches them: one body holds a JSON array of these. **UNVERIFIED**: the field
/// names are Tongban's design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The `msg_id` the push answered.
    pub msg_id: String,
    /// The device the receipt is about.
    pub registration_id: String,
    pub platform: DevicePlatform,
    pub status: ReceiptStatus,
    /// Why a push was not delivered (`offline`, `uninstalled`); absent when delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the outcome became known, in Unix seconds.
    pub time: i64,
}

/// A receipt body that is not a JSON array of receipts (or one receipt).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed push receipts: {0}")]
pub struct MalformedReceipts(pub String);

/// Reads a receipt body: a JSON array of [`Receipt`]s; a single object is taken as a batch
/// of one.
pub fn parse_receipts(body: &[u8]) -> Result<Vec<Receipt>, MalformedReceipts> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Batch {
        Many(Vec<Receipt>),
        One(Receipt),
    }
    match serde_json::from_slice::<Batch>(body) {
        Ok(Batch::Many(receipts)) => Ok(receipts),
        Ok(Batch::One(receipt)) => Ok(vec![receipt]),
        // Serde's message could quote a registration id, so only its category is kept.
        Err(err) => Err(MalformedReceipts(format!("{:?} error", err.classify()))),
    }
}

/// The [`HEADER_RECEIPT_SIGNATURE`] value of a receipt body signed with `secret`.
pub fn receipt_signature(secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(receipt_mac(secret, body).finalize().into_bytes())
    )
}

/// Whether `signature_header` is the signature of `body` with `secret`, in constant time.
pub fn verify_receipt(secret: &str, signature_header: &str, body: &[u8]) -> bool {
    let Some(Ok(given)) = signature_header
        .trim()
        .strip_prefix("sha256=")
        .map(hex::decode)
    else {
        return false;
    };
    receipt_mac(secret, body).verify_slice(&given).is_ok()
}

fn receipt_mac(secret: &str, body: &[u8]) -> Hmac<Sha256> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(body);
    mac
}

/// The `Authorization` value of JPush's HTTP Basic scheme: `Basic base64(appKey:masterSecret)`.
/// JPush's callback documentation says its receipts carry the same header by default.
pub fn basic_authorization(app_key: &str, master_secret: &str) -> String {
    use base64::{Engine, engine::general_purpose::STANDARD};
    format!(
        "Basic {}",
        STANDARD.encode(format!("{app_key}:{master_secret}"))
    )
}

/// Whether a receipt's `Authorization` header carries this app's credentials (JPush's
/// documented default check for callbacks), in constant time.
pub fn verify_receipt_authorization(
    app_key: &str,
    master_secret: &str,
    authorization: &str,
) -> bool {
    let expected = basic_authorization(app_key, master_secret);
    let given = authorization.trim();
    expected.len() == given.len() && openssl::memcmp::eq(expected.as_bytes(), given.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt() -> Receipt {
        Receipt {
            msg_id: "18100000000000001".into(),
            registration_id: "1a0018970a5d1ae5ff0".into(),
            platform: DevicePlatform::Android,
            status: ReceiptStatus::NotDelivered,
            reason: Some("offline".into()),
            time: 1_767_225_600,
        }
    }

    #[test]
    fn a_signed_receipt_body_verifies_and_a_changed_one_does_not() {
        let body = serde_json::to_vec(&[receipt()]).expect("encodes");
        let signature = receipt_signature("s3cret", &body);

        assert!(verify_receipt("s3cret", &signature, &body));
        assert!(!verify_receipt("other", &signature, &body));
        assert!(!verify_receipt("s3cret", &signature, b"[]"));
        assert!(!verify_receipt(
            "s3cret",
            signature.trim_start_matches("sha256="),
            &body
        ));
        assert!(!verify_receipt("s3cret", "sha256=zz", &body));
    }

    #[test]
    fn receipts_parse_as_a_batch_or_a_single_object() {
        let one = serde_json::to_vec(&receipt()).expect("encodes");
        let many = serde_json::to_vec(&[receipt(), receipt()]).expect("encodes");

        assert_eq!(parse_receipts(&one).expect("one"), vec![receipt()]);
        assert_eq!(parse_receipts(&many).expect("many").len(), 2);
        let err = parse_receipts(br#"[{"msg_id":"1"}]"#).expect_err("incomplete");
        assert!(!err.to_string().contains("msg_id\":\"1"));
    }

    #[test]
    fn the_basic_authorization_of_a_receipt_is_checked_exactly() {
        let header = basic_authorization("appkey", "master");
        assert_eq!(header, "Basic YXBwa2V5Om1hc3Rlcg==");
        assert!(verify_receipt_authorization("appkey", "master", &header));
        assert!(!verify_receipt_authorization("appkey", "other", &header));
    }
}
