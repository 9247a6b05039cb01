use jiff::civil::date;

use super::*;
use crate::domain::benefits::facts::{EnterpriseRecord, PersonRecord};

fn person() -> PersonRecord {
    PersonRecord {
        birth_date: date(1964, 3, 15),
        sex: "female".into(),
        district: "654002".into(),
        hukou: "urban".into(),
        household_size: 2,
        income_per_capita: 700,
        income_band: "subsistence".into(),
        disability_level: 2,
        children_birth_dates: vec![date(2025, 12, 1), date(2012, 4, 1)],
        employment: "retired".into(),
        subsistence: true,
        extreme_poverty: false,
        living_alone: true,
        veteran: false,
    }
}

fn today() -> jiff::civil::Date {
    date(2026, 11, 22)
}

fn facts() -> Facts {
    Facts::person(&person(), today())
}

fn eligible(rule: &str) -> bool {
    compile_eligibility(rule, Subject::Person)
        .unwrap_or_else(|err| panic!("{rule}: {err}"))
        .eval(&facts())
        .expect("evaluates")
}

fn amount(rule: &str) -> i64 {
    compile_amount(rule, Subject::Person)
        .unwrap_or_else(|err| panic!("{rule}: {err}"))
        .eval(&facts())
        .expect("evaluates")
}

fn refused(rule: &str) -> CompileError {
    match compile_eligibility(rule, Subject::Person) {
        Ok(_) => panic!("{rule} compiled"),
        Err(err) => err,
    }
}

#[test]
fn comparisons_logic_and_membership_follow_cel() {
    assert!(eligible("person.age >= 60"));
    assert!(eligible("60 <= person.age"));
    assert!(!eligible("person.age > 62"));
    assert!(eligible("person.age == 62 && person.sex == 'female'"));
    assert!(eligible("person.sex != 'male' || person.age < 0"));
    assert!(eligible(
        "person.prefecture == '654000' && person.district.startsWith('6540')"
    ));
    assert!(eligible("person.income_band in ['subsistence', 'low']"));
    assert!(!eligible("person.employment in ['employed', 'flexible']"));
    assert!(eligible("!(person.employment in ['employed', 'flexible'])"));
    assert!(eligible("person.subsistence && !person.veteran"));
    assert!(eligible(
        "person.living_alone == true && person.extreme_poverty == false"
    ));
    assert!(eligible(
        "person.disability_level >= 1 && person.disability_level <= 2"
    ));
    assert!(eligible("person.children_ages.exists(a, a < 3)"));
    assert!(!eligible("person.children_ages.all(a, a < 3)"));
    assert!(eligible(
        "size(person.children_ages) == 2 && person.children_ages.size() >= 2"
    ));
    assert!(eligible("size(person.children_ages.filter(a, a < 3)) >= 1"));
    assert!(eligible("person.children_age_months.exists(m, m < 12)"));
    assert!(eligible(
        "(person.sex == 'female' && person.age >= 40 || person.sex == 'male' && person.age >= 50) && person.age < 70"
    ));
}

#[test]
fn amounts_compute_in_integer_fen() {
    assert_eq!(amount("10000"), 10000);
    assert_eq!(
        amount("size(person.children_ages.filter(a, a < 3)) * 360000"),
        360000
    );
    assert_eq!(
        amount("person.age >= 100 ? 50000 : (person.age >= 60 ? 20000 : 10000)"),
        20000
    );
    assert_eq!(amount("person.household_size * 15000 - 1000"), 29000);
    assert_eq!(amount("-5 + person.household_size"), -3);
    assert_eq!(amount("person.income_per_capita / 3 % 100"), 33);
    assert_eq!(
        amount("size(person.children_ages.filter(a, a >= 3).filter(a, a < 18))"),
        1
    );
    let overflow =
        compile_amount("person.age * 9223372036854775807", Subject::Person).expect("compiles");
    assert_eq!(overflow.eval(&facts()), Err(EvalError::Overflow));
    let zero = compile_amount("100 / (person.age - 62)", Subject::Person).expect("compiles");
    assert_eq!(zero.eval(&facts()), Err(EvalError::DivisionByZero));
}

#[test]
fn unknown_facts_and_type_errors_name_the_place() {
    let err = refused("person.age >= 60 &&\n  person.agee < 80");
    assert_eq!((err.line, err.column), (2, 3), "{err}");
    assert!(err.message.contains("unknown fact `person.agee`"), "{err}");
    assert!(
        err.message.contains("children_ages"),
        "lists the facts: {err}"
    );

    let err = refused("person.age >= '60'");
    assert!(
        err.message.contains("cannot compare int with string"),
        "{err}"
    );
    assert_eq!((err.line, err.column), (1, 1), "{err}");

    let err = refused("person.age");
    assert!(err.message.contains("expected a bool"), "{err}");

    let err = refused("person.sex == 'mail'");
    assert!(err.message.contains("male, female"), "{err}");

    let err = refused("person.income_band in ['poor']");
    assert!(err.message.contains("subsistence"), "{err}");

    let err = refused("enterprise.size == 'small'");
    assert!(err.message.contains("about a person"), "{err}");

    let err = refused("person.age >= 60.5");
    assert!(err.message.contains("floating-point"), "{err}");

    let err = refused("person.age >= ");
    assert!(err.message.starts_with("syntax error"), "{err}");

    let err = refused("person.district < '654000'");
    assert!(err.message.contains("== and !="), "{err}");

    let err = refused("person.children_ages.map(a, a * 2).size() > 1");
    assert!(err.message.contains("exists, all and filter"), "{err}");

    let err = refused("matches(person.district, '^654')");
    assert!(err.message.contains("not supported"), "{err}");

    let err = refused("x > 1");
    assert!(err.message.contains("unknown name `x`"), "{err}");

    assert!(refused("").message.contains("empty"));
    assert!(
        refused(&"person.age > 1 && ".repeat(300))
            .message
            .contains("at most")
    );
}

