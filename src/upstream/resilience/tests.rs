//! The composition of the policy: each part in its place, seen from the caller.

use std::sync::{
    Mutex,
    atomic::{AtomicU32, Ordering},
};

use super::*;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum FakeError {
    #[error("unavailable")]
    Unavailable,
    #[error("not found")]
    NotFound,
    #[error("garbled answer")]
    Garbled,
}

impl Classify for FakeError {
    fn class(&self) -> ErrorClass {
        match self {
            Self::Unavailable => ErrorClass::Transient,
            Self::NotFound => ErrorClass::Answer,
            Self::Garbled => ErrorClass::Persistent,
        }
    }
}

fn config() -> ResilienceConfig {
    ResilienceConfig {
        max_in_flight: 2,
        acquire_timeout_ms: 100,
        timeout_ms: 1_000,
        breaker_consecutive_failures: 3,
        breaker_cool_down_ms: 5_000,
        retry_max_attempts: 3,
        retry_base_ms: 10,
        retry_cap_ms: 100,
        ..ResilienceConfig::default()
    }
}

/// A fake upstream that answers each attempt with `answer(attempt)` and counts attempts.
struct Upstream {
    attempts: AtomicU32,
}

impl Upstream {
    fn new() -> Self {
        Self {
            attempts: AtomicU32::new(0),
        }
    }

    async fn call(
        &self,
        policy: &Policy,
        idempotent: bool,
        answer: impl Fn(u32) -> Result<u32, FakeError>,
    ) -> Result<u32, CallError<FakeError>> {
        policy
            .call(idempotent, || async {
                let attempt = self.attempts.fetch_add(1, Ordering::Relaxed) + 1;
                answer(attempt)
            })
            .await
    }

    fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::Relaxed)
    }
}

async fn open_breaker(policy: &Policy, upstream: &Upstream) {
    for _ in 0..3 {
        let result = upstream
            .call(policy, false, |_| Err(FakeError::Unavailable))
            .await;
        assert!(matches!(
            result,
            Err(CallError::Inner(FakeError::Unavailable))
        ));
    }
    assert_eq!(policy.stats().breaker, BreakerState::Open);
}

#[tokio::test(start_paused = true)]
async fn a_successful_call_passes_through_and_is_counted() {
    let policy = Policy::new("test", &config());
    let upstream = Upstream::new();
    let result = upstream.call(&policy, true, Ok).await;
    assert_eq!(result.ok(), Some(1));
    let stats = policy.stats();
    assert_eq!((stats.calls, stats.failures, stats.retries), (1, 0, 0));
    assert_eq!(stats.in_flight, 0);
}

#[tokio::test(start_paused = true)]
async fn an_open_breaker_refuses_calls_without_making_them() {
    let policy = Policy::new("test", &config());
    let upstream = Upstream::new();
    open_breaker(&policy, &upstream).await;
    let result = upstream.call(&policy, true, Ok).await;
    assert!(matches!(result, Err(CallError::Open)), "{result:?}");
    assert_eq!(upstream.attempts(), 3);
    assert_eq!(policy.stats().rejected_open, 1);
}

