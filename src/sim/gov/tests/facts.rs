//! Facts for eligibility: the generated population's size and shape, the lookups through
//! [`GovClient`], faults on [`Resource::Facts`], and life events delivered to a test receiver.

use std::collections::HashSet;

use jiff::{Span, civil::Date};

use super::{
    citizen, client_and_sim, demo_citizens, demo_enterprises,
    receiver::{Received, sim_with_receiver, verifies},
};
use crate::{
    domain::identity::id_number::IdNumber,
    sim::gov::GovSim,
    sim::gov::{
        Faults, Resource,
        enterprises::uscc_check_char,
        facts::{GENERATED_ENTERPRISES, GENERATED_PEOPLE, Population},
        records::now,
    },
    upstream::gov::{
        GovError,
        wire::{
            self, EnterpriseSize, EnterpriseType, Hukou, I18nText, IncomeBand, MAX_FACTS_BATCH,
            PersonFacts, Sex,
        },
    },
};

fn today() -> Date {
    now().date()
}

fn date(text: &str) -> Date {
    text.parse().expect("a YYYY-MM-DD date")
}

/// Whole years from `birth` to `on`.
fn age_on(on: Date, birth: Date) -> i64 {
    i64::from(
        birth
            .until((jiff::Unit::Year, on))
            .expect("span")
            .get_years(),
    )
}

fn years(today: Date, birth: &str) -> i64 {
    age_on(today, date(birth))
}

fn months(today: Date, birth: &str) -> i64 {
    let birth = date(birth);
    i64::from(
        birth
            .until((jiff::Unit::Month, today))
            .expect("span")
            .get_months(),
    )
}

fn share(people: &[&PersonFacts], keep: impl Fn(&PersonFacts) -> bool) -> f64 {
    people.iter().filter(|p| keep(p)).count() as f64 / people.len() as f64
}

fn assert_within(what: &str, value: f64, range: std::ops::RangeInclusive<f64>) {
    assert!(
        range.contains(&value),
        "{what}: {value:.4} not in {range:?}"
    );
}

#[test]
fn the_population_is_as_large_as_promised_and_the_same_on_every_start() {
    let first = Population::seeded(today());
    let second = Population::seeded(today());
    assert_eq!(first.people.len(), GENERATED_PEOPLE + demo_citizens().len());
    assert_eq!(
        first.enterprises.len(),
        GENERATED_ENTERPRISES + demo_enterprises().len()
    );
    assert!(first.people.len() >= 1_000 && first.enterprises.len() >= 200);
    let keys = |p: &Population| p.people.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&first), keys(&second));
}

#[test]
fn ages_sexes_hukou_and_households_follow_the_prefectures_shape() {
    let today = today();
    let population = Population::seeded(today);
    let people: Vec<&PersonFacts> = population.people.values().map(|p| &p.facts).collect();
    let age = |p: &PersonFacts| years(today, &p.birth_date);
    assert_within("under 15", share(&people, |p| age(p) < 15), 0.16..=0.24);
    assert_within("60+", share(&people, |p| age(p) >= 60), 0.09..=0.15);
    assert_within("80+", share(&people, |p| age(p) >= 80), 0.01..=0.035);
    assert!(people.iter().any(|p| (90..100).contains(&age(p))));
    assert!(people.iter().any(|p| age(p) >= 100));
    assert_within("male", share(&people, |p| p.sex == Sex::Male), 0.45..=0.57);
    assert_within(
        "rural",
        share(&people, |p| p.hukou == Hukou::Rural),
        0.35..=0.65,
    );
    let sizes: Vec<u32> = people.iter().map(|p| p.household_size).collect();
    assert!(sizes.iter().all(|size| (1..=7).contains(size)));
    let mean = f64::from(sizes.iter().sum::<u32>()) / sizes.len() as f64;
    assert_within("mean household", mean, 2.9..=3.7);
    for person in &people {
        assert!(person.household_size as usize > person.children.len());
        if person.living_alone {
            assert_eq!(person.household_size, 1);
            assert!(age(person) >= 18);
        }
    }
    assert!(people.iter().any(|p| p.living_alone && age(p) >= 60));
    assert!(people.iter().filter(|p| p.veteran).count() >= 5);
}

