//! Appointments (预约) at the halls: halls and slots as shared data, booking with an
//! `Idempotency-Key`, a slot's capacity under concurrent bookings, cancelling, and a booking
//! that stays its person's.

use reqwest::Method;
use serde_json::{Value, json};
use tongban::sim::gov::{Resource, citizens::demo_citizens};

use crate::helpers::{TestApp, access, is_arabic_script, spawn_app};

/// Handled at every hall.
const ID_CARD: &str = "1165400001010031273000173007001";
/// The hall with one place per slot.
const ONE_PLACE_HALL: &str = "hall-tekes";

/// Demo citizen `index` logged in through WeChat, with a bound real name and a phone.
async fn booker(app: &TestApp, index: usize) -> String {
    let citizen = &demo_citizens()[index];
    let token = access(&app.login_wechat(citizen.wechat_openid).await);
    let (status, body) = app
        .bind_real_name(&token, citizen.name, citizen.id_number)
        .await;
    assert_eq!(status, 200, "{body}");
    let code = app
        .wechat
        .mint_phone_code(citizen.wechat_openid, citizen.phone);
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

fn beijing_today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

async fn slots(app: &TestApp, hall: &str, date: jiff::civil::Date) -> (u16, Value) {
    app.call_json(
        Method::GET,
        &format!("/v1/halls/{hall}/slots?date={date}&serviceCode={ID_CARD}"),
        None,
        None,
    )
    .await
}

/// The first slot of the first working day ahead at `hall`, with its day.
async fn first_slot(app: &TestApp, hall: &str) -> (jiff::civil::Date, Value) {
    for ahead in 1..=7 {
        let date = beijing_today() + jiff::Span::new().days(ahead);
        let (status, list) = slots(app, hall, date).await;
        assert_eq!(status, 200, "{list}");
        if let Some(slot) = list["items"].as_array().and_then(|items| items.first()) {
            return (date, slot.clone());
        }
    }
    panic!("no working day within the week");
}

fn slot_id(slot: &Value) -> String {
    slot["slotId"].as_str().expect("slotId").to_string()
}

async fn book(app: &TestApp, token: &str, key: &str, slot_id: &str) -> (u16, Value) {
    let resp = app
        .client
        .post(format!("{}/v1/me/appointments", app.base))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({"slotId": slot_id, "serviceCode": ID_CARD}))
        .send()
        .await
        .expect("sent");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn my_appointments(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, list) = app
        .call_json(Method::GET, "/v1/me/appointments", Some(token), None)
        .await;
    assert_eq!(status, 200, "{list}");
    list["items"].as_array().expect("items").clone()
}

async fn cancel(app: &TestApp, token: &str, appointment_id: &str) -> (u16, Value) {
    app.call_json(
        Method::DELETE,
        &format!("/v1/me/appointments/{appointment_id}"),
        Some(token),
        None,
    )
    .await
}

#[tokio::test]
async fn the_halls_are_listed_in_the_requests_language_from_one_upstream_call() {
    let app = spawn_app().await;

    let (status, halls) = app.json("/v1/halls?lang=ug").await;
    let (again, _) = app.json("/v1/halls?lang=kk").await;

    assert_eq!((status, again), (200, 200), "{halls}");
    let items = halls["items"].as_array().expect("items");
    assert_eq!(items.len(), 12);
    let city = items
        .iter()
        .find(|h| h["hallId"] == "hall-yining-city")
        .expect("Yining city hall");
    assert_eq!(city["name"]["lang"], "ug-Arab");
    assert!(is_arabic_script(
        city["name"]["text"].as_str().unwrap_or("")
    ));
    assert_eq!(
        city["address"]["lang"], "zh-Hans",
        "addresses are Chinese only"
    );
    assert!(!city["windows"].as_array().expect("windows").is_empty());
    assert_eq!(app.gov.calls(Resource::Halls), 1);
}

