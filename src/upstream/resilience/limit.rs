//! A cap on the calls in flight to one upstream. When the upstream slows down, calls pile up
//! here instead of in the BFF's memory and tasks; a call that cannot get a slot within a short
//! wait fails fast as overloaded, which the route can answer at once.

use std::{sync::Arc, time::Duration};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::ResilienceConfig;

/// No slot came free within the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many calls in flight to the upstream")]
pub struct Overloaded;

/// The in-flight cap of one upstream.
#[derive(Debug, Clone)]
pub struct Limit {
    /// `None` when the cap is off (`max_in_flight` 0).
    slots: Option<Arc<Semaphore>>,
    max_in_flight: usize,
    wait: Duration,
}

/// A slot, given back when dropped.
#[derive(Debug)]
pub struct Slot {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Limit {
    /// At most `config.max_in_flight` calls at once, each waiting up to
    /// `config.acquire_timeout_ms` for a slot.
    pub fn new(config: &ResilienceConfig) -> Self {
        let max_in_flight = config.max_in_flight.min(Semaphore::MAX_PERMITS);
        Self {
            slots: (max_in_flight > 0).then(|| Arc::new(Semaphore::new(max_in_flight))),
            max_in_flight,
            wait: config.acquire_timeout(),
        }
    }

    /// A slot, waiting for one up to the configured wait.
    pub async fn acquire(&self) -> Result<Slot, Overloaded> {
        let Some(slots) = &self.slots else {
            return Ok(Slot { _permit: None });
        };
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => tokio::time::timeout(self.wait, slots.clone().acquire_owned())
                .await
                .map_err(|_| Overloaded)?
                // The semaphore is never closed.
                .map_err(|_| Overloaded)?,
        };
        Ok(Slot {
            _permit: Some(permit),
        })
    }

    /// Calls in flight now, for metrics.
    pub fn in_flight(&self) -> usize {
        self.slots
            .as_ref()
            .map_or(0, |slots| self.max_in_flight - slots.available_permits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(max_in_flight: usize) -> Limit {
        Limit::new(&ResilienceConfig {
            max_in_flight,
            acquire_timeout_ms: 100,
            ..ResilienceConfig::default()
        })
    }

    #[tokio::test(start_paused = true)]
    async fn calls_beyond_the_cap_are_refused_after_the_wait() {
        let limit = limit(2);
        let _first = limit.acquire().await.expect("first slot");
        let _second = limit.acquire().await.expect("second slot");
        let started = tokio::time::Instant::now();
        let third = limit.acquire().await;
        assert_eq!(third.err(), Some(Overloaded));
        assert_eq!(started.elapsed(), Duration::from_millis(100));
        assert_eq!(limit.in_flight(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_freed_during_the_wait_is_taken() {
        let limit = limit(1);
        let first = limit.acquire().await.expect("first slot");
        let waiter = {
            let limit = limit.clone();
            tokio::spawn(async move { limit.acquire().await.map(|_| ()) })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(first);
        assert_eq!(waiter.await.expect("joined"), Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_a_slot_gives_it_back() {
        let limit = limit(1);
        drop(limit.acquire().await.expect("slot"));
        assert_eq!(limit.in_flight(), 0);
        assert!(limit.acquire().await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_cap_of_zero_turns_the_limit_off() {
        let limit = limit(0);
        let mut slots = Vec::new();
        for _ in 0..1_000 {
            slots.push(limit.acquire().await.expect("never refused"));
        }
        assert_eq!(limit.in_flight(), 0);
    }
}