#[test]
fn income_support_and_disability_are_consistent_and_realistic() {
    let population = Population::seeded(today());
    let people: Vec<&PersonFacts> = population.people.values().map(|p| &p.facts).collect();
    let poorest = |p: &PersonFacts| p.income_band == IncomeBand::Subsistence;
    assert_within("subsistence band", share(&people, poorest), 0.03..=0.08);
    assert_within(
        "extreme poverty",
        share(&people, |p| p.extreme_poverty),
        0.004..=0.02,
    );
    for person in &people {
        assert_eq!(
            poorest(person),
            person.subsistence || person.extreme_poverty,
            "the band and the support disagree"
        );
        assert!(!(person.subsistence && person.extreme_poverty));
        assert!(person.income_per_capita >= 0);
    }
    assert_within(
        "disabled",
        share(&people, |p| p.disability_level > 0),
        0.04..=0.085,
    );
    let at_level = |level| {
        people
            .iter()
            .filter(|p| p.disability_level == level)
            .count()
    };
    assert!(at_level(1) > 0 && at_level(1) < at_level(3));
    assert!(people.iter().all(|p| p.disability_level <= 4));
}

#[test]
fn children_and_employment_fit_the_persons_age() {
    let today = today();
    let population = Population::seeded(today);
    let people: Vec<&PersonFacts> = population.people.values().map(|p| &p.facts).collect();
    let mut child_months = Vec::new();
    for person in &people {
        let age = years(today, &person.birth_date);
        for child in &person.children {
            let child_age = years(today, &child.birth_date);
            assert!((0..18).contains(&child_age), "a child of {child_age}");
            let at_birth = age_on(date(&child.birth_date), date(&person.birth_date));
            assert!(at_birth >= 18, "a parent at {at_birth}");
            child_months.push(months(today, &child.birth_date));
        }
        use crate::upstream::gov::wire::Employment::*;
        match person.employment {
            Student => assert!((6..=25).contains(&age), "a student of {age}"),
            Retired => assert!(age >= 50, "retired at {age}"),
            Employed | Unemployed | Flexible | Farmer => assert!(age >= 16, "working at {age}"),
            None => {}
        }
        if age < 6 {
            assert_eq!(person.employment, None);
        }
    }
    assert!(child_months.iter().filter(|m| **m < 12).count() >= 5);
    assert!(child_months.iter().filter(|m| **m < 36).count() >= 20);
    let parents = people.iter().filter(|p| !p.children.is_empty()).count();
    assert!(parents * 5 > people.len(), "only {parents} parents");
}

#[test]
fn every_id_number_is_valid_unique_and_carries_birth_date_sex_and_district() {
    let population = Population::seeded(today());
    let mut seen = HashSet::new();
    for (number, person) in &population.people {
        let facts = &person.facts;
        assert_eq!(number, &facts.id_number);
        assert!(seen.insert(number.clone()));
        let id = IdNumber::parse(number).expect("a valid ID number");
        assert_eq!(id.birth_date(), date(&facts.birth_date));
        assert_eq!(id.region_code(), facts.district);
        let male = id.sex() == crate::domain::identity::id_number::Sex::Male;
        assert_eq!(male, facts.sex == Sex::Male);
        assert!(!person.name.is_empty());
    }
    let ili = population
        .people
        .values()
        .filter(|p| p.facts.district.starts_with("6540"))
        .count();
    assert!(ili >= GENERATED_PEOPLE);
    let names: Vec<&str> = population
        .people
        .values()
        .map(|p| p.name.as_str())
        .collect();
    assert!(names.iter().filter(|n| n.contains('·')).count() > names.len() / 3);
    assert!(names.iter().filter(|n| !n.contains('·')).count() > names.len() / 3);
}

#[test]
fn the_demo_citizens_facts_agree_with_their_register_entries() {
    let population = Population::seeded(today());
    for citizen in demo_citizens() {
        let person = &population.people[citizen.id_number];
        assert_eq!(person.name, citizen.name);
        assert_eq!(person.facts.birth_date, citizen.birth_date.to_string());
        assert_eq!(person.facts.district, &citizen.id_number[..6]);
    }
}

/// Uyghur and Kazakh are written in the Arabic script: the same check as `seed_check`.
fn is_arabic_script(s: &str) -> bool {
    let arabic = |c: char| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}');
    let mut letters = s.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek().is_some() && letters.all(arabic)
}

fn is_trilingual(text: &I18nText) -> bool {
    !text.zh.is_empty()
        && [&text.ug, &text.kk]
            .iter()
            .all(|other| other.as_deref().is_some_and(is_arabic_script))
}

