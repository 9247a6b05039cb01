//! Localization under two threads: one shared concurrent Fluent bundle selecting plurals with
//! Fluent's own numeric selector (which locks the memoizer's Mutex on every selection) against
//! the same bundle selecting with our lock-free `PLURAL()` function, as Tongban does.
//!
//! `cargo bench --bench i18n`; each figure is wall time per message with 1 and 2 threads
//! formatting at once, so the ratio 2-thread/1-thread shows whether the threads serialize.

use std::{hint::black_box, time::Duration, time::Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};
use tongban::i18n::{Args, L10n, Lang};

const NATIVE: &str = "days = { $n ->\n    [one] { $n } كۈن\n   *[other] { $n } كۈن\n}\n";
const OURS: &str = "days = { PLURAL($n) ->\n    [one] { $n } كۈن\n   *[other] { $n } كۈن\n}\n";

fn native_bundle() -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new_concurrent(vec!["ug-Arab".parse().expect("tag")]);
    bundle
        .add_resource(FluentResource::try_new(NATIVE.to_string()).expect("ftl"))
        .expect("resource");
    bundle
}

fn ours() -> L10n {
    let files = || {
        vec![
            ("errors.ftl", OURS.to_string()),
            ("catalog.ftl", String::new()),
        ]
    };
    L10n::from_sources([files(), files(), files()]).expect("bundles")
}

/// Runs `work(i)` `iters` times split over `threads` threads; returns the wall time.
fn parallel(threads: u64, iters: u64, work: &(dyn Fn(u64) + Sync)) -> Duration {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                for i in (t..iters).step_by(threads as usize) {
                    work(i);
                }
            });
        }
    });
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let native = native_bundle();
    let native_format = |i: u64| {
        let message = native.get_message("days").expect("message");
        let mut args = FluentArgs::new();
        args.set("n", (i % 7) as i64);
        let mut errors = Vec::new();
        black_box(native.format_pattern(message.value().expect("value"), Some(&args), &mut errors));
    };
    let l10n = ours();
    let ours_format = |i: u64| {
        black_box(l10n.format(
            Lang::UgArab,
            "days",
            &Args::new().count("n", (i % 7) as i64),
        ));
    };
    let mut group = c.benchmark_group("plural_select");
    for threads in [1u64, 2] {
        group.bench_function(format!("fluent_native_selector/{threads}_threads"), |b| {
            b.iter_custom(|iters| parallel(threads, iters, &native_format))
        });
        group.bench_function(format!("tongban_PLURAL/{threads}_threads"), |b| {
            b.iter_custom(|iters| parallel(threads, iters, &ours_format))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
