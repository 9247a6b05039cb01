//! Facts for eligibility (共享数据): what the platform's registers know about the people and
//! enterprises of the Ili Kazakh Autonomous Prefecture, served to Tongban for 免申即享 rules
//! (`POST /api/v1/facts/person`, `…/enterprise`, their batch and `ids` forms; see
//! `docs/upstream-gov.md`).
//!
//! Layout: this file holds the [`Population`] (mutable state behind `SimState::facts`), the
//! deterministic generator [`Rng`] and the handlers; [`people`] generates the residents,
//! [`enterprises`] the market entities, and `demo` gives the demo citizens and enterprises
//! their hand-written facts. The population is generated from a fixed seed, relative to the day the
//! simulator starts (so a newborn stays a newborn whatever the date); two simulators started
//! on the same day hold exactly the same people.

mod demo;
pub(super) mod enterprises;
pub(super) mod people;

use std::{collections::BTreeMap, sync::Arc};

use jiff::civil::Date;
use poem::{Request, Response, handler, http::StatusCode, web::Data};

use super::{SimState, admit_json, lock, not_found, ok, refuse};
use crate::upstream::gov::wire::{
    self, EnterpriseFacts, EnterpriseFactsBatchQuery, EnterpriseFactsQuery, FactsBatch,
    FactsIdsQuery, MAX_FACTS_BATCH, MAX_FACTS_IDS_PAGE, Page, PersonFacts, PersonFactsBatchQuery,
    PersonFactsQuery,
};

/// Generated residents, besides the demo citizens.
pub(super) const GENERATED_PEOPLE: usize = 1_200;
/// Generated market entities, besides the demo enterprises.
pub(super) const GENERATED_ENTERPRISES: usize = 240;
/// The population is the same on every start (on the same day).
const SEED: u64 = 0x0001_CE65_4000_2026;

/// The simulated registers: people by ID number and enterprises by credit code, both ordered
/// so that `…/ids` pages are stable.
#[derive(Debug)]
pub(super) struct Population {
    pub people: BTreeMap<String, people::Person>,
    pub enterprises: BTreeMap<String, EnterpriseFacts>,
}

impl Population {
    /// The demo holders with their hand-written facts, then the generated ones, all relative
    /// to `today` (Beijing).
    pub fn seeded(today: Date) -> Self {
        let mut rng = Rng::new(SEED);
        let mut people: BTreeMap<String, people::Person> = demo::people(today)
            .into_iter()
            .map(|person| (person.facts.id_number.clone(), person))
            .collect();
        for person in people::generate(&mut rng, today, GENERATED_PEOPLE, &people) {
            people.insert(person.facts.id_number.clone(), person);
        }
        let mut enterprises: BTreeMap<String, EnterpriseFacts> = demo::enterprises(today)
            .into_iter()
            .map(|facts| (facts.credit_code.clone(), facts))
            .collect();
        for facts in enterprises::generate(&mut rng, today, GENERATED_ENTERPRISES, &enterprises) {
            enterprises.insert(facts.credit_code.clone(), facts);
        }
        Self {
            people,
            enterprises,
        }
    }
}

