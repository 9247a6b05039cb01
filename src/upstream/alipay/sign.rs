//! The signature rules of Alipay's `gateway.do` protocol (RSA2 = SHA256withRSA, PKCS#1 v1.5,
//! Base64), shared by [`super::AlipayClient`] and the simulator. Pure functions only:
//!
//! - requests: [`sign_content`] builds the string to sign, [`rsa2_sign`] signs it;
//! - responses: [`extract_response`] cuts the raw `*_response` text the signature covers, which
//!   [`rsa2_verify`] checks with Alipay's public key;
//! - notifications: [`verify_notify`] over [`notify_content_v1`], then [`notify_content_v2`];
//! - keys and the GMT+8 timestamp format the gateway expects.

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use openssl::{
    hash::MessageDigest,
    pkey::{PKey, Private, Public},
    rsa::Rsa,
    sign::{Signer, Verifier},
};

/// The key under which gateway-level failures arrive instead of `<method>_response`.
pub const ERROR_RESPONSE_KEY: &str = "error_response";

/// The gateway's timestamp format, always read at UTC+8 (Beijing time).
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Why a key, a signature or a response body could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("unusable RSA key: {0}")]
    Key(String),
    #[error("RSA signing failed: {0}")]
    Crypto(#[from] openssl::error::ErrorStack),
    #[error("the response has no `{0}` member")]
    MissingResponse(String),
    /// Two members could each be read as the response; verifying one and using the other is the
    /// bypass of fzlee/alipay#69, so neither is trusted.
    #[error("the response member `{0}` appears more than once")]
    DuplicateKey(String),
    #[error("malformed response body: {0}")]
    Malformed(String),
}

/// The string a request signature covers: every non-empty parameter except `sign` (`sign_type`
/// included), sorted by key in ASCII order, as raw `k=v` joined by `&`.
pub fn sign_content(params: &BTreeMap<String, String>) -> String {
    join_pairs(
        params
            .iter()
            .filter(|(key, value)| key.as_str() != "sign" && !value.is_empty())
            .map(|(key, value)| (key.as_str(), value.as_str())),
    )
}

/// SHA256withRSA signature of `content`'s UTF-8 bytes, Base64-encoded.
pub fn rsa2_sign(key: &PKey<Private>, content: &str) -> Result<String, SignError> {
    let mut signer = Signer::new(MessageDigest::sha256(), key)?;
    Ok(BASE64.encode(signer.sign_oneshot_to_vec(content.as_bytes())?))
}

/// Whether `sign_b64` is a valid SHA256withRSA signature of `content` by `key`'s owner.
pub fn rsa2_verify(key: &PKey<Public>, content: &str, sign_b64: &str) -> bool {
    let Ok(signature) = BASE64.decode(sign_b64.trim()) else {
        return false;
    };
    Verifier::new(MessageDigest::sha256(), key)
        .and_then(|mut verifier| verifier.verify_oneshot(&signature, content.as_bytes()))
        .unwrap_or(false)
}

/// A fresh RSA-2048 key pair, as the app generates in embedded mode and the simulator at start.
pub fn generate_key_pair() -> anyhow::Result<(PKey<Private>, PKey<Public>)> {
    let private = PKey::from_rsa(Rsa::generate(2048)?)?;
    let public = PKey::public_key_from_der(&private.public_key_to_der()?)?;
    Ok((private, public))
}

/// An RSA private key from PKCS#8 or PKCS#1 PEM, or from the bare Base64 PKCS#8 body that
/// Alipay's key tool writes.
pub fn load_private_key(pem: &str) -> Result<PKey<Private>, SignError> {
    let key = if pem.contains("-----BEGIN") {
        PKey::private_key_from_pem(pem.trim().as_bytes())
            .map_err(|_| SignError::Key("the private key PEM could not be read".into()))?
    } else {
        let der = bare_base64(pem)?;
        PKey::private_key_from_pkcs8(&der)
            .or_else(|_| Rsa::private_key_from_der(&der).and_then(PKey::from_rsa))
            .map_err(|_| SignError::Key("the private key could not be read".into()))?
    };
    require_rsa(key.rsa().is_ok())?;
    Ok(key)
}

