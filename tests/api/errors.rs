//! Every error is localized problem+json: unknown routes, wrong methods, poem-openapi's own
//! parse and validation failures, oversize bodies (chunked too) and panics.

use std::sync::Arc;

use poem::{EndpointExt, Route, test::TestClient};
use poem_openapi::{Enum, Object, OpenApi, OpenApiService, payload::Json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tongban::{
    http::{
        frame::{FrameState, frame},
        metrics::Metrics,
    },
    i18n::L10n,
};

use crate::helpers::{header, is_arabic_script, spawn_app, spawn_app_with};

#[tokio::test]
async fn an_unknown_route_in_uyghur_is_a_uyghur_problem() {
    let app = spawn_app().await;
    let resp = app.get_lang("/no/such/place", "ug").await;
    assert_eq!(resp.status(), 404);
    assert_eq!(header(&resp, "content-type"), "application/problem+json");
    assert_eq!(header(&resp, "content-language"), "ug-Arab");
    assert!(header(&resp, "vary").contains("Accept-Language"));
    let request_id = header(&resp, "x-request-id").to_string();
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["status"], 404);
    assert_eq!(body["requestId"], request_id.as_str());
    assert!(
        is_arabic_script(body["title"].as_str().unwrap_or("")),
        "{body}"
    );
}

#[tokio::test]
async fn cyrillic_kazakh_gets_zh_hans_and_the_lang_parameter_gets_arabic_kazakh() {
    let app = spawn_app().await;
    let resp = app.get_lang("/v1/meta/languages", "kk-KZ").await;
    assert_eq!(header(&resp, "content-language"), "zh-Hans");
    let resp = app.get_lang("/v1/meta/languages?lang=kk", "zh-CN").await;
    assert_eq!(header(&resp, "content-language"), "kk-Arab");
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["current"], "kk-Arab");
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem() {
    let app = spawn_app().await;
    let resp = app
        .client
        .delete(format!("{}/v1/services", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 405);
    assert_eq!(header(&resp, "content-type"), "application/problem+json");
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["code"], "method_not_allowed");
    assert!(
        body["detail"].as_str().unwrap_or("").contains("DELETE"),
        "{body}"
    );
}

#[tokio::test]
async fn a_sane_request_id_is_echoed_and_a_forged_one_replaced() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(format!("{}/livez", app.base))
        .header("X-Request-Id", "trace-42")
        .send()
        .await
        .expect("sent");
    assert_eq!(header(&resp, "x-request-id"), "trace-42");
    let resp = app
        .client
        .get(format!("{}/livez", app.base))
        .header("X-Request-Id", "a b")
        .send()
        .await
        .expect("sent");
    assert_eq!(header(&resp, "x-request-id").len(), 32);
}

