//! The provincial government-service platform's wire format, shared by [`super::GovClient`] and
//! the simulator. Every response is an envelope `{code, message, data}` with `code` `"200"` on
//! success. Every request is signed: HMAC-SHA256 with the app secret over
//! `app_key \n timestamp \n nonce \n METHOD \n path?query`, hex-encoded, sent with the key,
//! timestamp (Unix seconds) and nonce in `X-Gov-*` headers. The platform refuses a timestamp
//! more than 300 s away from its clock and a nonce it has already seen.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const HEADER_APP_KEY: &str = "x-gov-app-key";
pub const HEADER_TIMESTAMP: &str = "x-gov-timestamp";
pub const HEADER_NONCE: &str = "x-gov-nonce";
pub const HEADER_SIGNATURE: &str = "x-gov-signature";
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

pub const CODE_OK: &str = "200";
pub const CODE_BAD_SIGNATURE: &str = "401";
pub const CODE_NOT_FOUND: &str = "404";
pub const CODE_RATE_LIMITED: &str = "429";
pub const CODE_INTERNAL: &str = "500";

fn mac(
    secret: &[u8],
    app_key: &str,
    timestamp: i64,
    nonce: &str,
    method: &str,
    path_and_query: &str,
) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(format!("{app_key}\n{timestamp}\n{nonce}\n{method}\n{path_and_query}").as_bytes());
    mac
}

/// The hex HMAC-SHA256 signature of one request.
pub fn signature(
    secret: &[u8],
    app_key: &str,
    timestamp: i64,
    nonce: &str,
    method: &str,
    path_and_query: &str,
) -> String {
    hex::encode(
        mac(secret, app_key, timestamp, nonce, method, path_and_query)
            .finalize()
            .into_bytes(),
    )
}

/// Checks a signature in constant time.
pub fn verify(
    secret: &[u8],
    app_key: &str,
    timestamp: i64,
    nonce: &str,
    method: &str,
    path_and_query: &str,
    given: &str,
) -> bool {
    let Ok(given) = hex::decode(given) else {
        return false;
    };
    mac(secret, app_key, timestamp, nonce, method, path_and_query)
        .verify_slice(&given)
        .is_ok()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub code: String,
    pub message: String,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub total: u64,
    pub page_no: u32,
    pub page_size: u32,
    pub list: Vec<T>,
}

/// Text in the platform's three languages; Chinese is always present.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct I18nText {
    pub zh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kk: Option<String>,
}

/// One entry of the implementation list (实施清单), with the platform's field names.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskItem {
    /// 实施编码
    pub task_code: String,
    /// 基本编码
    pub catalog_code: String,
    pub task_name: I18nText,
    /// 事项类型: 01 行政许可 … 20 公共服务, 99 其他.
    pub task_type: String,
    pub dept_code: String,
    pub dept_name: I18nText,
    /// 服务对象: "1" natural person, "2" legal person.
    pub server_type: Vec<String>,
    /// 办件类型: "1" 即办件, "2" 承诺件.
    pub project_type: String,
    /// 法定办结时限 and its unit ("1" working days, "2" natural days).
    pub anticipate_day: u32,
    pub anticipate_type: String,
    /// 承诺办结时限 and its unit.
    pub promise_day: u32,
    pub promise_type: String,
    /// 到办事现场次数
    pub limit_scene_num: u32,
    pub is_fee: bool,
    #[serde(default)]
    pub fee_fen: i64,
    pub accept_condition: I18nText,
    #[serde(default)]
    pub materials: Vec<MaterialItem>,
    #[serde(default)]
    pub life_events: Vec<String>,
    pub version: u32,
    pub update_time: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaterialItem {
    pub material_name: I18nText,
    /// "1" original, "2" copy, "3" electronic.
    pub material_form: String,
    pub page_num: u32,
    pub is_need: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let sig = signature(
            b"secret",
            "key",
            1_700_000_000,
            "n1",
            "GET",
            "/api/v1/health",
        );
        assert!(verify(
            b"secret",
            "key",
            1_700_000_000,
            "n1",
            "GET",
            "/api/v1/health",
            &sig
        ));
        assert!(!verify(
            b"other",
            "key",
            1_700_000_000,
            "n1",
            "GET",
            "/api/v1/health",
            &sig
        ));
        assert!(!verify(
            b"secret",
            "key",
            1_700_000_001,
            "n1",
            "GET",
            "/api/v1/health",
            &sig
        ));
        assert!(!verify(
            b"secret",
            "key",
            1_700_000_000,
            "n1",
            "GET",
            "/api/v1/health?x=1",
            &sig
        ));
        assert!(!verify(
            b"secret",
            "key",
            1_700_000_000,
            "n1",
            "GET",
            "/api/v1/health",
            "zz"
        ));
    }
}