/// An RSA public key from SPKI PEM (or PKCS#1 `RSA PUBLIC KEY` PEM), or from the bare Base64
/// SPKI body that Alipay's console shows.
pub fn load_public_key(pem: &str) -> Result<PKey<Public>, SignError> {
    let trimmed = pem.trim();
    let key = if trimmed.contains("-----BEGIN RSA PUBLIC KEY") {
        Rsa::public_key_from_pem_pkcs1(trimmed.as_bytes()).and_then(PKey::from_rsa)
    } else if trimmed.contains("-----BEGIN") {
        PKey::public_key_from_pem(trimmed.as_bytes())
    } else {
        PKey::public_key_from_der(&bare_base64(trimmed)?)
    }
    .map_err(|_| SignError::Key("the public key could not be read".into()))?;
    require_rsa(key.rsa().is_ok())?;
    Ok(key)
}

fn bare_base64(text: &str) -> Result<Vec<u8>, SignError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    BASE64
        .decode(compact)
        .map_err(|_| SignError::Key("neither PEM nor Base64".into()))
}

fn require_rsa(is_rsa: bool) -> Result<(), SignError> {
    if is_rsa {
        Ok(())
    } else {
        Err(SignError::Key("not an RSA key".into()))
    }
}

/// `now` as the gateway's `timestamp` parameter: `yyyy-MM-dd HH:mm:ss` in Beijing time, whatever
/// the server's own zone (smartwalle/alipay#103, alipay/alipay-easysdk#61).
pub fn timestamp_gmt8(now: jiff::Timestamp) -> String {
    now.to_zoned(gmt8()).strftime(TIMESTAMP_FORMAT).to_string()
}

/// The instant a gateway `timestamp` parameter names, if it is well formed (19 characters).
pub fn parse_timestamp_gmt8(text: &str) -> Option<jiff::Timestamp> {
    if text.len() != 19 {
        return None;
    }
    let civil = jiff::civil::DateTime::strptime(TIMESTAMP_FORMAT, text).ok()?;
    gmt8().to_timestamp(civil).ok()
}

fn gmt8() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
}

/// Cuts a gateway response body into what its signature covers.
///
/// Returns the raw text of the `<method with . → _>_response` (or `error_response`) member
/// exactly as received, from its `{` to the matching `}`; the `sign` member, if any; and whether
/// it was an `error_response`. The body is never re-serialized: key order, spacing and escapes
/// such as `\/` are what Alipay signed. Callers must parse the same text they verified.
pub fn extract_response(
    body: &str,
    method: &str,
) -> Result<(String, Option<String>, bool), SignError> {
    let response_key = format!("{}_response", method.replace('.', "_"));
    let members = top_level_members(body)?;
    let mut found = members
        .iter()
        .filter(|member| member.key == response_key || member.key == ERROR_RESPONSE_KEY);
    let Some(response) = found.next() else {
        return Err(SignError::MissingResponse(response_key));
    };
    if let Some(second) = found.next() {
        return Err(SignError::DuplicateKey(second.key.clone()));
    }
    if !response.value.starts_with('{') {
        return Err(SignError::Malformed(format!(
            "`{}` is not an object",
            response.key
        )));
    }
    let mut signs = members.iter().filter(|member| member.key == "sign");
    let sign = match (signs.next(), signs.next()) {
        (None, _) => None,
        (Some(_), Some(_)) => return Err(SignError::DuplicateKey("sign".into())),
        (Some(member), None) => Some(
            serde_json::from_str::<String>(member.value)
                .map_err(|_| SignError::Malformed("`sign` is not a string".into()))?,
        ),
    };
    Ok((
        response.value.to_string(),
        sign,
        response.key == ERROR_RESPONSE_KEY,
    ))
}

/// One member of the body's top-level object: its key with escapes decoded (so that
/// `"a\u005fb"` and `"a_b"` count as the same key, as a JSON parser would), and its raw value.
struct Member<'a> {
    key: String,
    value: &'a str,
}

