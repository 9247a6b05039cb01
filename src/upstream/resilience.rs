//! Resilience for calls to one upstream: a [`Policy`] per upstream that every call goes
//! through, composed of
//!
//! ```text
//! limit (max in flight, bounded wait)  → CallError::Overloaded
//!   → breaker (fail fast while open)   → CallError::Open
//!     → timeout (the whole call)       → CallError::Timeout
//!       → retry (idempotent calls, backoff with jitter, budget)
//!         → the call itself            → CallError::Inner(E)
//! ```
//!
//! The breaker sees one outcome per call, after retries, so a call that succeeded on its
//! second attempt counts as a success. Each part lives in its own module and can be used
//! alone; `window` is the rolling counter the breaker and the budget share.

pub mod breaker;
mod config;
pub mod limit;
pub mod retry;
mod window;

use std::{
    fmt,
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::time::Instant;

pub use breaker::{Breaker, BreakerState};
pub use config::ResilienceConfig;
pub use limit::Limit;
pub use retry::Retry;

/// How an upstream's error bears on its health: whether it counts against the breaker and
/// whether trying again may help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The upstream answered, just not what we hoped (not found, refused, invalid input): it
    /// is healthy and the same request would get the same answer.
    Answer,
    /// The upstream is failing in a way that may pass (connection refused, 5xx, timeout):
    /// counts against the breaker and is retried if the call is idempotent.
    Transient,
    /// The upstream is failing and the same request will fail again (an answer we cannot
    /// read): counts against the breaker, not retried.
    Persistent,
}

/// An upstream's error type says which [`ErrorClass`] each error is in; each client's
/// error enum implements it where its variants are defined.
pub trait Classify {
    /// The class of this error.
    fn class(&self) -> ErrorClass;
}

/// Why a call through a [`Policy`] failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError<E> {
    /// The breaker is open; the call was not made.
    #[error("the upstream's circuit breaker is open")]
    Open,
    /// Too many calls in flight to the upstream; the call was not made.
    #[error("too many calls in flight to the upstream")]
    Overloaded,
    /// The call, retries included, did not finish within the deadline.
    #[error("the upstream call timed out")]
    Timeout,
    /// The upstream's own error, from the last attempt.
    #[error(transparent)]
    Inner(E),
}

/// How one call through a policy ended, for metrics labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded.
    Ok,
    /// The upstream answered with an error of class [`ErrorClass::Answer`].
    Answer,
    /// The upstream failed (a transient or persistent error).
    Failed,
    /// It ran out of time.
    Timeout,
    /// The breaker refused it.
    Open,
    /// The in-flight limit refused it.
    Overloaded,
}

impl Outcome {
    /// A label for metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Answer => "answer",
            Self::Failed => "failed",
            Self::Timeout => "timeout",
            Self::Open => "open",
            Self::Overloaded => "overloaded",
        }
    }
}

/// What an observer learns of each call: enough for a latency histogram per upstream and
/// outcome. It holds no request data, so nothing personal can leak into metrics.
#[derive(Debug, Clone, Copy)]
pub struct Observation {
    /// The upstream's name, as given to [`Policy::new`].
    pub upstream: &'static str,
    /// How the call ended.
    pub outcome: Outcome,
    /// From entering the policy to leaving it: queueing, retries and backoff included.
    pub elapsed: Duration,
}

type Observer = Arc<dyn Fn(&Observation) + Send + Sync>;

/// Counters of one policy since start, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyStats {
    /// Calls entered, refused ones included.
    pub calls: u64,
    /// Calls that ended in an upstream failure or a timeout.
    pub failures: u64,
    /// Calls that ran out of time (also counted in `failures`).
    pub timeouts: u64,
    /// Retries made.
    pub retries: u64,
    /// Retries the budget refused.
    pub retries_denied: u64,
    /// Calls the open breaker refused.
    pub rejected_open: u64,
    /// Calls the in-flight limit refused.
    pub rejected_overloaded: u64,
    /// Times the breaker has opened.
    pub breaker_opened: u64,
    /// The breaker's state now.
    pub breaker: BreakerState,
    /// Calls in flight now.
    pub in_flight: usize,
}

/// The resilience policy of one upstream. Clones share the limit, breaker, budget and
/// counters, so a client struct can hold one and stay `Clone`.
#[derive(Clone)]
pub struct Policy {
    shared: Arc<Shared>,
    observer: Option<Observer>,
}

