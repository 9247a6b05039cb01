//! Every personal endpoint, called with another person's token and that person's identifiers,
//! answers 404 or the caller's own data: never the other person's, never a hint that it exists.
//! The list of personal endpoints is read from the spec, so a new one fails this suite until
//! it is covered here.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use tongban::sim::gov::citizens::demo_citizens;

use crate::helpers::{TestApp, access, spawn_app};

/// Operations covered below, as `METHOD path` from the spec.
const COVERED: &[&str] = &[
    "GET /v1/home",
    "GET /v1/me/applications",
    "GET /v1/me/applications/{projectNo}",
    "GET /v1/me/certificates",
    "GET /v1/me",
    "DELETE /v1/me",
    "PATCH /v1/me/preferences",
    "POST /v1/me/real-name",
    "POST /v1/me/phone",
    "GET /v1/me/sessions",
    "DELETE /v1/me/sessions/{sessionId}",
    "GET /v1/me/export",
    "POST /v1/auth/logout",
    "POST /v1/me/applications/{projectNo}/rating",
    "POST /v1/me/appointments",
    "GET /v1/me/appointments",
    "DELETE /v1/me/appointments/{appointmentId}",
    "POST /v1/me/applications",
    "POST /v1/me/applications/{projectNo}/supplements",
    "GET /v1/benefits",
    "GET /v1/benefits/{offer_id}",
    "POST /v1/benefits/{offer_id}/confirm",
    "POST /v1/benefits/{offer_id}/decline",
    "GET /v1/notifications",
    "POST /v1/notifications/{notification_id}/read",
    "POST /v1/notifications/read-all",
    "GET /v1/me/subscriptions",
    "POST /v1/me/subscriptions",
    "PUT /v1/me/devices/{registration_id}",
    "DELETE /v1/me/devices/{registration_id}",
    "GET /v1/me/notification-settings",
    "PATCH /v1/me/notification-settings",
];

#[test]
fn every_operation_that_needs_a_signed_in_person_is_in_the_cross_person_suite() {
    let spec: Value = serde_json::from_str(&tongban::api::spec_json()).expect("spec");
    let mut personal = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let secured = operation["security"]
                .as_array()
                .is_some_and(|list| list.iter().any(|s| s.get("citizen").is_some()));
            if secured {
                personal.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let covered: BTreeSet<String> = COVERED.iter().map(|s| s.to_string()).collect();
    assert_eq!(personal, covered);
}

struct Person {
    token: String,
    account_id: String,
    session_id: String,
    id_number: &'static str,
    name: &'static str,
}

async fn person(app: &TestApp, index: usize, phone: &str) -> Person {
    let citizen = &demo_citizens()[index];
    let tokens = app.login_wechat(citizen.wechat_openid).await;
    let token = access(&tokens);
    let (status, _) = app
        .bind_real_name(&token, citizen.name, citizen.id_number)
        .await;
    assert_eq!(status, 200);
    let code = app.wechat.mint_phone_code(citizen.wechat_openid, phone);
    let (status, _) = app
        .call_json(
            Method::POST,
            "/v1/me/phone",
            Some(&token),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, sessions) = app
        .call_json(Method::GET, "/v1/me/sessions", Some(&token), None)
        .await;
    Person {
        token,
        account_id: tokens["accountId"].as_str().expect("id").to_string(),
        session_id: sessions["items"][0]["id"]
            .as_str()
            .expect("session")
            .to_string(),
        id_number: citizen.id_number,
        name: citizen.name,
    }
}

/// Nothing of `victim` in a body `intruder` received.
fn assert_nothing_of(victim: &Person, body: &Value) {
    let text = body.to_string();
    for secret in [
        victim.account_id.as_str(),
        victim.session_id.as_str(),
        victim.id_number,
        victim.name,
        "13700000001",
        "137****0001",
    ] {
        assert!(!text.contains(secret), "leaked {secret} in {text}");
    }
}

/// The victim's project numbers and certificate ids.
async fn victim_records(app: &TestApp, victim: &Person) -> Vec<String> {
    let mut records = Vec::new();
    for (path, key) in [
        ("/v1/me/applications", "projectNo"),
        ("/v1/me/certificates", "certificateId"),
    ] {
        let (status, body) = app
            .call_json(Method::GET, path, Some(&victim.token), None)
            .await;
        assert_eq!(status, 200);
        records.extend(
            body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| item[key].as_str().map(str::to_string)),
        );
    }
    records
}