fn top_level_members(body: &str) -> Result<Vec<Member<'_>>, SignError> {
    let bytes = body.as_bytes();
    let mut members = Vec::new();
    let mut at = skip_whitespace(bytes, 0);
    expect(bytes, at, b'{')?;
    at = skip_whitespace(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        return finish(bytes, at + 1, members);
    }
    loop {
        expect(bytes, at, b'"')?;
        let key_end = string_end(bytes, at)?;
        let key = serde_json::from_str::<String>(&body[at..key_end])
            .map_err(|_| SignError::Malformed("invalid member name".into()))?;
        at = skip_whitespace(bytes, key_end);
        expect(bytes, at, b':')?;
        at = skip_whitespace(bytes, at + 1);
        let value_end = value_end(bytes, at)?;
        members.push(Member {
            key,
            value: &body[at..value_end],
        });
        at = skip_whitespace(bytes, value_end);
        match bytes.get(at) {
            Some(b',') => at = skip_whitespace(bytes, at + 1),
            Some(b'}') => return finish(bytes, at + 1, members),
            _ => return Err(SignError::Malformed("expected `,` or `}`".into())),
        }
    }
}

fn finish<'a>(
    bytes: &[u8],
    at: usize,
    members: Vec<Member<'a>>,
) -> Result<Vec<Member<'a>>, SignError> {
    if skip_whitespace(bytes, at) == bytes.len() {
        Ok(members)
    } else {
        Err(SignError::Malformed(
            "text after the top-level object".into(),
        ))
    }
}

fn expect(bytes: &[u8], at: usize, wanted: u8) -> Result<(), SignError> {
    if bytes.get(at) == Some(&wanted) {
        Ok(())
    } else {
        Err(SignError::Malformed(format!(
            "expected `{}` at byte {at}",
            char::from(wanted)
        )))
    }
}

fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// The index just past the string starting at `start` (a `"`), honouring backslash escapes.
fn string_end(bytes: &[u8], start: usize) -> Result<usize, SignError> {
    let mut at = start + 1;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' => at += 2,
            b'"' => return Ok(at + 1),
            _ => at += 1,
        }
    }
    Err(SignError::Malformed("unterminated string".into()))
}

/// The index just past the value starting at `start`. Objects and arrays end at the bracket
/// that closes the first one, counting only brackets outside strings, as Alipay's Java SDK does.
fn value_end(bytes: &[u8], start: usize) -> Result<usize, SignError> {
    match bytes.get(start) {
        Some(b'"') => string_end(bytes, start),
        Some(b'{' | b'[') => {
            let mut depth = 0_usize;
            let mut at = start;
            while let Some(&byte) = bytes.get(at) {
                match byte {
                    b'"' => {
                        at = string_end(bytes, at)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(at + 1);
                        }
                    }
                    _ => {}
                }
                at += 1;
            }
            Err(SignError::Malformed("unterminated object".into()))
        }
        Some(_) => {
            let mut at = start;
            while bytes.get(at).is_some_and(|byte| {
                !matches!(byte, b',' | b'}' | b']') && !byte.is_ascii_whitespace()
            }) {
                at += 1;
            }
            if at == start {
                Err(SignError::Malformed("empty value".into()))
            } else {
                Ok(at)
            }
        }
        None => Err(SignError::Malformed("missing value".into())),
    }
}

/// The string a V1 notification signature covers (payment notifications): every non-empty
/// field except `sign` and `sign_type`, sorted, values exactly as received.
pub fn notify_content_v1(form: &[(String, String)]) -> String {
    notify_content(form, &["sign", "sign_type"])
}

/// The string a V2 notification signature covers (gateway and 生活号 messages): as V1 but
/// `sign_type` stays.
pub fn notify_content_v2(form: &[(String, String)]) -> String {
    notify_content(form, &["sign"])
}

fn notify_content(form: &[(String, String)], left_out: &[&str]) -> String {
    let mut pairs: Vec<(&str, &str)> = form
        .iter()
        .filter(|(key, value)| !value.is_empty() && !left_out.contains(&key.as_str()))
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    pairs.sort_unstable();
    join_pairs(pairs.into_iter())
}

/// Whether an asynchronous notification (form fields decoded exactly once) was signed by the
/// holder of `key`: tried with the V1 rules, then V2, as Alipay's Node SDK does.
pub fn verify_notify(key: &PKey<Public>, form: &[(String, String)]) -> bool {
    let Some((_, sign)) = form.iter().find(|(name, _)| name == "sign") else {
        return false;
    };
    rsa2_verify(key, &notify_content_v1(form), sign)
        || rsa2_verify(key, &notify_content_v2(form), sign)
}

