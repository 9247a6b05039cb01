//! Benefits without application (免申即享) through the API: an operator's policy checked,
//! tried, published and swept; offers explained in three languages, confirmed with a claim at
//! the platform, declined; life events signed, replay-protected and re-evaluated; a sweep
//! stopped half-way resumed.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use tongban::sim::gov::citizens::demo_citizens;

use crate::helpers::{TestApp, access, is_arabic_script, spawn_app_with};

/// A confirm-mode childcare subsidy: 3,600 yuan a year per child under 3.
pub fn childcare() -> Value {
    let text = |zh: &str, ug: &str, kk: &str| json!({"zh-Hans": zh, "ug-Arab": ug, "kk-Arab": kk});
    json!({
        "policyId": "test-childcare",
        "target": "person",
        "benefitKind": "cash",
        "mode": "confirm",
        "period": "year",
        "effectiveFrom": "2025-01-01",
        "confirmWithinDays": 90,
        "issuer": {"code": "11654000MB1957436U", "name": text(
            "伊犁哈萨克自治州卫生健康委员会",
            "ئىلى قازاق ئاپتونوم ئوبلاستلىق ساغلاملىق كومىتېتى",
            "ىلە قازاق اۆتونوميالى وبلىستىق دەنساۋلىق كوميتەتى")},
        "title": text("育儿补贴", "بالا بېقىش تولۇقلىمىسى", "بالا كۇتۋ جاردەماقىسى"),
        "summary": text("3周岁以下婴幼儿每人每年3600元。",
            "3 ياشقا توشمىغان ھەر بىر بالىغا يىلىغا 3600 يۈەن.",
            "3 جاسقا تولماعان ٴار بالاعا جىلىنا 3600 يۋان."),
        "howPaid": text("确认后发放至本人社会保障卡",
            "جەزملەشتۈرگەندىن كېيىن ئىجتىمائىي كاپالەت كارتىسىغا سېلىنىدۇ",
            "راستاعاننان كەيىن الەۋمەتتىك قامسىزداندىرۋ كارتاسىنا سالىنادى"),
        "legalBasis": text("《育儿补贴制度实施方案》",
            "«بالا بېقىش تولۇقلىمىسى تۈزۈمىنى يولغا قويۇش لايىھەسى»",
            "«بالا كۇتۋ جاردەماقىسى جۇيەسىن جۇزەگە اسىرۋ جوباسى»"),
        "eligibility": "person.children_ages.exists(a, a < 3)",
        "amount": {"expr": "size(person.children_ages.filter(a, a < 3)) * 360000", "unit": "year"}
    })
}

async fn app() -> TestApp {
    spawn_app_with(|config| {
        config.limits.per_ip_per_minute = 0;
        config.benefits.publish_seed_policies = false;
        config.benefits.sweep_batch_size = 2;
    })
    .await
}

pub async fn operator(app: &TestApp) -> String {
    app.state
        .admin_keys
        .create("policy desk", &["policies:write".to_string()])
        .await
        .expect("key")
        .1
}