#[test]
fn enterprises_have_valid_codes_trilingual_names_and_a_realistic_mix() {
    let today = today();
    let population = Population::seeded(today);
    let all: Vec<_> = population.enterprises.values().collect();
    for facts in &all {
        let (body, check) = facts.credit_code.split_at(17);
        assert_eq!(
            uscc_check_char(body).map(String::from).as_deref(),
            Some(check)
        );
        assert_eq!(&facts.credit_code[2..8], facts.district);
        assert!(is_trilingual(&facts.name), "{:?}", facts.name);
        let registered = date(&facts.registered_on);
        assert!(registered >= date("1995-01-01") && registered < today);
        let (lo, hi) = match facts.size {
            EnterpriseSize::Micro => (1, 9),
            EnterpriseSize::Small => (10, 99),
            EnterpriseSize::Medium => (100, 299),
            EnterpriseSize::Large => (300, 1_500),
        };
        assert!((lo..=hi).contains(&facts.employees));
        assert!(facts.graduate_hires <= facts.employees);
    }
    let count = |keep: &dyn Fn(&&&crate::upstream::gov::wire::EnterpriseFacts) -> bool| {
        all.iter().filter(keep).count()
    };
    let individual = count(&|f| f.kind == EnterpriseType::IndividualBusiness);
    assert!(individual * 10 >= all.len() * 3, "{individual} individual");
    let small = count(&|f| matches!(f.size, EnterpriseSize::Micro | EnterpriseSize::Small));
    assert!(small * 10 >= all.len() * 8);
    let high_tech = count(&|f| f.high_tech);
    assert!(high_tech >= 3 && high_tech * 10 < all.len(), "{high_tech}");
    let three_years_ago = today.saturating_sub(Span::new().years(3));
    let young = count(&|f| date(&f.registered_on) > three_years_ago);
    assert!(young * 5 >= all.len() && young * 2 < all.len(), "{young}");
    let industries: HashSet<&str> = all.iter().map(|f| f.industry.as_str()).collect();
    for section in ["A", "C", "F", "G", "H", "I"] {
        assert!(industries.contains(section), "no {section}");
    }
    let median = |size| {
        let mut revenue: Vec<i64> = all
            .iter()
            .filter(|f| f.size == size)
            .map(|f| f.annual_revenue)
            .collect();
        revenue.sort();
        revenue[revenue.len() / 2]
    };
    assert!(median(EnterpriseSize::Micro) < median(EnterpriseSize::Small));
}

#[tokio::test]
async fn a_person_and_an_enterprise_are_looked_up_one_by_one() {
    let (client, sim) = client_and_sim().await;
    let citizen = demo_citizens()[1];
    let id = IdNumber::parse(citizen.id_number).expect("valid");
    let facts = client.person_facts(&id).await.expect("facts");
    assert_eq!(facts.birth_date, "1988-07-21");
    assert_eq!(facts.district, "654002");
    assert_eq!(facts.sex, Sex::Male);
    let dairy = client
        .enterprise_facts(demo_enterprises()[0].uscc)
        .await
        .expect("dairy");
    assert_eq!(dairy.district, "654026");
    assert_eq!(dairy.name.zh, demo_enterprises()[0].name);
    assert_eq!(sim.calls(Resource::Facts), 2);
}

#[tokio::test]
async fn an_unknown_person_or_enterprise_is_not_found() {
    let (client, _sim) = client_and_sim().await;
    let stranger = IdNumber::parse("11010519491231002X").expect("valid");
    let person = client.person_facts(&stranger).await;
    assert!(matches!(person, Err(GovError::NotFound)), "{person:?}");
    let enterprise = client.enterprise_facts("91654002MA00000000").await;
    assert!(
        matches!(enterprise, Err(GovError::NotFound)),
        "{enterprise:?}"
    );
}