#[tokio::test]
async fn invalid_query_parameters_are_named_in_the_requested_language() {
    let app = spawn_app().await;
    let cases = [
        ("limit=0", "limit", "out_of_range"),
        ("limit=abc", "limit", "invalid"),
        ("serviceObject=alien", "serviceObject", "invalid"),
        ("department=lowercase-not-a-code", "department", "too_long"),
        ("department=ABC", "department", "bad_format"),
    ];
    for (query, field, code) in cases {
        let resp = app
            .get_lang(&format!("/v1/services?{query}"), "kk-CN")
            .await;
        assert_eq!(resp.status(), 400, "{query}");
        assert_eq!(header(&resp, "content-type"), "application/problem+json");
        let body: serde_json::Value = resp.json().await.expect("json");
        assert_eq!(body["code"], "validation_failed", "{query}");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
        assert_eq!(body["errors"][0]["code"], code, "{query}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or("");
        assert!(
            message.contains(field),
            "{query}: the message names the field: {message}"
        );
        assert!(
            !message.contains("verification") && !message.contains("failed to parse"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn a_declared_oversize_body_is_refused_with_413() {
    let app = spawn_app_with(|c| c.server.body_limit_bytes = 1024).await;
    let resp = app
        .client
        .post(format!("{}/v1/services", app.base))
        .header("Accept-Language", "ug")
        .body(vec![b'x'; 4096])
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 413);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["code"], "payload_too_large");
    assert!(is_arabic_script(body["title"].as_str().unwrap_or("")));
}

async fn raw_chunked(base: &str, chunks: usize) -> String {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut request = format!(
        "POST /v1/meta/languages HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
    );
    for _ in 0..chunks {
        request.push_str(&format!("200\r\n{}\r\n", "x".repeat(0x200)));
    }
    request.push_str("0\r\n\r\n");
    // The server may answer and close before it has read everything we send.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    String::from_utf8_lossy(&response).to_string()
}

#[tokio::test]
async fn a_chunked_body_without_content_length_is_bounded_but_not_refused_with_411() {
    let app = spawn_app_with(|c| c.server.body_limit_bytes = 1024).await;
    let small = raw_chunked(&app.base, 1).await;
    assert!(
        small.starts_with("HTTP/1.1 405"),
        "a small chunked body reaches routing: {small}"
    );
    let large = raw_chunked(&app.base, 8).await;
    assert!(large.starts_with("HTTP/1.1 413"), "{large}");
    assert!(large.contains("payload_too_large"));
}

#[tokio::test]
async fn compression_is_negotiated() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-encoding"), "gzip");
}

#[tokio::test]
async fn metrics_count_requests_by_operation_and_status() {
    let app = spawn_app().await;
    app.get("/v1/meta/languages").await;
    app.get("/nowhere").await;
    let text = app.get("/metrics").await.text().await.expect("text");
    assert!(
        text.contains(
            r#"tongban_http_requests_total{operation="listLanguages",method="GET",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"operation="unmatched",method="GET",status="404""#),
        "{text}"
    );
    assert!(text.contains("tongban_http_request_duration_seconds_bucket"));
}

// In-process checks of the body mapping, with a small API behind the same frame.

#[derive(Debug, Clone, Copy, Enum)]
enum Colour {
    Red,
    Blue,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
struct Form {
    #[oai(validator(max_length = 5))]
    name: String,
    colour: Colour,
}

struct FormApi;

#[OpenApi]
impl FormApi {
    #[oai(path = "/form", method = "post")]
    async fn submit(&self, form: Json<Form>) -> Json<String> {
        Json(format!("{} {:?}", form.0.name, form.0.colour))
    }

    #[oai(path = "/panic", method = "get")]
    async fn panic(&self) -> Json<String> {
        panic!("secret internal state 0xdeadbeef")
    }
}

async fn form_client() -> TestClient<poem::endpoint::BoxEndpoint<'static>> {
    let l10n = L10n::embedded().expect("locales");
    let mut config = tongban::Config::default();
    config.database.url = "sqlite::memory:".into();
    let store = tongban::store::Store::open(&config).await.expect("store");
    let state = Arc::new(FrameState {
        metrics: Metrics::new(l10n.fallback_counter(), Default::default()),
        l10n,
        body_limit: 1024,
        sessions: tongban::domain::session::Sessions::new(
            store,
            &config.auth,
            tongban::domain::session::PrincipalCache::new(0, 0),
        ),
        limits: tongban::http::rate_limit::Limits::new(&config.limits),
        shedder: tongban::http::shed::Shedder::new(&config.shed),
    });
    let api = OpenApiService::new(FormApi, "t", "1");
    let ep = Route::new()
        .nest("/", api)
        .around(move |ep, req| frame(ep, req, state.clone()))
        .boxed();
    TestClient::new(ep)
}

async fn post_form(body: &str) -> serde_json::Value {
    let resp = form_client()
        .await
        .post("/form")
        .header("Accept-Language", "ug-CN")
        .content_type("application/json")
        .body(body.to_string())
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::BAD_REQUEST);
    resp.assert_content_type("application/problem+json");
    resp.assert_header("content-language", "ug-Arab");
    resp.json().await.value().deserialize()
}

#[tokio::test]
async fn malformed_json_is_a_localized_problem() {
    let body = post_form("{\"name\": ").await;
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["errors"][0]["field"], "body");
    assert_eq!(body["errors"][0]["code"], "malformed");
    assert!(is_arabic_script(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .replace("JSON", "")
            .as_str()
    ));
}

#[tokio::test]
async fn a_too_long_body_field_is_named() {
    let body = post_form(r#"{"name": "abcdefgh", "colour": "Red"}"#).await;
    assert_eq!(body["errors"][0]["field"], "name", "{body}");
    assert_eq!(body["errors"][0]["code"], "too_long");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains('5')
    );
}

#[tokio::test]
async fn an_unknown_enum_value_and_an_unknown_field_are_problems_not_plain_text() {
    let body = post_form(r#"{"name": "ab", "colour": "Green"}"#).await;
    assert_eq!(body["errors"][0]["code"], "invalid", "{body}");
    let body = post_form(r#"{"name": "ab", "colour": "Red", "extra": 1}"#).await;
    assert_eq!(body["errors"][0]["field"], "extra", "{body}");
    assert_eq!(body["errors"][0]["code"], "unknown_field");
}

#[tokio::test]
async fn a_wrong_content_type_is_a_415_problem() {
    let resp = form_client()
        .await
        .post("/form")
        .content_type("text/plain")
        .body("x")
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE);
    resp.assert_content_type("application/problem+json");
}

#[tokio::test]
async fn a_panic_is_a_500_problem_that_leaks_nothing() {
    let resp = form_client()
        .await
        .get("/panic")
        .header("Accept-Language", "kk-CN")
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR);
    resp.assert_content_type("application/problem+json");
    let text = resp.0.into_body().into_string().await.expect("body");
    assert!(
        !text.contains("deadbeef") && !text.contains("secret"),
        "{text}"
    );
    let body: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body["code"], "internal_error");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains(body["requestId"].as_str().unwrap_or("?"))
    );
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = spawn_app_with(|c| {
        c.server.cors_allowed_origins = vec!["https://h5.example.gov.cn".into()]
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/v1/services", app.base),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
    };
    let allowed = preflight("https://h5.example.gov.cn").await.expect("sent");
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        "https://h5.example.gov.cn"
    );
    let refused = preflight("https://evil.example.com").await.expect("sent");
    assert_eq!(header(&refused, "access-control-allow-origin"), "");
    let simple = app
        .client
        .get(format!("{}/v1/meta/languages", app.base))
        .header("Origin", "https://h5.example.gov.cn")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        header(&simple, "access-control-allow-origin"),
        "https://h5.example.gov.cn"
    );
}