async fn admin(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header("X-Admin-Key", key);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("sent");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Logs demo citizen `index` in through WeChat and binds their real name; answers the token.
async fn citizen(app: &TestApp, index: usize) -> String {
    let person = &demo_citizens()[index];
    let token = access(&app.login_wechat(person.wechat_openid).await);
    let (status, body) = app
        .bind_real_name(&token, person.name, person.id_number)
        .await;
    assert_eq!(status, 200, "{body}");
    token
}

async fn offers(app: &TestApp, token: &str, lang: &str) -> Vec<Value> {
    let (status, body) = app
        .call_json(
            Method::GET,
            &format!("/v1/benefits?lang={lang}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

/// Waits for a sweep to finish.
async fn finished(app: &TestApp, key: &str, sweep: &str) -> Value {
    for _ in 0..100 {
        let (status, body) = admin(
            app,
            key,
            Method::GET,
            &format!("/v1/admin/sweeps/{sweep}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        if body["status"] != "running" {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("sweep {sweep} did not finish");
}

pub async fn publish(app: &TestApp, key: &str, document: Value) -> Value {
    let (status, created) =
        admin(app, key, Method::POST, "/v1/admin/policies", Some(document)).await;
    assert_eq!(status, 201, "{created}");
    let path = format!(
        "/v1/admin/policies/{}/versions/{}/publish",
        created["policyId"].as_str().expect("id"),
        created["version"]
    );
    let (status, published) = admin(app, key, Method::POST, &path, None).await;
    assert_eq!(status, 200, "{published}");
    finished(app, key, published["sweepId"].as_str().expect("sweep")).await
}

#[tokio::test]
async fn a_rule_error_is_a_422_naming_the_field_and_the_place_in_the_rule() {
    let app = app().await;
    let key = operator(&app).await;
    let mut document = childcare();
    document["eligibility"] =
        json!("person.children_ages.exists(a, a < 3) &&\n  person.agee >= 18");
    document["title"]["kk-Arab"] = json!("育儿补贴");
    let (status, body) = admin(
        &app,
        &key,
        Method::POST,
        "/v1/admin/policies",
        Some(document.clone()),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "policy_invalid");
    let errors = body["errors"].as_array().expect("errors");
    let rule = errors
        .iter()
        .find(|e| e["field"] == "eligibility")
        .expect("rule error");
    assert_eq!(rule["code"], "rule");
    let message = rule["message"].as_str().expect("message");
    assert!(
        message.contains('2') && message.contains("person.agee"),
        "{message}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == "title.kk-Arab" && e["code"] == "not_arabic_script")
    );
    // The same in Uyghur: the frame is localized, the place stays.
    let resp = app
        .client
        .post(format!("{}/v1/admin/policies/validate?lang=ug", app.base))
        .header("X-Admin-Key", &key)
        .json(&document)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.expect("json");
    assert!(
        is_arabic_script(body["title"].as_str().expect("title")),
        "{body}"
    );
    // Nothing was stored.
    let (_, list) = admin(&app, &key, Method::GET, "/v1/admin/policies", None).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
    // A reader cannot write.
    let (_, reader) = app
        .state
        .admin_keys
        .create("reader", &["policies:read".to_string()])
        .await
        .expect("key");
    let (status, _) = admin(
        &app,
        &reader,
        Method::POST,
        "/v1/admin/policies",
        Some(childcare()),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_published_policy_reaches_eligible_people_with_reasons_in_their_language() {
    let app = app().await;
    let key = operator(&app).await;
    // 阿依古丽 has a baby; 王建华 has no child under 3; 叶尔兰 has a 2-year-old.
    let (mother, pensioner, father) = (
        citizen(&app, 0).await,
        citizen(&app, 2).await,
        citizen(&app, 1).await,
    );
    let (status, checked) = admin(
        &app,
        &key,
        Method::POST,
        "/v1/admin/policies/validate",
        Some(childcare()),
    )
    .await;
    assert_eq!(status, 200, "{checked}");
    assert_eq!(checked["reads"], json!(["person.children_ages"]));

    let (status, created) = admin(
        &app,
        &key,
        Method::POST,
        "/v1/admin/policies",
        Some(childcare()),
    )
    .await;
    assert_eq!((status, created["version"].clone()), (201, json!(1)));
    let (status, run) = admin(
        &app,
        &key,
        Method::POST,
        "/v1/admin/policies/test-childcare/versions/1/dry-run?samples=3",
        None,
    )
    .await;
    assert_eq!(status, 200, "{run}");
    assert!(
        run["evaluated"].as_u64().expect("evaluated") >= 1_000,
        "{run}"
    );
    let matched = run["matched"].as_u64().expect("matched");
    assert!(
        matched > 20 && matched < run["evaluated"].as_u64().expect("n") / 2,
        "{run}"
    );
    let sample = &run["samples"][0];
    assert!(
        sample["subject"]
            .as_str()
            .expect("subject")
            .contains("****"),
        "masked: {sample}"
    );
    assert!(
        sample["reasons"][0]
            .as_str()
            .expect("reason")
            .contains("未满3周岁"),
        "{sample}"
    );
    assert!(
        offers(&app, &mother, "zh").await.is_empty(),
        "a dry run makes no offers"
    );

    let (status, published) = admin(
        &app,
        &key,
        Method::POST,
        "/v1/admin/policies/test-childcare/versions/1/publish",
        None,
    )
    .await;
    assert_eq!(status, 200, "{published}");
    let sweep = finished(&app, &key, published["sweepId"].as_str().expect("sweep")).await;
    assert_eq!(
        (
            sweep["status"].clone(),
            sweep["total"].clone(),
            sweep["done"].clone()
        ),
        (json!("done"), json!(3), json!(3))
    );
    assert_eq!(sweep["offers"], 2, "{sweep}");

    let zh = offers(&app, &mother, "zh").await;
    assert_eq!(zh.len(), 1);
    let offer = &zh[0];
    assert_eq!(offer["status"], "new");
    assert_eq!(offer["title"], "育儿补贴");
    assert_eq!(offer["amount"]["fen"], 360000);
    assert_eq!(offer["amount"]["display"], "每年3600元");
    assert_eq!(offer["policyVersion"], 1);
    let reason = offer["reasons"][0].as_str().expect("reason");
    assert!(
        reason.starts_with("您有未满3周岁的子女（") && reason.ends_with("出生）"),
        "{reason}"
    );
    assert!(
        offer["deadline"]
            .as_str()
            .is_some_and(|d| d.ends_with("+08:00")),
        "{offer}"
    );
    for lang in ["ug", "kk"] {
        let other = offers(&app, &mother, lang).await;
        let text = other[0]["reasons"][0].as_str().expect("reason");
        assert!(
            is_arabic_script(text) && text.contains('3'),
            "{lang}: {text}"
        );
        assert!(is_arabic_script(other[0]["title"].as_str().expect("title")));
        assert!(
            other[0]["amount"]["display"]
                .as_str()
                .expect("amount")
                .contains("3600")
        );
    }
    assert!(offers(&app, &pensioner, "zh").await.is_empty());
    assert_eq!(offers(&app, &father, "zh").await.len(), 1);

    // Publishing a second version does not rewrite the first one's offers.
    let mut second = childcare();
    second["amount"] = json!({"fen": 500000, "unit": "year"});
    let sweep = publish(&app, &key, second).await;
    assert_eq!(
        sweep["offers"], 0,
        "one offer per person, policy and year: {sweep}"
    );
    let again = offers(&app, &mother, "zh").await;
    assert_eq!(
        (
            again.len(),
            again[0]["policyVersion"].clone(),
            again[0]["amount"]["fen"].clone()
        ),
        (1, json!(1), json!(360000))
    );
    let (_, versions) = admin(&app, &key, Method::GET, "/v1/admin/policies", None).await;
    let statuses: Vec<&str> = versions["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, vec!["published", "superseded"]);
}

#[tokio::test]
async fn confirming_files_one_claim_and_declining_closes_the_offer() {
    let app = app().await;
    let key = operator(&app).await;
    let (mother, father) = (citizen(&app, 0).await, citizen(&app, 1).await);
    publish(&app, &key, childcare()).await;
    let offer_id = offers(&app, &mother, "zh").await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let confirm = format!("/v1/benefits/{offer_id}/confirm");
    let (first, second) = tokio::join!(
        app.call_json(Method::POST, &confirm, Some(&mother), None),
        app.call_json(Method::POST, &confirm, Some(&mother), None),
    );
    for (status, body) in [&first, &second] {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["status"], "confirmed");
        assert_eq!(body["claim"]["status"], "submitted");
        assert_eq!(body["claim"]["statusText"], "已提交，等待审核");
    }
    assert_eq!(first.1["claim"]["id"], second.1["claim"]["id"]);
    let claims = app.gov.claims();
    assert_eq!(claims.len(), 1, "a double tap files one claim");
    assert_eq!(claims[0].claim.policy_id, "test-childcare");
    assert_eq!(claims[0].claim.amount_fen, Some(360000));
    assert_eq!(claims[0].claim.holder_code, demo_citizens()[0].id_number);
    // The paying department moves the claim on; the person sees it at the next read, in
    // their language.
    let claim_id = claims[0].receipt.claim_id.clone();
    assert!(app.gov.set_claim_status(&claim_id, "accepted"));
    let (status, accepted) = app
        .call_json(
            Method::GET,
            &format!("/v1/benefits/{offer_id}?lang=ug"),
            Some(&mother),
            None,
        )
        .await;
    assert_eq!(
        (status, accepted["claim"]["status"].clone()),
        (200, json!("accepted"))
    );
    assert!(is_arabic_script(
        accepted["claim"]["statusText"].as_str().expect("text")
    ));
    // With the platform down, the last known status is shown.
    app.gov.set_claim_status(&claim_id, "paid");
    app.gov.set_faults(
        tongban::sim::gov::Resource::Applications,
        tongban::sim::gov::Faults {
            outage: true,
            ..Default::default()
        },
    );
    let listed = offers(&app, &mother, "zh").await;
    assert_eq!(listed[0]["claim"]["status"], "accepted");
    app.gov.set_faults(
        tongban::sim::gov::Resource::Applications,
        Default::default(),
    );
    let listed = offers(&app, &mother, "zh").await;
    assert_eq!(listed[0]["claim"]["status"], "paid");
    assert_eq!(listed[0]["claim"]["statusText"], "已发放");

    // Another person cannot see, confirm or decline it.
    for path in [
        format!("/v1/benefits/{offer_id}"),
        confirm.clone(),
        format!("/v1/benefits/{offer_id}/decline"),
    ] {
        let method = if path.ends_with(&offer_id) {
            Method::GET
        } else {
            Method::POST
        };
        let (status, body) = app.call_json(method, &path, Some(&father), None).await;
        assert_eq!(
            (status, body["code"].clone()),
            (404, json!("offer_not_found")),
            "{path}"
        );
    }
    // A confirmed offer cannot be declined; a declined one cannot be confirmed.
    let (status, body) = app
        .call_json(
            Method::POST,
            &format!("/v1/benefits/{offer_id}/decline"),
            Some(&mother),
            None,
        )
        .await;
    assert_eq!((status, body["code"].clone()), (409, json!("offer_closed")));
    let theirs = offers(&app, &father, "zh").await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, body) = app
        .call_json(
            Method::POST,
            &format!("/v1/benefits/{theirs}/decline?lang=kk"),
            Some(&father),
            None,
        )
        .await;
    assert_eq!((status, body["status"].clone()), (200, json!("declined")));
    assert!(is_arabic_script(body["statusText"].as_str().expect("text")));
    let (status, body) = app
        .call_json(
            Method::POST,
            &format!("/v1/benefits/{theirs}/confirm"),
            Some(&father),
            None,
        )
        .await;
    assert_eq!((status, body["code"].clone()), (409, json!("offer_closed")));
    assert_eq!(app.gov.claims().len(), 1);
    let (_, declined) = app
        .call_json(
            Method::GET,
            "/v1/benefits?status=declined",
            Some(&father),
            None,
        )
        .await;
    assert_eq!(declined["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_signed_life_event_makes_the_new_offer_within_two_seconds_once() {
    let app = app().await;
    let key = operator(&app).await;
    let pensioner = citizen(&app, 2).await;
    publish(&app, &key, childcare()).await;
    assert!(offers(&app, &pensioner, "zh").await.is_empty());

    let started = Instant::now();
    let delivery = app
        .gov
        .register_birth(demo_citizens()[2].id_number, jiff::Zoned::now().date())
        .await
        .expect("delivered");
    assert_eq!(delivery.status, Some(200));
    let offered = offers(&app, &pensioner, "zh").await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(offered.len(), 1, "the birth made the childcare offer");
    assert!(
        offered[0]["reasons"][0]
            .as_str()
            .expect("reason")
            .contains("未满3周岁")
    );
}

#[tokio::test]
async fn a_bad_signature_or_a_replayed_event_processes_nothing() {
    let app = app().await;
    let key = operator(&app).await;
    let pensioner = citizen(&app, 2).await;
    publish(&app, &key, childcare()).await;
    let id_number = demo_citizens()[2].id_number;
    let event = |event_id: &str| {
        json!({
            "eventId": event_id, "type": "birth_registered",
            "occurredAt": "2026-11-22T10:00:00+08:00",
            "subject": {"type": "person", "idNumber": id_number}, "facts": ["children"]
        })
    };
    let post = |body: Vec<u8>, event_id: &str, timestamp: i64, signature: String| {
        app.client
            .post(format!("{}/v1/hooks/gov/events", app.base))
            .header("Content-Type", "application/json")
            .header("X-Gov-Event-Id", event_id)
            .header("X-Gov-Timestamp", timestamp.to_string())
            .header("X-Gov-Signature", signature)
            .body(body)
            .send()
    };
    let key_bytes = b"dev-event-key-change-me";
    let now = jiff::Timestamp::now().as_second();
    // The facts change at the platform, but the event carrying the news is forged.
    let body = serde_json::to_vec(&event("e-1")).expect("json");
    let forged = tongban::upstream::gov::wire::event_signature(b"not-the-key", now, "e-1", &body);
    app.gov
        .register_birth(id_number, jiff::Zoned::now().date())
        .await
        .ok();
    // (the simulator's own delivery above was genuine: drop what it made to test the forgery)
    tongban::db::query("DELETE FROM benefit_offers")
        .execute(app.state.store.pool())
        .await
        .expect("reset");
    tongban::db::query("DELETE FROM gov_events")
        .execute(app.state.store.pool())
        .await
        .expect("reset");
    let resp = post(body.clone(), "e-1", now, forged).await.expect("sent");
    assert_eq!(resp.status(), 401);
    assert!(
        offers(&app, &pensioner, "zh").await.is_empty(),
        "nothing processed"
    );
    // Signed, but five minutes old: a replay.
    let stale = tongban::upstream::gov::wire::event_signature(key_bytes, now - 400, "e-1", &body);
    assert_eq!(
        post(body.clone(), "e-1", now - 400, stale)
            .await
            .expect("sent")
            .status(),
        401
    );
    assert!(offers(&app, &pensioner, "zh").await.is_empty());
    // A body swapped under a valid signature.
    let signature = tongban::upstream::gov::wire::event_signature(key_bytes, now, "e-1", &body);
    let swapped = serde_json::to_vec(&event("e-1"))
        .expect("json")
        .into_iter()
        .chain(*b" ")
        .collect();
    assert_eq!(
        post(swapped, "e-1", now, signature.clone())
            .await
            .expect("sent")
            .status(),
        401
    );
    // Genuine: processed once; the same event again is acknowledged as a duplicate.
    let resp = post(body.clone(), "e-1", now, signature.clone())
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
    let receipt: Value = resp.json().await.expect("json");
    assert_eq!(
        (receipt["duplicate"].clone(), receipt["offers"].clone()),
        (json!(false), json!(1))
    );
    let again: Value = post(body, "e-1", now, signature)
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (again["duplicate"].clone(), again["offers"].clone()),
        (json!(true), json!(0))
    );
    assert_eq!(offers(&app, &pensioner, "zh").await.len(), 1);
}

#[tokio::test]
async fn a_sweep_stopped_half_way_resumes_after_its_last_batch() {
    let app = app().await;
    let key = operator(&app).await;
    for index in 0..demo_citizens().len() {
        citizen(&app, index).await;
    }
    let (status, created) = admin(
        &app,
        &key,
        Method::POST,
        "/v1/admin/policies",
        Some(childcare()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    // Published directly in the store's terms, so that no sweep starts on its own.
    app.state
        .benefits
        .publish("test-childcare", 1)
        .await
        .expect("published");
    let policies = Some(vec![tongban::domain::benefits::sweep::SweepPolicy {
        policy_id: "test-childcare".into(),
        version: 1,
    }]);
    let sweep = app
        .state
        .benefits
        .create_sweep(policies, "command")
        .await
        .expect("sweep");
    // The process "dies" after the first batch of two people is committed.
    let (batches, mut committed) = tokio::sync::mpsc::unbounded_channel();
    let benefits = app.state.benefits.clone();
    let id = sweep.clone();
    let run = tokio::spawn(async move {
        benefits
            .run_sweep(&id, move |status| {
                let _ = batches.send(status.done);
            })
            .await
    });
    assert_eq!(committed.recv().await, Some(2));
    run.abort();
    let _ = run.await;
    let status = app
        .state
        .benefits
        .sweep(&sweep)
        .await
        .expect("read")
        .expect("sweep");
    assert_eq!(status.status, "running");
    assert!(status.done >= 2 && status.done < 7, "{status:?}");
    let done_before = status.done;

    let facts_calls = app.gov.calls(tongban::sim::gov::Resource::Facts);
    let resumed = app.state.benefits.resume_sweeps().await.expect("resume");
    assert_eq!(resumed, vec![sweep.clone()]);
    let status = finished(&app, &key, &sweep).await;
    assert_eq!(
        (status["status"].clone(), status["done"].clone()),
        (json!("done"), json!(7))
    );
    let batches_after = app.gov.calls(tongban::sim::gov::Resource::Facts) - facts_calls;
    assert_eq!(
        batches_after,
        (7 - done_before).div_ceil(2),
        "resumed after the last committed batch"
    );
    let offers: i64 = tongban::db::query_scalar("SELECT COUNT(*) FROM benefit_offers")
        .fetch_one(app.state.store.pool())
        .await
        .expect("count");
    let distinct: i64 =
        tongban::db::query_scalar("SELECT COUNT(DISTINCT account_id) FROM benefit_offers")
            .fetch_one(app.state.store.pool())
            .await
            .expect("count");
    assert_eq!(offers, distinct, "one offer per person");
    assert_eq!(status["offers"].as_i64(), Some(offers), "{status}");
    assert!(
        offers >= 3,
        "the demo citizens with children under 3: {offers}"
    );
}

#[tokio::test]
async fn the_demo_publishes_the_simulator_s_policies_and_binding_brings_the_offers() {
    let app = spawn_app_with(|config| config.limits.per_ip_per_minute = 0).await;
    let published = app.state.benefits.published();
    assert!(published.len() >= 20, "{}", published.len());
    // 古丽娜尔 in Yining county: a month-old baby, registered unemployed.
    let mother = citizen(&app, 4).await;
    // Binding evaluates the person in the background.
    let mut found = Vec::new();
    for _ in 0..50 {
        found = offers(&app, &mother, "zh").await;
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !found.is_empty(),
        "a newborn's mother in Ili qualifies for something"
    );
    assert!(
        found
            .iter()
            .all(|o| !o["reasons"].as_array().expect("reasons").is_empty())
    );
}

#[tokio::test]
async fn a_life_event_re_evaluates_only_the_policies_reading_the_changed_facts() {
    let app = app().await;
    let key = operator(&app).await;
    // 阿依古丽 has a baby, but no offer yet: the policy is published without a sweep.
    let mother = citizen(&app, 0).await;
    let (status, _) = admin(
        &app,
        &key,
        Method::POST,
        "/v1/admin/policies",
        Some(childcare()),
    )
    .await;
    assert_eq!(status, 201);
    app.state
        .benefits
        .publish("test-childcare", 1)
        .await
        .expect("published");
    let event = |event_id: &str, facts: Value| {
        json!({
            "eventId": event_id, "type": "disability_certified",
            "occurredAt": "2026-11-22T10:00:00+08:00",
            "subject": {"type": "person", "idNumber": demo_citizens()[0].id_number},
            "facts": facts
        })
    };
    // The platform says her disability level changed: the childcare rule does not read it.
    let delivery = app
        .gov
        .send_event(&event(
            "3c9a8f3e-0000-4000-8000-000000000001",
            json!(["disabilityLevel"]),
        ))
        .await
        .expect("delivered");
    assert_eq!(delivery.status, Some(200));
    assert!(
        offers(&app, &mother, "zh").await.is_empty(),
        "childcare was not re-evaluated"
    );
    // Her children changed: it is.
    let delivery = app
        .gov
        .send_event(&event(
            "3c9a8f3e-0000-4000-8000-000000000002",
            json!(["children"]),
        ))
        .await
        .expect("delivered");
    assert_eq!(delivery.status, Some(200));
    assert_eq!(offers(&app, &mother, "zh").await.len(), 1);
}

#[tokio::test]
async fn an_offer_not_confirmed_by_its_deadline_reads_as_expired_and_cannot_be_taken() {
    let app = app().await;
    let key = operator(&app).await;
    let mother = citizen(&app, 0).await;
    publish(&app, &key, childcare()).await;
    let offer_id = offers(&app, &mother, "zh").await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // The 90 days to confirm have passed.
    tongban::db::query("UPDATE benefit_offers SET deadline = $1 WHERE id = $2")
        .bind(jiff::Timestamp::now().as_second() - 1)
        .bind(&offer_id)
        .execute(app.state.store.pool())
        .await
        .expect("backdate");
    let (_, expired) = app
        .call_json(
            Method::GET,
            "/v1/benefits?status=expired",
            Some(&mother),
            None,
        )
        .await;
    assert_eq!(expired["items"][0]["id"], offer_id.as_str());
    assert_eq!(expired["items"][0]["statusText"], "已过期");
    let (_, fresh) = app
        .call_json(Method::GET, "/v1/benefits?status=new", Some(&mother), None)
        .await;
    assert_eq!(fresh["items"].as_array().map(Vec::len), Some(0));
    for action in ["confirm", "decline"] {
        let (status, body) = app
            .call_json(
                Method::POST,
                &format!("/v1/benefits/{offer_id}/{action}"),
                Some(&mother),
                None,
            )
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (409, json!("offer_closed")),
            "{action}"
        );
    }
    assert!(app.gov.claims().is_empty());
}
