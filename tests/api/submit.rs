//! Submitting applications and supplements with `Idempotency-Key`: a retried tap makes one
//! application, a reused key with another body is refused, concurrent taps make one.

use reqwest::Method;
use serde_json::{Value, json};
use tongban::sim::gov::{Faults, Resource, citizens::demo_citizens};

use crate::helpers::{TestApp, access, header, is_arabic_script, spawn_app};

/// Online, for persons: 居民身份证到期换领.
const ONLINE_ITEM: &str = "1165400001010031273000173007002";
/// Window only: 居民身份证首次申领.
const WINDOW_ITEM: &str = "1165400001010031273000173007001";

/// Demo citizen `index`, logged in through WeChat, with real name and phone bound.
pub(crate) async fn ready(app: &TestApp, index: usize) -> String {
    let citizen = &demo_citizens()[index];
    let token = access(&app.login_wechat(citizen.wechat_openid).await);
    let (status, body) = app
        .bind_real_name(&token, citizen.name, citizen.id_number)
        .await;
    assert_eq!(status, 200, "{body}");
    let code = app
        .wechat
        .mint_phone_code(citizen.wechat_openid, "13800000001");
    let (status, body) = app
        .call_json(
            Method::POST,
            "/v1/me/phone",
            Some(&token),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    token
}

pub(crate) fn application(reason: &str) -> Value {
    json!({
        "serviceCode": ONLINE_ITEM,
        "formData": {"reason": reason},
        "materials": [{"name": "居民户口簿"}],
    })
}

async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    key: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.expect("sent")
}

pub(crate) async fn submit(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &Value,
) -> (u16, Value, String) {
    let resp = post(app, token, "/v1/me/applications", Some(key), body).await;
    let replayed = header(&resp, "Idempotent-Replayed").to_string();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null), replayed)
}

/// The person's applications with `project_no`.
pub(crate) async fn count(app: &TestApp, token: &str, project_no: &Value) -> usize {
    let (status, body) = app
        .call_json(Method::GET, "/v1/me/applications", Some(token), None)
        .await;
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|a| &a["projectNo"] == project_no)
        .count()
}

#[tokio::test]
async fn a_retried_submission_with_the_same_key_and_body_creates_one_application() {
    let app = spawn_app().await;
    let token = ready(&app, 0).await;
    let (_, before) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&token), None)
        .await;
    let before = before["items"].as_array().expect("items").len();

    let (status, first, replayed) = submit(&app, &token, "tap-1", &application("到期换领")).await;
    assert_eq!((status, replayed.as_str()), (201, ""), "{first}");
    assert_eq!(first["status"], "submitted");
    let (status, again, replayed) = submit(&app, &token, "tap-1", &application("到期换领")).await;
    assert_eq!((status, replayed.as_str()), (201, "true"), "{again}");
    assert_eq!(again, first);

    assert_eq!(count(&app, &token, &first["projectNo"]).await, 1);
    let (_, after) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&token), None)
        .await;
    assert_eq!(after["items"].as_array().expect("items").len(), before + 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused_with_422() {
    let app = spawn_app().await;
    let token = ready(&app, 0).await;
    let (status, _, _) = submit(&app, &token, "tap-2", &application("到期换领")).await;
    assert_eq!(status, 201);
    let (status, body, _) = submit(&app, &token, "tap-2", &application("证件损坏")).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "idempotency_key_reused");
}

#[tokio::test]
async fn ten_concurrent_submissions_with_one_key_make_one_application() {
    let app = spawn_app().await;
    let token = ready(&app, 0).await;
    app.gov.set_faults(
        Resource::Applications,
        Faults {
            latency: std::time::Duration::from_millis(150),
            ..Faults::default()
        },
    );
    let body = application("到期换领");
    let before = app.gov.calls(Resource::Applications);
    let taps = (0..10).map(|_| submit(&app, &token, "double-tap", &body));
    let answers = futures_util::future::join_all(taps).await;
    assert_eq!(
        app.gov.calls(Resource::Applications) - before,
        1,
        "Tongban's own key store let only one through to the platform"
    );
    let created: Vec<&Value> = answers
        .iter()
        .filter(|(status, _, _)| *status == 201)
        .map(|(_, body, _)| body)
        .collect();
    assert!(!created.is_empty());
    assert!(
        created
            .iter()
            .all(|b| b["projectNo"] == created[0]["projectNo"])
    );
    for (status, body, _) in &answers {
        assert!(
            *status == 201 || (*status == 409 && body["code"] == "request_in_progress"),
            "{status} {body}"
        );
    }
    app.gov
        .set_faults(Resource::Applications, Faults::default());
    assert_eq!(count(&app, &token, &created[0]["projectNo"]).await, 1);
}

