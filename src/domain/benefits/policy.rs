//! A benefit policy version (`docs/benefits-rules.md` §1): the document an operator publishes,
//! its checks, and its compiled form.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{
    facts::{FactSet, Facts, Subject},
    rules::{self, BoolRule, CompileError, EvalError, IntRule, Reason},
};

/// Text in the three languages Tongban serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text3 {
    #[serde(rename = "zh-Hans")]
    pub zh_hans: String,
    #[serde(rename = "ug-Arab")]
    pub ug_arab: String,
    #[serde(rename = "kk-Arab")]
    pub kk_arab: String,
}

impl Text3 {
    /// The text in `lang`.
    pub fn get(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::ZhHans => &self.zh_hans,
            crate::i18n::Lang::UgArab => &self.ug_arab,
            crate::i18n::Lang::KkArab => &self.kk_arab,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenefitKind {
    Cash,
    Subsidy,
    Service,
    Exemption,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Granted with no action; the person is informed.
    AutoGrant,
    /// The person confirms with one tap.
    Confirm,
}

/// How often a subject can receive the benefit: one offer per subject, policy and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Once,
    Year,
    Month,
}

impl Period {
    /// The key of the period `today` falls in: `once`, `2026`, `2026-11`.
    pub fn key(self, today: Date) -> String {
        match self {
            Period::Once => "once".into(),
            Period::Year => today.year().to_string(),
            Period::Month => format!("{}-{:02}", today.year(), today.month()),
        }
    }
}

/// What an amount is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountUnit {
    Once,
    Month,
    Year,
}

impl AmountUnit {
    pub fn code(self) -> &'static str {
        match self {
            AmountUnit::Once => "once",
            AmountUnit::Month => "month",
            AmountUnit::Year => "year",
        }
    }
}

/// A fixed amount or a rule computing it, in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum AmountSpec {
    Fixed { fen: i64, unit: AmountUnit },
    Computed { expr: String, unit: AmountUnit },
}

impl AmountSpec {
    pub fn unit(&self) -> AmountUnit {
        match self {
            AmountSpec::Fixed { unit, .. } | AmountSpec::Computed { unit, .. } => *unit,
        }
    }
}

/// The issuing department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// Its unified social credit code.
    pub code: String,
    pub name: Text3,
}

/// A policy version as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyDocument {
    pub policy_id: String,
    /// `person` or `enterprise`.
    pub target: String,
    pub benefit_kind: BenefitKind,
    pub mode: Mode,
    pub period: Period,
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    #[serde(default)]
    pub effective_to: Option<String>,
    #[serde(default)]
    pub confirm_within_days: Option<u32>,
    pub issuer: Issuer,
    pub title: Text3,
    pub summary: Text3,
    pub how_paid: Text3,
    pub legal_basis: Text3,
    pub eligibility: String,
    #[serde(default)]
    pub amount: Option<AmountSpec>,
}

/// One thing wrong with a document, at a field (`eligibility`, `title.ug-Arab`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub kind: ProblemKind,
    /// English, for the operator and the log.
    pub message: String,
}

/// What is wrong with a field, with what a localized message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    Invalid,
    Required,
    TooLong(usize),
    OutOfRange,
    NotArabicScript,
    /// A rule that does not compile, at a place in its text.
    Rule {
        line: u32,
        column: u32,
    },
}

impl ProblemKind {
    /// The stable code clients see in `errors[].code`.
    pub fn code(&self) -> &'static str {
        match self {
            ProblemKind::Invalid => "invalid",
            ProblemKind::Required => "required",
            ProblemKind::TooLong(_) => "too_long",
            ProblemKind::OutOfRange => "out_of_range",
            ProblemKind::NotArabicScript => "not_arabic_script",
            ProblemKind::Rule { .. } => "rule",
        }
    }
}

/// A version checked and compiled, ready to evaluate.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub document: PolicyDocument,
    pub version: u32,
    pub subject: Subject,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    pub eligibility: BoolRule,
    pub amount: Option<IntRule>,
    fixed_amount: Option<i64>,
}

/// A subject meeting a policy.
#[derive(Debug, Clone)]
pub struct Match {
    pub amount_fen: Option<i64>,
    pub reasons: Vec<Reason>,
}

const MAX_TEXT_CHARS: usize = 2_000;
const MAX_TITLE_CHARS: usize = 200;

