//! Subscription messages (订阅消息) beyond the send call itself: the value rules of each
//! template field type, a helper that makes a value fit its field, and (in `events`) the
//! result events WeChat pushes afterwards.
//!
//! Every template key is a type prefix plus a number (`thing1`, `phrase2`,
//! `character_string10`); the prefix decides what WeChat accepts in the value and it answers
//! 47003 `argument invalid! data.<key>.value invalid` for anything else (platform-apis.md §1.4,
//! from blog copies of the official "参数值内容限制说明" table: blog.bitefu.net/post/660.html,
//! blog.csdn.net/wwwwrrrrwr/article/details/128147589). The simulator checks values with
//! [`FieldKind::accepts`], so the rules live in exactly one place.
//!
//! **UNVERIFIED**: how WeChat counts characters (this code counts Unicode scalar values, which
//! equals UTF-16 units for all Chinese, Uyghur and Kazakh letters in the Basic Multilingual
//! Plane); whether `name`'s "letters" include Arabic-script letters (taken as Latin only, so
//! Uyghur and Kazakh names do not fit `name`); whether spaces are allowed in Latin names
//! (allowed); whether `amount` requires its currency symbol (taken as optional).

mod events;
#[cfg(test)]
mod tests;

pub use events::{SubscribeEvent, parse_subscribe_events};

/// The type of a template field, named by the prefix of its key (`thing3` is a
/// [`FieldKind::Thing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// 事物: any text, at most 20 characters.
    Thing,
    /// 数字: at most 32 digits, a decimal point allowed.
    Number,
    /// 字母: at most 32 Latin letters.
    Letter,
    /// 符号: at most 5 symbols (neither Chinese, letters nor digits).
    Symbol,
    /// 字符串: at most 32 digits, Latin letters or symbols.
    CharacterString,
    /// 时间: a 24-hour time, optionally after a date; ranges joined with `~`.
    Time,
    /// 日期: a date, optionally followed by a 24-hour time; ranges joined with `~`.
    Date,
    /// 金额: an optional currency symbol, at most 10 integer digits, decimals, optional `元`.
    Amount,
    /// 电话: at most 17 digits and symbols.
    PhoneNumber,
    /// 车牌: at most 8 characters; the first and last may be Chinese, the rest letters or digits.
    CarNumber,
    /// 姓名: at most 10 characters with Chinese in them, or 20 Latin letters and symbols.
    Name,
    /// 汉字: at most 5 Chinese characters and nothing else.
    Phrase,
    /// 枚举值: one of the values enumerated for the template (known to WeChat only).
    Enum,
}

const THING_MAX: usize = 20;
/// How far back from the cut a space may be for a `thing` to be cut between words.
const WORD_CUT_WINDOW: usize = 8;
const ELLIPSIS: char = '…';
const CURRENCY_SYMBOLS: &[char] = &['¥', '￥', '$', '€', '£'];

impl FieldKind {
    /// The kind named by `key`'s prefix; `None` for a key that is not a WeChat field type.
    pub fn of_key(key: &str) -> Option<Self> {
        let prefix = key.trim_end_matches(|c: char| c.is_ascii_digit());
        Some(match prefix {
            "thing" => Self::Thing,
            "number" => Self::Number,
            "letter" => Self::Letter,
            "symbol" => Self::Symbol,
            "character_string" => Self::CharacterString,
            "time" => Self::Time,
            "date" => Self::Date,
            "amount" => Self::Amount,
            "phone_number" => Self::PhoneNumber,
            "car_number" => Self::CarNumber,
            "name" => Self::Name,
            "phrase" => Self::Phrase,
            "enum" => Self::Enum,
            _ => return None,
        })
    }

    /// Whether WeChat accepts `value` for a field of this kind. For [`FieldKind::Enum`] only
    /// the shape is checked: the enumerated values belong to the template.
    pub fn accepts(self, value: &str) -> bool {
        if value.is_empty() || value.chars().any(char::is_control) {
            return false;
        }
        let count = value.chars().count();
        match self {
            Self::Thing => count <= THING_MAX,
            Self::Number => is_number(value),
            Self::Letter => count <= 32 && value.chars().all(|c| c.is_ascii_alphabetic()),
            Self::Symbol => count <= 5 && value.chars().all(is_symbol),
            Self::CharacterString => {
                count <= 32
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || is_symbol(c))
            }
            Self::Time => is_range(value, is_time_point),
            Self::Date => is_range(value, is_date_point),
            Self::Amount => is_amount(value),
            Self::PhoneNumber => {
                count <= 17 && value.chars().all(|c| c.is_ascii_digit() || is_symbol(c))
            }
            Self::CarNumber => is_car_number(value),
            Self::Name => is_name(value),
            Self::Phrase => count <= 5 && value.chars().all(is_chinese),
            Self::Enum => value.trim() == value,
        }
    }
}

