//! Retries of idempotent calls on errors the caller calls retryable, with exponential backoff
//! and full jitter, paid for from a retry budget.
//!
//! The budget is the one Envoy and tower (and so reqwest's retry) use: over the last 10 s,
//! retries may not exceed `retry_budget_ratio` of the calls made plus a small reserve of
//! `retry_budget_min_per_sec` per second. Per-call attempt limits alone multiply the load on an
//! upstream that is failing (3 attempts = 3× the traffic at the worst moment); with the budget,
//! an outage costs at most 20 % extra calls.

use std::{
    collections::hash_map::RandomState,
    future::Future,
    hash::{BuildHasher, Hasher},
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::time::Instant;

use super::{ResilienceConfig, window::Window};

/// How long a call that may be retried waits before each retry: exponential, capped, and
/// jittered over the whole range ("full jitter") so that callers that failed together do not
/// retry together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
}

impl Backoff {
    /// Waits of up to `base`, `2·base`, `4·base`, … never more than `cap`.
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self { base, cap }
    }

    /// The longest wait before retry number `retry` (1 is the first retry).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        self.base.saturating_mul(1 << doublings).min(self.cap)
    }

    /// The wait before retry number `retry`, a random point between 0 and the ceiling.
    pub fn delay(&self, retry: u32) -> Duration {
        self.delay_at(retry, random_unit())
    }

    /// The wait at `unit` (0 to 1) of the way up to the ceiling; [`Backoff::delay`] picks
    /// `unit` at random.
    pub fn delay_at(&self, retry: u32, unit: f64) -> Duration {
        self.ceiling(retry).mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// A number in [0, 1). Jitter needs spread, not secrecy: std's per-instance random SipHash
/// keys give that without a dependency or a system call.
fn random_unit() -> f64 {
    let bits = RandomState::new().build_hasher().finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// The retries that one upstream can still afford.
#[derive(Debug)]
pub struct RetryBudget {
    ratio: f64,
    /// Retries always allowed per window, so that a quiet upstream can retry at all.
    reserve: f64,
    ledger: Mutex<Window<Ledger>>,
}

#[derive(Debug, Default)]
struct Ledger {
    calls: u64,
    retries: u64,
}

/// How far back the budget looks, as in tower's `TpsBudget` default.
const BUDGET_WINDOW: Duration = Duration::from_secs(10);

impl RetryBudget {
    /// A budget of `retry_budget_ratio` retries per call plus `retry_budget_min_per_sec`.
    pub fn new(config: &ResilienceConfig) -> Self {
        Self {
            ratio: config.retry_budget_ratio.max(0.0),
            reserve: f64::from(config.retry_budget_min_per_sec) * BUDGET_WINDOW.as_secs_f64(),
            ledger: Mutex::new(Window::new(BUDGET_WINDOW, 10, Instant::now())),
        }
    }

    /// Counts one call (not a retry): each call earns the right to a fraction of a retry.
    pub fn deposit(&self) {
        self.lock().current(Instant::now()).calls += 1;
    }

    /// Takes one retry from the budget, or says there is none left.
    pub fn try_withdraw(&self) -> bool {
        let now = Instant::now();
        let mut ledger = self.lock();
        let (calls, retries) = ledger
            .live(now)
            .fold((0, 0), |(c, r), l| (c + l.calls, r + l.retries));
        let allowed = (self.reserve + self.ratio * calls as f64).floor() as u64;
        if retries >= allowed {
            return false;
        }
        ledger.current(now).retries += 1;
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window<Ledger>> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The retry policy of one upstream, with its budget and counters.
#[derive(Debug)]
pub struct Retry {
    max_attempts: u32,
    backoff: Backoff,
    budget: RetryBudget,
    retries: AtomicU64,
    denied: AtomicU64,
}

impl Retry {
    /// Retries as `config` says.
    pub fn new(config: &ResilienceConfig) -> Self {
        Self {
            max_attempts: config.retry_max_attempts.max(1),
            backoff: Backoff::new(
                Duration::from_millis(config.retry_base_ms),
                Duration::from_millis(config.retry_cap_ms),
            ),
            budget: RetryBudget::new(config),
            retries: AtomicU64::new(0),
            denied: AtomicU64::new(0),
        }
    }

    /// Runs `op`, and again after a backoff while it fails with an error `is_retryable`
    /// accepts, if the call is `idempotent` (a retried payment or message could happen
    /// twice), attempts and budget remain, and the backoff ends before `deadline`.
    pub async fn run<T, E, F, Fut>(
        &self,
        idempotent: bool,
        deadline: Option<Instant>,
        is_retryable: impl Fn(&E) -> bool,
        mut op: F,
    ) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.budget.deposit();
        let mut attempt = 1;
        loop {
            let error = match op().await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if !idempotent || attempt >= self.max_attempts || !is_retryable(&error) {
                return Err(error);
            }
            let delay = self.backoff.delay(attempt);
            if deadline.is_some_and(|deadline| Instant::now() + delay >= deadline) {
                return Err(error);
            }
            if !self.budget.try_withdraw() {
                self.denied.fetch_add(1, Ordering::Relaxed);
                return Err(error);
            }
            self.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Retries made since start, for metrics.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// Retries the budget refused since start, for metrics: a steady rise means an upstream
    /// failing more than the budget covers.
    pub fn denied(&self) -> u64 {
        self.denied.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use super::*;

    #[derive(Debug, PartialEq, Eq)]
    enum Error {
        Transient,
        Refused,
    }

    fn is_transient(error: &Error) -> bool {
        *error == Error::Transient
    }

    fn retry(max_attempts: u32) -> Retry {
        Retry::new(&ResilienceConfig {
            retry_max_attempts: max_attempts,
            retry_base_ms: 10,
            retry_cap_ms: 100,
            retry_budget_ratio: 0.2,
            retry_budget_min_per_sec: 1,
            ..ResilienceConfig::default()
        })
    }

    /// Runs one call that fails with `error` for its first `failures` attempts, and returns
    /// the attempts made.
    async fn attempts(retry: &Retry, idempotent: bool, failures: u32, error: fn() -> Error) -> u32 {
        let made = AtomicU32::new(0);
        let _ = retry
            .run(idempotent, None, is_transient, || async {
                if made.fetch_add(1, Ordering::Relaxed) < failures {
                    Err(error())
                } else {
                    Ok(())
                }
            })
            .await;
        made.load(Ordering::Relaxed)
    }

    #[test]
    fn the_backoff_ceiling_doubles_from_the_base_up_to_the_cap() {
        let backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(1_000));
        let ceilings: Vec<u64> = (1..=7)
            .map(|retry| backoff.ceiling(retry).as_millis() as u64)
            .collect();
        assert_eq!(ceilings, [50, 100, 200, 400, 800, 1_000, 1_000]);
        assert_eq!(backoff.ceiling(u32::MAX), Duration::from_millis(1_000));
    }

    #[test]
    fn full_jitter_spreads_the_wait_between_zero_and_the_ceiling() {
        let backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(1_000));
        assert_eq!(backoff.delay_at(3, 0.0), Duration::ZERO);
        assert_eq!(backoff.delay_at(3, 0.5), Duration::from_millis(100));
        assert_eq!(backoff.delay_at(3, 7.0), Duration::from_millis(200));
        let delays: Vec<Duration> = (0..200).map(|_| backoff.delay(3)).collect();
        assert!(
            delays
                .iter()
                .all(|delay| *delay <= Duration::from_millis(200))
        );
        let below_half = delays
            .iter()
            .filter(|delay| **delay < Duration::from_millis(100))
            .count();
        assert!(
            (40..=160).contains(&below_half),
            "{below_half} of 200 below half"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_transient_failure_of_an_idempotent_call_is_retried_until_it_succeeds() {
        let retry = retry(3);
        assert_eq!(attempts(&retry, true, 2, || Error::Transient).await, 3);
        assert_eq!(retry.retries(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_stop_at_the_maximum() {
        let retry = retry(3);
        assert_eq!(attempts(&retry, true, 10, || Error::Transient).await, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_not_marked_idempotent_is_made_once() {
        let retry = retry(3);
        assert_eq!(attempts(&retry, false, 10, || Error::Transient).await, 1);
        assert_eq!(retry.retries(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_the_classifier_rejects_is_not_retried() {
        let retry = retry(3);
        assert_eq!(attempts(&retry, true, 10, || Error::Refused).await, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_waits_between_attempts_stay_under_the_growing_ceiling() {
        let retry = retry(4);
        let mut attempted_at = Vec::new();
        let _ = retry
            .run(true, None, is_transient, || {
                attempted_at.push(Instant::now());
                async { Err::<(), _>(Error::Transient) }
            })
            .await;
        let waits: Vec<Duration> = attempted_at.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(waits.len(), 3);
        for (retry, wait) in (1..).zip(waits) {
            assert!(
                wait <= Duration::from_millis(10 << (retry - 1)),
                "{retry}: {wait:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn no_retry_is_made_that_would_end_after_the_deadline() {
        let retry = retry(3);
        let made = AtomicU32::new(0);
        let deadline = Instant::now() + Duration::from_millis(1);
        let _ = retry
            .run(true, Some(deadline), is_transient, || async {
                made.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
                Err::<(), _>(Error::Transient)
            })
            .await;
        assert_eq!(made.load(Ordering::Relaxed), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn with_every_call_failing_retries_stay_within_the_budget() {
        let retry = retry(3);
        for _ in 0..100 {
            attempts(&retry, true, u32::MAX, || Error::Transient).await;
        }
        // 20 % of 100 calls plus the reserve of 1 per second over 10 s; without the budget,
        // 200 retries.
        assert_eq!(retry.retries(), 30);
        // At most 15 calls got both their retries; every other call was refused one.
        assert!(retry.denied() >= 85, "{}", retry.denied());
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_comes_back_as_old_calls_leave_the_window() {
        let retry = retry(3);
        for _ in 0..100 {
            attempts(&retry, true, u32::MAX, || Error::Transient).await;
        }
        assert_eq!(
            attempts(&retry, true, u32::MAX, || Error::Transient).await,
            1
        );
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(
            attempts(&retry, true, u32::MAX, || Error::Transient).await,
            3
        );
    }
}
