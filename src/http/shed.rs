//! Load shedding: at most `max_in_flight` API requests are worked on at once; the next one is
//! answered at once with 503 and `Retry-After` instead of queueing until everything is slow.
//! Answering "busy" in well under a millisecond keeps the admitted requests fast (goodput)
//! when load doubles, as go-zero's shedder and Fastify's under-pressure do.
//!
//! This is a fixed cap, not go-zero's CPU-driven adaptive one: on two cores the cap is easy to
//! size from a load test, and its behaviour is the same on every machine. The operations
//! endpoints ([`Shedder::exempts`]) are never shed, so an overloaded instance still answers
//! its health checks and scrapes.
//!
//! In a middleware: `let Some(_permit) = shedder.try_admit() else { return 503 };` then run
//! the endpoint while `_permit` lives.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use serde::Deserialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How much concurrent work the API takes on before it sheds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShedConfig {
    /// API requests worked on at once; more are answered with 503. 0 turns shedding off.
    pub max_in_flight: usize,
    /// Seconds a shed client is told to wait (`Retry-After`), at least 1.
    pub retry_after_secs: u64,
}

impl Default for ShedConfig {
    fn default() -> Self {
        Self {
            max_in_flight: 1024,
            retry_after_secs: 1,
        }
    }
}

/// Admits API requests up to the cap; cheap to clone and share.
#[derive(Debug, Clone)]
pub struct Shedder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// `None` when shedding is off.
    slots: Option<Arc<Semaphore>>,
    max_in_flight: usize,
    retry_after_secs: u64,
    /// Requests shed since start, for metrics.
    shed: AtomicU64,
}

/// One admitted request's place; the place is freed when the permit is dropped, however the
/// request ends (answer, error, panic or client gone).
#[derive(Debug)]
#[must_use = "the request is admitted only while the permit lives"]
pub struct Permit {
    _slot: Option<OwnedSemaphorePermit>,
}

/// Paths of the operations endpoints, which are never shed.
const EXEMPT: [&str; 3] = ["/livez", "/readyz", "/metrics"];

impl Shedder {
    /// A shedder as `config` says.
    pub fn new(config: &ShedConfig) -> Self {
        let max_in_flight = config.max_in_flight.min(Semaphore::MAX_PERMITS);
        Self {
            inner: Arc::new(Inner {
                slots: (max_in_flight > 0).then(|| Arc::new(Semaphore::new(max_in_flight))),
                max_in_flight,
                retry_after_secs: config.retry_after_secs.max(1),
                shed: AtomicU64::new(0),
            }),
        }
    }

    /// A permit for one request, or `None` when the cap is reached: answer 503 with
    /// `Retry-After: {retry_after_secs}` then. Never waits.
    pub fn try_admit(&self) -> Option<Permit> {
        let Some(slots) = &self.inner.slots else {
            return Some(Permit { _slot: None });
        };
        match slots.clone().try_acquire_owned() {
            Ok(slot) => Some(Permit { _slot: Some(slot) }),
            Err(_) => {
                self.inner.shed.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// The `Retry-After` value for a shed request, in seconds.
    pub fn retry_after_secs(&self) -> u64 {
        self.inner.retry_after_secs
    }

    /// Whether requests to `path` bypass shedding: health checks and scrapes must get
    /// through an overloaded instance, or the balancer takes it for dead.
    pub fn exempts(path: &str) -> bool {
        EXEMPT.contains(&path)
    }

    /// Requests admitted and not yet finished, for metrics.
    pub fn in_flight(&self) -> usize {
        self.inner.slots.as_ref().map_or(0, |slots| {
            self.inner.max_in_flight - slots.available_permits()
        })
    }

    /// Requests shed since start, for metrics.
    pub fn shed_total(&self) -> u64 {
        self.inner.shed.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use poem::{
        Endpoint, EndpointExt, IntoResponse, Response, Route,
        endpoint::make_sync,
        get, handler,
        http::{StatusCode, header},
        test::TestClient,
        web::Data,
    };

    use super::*;

    fn shedder(max_in_flight: usize) -> Shedder {
        Shedder::new(&ShedConfig {
            max_in_flight,
            retry_after_secs: 2,
        })
    }

    #[test]
    fn it_admits_up_to_the_cap_then_refuses() {
        let shedder = shedder(3);
        let permits: Vec<Permit> = (0..3).filter_map(|_| shedder.try_admit()).collect();
        assert_eq!(permits.len(), 3);
        assert!(shedder.try_admit().is_none());
        assert_eq!(shedder.in_flight(), 3);
        assert_eq!(shedder.shed_total(), 1);
    }

    #[test]
    fn a_dropped_permit_frees_its_place() {
        let shedder = shedder(1);
        let permit = shedder.try_admit().expect("admitted");
        assert!(shedder.try_admit().is_none());
        drop(permit);
        assert_eq!(shedder.in_flight(), 0);
        assert!(shedder.try_admit().is_some());
    }

    #[test]
    fn a_cap_of_zero_turns_shedding_off() {
        let shedder = shedder(0);
        let permits: Vec<Permit> = (0..10_000).filter_map(|_| shedder.try_admit()).collect();
        assert_eq!(permits.len(), 10_000);
        assert_eq!(shedder.shed_total(), 0);
    }

    #[test]
    fn retry_after_is_at_least_one_second() {
        let shedder = Shedder::new(&ShedConfig {
            max_in_flight: 1,
            retry_after_secs: 0,
        });
        assert_eq!(shedder.retry_after_secs(), 1);
    }

    #[test]
    fn only_the_operations_endpoints_are_exempt() {
        assert!(Shedder::exempts("/livez"));
        assert!(Shedder::exempts("/readyz"));
        assert!(Shedder::exempts("/metrics"));
        assert!(!Shedder::exempts("/v1/services"));
        assert!(!Shedder::exempts("/livez/x"));
    }

    #[handler]
    async fn slow(Data(gate): Data<&Arc<tokio::sync::Notify>>) -> &'static str {
        gate.notified().await;
        "done"
    }

    #[tokio::test]
    async fn in_a_middleware_an_overloaded_api_answers_503_with_retry_after_but_health_checks_pass()
    {
        let shedder = shedder(1);
        let watch = shedder.clone();
        let gate = Arc::new(tokio::sync::Notify::new());
        let app = Route::new()
            .at("/v1/slow", get(slow))
            .at("/livez", get(make_sync(|_| "ok")))
            .data(gate.clone())
            .around(move |ep, req| {
                let shedder = shedder.clone();
                async move {
                    if Shedder::exempts(req.uri().path()) {
                        return ep.call(req).await.map(IntoResponse::into_response);
                    }
                    let Some(_permit) = shedder.try_admit() else {
                        return Ok(Response::builder()
                            .status(StatusCode::SERVICE_UNAVAILABLE)
                            .header(header::RETRY_AFTER, shedder.retry_after_secs())
                            .finish());
                    };
                    ep.call(req).await.map(IntoResponse::into_response)
                }
            });
        let client = Arc::new(TestClient::new(app));
        let first = {
            let client = client.clone();
            tokio::spawn(async move { client.get("/v1/slow").send().await.0.status() })
        };
        while watch.in_flight() == 0 {
            tokio::task::yield_now().await;
        }

        let shed = client.get("/v1/slow").send().await;
        shed.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        shed.assert_header(header::RETRY_AFTER, "2");
        client.get("/livez").send().await.assert_status_is_ok();

        gate.notify_one();
        assert_eq!(first.await.expect("joined"), StatusCode::OK);
        assert_eq!(watch.in_flight(), 0);
        assert_eq!(watch.shed_total(), 1);
    }
}