/// Whether WeChat accepts `value` for the template key `key` (false for keys that name no
/// field type).
pub fn value_fits(key: &str, value: &str) -> bool {
    FieldKind::of_key(key).is_some_and(|kind| kind.accepts(value))
}

/// `value` made to fit the field type named by `key`'s prefix, or `None` when it cannot be
/// without changing what it says.
///
/// Whitespace is tidied first (control characters and runs of spaces become one space, ends
/// trimmed). A `thing` longer than 20 characters is cut to 19 plus `…`, between words when a
/// space is near the cut (Uyghur and Kazakh text has spaces; Chinese has none). Numbers and
/// amounts lose thousands separators, dates and times lose an ISO `T` and fractional seconds,
/// phone and car numbers lose spaces. Names, phrases, identifiers and numbers are never cut:
/// a shortened name or case number would be wrong, so they come back `None` when too long.
/// Enumerated values cannot be checked here and come back tidied.
pub fn fit_value(key: &str, value: &str) -> Option<String> {
    let kind = FieldKind::of_key(key)?;
    let tidy = tidy(value);
    let fitted = match kind {
        FieldKind::Thing => cut_thing(&tidy),
        FieldKind::Number | FieldKind::Amount => without_spaces(&tidy).replace(',', ""),
        FieldKind::Time | FieldKind::Date => iso_to_plain(&tidy),
        FieldKind::PhoneNumber => without_spaces(&tidy),
        FieldKind::CarNumber => without_spaces(&tidy).replace('·', "").to_ascii_uppercase(),
        _ => tidy,
    };
    kind.accepts(&fitted).then_some(fitted)
}

fn tidy(value: &str) -> String {
    value
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn without_spaces(value: &str) -> String {
    value.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `2025-03-01T10:00:00.123` → `2025-03-01 10:00:00`. A time-zone suffix is left in place
/// (and then refused): the caller must give local time.
fn iso_to_plain(value: &str) -> String {
    let mut plain = value.replacen('T', " ", 1);
    if let Some(dot) = plain.rfind('.')
        && plain[..dot].ends_with(|c: char| c.is_ascii_digit())
        && plain[..dot]
            .rsplit(' ')
            .next()
            .is_some_and(|t| t.contains(':'))
        && plain[dot + 1..].chars().all(|c| c.is_ascii_digit())
    {
        plain.truncate(dot);
    }
    plain
}

fn cut_thing(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= THING_MAX {
        return value.to_string();
    }
    let keep = THING_MAX - 1;
    let cut = if chars[keep].is_whitespace() {
        keep
    } else {
        chars[..keep]
            .iter()
            .rposition(|c| c.is_whitespace())
            .filter(|&space| space > 0 && space + WORD_CUT_WINDOW >= keep)
            .unwrap_or(keep)
    };
    let mut head: String = chars[..cut].iter().collect();
    // A cut must not leave a joiner, a lone combining mark or a comma before the ellipsis.
    while head.ends_with(|c: char| {
        c.is_whitespace()
            || is_joiner_or_mark(c)
            || matches!(c, '，' | '、' | ',' | '；' | ';' | '،' | '؛')
    }) {
        head.pop();
    }
    head.push(ELLIPSIS);
    head
}

fn is_joiner_or_mark(c: char) -> bool {
    matches!(c,
        '\u{200C}' | '\u{200D}'
        | '\u{0300}'..='\u{036F}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}')
}

/// A Chinese character (CJK unified ideographs, extensions A and B, compatibility ideographs).
fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{F900}'..='\u{FAFF}')
}

/// "符号": anything printable that is neither a letter nor a digit of any script, nor a space.
fn is_symbol(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()
}

fn is_number(value: &str) -> bool {
    let (int, frac) = match value.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (value, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits) && int.len() + frac.map_or(0, str::len) <= 32
}

fn is_amount(value: &str) -> bool {
    let value = value.strip_suffix('元').unwrap_or(value);
    let value = value.strip_prefix(CURRENCY_SYMBOLS).unwrap_or(value);
    let int = value.split_once('.').map_or(value, |(int, _)| int);
    is_number(value) && int.len() <= 10
}

fn is_car_number(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    let Some((first, rest)) = chars.split_first() else {
        return false;
    };
    let edge = |c: &char| c.is_ascii_alphanumeric() || is_chinese(*c);
    let (last, middle) = rest.split_last().unwrap_or((first, &[]));
    chars.len() <= 8 && edge(first) && edge(last) && middle.iter().all(char::is_ascii_alphanumeric)
}

fn is_name(value: &str) -> bool {
    let count = value.chars().count();
    let latin_or_symbol = |c: char| c.is_ascii_alphabetic() || c == ' ' || is_symbol(c);
    if value.chars().any(is_chinese) {
        // Mixed Chinese and letters counts as a Chinese name.
        count <= 10 && value.chars().all(|c| is_chinese(c) || latin_or_symbol(c))
    } else {
        count <= 20 && value.chars().all(latin_or_symbol) && value.chars().any(|c| c != ' ')
    }
}

fn is_range(value: &str, point: fn(&str) -> bool) -> bool {
    let mut parts = value.split('~');
    let first = parts.next().map(str::trim).unwrap_or_default();
    let second = parts.next().map(str::trim);
    parts.next().is_none() && point(first) && second.is_none_or(point)
}

/// A date, optionally followed by a time.
fn is_date_point(value: &str) -> bool {
    let Some(used) = date_len(value) else {
        return false;
    };
    let rest = &value[used..];
    rest.is_empty() || time_len(rest.trim_start()) == Some(rest.trim_start().len())
}

/// A time, optionally preceded by a date.
fn is_time_point(value: &str) -> bool {
    if time_len(value) == Some(value.len()) {
        return true;
    }
    let Some(used) = date_len(value) else {
        return false;
    };
    let rest = value[used..].trim_start();
    time_len(rest) == Some(rest.len())
}

/// The leading run of ASCII digits (at most 4): its value and its length in bytes.
fn digits(s: &str) -> Option<(u32, usize)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > 4 {
        return None;
    }
    Some((s[..len].parse().ok()?, len))
}

