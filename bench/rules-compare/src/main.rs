//! Measures zen-engine (decision tables, JDM) and the `cel` crate on Tongban's eligibility rules
//! (issue 5), single-threaded, and prints a markdown report.
//!
//! Layout: [`facts`] makes 10,000 deterministic people, [`policies`] holds five policies written
//! in both systems, [`cel_side`] and [`zen_side`] wrap each library behind [`check::Checker`], and
//! this file times compiling, sweeping 10,000 × 5 checks, and one person against 200 policies.

mod cel_side;
mod check;
mod facts;
mod policies;
mod stats;
mod zen_side;

use std::hint::black_box;
use std::time::{Duration, Instant};

use cel_side::{Cel, CelInput, CelParser};
use check::{Checker, Outcome};
use facts::Person;
use policies::POLICIES;
use stats::{ns_per, summarise, thousands, us};
use zen_engine::DecisionEngine;
use zen_side::{Zen, ZenForm, ZenInput};

/// People in the sweep.
const PEOPLE: usize = 10_000;
/// Compiles timed per policy and library (after one warm-up compile).
const COMPILES: usize = 300;
/// Each sweep is repeated this many times; the median is reported.
const SWEEP_REPEATS: usize = 5;
/// Timed runs of one person against 200 policies.
const ONE_PERSON_RUNS: usize = 2_000;
/// Policies in the one-person run: 40 × the five.
const ONE_PERSON_POLICIES: usize = 200;

