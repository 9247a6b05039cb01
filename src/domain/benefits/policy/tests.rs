use jiff::civil::date;

use super::*;
use crate::domain::benefits::facts::PersonRecord;

fn text(zh: &str, ug: &str, kk: &str) -> Text3 {
    Text3 {
        zh_hans: zh.into(),
        ug_arab: ug.into(),
        kk_arab: kk.into(),
    }
}

pub(crate) fn elderly_allowance() -> PolicyDocument {
    PolicyDocument {
        policy_id: "ili-elderly-allowance".into(),
        target: "person".into(),
        benefit_kind: BenefitKind::Cash,
        mode: Mode::AutoGrant,
        period: Period::Month,
        effective_from: "2026-01-01".into(),
        effective_to: None,
        confirm_within_days: None,
        issuer: Issuer {
            code: "11654000MB1957436U".into(),
            name: text(
                "伊犁哈萨克自治州民政局",
                "ئىلى قازاق ئاپتونوم ئوبلاستلىق خەلق ئىشلىرى ئىدارىسى",
                "ىلە قازاق اۆتونوميالى وبلىستىق حالىق ىستەرى مەكەمەسى",
            ),
        },
        title: text(
            "高龄老人津贴",
            "يۇقىرى ياشلىق قېرىلار تولۇقلىمىسى",
            "جاسى ۇلعايعان قارتتار جاردەماقىسى",
        ),
        summary: text(
            "年满80周岁的本州户籍老人按月领取高龄津贴。",
            "80 ياشقا توشقان ئوبلاست نوپۇسىدىكى قېرىلار ھەر ئايدا تولۇقلىما ئالىدۇ.",
            "80 جاسقا تولعان وبلىس تۇرعىندارى ٴار ايدا جاردەماقى الادى.",
        ),
        how_paid: text(
            "每月10日前发放至本人社会保障卡",
            "ھەر ئاينىڭ 10-كۈنىدىن بۇرۇن ئۆزىنىڭ ئىجتىمائىي كاپالەت كارتىسىغا سېلىنىدۇ",
            "ٴار ايدىڭ 10-كۇنىنە دەيىن ٴوز الەۋمەتتىك قامسىزداندىرۋ كارتاسىنا سالىنادى",
        ),
        legal_basis: text(
            "《新疆维吾尔自治区实施〈中华人民共和国老年人权益保障法〉办法》",
            "«شىنجاڭ ئۇيغۇر ئاپتونوم رايونىنىڭ ياشانغانلارنىڭ ھوقۇق-مەنپەئەتىنى كاپالەتلەندۈرۈش چارىسى»",
            "«شينجياڭ ۇيعۇر اۆتونوميالى رايونىنىڭ قارتتاردىڭ قۇقىعىن قورعاۋ ٴتارتىبى»",
        ),
        eligibility: "person.age >= 80 && person.prefecture == '654000'".into(),
        amount: Some(AmountSpec::Computed {
            expr: "person.age >= 100 ? 50000 : (person.age >= 90 ? 20000 : 10000)".into(),
            unit: AmountUnit::Month,
        }),
    }
}

fn person(born: jiff::civil::Date) -> Facts {
    Facts::person(
        &PersonRecord {
            birth_date: born,
            sex: "male".into(),
            district: "654002".into(),
            hukou: "urban".into(),
            household_size: 1,
            income_per_capita: 2000,
            income_band: "middle".into(),
            disability_level: 0,
            children_birth_dates: vec![],
            employment: "retired".into(),
            subsistence: false,
            extreme_poverty: false,
            living_alone: true,
            veteran: false,
        },
        date(2026, 11, 22),
    )
}

fn problems(document: PolicyDocument) -> Vec<(String, &'static str)> {
    match CompiledPolicy::compile(document, 1) {
        Ok(_) => panic!("compiled"),
        Err(problems) => problems
            .into_iter()
            .map(|p| (p.field, p.kind.code()))
            .collect(),
    }
}

#[test]
fn a_valid_document_compiles_and_computes_the_amount_per_person() {
    let policy = CompiledPolicy::compile(elderly_allowance(), 3).expect("compiles");
    assert_eq!(policy.version, 3);
    assert!(policy.in_force(date(2026, 1, 1)));
    assert!(!policy.in_force(date(2025, 12, 31)));
    let matched = |born| policy.evaluate(&person(born)).expect("evaluates");
    assert_eq!(
        matched(date(1940, 1, 1)).and_then(|m| m.amount_fen),
        Some(10000)
    );
    assert_eq!(
        matched(date(1930, 1, 1)).and_then(|m| m.amount_fen),
        Some(20000)
    );
    assert_eq!(
        matched(date(1925, 1, 1)).and_then(|m| m.amount_fen),
        Some(50000)
    );
    assert!(matched(date(1950, 1, 1)).is_none());
    assert_eq!(Period::Month.key(date(2026, 3, 9)), "2026-03");
    assert_eq!(Period::Year.key(date(2026, 3, 9)), "2026");
}

#[test]
fn the_json_form_round_trips_with_the_documented_keys() {
    let json = serde_json::to_value(elderly_allowance()).expect("serializes");
    assert_eq!(json["benefitKind"], "cash");
    assert_eq!(json["mode"], "auto_grant");
    assert_eq!(json["amount"]["unit"], "month");
    assert!(json["title"]["ug-Arab"].is_string());
    let back: PolicyDocument = serde_json::from_value(json).expect("parses");
    assert_eq!(back, elderly_allowance());
    let fixed: AmountSpec =
        serde_json::from_value(serde_json::json!({"fen": 360000, "unit": "year"})).expect("fixed");
    assert_eq!(fixed.unit(), AmountUnit::Year);
}

#[test]
fn every_problem_of_a_document_is_reported_at_its_field() {
    let mut document = elderly_allowance();
    document.policy_id = "Elderly Allowance".into();
    document.mode = Mode::Confirm;
    document.effective_to = Some("2025-01-01".into());
    document.title.kk_arab = "高龄老人津贴".into();
    document.summary.ug_arab = " ".into();
    document.eligibility = "person.age >= 80 && person.agee < 120".into();
    assert_eq!(
        problems(document),
        vec![
            ("policyId".into(), "invalid"),
            ("effectiveTo".into(), "out_of_range"),
            ("confirmWithinDays".into(), "required"),
            ("title.kk-Arab".into(), "not_arabic_script"),
            ("summary.ug-Arab".into(), "required"),
            ("eligibility".into(), "rule"),
        ]
    );
    let mut document = elderly_allowance();
    document.target = "household".into();
    document.amount = None;
    assert_eq!(
        problems(document),
        vec![("target".into(), "invalid"), ("amount".into(), "required")]
    );
    let mut document = elderly_allowance();
    document.amount = Some(AmountSpec::Computed {
        expr: "person.age >= 90".into(),
        unit: AmountUnit::Month,
    });
    let err = CompiledPolicy::compile(document, 1).expect_err("a bool is no amount");
    assert_eq!(err[0].field, "amount.expr");
    assert!(
        err[0].message.contains("expected an int"),
        "{}",
        err[0].message
    );
}

#[test]
fn the_simulated_platform_s_seed_policies_all_compile() {
    let documents: Vec<PolicyDocument> =
        serde_json::from_str(include_str!("../../../sim/gov/seed/policies.json"))
            .expect("the seed is a list of policy documents");
    assert!(documents.len() >= 20, "{}", documents.len());
    let mut failures = Vec::new();
    for document in documents {
        let id = document.policy_id.clone();
        if let Err(problems) = CompiledPolicy::compile(document, 1) {
            failures.push(format!("{id}: {problems:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
