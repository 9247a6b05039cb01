use std::time::Duration;

use tongban::sim::gov::Faults;

use crate::helpers::spawn_app;

#[tokio::test]
async fn livez_answers_and_readyz_reports_each_dependency() {
    let app = spawn_app().await;
    assert_eq!(app.get("/livez").await.status(), 200);
    let (status, body) = app.json("/readyz").await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<_> = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, ["store", "govPlatform"]);
}

#[tokio::test]
async fn readyz_is_503_and_names_the_upstream_that_is_down() {
    let app = spawn_app().await;
    app.gov.set_all_faults(Faults {
        outage: true,
        latency: Duration::ZERO,
        ..Faults::default()
    });
    let (status, body) = app.json("/readyz").await;
    assert_eq!(status, 503);
    assert_eq!(body["checks"][0]["status"], "up");
    assert_eq!(body["checks"][1]["status"], "down");
    assert_eq!(
        app.get("/livez").await.status(),
        200,
        "liveness ignores upstreams"
    );
}

#[tokio::test]
async fn the_embedded_store_is_sqlite_in_wal_mode() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = tongban::Config::default();
    config.database.data_dir = dir.path().join("nested/var");
    let store = tongban::store::Store::open(&config).await.expect("opens");
    store.migrate().await.expect("migrates");
    store.migrate().await.expect("migrating twice is harmless");
    assert_eq!(
        store.journal_mode().await.expect("pragma").as_deref(),
        Some("wal")
    );
    assert!(dir.path().join("nested/var/tongban.db").exists());
}

#[tokio::test]
async fn in_flight_requests_finish_during_graceful_shutdown() {
    let mut app = spawn_app().await;
    app.gov.set_all_faults(Faults {
        outage: false,
        latency: Duration::from_millis(600),
        ..Faults::default()
    });
    let client = app.client.clone();
    let url = format!("{}/v1/services", app.base);
    let in_flight =
        tokio::spawn(async move { client.get(url).send().await.map(|r| r.status().as_u16()) });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let _ = app.shutdown.take().expect("sender").send(());
    assert_eq!(in_flight.await.expect("joined").expect("answered"), 200);
    tokio::time::timeout(Duration::from_secs(5), &mut app.server)
        .await
        .expect("server stops")
        .expect("joined")
        .expect("clean stop");
    assert!(
        app.client
            .get(format!("{}/livez", app.base))
            .send()
            .await
            .is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn beyond_its_in_flight_limit_the_api_sheds_with_503_while_livez_answers() {
    let app = crate::helpers::spawn_app_with(|c| c.shed.max_in_flight = 1).await;
    app.gov.set_all_faults(tongban::sim::gov::Faults {
        latency: std::time::Duration::from_millis(600),
        ..Default::default()
    });
    let slow = {
        let client = app.client.clone();
        let url = format!("{}/v1/services?limit=1", app.base);
        tokio::spawn(async move { client.get(url).send().await.map(|r| r.status().as_u16()) })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let shed = app.get("/v1/services?limit=1&lang=ug").await;
    assert_eq!(shed.status(), 503);
    assert_eq!(crate::helpers::header(&shed, "retry-after"), "1");
    let problem: serde_json::Value = shed.json().await.expect("json");
    assert_eq!(problem["code"], "overloaded");
    assert!(crate::helpers::is_arabic_script(
        problem["title"].as_str().unwrap_or("")
    ));
    assert_eq!(
        app.get("/livez").await.status(),
        200,
        "operations are never shed"
    );
    assert_eq!(slow.await.expect("joined").expect("sent"), 200);
    assert_eq!(
        app.get("/v1/meta/languages").await.status(),
        200,
        "the place is free again"
    );
}