/// splitmix64 (Steele, Lea and Flood 2014): tiny, fast and good enough to draw a synthetic
/// population, and the same on every platform, unlike a seeded `HashMap` order.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0); the modulo bias is negligible for the small `n` used.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// One of `choices`, each as likely as its weight.
    pub fn weighted<T: Copy>(&mut self, choices: &[(T, u32)]) -> T {
        let total: u64 = choices.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut left = self.below(total);
        for (choice, weight) in choices {
            if left < u64::from(*weight) {
                return *choice;
            }
            left -= u64::from(*weight);
        }
        choices[choices.len() - 1].0
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A time on `date` as the platform writes it (RFC 3339, Beijing).
pub(super) fn at(date: Date, hour: i64, minute: i64) -> String {
    format!("{date}T{hour:02}:{minute:02}:00+08:00")
}

/// `date` moved by `days` (negative: earlier).
pub(super) fn add_days(date: Date, days: i64) -> Date {
    date.saturating_add(jiff::Span::new().days(days))
}

fn bad_request(message: &str) -> Response {
    refuse(StatusCode::BAD_REQUEST, wire::CODE_BAD_REQUEST, message)
}

/// The facts found for `codes`, in the order asked (each once), and the codes not found.
fn batch<V, T: Clone>(
    registry: &BTreeMap<String, V>,
    codes: &[String],
    facts: impl Fn(&V) -> &T,
) -> FactsBatch<T> {
    let mut seen = std::collections::HashSet::new();
    let mut answer = FactsBatch {
        list: Vec::new(),
        missing: Vec::new(),
    };
    for code in codes.iter().filter(|code| seen.insert(code.as_str())) {
        match registry.get(code) {
            Some(found) => answer.list.push(facts(found).clone()),
            None => answer.missing.push(code.clone()),
        }
    }
    answer
}

/// One page of a registry's keys.
fn ids_page<V>(registry: &BTreeMap<String, V>, query: FactsIdsQuery) -> Page<String> {
    let page_no = query.page_no.max(1);
    let page_size = query.page_size.clamp(1, MAX_FACTS_IDS_PAGE);
    Page {
        total: registry.len() as u64,
        page_no,
        page_size,
        list: registry
            .keys()
            .skip((page_no as usize - 1) * page_size as usize)
            .take(page_size as usize)
            .cloned()
            .collect(),
    }
}

impl super::GovSim {
    /// The name a person is registered under, for demos that act as them.
    pub fn person_name(&self, id_number: &str) -> Option<String> {
        let population = lock(&self.state.facts);
        population.people.get(id_number).map(|p| p.name.clone())
    }

    /// The facts the platform holds about one person now.
    pub fn person_facts(&self, id_number: &str) -> Option<PersonFacts> {
        let population = lock(&self.state.facts);
        population.people.get(id_number).map(|p| p.facts.clone())
    }

    /// The facts the platform holds about one enterprise now.
    pub fn enterprise_facts(&self, credit_code: &str) -> Option<EnterpriseFacts> {
        lock(&self.state.facts)
            .enterprises
            .get(credit_code)
            .cloned()
    }
}

const TOO_MANY: &str = "单次查询不得超过500条";

#[handler]
pub(super) async fn person_query(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let wanted: PersonFactsQuery = match admit_json(state, req, &body).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    match lock(&state.facts).people.get(&wanted.id_number) {
        Some(person) => ok(&person.facts),
        None => not_found("查无此人"),
    }
}

#[handler]
pub(super) async fn person_batch(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let wanted: PersonFactsBatchQuery = match admit_json(state, req, &body).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    if wanted.id_numbers.len() > MAX_FACTS_BATCH {
        return bad_request(TOO_MANY);
    }
    let answer: FactsBatch<PersonFacts> = batch(
        &lock(&state.facts).people,
        &wanted.id_numbers,
        |person: &people::Person| &person.facts,
    );
    ok(answer)
}

#[handler]
pub(super) async fn person_ids(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    match admit_json(state, req, &body).await {
        Ok(query) => ok(ids_page(&lock(&state.facts).people, query)),
        Err(refused) => refused,
    }
}

#[handler]
pub(super) async fn enterprise_query(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let wanted: EnterpriseFactsQuery = match admit_json(state, req, &body).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    match lock(&state.facts).enterprises.get(&wanted.credit_code) {
        Some(facts) => ok(facts),
        None => not_found("查无此市场主体"),
    }
}

#[handler]
pub(super) async fn enterprise_batch(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let wanted: EnterpriseFactsBatchQuery = match admit_json(state, req, &body).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    if wanted.credit_codes.len() > MAX_FACTS_BATCH {
        return bad_request(TOO_MANY);
    }
    let answer = batch(
        &lock(&state.facts).enterprises,
        &wanted.credit_codes,
        |facts: &EnterpriseFacts| facts,
    );
    ok(answer)
}

#[handler]
pub(super) async fn enterprise_ids(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    match admit_json(state, req, &body).await {
        Ok(query) => ok(ids_page(&lock(&state.facts).enterprises, query)),
        Err(refused) => refused,
    }
}
