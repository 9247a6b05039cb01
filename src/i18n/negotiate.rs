//! Language negotiation: one function for every entry point.
//!
//! Order: the explicit `lang` query parameter, then the signed-in person's saved choice, then
//! `Accept-Language` (q-values honoured, `q=0` dropped, WeChat's `zh_CN` style accepted,
//! `-u-`/`-x-` extensions ignored), then zh-Hans.
//!
//! A tag matches only if its likely script is ours: `ug`/`ug-CN` → `ug-Arab`, `kk-CN`/`kk-Arab`
//! → `kk-Arab`, `zh`/`zh-CN`/`zh_CN` → `zh-Hans`. `kk`, `kk-KZ` and `kk-Cyrl` maximize to
//! Cyrillic Kazakh and `zh-TW` to traditional characters: they match nothing here and fall to
//! the next preference, so a reader of Cyrillic never receives Arabic-script text. Only the
//! explicit `lang` parameter, where the client picked from our own list, accepts a bare `kk`.

use std::str::FromStr;

use unic_langid::LanguageIdentifier;

use super::Lang;

/// Picks the language for one request.
pub fn negotiate(
    explicit: Option<&str>,
    saved: Option<Lang>,
    accept_language: Option<&str>,
) -> Lang {
    explicit
        .and_then(explicit_choice)
        .or(saved)
        .or_else(|| {
            accept_language.and_then(|header| {
                preferences(header)
                    .into_iter()
                    .find_map(|tag| match_tag(&tag))
            })
        })
        .unwrap_or(Lang::ZhHans)
}

/// A language chosen by the client from our list: a bare language subtag names our variant.
pub fn explicit_choice(value: &str) -> Option<Lang> {
    match value.trim().to_ascii_lowercase().as_str() {
        "zh" => Some(Lang::ZhHans),
        "ug" => Some(Lang::UgArab),
        "kk" => Some(Lang::KkArab),
        _ => match_tag(value),
    }
}

/// Matches one language tag against the served languages by likely script.
pub fn match_tag(tag: &str) -> Option<Lang> {
    let mut id = parse_tag(tag)?;
    id.maximize();
    let script = id.script?;
    match (id.language.as_str(), script.as_str()) {
        ("zh", "Hans") => Some(Lang::ZhHans),
        ("ug", "Arab") => Some(Lang::UgArab),
        ("kk", "Arab") => Some(Lang::KkArab),
        _ => None,
    }
}

/// Parses a tag, accepting `_` separators and dropping extensions and private use
/// (`zh-CN-u-ca-chinese` → `zh-CN`), which `LanguageIdentifier` does not accept.
fn parse_tag(tag: &str) -> Option<LanguageIdentifier> {
    let normalized = tag.trim().replace('_', "-");
    let base = normalized
        .split('-')
        .take_while(|subtag| subtag.len() != 1)
        .collect::<Vec<_>>()
        .join("-");
    if base.is_empty() || base == "*" {
        return None;
    }
    LanguageIdentifier::from_str(&base).ok()
}

/// The tags of an `Accept-Language` header, most preferred first. Entries with `q=0` or an
/// unreadable q-value are dropped; equal q-values keep the header's order.
pub fn preferences(header: &str) -> Vec<String> {
    let mut entries: Vec<(String, u16)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            if tag.is_empty() {
                return None;
            }
            let mut weight = 1000;
            for param in parts {
                let (key, value) = param.split_once('=')?;
                if key.trim().eq_ignore_ascii_case("q") {
                    weight = parse_q(value.trim())?;
                }
            }
            (weight > 0).then(|| (tag.to_string(), weight))
        })
        .collect();
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    entries.into_iter().map(|(tag, _)| tag).collect()
}

/// An RFC 9110 qvalue in thousandths.
fn parse_q(value: &str) -> Option<u16> {
    let q: f32 = value.parse().ok()?;
    (0.0..=1.0)
        .contains(&q)
        .then_some((q * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_tags_in_every_spelling_reach_zh_hans() {
        for tag in ["zh", "zh-CN", "zh_CN", "zh-Hans", "zh-Hans-CN", "ZH-cn"] {
            assert_eq!(match_tag(tag), Some(Lang::ZhHans), "{tag}");
        }
    }

    #[test]
    fn uyghur_and_chinese_kazakh_match_the_arabic_script_locales() {
        assert_eq!(match_tag("ug"), Some(Lang::UgArab));
        assert_eq!(match_tag("ug_CN"), Some(Lang::UgArab));
        assert_eq!(match_tag("kk-CN"), Some(Lang::KkArab));
        assert_eq!(match_tag("kk-Arab"), Some(Lang::KkArab));
    }

    #[test]
    fn cyrillic_kazakh_and_other_scripts_never_match() {
        for tag in [
            "kk", "kk-KZ", "kk-Cyrl", "ug-Latn", "ug-Cyrl", "zh-TW", "zh-Hant", "en", "*", "",
        ] {
            assert_eq!(match_tag(tag), None, "{tag}");
        }
    }

    #[test]
    fn accept_language_honours_q_values_and_drops_q_zero() {
        assert_eq!(
            preferences("en;q=0.5, ug;q=0.9, kk-CN;q=0"),
            vec!["ug", "en"]
        );
        assert_eq!(
            negotiate(None, None, Some("en;q=0.5, ug;q=0.9")),
            Lang::UgArab
        );
        assert_eq!(
            negotiate(None, None, Some("ug;q=0, kk-CN;q=0.2")),
            Lang::KkArab
        );
    }

    #[test]
    fn extensions_and_wildcards_are_ignored() {
        assert_eq!(match_tag("ug-CN-u-nu-arabext"), Some(Lang::UgArab));
        assert_eq!(
            negotiate(None, None, Some("*;q=1, kk-CN;q=0.5")),
            Lang::KkArab
        );
    }

    #[test]
    fn kazakhstan_kazakh_gets_zh_hans() {
        assert_eq!(negotiate(None, None, Some("kk-KZ")), Lang::ZhHans);
        assert_eq!(
            negotiate(None, None, Some("kk-Cyrl, kk;q=0.8")),
            Lang::ZhHans
        );
    }

    #[test]
    fn explicit_choice_beats_saved_choice_beats_header() {
        assert_eq!(
            negotiate(Some("kk"), Some(Lang::UgArab), Some("zh-CN")),
            Lang::KkArab
        );
        assert_eq!(
            negotiate(None, Some(Lang::UgArab), Some("kk-CN")),
            Lang::UgArab
        );
        assert_eq!(negotiate(Some("xx"), None, Some("ug")), Lang::UgArab);
        assert_eq!(negotiate(None, None, None), Lang::ZhHans);
    }

    #[test]
    fn malformed_headers_fall_back_without_panicking() {
        for header in [";;;", "q=1", ",,,", "ug;q=abc", "ug;q=2", "\u{0}"] {
            let _ = negotiate(None, None, Some(header));
        }
        assert_eq!(negotiate(None, None, Some("ug;q=abc, kk-CN")), Lang::KkArab);
    }
}
