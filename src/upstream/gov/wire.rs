//! The provincial government-service platform's wire format, shared by [`super::GovClient`] and
//! the simulator. Every response is an envelope `{code, message, data}` with `code` `"200"` on
//! success. Every request is signed: HMAC-SHA256 with the app secret over
//! `app_key \n timestamp \n nonce \n METHOD \n path?query`, hex-encoded, sent with the key,
//! timestamp (Unix seconds) and nonce in `X-Gov-*` headers. A request with a non-empty body
//! (the JSON POSTs) signs one more line, the hex SHA-256 of the exact body bytes sent:
//! `app_key \n timestamp \n nonce \n METHOD \n path?query \n sha256hex(body)`, so a body
//! cannot be swapped under a valid signature; requests without a body (GETs) sign the five
//! lines only. The platform refuses a timestamp more than 300 s away from its clock and a nonce
//! it has already seen.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const HEADER_APP_KEY: &str = "x-gov-app-key";
pub const HEADER_TIMESTAMP: &str = "x-gov-timestamp";
pub const HEADER_NONCE: &str = "x-gov-nonce";
pub const HEADER_SIGNATURE: &str = "x-gov-signature";
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

pub const CODE_OK: &str = "200";
pub const CODE_BAD_REQUEST: &str = "400";
pub const CODE_BAD_SIGNATURE: &str = "401";
pub const CODE_NOT_FOUND: &str = "404";
pub const CODE_RATE_LIMITED: &str = "429";
pub const CODE_INTERNAL: &str = "500";

/// What a signature covers: one request as sent.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub app_key: &'a str,
    pub timestamp: i64,
    pub nonce: &'a str,
    pub method: &'a str,
    pub path_and_query: &'a str,
    /// The exact body bytes; empty for requests without a body, which sign no body line.
    pub body: &'a [u8],
}

impl SignedRequest<'_> {
    fn mac(&self, secret: &[u8]) -> Hmac<Sha256> {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
            unreachable!("HMAC takes keys of any length")
        };
        let Self {
            app_key,
            timestamp,
            nonce,
            method,
            path_and_query,
            body,
        } = self;
        mac.update(
            format!("{app_key}\n{timestamp}\n{nonce}\n{method}\n{path_and_query}").as_bytes(),
        );
        if !body.is_empty() {
            mac.update(format!("\n{}", hex::encode(Sha256::digest(body))).as_bytes());
        }
        mac
    }

    /// The hex HMAC-SHA256 signature.
    pub fn sign(&self, secret: &[u8]) -> String {
        hex::encode(self.mac(secret).finalize().into_bytes())
    }

    /// Checks a signature in constant time.
    pub fn verify(&self, secret: &[u8], given: &str) -> bool {
        let Ok(given) = hex::decode(given) else {
            return false;
        };
        self.mac(secret).verify_slice(&given).is_ok()
    }
}

/// The hex HMAC-SHA256 signature of one request without a body.
pub fn signature(
    secret: &[u8],
    app_key: &str,
    timestamp: i64,
    nonce: &str,
    method: &str,
    path_and_query: &str,
) -> String {
    SignedRequest {
        app_key,
        timestamp,
        nonce,
        method,
        path_and_query,
        body: &[],
    }
    .sign(secret)
}

/// Checks the signature of a request without a body, in constant time.
pub fn verify(
    secret: &[u8],
    app_key: &str,
    timestamp: i64,
    nonce: &str,
    method: &str,
    path_and_query: &str,
    given: &str,
) -> bool {
    SignedRequest {
        app_key,
        timestamp,
        nonce,
        method,
        path_and_query,
        body: &[],
    }
    .verify(secret, given)
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

/// Body of `POST /api/v1/identity/verify` (统一身份认证 real-name check).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityVerifyRequest {
    pub name: String,
    pub id_number: String,
    /// The token of a face check done in the client's container, when the item requires one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_token: Option<String>,
}

/// `data` of the identity verification answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityVerifyData {
    pub result: IdentityVerifyResult,
    /// RFC 3339, the platform's clock.
    pub verified_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityVerifyResult {
    /// The name and the ID number belong together.
    Match,
    /// The ID number exists under another name.
    Mismatch,
    /// No such ID number in the population register.
    NotFound,
    /// The face token did not pass.
    FaceFailed,
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

    #[test]
    fn a_body_adds_its_sha256_as_a_sixth_line() {
        let body = r#"{"name":"王建华","idNumber":"650104195811020019"}"#.as_bytes();
        let request = SignedRequest {
            app_key: "key",
            timestamp: 1_700_000_000,
            nonce: "n1",
            method: "POST",
            path_and_query: "/api/v1/identity/verify",
            body,
        };
        let expected = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").expect("any key length");
            mac.update(
                format!(
                    "key\n1700000000\nn1\nPOST\n/api/v1/identity/verify\n{}",
                    hex::encode(Sha256::digest(body))
                )
                .as_bytes(),
            );
            hex::encode(mac.finalize().into_bytes())
        };
        let sig = request.sign(b"secret");
        assert_eq!(sig, expected);
        assert!(request.verify(b"secret", &sig));
        let tampered = SignedRequest {
            body: r#"{"name":"王建华","idNumber":"650102199503140022"}"#.as_bytes(),
            ..request
        };
        assert!(!tampered.verify(b"secret", &sig));
        let stripped = SignedRequest {
            body: &[],
            ..request
        };
        assert!(!stripped.verify(b"secret", &sig));
    }

    #[test]
    fn a_request_without_a_body_signs_five_lines_as_before() {
        let expected = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").expect("any key length");
            mac.update(b"key\n1700000000\nn1\nGET\n/api/v1/health");
            hex::encode(mac.finalize().into_bytes())
        };
        assert_eq!(
            signature(
                b"secret",
                "key",
                1_700_000_000,
                "n1",
                "GET",
                "/api/v1/health"
            ),
            expected
        );
    }
}