#[tokio::test]
async fn a_days_slots_show_the_places_left_and_days_outside_the_window_are_refused() {
    let app = spawn_app().await;

    let (date, slot) = first_slot(&app, ONE_PLACE_HALL).await;
    let (today, problem) = slots(&app, ONE_PLACE_HALL, beijing_today()).await;
    let (nonsense, invalid) = app
        .call_json(
            Method::GET,
            &format!("/v1/halls/{ONE_PLACE_HALL}/slots?date=2026-13-45&serviceCode={ID_CARD}"),
            None,
            None,
        )
        .await;
    let (unknown, _) = slots(&app, "hall-nowhere", date).await;

    assert_eq!(
        (slot["capacity"].clone(), slot["remaining"].clone()),
        (json!(1), json!(1))
    );
    assert!(
        slot["start"]
            .as_str()
            .is_some_and(|s| s.ends_with("+08:00"))
    );
    assert_eq!(today, 400, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "date");
    assert_eq!(problem["errors"][0]["code"], "out_of_range");
    assert_eq!(nonsense, 400, "{invalid}");
    assert_eq!(unknown, 404);
}

#[tokio::test]
async fn a_booking_answers_201_with_a_voucher_and_takes_the_place() {
    let app = spawn_app().await;
    let token = booker(&app, 0).await;
    let (date, slot) = first_slot(&app, ONE_PLACE_HALL).await;

    let (status, booked) = book(&app, &token, "tap-1", &slot_id(&slot)).await;

    assert_eq!(status, 201, "{booked}");
    assert_eq!(booked["status"], "booked");
    assert!(
        booked["voucherCode"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
    let id = booked["appointmentId"].as_str().expect("id");
    let mine = my_appointments(&app, &token).await;
    let listed = mine
        .iter()
        .find(|a| a["appointmentId"] == id)
        .expect("listed");
    assert_eq!(listed["hallId"], ONE_PLACE_HALL);
    assert_eq!(listed["cancellable"], true);
    assert!(listed["hallName"]["text"].is_string());
    let (_, after) = slots(&app, ONE_PLACE_HALL, date).await;
    let taken = after["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["slotId"] == slot["slotId"]))
        .expect("the slot");
    assert_eq!(taken["remaining"], 0, "the slots were fetched again");
}

#[tokio::test]
async fn the_same_idempotency_key_twice_books_one_appointment() {
    let app = spawn_app().await;
    let token = booker(&app, 0).await;
    let (_, slot) = first_slot(&app, "hall-yining-city").await;
    let before = my_appointments(&app, &token).await.len();

    let (first, one) = book(&app, &token, "tap-42", &slot_id(&slot)).await;
    let (second, two) = book(&app, &token, "tap-42", &slot_id(&slot)).await;

    assert_eq!((first, second), (201, 201), "{one} {two}");
    assert_eq!(one["appointmentId"], two["appointmentId"]);
    assert_eq!(one["voucherCode"], two["voucherCode"]);
    assert_eq!(my_appointments(&app, &token).await.len(), before + 1);
}

#[tokio::test]
async fn a_key_reused_for_another_slot_answers_422() {
    let app = spawn_app().await;
    let token = booker(&app, 0).await;
    let (date, slot) = first_slot(&app, "hall-yining-city").await;
    let (_, list) = slots(&app, "hall-yining-city", date).await;
    let other = slot_id(&list["items"][1]);

    let (first, _) = book(&app, &token, "tap-7", &slot_id(&slot)).await;
    let (second, problem) = book(&app, &token, "tap-7", &other).await;

    assert_eq!(first, 201);
    assert_eq!(second, 422, "{problem}");
    assert_eq!(problem["code"], "idempotency_key_reused");
}

#[tokio::test]
async fn twenty_concurrent_bookings_of_a_one_place_slot_make_exactly_one() {
    let app = spawn_app().await;
    let token = booker(&app, 0).await;
    let (_, slot) = first_slot(&app, ONE_PLACE_HALL).await;
    let slot = slot_id(&slot);

    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let client = app.client.clone();
            let url = format!("{}/v1/me/appointments", app.base);
            let (token, slot) = (token.clone(), slot.clone());
            tokio::spawn(async move {
                let resp = client
                    .post(url)
                    .bearer_auth(token)
                    .header("Idempotency-Key", format!("rush-{n}"))
                    .json(&json!({"slotId": slot, "serviceCode": ID_CARD}))
                    .send()
                    .await
                    .expect("sent");
                let status = resp.status().as_u16();
                let body: Value = resp.json().await.unwrap_or(Value::Null);
                (status, body)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("task"));
    }

    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let full = answers
        .iter()
        .filter(|(s, body)| *s == 409 && body["code"] == "slot_full")
        .count();
    assert_eq!((created, full), (1, 19), "{answers:?}");
}

#[tokio::test]
async fn cancelling_frees_the_place_for_someone_else() {
    let app = spawn_app().await;
    let first = booker(&app, 0).await;
    let second = booker(&app, 1).await;
    let (_, slot) = first_slot(&app, ONE_PLACE_HALL).await;
    let (status, booked) = book(&app, &first, "a-1", &slot_id(&slot)).await;
    assert_eq!(status, 201, "{booked}");
    let (full, problem) = book(&app, &second, "b-1", &slot_id(&slot)).await;
    assert_eq!(full, 409, "{problem}");
    assert_eq!(problem["code"], "slot_full");

    let id = booked["appointmentId"].as_str().expect("id");
    let (cancelled, _) = cancel(&app, &first, id).await;
    let (twice, _) = cancel(&app, &first, id).await;
    let (rebooked, body) = book(&app, &second, "b-2", &slot_id(&slot)).await;

    assert_eq!((cancelled, twice), (204, 204));
    assert_eq!(rebooked, 201, "{body}");
    let mine = my_appointments(&app, &first).await;
    let listed = mine
        .iter()
        .find(|a| a["appointmentId"] == id)
        .expect("kept");
    assert_eq!(listed["status"], "cancelled");
    assert_eq!(listed["cancellable"], false);
}

#[tokio::test]
async fn booking_needs_a_real_name_a_phone_and_an_idempotency_key() {
    let app = spawn_app().await;
    let (_, slot) = first_slot(&app, "hall-yining-city").await;
    let unbound = access(&app.login_wechat("o6_test_unbound_booker").await);
    let citizen = &demo_citizens()[2];
    let no_phone = access(&app.login_wechat(citizen.wechat_openid).await);
    let (status, _) = app
        .bind_real_name(&no_phone, citizen.name, citizen.id_number)
        .await;
    assert_eq!(status, 200);

    let (forbidden, p1) = book(&app, &unbound, "k-1", &slot_id(&slot)).await;
    let (phoneless, p2) = book(&app, &no_phone, "k-2", &slot_id(&slot)).await;
    let (keyless, p3) = app
        .call_json(
            Method::POST,
            "/v1/me/appointments",
            Some(&no_phone),
            Some(json!({"slotId": slot_id(&slot), "serviceCode": ID_CARD})),
        )
        .await;
    let (bad_key, p4) = book(&app, &no_phone, "not a key!", &slot_id(&slot)).await;

    assert_eq!(
        (forbidden, &p1["code"]),
        (403, &json!("real_name_required"))
    );
    assert_eq!((phoneless, &p2["code"]), (422, &json!("phone_required")));
    assert_eq!(keyless, 400, "{p3}");
    assert_eq!(bad_key, 400, "{p4}");
    assert_eq!(p4["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(app.gov.calls(Resource::Appointments), 0);
}

#[tokio::test]
async fn another_persons_appointment_cannot_be_cancelled_and_is_not_listed() {
    let app = spawn_app().await;
    let owner = booker(&app, 0).await;
    let intruder = booker(&app, 1).await;
    let (_, slot) = first_slot(&app, "hall-yining-city").await;
    let (_, booked) = book(&app, &owner, "mine", &slot_id(&slot)).await;
    let id = booked["appointmentId"].as_str().expect("id");

    let (status, problem) = cancel(&app, &intruder, id).await;
    let theirs = my_appointments(&app, &intruder).await;

    assert_eq!(status, 404, "{problem}");
    assert_eq!(problem["code"], "not_found");
    assert!(theirs.iter().all(|a| a["appointmentId"] != id));
    let mine = my_appointments(&app, &owner).await;
    let listed = mine
        .iter()
        .find(|a| a["appointmentId"] == id)
        .expect("kept");
    assert_eq!(listed["status"], "booked");
}
