//! Localization: the three languages Tongban speaks, Fluent bundles, and the rules that keep
//! right-to-left text readable.
//!
//! - [`Lang`] is the closed set of served locales, each with an explicit script subtag:
//!   `zh-Hans`, `ug-Arab`, `kk-Arab`. Kazakh is the Arabic-script Kazakh of Xinjiang; a
//!   Cyrillic (`kk-KZ`, `kk-Cyrl`) request never receives it (see [`negotiate`]).
//! - [`L10n`] holds one bundle per language, built once at start-up from the `.ftl` files that
//!   are compiled into the binary, and shared by every thread through an `Arc`.
//! - Plural selection goes through our `PLURAL()` function instead of Fluent's built-in numeric
//!   selector: the built-in one takes the concurrent memoizer's `Mutex` on every selection,
//!   ours reads immutable CLDR rules (figures in BENCHMARKS.md, `bench/i18n.rs`).
//! - Values are isolated with FSI/PDI in right-to-left text, including messages that are only a
//!   placeable, which Fluent itself leaves bare. Numbers that are identifiers are passed as text;
//!   money and dates are formatted by [`format`], not by Fluent.
//! - A message that fails to format falls back to zh-Hans, is logged and counted; a reader never
//!   sees `{$x}`.

pub mod format;
pub mod negotiate;

use std::{fmt, sync::Arc};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use fluent_syntax::ast;
use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use prometheus_client::metrics::{counter::Counter, family::Family};
use unic_langid::LanguageIdentifier;

/// First Strong Isolate and Pop Directional Isolate (Unicode bidi, UAX #9).
pub const FSI: char = '\u{2068}';
pub const PDI: char = '\u{2069}';

/// Marks a message id in the code, so the locale tests can find every id the code uses.
#[macro_export]
macro_rules! msg {
    ($id:literal) => {
        $id
    };
}

/// A language Tongban serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Mandarin in simplified characters: the default and the fallback.
    ZhHans,
    /// Uyghur in the Uyghur Arabic script (UEY).
    UgArab,
    /// Kazakh in the Arabic script used in Xinjiang.
    KkArab,
}

/// Writing direction of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::ZhHans, Lang::UgArab, Lang::KkArab];

    /// The BCP 47 tag sent in `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhHans => "zh-Hans",
            Lang::UgArab => "ug-Arab",
            Lang::KkArab => "kk-Arab",
        }
    }

    /// The language whose [`Lang::tag`] is exactly `tag`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.tag() == tag)
    }

    pub fn direction(self) -> Direction {
        match self {
            Lang::ZhHans => Direction::Ltr,
            Lang::UgArab | Lang::KkArab => Direction::Rtl,
        }
    }

    /// The language's name in its own script, as a language switcher shows it.
    pub fn autonym(self) -> &'static str {
        match self {
            Lang::ZhHans => "简体中文",
            Lang::UgArab => "ئۇيغۇرچە",
            Lang::KkArab => "قازاقشا",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The CLDR locale whose cardinal plural rules apply. Kazakh in Arabic script follows
    /// Kazakh's rules (CLDR's kk-Arab minimal pairs use one/other); CLDR 37 has no kk-Arab entry.
    fn plural_locale(self) -> LanguageIdentifier {
        let tag = match self {
            Lang::ZhHans => "zh",
            Lang::UgArab => "ug",
            Lang::KkArab => "kk",
        };
        tag.parse().unwrap_or_default()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// Whether `text` reads as Uyghur or Kazakh in Arabic script: no Chinese characters, and at
/// least four letters in five from the Arabic blocks (the rest may be codes such as a tax
/// credit level `A`).
pub fn mostly_arabic_script(text: &str) -> bool {
    let (mut arabic, mut letters) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}') {
            return false;
        }
        letters += 1;
        if matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
        {
            arabic += 1;
        }
    }
    letters > 0 && arabic * 5 >= letters * 4
}

/// Wraps `value` in FSI…PDI so that digits, dashes and Latin text keep their order inside
/// right-to-left text.
pub fn isolate(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 6);
    out.push(FSI);
    out.push_str(value);
    out.push(PDI);
    out
}

