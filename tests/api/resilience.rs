//! The provincial platform behind a circuit breaker: failing fast while it is down, back
//! within seconds of its recovery, and visible in the metrics.

use std::time::{Duration, Instant};

use tongban::sim::gov::{Faults, Resource};

use crate::helpers::{TestApp, spawn_app_with};

/// The value of one metric line of `/metrics`, by its full name and labels.
async fn metric(app: &TestApp, line_start: &str) -> Option<f64> {
    let text = app.get("/metrics").await.text().await.expect("metrics");
    text.lines()
        .find(|line| line.starts_with(line_start))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

async fn breaker(app: &TestApp) -> Option<f64> {
    metric(app, "tongban_upstream_breaker_state{upstream=\"gov\"}").await
}

#[tokio::test]
async fn the_breaker_opens_on_an_outage_fails_fast_and_closes_soon_after_recovery() {
    let app = spawn_app_with(|c| {
        let resilience = &mut c.upstream.gov.resilience;
        resilience.breaker_consecutive_failures = 3;
        resilience.breaker_cool_down_ms = 1_000;
        c.cache.stale_if_error_secs = 0;
    })
    .await;
    app.gov.set_faults(
        Resource::Catalog,
        Faults {
            outage: true,
            latency: Duration::from_millis(600),
            ..Faults::default()
        },
    );
    for code in ["A1", "A2", "A3"] {
        let resp = app.get(&format!("/v1/services/{code}")).await;
        assert_eq!(resp.status(), 503);
    }
    assert_eq!(breaker(&app).await, Some(2.0), "open after three failures");

    let started = Instant::now();
    let resp = app.get("/v1/services/A4").await;
    assert_eq!(resp.status(), 503);
    let problem: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(problem["code"], "upstream_unavailable");
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "refused without waiting for the platform: {:?}",
        started.elapsed()
    );
    let refused = metric(
        &app,
        "tongban_upstream_call_duration_seconds_count{upstream=\"gov\",outcome=\"open\"}",
    )
    .await;
    assert!(refused.is_some_and(|n| n >= 1.0), "{refused:?}");

    app.gov.set_all_faults(Faults::default());
    let recovered = Instant::now();
    loop {
        if app.get("/v1/services?limit=1").await.status() == 200 {
            break;
        }
        assert!(
            recovered.elapsed() < Duration::from_secs(10),
            "still failing after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(breaker(&app).await, Some(0.0), "closed again");
    assert!(recovered.elapsed() < Duration::from_secs(10));
}
