use jiff::civil::date;

use super::*;
use crate::domain::benefits::{
    facts::{EnterpriseRecord, PersonRecord},
    rules::{CmpOp, compile_eligibility},
};

fn l10n() -> L10n {
    L10n::embedded().expect("locales")
}

fn person() -> PersonRecord {
    PersonRecord {
        birth_date: date(1964, 3, 15),
        sex: "female".into(),
        district: "654002".into(),
        hukou: "rural".into(),
        household_size: 4,
        income_per_capita: 650,
        income_band: "subsistence".into(),
        disability_level: 2,
        children_birth_dates: vec![date(2025, 12, 1), date(2016, 9, 1)],
        employment: "flexible".into(),
        subsistence: true,
        extreme_poverty: false,
        living_alone: false,
        veteran: false,
    }
}

fn explained(rule: &str, lang: Lang) -> Vec<String> {
    let facts = Facts::person(&person(), date(2026, 11, 22));
    let rule = compile_eligibility(rule, Subject::Person).expect("compiles");
    let reasons = rule.explain(&facts).expect("evaluates").expect("eligible");
    let l10n = l10n();
    reasons
        .iter()
        .map(|reason| render(&l10n, lang, &capture(reason, &facts)))
        .collect()
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

#[test]
fn a_person_is_told_in_chinese_why_with_their_own_values() {
    let why = explained(
        "person.age > 59 && person.prefecture == '654000' && person.subsistence && \
         person.children_age_months.exists(m, m < 12) && person.disability_level in [1, 2]",
        Lang::ZhHans,
    );
    assert_eq!(
        why,
        vec![
            "您已年满60周岁（1964年3月出生）",
            "您的户籍在伊犁哈萨克自治州",
            "您家庭享受最低生活保障（低保）",
            "您有出生未满12个月的子女（2025年12月出生）",
            "您持有2级残疾人证",
        ]
    );
}

#[test]
fn the_same_reasons_in_uyghur_and_kazakh_carry_the_same_values_in_arabic_script() {
    let rule = "person.age >= 60 && person.district == '654002' && \
                size(person.children_ages.filter(a, a < 18)) >= 2";
    for lang in [Lang::UgArab, Lang::KkArab] {
        let why = explained(rule, lang);
        assert_eq!(why.len(), 3, "{lang}: {why:?}");
        assert!(
            why[0].contains("60") && why[0].contains("1964"),
            "{lang}: {}",
            why[0]
        );
        assert!(
            why[2].contains('2') && why[2].contains("18"),
            "{lang}: {}",
            why[2]
        );
        for text in &why {
            assert!(!has_chinese(text), "{lang}: {text}");
            assert!(crate::i18n::mostly_arabic_script(text), "{lang}: {text}");
        }
        let zh = explained(rule, Lang::ZhHans);
        assert_ne!(why, zh);
    }
}

#[test]
fn every_fact_and_test_has_words_in_every_language() {
    let l10n = l10n();
    let person = Facts::person(&person(), date(2026, 11, 22));
    let enterprise = Facts::enterprise(
        &EnterpriseRecord {
            kind: "individual_business".into(),
            size: "micro".into(),
            industry: "H".into(),
            district: "654004".into(),
            registered_on: date(2025, 2, 1),
            tax_credit: "A".into(),
            employees: 3,
            graduate_hires: 1,
            annual_revenue: 800_000,
            high_tech: true,
        },
        date(2026, 11, 22),
    );
    for facts in [&person, &enterprise] {
        for fact in facts.subject.facts() {
            let tests = match fact.ty {
                Ty::Int => vec![Test::Int(CmpOp::Ge, 1), Test::Int(CmpOp::Lt, 100)],
                Ty::Str => vec![Test::Str(true, "x".into()), Test::In(true, vec![])],
                Ty::Bool => vec![Test::Is(true), Test::Is(false)],
                Ty::IntList => vec![
                    Test::Exists(CmpOp::Lt, 3),
                    Test::All(CmpOp::Ge, 0),
                    Test::Size(CmpOp::Ge, 1),
                    Test::Count {
                        element: (CmpOp::Lt, 18),
                        count: (CmpOp::Ge, 1),
                    },
                ],
                Ty::StrList => vec![],
            };
            for test in tests {
                let stored = capture(&Reason { fact, test }, facts);
                for lang in Lang::ALL {
                    let id = message_id(&stored);
                    // Exists and formats with its arguments, without falling back.
                    let text = l10n
                        .try_format(lang, &id, &reason_args(&l10n, lang, &stored))
                        .unwrap_or_else(|err| panic!("{lang} {id}: {err}"));
                    assert!(!text.trim().is_empty(), "{lang} {id}");
                    if lang != Lang::ZhHans {
                        assert!(!has_chinese(&text), "{lang} {id}: {text}");
                    }
                }
            }
        }
    }
}

#[test]
fn amounts_read_in_yuan_per_unit() {
    let l10n = l10n();
    assert_eq!(amount(&l10n, Lang::ZhHans, 10000, "month"), "每月100元");
    assert_eq!(amount(&l10n, Lang::ZhHans, 360000, "year"), "每年3600元");
    assert_eq!(amount(&l10n, Lang::ZhHans, 1250, "once"), "12.50元");
    for lang in [Lang::UgArab, Lang::KkArab] {
        let text = amount(&l10n, lang, 10000, "month");
        assert!(
            text.contains("100") && !has_chinese(&text),
            "{lang}: {text}"
        );
    }
}
