//! Themes and "one thing done once" bundles: shared data in three languages, items resolved
//! against the catalog, `ETag`s, 404 for an unknown bundle, and coalesced upstream calls.

use serde_json::Value;
use tongban::sim::gov::{Faults, Resource};

use crate::helpers::{header, is_arabic_script, spawn_app};

#[tokio::test]
async fn themes_and_bundles_in_uyghur_and_kazakh_are_in_arabic_script() {
    let app = spawn_app().await;
    for lang in ["ug", "kk"] {
        for path in ["/v1/themes", "/v1/bundles"] {
            let (status, body) = app.json(&format!("{path}?lang={lang}")).await;
            assert_eq!(status, 200, "{body}");
            let items = body["items"].as_array().expect("items");
            assert!(items.len() >= 13, "{path}: {}", items.len());
            for item in items {
                let name = item["name"]["text"].as_str().expect("name");
                assert!(is_arabic_script(name), "{lang} {path}: {name}");
                assert_eq!(item["name"]["dir"], "rtl");
            }
        }
    }
    let (_, zh) = app.json("/v1/bundles?lang=zh").await;
    let birth = &zh["items"][0];
    assert_eq!(birth["name"]["lang"], "zh-Hans");
    assert_eq!(birth["lifecycleName"], "个人");
    assert!(
        birth["promisedDisplay"]
            .as_str()
            .is_some_and(|s| s.contains("工作日"))
    );
}

#[tokio::test]
async fn bundles_are_filtered_by_lifecycle() {
    let app = spawn_app().await;
    let (_, all) = app.json("/v1/bundles").await;
    let (status, enterprise) = app.json("/v1/bundles?lifecycle=enterprise").await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = enterprise["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|b| b["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(codes, ["startBusiness", "hireStaff", "closeBusiness"]);
    let all = all["items"].as_array().expect("items").len();
    let (_, person) = app.json("/v1/bundles?lifecycle=person").await;
    assert_eq!(
        person["items"].as_array().expect("items").len() + codes.len(),
        all
    );
    let (status, body) = app.json("/v1/bundles?lifecycle=alien").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_failed"))
    );
}

#[tokio::test]
async fn a_bundles_items_resolve_against_the_catalog() {
    let app = spawn_app().await;
    let (status, body) = app.json("/v1/bundles/birth?lang=kk").await;
    assert_eq!(status, 200, "{body}");
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 7);
    assert_eq!(body["itemCount"], 7);
    for item in items {
        assert_eq!(item["available"], true, "{item}");
        let service = &item["service"];
        assert_eq!(service["code"], item["code"]);
        assert!(is_arabic_script(
            service["name"]["text"].as_str().unwrap_or("")
        ));
        assert!(service["department"]["code"].is_string(), "{item}");
        assert!(service["promisedLimit"]["days"].is_u64(), "{item}");
        assert!(item["onlineApply"].is_boolean());
    }
}

#[tokio::test]
async fn a_bundle_sent_back_with_its_etag_is_not_modified() {
    let app = spawn_app().await;
    for path in ["/v1/themes", "/v1/bundles", "/v1/bundles/marriage"] {
        let first = app.get(path).await;
        let tag = header(&first, "ETag").to_string();
        assert!(tag.starts_with("W/\""), "{path}: {tag:?}");
        let again = app
            .client
            .get(format!("{}{path}", app.base))
            .header("If-None-Match", &tag)
            .send()
            .await
            .expect("sent");
        assert_eq!(again.status(), 304, "{path}");
        let uyghur = app.get(&format!("{path}?lang=ug")).await;
        assert_ne!(
            header(&uyghur, "ETag"),
            tag,
            "{path}: the language is in the tag"
        );
    }
}

#[tokio::test]
async fn an_unknown_bundle_is_404_bundle_not_found_in_the_requests_language() {
    let app = spawn_app().await;
    let (status, body) = app.json("/v1/bundles/moonLanding?lang=ug").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "bundle_not_found");
    assert!(
        is_arabic_script(body["title"].as_str().unwrap_or("")),
        "{body}"
    );
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("moonLanding")
    );
    let (status, _) = app.json("/v1/bundles/not-a-code!").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn concurrent_misses_make_one_upstream_call() {
    let app = spawn_app().await;
    app.gov.set_faults(
        Resource::Bundles,
        Faults {
            latency: std::time::Duration::from_millis(100),
            ..Faults::default()
        },
    );
    let before = app.gov.calls(Resource::Bundles);
    let requests = (0..20).map(|i| {
        let path = if i % 2 == 0 {
            "/v1/bundles".to_string()
        } else {
            "/v1/bundles/birth".to_string()
        };
        let app = &app;
        async move { app.json(&path).await }
    });
    let answers: Vec<(u16, Value)> = futures_util::future::join_all(requests).await;
    assert!(answers.iter().all(|(status, _)| *status == 200));
    assert_eq!(app.gov.calls(Resource::Bundles) - before, 1);
}

#[tokio::test]
async fn bundles_with_the_platform_down_and_nothing_cached_are_503() {
    let app = spawn_app().await;
    app.gov.set_faults(
        Resource::Bundles,
        Faults {
            outage: true,
            ..Faults::default()
        },
    );
    let (status, body) = app.json("/v1/bundles").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "upstream_unavailable");
}

#[tokio::test]
async fn an_operator_s_invalidation_of_everything_reaches_bundles_themes_and_halls() {
    let app = spawn_app().await;
    for _ in 0..2 {
        assert_eq!(app.json("/v1/bundles").await.0, 200);
        assert_eq!(app.json("/v1/halls").await.0, 200);
    }
    let (bundles, halls) = (
        app.gov.calls(Resource::Bundles),
        app.gov.calls(Resource::Halls),
    );
    let (_, key) = app
        .state
        .admin_keys
        .create("ops", &["cache:invalidate".to_string()])
        .await
        .expect("key");
    let resp = app
        .client
        .post(format!("{}/v1/admin/cache/invalidate", app.base))
        .header("X-Admin-Key", key)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 204);
    assert_eq!(app.json("/v1/bundles").await.0, 200);
    assert_eq!(app.json("/v1/halls").await.0, 200);
    assert_eq!(app.gov.calls(Resource::Bundles), bundles + 1);
    assert_eq!(app.gov.calls(Resource::Halls), halls + 1);
}