#[tokio::test]
async fn a_batch_answers_the_known_and_lists_the_missing() {
    let (client, _sim) = client_and_sim().await;
    let mut asked: Vec<String> = demo_citizens()
        .iter()
        .map(|c| c.id_number.to_string())
        .collect();
    asked.push("11010519491231002X".into());
    asked.push(asked[0].clone());
    let batch = client.person_facts_batch(&asked).await.expect("batch");
    assert_eq!(batch.list.len(), demo_citizens().len());
    assert_eq!(batch.list[0].id_number, asked[0]);
    assert_eq!(batch.missing, vec!["11010519491231002X".to_string()]);
    let codes: Vec<String> = demo_enterprises().iter().map(|e| e.uscc.into()).collect();
    let enterprises = client.enterprise_facts_batch(&codes).await.expect("batch");
    assert_eq!(enterprises.list.len(), 3);
    assert!(enterprises.missing.is_empty());
}

#[tokio::test]
async fn a_batch_of_more_than_500_is_refused() {
    let (client, _sim) = client_and_sim().await;
    let too_many = vec![demo_citizens()[0].id_number.to_string(); MAX_FACTS_BATCH + 1];
    let result = client.person_facts_batch(&too_many).await;
    assert!(
        matches!(&result, Err(GovError::Protocol(why)) if why.contains("400")),
        "{result:?}"
    );
    let result = client.enterprise_facts_batch(&too_many).await;
    assert!(matches!(result, Err(GovError::Protocol(_))), "{result:?}");
    let exactly = vec![demo_citizens()[0].id_number.to_string(); MAX_FACTS_BATCH];
    client
        .person_facts_batch(&exactly)
        .await
        .expect("500 is allowed");
}

#[tokio::test]
async fn the_id_pages_enumerate_the_whole_population_once() {
    let (client, _sim) = client_and_sim().await;
    let mut seen = HashSet::new();
    let mut page_no = 1;
    loop {
        let page = client.person_ids(page_no, 500).await.expect("page");
        assert_eq!(
            page.total as usize,
            GENERATED_PEOPLE + demo_citizens().len()
        );
        if page.list.is_empty() {
            break;
        }
        for id in page.list {
            assert!(seen.insert(id));
        }
        page_no += 1;
    }
    assert_eq!(seen.len(), GENERATED_PEOPLE + demo_citizens().len());
    let sample: Vec<String> = seen.iter().take(MAX_FACTS_BATCH).cloned().collect();
    let batch = client.person_facts_batch(&sample).await.expect("batch");
    assert_eq!(batch.list.len(), MAX_FACTS_BATCH);
    let enterprises = client.enterprise_ids(1, 10_000).await.expect("page");
    assert_eq!(enterprises.page_size, 500);
    assert_eq!(
        enterprises.list.len(),
        GENERATED_ENTERPRISES + demo_enterprises().len()
    );
}

#[tokio::test]
async fn an_outage_of_facts_leaves_the_rest_of_the_platform_working() {
    let (client, sim) = client_and_sim().await;
    sim.set_faults(
        Resource::Facts,
        Faults {
            outage: true,
            ..Faults::default()
        },
    );
    let id = IdNumber::parse(demo_citizens()[0].id_number).expect("valid");
    let result = client.person_facts(&id).await;
    assert!(
        matches!(result, Err(GovError::Unavailable(_))),
        "{result:?}"
    );
    let result = client.enterprise_ids(1, 10).await;
    assert!(
        matches!(result, Err(GovError::Unavailable(_))),
        "{result:?}"
    );
    client
        .certificates(&citizen(0))
        .await
        .expect("certificates still work");
    assert_eq!(sim.calls(Resource::Facts), 0);
    sim.set_faults(Resource::Facts, Faults::default());
    client.person_facts(&id).await.expect("back again");
    assert_eq!(sim.calls(Resource::Facts), 1);
}

fn event_of(received: &Received) -> wire::LifeEvent {
    serde_json::from_slice(&received.body).expect("a life event")
}

