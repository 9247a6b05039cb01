//! A channel's pace for the whole deployment: with several instances on one PostgreSQL, each
//! instance's own limiter (`dispatch::Shared`) would let N times the configured rate through,
//! so on PostgreSQL the instances also draw from one bucket per channel, a row of
//! `push_pace`.
//!
//! The bucket is GCRA kept as its theoretical arrival time (`tat`, microseconds of the
//! database's clock, so the instances' clocks do not matter): reserving `n` sends moves it to
//! `max(tat, now) + n·T` (`T` = 1 s / rate) in one statement under the row's lock, and the
//! reserver waits until `max(tat, now) − τ` (`τ`, the burst, `rate / 20` sends, as locally).
//! An instance reserves a chunk of a burst at a time and hands it out to its workers, one
//! statement per chunk rather than per send; so in any second the deployment sends at most
//! the rate plus two bursts (the bucket's and one chunk sent at once), 10 % over at most.
//! Reserved and unused sends (an instance stopping) are lost, which only slows the others a
//! little. If the database cannot be reached, sends wait only for the local limiter.

use std::time::Duration;

use anyhow::Context as _;

use super::Channel;
use crate::store::Store;

/// One channel's share of the bucket held by this instance.
struct Held {
    /// Sends reserved and not yet handed out.
    left: u32,
}

pub(super) struct SharedPace {
    store: Store,
    channels: [Lane; 3],
}

struct Lane {
    held: tokio::sync::Mutex<Held>,
    /// Microseconds per send.
    cost_us: i64,
    /// The burst, in microseconds.
    tau_us: i64,
    /// Sends reserved at a time.
    chunk: u32,
}

impl Lane {
    fn new(rate_per_sec: u32, burst: u32) -> Self {
        let cost_us = 1_000_000 / i64::from(rate_per_sec.max(1));
        Self {
            held: tokio::sync::Mutex::new(Held { left: 0 }),
            cost_us,
            tau_us: cost_us * i64::from(burst),
            chunk: burst.max(1),
        }
    }
}

impl SharedPace {
    /// Rates per channel (WeChat, Alipay, app) and their bursts.
    pub(super) fn new(store: Store, rates: [(u32, u32); 3]) -> Self {
        Self {
            store,
            channels: rates.map(|(rate, burst)| Lane::new(rate, burst)),
        }
    }

    fn lane(&self, channel: Channel) -> &Lane {
        match channel {
            Channel::Wechat => &self.channels[0],
            Channel::Alipay => &self.channels[1],
            Channel::App => &self.channels[2],
        }
    }

    /// Waits until the deployment's pace admits `count` more sends on `channel`.
    pub(super) async fn admit(&self, channel: Channel, count: u32) {
        let lane = self.lane(channel);
        let mut held = lane.held.lock().await;
        while held.left < count {
            let want = lane.chunk.max(count - held.left);
            match self.reserve(channel, lane, want).await {
                Ok(wait) => {
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                    held.left += want;
                }
                Err(err) => {
                    tracing::warn!(error = %format!("{err:#}"), channel = channel.code(), "push: the shared pace is unreachable; pacing this instance alone");
                    return;
                }
            }
        }
        held.left -= count;
    }

    /// Reserves `count` sends; how long to wait before sending them.
    async fn reserve(&self, channel: Channel, lane: &Lane, count: u32) -> anyhow::Result<Duration> {
        let cost = lane.cost_us * i64::from(count);
        let wait_us: i64 = crate::db::query_scalar(
            "INSERT INTO push_pace AS p (channel, tat)
             VALUES ($1, CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) + $2)
             ON CONFLICT (channel) DO UPDATE SET tat = GREATEST(p.tat,
               CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)) + $2
             RETURNING tat - $2 - $3 - CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
        )
        .bind(channel.code())
        .bind(cost)
        .bind(lane.tau_us)
        .fetch_one(self.store.pool())
        .await
        .context("reserve sends")?;
        Ok(Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)))
    }
}
