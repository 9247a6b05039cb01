//! Conditional requests for shared data (catalog, themes, bundles): a weak `ETag` per localized
//! representation, and `If-None-Match` answered with 304 (RFC 9110 §8.8.3, §13.1.2).

use crate::domain::cache::Fnv1a;

/// A weak validator of a localized response: the data's fingerprint, the request's language
/// and parameters, and the build (messages and shapes change with it).
pub fn etag(fingerprint: u64, parts: &[&str]) -> String {
    use std::hash::Hasher;
    let mut hash = Fnv1a::from_hash(fingerprint ^ 0x9e37_79b9_7f4a_7c15);
    for part in parts.iter().copied().chain([super::VERSION]) {
        // With a separator, so ("ab", "c") and ("a", "bc") differ.
        hash.write(part.as_bytes());
        hash.write(&[0x1f]);
    }
    format!("W/\"{:016x}\"", hash.finish())
}

/// `If-None-Match` (a list, or `*`) against our tag, by weak comparison.
pub fn matches_etag(if_none_match: Option<&str>, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    if_none_match.is_some_and(|header| {
        header.trim() == "*" || header.split(',').any(|c| opaque(c) == opaque(tag))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_etag_changes_with_the_data_and_the_language_and_matches_weakly() {
        let tag = etag(1, &["zh-Hans"]);
        assert_ne!(tag, etag(2, &["zh-Hans"]));
        assert_ne!(tag, etag(1, &["ug-Arab"]));
        assert_ne!(etag(1, &["ab", "c"]), etag(1, &["a", "bc"]));
        assert!(matches_etag(Some(&tag), &tag));
        assert!(matches_etag(
            Some(&format!("\"x\", {}", tag.trim_start_matches("W/"))),
            &tag
        ));
        assert!(matches_etag(Some("*"), &tag));
        assert!(!matches_etag(Some("W/\"0\""), &tag));
        assert!(!matches_etag(None, &tag));
    }
}