fn main() -> anyhow::Result<()> {
    // Before anything else touches either library, so the one-off set-up cost shows.
    let cold = cold_compiles()?;
    let people = facts::generate(PEOPLE);
    println!("# rules-compare output\n");
    println!(
        "people: {PEOPLE}, policies: {}, checks per sweep: {}\n",
        POLICIES.len(),
        PEOPLE * POLICIES.len()
    );
    compile_report(&cold)?;

    let cel = Cel::new(CelParser::Antlr, CelInput::Direct, &POLICIES)?;
    let cel_value = Cel::new(CelParser::Antlr, CelInput::Value, &POLICIES)?;
    #[cfg(feature = "pratt")]
    let pratt = Cel::new(CelParser::Pratt, CelInput::Direct, &POLICIES)?;
    let zen_table = Zen::new(&POLICIES, ZenForm::Table, ZenInput::Direct, true)?;
    let zen_json = Zen::new(&POLICIES, ZenForm::Table, ZenInput::Json, true)?;
    let zen_raw = Zen::new(&POLICIES, ZenForm::Table, ZenInput::Direct, false)?;
    let zen_expr = Zen::new(&POLICIES, ZenForm::Expression, ZenInput::Direct, true)?;

    println!("## Correctness (eligible people per policy; amounts summed for policy 3)\n");
    let reference = outcomes(&cel, &people)?;
    print_counts_header();
    print_counts(cel.label(), &reference, &reference, &people);
    print_counts(
        cel_value.label(),
        &outcomes(&cel_value, &people)?,
        &reference,
        &people,
    );
    #[cfg(feature = "pratt")]
    print_counts(
        pratt.label(),
        &outcomes(&pratt, &people)?,
        &reference,
        &people,
    );
    print_counts(
        zen_table.label(),
        &outcomes(&zen_table, &people)?,
        &reference,
        &people,
    );
    print_counts(
        zen_json.label(),
        &outcomes(&zen_json, &people)?,
        &reference,
        &people,
    );
    print_counts(
        zen_raw.label(),
        &outcomes(&zen_raw, &people)?,
        &reference,
        &people,
    );
    print_counts(
        zen_expr.label(),
        &outcomes(&zen_expr, &people)?,
        &reference,
        &people,
    );

    println!(
        "\n## Evaluation (single thread; median of {SWEEP_REPEATS} sweeps of {PEOPLE} × {})\n",
        POLICIES.len()
    );
    println!(
        "| library | ns/check, convert per call | ns/check, convert once per person | ns/check, pre-converted | checks/s (convert once per person) | convert ns/person | 200 policies, one person: p50 µs | p99 µs | mean µs |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut per_policy = Vec::new();
    per_policy.push(evaluation_row(&cel, &people)?);
    per_policy.push(evaluation_row(&cel_value, &people)?);
    #[cfg(feature = "pratt")]
    per_policy.push(evaluation_row(&pratt, &people)?);
    per_policy.push(evaluation_row(&zen_table, &people)?);
    per_policy.push(evaluation_row(&zen_json, &people)?);
    per_policy.push(evaluation_row(&zen_raw, &people)?);
    per_policy.push(evaluation_row(&zen_expr, &people)?);

    println!("\n## ns per check by policy (pre-converted facts, median of {SWEEP_REPEATS})\n");
    print!("| library |");
    for p in &POLICIES {
        print!(" {} |", p.name);
    }
    println!("\n|---|{}", "---:|".repeat(POLICIES.len()));
    for (label, ns) in per_policy {
        print!("| {label} |");
        for n in ns {
            print!(" {n:.0} |");
        }
        println!();
    }
    Ok(())
}

/// The very first compile in the process, per library (one-off static set-up included).
struct Cold {
    cel_antlr: Duration,
    #[cfg(feature = "pratt")]
    cel_pratt: Duration,
    zen_table: Duration,
}

fn cold_compiles() -> anyhow::Result<Cold> {
    let policy = &POLICIES[0];
    #[cfg(feature = "pratt")]
    let cel_pratt = time(|| cel_side::compile_policy(CelParser::Pratt, policy))?;
    let cel_antlr = time(|| cel_side::compile_policy(CelParser::Antlr, policy))?;
    let engine = DecisionEngine::default();
    let jdm = zen_side::jdm_text(policy, ZenForm::Table);
    let zen_table = time(|| {
        zen_side::create(&engine, &jdm, true)
            .map(black_box)
            .map(drop)
    })?;
    Ok(Cold {
        cel_antlr,
        #[cfg(feature = "pratt")]
        cel_pratt,
        zen_table,
    })
}

/// Times one call.
fn time(f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let start = Instant::now();
    f()?;
    Ok(start.elapsed())
}

/// Times `COMPILES` calls after one warm-up and summarises them as `p50 / mean / p99` in µs.
fn compile_cell(mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<String> {
    f()?;
    let samples = (0..COMPILES)
        .map(|_| time(&mut f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let s = summarise(samples);
    Ok(format!("{} / {} / {}", us(s.p50), us(s.mean), us(s.p99)))
}

fn compile_report(cold: &Cold) -> anyhow::Result<()> {
    println!(
        "## Compile one policy (µs, p50 / mean / p99 over {COMPILES} compiles after one warm-up)\n"
    );
    println!("First compile in the process (one-off static set-up included), policy 1:");
    println!("cel ANTLR {} µs", us(cold.cel_antlr));
    #[cfg(feature = "pratt")]
    println!("cel Pratt {} µs", us(cold.cel_pratt));
    println!(
        "zen table (parse JDM + create + compile) {} µs\n",
        us(cold.zen_table)
    );
    print!("| policy | cel ANTLR `Program::compile` |");
    #[cfg(feature = "pratt")]
    print!(" cel Pratt parser |");
    println!(
        " zen table: JDM text → Decision + `compile()` | of which `compile()` | zen expression node: JDM text → Decision + `compile()` |"
    );
    #[cfg(feature = "pratt")]
    println!("|---|---:|---:|---:|---:|---:|");
    #[cfg(not(feature = "pratt"))]
    println!("|---|---:|---:|---:|---:|");
    let engine = DecisionEngine::default();
    for policy in &POLICIES {
        print!(
            "| {} | {} |",
            policy.name,
            compile_cell(|| cel_side::compile_policy(CelParser::Antlr, policy))?
        );
        #[cfg(feature = "pratt")]
        print!(
            " {} |",
            compile_cell(|| cel_side::compile_policy(CelParser::Pratt, policy))?
        );
        let table = zen_side::jdm_text(policy, ZenForm::Table);
        let full = compile_cell(|| {
            zen_side::create(&engine, &table, true)
                .map(black_box)
                .map(drop)
        })?;
        let only = compile_only(&engine, &table)?;
        let expr = zen_side::jdm_text(policy, ZenForm::Expression);
        let expr = compile_cell(|| {
            zen_side::create(&engine, &expr, true)
                .map(black_box)
                .map(drop)
        })?;
        println!(" {full} | {only} | {expr} |");
    }
    println!();
    Ok(())
}

/// zen's `Decision::compile` alone, on decisions created outside the timer.
fn compile_only(engine: &DecisionEngine, jdm: &str) -> anyhow::Result<String> {
    let mut decisions = (0..=COMPILES)
        .map(|_| zen_side::create(engine, jdm, false))
        .collect::<anyhow::Result<Vec<_>>>()?;
    decisions[COMPILES].compile();
    let samples = decisions[..COMPILES]
        .iter_mut()
        .map(|d| {
            let start = Instant::now();
            d.compile();
            start.elapsed()
        })
        .collect();
    let s = summarise(samples);
    Ok(format!("{} / {} / {}", us(s.p50), us(s.mean), us(s.p99)))
}

/// Every person × policy outcome, person-major.
fn outcomes<C: Checker>(checker: &C, people: &[Person]) -> anyhow::Result<Vec<Outcome>> {
    let mut out = Vec::with_capacity(people.len() * POLICIES.len());
    for person in people {
        let input = checker.convert(person);
        for policy in 0..POLICIES.len() {
            let per_person = checker.check(policy, &input)?;
            // The per-call path must give the same answer as the reused input.
            let per_call = checker.check(policy, &checker.convert(person))?;
            anyhow::ensure!(
                per_person == per_call,
                "{}: input reuse changed an answer",
                checker.label()
            );
            out.push(per_person);
        }
    }
    Ok(out)
}

fn print_counts_header() {
    print!("| library |");
    for p in &POLICIES {
        print!(" {} |", p.name);
    }
    println!(
        " policy 3 amount sum (fen) | disagreements with cel (of {}) |",
        PEOPLE * POLICIES.len()
    );
    println!("|---|{}---:|---:|", "---:|".repeat(POLICIES.len()));
}

fn print_counts(label: &str, got: &[Outcome], reference: &[Outcome], people: &[Person]) {
    let n = POLICIES.len();
    print!("| {label} |");
    for policy in 0..n {
        let eligible = (0..people.len())
            .filter(|i| got[i * n + policy].eligible)
            .count();
        print!(" {eligible} |");
    }
    let amount: i64 = (0..people.len()).map(|i| got[i * n + 2].amount).sum();
    let disagree = got.iter().zip(reference).filter(|(a, b)| a != b).count();
    println!(" {amount} | {disagree} |");
}

/// Median of `SWEEP_REPEATS` runs of `f`.
fn median_of(mut f: impl FnMut() -> anyhow::Result<Duration>) -> anyhow::Result<Duration> {
    let mut runs = (0..SWEEP_REPEATS)
        .map(|_| f())
        .collect::<anyhow::Result<Vec<_>>>()?;
    runs.sort_unstable();
    Ok(runs[SWEEP_REPEATS / 2])
}

/// Prints one row of the evaluation table; returns ns per check by policy.
fn evaluation_row<C: Checker>(
    c: &C,
    people: &[Person],
) -> anyhow::Result<(&'static str, Vec<f64>)> {
    let n = POLICIES.len();
    let checks = people.len() * n;
    let per_call = median_of(|| {
        let start = Instant::now();
        for person in people {
            for policy in 0..n {
                black_box(c.check(policy, &c.convert(person))?);
            }
        }
        Ok(start.elapsed())
    })?;
    let per_person = median_of(|| {
        let start = Instant::now();
        for person in people {
            let input = c.convert(person);
            for policy in 0..n {
                black_box(c.check(policy, &input)?);
            }
        }
        Ok(start.elapsed())
    })?;
    let convert = median_of(|| {
        let start = Instant::now();
        for person in people {
            black_box(c.convert(person));
        }
        Ok(start.elapsed())
    })?;
    let inputs: Vec<C::Input<'_>> = people.iter().map(|p| c.convert(p)).collect();
    let pre = median_of(|| {
        let start = Instant::now();
        for input in &inputs {
            for policy in 0..n {
                black_box(c.check(policy, input)?);
            }
        }
        Ok(start.elapsed())
    })?;
    let by_policy = (0..n)
        .map(|policy| {
            let t = median_of(|| {
                let start = Instant::now();
                for input in &inputs {
                    black_box(c.check(policy, input)?);
                }
                Ok(start.elapsed())
            })?;
            Ok(ns_per(t, inputs.len()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    drop(inputs);
    let mut samples = Vec::with_capacity(ONE_PERSON_RUNS);
    for run in 0..ONE_PERSON_RUNS {
        let person = &people[run % people.len()];
        let start = Instant::now();
        let input = c.convert(person);
        for k in 0..ONE_PERSON_POLICIES {
            black_box(c.check(k % n, &input)?);
        }
        samples.push(start.elapsed());
    }
    let one = summarise(samples);
    println!(
        "| {} | {:.0} | {:.0} | {:.0} | {} | {:.0} | {} | {} | {} |",
        c.label(),
        ns_per(per_call, checks),
        ns_per(per_person, checks),
        ns_per(pre, checks),
        thousands(checks as f64 / per_person.as_secs_f64()),
        ns_per(convert, people.len()),
        us(one.p50),
        us(one.p99),
        us(one.mean),
    );
    Ok((c.label(), by_policy))
}