struct Shared {
    name: &'static str,
    limit: Limit,
    breaker: Breaker,
    retry: Retry,
    timeout: Duration,
    calls: AtomicU64,
    failures: AtomicU64,
    timeouts: AtomicU64,
    rejected_open: AtomicU64,
    rejected_overloaded: AtomicU64,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("upstream", &self.shared.name)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// The policy for the upstream `name` (a metrics label and log field, e.g. `"gov"`).
    pub fn new(name: &'static str, config: &ResilienceConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                name,
                limit: Limit::new(config),
                breaker: Breaker::new(name, config),
                retry: Retry::new(config),
                timeout: config.timeout(),
                calls: AtomicU64::new(0),
                failures: AtomicU64::new(0),
                timeouts: AtomicU64::new(0),
                rejected_open: AtomicU64::new(0),
                rejected_overloaded: AtomicU64::new(0),
            }),
            observer: None,
        }
    }

    /// Calls `observer` at the end of every call, e.g. to fill a latency histogram.
    pub fn with_observer(
        mut self,
        observer: impl Fn(&Observation) + Send + Sync + 'static,
    ) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// The upstream's name.
    pub fn name(&self) -> &'static str {
        self.shared.name
    }

    /// Makes the call `op` through the limit, the breaker, the deadline and retries. `op` is
    /// called once per attempt; mark the call `idempotent` only if making it twice is
    /// harmless (reads, and writes the upstream deduplicates).
    pub async fn call<T, E, F, Fut>(&self, idempotent: bool, op: F) -> Result<T, CallError<E>>
    where
        E: Classify,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let started = Instant::now();
        self.shared.calls.fetch_add(1, Ordering::Relaxed);
        let (result, outcome) = self.guarded(idempotent, op).await;
        let counter = match outcome {
            Outcome::Ok | Outcome::Answer => None,
            Outcome::Failed => Some(&self.shared.failures),
            Outcome::Timeout => {
                self.shared.failures.fetch_add(1, Ordering::Relaxed);
                Some(&self.shared.timeouts)
            }
            Outcome::Open => Some(&self.shared.rejected_open),
            Outcome::Overloaded => Some(&self.shared.rejected_overloaded),
        };
        if let Some(counter) = counter {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(observer) = &self.observer {
            observer(&Observation {
                upstream: self.shared.name,
                outcome,
                elapsed: started.elapsed(),
            });
        }
        result
    }

    async fn guarded<T, E, F, Fut>(
        &self,
        idempotent: bool,
        op: F,
    ) -> (Result<T, CallError<E>>, Outcome)
    where
        E: Classify,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let shared = &self.shared;
        let Ok(_slot) = shared.limit.acquire().await else {
            return (Err(CallError::Overloaded), Outcome::Overloaded);
        };
        let Ok(ticket) = shared.breaker.try_admit() else {
            return (Err(CallError::Open), Outcome::Open);
        };
        let deadline = Instant::now() + shared.timeout;
        let attempts = shared.retry.run(
            idempotent,
            Some(deadline),
            |error: &E| error.class() == ErrorClass::Transient,
            op,
        );
        match tokio::time::timeout_at(deadline, attempts).await {
            Ok(Ok(value)) => {
                ticket.succeeded();
                (Ok(value), Outcome::Ok)
            }
            Ok(Err(error)) if error.class() == ErrorClass::Answer => {
                ticket.succeeded();
                (Err(CallError::Inner(error)), Outcome::Answer)
            }
            Ok(Err(error)) => {
                ticket.failed();
                (Err(CallError::Inner(error)), Outcome::Failed)
            }
            Err(_) => {
                ticket.failed();
                (Err(CallError::Timeout), Outcome::Timeout)
            }
        }
    }

    /// The counters and states now.
    pub fn stats(&self) -> PolicyStats {
        let shared = &self.shared;
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        PolicyStats {
            calls: load(&shared.calls),
            failures: load(&shared.failures),
            timeouts: load(&shared.timeouts),
            retries: shared.retry.retries(),
            retries_denied: shared.retry.denied(),
            rejected_open: load(&shared.rejected_open),
            rejected_overloaded: load(&shared.rejected_overloaded),
            breaker_opened: shared.breaker.times_opened(),
            breaker: shared.breaker.state(),
            in_flight: shared.limit.in_flight(),
        }
    }
}

#[cfg(test)]
mod tests;
