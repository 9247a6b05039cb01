//! Prometheus metrics, served at `/metrics` in the text exposition format: requests and
//! latency by operation (the OpenAPI operationId, or a fixed label for other routes), method
//! and status, localization fallbacks, and cache lookups by outcome.

use std::sync::Arc;

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

use crate::{domain::cache::CacheCounters, i18n::FallbackCounter};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub operation: String,
    pub method: String,
    pub status: u16,
}

fn latency_histogram() -> Histogram {
    // 1 ms … ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn new(l10n_fallbacks: FallbackCounter, cache: CacheCounters) -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let mut registry = Registry::with_prefix("tongban");
        registry.register(
            "http_requests",
            "HTTP requests answered, by operation, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by operation, method and status",
            latency.clone(),
        );
        registry.register(
            "l10n_fallbacks",
            "Messages that fell back to zh-Hans because they were missing or failed to format",
            l10n_fallbacks,
        );
        registry.register(
            "cache_lookups",
            "Cache lookups by cache and outcome: hit, stale, miss, negative_hit, stale_on_error",
            cache,
        );
        Self {
            registry: Arc::new(registry),
            requests,
            latency,
        }
    }

    pub fn observe(&self, labels: RequestLabels, seconds: f64) {
        self.latency.get_or_create(&labels).observe(seconds);
        self.requests.get_or_create(&labels).inc();
    }

    /// The text exposition of every registered metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            tracing::error!("metrics could not be encoded");
        }
        out
    }
}