#[tokio::test(start_paused = true)]
async fn after_the_cool_down_a_successful_probe_closes_the_breaker() {
    let policy = Policy::new("test", &config());
    let upstream = Upstream::new();
    open_breaker(&policy, &upstream).await;
    tokio::time::advance(Duration::from_secs(5)).await;
    assert_eq!(policy.stats().breaker, BreakerState::HalfOpen);
    assert!(upstream.call(&policy, true, Ok).await.is_ok());
    assert_eq!(policy.stats().breaker, BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn after_the_cool_down_a_failed_probe_reopens_the_breaker() {
    let policy = Policy::new("test", &config());
    let upstream = Upstream::new();
    open_breaker(&policy, &upstream).await;
    tokio::time::advance(Duration::from_secs(5)).await;
    let probe = upstream
        .call(&policy, false, |_| Err(FakeError::Garbled))
        .await;
    assert!(matches!(probe, Err(CallError::Inner(FakeError::Garbled))));
    assert_eq!(policy.stats().breaker, BreakerState::Open);
    assert_eq!(policy.stats().breaker_opened, 2);
}

#[tokio::test(start_paused = true)]
async fn transient_failures_of_idempotent_calls_are_retried_inside_one_call() {
    let policy = Policy::new("test", &config());
    let upstream = Upstream::new();
    let result = upstream
        .call(&policy, true, |attempt| {
            if attempt < 3 {
                Err(FakeError::Unavailable)
            } else {
                Ok(attempt)
            }
        })
        .await;
    assert_eq!(result.ok(), Some(3));
    let stats = policy.stats();
    assert_eq!((stats.calls, stats.retries, stats.failures), (1, 2, 0));
}

#[tokio::test(start_paused = true)]
async fn calls_not_marked_idempotent_and_persistent_failures_are_not_retried() {
    let policy = Policy::new("test", &config());
    let upstream = Upstream::new();
    let _ = upstream
        .call(&policy, false, |_| Err(FakeError::Unavailable))
        .await;
    let _ = upstream
        .call(&policy, true, |_| Err(FakeError::Garbled))
        .await;
    assert_eq!(upstream.attempts(), 2);
    assert_eq!(policy.stats().retries, 0);
    assert_eq!(policy.stats().failures, 2);
}

#[tokio::test(start_paused = true)]
async fn answers_neither_open_the_breaker_nor_get_retried() {
    let policy = Policy::new("test", &config());
    let upstream = Upstream::new();
    for _ in 0..10 {
        let result = upstream
            .call(&policy, true, |_| Err(FakeError::NotFound))
            .await;
        assert!(matches!(result, Err(CallError::Inner(FakeError::NotFound))));
    }
    let stats = policy.stats();
    assert_eq!(stats.breaker, BreakerState::Closed);
    assert_eq!((stats.failures, stats.retries), (0, 0));
    assert_eq!(upstream.attempts(), 10);
}

#[tokio::test(start_paused = true)]
async fn a_call_past_the_deadline_times_out_and_counts_as_a_failure() {
    let policy = Policy::new("test", &config());
    let started = Instant::now();
    let result: Result<(), CallError<FakeError>> = policy
        .call(true, || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        })
        .await;
    assert!(matches!(result, Err(CallError::Timeout)), "{result:?}");
    assert_eq!(started.elapsed(), Duration::from_secs(1));
    let stats = policy.stats();
    assert_eq!((stats.timeouts, stats.failures), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn retries_and_backoff_never_run_past_the_deadline() {
    let policy = Policy::new(
        "test",
        &ResilienceConfig {
            retry_max_attempts: 100,
            retry_budget_min_per_sec: 100,
            ..config()
        },
    );
    let started = Instant::now();
    let result: Result<(), _> = policy
        .call(true, || async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Err(FakeError::Unavailable)
        })
        .await;
    assert!(started.elapsed() <= Duration::from_secs(1));
    assert!(result.is_err());
    assert!(policy.stats().retries >= 1);
}

#[tokio::test(start_paused = true)]
async fn a_call_beyond_the_in_flight_limit_fails_fast_as_overloaded() {
    let policy = Policy::new("test", &config());
    let release = Arc::new(tokio::sync::Notify::new());
    let mut held = Vec::new();
    for _ in 0..2 {
        let (policy, release) = (policy.clone(), release.clone());
        held.push(tokio::spawn(async move {
            policy
                .call(true, || async {
                    release.notified().await;
                    Ok::<_, FakeError>(())
                })
                .await
        }));
    }
    tokio::task::yield_now().await;
    assert_eq!(policy.stats().in_flight, 2);
    let upstream = Upstream::new();
    let started = Instant::now();
    let result = upstream.call(&policy, true, Ok).await;
    assert!(matches!(result, Err(CallError::Overloaded)), "{result:?}");
    assert_eq!(started.elapsed(), Duration::from_millis(100));
    assert_eq!(upstream.attempts(), 0);
    assert_eq!(policy.stats().rejected_overloaded, 1);
    release.notify_waiters();
    for call in held {
        assert!(call.await.expect("joined").is_ok());
    }
}

#[tokio::test(start_paused = true)]
async fn the_observer_sees_every_call_with_its_outcome_and_latency() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let policy = Policy::new("gov", &config()).with_observer(move |observation| {
        sink.lock().expect("not poisoned").push((
            observation.upstream,
            observation.outcome,
            observation.elapsed,
        ));
    });
    let upstream = Upstream::new();
    let _ = upstream.call(&policy, true, Ok).await;
    let _ = upstream
        .call(&policy, true, |_| Err(FakeError::NotFound))
        .await;
    let _ = policy
        .call(true, || async {
            tokio::time::sleep(Duration::from_millis(250)).await;
            Err::<(), _>(FakeError::Garbled)
        })
        .await;
    let seen = seen.lock().expect("not poisoned").clone();
    assert_eq!(
        seen,
        [
            ("gov", Outcome::Ok, Duration::ZERO),
            ("gov", Outcome::Answer, Duration::ZERO),
            ("gov", Outcome::Failed, Duration::from_millis(250)),
        ]
    );
}
