//! Money and dates, formatted by our code per locale. Fluent's `NUMBER` formats through `f64`
//! with no grouping and there is no `DATETIME` in fluent-rs; CLDR's numeric short dates for ug
//! read as year-day-month, so dates spell the month out.

use jiff::civil::Date;

use super::Lang;

const UG_MONTHS: [&str; 12] = [
    "يانۋار",
    "فېۋرال",
    "مارت",
    "ئاپرېل",
    "ماي",
    "ئىيۇن",
    "ئىيۇل",
    "ئاۋغۇست",
    "سېنتەبىر",
    "ئۆكتەبىر",
    "نويابىر",
    "دېكابىر",
];

// Kazakh month names in the Arabic script of Xinjiang; front-vowel words carry U+0674.
const KK_MONTHS: [&str; 12] = [
    "قاڭتار",
    "اقپان",
    "ناۋرىز",
    "ٴساۋىر",
    "مامىر",
    "ماۋسىم",
    "شىلدە",
    "تامىز",
    "قىركۇيەك",
    "قازان",
    "قاراشا",
    "جەلتوقسان",
];

/// An amount of money given in fen (1/100 yuan), with digit grouping and the currency word:
/// `1,234.50元`, `1,234.50 يۈەن`, `1,234.50 يۋان`.
pub fn money(fen: i64, lang: Lang) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let number = format!("{sign}{}.{:02}", group_thousands(abs / 100), abs % 100);
    match lang {
        Lang::ZhHans => format!("{number}元"),
        Lang::UgArab => format!("{number} يۈەن"),
        Lang::KkArab => format!("{number} يۋان"),
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A calendar date as readers of each language write it: `2025年3月4日`,
/// `2025-يىلى 4-مارت`, `2025-جىلى 4-ناۋرىز`.
pub fn date(date: Date, lang: Lang) -> String {
    let (year, month, day) = (date.year(), date.month(), date.day());
    let month_index = usize::try_from(month - 1).unwrap_or(0);
    match lang {
        Lang::ZhHans => format!("{year}年{month}月{day}日"),
        Lang::UgArab => format!("{year}-يىلى {day}-{}", UG_MONTHS[month_index]),
        Lang::KkArab => format!("{year}-جىلى {day}-{}", KK_MONTHS[month_index]),
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date as d;

    use super::*;

    #[test]
    fn money_is_grouped_with_two_decimals() {
        assert_eq!(money(123_450, Lang::ZhHans), "1,234.50元");
        assert_eq!(money(5, Lang::ZhHans), "0.05元");
        assert_eq!(money(-100_000_000, Lang::ZhHans), "-1,000,000.00元");
        assert_eq!(money(123_450, Lang::UgArab), "1,234.50 يۈەن");
        assert_eq!(money(123_450, Lang::KkArab), "1,234.50 يۋان");
    }

    #[test]
    fn money_handles_the_extremes_without_overflow() {
        assert_eq!(
            money(i64::MIN, Lang::ZhHans),
            "-92,233,720,368,547,758.08元"
        );
    }

    #[test]
    fn dates_spell_the_month_out() {
        assert_eq!(date(d(2025, 3, 4), Lang::ZhHans), "2025年3月4日");
        assert_eq!(date(d(2025, 3, 4), Lang::UgArab), "2025-يىلى 4-مارت");
        assert_eq!(date(d(2025, 4, 30), Lang::KkArab), "2025-جىلى 30-ٴساۋىر");
        assert_eq!(date(d(2026, 12, 1), Lang::UgArab), "2026-يىلى 1-دېكابىر");
    }
}
