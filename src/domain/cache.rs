//! The cache in front of shared upstream data (catalog, bundles, halls): one copy per key in
//! all languages, localized per request by the caller.
//!
//! - **Coalescing.** Concurrent misses of one key make one upstream call; the others wait for
//!   it. The call is a shared future in a map of calls under way, one per key, which removes
//!   itself when it ends: each waiter costs a lock and a clone. (It was moka's `try_get_with`
//!   on a second cache, where each waiter also wrote a removal into moka's queues: a tenth of
//!   the CPU of home screens with caching off, BENCHMARKS.md, session 11.) Not the
//!   `async_singleflight` crate (0.6): a failed call gives its waiters no error, only that it
//!   failed, and every lookup takes an async lock.
//! - **Stale-while-revalidate.** Past its fresh time a value is still served for
//!   `stale_while_revalidate` while one background call refreshes it.
//! - **Stale-if-error.** When a refresh fails, a value up to `stale_if_error` past its fresh
//!   time is served instead of the error, marked stale.
//! - **Negative caching.** "Not found" is remembered for `negative` seconds, so a client
//!   asking again and again for an unknown code does not reach the platform each time.
//!
//! Personal data never goes through here: it is cached per person in its own caches.

use std::{
    any::Any,
    collections::HashMap,
    future::Future,
    hash::Hash,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use futures_util::future::{BoxFuture, FutureExt, Shared};
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
    inflight: Arc<Mutex<HashMap<K, Flight<V>>>>,
    counters: CacheCounters,
}

/// A call's outcome: the entry, or the fetch's error (its type erased, as several call sites
/// with one error type each share a cache's map).
type Outcome<V> = Result<Arc<Entry<V>>, Arc<dyn Any + Send + Sync>>;
/// One upstream call under way, awaited by every lookup of its key until it ends.
type Flight<V> = Shared<BoxFuture<'static, Outcome<V>>>;

/// Removes a call from the map of calls under way when it ends, however it ends (a panicking
/// fetch included), so the next miss of its key makes a new call.
struct Landing<K: Hash + Eq, V> {
    inflight: Arc<Mutex<HashMap<K, Flight<V>>>>,
    key: Option<K>,
}

impl<K: Hash + Eq, V> Drop for Landing<K, V> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            // The map's handle on this call; dropped after the lock is released.
            let _flight = self
                .inflight
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&key);
        }
    }
}

impl<K, V> Clone for SharedCache<K, V> {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            ttl: self.ttl,
            entries: self.entries.clone(),
            inflight: Arc::clone(&self.inflight),
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
            inflight: Arc::default(),
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
        Fut: Future<Output = Result<Option<V>, E>> + Send + 'static,
        E: Send + Sync + 'static,
    {
        let flight = {
            let mut inflight = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
            match inflight.get(key) {
                Some(flight) => flight.clone(),
                None => {
                    let flight = self.fly(key.clone(), fetch());
                    inflight.insert(key.clone(), flight.clone());
                    flight
                }
            }
        };
        match flight.await {
            Ok(entry) => Ok(entry),
            Err(err) => match err.downcast::<E>() {
                Ok(err) => Err(err),
                // A call site with another error type joined this key's call, which failed:
                // it asks again itself rather than lose the error.
                Err(_) => store(&self.entries, self.ttl, key.clone(), fetch())
                    .await
                    .map_err(Arc::new),
            },
        }
    }

    /// The call under way for `key`: `fetched`, stored, then removed from the calls under way.
    fn fly<Fut, E>(&self, key: K, fetched: Fut) -> Flight<V>
    where
        Fut: Future<Output = Result<Option<V>, E>> + Send + 'static,
        E: Send + Sync + 'static,
    {
        let (entries, ttl) = (self.entries.clone(), self.ttl);
        let landing = Landing {
            inflight: Arc::clone(&self.inflight),
            key: Some(key.clone()),
        };
        async move {
            let outcome = store(&entries, ttl, key, fetched).await;
            drop(landing);
            outcome.map_err(|err| Arc::new(err) as Arc<dyn Any + Send + Sync>)
        }
        .boxed()
        .shared()
    }

