//! Government-service halls (政务服务大厅) and their bookable slots: shared data, the same for
//! everyone, so it goes through [`SharedCache`]. Halls change rarely and get the catalog's
//! times; a day's slots change with every booking, so they are kept only a few seconds and
//! dropped whenever Tongban books or cancels.

use std::{sync::Arc, time::Duration};

use super::cache::{CacheCounters, Freshness, SharedCache, Ttl};
use crate::{
    config::CacheConfig,
    upstream::gov::{
        GovClient, GovError,
        wire::{Hall, Slot},
    },
};

/// How long a day's slots are served from the copy: long enough to absorb a burst of people
/// opening the same day, short enough that "places left" stays close to the truth.
const SLOTS_FRESH: Duration = Duration::from_secs(5);

/// Most (hall, day, item) slot lists kept at once.
const SLOTS_MAX_ENTRIES: u64 = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum HallsError {
    /// No such hall.
    #[error("no such hall")]
    NotFound,
    /// The platform refused the question (a day outside the booking window, an item the hall
    /// does not handle).
    #[error("refused by the platform")]
    Rejected(#[source] Arc<GovError>),
    #[error("the platform cannot be reached")]
    Unavailable(#[source] Arc<GovError>),
}

impl From<Arc<GovError>> for HallsError {
    fn from(err: Arc<GovError>) -> Self {
        match *err {
            GovError::NotFound => HallsError::NotFound,
            GovError::Rejected(_) => HallsError::Rejected(err),
            _ => HallsError::Unavailable(err),
        }
    }
}

/// Which slots: one hall, one day, one item.
type SlotsKey = (String, jiff::civil::Date, String);

/// The halls and their slots, cached.
#[derive(Debug, Clone)]
pub struct Halls {
    gov: GovClient,
    /// Told when slots are forgotten, for the other instances' copies.
    cluster: crate::cluster::Cluster,
    halls: SharedCache<(), Vec<Hall>>,
    slots: SharedCache<SlotsKey, Vec<Slot>>,
}

impl Halls {
    /// Drops the cached halls and their slots, with the operator's invalidation.
    pub fn invalidate(&self) {
        self.halls.invalidate_all();
        self.slots.invalidate_all();
    }

    pub fn new(gov: GovClient, config: &CacheConfig, counters: CacheCounters) -> Self {
        let halls_ttl = Ttl {
            fresh: Duration::from_secs(config.catalog_ttl_secs),
            stale_while_revalidate: Duration::from_secs(config.stale_while_revalidate_secs),
            stale_if_error: Duration::from_secs(config.stale_if_error_secs),
            negative: Duration::ZERO,
        };
        // A stale "places left" would only invite bookings that fail: no stale serving.
        let slots_ttl = Ttl {
            fresh: SLOTS_FRESH,
            stale_while_revalidate: Duration::ZERO,
            stale_if_error: Duration::ZERO,
            negative: Duration::from_secs(config.negative_ttl_secs),
        };
        Self {
            gov,
            cluster: crate::cluster::Cluster::default(),
            halls: SharedCache::new("halls", halls_ttl, 1, counters.clone()),
            slots: SharedCache::new("slots", slots_ttl, SLOTS_MAX_ENTRIES, counters),
        }
    }

    /// Every hall, in the platform's order.
    pub async fn list(&self) -> Result<(Arc<Vec<Hall>>, Freshness), HallsError> {
        let gov = self.gov.clone();
        let found = self
            .halls
            .get(&(), move || {
                let gov = gov.clone();
                async move { gov.halls().await.map(Some) }
            })
            .await?;
        found.ok_or(HallsError::NotFound)
    }

    /// One hall's half-hour slots on `date` for one item, with the places taken.
    pub async fn slots(
        &self,
        hall_id: &str,
        date: jiff::civil::Date,
        task_code: &str,
    ) -> Result<Arc<Vec<Slot>>, HallsError> {
        let key: SlotsKey = (hall_id.to_string(), date, task_code.to_string());
        let gov = self.gov.clone();
        let (hall, item) = (key.0.clone(), key.2.clone());
        let found = self
            .slots
            .get(&key, move || {
                let (gov, hall, item) = (gov.clone(), hall.clone(), item.clone());
                async move {
                    match gov.slots(&hall, date, &item).await {
                        Ok(slots) => Ok(Some(slots)),
                        Err(GovError::NotFound) => Ok(None),
                        Err(err) => Err(err),
                    }
                }
            })
            .await?;
        found.map(|(slots, _)| slots).ok_or(HallsError::NotFound)
    }

    /// Tells the other instances of `cluster` when slots are forgotten.
    pub fn with_cluster(mut self, cluster: crate::cluster::Cluster) -> Self {
        self.cluster = cluster;
        self
    }

    /// Drops every copy of slots after a booking or a cancellation changed the places left,
    /// here and at the other instances.
    pub fn forget_slots(&self) {
        self.forget_slots_here();
        self.cluster.tell_soon(crate::cluster::Signal::Slots);
    }

    /// [`Halls::forget_slots`] at this instance only: another one said so.
    pub fn forget_slots_here(&self) {
        self.slots.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        config::GovUpstreamConfig,
        sim::gov::{GovSim, Resource},
    };

    async fn halls_and_sim() -> (Halls, GovSim) {
        let config = GovUpstreamConfig::default();
        let sim = GovSim::start(&config.app_key, &config.app_secret)
            .await
            .expect("sim starts");
        let gov = GovClient::new(&config, sim.base_url()).expect("client");
        let halls = Halls::new(gov, &CacheConfig::default(), CacheCounters::default());
        (halls, sim)
    }

    #[tokio::test]
    async fn the_halls_are_fetched_once_and_then_served_from_the_copy() {
        let (halls, sim) = halls_and_sim().await;
        let (first, _) = halls.list().await.expect("halls");
        let (second, freshness) = halls.list().await.expect("halls");
        assert_eq!(first.len(), 12);
        assert_eq!(second.len(), 12);
        assert_eq!(freshness, Freshness::Fresh);
        assert_eq!(sim.calls(Resource::Halls), 1);
    }

    #[tokio::test]
    async fn an_unknown_hall_has_no_slots() {
        let (halls, _sim) = halls_and_sim().await;
        let tomorrow = jiff::Zoned::now().date().tomorrow().expect("date");
        let result = halls
            .slots("hall-nowhere", tomorrow, "1165400001010031273000173007001")
            .await;
        assert!(matches!(result, Err(HallsError::NotFound)), "{result:?}");
    }
}