#[tokio::test]
async fn a_registered_birth_changes_the_facts_and_is_delivered_signed() {
    let (client, sim, receiver) = sim_with_receiver(0).await;
    let mother = demo_citizens()[0].id_number;
    let before = sim.person_facts(mother).expect("known");
    let born = today().saturating_sub(Span::new().days(2));

    let delivery = sim.register_birth(mother, born).await.expect("delivered");

    assert!(delivery.acknowledged(), "{delivery:?}");
    assert_eq!(delivery.attempts, 1);
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert!(verifies(&seen[0]), "the signature verifies with the key");
    assert_eq!(seen[0].content_type, "application/json");
    assert!((jiff::Timestamp::now().as_second() - seen[0].timestamp).abs() < 60);
    let event = event_of(&seen[0]);
    assert_eq!(event.event_id, delivery.event_id);
    assert_eq!(seen[0].event_id, delivery.event_id);
    assert!(uuid::Uuid::parse_str(&event.event_id).is_ok());
    assert_eq!(event.kind, wire::LifeEventType::BirthRegistered);
    assert_eq!(
        event.subject,
        wire::EventSubject::Person {
            id_number: mother.to_string()
        }
    );
    assert!(event.facts.contains(&"children".to_string()));
    assert!(event.occurred_at.ends_with("+08:00"));
    let raw: serde_json::Value = serde_json::from_slice(&seen[0].body).expect("json");
    assert_eq!(raw["type"], "birth_registered");
    assert_eq!(raw["subject"]["type"], "person");
    assert_eq!(raw["subject"]["idNumber"], mother);
    let id = IdNumber::parse(mother).expect("valid");
    let after = client.person_facts(&id).await.expect("facts");
    assert_eq!(after.children.len(), before.children.len() + 1);
    assert!(
        after
            .children
            .iter()
            .any(|c| c.birth_date == born.to_string())
    );
    assert_eq!(after.household_size, before.household_size + 1);
    assert_ne!(after.updated_at, before.updated_at);
}

#[tokio::test]
async fn an_event_is_tried_again_with_the_same_id_until_acknowledged() {
    let (_client, sim, receiver) = sim_with_receiver(2).await;
    let started = std::time::Instant::now();
    let delivery = sim
        .certify_disability(demo_citizens()[2].id_number, 1)
        .await
        .expect("delivered");
    assert!(delivery.acknowledged());
    assert_eq!(delivery.attempts, 3);
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
    let seen = receiver.seen();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter()
            .all(|r| r.event_id == delivery.event_id && verifies(r))
    );
    assert_eq!(
        sim.person_facts(demo_citizens()[2].id_number)
            .expect("known")
            .disability_level,
        1
    );
}

#[tokio::test]
async fn a_receiver_that_never_acknowledges_gets_three_tries() {
    let (_client, sim, receiver) = sim_with_receiver(10).await;
    let delivery = sim
        .announce_birthday(demo_citizens()[1].id_number)
        .await
        .expect("sent");
    assert!(!delivery.acknowledged());
    assert_eq!(delivery.status, Some(503));
    assert_eq!(delivery.attempts, 3);
    assert_eq!(receiver.seen().len(), 3);
}

#[tokio::test]
async fn support_employment_and_enterprise_events_change_what_the_platform_answers() {
    let (client, sim, receiver) = sim_with_receiver(0).await;
    let person = demo_citizens()[1].id_number;
    sim.grant_subsistence(person).await.expect("subsistence");
    sim.register_unemployment(person)
        .await
        .expect("unemployment");
    let facts = client
        .person_facts(&IdNumber::parse(person).expect("valid"))
        .await
        .expect("facts");
    assert!(facts.subsistence);
    assert_eq!(facts.income_band, IncomeBand::Subsistence);
    assert_eq!(
        facts.employment,
        crate::upstream::gov::wire::Employment::Unemployed
    );
    sim.retire(person).await.expect("retired");
    assert_eq!(
        sim.person_facts(person).expect("known").employment,
        crate::upstream::gov::wire::Employment::Retired
    );

    let (code, delivery) = sim.register_enterprise("654025", "H").await.expect("new");
    assert!(delivery.acknowledged());
    let (body, check) = code.split_at(17);
    assert_eq!(
        uscc_check_char(body).map(String::from).as_deref(),
        Some(check)
    );
    let registered = client.enterprise_facts(&code).await.expect("facts");
    assert_eq!(registered.district, "654025");
    assert_eq!(registered.registered_on, today().to_string());
    assert!(is_trilingual(&registered.name));
    sim.hire_graduates(&code, 2).await.expect("hired");
    let hired = client.enterprise_facts(&code).await.expect("facts");
    assert_eq!(hired.graduate_hires, 2);

    let kinds: Vec<String> = receiver
        .seen()
        .iter()
        .map(|r| event_of(r).kind.as_str().to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "subsistence_granted",
            "unemployment_registered",
            "retired",
            "enterprise_registered",
            "enterprise_changed"
        ]
    );
    let last = event_of(&receiver.seen()[4]);
    assert_eq!(
        last.subject,
        wire::EventSubject::Enterprise { credit_code: code }
    );
    assert!(last.facts.contains(&"graduateHires".to_string()));
}

