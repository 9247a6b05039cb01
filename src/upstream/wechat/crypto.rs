//! The message-push callback's cryptography (消息推送, platform-apis.md §1.8): the 3-value
//! `signature` WeChat puts on the URL check and on plain-mode pushes, the 4-value
//! `msg_signature` of secure mode, and the AES envelope of secure-mode bodies and encrypted
//! replies. Pure functions and one key holder, no I/O, so the push endpoint and the simulator
//! share exactly one implementation.
//!
//! The envelope is AES-256-CBC with the key decoded from the 43-character EncodingAESKey, the
//! IV being the key's first 16 bytes, PKCS#7 padding to **32**-byte blocks (not AES's 16), and
//! the plaintext `random(16) | msg_len (u32 big-endian) | msg | appid`.

use base64::{
    Engine, alphabet,
    engine::{GeneralPurpose, GeneralPurposeConfig, general_purpose::STANDARD},
};
use openssl::symm::{Cipher, Crypter, Mode};

/// WeChat pads to 32-byte blocks although AES works on 16.
const PAD_BLOCK: usize = 32;
const RANDOM_LEN: usize = 16;
const LEN_PREFIX: usize = 4;

/// EncodingAESKeys are random characters, so the last one usually carries non-zero trailing
/// bits that a strict base64 decoder refuses; WeChat (and wechatpy) ignore them.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Why a key could not be used or a push could not be opened. Carries no message content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The EncodingAESKey is not 43 characters of `[A-Za-z0-9]`.
    #[error("the EncodingAESKey must be 43 characters of [A-Za-z0-9]")]
    BadKey,
    /// The `Encrypt` value is not base64 of whole AES blocks.
    #[error("the encrypted message is not valid base64 of AES blocks")]
    BadBase64,
    /// Decryption produced garbage: wrong key, tampered ciphertext or a broken layout.
    #[error("the encrypted message could not be decrypted")]
    BadCiphertext,
    /// The message decrypted but was meant for another app.
    #[error("the encrypted message belongs to another appid")]
    AppIdMismatch,
}

/// `signature` of the URL check and of plain-mode pushes: sha1 hex over the lexicographically
/// sorted concatenation of token, timestamp and nonce.
pub fn signature(token: &str, timestamp: &str, nonce: &str) -> String {
    sorted_sha1(&mut [token, timestamp, nonce])
}

/// `msg_signature` of secure-mode pushes and `MsgSignature` of encrypted replies: the same
/// digest with the `Encrypt` value as a fourth part.
pub fn msg_signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    sorted_sha1(&mut [token, timestamp, nonce, encrypt])
}

/// Checks a `signature` in constant time.
pub fn verify_signature(token: &str, timestamp: &str, nonce: &str, given: &str) -> bool {
    constant_time_eq(&signature(token, timestamp, nonce), given)
}

/// Checks a `msg_signature` in constant time. Secure mode must be checked with this one, never
/// with [`verify_signature`], as WeChat's documentation insists.
pub fn verify_msg_signature(
    token: &str,
    timestamp: &str,
    nonce: &str,
    encrypt: &str,
    given: &str,
) -> bool {
    constant_time_eq(&msg_signature(token, timestamp, nonce, encrypt), given)
}

fn sorted_sha1(parts: &mut [&str]) -> String {
    parts.sort_unstable();
    hex::encode(openssl::sha::sha1(parts.concat().as_bytes()))
}

fn constant_time_eq(expected: &str, given: &str) -> bool {
    // The length of a sha1 hex digest is public, so an early return on it leaks nothing.
    let given = given.to_ascii_lowercase();
    expected.len() == given.len() && openssl::memcmp::eq(expected.as_bytes(), given.as_bytes())
}

/// The AES keys of one mini-program's message-push configuration.
#[derive(Clone)]
pub struct PushCrypto {
    current: [u8; 32],
    /// The key before the last rotation: pushes already in flight were sealed with it.
    previous: Option<[u8; 32]>,
    app_id: String,
}

impl std::fmt::Debug for PushCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushCrypto")
            .field("app_id", &self.app_id)
            .field("has_previous", &self.previous.is_some())
            .finish_non_exhaustive()
    }
}

impl PushCrypto {
    /// Decodes the current EncodingAESKey and, if given and not empty, the one before the last
    /// rotation (the configuration holds an empty string when there is none).
    pub fn new(
        encoding_aes_key: &str,
        previous: Option<&str>,
        app_id: &str,
    ) -> Result<Self, CryptoError> {
        let previous = match previous {
            Some(key) if !key.is_empty() => Some(decode_key(key)?),
            _ => None,
        };
        Ok(Self {
            current: decode_key(encoding_aes_key)?,
            previous,
            app_id: app_id.to_string(),
        })
    }

