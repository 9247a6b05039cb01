//! The cache in front of shared upstream data (catalog, bundles, halls): one copy per key in
//! all languages, localized per request by the caller.
//!
//! - **Coalescing.** Concurrent misses of one key make one upstream call; the others wait for
//!   it (moka's `try_get_with`).
//! - **Stale-while-revalidate.** Past its fresh time a value is still served for
//!   `stale_while_revalidate` while one background call refreshes it.
//! - **Stale-if-error.** When a refresh fails, a value up to `stale_if_error` past its fresh
//!   time is served instead of the error, marked stale.
//! - **Negative caching.** "Not found" is remembered for `negative` seconds, so a client
//!   asking again and again for an unknown code does not reach the platform each time.
//!
//! Personal data never goes through here: it is cached per person in its own caches.

use std::{future::Future, hash::Hash, sync::Arc, time::Duration};

use moka::future::Cache;
// Tokio's clock, so tests can pause and advance it.
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family},
};
use tokio::time::Instant;

/// How long values stay usable, per kind of data.
#[derive(Debug, Clone, Copy)]
pub struct Ttl {
    pub fresh: Duration,
    pub stale_while_revalidate: Duration,
    pub stale_if_error: Duration,
    pub negative: Duration,
}

/// Whether a value is within its fresh time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    Stale,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    pub cache: &'static str,
    /// `hit`, `stale`, `miss`, `negative_hit`, `stale_on_error`.
    pub outcome: &'static str,
}

/// Cache lookups by cache and outcome, registered with the metrics.
pub type CacheCounters = Family<CacheLabels, Counter>;

#[derive(Debug)]
enum Entry<V> {
    Found { value: Arc<V>, at: Instant },
    Missing { at: Instant },
}

impl<V> Entry<V> {
    fn at(&self) -> Instant {
        match self {
            Entry::Found { at, .. } | Entry::Missing { at } => *at,
        }
    }
}

/// FNV-1a, the hash of every fingerprint behind an `ETag`: stable across runs and builds on one
/// architecture, which `std`'s `DefaultHasher` is not.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Fnv1a {
    /// Goes on from an earlier hash, to fold more bytes into it.
    pub fn from_hash(hash: u64) -> Self {
        Self(hash)
    }
}

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// One kind of shared data.
pub struct SharedCache<K, V> {
    name: &'static str,
    ttl: Ttl,
    entries: Cache<K, Arc<Entry<V>>>,
    /// Upstream calls under way, one per key; waiters share the outcome.
    inflight: Cache<K, Arc<Entry<V>>>,
    counters: CacheCounters,
}

impl<K, V> Clone for SharedCache<K, V> {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            ttl: self.ttl,
            entries: self.entries.clone(),
            inflight: self.inflight.clone(),
            counters: self.counters.clone(),
        }
    }
}

impl<K, V> std::fmt::Debug for SharedCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedCache")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<K, V> SharedCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    pub fn new(name: &'static str, ttl: Ttl, max_entries: u64, counters: CacheCounters) -> Self {
        let keep = ttl.fresh + ttl.stale_while_revalidate.max(ttl.stale_if_error);
        Self {
            name,
            ttl,
            entries: Cache::builder()
                .max_capacity(max_entries)
                .time_to_live(keep.max(ttl.negative))
                .build(),
            inflight: Cache::builder()
                .max_capacity(max_entries)
                .time_to_live(Duration::from_secs(60))
                .build(),
            counters,
        }
    }

    fn count(&self, outcome: &'static str) {
        self.counters
            .get_or_create(&CacheLabels {
                cache: self.name,
                outcome,
            })
            .inc();
    }

    /// The value of `key`: from the cache when fresh, stale-while-revalidate or, on a failed
    /// refresh, stale-if-error; otherwise from `fetch`, which answers `Ok(None)` for "not
    /// found". `fetch` may run in the background after this call has answered.
    pub async fn get<F, Fut, E>(
        &self,
        key: &K,
        fetch: F,
    ) -> Result<Option<(Arc<V>, Freshness)>, Arc<E>>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Option<V>, E>> + Send + 'static,
        E: Send + Sync + 'static,
    {
        let cached = self.entries.get(key).await;
        let Some(entry) = cached else {
            self.count("miss");
            return self
                .refresh(key, &fetch)
                .await
                .map(|e| found(&e, Freshness::Fresh));
        };
        let age = entry.at().elapsed();
        match &*entry {
            Entry::Missing { .. } if age < self.ttl.negative => {
                self.count("negative_hit");
                return Ok(None);
            }
            Entry::Found { value, .. } if age < self.ttl.fresh => {
                self.count("hit");
                return Ok(Some((value.clone(), Freshness::Fresh)));
            }
            Entry::Found { value, .. }
                if age < self.ttl.fresh + self.ttl.stale_while_revalidate =>
            {
                self.count("stale");
                self.revalidate_in_background(key.clone(), fetch);
                return Ok(Some((value.clone(), Freshness::Stale)));
            }
            _ => {}
        }
        self.count("miss");
        match self.refresh(key, &fetch).await {
            Ok(fresh) => Ok(found(&fresh, Freshness::Fresh)),
            Err(err) => match &*entry {
                Entry::Found { value, .. } if age < self.ttl.fresh + self.ttl.stale_if_error => {
                    self.count("stale_on_error");
                    Ok(Some((value.clone(), Freshness::Stale)))
                }
                _ => Err(err),
            },
        }
    }

    /// One upstream call per key at a time; its outcome becomes the cached entry.
    async fn refresh<F, Fut, E>(&self, key: &K, fetch: &F) -> Result<Arc<Entry<V>>, Arc<E>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Option<V>, E>>,
        E: Send + Sync + 'static,
    {
        let entries = self.entries.clone();
        let owned = key.clone();
        let outcome = self
            .inflight
            .try_get_with(key.clone(), async move {
                let fetched = fetch().await?;
                let at = Instant::now();
                let entry = Arc::new(match fetched {
                    Some(value) => Entry::Found {
                        value: Arc::new(value),
                        at,
                    },
                    None => Entry::Missing { at },
                });
                entries.insert(owned, entry.clone()).await;
                Ok(entry)
            })
            .await;
        self.inflight.invalidate(key).await;
        outcome
    }

    fn revalidate_in_background<F, Fut, E>(&self, key: K, fetch: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Option<V>, E>> + Send + 'static,
        E: Send + Sync + 'static,
    {
        if self.inflight.contains_key(&key) {
            return;
        }
        let cache = self.clone();
        tokio::spawn(async move {
            if cache.refresh(&key, &fetch).await.is_err() {
                tracing::warn!(
                    cache = cache.name,
                    "background refresh failed; serving stale"
                );
            }
        });
    }

    /// Forgets every entry: the next request of each key reaches upstream.
    pub fn invalidate_all(&self) {
        self.entries.invalidate_all();
    }

    /// Forgets one key, after a change Tongban made upstream, so the next request sees it.
    pub async fn invalidate(&self, key: &K) {
        self.entries.invalidate(key).await;
    }
}

