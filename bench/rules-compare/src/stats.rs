//! Summaries of timed samples.

use std::time::Duration;

/// Mean, median and 99th percentile of a set of samples.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub mean: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

/// Summarises `samples` (must not be empty).
pub fn summarise(mut samples: Vec<Duration>) -> Summary {
    samples.sort_unstable();
    let n = samples.len();
    let total: Duration = samples.iter().sum();
    let at = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
    Summary {
        mean: total / n as u32,
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// Microseconds with one decimal.
pub fn us(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

/// Nanoseconds per item of `total` over `items`.
pub fn ns_per(total: Duration, items: usize) -> f64 {
    total.as_secs_f64() * 1e9 / items as f64
}

/// A number with thousands separators.
pub fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