#[tokio::test]
async fn a_submission_without_a_valid_idempotency_key_is_refused_with_400() {
    let app = spawn_app().await;
    let token = ready(&app, 0).await;
    let body = application("到期换领");
    for key in [None, Some("has space"), Some(&*"k".repeat(65))] {
        let resp = post(&app, &token, "/v1/me/applications", key, &body).await;
        assert_eq!(resp.status(), 400, "{key:?}");
        let problem: Value = resp.json().await.expect("problem");
        assert_eq!(problem["code"], "validation_failed");
        assert_eq!(
            problem["errors"][0]["field"], "Idempotency-Key",
            "{problem}"
        );
    }
    let big = json!({
        "serviceCode": ONLINE_ITEM,
        "formData": {"note": "x".repeat(17 * 1024)},
        "materials": [],
    });
    let resp = post(&app, &token, "/v1/me/applications", Some("big"), &big).await;
    let problem: Value = resp.json().await.expect("problem");
    assert_eq!(problem["errors"][0]["field"], "formData", "{problem}");
}

#[tokio::test]
async fn an_item_not_applicable_online_is_not_online_and_frees_the_key() {
    let app = spawn_app().await;
    let token = ready(&app, 0).await;
    let window = json!({"serviceCode": WINDOW_ITEM, "formData": {}, "materials": []});
    let (status, body, _) = submit(&app, &token, "tap-3", &window).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "not_online");
    let (status, body, replayed) = submit(&app, &token, "tap-3", &application("到期换领")).await;
    assert_eq!((status, replayed.as_str()), (201, ""), "{body}");
}

#[tokio::test]
async fn a_failed_submission_may_be_retried_with_its_key() {
    let app = spawn_app().await;
    let token = ready(&app, 0).await;
    let outage = Faults {
        outage: true,
        ..Faults::default()
    };
    app.gov.set_faults(Resource::Applications, outage);
    let (status, body, _) = submit(&app, &token, "tap-4", &application("到期换领")).await;
    assert_eq!(status, 503, "{body}");
    app.gov
        .set_faults(Resource::Applications, Faults::default());
    let (status, body, replayed) = submit(&app, &token, "tap-4", &application("到期换领")).await;
    assert_eq!((status, replayed.as_str()), (201, ""), "{body}");
    assert_eq!(count(&app, &token, &body["projectNo"]).await, 1);
}

#[tokio::test]
async fn submitting_needs_a_real_name_and_a_phone_number() {
    let app = spawn_app().await;
    let unbound = access(&app.login_wechat("o6_submit_unbound").await);
    let (status, body, _) = submit(&app, &unbound, "tap-5", &application("到期换领")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("real_name_required"))
    );

    let citizen = &demo_citizens()[2];
    let token = access(&app.login_wechat(citizen.wechat_openid).await);
    app.bind_real_name(&token, citizen.name, citizen.id_number)
        .await;
    let resp = app
        .client
        .post(format!("{}/v1/me/applications?lang=kk", app.base))
        .bearer_auth(&token)
        .header("Idempotency-Key", "tap-5")
        .json(&application("到期换领"))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.expect("problem");
    assert_eq!(body["code"], "phone_required");
    assert!(
        is_arabic_script(body["title"].as_str().unwrap_or("")),
        "{body}"
    );
}

#[tokio::test]
async fn material_is_handed_in_once_for_an_application_awaiting_a_supplement() {
    let app = spawn_app().await;
    let token = ready(&app, 1).await;
    let (_, list) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&token), None)
        .await;
    let awaiting = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["status"] == "supplementRequested")
        .expect("a seeded application awaits material");
    let path = format!(
        "/v1/me/applications/{}/supplements",
        awaiting["projectNo"].as_str().expect("projectNo")
    );
    let materials = json!({"materials": [{"name": "房屋租赁合同"}]});

    let first = post(&app, &token, &path, Some("hand-in-1"), &materials).await;
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.expect("body");
    assert_eq!(first["status"], "supplementSubmitted", "{first}");
    let again = post(&app, &token, &path, Some("hand-in-1"), &materials).await;
    assert_eq!(header(&again, "Idempotent-Replayed"), "true");
    assert_eq!(again.json::<Value>().await.expect("body"), first);

    let other = post(&app, &token, &path, Some("hand-in-2"), &materials).await;
    assert_eq!(other.status(), 422);
    let other: Value = other.json().await.expect("problem");
    assert_eq!(other["code"], "not_awaiting_supplement");
    let (_, list) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&token), None)
        .await;
    let now = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["projectNo"] == awaiting["projectNo"])
        .expect("still listed");
    assert_eq!(
        now["status"], "supplementSubmitted",
        "the list was refreshed"
    );
}
