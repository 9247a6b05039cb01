//! Rate limits per IP address, per signed-in person, for logins per IP and for real-name
//! binding attempts per person. Each is a keyed GCRA limiter from `governor`: a steady rate with
//! a burst equal to the rate's count, answered with 429 and `Retry-After` when exceeded.
//!
//! The limits are per instance: with N instances behind a load balancer each person gets up to
//! N times them, except real-name binding attempts, which on PostgreSQL are also counted for the
//! whole deployment in a `rate_limits` row (each attempt costs a verification at the platform,
//! and is what someone guessing ID numbers would spend). The per-request limits stay in memory:
//! a database round trip on every request would cost more than the limit protects.

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
    /// Real-name attempts per hour, for the deployment-wide count.
    real_name_per_hour: u32,
    /// The store the deployment-wide limits are counted in, when several instances share it.
    shared: Option<crate::store::Store>,
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
        Self::build(config, None)
    }

    /// [`Limits::new`], also counting the deployment-wide limits in `store` (PostgreSQL,
    /// shared by the instances).
    pub fn shared_in(config: &LimitsConfig, store: crate::store::Store) -> Self {
        Self::build(config, Some(store))
    }

    fn build(config: &LimitsConfig, shared: Option<crate::store::Store>) -> Self {
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
                real_name_per_hour: config.real_name_attempts_per_hour,
                shared,
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

    /// A real-name binding attempt by `account_id`: within this instance's limit and, with a
    /// shared store, the deployment's. If the store cannot be reached, this instance's limit
    /// alone applies (logged).
    pub async fn real_name_attempt(&self, account_id: &str) -> Result<(), RetryAfter> {
        self.check(&self.inner.real_name_attempts, &account_id.to_string())?;
        let (Some(store), Some(count)) = (
            &self.inner.shared,
            NonZeroU32::new(self.inner.real_name_per_hour),
        ) else {
            return Ok(());
        };
        let key = format!("real_name:{account_id}");
        match shared_check(store, &key, Duration::from_secs(3600), count).await {
            Ok(outcome) => outcome,
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "the deployment-wide real-name limit is unreachable; limiting this instance alone");
                Ok(())
            }
        }
    }

    /// Forgets the deployment-wide buckets that have fully recovered.
    pub async fn forget_idle_shared(&self) -> anyhow::Result<()> {
        let Some(store) = &self.inner.shared else {
            return Ok(());
        };
        crate::db::query(&format!("DELETE FROM rate_limits WHERE tat < {NOW_US}"))
            .execute(store.pool())
            .await?;
        Ok(())
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

/// The database's clock in microseconds: the instances' own clocks do not matter.
const NOW_US: &str = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)";

/// GCRA over a `rate_limits` row, `count` per `period` with a burst of `count`: one statement
/// under the row's lock moves its theoretical arrival time on by `period / count` unless that
/// would put it more than `period` ahead of now, in which case nothing changes and the caller
/// waits until it would not.
async fn shared_check(
    store: &crate::store::Store,
    key: &str,
    period: Duration,
    count: NonZeroU32,
) -> anyhow::Result<Result<(), RetryAfter>> {
    use anyhow::Context as _;
    let period_us = i64::try_from(period.as_micros()).unwrap_or(i64::MAX);
    let cost_us = period_us / i64::from(count.get());
    let admitted: Option<i64> = crate::db::query_scalar(&format!(
        "INSERT INTO rate_limits AS r (key, tat) VALUES ($1, {NOW_US} + $2)
         ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, {NOW_US}) + $2
           WHERE GREATEST(r.tat, {NOW_US}) + $2 - {NOW_US} <= $3
         RETURNING tat"
    ))
    .bind(key)
    .bind(cost_us)
    .bind(period_us)
    .fetch_optional(store.pool())
    .await
    .context("count a deployment-wide limit")?;
    if admitted.is_some() {
        return Ok(Ok(()));
    }
    let wait_us: i64 = crate::db::query_scalar(&format!(
        "SELECT tat + $2 - $3 - {NOW_US} FROM rate_limits WHERE key = $1"
    ))
    .bind(key)
    .bind(cost_us)
    .bind(period_us)
    .fetch_optional(store.pool())
    .await
    .context("read a deployment-wide limit")?
    .unwrap_or(0);
    Ok(Err(RetryAfter(Duration::from_micros(
        u64::try_from(wait_us).unwrap_or(0),
    ))))
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