fn has_strong_rtl(value: &str) -> bool {
    value
        .chars()
        .any(|c| matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'))
}

/// The `.ftl` files compiled into the binary, per language. A test checks that this list and
/// the files under `locales/` are the same.
pub const RESOURCE_FILES: [&str; 8] = [
    "errors.ftl",
    "catalog.ftl",
    "identity.ftl",
    "records.ftl",
    "booking.ftl",
    "submit.ftl",
    "benefits.ftl",
    "push.ftl",
];

macro_rules! embed {
    ($lang:literal) => {
        [
            include_str!(concat!("../locales/", $lang, "/errors.ftl")),
            include_str!(concat!("../locales/", $lang, "/catalog.ftl")),
            include_str!(concat!("../locales/", $lang, "/identity.ftl")),
            include_str!(concat!("../locales/", $lang, "/records.ftl")),
            include_str!(concat!("../locales/", $lang, "/booking.ftl")),
            include_str!(concat!("../locales/", $lang, "/submit.ftl")),
            include_str!(concat!("../locales/", $lang, "/benefits.ftl")),
            include_str!(concat!("../locales/", $lang, "/push.ftl")),
        ]
    };
}

const EMBEDDED: [[&str; RESOURCE_FILES.len()]; 3] =
    [embed!("zh-Hans"), embed!("ug-Arab"), embed!("kk-Arab")];

/// A value passed into a message.
#[derive(Debug, Clone)]
enum ArgValue {
    /// Text, including numbers that are identifiers (ID numbers, phones, codes).
    Text(String),
    /// A count that can drive `PLURAL()`.
    Count(i64),
}

/// Arguments for one message. Values are given as text or as counts; money and dates are
/// formatted beforehand with [`format`].
#[derive(Debug, Clone, Default)]
pub struct Args {
    values: Vec<(&'static str, ArgValue)>,
}

impl Args {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.values.push((name, ArgValue::Text(value.into())));
        self
    }

    pub fn count(mut self, name: &'static str, value: i64) -> Self {
        self.values.push((name, ArgValue::Count(value)));
        self
    }

    fn to_fluent(&self, lang: Lang) -> FluentArgs<'static> {
        let mut args = FluentArgs::with_capacity(self.values.len());
        for (name, value) in &self.values {
            let value = match value {
                // ug/kk bundles isolate placeables themselves; zh-Hans text only needs it
                // around right-to-left values (a Uyghur name inside a Chinese sentence).
                ArgValue::Text(text) if lang == Lang::ZhHans && has_strong_rtl(text) => {
                    FluentValue::from(isolate(text))
                }
                ArgValue::Text(text) => FluentValue::from(text.clone()),
                ArgValue::Count(n) => FluentValue::from(*n),
            };
            args.set(*name, value);
        }
        args
    }
}

/// Why the bundles could not be built: a broken `.ftl` file or a duplicated message id.
#[derive(Debug, thiserror::Error)]
pub enum L10nError {
    #[error("{lang}/{file}: {problem}")]
    Resource {
        lang: Lang,
        file: &'static str,
        problem: String,
    },
}

/// Counter of messages that could not be formatted in the requested language.
pub type FallbackCounter = Family<Vec<(String, String)>, Counter>;

/// The localized messages of all three languages, shared by every request.
#[derive(Clone)]
pub struct L10n {
    inner: Arc<Inner>,
}

struct Inner {
    bundles: [FluentBundle<FluentResource>; 3],
    fallbacks: FallbackCounter,
}

impl fmt::Debug for L10n {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("L10n").finish_non_exhaustive()
    }
}

impl L10n {
    /// Builds the bundles from the `.ftl` files compiled into the binary. Any parse error or
    /// duplicated id is fatal: a broken message must never reach a reader as Junk.
    pub fn embedded() -> Result<Self, L10nError> {
        let sources = Lang::ALL.map(|lang| {
            RESOURCE_FILES
                .iter()
                .zip(EMBEDDED[lang.index()])
                .map(|(file, text)| (*file, text.to_string()))
                .collect::<Vec<_>>()
        });
        Self::from_sources(sources)
    }