async fn still_whole(app: &TestApp, victim: &Person) {
    let (status, me) = app
        .call_json(Method::GET, "/v1/me", Some(&victim.token), None)
        .await;
    assert_eq!(status, 200, "the victim's login survives");
    assert_eq!(me["id"], victim.account_id.as_str());
    assert_eq!(me["phone"], "137****0001");
    assert_eq!(me["preferences"]["timeZone"], "Asia/Shanghai");
    assert!(me["realName"].is_object());
}

#[tokio::test]
async fn another_persons_token_and_identifiers_reach_nothing_of_theirs() {
    let app = spawn_app().await;
    let victim = person(&app, 0, "13700000001").await;
    let intruder = person(&app, 1, "13700000002").await;
    let as_intruder = |method: Method, path: String, body: Option<Value>| {
        let token = intruder.token.clone();
        let app = &app;
        async move { app.call_json(method, &path, Some(&token), body).await }
    };

    let (status, body) = as_intruder(Method::GET, "/v1/me".into(), None).await;
    assert_eq!((status, &body["id"]), (200, &json!(intruder.account_id)));
    assert_nothing_of(&victim, &body);

    let (status, body) = as_intruder(
        Method::PATCH,
        "/v1/me/preferences".into(),
        Some(json!({"timeZone": "Asia/Urumqi"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_nothing_of(&victim, &body);

    let (status, body) = as_intruder(
        Method::POST,
        "/v1/me/real-name".into(),
        Some(json!({"name": victim.name, "idNumber": victim.id_number})),
    )
    .await;
    assert_eq!(
        status, 409,
        "the intruder's account is bound to the intruder"
    );
    assert_nothing_of(&victim, &body);

    let code = app
        .wechat
        .mint_phone_code(demo_citizens()[1].wechat_openid, "13700000009");
    let (status, body) = as_intruder(
        Method::POST,
        "/v1/me/phone".into(),
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!(status, 200);
    assert_nothing_of(&victim, &body);

    let (status, body) = as_intruder(Method::GET, "/v1/me/sessions".into(), None).await;
    assert_eq!(status, 200);
    assert_nothing_of(&victim, &body);

    let (status, body) = as_intruder(
        Method::DELETE,
        format!("/v1/me/sessions/{}", victim.session_id),
        None,
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "not_found");
    let (status, unknown) = as_intruder(
        Method::DELETE,
        "/v1/me/sessions/ses_00000000000000000000000000000000".into(),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        body["title"], unknown["title"],
        "another's and no one's look alike"
    );
    assert_eq!(body["detail"], unknown["detail"]);

    let (status, body) = as_intruder(Method::GET, "/v1/me/export".into(), None).await;
    assert_eq!(status, 200);
    assert_nothing_of(&victim, &body);

    let records = victim_records(&app, &victim).await;
    assert!(
        !records.is_empty(),
        "the victim has applications and certificates"
    );
    for path in ["/v1/home", "/v1/me/applications", "/v1/me/certificates"] {
        let (status, body) = as_intruder(Method::GET, path.into(), None).await;
        assert_eq!(status, 200, "{path}");
        assert_nothing_of(&victim, &body);
        let text = body.to_string();
        assert!(
            records.iter().all(|r| !text.contains(r.as_str())),
            "{path} leaked a record"
        );
    }
    for record in records.iter().filter(|r| !r.contains('.')) {
        let (status, body) =
            as_intruder(Method::GET, format!("/v1/me/applications/{record}"), None).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["code"], "not_found");
    }

    ratings_and_appointments(&app, &victim, &intruder, &records).await;
    submissions(&app, &victim, &intruder, &records).await;
    benefits(&app, &victim, &intruder).await;
    notifications(&app, &victim, &intruder).await;

    still_whole(&app, &victim).await;

    let (status, _) = as_intruder(Method::POST, "/v1/auth/logout".into(), None).await;
    assert_eq!(status, 204);
    still_whole(&app, &victim).await;

    let intruder_again = app.login_wechat(demo_citizens()[1].wechat_openid).await;
    let resp = app
        .call(
            Method::DELETE,
            "/v1/me",
            Some(&access(&intruder_again)),
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    still_whole(&app, &victim).await;
}

/// A slot bookable for the ID-card item at Yining city's hall (three places a slot).
async fn bookable_slot(app: &TestApp) -> String {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date();
    for ahead in 1..=7 {
        let date = today + jiff::Span::new().days(ahead);
        let (_, list) = app
            .json(&format!(
                "/v1/halls/hall-yining-city/slots?date={date}&serviceCode=1165400001010031273000173007001"
            ))
            .await;
        if let Some(id) = list["items"][0]["slotId"].as_str() {
            return id.to_string();
        }
    }
    panic!("no working day within the week");
}

async fn book(app: &TestApp, person: &Person, key: &str, slot: &str) -> (u16, Value) {
    let resp = app
        .client
        .post(format!("{}/v1/me/appointments", app.base))
        .bearer_auth(&person.token)
        .header("Idempotency-Key", key)
        .json(&json!({"slotId": slot, "serviceCode": "1165400001010031273000173007001"}))
        .send()
        .await
        .expect("sent");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Rating the victim's applications and reaching the victim's appointments.
async fn ratings_and_appointments(
    app: &TestApp,
    victim: &Person,
    intruder: &Person,
    records: &[String],
) {
    for record in records.iter().filter(|r| !r.contains('.')) {
        let (status, body) = app
            .call_json(
                Method::POST,
                &format!("/v1/me/applications/{record}/rating"),
                Some(&intruder.token),
                Some(json!({"level": 5})),
            )
            .await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["code"], "not_found");
    }

    let slot = bookable_slot(app).await;
    let (status, booked) = book(app, victim, "victims-tap", &slot).await;
    assert_eq!(status, 201, "{booked}");
    let victims = booked["appointmentId"].as_str().expect("id").to_string();

    // The same key and slot from the intruder is the intruder's own booking, not a replay.
    let (status, body) = book(app, intruder, "victims-tap", &slot).await;
    assert_eq!(status, 201, "{body}");
    assert_ne!(body["appointmentId"], victims.as_str());
    assert_nothing_of(victim, &body);

    let (status, body) = app
        .call_json(
            Method::GET,
            "/v1/me/appointments",
            Some(&intruder.token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        !body.to_string().contains(&victims),
        "listed the victim's booking"
    );
    assert_nothing_of(victim, &body);

    let (status, body) = app
        .call_json(
            Method::DELETE,
            &format!("/v1/me/appointments/{victims}"),
            Some(&intruder.token),
            None,
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "not_found");

    let (_, mine) = app
        .call_json(
            Method::GET,
            "/v1/me/appointments",
            Some(&victim.token),
            None,
        )
        .await;
    let kept = mine["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["appointmentId"] == victims.as_str())
        .expect("the victim's booking is still there");
    assert_eq!(kept["status"], "booked");
}

async fn submit_as(
    app: &TestApp,
    person: &Person,
    path: &str,
    key: &str,
    body: Value,
) -> (u16, Value) {
    let resp = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(&person.token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .expect("sent");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Handing in material for the victim's applications, and submitting with the victim's key.
async fn submissions(app: &TestApp, victim: &Person, intruder: &Person, records: &[String]) {
    let materials = json!({"materials": [{"name": "居民户口簿"}]});
    for record in records.iter().filter(|r| !r.contains('.')) {
        let path = format!("/v1/me/applications/{record}/supplements");
        let (status, body) =
            submit_as(app, intruder, &path, "intruders-tap", materials.clone()).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["code"], "not_found");
    }

    let application = json!({
        "serviceCode": "1165400001010031273000173007002",
        "formData": {"reason": "到期换领"},
        "materials": [{"name": "居民户口簿"}],
    });
    let path = "/v1/me/applications";
    let (status, victims) =
        submit_as(app, victim, path, "victims-submit", application.clone()).await;
    assert_eq!(status, 201, "{victims}");
    // The same key and body from the intruder is the intruder's own application, not a replay.
    let (status, body) = submit_as(app, intruder, path, "victims-submit", application).await;
    assert_eq!(status, 201, "{body}");
    assert_ne!(body["projectNo"], victims["projectNo"]);
    assert_nothing_of(victim, &body);
}

/// Offers: the victim's cannot be read, confirmed or declined by the intruder, and the
/// intruder's list and reasons hold nothing of the victim.
async fn benefits(app: &TestApp, victim: &Person, intruder: &Person) {
    let key = crate::benefits::operator(app).await;
    crate::benefits::publish(app, &key, crate::benefits::childcare()).await;
    let (status, theirs) = app
        .call_json(Method::GET, "/v1/benefits", Some(&victim.token), None)
        .await;
    assert_eq!(status, 200);
    let offer_id = theirs["items"]
        .as_array()
        .and_then(|items| items.iter().find(|o| o["policyId"] == "test-childcare"))
        .and_then(|o| o["id"].as_str())
        .expect("the victim's childcare offer")
        .to_string();
    let (status, mine) = app
        .call_json(Method::GET, "/v1/benefits", Some(&intruder.token), None)
        .await;
    assert_eq!(status, 200);
    assert_nothing_of(victim, &mine);
    assert!(!mine.to_string().contains(&offer_id));
    for (method, path) in [
        (Method::GET, format!("/v1/benefits/{offer_id}")),
        (Method::POST, format!("/v1/benefits/{offer_id}/confirm")),
        (Method::POST, format!("/v1/benefits/{offer_id}/decline")),
    ] {
        let (status, body) = app
            .call_json(method, &path, Some(&intruder.token), None)
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (404, json!("offer_not_found")),
            "{path}"
        );
        assert_nothing_of(victim, &body);
    }
    let (status, still) = app
        .call_json(
            Method::GET,
            &format!("/v1/benefits/{offer_id}"),
            Some(&victim.token),
            None,
        )
        .await;
    assert_eq!((status, still["status"].clone()), (200, json!("new")));
    assert!(
        app.gov.claims().is_empty(),
        "no claim was filed for the victim"
    );
}

/// The victim's inbox, credits, device and settings are out of the intruder's reach; the
/// intruder's own calls change nothing of the victim's.
async fn notifications(app: &TestApp, victim: &Person, intruder: &Person) {
    let victim_device = "vic0000000000000000device";
    let resp = app
        .call(
            Method::PUT,
            &format!("/v1/me/devices/{victim_device}"),
            Some(&victim.token),
            Some(json!({"platform": "android"})),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 204);
    let (status, settings) = app
        .call_json(
            Method::PATCH,
            "/v1/me/notification-settings",
            Some(&victim.token),
            Some(json!({"channels": ["app"], "quietHours": {"start": "21:00", "end": "07:00"}})),
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    let mut victims_notification = None;
    for _ in 0..100 {
        let (_, inbox) = app
            .call_json(Method::GET, "/v1/notifications", Some(&victim.token), None)
            .await;
        victims_notification = inbox["items"][0]["id"].as_str().map(str::to_string);
        if victims_notification.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let id = victims_notification.expect("the victim's offer is in their inbox");

    let as_intruder = |method: Method, path: String, body: Option<Value>| {
        let token = intruder.token.clone();
        async move { app.call_json(method, &path, Some(&token), body).await }
    };
    let (status, body) = as_intruder(Method::GET, "/v1/notifications".into(), None).await;
    assert_eq!(status, 200);
    assert!(!body.to_string().contains(&id));
    assert_nothing_of(victim, &body);
    let (status, body) =
        as_intruder(Method::POST, format!("/v1/notifications/{id}/read"), None).await;
    assert_eq!(
        (status, body["code"].clone()),
        (404, json!("notification_not_found"))
    );
    let (status, _) = as_intruder(Method::POST, "/v1/notifications/read-all".into(), None).await;
    assert_eq!(status, 200);
    let (status, body) = as_intruder(
        Method::DELETE,
        format!("/v1/me/devices/{victim_device}"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].clone()),
        (404, json!("device_not_found"))
    );
    for (method, path, body) in [
        (Method::GET, "/v1/me/subscriptions", None),
        (
            Method::POST,
            "/v1/me/subscriptions",
            Some(
                json!({"platform": "wechat", "results": [{"templateId": "tongban-benefit-offer-0001", "result": "ban"}]}),
            ),
        ),
        (Method::GET, "/v1/me/notification-settings", None),
        (
            Method::PATCH,
            "/v1/me/notification-settings",
            Some(json!({"channels": []})),
        ),
    ] {
        let (status, body) = as_intruder(method, path.into(), body).await;
        assert_eq!(status, 200, "{path}");
        assert_nothing_of(victim, &body);
    }
    let resp = app
        .call(
            Method::PUT,
            "/v1/me/devices/intr000000000000000device",
            Some(&intruder.token),
            Some(json!({"platform": "ios"})),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 204);

    // The victim's side is as they left it.
    let (_, inbox) = app
        .call_json(Method::GET, "/v1/notifications", Some(&victim.token), None)
        .await;
    assert_eq!(inbox["items"][0]["id"], id.as_str());
    assert!(inbox["items"][0]["readAt"].is_null(), "still unread");
    let (_, settings) = app
        .call_json(
            Method::GET,
            "/v1/me/notification-settings",
            Some(&victim.token),
            None,
        )
        .await;
    assert_eq!(settings["channels"], json!(["app"]));
    assert_eq!(settings["quietHours"]["start"], "21:00");
    let resp = app
        .call(
            Method::DELETE,
            &format!("/v1/me/devices/{victim_device}"),
            Some(&victim.token),
            None,
        )
        .await;
    assert_eq!(
        resp.status().as_u16(),
        204,
        "the victim's device was still theirs"
    );
}