    /// Opens a secure-mode `Encrypt` value and returns the message, trying the previous key when
    /// the current one fails. The current key's error is reported when both fail.
    pub fn decrypt(&self, encrypt_b64: &str) -> Result<String, CryptoError> {
        let sealed = STANDARD
            .decode(encrypt_b64.trim())
            .map_err(|_| CryptoError::BadBase64)?;
        if sealed.is_empty() || sealed.len() % 16 != 0 {
            return Err(CryptoError::BadBase64);
        }
        match open(&self.current, &sealed, &self.app_id) {
            Ok(msg) => Ok(msg),
            Err(err) => match &self.previous {
                Some(previous) => open(previous, &sealed, &self.app_id).map_err(|_| err),
                None => Err(err),
            },
        }
    }

    /// Seals a message with the current key, for encrypted replies and for the simulator's
    /// pushes. `random16` comes from the caller so that tests can reproduce official vectors.
    pub fn encrypt(&self, msg: &str, random16: [u8; 16]) -> String {
        let mut plain = Vec::with_capacity(msg.len() + self.app_id.len() + 2 * PAD_BLOCK);
        plain.extend_from_slice(&random16);
        // A message over 4 GiB cannot reach here: push bodies are limited far below that.
        plain.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        plain.extend_from_slice(msg.as_bytes());
        plain.extend_from_slice(self.app_id.as_bytes());
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.resize(plain.len() + pad, pad as u8);
        match aes_cbc(Mode::Encrypt, &self.current, &plain) {
            Some(sealed) => STANDARD.encode(sealed),
            None => unreachable!("AES-256-CBC over whole blocks with a 32-byte key cannot fail"),
        }
    }
}

fn decode_key(encoding_aes_key: &str) -> Result<[u8; 32], CryptoError> {
    if encoding_aes_key.len() != 43 || !encoding_aes_key.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(CryptoError::BadKey);
    }
    let bytes = LENIENT_BASE64
        .decode(format!("{encoding_aes_key}="))
        .map_err(|_| CryptoError::BadKey)?;
    bytes.try_into().map_err(|_| CryptoError::BadKey)
}

fn open(key: &[u8; 32], sealed: &[u8], app_id: &str) -> Result<String, CryptoError> {
    let plain = aes_cbc(Mode::Decrypt, key, sealed).ok_or(CryptoError::BadCiphertext)?;
    let pad = usize::from(*plain.last().ok_or(CryptoError::BadCiphertext)?);
    if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
        return Err(CryptoError::BadCiphertext);
    }
    let (body, padding) = plain.split_at(plain.len() - pad);
    if padding.iter().any(|&b| usize::from(b) != pad) || body.len() < RANDOM_LEN + LEN_PREFIX {
        return Err(CryptoError::BadCiphertext);
    }
    let (len_bytes, rest) = body[RANDOM_LEN..].split_at(LEN_PREFIX);
    let msg_len = u32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
    let msg_len = usize::try_from(msg_len).map_err(|_| CryptoError::BadCiphertext)?;
    if msg_len > rest.len() {
        return Err(CryptoError::BadCiphertext);
    }
    let (msg, from_app) = rest.split_at(msg_len);
    let msg = std::str::from_utf8(msg).map_err(|_| CryptoError::BadCiphertext)?;
    if from_app != app_id.as_bytes() {
        return Err(CryptoError::AppIdMismatch);
    }
    Ok(msg.to_string())
}

