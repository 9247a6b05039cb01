//! A circuit breaker per upstream: closed → open → half-open → closed.
//!
//! It opens after `breaker_consecutive_failures` failures in a row, or when the failure ratio
//! over a rolling window of `breaker_window_secs` (10 slots) reaches `breaker_failure_ratio`
//! with at least `breaker_min_calls` calls in it. While open it refuses every call without
//! making it. After `breaker_cool_down_ms` one probe call goes through (half-open): success
//! closes the breaker with a clean window, failure opens it for another cool-down.
//!
//! Why a state machine and not go-zero's Google SRE throttle (`(requests − K·accepts) /
//! (requests + 1)`): the throttle never refuses everything, so a dead upstream still gets a
//! trickle of calls that each wait for the full timeout; and its recovery depends on traffic,
//! which is what kept go-zero breakers open long after recovery (go-zero#4101, PR #5551).
//! Here the worst case is explicit: the upstream recovers just after a failed probe, the next
//! probe goes out one cool-down (≤ 5 s) later and closes the breaker, well within 10 s.

use std::{
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::time::Instant;

use super::{ResilienceConfig, window::Window};

/// The breaker's state, for metrics and readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through and their outcomes are counted.
    Closed,
    /// Calls are refused without being made until the cool-down ends.
    Open,
    /// The cool-down is over: the next call is a probe that decides open or closed.
    HalfOpen,
}

impl BreakerState {
    /// A label for metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half_open",
        }
    }
}

/// The breaker refused the call without making it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the circuit breaker is open")]
pub struct BreakerOpen;

/// One upstream's breaker; share it by reference or inside an `Arc`.
#[derive(Debug)]
pub struct Breaker {
    /// The upstream's name, for the log lines at each transition.
    name: &'static str,
    consecutive_failures: u32,
    failure_ratio: f64,
    min_calls: u32,
    cool_down: Duration,
    inner: Mutex<Inner>,
    /// How often the breaker opened, for metrics: a flapping upstream shows here.
    opened: AtomicU64,
}

#[derive(Debug)]
struct Inner {
    phase: Phase,
    window: Window<Tally>,
    /// Bumped at every transition, so a call admitted in an earlier phase does not count in
    /// a later one (a slow call from before the outage must not reopen a fresh breaker).
    generation: u64,
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    Closed { failures_in_a_row: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

#[derive(Debug, Default)]
struct Tally {
    calls: u32,
    failures: u32,
}

/// Permission to make one call. Report how it went with [`Ticket::succeeded`] or
/// [`Ticket::failed`]; a ticket dropped unreported (the caller gave up) counts as neither,
/// and frees the probe slot if it held it, so the breaker cannot stay stuck half-open.
#[derive(Debug)]
#[must_use = "report the call's outcome on the ticket"]
pub struct Ticket<'a> {
    breaker: &'a Breaker,
    generation: u64,
    probe: bool,
    reported: bool,
}

impl Ticket<'_> {
    /// The upstream answered.
    pub fn succeeded(mut self) {
        self.reported = true;
        self.breaker.report(self.generation, self.probe, true);
    }

    /// The upstream failed (error, 5xx, timeout).
    pub fn failed(mut self) {
        self.reported = true;
        self.breaker.report(self.generation, self.probe, false);
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if !self.reported && self.probe {
            let mut inner = self.breaker.lock();
            if inner.generation == self.generation {
                inner.phase = Phase::HalfOpen { probing: false };
            }
        }
    }
}

impl Breaker {
    /// A closed breaker for the upstream `name`.
    pub fn new(name: &'static str, config: &ResilienceConfig) -> Self {
        Self {
            name,
            consecutive_failures: config.breaker_consecutive_failures,
            failure_ratio: config.breaker_failure_ratio,
            min_calls: config.breaker_min_calls.max(1),
            cool_down: config.breaker_cool_down(),
            inner: Mutex::new(Inner {
                phase: Phase::Closed {
                    failures_in_a_row: 0,
                },
                window: Window::new(config.breaker_window(), 10, Instant::now()),
                generation: 0,
            }),
            opened: AtomicU64::new(0),
        }
    }