    fn revalidate_in_background<F, Fut, E>(&self, key: K, fetch: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Option<V>, E>> + Send + 'static,
        E: Send + Sync + 'static,
    {
        if self
            .inflight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(&key)
        {
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

/// What `fetched` answers, as an entry, kept in `entries` unless `ttl` keeps nothing of its
/// kind (caching off: a time to live of zero).
async fn store<K, V, Fut, E>(
    entries: &Cache<K, Arc<Entry<V>>>,
    ttl: Ttl,
    key: K,
    fetched: Fut,
) -> Result<Arc<Entry<V>>, E>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
    Fut: Future<Output = Result<Option<V>, E>>,
{
    let fetched = fetched.await?;
    let at = Instant::now();
    let (entry, kept) = match fetched {
        Some(value) => (
            Entry::Found {
                value: Arc::new(value),
                at,
            },
            ttl.fresh + ttl.stale_while_revalidate.max(ttl.stale_if_error),
        ),
        None => (Entry::Missing { at }, ttl.negative),
    };
    let entry = Arc::new(entry);
    if !kept.is_zero() {
        entries.insert(key, Arc::clone(&entry)).await;
    }
    Ok(entry)
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
    async fn with_caching_off_concurrent_misses_still_share_one_call_and_the_next_makes_its_own() {
        let cache = SharedCache::new("t", ttl(0, 0, 0), 10, CacheCounters::default());
        let upstream = Upstream::default();
        let lookups = (0..100).map(|_| cache.get(&"k", upstream.fetch(Some(7))));
        let answers = futures_util::future::join_all(lookups).await;
        assert!(
            answers
                .iter()
                .all(|a| matches!(a, Ok(Some((v, Freshness::Fresh))) if **v == 7))
        );
        assert_eq!(upstream.calls(), 1);
        assert_eq!(cache.entries.entry_count(), 0, "nothing kept");
        cache.get(&"k", upstream.fetch(Some(8))).await.ok();
        assert_eq!(upstream.calls(), 2, "the call ended: a new one");
    }

    /// A lookup given up on (its request timed out or went away) leaves the call to the next.
    #[tokio::test(start_paused = true)]
    async fn a_call_whose_waiters_gave_up_is_finished_by_the_next_lookup() {
        let cache = SharedCache::new("t", ttl(60_000, 0, 0), 10, CacheCounters::default());
        let upstream = Upstream::default();
        let given_up = tokio::time::timeout(
            Duration::from_millis(5),
            cache.get(&"k", upstream.fetch(Some(1))),
        )
        .await;
        assert!(given_up.is_err());
        let answer = cache.get(&"k", upstream.fetch(Some(2))).await;
        assert!(
            matches!(answer, Ok(Some((v, _))) if *v == 1),
            "the call under way"
        );
        assert_eq!(upstream.calls(), 1);
        assert!(cache.inflight.lock().expect("not poisoned").is_empty());
    }

    /// A fetch that panics fails its waiters, not every later lookup of its key.
    #[tokio::test]
    async fn a_panicking_fetch_does_not_wedge_its_key() {
        let cache =
            SharedCache::<&str, u32>::new("t", ttl(60_000, 0, 0), 10, CacheCounters::default());
        let panicking = cache.clone();
        let first = tokio::spawn(async move {
            panicking
                .get(&"k", || async {
                    panic!("upstream client bug") as Result<Option<u32>, String>
                })
                .await
        })
        .await;
        assert!(first.is_err(), "the panic reached its waiter");
        assert!(cache.inflight.lock().expect("not poisoned").is_empty());
        let upstream = Upstream::default();
        let answer = cache.get(&"k", upstream.fetch(Some(3))).await;
        assert!(matches!(answer, Ok(Some((v, _))) if *v == 3));
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