/// AES-256-CBC over whole blocks, IV = key[0..16], OpenSSL's own padding off (WeChat's is 32-byte
/// PKCS#7, done by the callers). `None` only if OpenSSL refuses, which whole blocks never cause.
fn aes_cbc(mode: Mode, key: &[u8; 32], data: &[u8]) -> Option<Vec<u8>> {
    let cipher = Cipher::aes_256_cbc();
    let mut crypter = Crypter::new(cipher, mode, key, Some(&key[..16])).ok()?;
    crypter.pad(false);
    let mut out = vec![0; data.len() + cipher.block_size()];
    let written = crypter.update(data, &mut out).ok()?;
    let finished = crypter.finalize(&mut out[written..]).ok()?;
    out.truncate(written + finished);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "AAAAA";
    const APP_ID: &str = "wxba5fad812f8e6fb9";
    const ALL_A_KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const PUSH_ENCRYPT: &str = "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=";
    const PUSH_MSG: &str = r#"{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}"#;
    const REPLY_ENCRYPT: &str =
        "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==";

    fn official() -> PushCrypto {
        PushCrypto::new(ALL_A_KEY, None, APP_ID).expect("the official key is valid")
    }

    #[test]
    fn the_official_url_check_signature_matches() {
        let sig = signature(TOKEN, "1714036504", "1514711492");
        assert_eq!(sig, "f464b24fc39322e44b38aa78f5edd27bd1441696");
        assert!(verify_signature(TOKEN, "1714036504", "1514711492", &sig));
        assert!(!verify_signature(TOKEN, "1714036505", "1514711492", &sig));
    }

    #[test]
    fn the_official_plain_push_signature_matches() {
        assert_eq!(
            signature(TOKEN, "1714037059", "486452656"),
            "899cf89e464efb63f54ddac96b0a0a235f53aa78"
        );
        assert!(verify_signature(
            TOKEN,
            "1714037059",
            "486452656",
            "899CF89E464EFB63F54DDAC96B0A0A235F53AA78"
        ));
        assert!(!verify_signature(
            TOKEN,
            "1714037059",
            "486452656",
            "899cf8"
        ));
    }

    #[test]
    fn the_official_secure_push_msg_signature_matches() {
        let sig = msg_signature(TOKEN, "1714112445", "415670741", PUSH_ENCRYPT);
        assert_eq!(sig, "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3");
        assert!(verify_msg_signature(
            TOKEN,
            "1714112445",
            "415670741",
            PUSH_ENCRYPT,
            &sig
        ));
        assert!(!verify_signature(TOKEN, "1714112445", "415670741", &sig));
    }

    #[test]
    fn the_official_secure_push_decrypts_to_the_exact_message_and_appid() {
        assert_eq!(official().decrypt(PUSH_ENCRYPT), Ok(PUSH_MSG.to_string()));
        // The layout itself, checked byte by byte rather than through `open`.
        let plain = aes_cbc(
            Mode::Decrypt,
            &[0; 32],
            &STANDARD.decode(PUSH_ENCRYPT).expect("vector is base64"),
        )
        .expect("whole blocks");
        assert_eq!(&plain[..16], b"a8eedb185eb2fecf");
        assert_eq!(
            u32::from_be_bytes([plain[16], plain[17], plain[18], plain[19]]),
            167
        );
        assert_eq!(&plain[20 + 167..20 + 167 + APP_ID.len()], APP_ID.as_bytes());
    }

    #[test]
    fn the_official_encrypted_reply_reproduces_its_ciphertext_and_msg_signature() {
        let crypto = official();
        let random: [u8; 16] = *b"707722b803182950";
        let sealed = crypto.encrypt(r#"{"demo_resp":"good luck"}"#, random);
        assert_eq!(sealed, REPLY_ENCRYPT);
        assert_eq!(
            msg_signature(TOKEN, "1713424427", "415670741", &sealed),
            "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1"
        );
        assert_eq!(
            crypto.decrypt(REPLY_ENCRYPT),
            Ok(r#"{"demo_resp":"good luck"}"#.to_string())
        );
    }

    #[test]
    fn encrypting_a_decrypted_message_round_trips() {
        let crypto = official();
        let msg = crypto.decrypt(PUSH_ENCRYPT).expect("official vector");
        let resealed = crypto.encrypt(&msg, *b"a8eedb185eb2fecf");
        assert_eq!(resealed, PUSH_ENCRYPT);
        let crypto = PushCrypto::new("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", None, "wx1")
            .expect("key with trailing bits is accepted");
        let text = "ئەسسالامۇ ئەلەيكۇم, 你好";
        assert_eq!(
            crypto.decrypt(&crypto.encrypt(text, [7; 16])),
            Ok(text.to_string())
        );
    }

    #[test]
    fn a_message_for_another_appid_is_refused() {
        let other = PushCrypto::new(ALL_A_KEY, None, "wx0000000000000000").expect("valid key");
        assert_eq!(other.decrypt(PUSH_ENCRYPT), Err(CryptoError::AppIdMismatch));
    }

    #[test]
    fn a_tampered_ciphertext_is_refused() {
        let mut sealed = STANDARD.decode(PUSH_ENCRYPT).expect("vector is base64");
        let last = sealed.len() - 1;
        sealed[last] ^= 0x01;
        assert!(official().decrypt(&STANDARD.encode(&sealed)).is_err());
        assert_eq!(
            official().decrypt("not base64!"),
            Err(CryptoError::BadBase64)
        );
        assert_eq!(official().decrypt("QUJD"), Err(CryptoError::BadBase64));
    }

    #[test]
    fn a_push_sealed_with_the_previous_key_still_opens_after_rotation() {
        let old = PushCrypto::new(ALL_A_KEY, None, APP_ID).expect("valid key");
        let sealed = old.encrypt("before rotation", [1; 16]);
        let new_key = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
        let rotated = PushCrypto::new(new_key, Some(ALL_A_KEY), APP_ID).expect("valid keys");
        assert_eq!(rotated.decrypt(&sealed), Ok("before rotation".to_string()));
        let without_previous = PushCrypto::new(new_key, Some(""), APP_ID).expect("valid key");
        assert!(without_previous.decrypt(&sealed).is_err());
    }

    #[test]
    fn keys_that_are_not_43_alphanumerics_are_refused() {
        for key in ["", "AAAA", &"A".repeat(44), &format!("{}+", "A".repeat(42))] {
            assert_eq!(
                PushCrypto::new(key, None, APP_ID).err(),
                Some(CryptoError::BadKey)
            );
        }
        assert_eq!(
            PushCrypto::new(ALL_A_KEY, Some("short"), APP_ID).err(),
            Some(CryptoError::BadKey)
        );
    }
}
