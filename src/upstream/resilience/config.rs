//! The knobs of one upstream's [`Policy`](super::Policy). The defaults follow the anchors in
//! `bff-anchors.md`: a total upstream deadline under the 3 s route deadline, a breaker that
//! closes within 10 s of recovery, and retries capped at 20 % extra load.

use std::time::Duration;

use serde::Deserialize;

/// How calls to one upstream are limited, broken, timed out and retried.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResilienceConfig {
    /// Calls to this upstream in flight at once. A slow upstream otherwise ties up every task
    /// of the BFF; 0 turns the limit off.
    pub max_in_flight: usize,
    /// Milliseconds a call waits for a free slot before failing fast as overloaded.
    pub acquire_timeout_ms: u64,
    /// Milliseconds a whole call may take, retries and backoff included. Kept below the route
    /// deadline (3 s) so the route can still answer with partial data.
    pub timeout_ms: u64,
    /// Failures in a row that open the breaker; catches a dead upstream even at low traffic.
    pub breaker_consecutive_failures: u32,
    /// Share of failed calls within the window that opens the breaker (0.5 = half), once the
    /// window holds `breaker_min_calls`. Above 1 turns this test off.
    pub breaker_failure_ratio: f64,
    /// Calls the window must hold before the failure ratio counts, so that two failures out
    /// of three calls do not open it.
    pub breaker_min_calls: u32,
    /// Seconds of history the failure ratio looks at.
    pub breaker_window_secs: u64,
    /// Milliseconds the breaker stays open before it lets one probe call through. Short, so
    /// the breaker closes soon after the upstream recovers.
    pub breaker_cool_down_ms: u64,
    /// Attempts per idempotent call, the first one included; 1 turns retries off.
    pub retry_max_attempts: u32,
    /// Milliseconds of the first backoff; each further retry doubles it, up to the cap.
    pub retry_base_ms: u64,
    /// Longest backoff in milliseconds, before jitter.
    pub retry_cap_ms: u64,
    /// Retries allowed per call made, over the budget window (0.2 = 20 % extra load at most),
    /// so retries cannot multiply the load on an upstream that is already failing.
    pub retry_budget_ratio: f64,
    /// Retries per second allowed on top of the ratio, so a quiet upstream can still retry.
    pub retry_budget_min_per_sec: u32,
}

impl Default for ResilienceConfig {
    fn default() -> Self {
        Self {
            max_in_flight: 64,
            acquire_timeout_ms: 100,
            timeout_ms: 2_500,
            breaker_consecutive_failures: 5,
            breaker_failure_ratio: 0.5,
            breaker_min_calls: 20,
            breaker_window_secs: 10,
            breaker_cool_down_ms: 5_000,
            retry_max_attempts: 3,
            retry_base_ms: 50,
            retry_cap_ms: 1_000,
            retry_budget_ratio: 0.2,
            retry_budget_min_per_sec: 1,
        }
    }
}

impl ResilienceConfig {
    pub(crate) fn acquire_timeout(&self) -> Duration {
        Duration::from_millis(self.acquire_timeout_ms)
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// At least one second, so the window has somewhere to count.
    pub(crate) fn breaker_window(&self) -> Duration {
        Duration::from_secs(self.breaker_window_secs.max(1))
    }

    pub(crate) fn breaker_cool_down(&self) -> Duration {
        Duration::from_millis(self.breaker_cool_down_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_close_the_breaker_within_ten_seconds_and_leave_room_under_the_route_deadline() {
        let config = ResilienceConfig::default();
        assert!(config.breaker_cool_down() <= Duration::from_secs(5));
        assert!(config.timeout() < Duration::from_secs(3));
        assert!(config.retry_budget_ratio <= 0.2);
    }

    #[test]
    fn unknown_options_are_refused() {
        let parsed: Result<ResilienceConfig, _> =
            serde_json::from_str(r#"{"max_in_flight": 8, "retries": 9}"#);
        assert!(parsed.is_err());
        let parsed: ResilienceConfig =
            serde_json::from_str(r#"{"max_in_flight": 8}"#).expect("known option");
        assert_eq!(parsed.max_in_flight, 8);
        assert_eq!(parsed.timeout_ms, ResilienceConfig::default().timeout_ms);
    }
}
