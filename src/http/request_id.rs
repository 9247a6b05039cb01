//! Request ids: taken from `X-Request-Id` when the client or a proxy sent a sane one, generated
//! otherwise; echoed on the response, put on every log line and into every problem body.

use std::fmt;

pub const HEADER: &str = "x-request-id";

/// Identifies one request across logs, responses and upstream calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// Accepts 1–128 characters of `[A-Za-z0-9._:-]`; anything else is replaced by a fresh id
    /// so that a client cannot inject text into logs.
    pub fn from_header(value: Option<&str>) -> Self {
        match value {
            Some(v)
                if !v.is_empty()
                    && v.len() <= 128
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b)) =>
            {
                Self(v.to_string())
            }
            _ => Self::generate(),
        }
    }

    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_incoming_id_is_kept_and_anything_else_replaced() {
        assert_eq!(RequestId::from_header(Some("abc-123")).as_str(), "abc-123");
        let replaced = RequestId::from_header(Some("bad id\nINFO forged line"));
        assert_eq!(replaced.as_str().len(), 32);
        assert_eq!(
            RequestId::from_header(Some(&"a".repeat(129)))
                .as_str()
                .len(),
            32
        );
    }
}