fn found<V>(entry: &Entry<V>, freshness: Freshness) -> Option<(Arc<V>, Freshness)> {
    match entry {
        Entry::Found { value, .. } => Some((value.clone(), freshness)),
        Entry::Missing { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    use super::*;

    fn ttl(fresh_ms: u64, swr_ms: u64, sie_ms: u64) -> Ttl {
        Ttl {
            fresh: Duration::from_millis(fresh_ms),
            stale_while_revalidate: Duration::from_millis(swr_ms),
            stale_if_error: Duration::from_millis(sie_ms),
            negative: Duration::from_millis(fresh_ms),
        }
    }

    type Fetched = std::pin::Pin<Box<dyn Future<Output = Result<Option<u32>, String>> + Send>>;

    /// An upstream that counts calls and can be told to fail.
    #[derive(Clone, Default)]
    struct Upstream {
        calls: Arc<AtomicU64>,
        failing: Arc<AtomicBool>,
    }

    impl Upstream {
        fn fetch(&self, value: Option<u32>) -> impl Fn() -> Fetched + Send + Sync + 'static {
            let me = self.clone();
            move || {
                let me = me.clone();
                Box::pin(async move {
                    me.calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    if me.failing.load(Ordering::SeqCst) {
                        Err("down".to_string())
                    } else {
                        Ok(value)
                    }
                })
            }
        }

        fn calls(&self) -> u64 {
            self.calls.load(Ordering::SeqCst)
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_thousand_concurrent_misses_of_one_key_make_one_upstream_call() {
        let cache = SharedCache::new("t", ttl(60_000, 0, 0), 10, CacheCounters::default());
        let upstream = Upstream::default();
        let lookups = (0..1000).map(|_| cache.get(&"k", upstream.fetch(Some(7))));
        let answers = futures_util::future::join_all(lookups).await;
        assert!(
            answers
                .iter()
                .all(|a| matches!(a, Ok(Some((v, _))) if **v == 7))
        );
        assert_eq!(upstream.calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stale_value_is_served_while_one_background_call_refreshes_it() {
        let cache = SharedCache::new("t", ttl(50, 10_000, 0), 10, CacheCounters::default());
        let upstream = Upstream::default();
        cache.get(&"k", upstream.fetch(Some(1))).await.ok();
        tokio::time::sleep(Duration::from_millis(80)).await;
        let started = Instant::now();
        let stale = cache.get(&"k", upstream.fetch(Some(2))).await;
        assert!(matches!(stale, Ok(Some((v, Freshness::Stale))) if *v == 1));
        assert_eq!(started.elapsed(), Duration::ZERO, "no waiting for upstream");
        tokio::time::sleep(Duration::from_millis(30)).await;
        let fresh = cache.get(&"k", upstream.fetch(Some(3))).await;
        assert!(matches!(fresh, Ok(Some((v, Freshness::Fresh))) if *v == 2));
        assert_eq!(upstream.calls(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_refresh_serves_the_stale_value_within_stale_if_error() {
        let cache = SharedCache::new("t", ttl(30, 0, 10_000), 10, CacheCounters::default());
        let upstream = Upstream::default();
        cache.get(&"k", upstream.fetch(Some(1))).await.ok();
        upstream.failing.store(true, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let answer = cache.get(&"k", upstream.fetch(Some(2))).await;
        assert!(matches!(answer, Ok(Some((v, Freshness::Stale))) if *v == 1));
        let nothing_cached = cache.get(&"other", upstream.fetch(Some(2))).await;
        assert!(nothing_cached.is_err(), "without a copy the error surfaces");
    }

    #[tokio::test(start_paused = true)]
    async fn not_found_is_remembered_for_the_negative_time() {
        let counters = CacheCounters::default();
        let cache = SharedCache::new("t", ttl(40, 0, 0), 10, counters.clone());
        let upstream = Upstream::default();
        for _ in 0..5 {
            assert!(matches!(
                cache.get(&"gone", upstream.fetch(None)).await,
                Ok(None)
            ));
        }
        assert_eq!(upstream.calls(), 1);
        tokio::time::sleep(Duration::from_millis(60)).await;
        cache.get(&"gone", upstream.fetch(None)).await.ok();
        assert_eq!(upstream.calls(), 2);
        let negative = counters
            .get_or_create(&CacheLabels {
                cache: "t",
                outcome: "negative_hit",
            })
            .get();
        assert_eq!(negative, 4);
    }
}
