//! Prometheus metrics, served at `/metrics` in the text exposition format: requests and
//! latency by operation (the OpenAPI operationId, or a fixed label for other routes), method
//! and status, localization fallbacks, and cache lookups by outcome.

use std::sync::Arc;

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

use crate::{
    domain::cache::CacheCounters,
    i18n::FallbackCounter,
    upstream::resilience::{BreakerState, Observation},
};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    pub upstream: &'static str,
    /// `ok`, `answer`, `failed`, `timeout`, `open`, `overloaded`.
    pub outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BreakerLabels {
    pub upstream: &'static str,
}

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
    upstream: Family<UpstreamLabels, Histogram, fn() -> Histogram>,
    breakers: Family<BreakerLabels, Gauge>,
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
        let upstream = Family::<UpstreamLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "upstream_call_duration_seconds",
            "Calls to an upstream through its resilience policy, retries included, by outcome",
            upstream.clone(),
        );
        let breakers = Family::<BreakerLabels, Gauge>::default();
        registry.register(
            "upstream_breaker_state",
            "Circuit breaker of an upstream: 0 closed, 1 half-open, 2 open",
            breakers.clone(),
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
            upstream,
            breakers,
        }
    }

    /// Registers the push service's counters; call before the metrics are shared.
    pub fn with_push(mut self, push: &crate::domain::push::PushCounters) -> Self {
        if let Some(registry) = Arc::get_mut(&mut self.registry) {
            registry.register(
                "push_attempts",
                "Sends to WeChat, Alipay and the push gateway, by channel and outcome",
                push.attempts.clone(),
            );
            registry.register(
                "push_receipts",
                "Delivery reports from the platforms, by channel and status",
                push.receipts.clone(),
            );
            registry.register(
                "push_ended",
                "Notifications that ended without a platform taking them, by state and reason",
                push.ended.clone(),
            );
        }
        self
    }

    /// An observer for an upstream's resilience policy: fills the call-duration histogram.
    pub fn upstream_observer(&self) -> impl Fn(&Observation) + Send + Sync + 'static {
        let upstream = self.upstream.clone();
        move |call: &Observation| {
            upstream
                .get_or_create(&UpstreamLabels {
                    upstream: call.upstream,
                    outcome: call.outcome.as_str(),
                })
                .observe(call.elapsed.as_secs_f64());
        }
    }

    /// Records an upstream's breaker state, read when metrics are scraped.
    pub fn set_breaker(&self, upstream: &'static str, state: BreakerState) {
        let value = match state {
            BreakerState::Closed => 0,
            BreakerState::HalfOpen => 1,
            BreakerState::Open => 2,
        };
        self.breakers
            .get_or_create(&BreakerLabels { upstream })
            .set(value);
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
