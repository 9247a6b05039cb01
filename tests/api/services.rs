//! The catalog path end to end: gov simulator → signed reqwest client → moka cache → localized
//! response.

use std::{collections::HashSet, time::Duration};

use tongban::sim::gov::Faults;

use crate::helpers::{header, is_arabic_script, spawn_app};

#[tokio::test]
async fn the_catalog_is_served_in_uyghur_with_fallback_marks() {
    let app = spawn_app().await;
    let resp = app.get_lang("/v1/services?limit=5", "ug-CN,zh;q=0.5").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-language"), "ug-Arab");
    let body: serde_json::Value = resp.json().await.expect("json");
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 5);
    for item in items {
        assert_eq!(item["name"]["lang"], "ug-Arab");
        assert_eq!(item["name"]["dir"], "rtl");
        assert!(
            is_arabic_script(item["name"]["text"].as_str().unwrap_or("")),
            "{item}"
        );
        assert!(
            is_arabic_script(item["itemTypeName"].as_str().unwrap_or("")),
            "{item}"
        );
    }
}

#[tokio::test]
async fn cursor_pagination_visits_every_item_once() {
    let app = spawn_app().await;
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/services?limit=3&cursor={c}"),
            None => "/v1/services?limit=3".to_string(),
        };
        let (status, body) = app.json(&path).await;
        assert_eq!(status, 200, "{body}");
        for item in body["items"].as_array().expect("items") {
            assert!(
                seen.insert(item["code"].as_str().unwrap_or("").to_string()),
                "duplicate {item}"
            );
        }
        pages += 1;
        match body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 1000, "the cursor makes progress");
    }
    let expected = tongban::sim::gov::seed_catalog().expect("seed").len();
    assert_eq!(seen.len(), expected);
    assert_eq!(pages, expected.div_ceil(3));
}

#[tokio::test]
async fn filters_by_service_object_and_department() {
    let app = spawn_app().await;
    let (_, body) = app
        .json("/v1/services?serviceObject=enterprise&limit=100")
        .await;
    let items = body["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| {
        i["serviceObjects"]
            .as_array()
            .is_some_and(|o| o.contains(&"enterprise".into()))
    }));
    let dept = items[0]["department"]["code"]
        .as_str()
        .expect("dept")
        .to_string();
    let (_, body) = app
        .json(&format!("/v1/services?department={dept}&limit=100"))
        .await;
    let items = body["items"].as_array().expect("items");
    assert!(
        items
            .iter()
            .all(|i| i["department"]["code"] == dept.as_str())
    );
}

#[tokio::test]
async fn a_forged_cursor_is_a_validation_problem() {
    let app = spawn_app().await;
    let (status, body) = app.json("/v1/services?cursor=not-hex").await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "cursor");
    assert_eq!(body["errors"][0]["code"], "invalid_cursor");
}

#[tokio::test]
async fn a_service_guide_is_localized_with_money_formatted_by_us() {
    let app = spawn_app().await;
    let seed = tongban::sim::gov::seed_catalog().expect("seed");
    let charged = seed.iter().find(|i| i.is_fee).expect("a charged item");
    let (status, body) = app
        .json(&format!("/v1/services/{}?lang=kk", charged.task_code))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["fee"]["charged"], true);
    assert_eq!(body["fee"]["amountFen"], charged.fee_fen);
    let display = body["fee"]["display"].as_str().unwrap_or("");
    assert!(
        display.contains("يۋان") && display.contains('\u{2068}'),
        "{display}"
    );
    assert!(!body["materials"].as_array().expect("materials").is_empty());
    assert_eq!(body["acceptanceConditions"]["lang"], "kk-Arab");
}

#[tokio::test]
async fn an_unknown_service_is_a_localized_404() {
    let app = spawn_app().await;
    let resp = app.get_lang("/v1/services/NO-SUCH-ITEM", "ug").await;
    assert_eq!(resp.status(), 404);
    assert_eq!(header(&resp, "content-type"), "application/problem+json");
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["code"], "service_not_found");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("NO-SUCH-ITEM")
    );
}

#[tokio::test]
async fn repeated_requests_are_served_from_the_cache() {
    let app = spawn_app().await;
    let code = tongban::sim::gov::seed_catalog().expect("seed")[0]
        .task_code
        .clone();
    app.get("/v1/services").await;
    app.get(&format!("/v1/services/{code}")).await;
    let calls = app.gov.catalog_calls();
    for lang in ["zh", "ug", "kk"] {
        assert_eq!(
            app.get(&format!("/v1/services?lang={lang}")).await.status(),
            200
        );
        assert_eq!(
            app.get(&format!("/v1/services/{code}?lang={lang}"))
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        app.gov.catalog_calls(),
        calls,
        "the cache holds all languages at once"
    );
}

#[tokio::test]
async fn concurrent_misses_share_one_upstream_fetch() {
    let app = spawn_app().await;
    app.gov.set_all_faults(Faults {
        outage: false,
        latency: Duration::from_millis(200),
        ..Faults::default()
    });
    let requests = (0..20).map(|_| app.get("/v1/services"));
    let responses = futures_util::future::join_all(requests).await;
    assert!(responses.iter().all(|r| r.status() == 200));
    // One fetch of the whole catalog: its upstream pages of 100, once.
    let items = tongban::sim::gov::seed_catalog().expect("seed").len() as u64;
    assert_eq!(app.gov.catalog_calls(), items.div_ceil(100));
}

#[tokio::test]
async fn an_unreachable_platform_is_a_503_problem() {
    let app = spawn_app().await;
    app.gov.set_all_faults(Faults {
        outage: true,
        latency: Duration::ZERO,
        ..Faults::default()
    });
    let resp = app.get_lang("/v1/services", "kk-CN").await;
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["code"], "upstream_unavailable");
    assert!(is_arabic_script(body["title"].as_str().unwrap_or("")));
}