#[tokio::test]
async fn a_hand_made_event_is_delivered_byte_for_byte() {
    let (_client, sim, receiver) = sim_with_receiver(0).await;
    let crafted = serde_json::json!({
        "eventId": "00000000-0000-4000-8000-000000000001",
        "type": "something_new",
        "occurredAt": "2026-11-22T10:00:00+08:00",
        "subject": {"type": "person", "idNumber": "11010519491231002X"},
        "facts": []
    });
    let delivery = sim.send_event(&crafted).await.expect("sent");
    assert_eq!(delivery.event_id, "00000000-0000-4000-8000-000000000001");
    let seen = receiver.seen();
    assert_eq!(seen[0].body, serde_json::to_vec(&crafted).expect("json"));
    assert!(verifies(&seen[0]));
}

#[tokio::test]
async fn mutations_refuse_unknown_holders_bad_levels_and_a_missing_sink() {
    let (_client, sim) = client_and_sim().await;
    let someone = demo_citizens()[0].id_number;
    assert!(sim.grant_subsistence(someone).await.is_err(), "no sink set");
    let (_client, sim, receiver) = sim_with_receiver(0).await;
    assert!(sim.retire("11010519491231002X").await.is_err());
    assert!(sim.certify_disability(someone, 5).await.is_err());
    assert!(sim.register_enterprise("650102", "F").await.is_err());
    assert!(sim.hire_graduates("91654002MA00000000", 1).await.is_err());
    assert!(receiver.seen().is_empty());
}

const POLICIES: &str = include_str!("../seed/policies.json");
const CATALOG: &str = include_str!("../seed/catalog.json");

const PERSON_FACTS: [&str; 17] = [
    "age",
    "sex",
    "district",
    "prefecture",
    "hukou",
    "household_size",
    "income_per_capita",
    "income_band",
    "disability_level",
    "children_count",
    "children_ages",
    "children_age_months",
    "employment",
    "subsistence",
    "extreme_poverty",
    "living_alone",
    "veteran",
];
const ENTERPRISE_FACTS: [&str; 11] = [
    "type",
    "size",
    "industry",
    "district",
    "prefecture",
    "age_months",
    "tax_credit",
    "employees",
    "graduate_hires",
    "annual_revenue",
    "high_tech",
];

fn policies() -> Vec<serde_json::Value> {
    serde_json::from_str(POLICIES).expect("policies.json is a JSON array")
}

fn field<'a>(value: &'a serde_json::Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

/// The problems of one text in the policy format's three locales.
fn locale_problems(place: &str, text: &serde_json::Value) -> Vec<String> {
    let zh = field(text, "zh-Hans");
    let mut problems = Vec::new();
    if zh.is_empty() {
        problems.push(format!("{place}: no Chinese text"));
    }
    for lang in ["ug-Arab", "kk-Arab"] {
        let other = field(text, lang);
        if !is_arabic_script(other) || other == zh {
            problems.push(format!("{place}.{lang}: not Arabic-script text: {other:?}"));
        }
    }
    problems
}