fn join_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut content = String::new();
    for (key, value) in pairs {
        if !content.is_empty() {
            content.push('&');
        }
        content.push_str(key);
        content.push('=');
        content.push_str(value);
    }
    content
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn the_string_to_sign_matches_the_gateways_own_echo() {
        let params: BTreeMap<String, String> = [
            ("version", "1.0"),
            ("timestamp", "2024-05-13 17:49:20"),
            ("sign_type", "RSA2"),
            ("method", "alipay.security.risk.content.analyze"),
            ("charset", "utf-8"),
            ("app_id", "2021000122671080"),
            ("sign", "left-out"),
            ("notify_url", ""),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();

        assert_eq!(
            sign_content(&params),
            "app_id=2021000122671080&charset=utf-8&method=alipay.security.risk.content.analyze\
             &sign_type=RSA2&timestamp=2024-05-13 17:49:20&version=1.0"
        );
    }

    #[test]
    fn a_signature_verifies_with_the_matching_public_key_only() {
        let (private, public) = generate_key_pair().expect("key pair");
        let (_, other_public) = generate_key_pair().expect("key pair");
        let content = "a=1&b=通办";

        let sign = rsa2_sign(&private, content).expect("signs");

        assert!(rsa2_verify(&public, content, &sign));
        assert!(!rsa2_verify(&public, "a=1&b=通", &sign));
        assert!(!rsa2_verify(&other_public, content, &sign));
        assert!(!rsa2_verify(&public, content, "not base64!"));
    }

    #[test]
    fn keys_load_from_pem_and_from_bare_base64() {
        let (private, public) = generate_key_pair().expect("key pair");
        let pkcs8 =
            String::from_utf8(private.private_key_to_pem_pkcs8().expect("pem")).expect("utf8");
        let pkcs1 = String::from_utf8(
            private
                .rsa()
                .expect("rsa")
                .private_key_to_pem()
                .expect("pem"),
        )
        .expect("utf8");
        let spki = String::from_utf8(public.public_key_to_pem().expect("pem")).expect("utf8");
        let bare: String = spki
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();

        let signed = rsa2_sign(&load_private_key(&pkcs8).expect("pkcs8"), "x").expect("signs");
        let signed_1 = rsa2_sign(&load_private_key(&pkcs1).expect("pkcs1"), "x").expect("signs");

        assert!(rsa2_verify(
            &load_public_key(&spki).expect("spki"),
            "x",
            &signed
        ));
        assert!(rsa2_verify(
            &load_public_key(&bare).expect("bare"),
            "x",
            &signed_1
        ));
        assert!(load_public_key("not a key").is_err());
        assert!(
            load_private_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .is_err()
        );
    }

    #[test]
    fn timestamps_are_beijing_time_whatever_the_servers_zone() {
        let instant: jiff::Timestamp = "2024-05-13T09:49:20Z".parse().expect("instant");

        assert_eq!(timestamp_gmt8(instant), "2024-05-13 17:49:20");
        assert_eq!(parse_timestamp_gmt8("2024-05-13 17:49:20"), Some(instant));
        assert_eq!(parse_timestamp_gmt8("2024-05-13T17:49:20"), None);
        assert_eq!(parse_timestamp_gmt8("2024-5-13 17:49:20"), None);
    }

    #[test]
    fn the_response_text_is_cut_verbatim_with_nested_objects_and_tricky_strings() {
        let inner = r#"{"code":"10000", "msg":"Success","z":{"a":[1,{"b":"}"}]},"q":"say \"}\" {","url":"https:\/\/x.cn\/a","n":12}"#;
        let body = format!(r#"{{"alipay_user_info_share_response":{inner},"sign":"c2lnbg=="}}"#);

        let (raw, sign, is_error) =
            extract_response(&body, "alipay.user.info.share").expect("extracted");

        assert_eq!(raw, inner);
        assert_eq!(sign.as_deref(), Some("c2lnbg=="));
        assert!(!is_error);
    }

    #[test]
    fn the_sign_may_come_first_and_whitespace_is_kept_inside_the_response() {
        let inner = "{ \"msg\" : \"Success\" ,\n \"code\":\"10000\" }";
        let body = format!("  {{ \"sign\" : \"abc\" , \"alipay_x_y_response\" : {inner} }}\n");

        let (raw, sign, _) = extract_response(&body, "alipay.x.y").expect("extracted");

        assert_eq!(raw, inner);
        assert_eq!(sign.as_deref(), Some("abc"));
    }

    #[test]
    fn an_error_response_is_recognised_and_may_carry_no_sign() {
        let inner = r#"{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"授权码code无效"}"#;
        let body = format!(r#"{{"error_response":{inner}}}"#);

        let (raw, sign, is_error) =
            extract_response(&body, "alipay.system.oauth.token").expect("extracted");

        assert_eq!(raw, inner);
        assert_eq!(sign, None);
        assert!(is_error);
    }

    #[test]
    fn a_duplicated_response_member_is_refused_even_when_spelled_with_escapes() {
        let plain = r#"{"alipay_a_b_response":{"code":"10000"},"alipay_a_b_response":{"code":"10000","x":"evil"},"sign":"s"}"#;
        let escaped = r#"{"alipay_a_b_response":{"code":"10000"},"alipay\u005fa_b_response":{"x":"evil"},"sign":"s"}"#;
        let both = r#"{"alipay_a_b_response":{"code":"10000"},"error_response":{"code":"40002"}}"#;
        let two_signs = r#"{"alipay_a_b_response":{"code":"10000"},"sign":"s","sign":"t"}"#;

        for body in [plain, escaped, both, two_signs] {
            assert!(
                matches!(
                    extract_response(body, "alipay.a.b"),
                    Err(SignError::DuplicateKey(_))
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn a_response_member_named_only_inside_a_nested_value_does_not_count() {
        let body = r#"{"other":{"alipay_a_b_response":{"code":"10000"}},"sign":"s"}"#;

        assert!(matches!(
            extract_response(body, "alipay.a.b"),
            Err(SignError::MissingResponse(_))
        ));
    }

    #[test]
    fn broken_bodies_are_malformed() {
        for body in [
            r#"{"alipay_a_b_response":{"code":"10000""#,
            r#"{"alipay_a_b_response":"encrypted"}"#,
            r#"{"alipay_a_b_response":{"code":"10000"}} trailing"#,
            r#"<html>502</html>"#,
        ] {
            assert!(
                matches!(
                    extract_response(body, "alipay.a.b"),
                    Err(SignError::Malformed(_))
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn notify_v1_leaves_out_sign_type_and_v2_keeps_it() {
        let fields = form(&[
            ("trade_status", "TRADE_SUCCESS"),
            ("sign", "x"),
            ("sign_type", "RSA2"),
            ("app_id", "2021"),
            ("passback_params", "a%3Db&c"),
            ("buyer_logon_id", ""),
        ]);

        assert_eq!(
            notify_content_v1(&fields),
            "app_id=2021&passback_params=a%3Db&c&trade_status=TRADE_SUCCESS"
        );
        assert_eq!(
            notify_content_v2(&fields),
            "app_id=2021&passback_params=a%3Db&c&sign_type=RSA2&trade_status=TRADE_SUCCESS"
        );
    }

    #[test]
    fn a_notification_verifies_under_v1_or_v2_and_not_after_a_change() {
        let (private, public) = generate_key_pair().expect("key pair");
        let mut v1 = form(&[
            ("notify_id", "n1"),
            ("sign_type", "RSA2"),
            ("total_amount", "9.00"),
        ]);
        let v1_sign = rsa2_sign(&private, &notify_content_v1(&v1)).expect("signs");
        v1.push(("sign".into(), v1_sign));
        let mut v2 = form(&[("msg_method", "alipay.x"), ("sign_type", "RSA2")]);
        let v2_sign = rsa2_sign(&private, &notify_content_v2(&v2)).expect("signs");
        v2.push(("sign".into(), v2_sign));
        let mut changed = v1.clone();
        changed[2].1 = "90.00".into();
        let unsigned = form(&[("notify_id", "n1")]);

        assert!(verify_notify(&public, &v1));
        assert!(verify_notify(&public, &v2));
        assert!(!verify_notify(&public, &changed));
        assert!(!verify_notify(&public, &unsigned));
    }
}
