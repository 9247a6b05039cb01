//! Benefits engine benchmarks (issue 5): compiling a policy (criterion), one person against
//! 200 policies with and without explanations (p50/p99 over 10,000 people), and sweep
//! throughput in person × policy checks per second on 1 and 2 threads.
//!
//! `cargo bench --bench benefits`. The 200 policies are the simulated platform's seed policies
//! for people, each repeated with its id suffixed, so the rules are realistic ones.

// A benchmark's figures are its output; criterion prints its own the same way.
#![allow(clippy::print_stdout)]

use std::{hint::black_box, time::Instant};

use criterion::{Criterion, criterion_group};
use jiff::civil::{Date, date};
use tongban::{
    domain::benefits::{
        explain,
        facts::{Facts, PersonRecord},
        policy::{CompiledPolicy, PolicyDocument},
    },
    i18n::{L10n, Lang},
};

const PEOPLE: usize = 10_000;
const POLICIES: usize = 200;

fn documents() -> Vec<PolicyDocument> {
    serde_json::from_str(tongban::sim::gov::SEED_POLICIES).expect("seed policies")
}

fn policies() -> Vec<CompiledPolicy> {
    let people: Vec<PolicyDocument> = documents()
        .into_iter()
        .filter(|d| d.target == "person")
        .collect();
    (0..POLICIES)
        .map(|i| {
            let mut document = people[i % people.len()].clone();
            document.policy_id = format!("{}-{i}", document.policy_id);
            CompiledPolicy::compile(document, 1).expect("compiles")
        })
        .collect()
}

/// A deterministic population with the shapes of the simulator's (ages, districts, children).
fn people(today: Date) -> Vec<Facts> {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let districts = [
        "654002", "654003", "654004", "654021", "654022", "654023", "654024", "654025", "654026",
        "654027", "654028", "650102",
    ];
    let bands = ["subsistence", "low", "middle", "middle", "high"];
    let jobs = [
        "employed",
        "unemployed",
        "flexible",
        "farmer",
        "retired",
        "student",
        "none",
    ];
    (0..PEOPLE)
        .map(|_| {
            let age = next(95) as i16;
            let born = date(2026 - age, (next(12) + 1) as i8, (next(28) + 1) as i8);
            let children = (0..next(4))
                .map(|_| {
                    date(
                        2026 - next(20) as i16,
                        (next(12) + 1) as i8,
                        (next(28) + 1) as i8,
                    )
                })
                .filter(|d| *d <= today)
                .collect();
            let band = bands[next(bands.len() as u64) as usize];
            let record = PersonRecord {
                birth_date: born,
                sex: if next(2) == 0 { "male" } else { "female" }.into(),
                district: districts[next(districts.len() as u64) as usize].into(),
                hukou: if next(2) == 0 { "urban" } else { "rural" }.into(),
                household_size: next(6) as i64 + 1,
                income_per_capita: next(5000) as i64,
                income_band: band.into(),
                disability_level: if next(16) == 0 { next(4) as i64 + 1 } else { 0 },
                children_birth_dates: children,
                employment: jobs[next(jobs.len() as u64) as usize].into(),
                subsistence: band == "subsistence",
                extreme_poverty: next(100) == 0,
                living_alone: next(10) == 0,
                veteran: next(20) == 0,
            };
            Facts::person(&record, today)
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut micros: Vec<f64>) {
    micros.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{name}: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs ({} people)",
        percentile(&micros, 0.5),
        percentile(&micros, 0.99),
        micros[micros.len() - 1],
        micros.len()
    );
}

/// Checks per second over every person × policy, on `threads` threads.
fn sweep_rate(policies: &[CompiledPolicy], people: &[Facts], threads: usize, rounds: usize) -> f64 {
    let started = Instant::now();
    let mut matched = 0usize;
    std::thread::scope(|scope| {
        let handles: Vec<_> = people
            .chunks(people.len().div_ceil(threads))
            .map(|chunk| {
                scope.spawn(move || {
                    let mut found = 0usize;
                    for _ in 0..rounds {
                        for facts in chunk {
                            for policy in policies {
                                found += usize::from(policy.matches(facts).unwrap_or(false));
                            }
                        }
                    }
                    found
                })
            })
            .collect();
        for handle in handles {
            matched += handle.join().expect("thread");
        }
    });
    black_box(matched);
    (people.len() * policies.len() * rounds) as f64 / started.elapsed().as_secs_f64()
}

fn figures() {
    let today = date(2026, 11, 22);
    let policies = policies();
    let people = people(today);
    let l10n = L10n::embedded().expect("locales");
    // Warm up.
    for facts in people.iter().take(500) {
        for policy in &policies {
            black_box(policy.evaluate(facts).ok());
        }
    }
    let mut plain = Vec::with_capacity(PEOPLE);
    let mut explained = Vec::with_capacity(PEOPLE);
    let mut matches = 0usize;
    for (i, facts) in people.iter().enumerate() {
        let lang = Lang::ALL[i % 3];
        let started = Instant::now();
        let found = policies
            .iter()
            .filter(|p| p.matches(facts).unwrap_or(false))
            .count();
        plain.push(started.elapsed().as_secs_f64() * 1e6);
        black_box(found);
        let started = Instant::now();
        let mut sentences = Vec::new();
        for policy in &policies {
            if let Ok(Some(matched)) = policy.evaluate(facts) {
                matches += 1;
                for reason in &matched.reasons {
                    let stored = explain::capture(reason, facts);
                    sentences.push(explain::render(&l10n, lang, &stored));
                }
            }
        }
        explained.push(started.elapsed().as_secs_f64() * 1e6);
        black_box(sentences);
    }
    report("one person × 200 policies, no explanations", plain);
    report(
        "one person × 200 policies, with explanations rendered in zh/ug/kk",
        explained,
    );
    println!(
        "matches: {:.1} of 200 policies per person on average",
        matches as f64 / PEOPLE as f64
    );
    let one = sweep_rate(&policies, &people, 1, 3);
    let two = sweep_rate(&policies, &people, 2, 3);
    println!(
        "sweep: {:.2} M checks/s on 1 thread, {:.2} M checks/s on 2 threads ({:.2}×)",
        one / 1e6,
        two / 1e6,
        two / one
    );
}

fn compile(c: &mut Criterion) {
    let documents = documents();
    c.bench_function("compile one seed policy (mean over the 25)", |b| {
        let mut i = 0;
        b.iter(|| {
            let document = documents[i % documents.len()].clone();
            i += 1;
            black_box(CompiledPolicy::compile(document, 1).expect("compiles"))
        })
    });
}

criterion_group!(benches, compile);

fn main() {
    figures();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
