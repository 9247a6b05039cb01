//! Rate limits per IP address, per signed-in person, for logins per IP and for real-name
//! binding attempts per person. Each is a keyed GCRA limiter from `governor`: a steady rate with
//! a burst equal to the rate's count, answered with 429 and `Retry-After` when exceeded.
//!
//! The limits are per instance. With N instances behind a load balancer each person gets up to
//! N times the limit; the scale-out work can move them into PostgreSQL if that matters.

use std::{hash::Hash, net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::config::LimitsConfig;

/// Every limiter of one instance.
#[derive(Clone)]
pub struct Limits {
    inner: Arc<Inner>,
}

struct Inner {
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_person: Option<DefaultKeyedRateLimiter<String>>,
    logins_per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    real_name_attempts: Option<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits").finish_non_exhaustive()
    }
}

/// A limit was exceeded; the caller may try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds for the `Retry-After` header, at least 1.
    pub fn seconds(self) -> u64 {
        self.0.as_secs_f64().ceil().max(1.0) as u64
    }
}

fn limiter<K: Clone + Hash + Eq>(
    count: u32,
    period: Duration,
) -> Option<DefaultKeyedRateLimiter<K>> {
    let burst = NonZeroU32::new(count)?;
    let quota = Quota::with_period(period / count)?.allow_burst(burst);
    Some(RateLimiter::dashmap(quota))
}

impl Limits {
    /// A limit of 0 turns that limit off.
    pub fn new(config: &LimitsConfig) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            inner: Arc::new(Inner {
                per_ip: limiter(config.per_ip_per_minute, minute),
                per_person: limiter(config.per_person_per_minute, minute),
                logins_per_ip: limiter(config.logins_per_ip_per_minute, minute),
                real_name_attempts: limiter(
                    config.real_name_attempts_per_hour,
                    Duration::from_secs(3600),
                ),
                clock: DefaultClock::default(),
            }),
        }
    }

    fn check<K: Clone + Hash + Eq>(
        &self,
        limiter: &Option<DefaultKeyedRateLimiter<K>>,
        key: &K,
    ) -> Result<(), RetryAfter> {
        let Some(limiter) = limiter else {
            return Ok(());
        };
        limiter
            .check_key(key)
            .map_err(|not_until| RetryAfter(not_until.wait_time_from(self.inner.clock.now())))
    }

    pub fn request_from(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        self.check(&self.inner.per_ip, &ip)
    }

    pub fn request_by(&self, account_id: &str) -> Result<(), RetryAfter> {
        self.check(&self.inner.per_person, &account_id.to_string())
    }

    pub fn login_from(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        self.check(&self.inner.logins_per_ip, &ip)
    }

    pub fn real_name_attempt(&self, account_id: &str) -> Result<(), RetryAfter> {
        self.check(&self.inner.real_name_attempts, &account_id.to_string())
    }

    /// Forgets keys whose limits have fully recovered, so memory follows active clients.
    pub fn forget_idle(&self) {
        let inner = &self.inner;
        for limiter in [&inner.per_ip, &inner.logins_per_ip].into_iter().flatten() {
            limiter.retain_recent();
        }
        for limiter in [&inner.per_person, &inner.real_name_attempts]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(logins: u32) -> LimitsConfig {
        LimitsConfig {
            logins_per_ip_per_minute: logins,
            ..LimitsConfig::default()
        }
    }

    #[test]
    fn the_burst_is_the_count_and_the_next_attempt_waits() {
        let limits = Limits::new(&config(3));
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..3 {
            assert_eq!(limits.login_from(ip), Ok(()));
        }
        let retry = limits.login_from(ip).expect_err("fourth login limited");
        assert!((1..=20).contains(&retry.seconds()), "{retry:?}");
        let other: IpAddr = [10, 0, 0, 2].into();
        assert_eq!(limits.login_from(other), Ok(()), "keys are independent");
    }

    #[test]
    fn a_limit_of_zero_is_off() {
        let limits = Limits::new(&config(0));
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..1000 {
            assert_eq!(limits.login_from(ip), Ok(()));
        }
    }
}
