//! Searching and filtering the catalog, and conditional requests.

use crate::helpers::{header, spawn_app};

async fn codes(app: &crate::helpers::TestApp, path: &str) -> Vec<String> {
    let (status, body) = app.json(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["code"].as_str().map(str::to_string))
        .collect()
}

fn encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn one_item_is_found_by_its_name_in_each_of_the_three_languages() {
    let app = spawn_app().await;
    let (_, detail) = app
        .json("/v1/services/1165400001010031273000173007001")
        .await;
    assert_eq!(detail["name"]["text"], "居民身份证首次申领");
    let by_chinese = codes(
        &app,
        &format!("/v1/services?limit=100&q={}", encoded("身份证")),
    )
    .await;
    assert!(by_chinese.contains(&"1165400001010031273000173007001".to_string()));
    for (lang, word) in [("ug", "كىملىكىنى"), ("kk", "كۋالىگىن")] {
        let found = codes(&app, &format!("/v1/services?limit=100&q={}", encoded(word))).await;
        assert!(
            found.contains(&"1165400001010031273000173007001".to_string()),
            "{lang}: {found:?}"
        );
    }
    let none = codes(
        &app,
        &format!("/v1/services?q={}", encoded("不存在的事项名称")),
    )
    .await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn a_kazakh_query_typed_without_the_hamza_or_in_presentation_forms_still_matches() {
    let app = spawn_app().await;
    // "ٴوتىنىش" (application) as typed with the hamza, without it, and with a plain hamza.
    let with = codes(
        &app,
        &format!("/v1/services?limit=100&q={}", encoded("تۇرعىندار")),
    )
    .await;
    assert!(!with.is_empty(), "the seed has Kazakh names with تۇرعىندار");
    // The same word in presentation forms, as some keyboards produce it.
    let presentation = "\u{FE97}\u{FBD8}\u{FEAE}\u{FECB}\u{FBE9}\u{FEE8}\u{FEA9}\u{FE8E}\u{FEAD}";
    let folded = codes(
        &app,
        &format!("/v1/services?limit=100&q={}", encoded(presentation)),
    )
    .await;
    assert_eq!(folded, with);
}

#[tokio::test]
async fn items_of_a_life_event_are_listed_together() {
    let app = spawn_app().await;
    let (_, all) = app.json("/v1/services?limit=100").await;
    let expected: Vec<String> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["code"].as_str().map(str::to_string))
        .collect();
    let mut in_birth = Vec::new();
    for code in &expected {
        let (_, detail) = app.json(&format!("/v1/services/{code}")).await;
        if detail["lifeEvents"]
            .as_array()
            .is_some_and(|events| events.iter().any(|e| e == "birth"))
        {
            in_birth.push(code.clone());
        }
    }
    assert!(!in_birth.is_empty(), "the seed has birth items");
    assert_eq!(
        codes(&app, "/v1/services?limit=100&lifeEvent=birth").await,
        in_birth
    );
}

#[tokio::test]
async fn a_client_holding_the_current_copy_gets_304_without_a_body() {
    let app = spawn_app().await;
    for path in [
        "/v1/services?limit=3&lang=ug",
        "/v1/services/1165400001010031273000173007001?lang=kk",
    ] {
        let first = app.get(path).await;
        assert_eq!(first.status(), 200);
        let tag = header(&first, "etag").to_string();
        assert!(tag.starts_with("W/\""), "{tag}");
        let again = app
            .client
            .get(format!("{}{path}", app.base))
            .header("If-None-Match", &tag)
            .send()
            .await
            .expect("sent");
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(header(&again, "etag"), tag);
        assert!(again.bytes().await.expect("body").is_empty());
        let other_lang = app
            .client
            .get(format!(
                "{}{}",
                app.base,
                path.replace("lang=ug", "lang=zh")
                    .replace("lang=kk", "lang=zh")
            ))
            .header("If-None-Match", &tag)
            .send()
            .await
            .expect("sent");
        assert_eq!(
            other_lang.status(),
            200,
            "another language is another representation"
        );
    }
}