    /// Admits a call, or refuses it while open or while a probe is already out.
    pub fn try_admit(&self) -> Result<Ticket<'_>, BreakerOpen> {
        let now = Instant::now();
        let mut inner = self.lock();
        let probe = match inner.phase {
            Phase::Closed { .. } => false,
            Phase::Open { until } if now >= until => true,
            Phase::HalfOpen { probing: false } => true,
            Phase::Open { .. } | Phase::HalfOpen { probing: true } => return Err(BreakerOpen),
        };
        if probe {
            inner.phase = Phase::HalfOpen { probing: true };
        }
        Ok(Ticket {
            breaker: self,
            generation: inner.generation,
            probe,
            reported: false,
        })
    }

    /// The state now; an open breaker whose cool-down has passed reads as half-open even
    /// before the next call arrives.
    pub fn state(&self) -> BreakerState {
        match self.lock().phase {
            Phase::Closed { .. } => BreakerState::Closed,
            Phase::Open { until } if Instant::now() < until => BreakerState::Open,
            Phase::Open { .. } | Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// How many times the breaker has opened since it was made.
    pub fn times_opened(&self) -> u64 {
        self.opened.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The counters stay meaningful even if a panic interrupted an update.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn report(&self, generation: u64, probe: bool, success: bool) {
        let now = Instant::now();
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        match (inner.phase, probe) {
            (Phase::HalfOpen { .. }, true) if success => {
                self.transition(
                    &mut inner,
                    Phase::Closed {
                        failures_in_a_row: 0,
                    },
                );
                tracing::info!(upstream = self.name, "circuit breaker closed");
            }
            (Phase::HalfOpen { .. }, true) => self.open(&mut inner, now),
            (Phase::Closed { failures_in_a_row }, false) => {
                let tally = inner.window.current(now);
                tally.calls += 1;
                tally.failures += u32::from(!success);
                let failures_in_a_row = if success { 0 } else { failures_in_a_row + 1 };
                inner.phase = Phase::Closed { failures_in_a_row };
                if self.should_open(&inner, failures_in_a_row, now) {
                    self.open(&mut inner, now);
                }
            }
            _ => {}
        }
    }

    fn should_open(&self, inner: &Inner, failures_in_a_row: u32, now: Instant) -> bool {
        if self.consecutive_failures > 0 && failures_in_a_row >= self.consecutive_failures {
            return true;
        }
        let (calls, failures) = inner
            .window
            .live(now)
            .fold((0u32, 0u32), |(c, f), t| (c + t.calls, f + t.failures));
        calls >= self.min_calls && f64::from(failures) >= self.failure_ratio * f64::from(calls)
    }

    fn open(&self, inner: &mut Inner, now: Instant) {
        self.transition(
            inner,
            Phase::Open {
                until: now + self.cool_down,
            },
        );
        self.opened.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            upstream = self.name,
            cool_down_ms = self.cool_down.as_millis() as u64,
            "circuit breaker opened"
        );
    }

    fn transition(&self, inner: &mut Inner, phase: Phase) {
        inner.phase = phase;
        inner.generation += 1;
        inner.window.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ResilienceConfig {
        ResilienceConfig {
            breaker_consecutive_failures: 3,
            breaker_failure_ratio: 0.5,
            breaker_min_calls: 10,
            breaker_window_secs: 10,
            breaker_cool_down_ms: 5_000,
            ..ResilienceConfig::default()
        }
    }

    fn fail(breaker: &Breaker, times: u32) {
        for _ in 0..times {
            breaker.try_admit().expect("admitted").failed();
        }
    }

    fn succeed(breaker: &Breaker, times: u32) {
        for _ in 0..times {
            breaker.try_admit().expect("admitted").succeeded();
        }
    }

    fn opened(config: &ResilienceConfig) -> Breaker {
        let breaker = Breaker::new("test", config);
        fail(&breaker, config.breaker_consecutive_failures);
        assert_eq!(breaker.state(), BreakerState::Open);
        breaker
    }

    #[tokio::test(start_paused = true)]
    async fn it_opens_after_the_configured_failures_in_a_row_and_not_before() {
        let breaker = Breaker::new("test", &config());
        fail(&breaker, 2);
        assert_eq!(breaker.state(), BreakerState::Closed);
        fail(&breaker, 1);
        assert_eq!(breaker.state(), BreakerState::Open);
        assert_eq!(breaker.times_opened(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_between_failures_resets_the_run() {
        let breaker = Breaker::new("test", &config());
        fail(&breaker, 2);
        succeed(&breaker, 1);
        fail(&breaker, 2);
        assert_eq!(breaker.state(), BreakerState::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn while_open_every_call_is_refused_until_the_cool_down_ends() {
        let breaker = opened(&config());
        tokio::time::advance(Duration::from_millis(4_900)).await;
        assert_eq!(breaker.try_admit().err(), Some(BreakerOpen));
        assert_eq!(breaker.state(), BreakerState::Open);
        tokio::time::advance(Duration::from_millis(100)).await;
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
    }

    #[tokio::test(start_paused = true)]
    async fn half_open_lets_one_probe_through_at_a_time() {
        let breaker = opened(&config());
        tokio::time::advance(Duration::from_secs(5)).await;
        let probe = breaker.try_admit().expect("the probe");
        assert_eq!(breaker.try_admit().err(), Some(BreakerOpen));
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
        probe.succeeded();
    }

    #[tokio::test(start_paused = true)]
    async fn a_successful_probe_closes_it_with_a_clean_slate() {
        let config = config();
        let breaker = opened(&config);
        tokio::time::advance(Duration::from_secs(5)).await;
        breaker.try_admit().expect("the probe").succeeded();
        assert_eq!(breaker.state(), BreakerState::Closed);
        fail(&breaker, config.breaker_consecutive_failures - 1);
        assert_eq!(breaker.state(), BreakerState::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_probe_reopens_it_for_another_cool_down() {
        let breaker = opened(&config());
        tokio::time::advance(Duration::from_secs(5)).await;
        breaker.try_admit().expect("the probe").failed();
        assert_eq!(breaker.state(), BreakerState::Open);
        assert_eq!(breaker.times_opened(), 2);
        tokio::time::advance(Duration::from_millis(4_999)).await;
        assert_eq!(breaker.try_admit().err(), Some(BreakerOpen));
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(breaker.try_admit().is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_dropped_unreported_frees_the_slot_for_the_next_call() {
        let breaker = opened(&config());
        tokio::time::advance(Duration::from_secs(5)).await;
        drop(breaker.try_admit().expect("the probe"));
        breaker.try_admit().expect("a new probe").succeeded();
        assert_eq!(breaker.state(), BreakerState::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn a_high_failure_ratio_opens_it_without_failures_in_a_row() {
        let breaker = Breaker::new("test", &config());
        for _ in 0..5 {
            fail(&breaker, 1);
            succeed(&breaker, 1);
        }
        assert_eq!(breaker.state(), BreakerState::Open);
    }

    #[tokio::test(start_paused = true)]
    async fn the_ratio_waits_for_the_minimum_number_of_calls() {
        let breaker = Breaker::new("test", &config());
        for _ in 0..3 {
            fail(&breaker, 2);
            succeed(&breaker, 1);
        }
        assert_eq!(breaker.state(), BreakerState::Closed, "6 of 9 calls failed");
        fail(&breaker, 1);
        assert_eq!(breaker.state(), BreakerState::Open, "7 of 10 calls failed");
    }

    #[tokio::test(start_paused = true)]
    async fn failures_older_than_the_window_do_not_count() {
        let breaker = Breaker::new("test", &config());
        for _ in 0..3 {
            fail(&breaker, 2);
            succeed(&breaker, 1);
        }
        tokio::time::advance(Duration::from_secs(10)).await;
        fail(&breaker, 1);
        assert_eq!(
            breaker.state(),
            BreakerState::Closed,
            "7 of 10 had the old ones counted"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_call_from_before_the_outage_does_not_count_after_recovery() {
        let config = config();
        let breaker = Breaker::new("test", &config);
        let slow = breaker.try_admit().expect("admitted");
        fail(&breaker, config.breaker_consecutive_failures);
        tokio::time::advance(Duration::from_secs(5)).await;
        breaker.try_admit().expect("the probe").succeeded();
        fail(&breaker, config.breaker_consecutive_failures - 1);
        slow.failed();
        assert_eq!(breaker.state(), BreakerState::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn it_closes_within_ten_seconds_of_the_upstream_recovering() {
        let breaker = Breaker::new("test", &ResilienceConfig::default());
        let start = Instant::now();
        let recovers_at = start + Duration::from_secs(37);
        let mut closed_at = None;
        while closed_at.is_none() && Instant::now() < start + Duration::from_secs(120) {
            if let Ok(ticket) = breaker.try_admit() {
                if Instant::now() >= recovers_at {
                    ticket.succeeded();
                } else {
                    ticket.failed();
                }
            }
            if Instant::now() >= recovers_at && breaker.state() == BreakerState::Closed {
                closed_at = Some(Instant::now());
            }
            tokio::time::advance(Duration::from_millis(100)).await;
        }
        let closed_at = closed_at.expect("the breaker closed");
        assert!(breaker.times_opened() >= 2, "it was open during the outage");
        assert!(closed_at - recovers_at <= Duration::from_secs(10));
    }
}
