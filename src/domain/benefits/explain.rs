//! Reasons in words: the conditions a subject met, with the subject's own values, as kept with
//! an offer and as shown in the subject's language.
//!
//! A reason is captured when the offer is made (the facts of that day) and kept sealed with it,
//! so the explanation stays true to the decision even after the facts change. Only the
//! subject's own facts go in: an explanation cannot reveal anyone else's data.

use serde::{Deserialize, Serialize};

use super::{
    facts::{Facts, Subject, Ty},
    rules::{CmpOp, Reason, Test},
};
use crate::i18n::{Args, L10n, Lang};

/// One met condition with the values needed to put it in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReason {
    /// `person` or `enterprise`.
    pub subject: String,
    /// The fact's name (`age`).
    pub fact: String,
    /// What was tested: `ge`, `lt`, `eq`, `in`, `notin`, `true`, `false`, `startswith`,
    /// `exists`, `all`, `count`, `size`.
    pub op: String,
    /// For list facts: how each element was tested (`ge`, `lt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<i64>,
    /// The subject's own value (a number or a code).
    pub value: String,
    /// The date behind it (`YYYY-MM-DD`): birth, the matching child's birth, registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
}

/// `a < c` as `a < c`, `a <= c` as `a < c + 1`, `a > c` as `a >= c + 1`: the wording knows
/// "at least" and "under" only.
fn ordering(op: CmpOp, threshold: i64) -> (&'static str, i64) {
    match op {
        CmpOp::Lt => ("lt", threshold),
        CmpOp::Le => ("lt", threshold.saturating_add(1)),
        CmpOp::Gt => ("ge", threshold.saturating_add(1)),
        CmpOp::Ge => ("ge", threshold),
        CmpOp::Eq => ("eq", threshold),
        CmpOp::Ne => ("ne", threshold),
    }
}

/// Captures `reason` with `facts`' own values.
pub fn capture(reason: &Reason, facts: &Facts) -> StoredReason {
    let fact = reason.fact;
    let own = || match fact.ty {
        Ty::Int => facts.ints[fact.slot].to_string(),
        Ty::Str => facts.strs[fact.slot].clone(),
        Ty::Bool => facts.bools[fact.slot].to_string(),
        Ty::IntList => facts.lists[fact.slot].len().to_string(),
        Ty::StrList => String::new(),
    };
    let own_date = match (fact.subject, fact.name) {
        (Subject::Person, "age") | (Subject::Enterprise, "age_months") => {
            Some(facts.date.to_string())
        }
        _ => None,
    };
    let mut stored = StoredReason {
        subject: fact.subject.code().to_owned(),
        fact: fact.name.to_owned(),
        op: String::new(),
        op2: None,
        threshold: None,
        value: own(),
        date: own_date,
        count: None,
    };
    let matching = |op: CmpOp, bound: i64| -> Vec<usize> {
        facts
            .lists
            .get(fact.slot)
            .map(|items| {
                items
                    .iter()
                    .enumerate()
                    .filter(|(_, item)| op.test(*item, &bound))
                    .map(|(index, _)| index)
                    .collect()
            })
            .unwrap_or_default()
    };
    match &reason.test {
        Test::Is(value) => stored.op = value.to_string(),
        Test::Int(op, threshold) => {
            let (op, threshold) = ordering(*op, *threshold);
            stored.op = op.into();
            stored.threshold = Some(threshold);
        }
        Test::IntIn(_) => stored.op = "in".into(),
        Test::Str(equal, _) => stored.op = if *equal { "eq" } else { "ne" }.into(),
        Test::In(inside, _) => stored.op = if *inside { "in" } else { "notin" }.into(),
        Test::StartsWith(_) => stored.op = "startswith".into(),
        Test::Size(_, _) => stored.op = "size".into(),
        Test::Exists(op, bound) | Test::All(op, bound) => {
            let (op2, threshold) = ordering(*op, *bound);
            stored.op = if matches!(reason.test, Test::Exists(..)) {
                "exists"
            } else {
                "all"
            }
            .into();
            stored.op2 = Some(op2.into());
            stored.threshold = Some(threshold);
            // The youngest child meeting the test dates the sentence.
            stored.date = matching(*op, *bound)
                .first()
                .and_then(|index| facts.children_birth_dates.get(*index))
                .map(|born| born.to_string());
        }
        Test::Count { element, .. } => {
            let (op2, threshold) = ordering(element.0, element.1);
            stored.op = "count".into();
            stored.op2 = Some(op2.into());
            stored.threshold = Some(threshold);
            stored.count = Some(matching(element.0, element.1).len() as i64);
        }
    }
    stored
}

/// The place name of a division code in `lang`, or the code itself said so.
fn place(l10n: &L10n, lang: Lang, code: &str) -> String {
    l10n.try_format(lang, &format!("place-{code}"), &Args::new())
        .unwrap_or_else(|_| l10n.format(lang, "place-unknown", &Args::new().text("code", code)))
}

/// `reason` in words, in `lang`.
pub fn render(l10n: &L10n, lang: Lang, reason: &StoredReason) -> String {
    l10n.format(lang, &message_id(reason), &reason_args(l10n, lang, reason))
}

/// The message putting `reason` in words.
fn message_id(reason: &StoredReason) -> String {
    format!("benefit-why-{}-{}", reason.subject, reason.fact)
}

fn reason_args(l10n: &L10n, lang: Lang, reason: &StoredReason) -> Args {
    let mut args = Args::new()
        .text("op", reason.op.clone())
        .text("op2", reason.op2.clone().unwrap_or_default())
        .text("value", reason.value.clone())
        .count("threshold", reason.threshold.unwrap_or_default())
        .count("count", reason.count.unwrap_or_default());
    let (year, month) = reason
        .date
        .as_deref()
        .and_then(|date| date.parse::<jiff::civil::Date>().ok())
        .map_or((0, 0), |date| {
            (i64::from(date.year()), i64::from(date.month()))
        });
    args = args.text("year", year.to_string()).count("month", month);
    if reason.fact == "district" || reason.fact == "prefecture" {
        args = args.text("place", place(l10n, lang, &reason.value));
    } else {
        args = args.text("place", "");
    }
    args
}

/// An amount in fen as the person reads it (`每月100元`).
pub fn amount(l10n: &L10n, lang: Lang, fen: i64, unit: &str) -> String {
    let yuan = if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, (fen % 100).abs())
    };
    l10n.format(
        lang,
        "benefit-amount",
        &Args::new().text("unit", unit).text("yuan", yuan),
    )
}

#[cfg(test)]
mod tests;