fn is_month(m: u32) -> bool {
    (1..=12).contains(&m)
}

fn is_day(d: u32) -> bool {
    (1..=31).contains(&d)
}

/// Length of the date at the start of `s`: `y年m月d日`, `y年m月`, `m月d日`, or the same with
/// `-`, `/` or `.` between the numbers (`2018-01-01`, `2018-01`, `01-01`).
fn date_len(s: &str) -> Option<usize> {
    let (first, first_len) = digits(s)?;
    let rest = &s[first_len..];
    if let Some(after_year) = rest.strip_prefix('年') {
        (first_len == 4).then_some(())?;
        let (month, month_len) = digits(after_year).filter(|(m, _)| is_month(*m))?;
        let after_month = after_year[month_len..].strip_prefix('月')?;
        let used = s.len() - after_month.len();
        return match digits(after_month) {
            Some((day, day_len)) if after_month[day_len..].starts_with('日') => {
                is_day(day).then_some(used + day_len + '日'.len_utf8())
            }
            _ => Some(used).filter(|_| is_month(month)),
        };
    }
    if let Some(after_month) = rest.strip_prefix('月') {
        let (day, day_len) = digits(after_month)?;
        let after_day = after_month[day_len..].strip_prefix('日')?;
        return (first_len <= 2 && is_month(first) && is_day(day))
            .then_some(s.len() - after_day.len());
    }
    let sep = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '/' | '.'))?;
    let (second, second_len) = digits(&rest[1..]).filter(|(_, len)| *len <= 2)?;
    let used = first_len + 1 + second_len;
    if first_len == 4 {
        // A year first: the month, then an optional day after the same separator.
        is_month(second).then_some(())?;
        if let Some(after) = s[used..].strip_prefix(sep)
            && let Some((day, day_len)) = digits(after).filter(|(_, len)| *len <= 2)
        {
            return is_day(day).then_some(used + 1 + day_len);
        }
        return Some(used);
    }
    (first_len <= 2 && is_month(first) && is_day(second)).then_some(used)
}

/// Length of the 24-hour time at the start of `s`: `H:MM` or `H:MM:SS`.
fn time_len(s: &str) -> Option<usize> {
    let (_, hour_len) = digits(s).filter(|(hour, len)| *hour <= 23 && *len <= 2)?;
    let sixty = |s: &str| -> Option<usize> {
        let two = s.get(..2)?;
        let valid = two.bytes().all(|b| b.is_ascii_digit()) && two.parse::<u32>().ok()? <= 59;
        valid.then_some(2)
    };
    let after_hour = s[hour_len..].strip_prefix(':')?;
    let mut used = hour_len + 1 + sixty(after_hour)?;
    if let Some(after_minutes) = s[used..].strip_prefix(':') {
        used += 1 + sixty(after_minutes)?;
    }
    Some(used)
}