impl CompiledPolicy {
    /// Checks every field of `document` and compiles its rules; all problems at once.
    pub fn compile(document: PolicyDocument, version: u32) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut problem = |field: &str, kind: ProblemKind, message: String| {
            problems.push(Problem {
                field: field.to_owned(),
                kind,
                message,
            })
        };
        let id = &document.policy_id;
        if !(3..=64).contains(&id.len())
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            problem(
                "policyId",
                ProblemKind::Invalid,
                "3 to 64 characters of a-z, 0-9 and -".into(),
            );
        }
        let subject = Subject::from_code(&document.target);
        if subject.is_none() {
            problem(
                "target",
                ProblemKind::Invalid,
                "`person` or `enterprise`".into(),
            );
        }
        let from = parse_date(&document.effective_from);
        if from.is_none() {
            problem(
                "effectiveFrom",
                ProblemKind::Invalid,
                "a date, YYYY-MM-DD".into(),
            );
        }
        let to = match &document.effective_to {
            None => None,
            Some(text) => match parse_date(text) {
                None => {
                    problem(
                        "effectiveTo",
                        ProblemKind::Invalid,
                        "a date, YYYY-MM-DD".into(),
                    );
                    None
                }
                Some(to) => {
                    if from.is_some_and(|from| to < from) {
                        problem(
                            "effectiveTo",
                            ProblemKind::OutOfRange,
                            "the last day comes before the first".into(),
                        );
                    }
                    Some(to)
                }
            },
        };
        match (document.mode, document.confirm_within_days) {
            (Mode::Confirm, Some(days)) if (1..=366).contains(&days) => {}
            (Mode::Confirm, _) => problem(
                "confirmWithinDays",
                ProblemKind::Required,
                "a confirmed benefit gives the person 1 to 366 days to confirm".into(),
            ),
            (Mode::AutoGrant, Some(_)) => problem(
                "confirmWithinDays",
                ProblemKind::Invalid,
                "an automatic grant has nothing to confirm".into(),
            ),
            (Mode::AutoGrant, None) => {}
        }
        if document.issuer.code.len() != 18
            || !document
                .issuer
                .code
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            problem(
                "issuer.code",
                ProblemKind::Invalid,
                "the department's 18-character unified social credit code".into(),
            );
        }
        for (field, text, max) in [
            ("issuer.name", &document.issuer.name, MAX_TITLE_CHARS),
            ("title", &document.title, MAX_TITLE_CHARS),
            ("summary", &document.summary, MAX_TEXT_CHARS),
            ("howPaid", &document.how_paid, MAX_TEXT_CHARS),
            ("legalBasis", &document.legal_basis, MAX_TEXT_CHARS),
        ] {
            for (lang, value, arabic) in [
                ("zh-Hans", &text.zh_hans, false),
                ("ug-Arab", &text.ug_arab, true),
                ("kk-Arab", &text.kk_arab, true),
            ] {
                let field = format!("{field}.{lang}");
                let chars = value.trim().chars().count();
                if chars == 0 {
                    problem(
                        &field,
                        ProblemKind::Required,
                        "every text is needed in all three languages".into(),
                    );
                } else if chars > max {
                    problem(
                        &field,
                        ProblemKind::TooLong(max),
                        format!("at most {max} characters"),
                    );
                } else if arabic && !crate::i18n::mostly_arabic_script(value) {
                    problem(
                        &field,
                        ProblemKind::NotArabicScript,
                        "Uyghur and Kazakh text is written in Arabic script".into(),
                    );
                }
            }
        }
        let mut rule_problem = |field: &str, err: CompileError| {
            problems.push(Problem {
                field: field.to_owned(),
                kind: ProblemKind::Rule {
                    line: err.line,
                    column: err.column,
                },
                message: err.message,
            })
        };
        let eligibility = subject.and_then(|subject| {
            rules::compile_eligibility(&document.eligibility, subject)
                .map_err(|err| rule_problem("eligibility", err))
                .ok()
        });
        let (amount, fixed_amount) = match (&document.amount, subject) {
            (Some(AmountSpec::Computed { expr, .. }), Some(subject)) => (
                rules::compile_amount(expr, subject)
                    .map_err(|err| rule_problem("amount.expr", err))
                    .ok(),
                None,
            ),
            (Some(AmountSpec::Fixed { fen, .. }), _) => {
                if *fen <= 0 {
                    problems.push(Problem {
                        field: "amount.fen".into(),
                        kind: ProblemKind::OutOfRange,
                        message: "an amount is a positive number of fen".into(),
                    });
                }
                (None, Some(*fen))
            }
            _ => (None, None),
        };
        if document.amount.is_none() && matches!(document.benefit_kind, BenefitKind::Cash) {
            problems.push(Problem {
                field: "amount".into(),
                kind: ProblemKind::Required,
                message: "a cash benefit states its amount".into(),
            });
        }
        match (subject, from, eligibility, problems.is_empty()) {
            (Some(subject), Some(effective_from), Some(eligibility), true) => Ok(Self {
                document,
                version,
                subject,
                effective_from,
                effective_to: to,
                eligibility,
                amount,
                fixed_amount,
            }),
            _ => Err(problems),
        }
    }

    /// Whether the version applies on `day`.
    pub fn in_force(&self, day: Date) -> bool {
        day >= self.effective_from && self.effective_to.is_none_or(|to| day <= to)
    }

    /// The facts its rules read.
    pub fn reads(&self) -> FactSet {
        self.amount
            .as_ref()
            .map_or(self.eligibility.reads(), |amount| {
                amount.reads().union(self.eligibility.reads())
            })
    }

    /// Whether `facts` meet the policy (no explanation: the sweep's fast path).
    #[inline]
    pub fn matches(&self, facts: &Facts) -> Result<bool, EvalError> {
        self.eligibility.eval(facts)
    }

    /// The match with its reasons and amount, or `None`.
    pub fn evaluate(&self, facts: &Facts) -> Result<Option<Match>, EvalError> {
        let Some(reasons) = self.eligibility.explain(facts)? else {
            return Ok(None);
        };
        let amount_fen = match (&self.amount, self.fixed_amount) {
            (Some(rule), _) => Some(rule.eval(facts)?),
            (None, fixed) => fixed,
        };
        // A computed amount of nothing is no benefit (no child under 3, no graduate hired).
        if amount_fen.is_some_and(|fen| fen <= 0) {
            return Ok(None);
        }
        Ok(Some(Match {
            amount_fen,
            reasons,
        }))
    }
}

fn parse_date(text: &str) -> Option<Date> {
    if text.len() != 10 {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests;