    /// Builds the bundles from `(file name, FTL text)` pairs per language, in [`Lang::ALL`] order.
    pub fn from_sources(sources: [Vec<(&'static str, String)>; 3]) -> Result<Self, L10nError> {
        let mut bundles = Vec::with_capacity(3);
        for (lang, files) in Lang::ALL.into_iter().zip(sources) {
            bundles.push(build_bundle(lang, files)?);
        }
        let bundles: [FluentBundle<FluentResource>; 3] = match bundles.try_into() {
            Ok(bundles) => bundles,
            Err(_) => unreachable!("one bundle per language"),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                bundles,
                fallbacks: FallbackCounter::default(),
            }),
        })
    }

    /// The counter of fallbacks, to register with the metrics registry.
    pub fn fallback_counter(&self) -> FallbackCounter {
        self.inner.fallbacks.clone()
    }

    /// Formats message `id` in `lang`. If it is missing or fails there, the zh-Hans text is
    /// used, and the failure is logged and counted.
    pub fn format(&self, lang: Lang, id: &str, args: &Args) -> String {
        match self.try_format(lang, id, args) {
            Ok(text) => text,
            Err(problem) => {
                tracing::warn!(locale = %lang, message = id, %problem, "message fell back to zh-Hans");
                self.inner
                    .fallbacks
                    .get_or_create(&vec![
                        ("locale".to_string(), lang.tag().to_string()),
                        ("message".to_string(), id.to_string()),
                    ])
                    .inc();
                if lang == Lang::ZhHans {
                    return self.last_resort(id, args);
                }
                self.try_format(Lang::ZhHans, id, args)
                    .unwrap_or_else(|_| self.last_resort(id, args))
            }
        }
    }

    /// Like [`L10n::format`] but reports whether the message exists and formats cleanly.
    pub fn try_format(&self, lang: Lang, id: &str, args: &Args) -> Result<String, String> {
        let bundle = &self.inner.bundles[lang.index()];
        let message = bundle
            .get_message(id)
            .ok_or_else(|| format!("no message `{id}`"))?;
        let pattern = message
            .value()
            .ok_or_else(|| format!("message `{id}` has no value"))?;
        let fluent_args = args.to_fluent(lang);
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            return Err(format!("{errors:?}"));
        }
        // A message that is only `{ $x }` gets no marks from Fluent; a select expression is
        // message text, not a value, and is left alone.
        let only_a_placeable = matches!(
            pattern.elements.as_slice(),
            [ast::PatternElement::Placeable {
                expression: ast::Expression::Inline(_)
            }]
        );
        if only_a_placeable && lang.direction() == Direction::Rtl {
            return Ok(isolate(&text));
        }
        Ok(text.into_owned())
    }

    /// The zh-Hans text with unresolved placeables removed: used only when even zh-Hans fails,
    /// which the locale tests are there to prevent.
    fn last_resort(&self, id: &str, args: &Args) -> String {
        tracing::error!(
            message = id,
            "message cannot be formatted in zh-Hans either"
        );
        let bundle = &self.inner.bundles[Lang::ZhHans.index()];
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return String::new();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&args.to_fluent(Lang::ZhHans)), &mut errors);
        strip_placeholders(&text)
    }
}

fn strip_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn build_bundle(
    lang: Lang,
    files: Vec<(&'static str, String)>,
) -> Result<FluentBundle<FluentResource>, L10nError> {
    let tag: LanguageIdentifier = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // zh-Hans is left-to-right; its right-to-left values are isolated by `Args`.
    bundle.set_use_isolating(lang.direction() == Direction::Rtl);
    let rules =
        PluralRules::create(lang.plural_locale(), PluralRuleType::CARDINAL).map_err(|problem| {
            L10nError::Resource {
                lang,
                file: "-",
                problem: format!("no plural rules: {problem}"),
            }
        })?;
    bundle
        .add_function("PLURAL", move |positional, _named| {
            plural(&rules, positional)
        })
        .map_err(|err| L10nError::Resource {
            lang,
            file: "-",
            problem: format!("{err:?}"),
        })?;
    for (file, text) in files {
        let resource =
            FluentResource::try_new(text).map_err(|(_, errors)| L10nError::Resource {
                lang,
                file,
                problem: format!("{errors:?}"),
            })?;
        bundle
            .add_resource(resource)
            .map_err(|errors| L10nError::Resource {
                lang,
                file,
                problem: format!("{errors:?}"),
            })?;
    }
    Ok(bundle)
}

/// `PLURAL($n)`: the CLDR cardinal category of `$n` as a string (`one`, `other`, …), for use
/// as a selector. Reads immutable rules, so it takes no lock.
fn plural<'a>(rules: &PluralRules, positional: &[FluentValue<'a>]) -> FluentValue<'a> {
    let category = match positional.first() {
        Some(FluentValue::Number(n)) if n.value.fract() == 0.0 => rules.select(n.value as i64),
        Some(FluentValue::Number(n)) => rules.select(n.value),
        _ => Ok(PluralCategory::OTHER),
    };
    let name = match category.unwrap_or(PluralCategory::OTHER) {
        PluralCategory::ZERO => "zero",
        PluralCategory::ONE => "one",
        PluralCategory::TWO => "two",
        PluralCategory::FEW => "few",
        PluralCategory::MANY => "many",
        PluralCategory::OTHER => "other",
    };
    FluentValue::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_placeholders_removes_unresolved_references() {
        assert_eq!(strip_placeholders("共 {$n} 项"), "共  项");
    }

    #[test]
    fn isolate_wraps_in_fsi_and_pdi() {
        assert_eq!(isolate("2025-03-04"), "\u{2068}2025-03-04\u{2069}");
    }
}