#[test]
fn the_seed_policies_are_many_unique_and_trilingual() {
    let policies = policies();
    assert!(policies.len() >= 22, "only {} policies", policies.len());
    let mut ids = HashSet::new();
    let mut problems = Vec::new();
    for policy in &policies {
        let id = field(policy, "policyId");
        assert!(ids.insert(id), "{id} twice");
        let well_formed = (3..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        assert!(well_formed, "policy id {id:?}");
        for key in ["title", "summary", "howPaid", "legalBasis"] {
            problems.extend(locale_problems(&format!("{id}.{key}"), &policy[key]));
        }
        problems.extend(locale_problems(
            &format!("{id}.issuer"),
            &policy["issuer"]["name"],
        ));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_seed_policies_use_the_formats_values_and_mix_them_all() {
    let policies = policies();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for policy in &policies {
        let id = field(policy, "policyId");
        for (key, allowed) in [
            ("target", &["person", "enterprise"][..]),
            (
                "benefitKind",
                &["cash", "subsidy", "service", "exemption"][..],
            ),
            ("mode", &["auto_grant", "confirm"][..]),
            ("period", &["once", "year", "month"][..]),
        ] {
            let value = field(policy, key);
            assert!(allowed.contains(&value), "{id}: {key} {value:?}");
            seen.insert((key, value));
        }
        let days = policy["confirmWithinDays"].as_u64();
        match field(policy, "mode") {
            "confirm" => assert!(days.is_some_and(|d| (1..=366).contains(&d)), "{id}"),
            _ => assert!(policy["confirmWithinDays"].is_null(), "{id}"),
        }
        date(field(policy, "effectiveFrom"));
        if let Some(to) = policy["effectiveTo"].as_str() {
            assert!(date(to) > date(field(policy, "effectiveFrom")), "{id}");
        }
        let amount = &policy["amount"];
        if !amount.is_null() {
            assert!(
                ["once", "month", "year"].contains(&field(amount, "unit")),
                "{id}"
            );
            let fixed = amount["fen"].as_i64().is_some_and(|fen| fen > 0);
            assert!(fixed != amount["expr"].is_string(), "{id}: fen or expr");
        }
        let money = ["cash", "subsidy"].contains(&field(policy, "benefitKind"));
        assert!(!money || !amount.is_null(), "{id}: money without an amount");
    }
    assert_eq!(seen.len(), 2 + 4 + 2 + 3, "{seen:?}");
}

#[test]
fn the_seed_policies_read_only_facts_of_their_target_and_cite_real_issuers() {
    let catalog: Vec<serde_json::Value> = serde_json::from_str(CATALOG).expect("catalog");
    for policy in policies() {
        let id = field(&policy, "policyId");
        let (own, facts) = match field(&policy, "target") {
            "person" => ("person", &PERSON_FACTS[..]),
            _ => ("enterprise", &ENTERPRISE_FACTS[..]),
        };
        let mut rules = vec![field(&policy, "eligibility")];
        rules.extend(policy["amount"]["expr"].as_str());
        for rule in rules {
            assert!(!rule.is_empty(), "{id}: no rule");
            for subject in ["person", "enterprise"] {
                for (at, _) in rule.match_indices(&format!("{subject}.")) {
                    let name: String = rule[at + subject.len() + 1..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    assert_eq!(subject, own, "{id}: reads {subject}.{name}");
                    assert!(facts.contains(&name.as_str()), "{id}: no fact {name}");
                }
            }
        }
        let code = field(&policy["issuer"], "code");
        let department = catalog
            .iter()
            .find(|item| field(item, "deptCode") == code)
            .unwrap_or_else(|| panic!("{id}: issuer {code} is not a catalog department"));
        for (ours, theirs) in [("zh-Hans", "zh"), ("ug-Arab", "ug"), ("kk-Arab", "kk")] {
            assert_eq!(
                policy["issuer"]["name"][ours], department["deptName"][theirs],
                "{id}: issuer name"
            );
        }
    }
}

async fn post_demo(sim: &GovSim, kind: &str, body: serde_json::Value) -> serde_json::Value {
    reqwest::Client::new()
        .post(format!("{}/api/v1/demo/events/{kind}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .expect("sim answers")
        .json()
        .await
        .expect("json envelope")
}

#[tokio::test]
async fn the_demo_routes_run_a_mutation_and_answer_its_delivery() {
    let (_client, sim, receiver) = sim_with_receiver(0).await;
    let person = demo_citizens()[3].id_number;

    let answer = post_demo(
        &sim,
        "disability",
        serde_json::json!({"idNumber": person, "level": 2}),
    )
    .await;
    let enterprise = post_demo(
        &sim,
        "enterprise",
        serde_json::json!({"district": "654002", "industry": "I"}),
    )
    .await;
    let unknown_kind = post_demo(&sim, "wedding", serde_json::json!({})).await;
    let unknown_person = post_demo(
        &sim,
        "retired",
        serde_json::json!({"idNumber": "11010519491231002X"}),
    )
    .await;

    assert_eq!(answer["code"], "200", "{answer}");
    assert_eq!(answer["data"]["status"], 200);
    assert_eq!(answer["data"]["attempts"], 1);
    assert_eq!(receiver.seen()[0].event_id, answer["data"]["eventId"]);
    assert_eq!(sim.person_facts(person).expect("known").disability_level, 2);
    let code = enterprise["data"]["creditCode"].as_str().expect("a code");
    assert!(sim.enterprise_facts(code).is_some());
    assert_eq!(unknown_kind["code"], "404");
    assert_eq!(unknown_person["code"], "422");
    assert_eq!(receiver.seen().len(), 2);
}