#[test]
fn conditions_a_citizen_cannot_be_told_are_refused_for_eligibility() {
    let err =
        refused("person.age >= 60 && person.income_per_capita * person.household_size < 3000");
    assert!(err.message.contains("cannot be explained"), "{err}");
    assert_eq!(err.column, 21, "points at the second condition: {err}");
    assert!(
        refused("person.age >= 60 ? person.subsistence : person.veteran")
            .message
            .contains("cannot be explained")
    );
    // The same arithmetic is fine in an amount.
    assert!(
        compile_amount(
            "person.income_per_capita * person.household_size",
            Subject::Person
        )
        .is_ok()
    );
}

#[test]
fn explanations_list_the_conditions_that_held_with_their_facts() {
    let rule = compile_eligibility(
        "person.age >= 60 && person.prefecture == '654000' && \
         (person.subsistence || person.veteran) && !person.veteran && \
         person.children_ages.exists(a, a < 3) && \
         size(person.children_ages.filter(a, a < 18)) >= 2 && \
         person.income_band in ['subsistence', 'low']",
        Subject::Person,
    )
    .expect("compiles");
    let reasons = rule
        .explain(&facts())
        .expect("evaluates")
        .expect("eligible");
    let described: Vec<(String, Test)> = reasons
        .into_iter()
        .map(|reason| (reason.fact.path(), reason.test))
        .collect();
    assert_eq!(
        described,
        vec![
            ("person.age".into(), Test::Int(CmpOp::Ge, 60)),
            ("person.prefecture".into(), Test::Str(true, "654000".into())),
            ("person.subsistence".into(), Test::Is(true)),
            ("person.veteran".into(), Test::Is(false)),
            ("person.children_ages".into(), Test::Exists(CmpOp::Lt, 3)),
            (
                "person.children_ages".into(),
                Test::Count {
                    element: (CmpOp::Lt, 18),
                    count: (CmpOp::Ge, 2)
                }
            ),
            (
                "person.income_band".into(),
                Test::In(true, vec!["subsistence".into(), "low".into()])
            ),
        ]
    );
    let mut younger = person();
    younger.birth_date = date(1990, 1, 1);
    let rule = compile_eligibility("person.age >= 60", Subject::Person).expect("compiles");
    assert_eq!(rule.explain(&Facts::person(&younger, today())), Ok(None));
}

#[test]
fn a_rule_records_the_facts_it_reads() {
    let rule = compile_eligibility(
        "person.age >= 80 && person.children_ages.exists(a, a < 3)",
        Subject::Person,
    )
    .expect("compiles");
    let age = Subject::Person.fact("age").expect("fact");
    let children = Subject::Person.fact("children_ages").expect("fact");
    let sex = Subject::Person.fact("sex").expect("fact");
    assert!(rule.reads().contains(age) && rule.reads().contains(children));
    assert!(!rule.reads().contains(sex));
    assert!(rule.reads().intersects(FactSet::derived_from(
        Subject::Person,
        &["children".to_string()]
    )));
    assert!(!rule.reads().intersects(FactSet::derived_from(
        Subject::Person,
        &["disabilityLevel".to_string()]
    )));
}

#[test]
fn enterprise_rules_read_enterprise_facts() {
    let record = EnterpriseRecord {
        kind: "limited_company".into(),
        size: "small".into(),
        industry: "C".into(),
        district: "654004".into(),
        registered_on: date(2024, 6, 1),
        tax_credit: "A".into(),
        employees: 30,
        graduate_hires: 3,
        annual_revenue: 4_000_000,
        high_tech: false,
    };
    let facts = Facts::enterprise(&record, today());
    let rule = compile_eligibility(
        "enterprise.size in ['micro', 'small'] && enterprise.age_months < 36 && enterprise.graduate_hires > 0",
        Subject::Enterprise,
    )
    .expect("compiles");
    assert_eq!(rule.eval(&facts), Ok(true));
    let amount = compile_amount("enterprise.graduate_hires * 150000", Subject::Enterprise)
        .expect("compiles");
    assert_eq!(amount.eval(&facts), Ok(450_000));
    assert_eq!(
        rule.eval(&self::facts()),
        Err(EvalError::WrongSubject),
        "a person's facts never meet an enterprise rule"
    );
}