#[tokio::test]
async fn an_operator_can_make_the_next_request_reach_the_platform() {
    let app = spawn_app().await;
    app.get("/v1/services?limit=1").await;
    app.get("/v1/services?limit=1").await;
    let before = app.gov.catalog_calls();
    let (_, powerless) = app
        .state
        .admin_keys
        .create("reader", &["audit:read".to_string()])
        .await
        .expect("key");
    let (_, operator) = app
        .state
        .admin_keys
        .create("ops", &["cache:invalidate".to_string()])
        .await
        .expect("key");
    let post = |key: String| {
        app.client
            .post(format!("{}/v1/admin/cache/invalidate", app.base))
            .header("X-Admin-Key", key)
            .json(&serde_json::json!({"caches": ["catalog"]}))
            .send()
    };
    assert_eq!(post(powerless).await.expect("sent").status(), 403);
    assert_eq!(post(operator).await.expect("sent").status(), 204);
    app.get("/v1/services?limit=1").await;
    let pages = tongban::sim::gov::seed_catalog()
        .expect("seed")
        .len()
        .div_ceil(100) as u64;
    assert_eq!(
        app.gov.catalog_calls(),
        before + pages,
        "one fetch (of every page) after the invalidation"
    );
}

#[tokio::test]
async fn an_unknown_service_is_asked_of_the_platform_once_in_the_negative_time() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let resp = app.get("/v1/services/NO-SUCH-ITEM").await;
        assert_eq!(resp.status(), 404);
    }
    assert_eq!(app.gov.catalog_calls(), 1);
}

#[tokio::test]
async fn items_of_a_theme_are_listed_and_their_guides_name_halls_and_certificate_substitutes() {
    let app = spawn_app().await;
    let household = codes(&app, "/v1/services?limit=100&theme=household").await;
    assert!(!household.is_empty());
    let (mut halls, mut substitutes) = (false, false);
    for code in &household {
        let (status, detail) = app.json(&format!("/v1/services/{code}")).await;
        assert_eq!(status, 200);
        let themes = detail["themes"].as_array().expect("themes");
        assert!(
            themes.iter().any(|t| t == "household"),
            "{code}: {themes:?}"
        );
        halls |= detail["halls"].as_array().is_some_and(|h| !h.is_empty());
        substitutes |= detail["materials"].as_array().is_some_and(|materials| {
            materials.iter().any(|m| {
                m["certificateTypes"]
                    .as_array()
                    .is_some_and(|t| !t.is_empty())
            })
        });
    }
    assert!(
        halls && substitutes,
        "guides name halls and e-certificate substitutes"
    );
    let (status, problem) = app.json("/v1/services?theme=no_such-theme").await;
    assert_eq!(status, 400);
    assert_eq!(problem["errors"][0]["field"], "theme");
}

#[tokio::test]
async fn a_guide_kept_as_rendered_is_sent_in_the_language_asked() {
    let app = spawn_app().await;
    let path = "/v1/services/1165400001010031273000173007001";
    let body = |lang: &'static str| {
        let app = &app;
        async move {
            let response = app.get(&format!("{path}?lang={lang}")).await;
            assert_eq!(response.status(), 200);
            assert_eq!(header(&response, "content-language"), lang_tag(lang));
            response.json::<serde_json::Value>().await.expect("json")
        }
    };
    let uyghur = body("ug").await;
    let chinese = body("zh").await;
    let kazakh = body("kk").await;
    assert_ne!(uyghur["name"], chinese["name"]);
    assert_ne!(kazakh["name"], uyghur["name"]);
    assert_eq!(uyghur["name"]["dir"], "rtl", "{uyghur}");
    // Asked again in each language: the same guide, still in that language.
    assert_eq!(body("ug").await, uyghur);
    assert_eq!(body("zh").await, chinese);
    assert_eq!(body("kk").await, kazakh);
}

fn lang_tag(short: &str) -> &'static str {
    match short {
        "ug" => "ug-Arab",
        "kk" => "kk-Arab",
        _ => "zh-Hans",
    }
}
