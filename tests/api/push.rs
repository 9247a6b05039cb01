//! Proactive push through the API and the simulators: a new offer told once through the
//! channel the person allowed, in their language and within WeChat's field rules; 43101 taking
//! the credit away and the app push taking over; quiet hours; application status events;
//! retries; the provider's rate cap never hit; operators pausing and retrying a campaign.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tongban::sim::{gov::citizens::demo_citizens, wechat::SentSubscribeMessage};
use tongban::{
    domain::{
        benefits::policy::Text3,
        push::outbox::{NewNotification, Params},
    },
    upstream::push::DevicePlatform,
};

use crate::{
    benefits::{childcare, operator, publish},
    helpers::{TestApp, access, is_arabic_script, spawn_app_with},
};

const OFFER_TEMPLATE: &str = "tongban-benefit-offer-0001";
const STATUS_TEMPLATE: &str = "tongban-application-status-0001";

pub(crate) async fn app_with(configure: impl FnOnce(&mut tongban::Config)) -> TestApp {
    spawn_app_with(|config| {
        push_defaults(config);
        configure(config);
    })
    .await
}

/// What the push tests run with.
pub(crate) fn push_defaults(config: &mut tongban::Config) {
    {
        config.limits.per_ip_per_minute = 0;
        config.limits.per_person_per_minute = 0;
        config.benefits.publish_seed_policies = false;
        // No quiet hours unless a test sets them: tests run at any hour.
        config.push.quiet_start = "00:00".into();
        config.push.quiet_end = "00:00".into();
        config.push.idle_poll_ms = 20;
        config.push.retry_base_ms = 50;
        config.push.retry_max_ms = 200;
    }
}

/// Demo citizen `index` logged in through WeChat with a bound real name.
async fn citizen(app: &TestApp, index: usize) -> String {
    let person = &demo_citizens()[index];
    let token = access(&app.login_wechat(person.wechat_openid).await);
    let (status, body) = app
        .bind_real_name(&token, person.name, person.id_number)
        .await;
    assert_eq!(status, 200, "{body}");
    token
}

/// The citizen accepts `template` in the WeChat popup: the simulator and Tongban both learn.
async fn accept(app: &TestApp, token: &str, openid: &str, template: &str) -> Value {
    app.wechat.grant_subscription(openid, template);
    let (status, body) = app
        .call_json(
            Method::POST,
            "/v1/me/subscriptions",
            Some(token),
            Some(json!({"platform": "wechat", "results": [{"templateId": template, "result": "accept"}]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn inbox(app: &TestApp, token: &str, lang: &str) -> Value {
    let (status, body) = app
        .call_json(
            Method::GET,
            &format!("/v1/notifications?lang={lang}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Waits until every notification of the inbox left `pending`.
async fn settled(app: &TestApp, token: &str) -> Value {
    for _ in 0..200 {
        let body = inbox(app, token, "zh-Hans").await;
        let items = body["items"].as_array().cloned().unwrap_or_default();
        if !items.is_empty() && items.iter().all(|i| i["delivery"] != "pending") {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "notifications did not settle: {}",
        inbox(app, token, "zh-Hans").await
    );
}

/// WeChat messages the simulator delivered for notification `id`.
fn wechat_messages_for(app: &TestApp, id: &str) -> Vec<SentSubscribeMessage> {
    app.wechat
        .sent_messages()
        .into_iter()
        .filter(|m| {
            m.page
                .as_deref()
                .is_some_and(|p| p.ends_with(&format!("n={id}")))
        })
        .collect()
}

#[tokio::test]
async fn a_new_offer_reaches_the_person_once_through_wechat_and_stays_in_the_inbox() {
    let app = app_with(|_| {}).await;
    let person = &demo_citizens()[0];
    let token = citizen(&app, 0).await;
    let credits = accept(&app, &token, person.wechat_openid, OFFER_TEMPLATE).await;
    let offer_credit = credits["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["templateId"] == OFFER_TEMPLATE && c["platform"] == "wechat")
        .expect("the offer template is listed");
    assert_eq!(offer_credit["credits"], 1);
    assert_eq!(offer_credit["purpose"], "benefitOffer");

    let key = operator(&app).await;
    publish(&app, &key, childcare()).await;
    let body = settled(&app, &token).await;

    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{body}");
    let item = &items[0];
    assert_eq!(item["kind"], "benefitOffer");
    assert_eq!(item["delivery"], "sent");
    assert_eq!(item["channel"], "wechat");
    assert!(item["title"].as_str().expect("title").contains("育儿补贴"));
    assert!(!item["reasons"].as_array().expect("reasons").is_empty());
    assert_eq!(body["unreadCount"], 1);
    let id = item["id"].as_str().expect("id");
    let sent = wechat_messages_for(&app, id);
    assert_eq!(sent.len(), 1, "one message: {sent:?}");
    assert_eq!(sent[0].touser, person.wechat_openid);
    assert_eq!(sent[0].template_id, OFFER_TEMPLATE);

    // The credit is spent, and WeChat's sent event arrives as the receipt.
    let (_, credits) = app
        .call_json(Method::GET, "/v1/me/subscriptions", Some(&token), None)
        .await;
    assert!(
        credits["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|c| c["templateId"] == OFFER_TEMPLATE && c["credits"] == 0)
    );
    let mut receipted = false;
    for _ in 0..100 {
        let rows: i64 = tongban::db::query_scalar(
            "SELECT COUNT(*) FROM push_receipts WHERE channel = 'wechat' AND status = 'delivered'",
        )
        .fetch_one(app.state.store.pool())
        .await
        .expect("receipts");
        if rows == 1 {
            receipted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(receipted, "WeChat's subscribe_msg_sent_event was recorded");

    // Reading it, in Uyghur: the full text and the reasons in Arabic script.
    let body = inbox(&app, &token, "ug-Arab").await;
    let item = &body["items"][0];
    assert!(
        is_arabic_script(item["body"].as_str().expect("body")),
        "{item}"
    );
    assert!(is_arabic_script(
        item["reasons"][0].as_str().expect("a reason")
    ));
    let (status, read) = app
        .call_json(
            Method::POST,
            &format!("/v1/notifications/{id}/read"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{read}");
    assert!(read["readAt"].is_string());
    assert_eq!(inbox(&app, &token, "zh-Hans").await["unreadCount"], 0);

    // Publishing again (a re-run sweep) tells nobody twice.
    let (status, sweep) = app
        .client
        .post(format!("{}/v1/admin/sweeps", app.base))
        .header("X-Admin-Key", &key)
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("sweep");
    assert_eq!(status, 202, "{sweep:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        inbox(&app, &token, "zh-Hans").await["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(wechat_messages_for(&app, id).len(), 1);
}

#[tokio::test]
async fn a_uyghur_speaker_gets_uyghur_values_cut_to_wechats_field_rules() {
    let app = app_with(|_| {}).await;
    let person = &demo_citizens()[0];
    let token = citizen(&app, 0).await;
    let (status, _) = app
        .call_json(
            Method::PATCH,
            "/v1/me/preferences",
            Some(&token),
            Some(json!({"lang": "ug-Arab"})),
        )
        .await;
    assert_eq!(status, 200);
    accept(&app, &token, person.wechat_openid, OFFER_TEMPLATE).await;
    let key = operator(&app).await;
    publish(&app, &key, childcare()).await;
    settled(&app, &token).await;

    let sent = app.wechat.sent_messages();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let data = &sent[0].data;
    let thing = &data["thing1"];
    assert!(thing.chars().count() <= 20, "{thing}");
    assert!(is_arabic_script(thing), "{thing}");
    // `phrase` takes only Chinese: the Mandarin status word.
    assert_eq!(data["phrase5"], "待确认");
    assert!(data["amount2"].ends_with('元'), "{data:?}");
}

#[tokio::test]
async fn without_any_permission_the_inbox_alone_has_it() {
    let app = app_with(|_| {}).await;
    let token = citizen(&app, 0).await;
    let key = operator(&app).await;
    publish(&app, &key, childcare()).await;
    let body = settled(&app, &token).await;
    assert_eq!(body["items"][0]["delivery"], "inboxOnly", "{body}");
    assert!(app.wechat.sent_messages().is_empty());
}

#[tokio::test]
async fn a_spent_wechat_credit_is_marked_gone_and_app_push_takes_over() {
    let app = app_with(|_| {}).await;
    let token = citizen(&app, 0).await;
    // Tongban believes in a credit that WeChat does not have: WeChat answers 43101.
    let (status, _) = app
        .call_json(
            Method::POST,
            "/v1/me/subscriptions",
            Some(&token),
            Some(json!({"platform": "wechat", "results": [{"templateId": OFFER_TEMPLATE, "result": "accept"}]})),
        )
        .await;
    assert_eq!(status, 200);
    let rid = app.push.register_device(DevicePlatform::Android);
    let resp = app
        .call(
            Method::PUT,
            &format!("/v1/me/devices/{rid}"),
            Some(&token),
            Some(json!({"platform": "android"})),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 204);

    let key = operator(&app).await;
    publish(&app, &key, childcare()).await;
    let body = settled(&app, &token).await;
    let item = &body["items"][0];
    assert_eq!(item["delivery"], "sent", "{body}");
    assert_eq!(item["channel"], "app");
    let pushes = app.push.pushes_to(&rid);
    assert_eq!(pushes.len(), 1, "{pushes:?}");
    let (_, credits) = app
        .call_json(Method::GET, "/v1/me/subscriptions", Some(&token), None)
        .await;
    assert!(
        credits["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|c| c["templateId"] == OFFER_TEMPLATE && c["credits"] == 0),
        "43101 took the credit away: {credits}"
    );
}

#[tokio::test]
async fn quiet_hours_hold_the_push_but_not_the_inbox() {
    let app = app_with(|_| {}).await;
    let person = &demo_citizens()[0];
    let token = citizen(&app, 0).await;
    accept(&app, &token, person.wechat_openid, OFFER_TEMPLATE).await;
    // Quiet from the current Beijing hour for two hours.
    let now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    let start = format!("{:02}:00", now.hour());
    let end = format!("{:02}:00", (now.hour() + 2) % 24);
    let (status, settings) = app
        .call_json(
            Method::PATCH,
            "/v1/me/notification-settings",
            Some(&token),
            Some(json!({"quietHours": {"start": start, "end": end}})),
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["quietHours"]["start"], start);

    let key = operator(&app).await;
    publish(&app, &key, childcare()).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let body = inbox(&app, &token, "zh-Hans").await;
    assert_eq!(body["items"][0]["delivery"], "pending", "{body}");
    assert!(app.wechat.sent_messages().is_empty());
}

#[tokio::test]
async fn an_application_decision_is_told_once_even_when_the_platform_repeats_the_event() {
    let app = app_with(|_| {}).await;
    // Citizen 2 has a rural pension application under review.
    let person = &demo_citizens()[2];
    let token = citizen(&app, 2).await;
    accept(&app, &token, person.wechat_openid, STATUS_TEMPLATE).await;
    let (status, applications) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&token), None)
        .await;
    assert_eq!(status, 200, "{applications}");
    let open = applications["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["status"] == "inReview")
        .expect("an application under review");
    let project = open["projectNo"].as_str().expect("projectNo").to_string();

    let delivery = app
        .gov
        .advance_application(&project, "11")
        .await
        .expect("delivered");
    assert!(delivery.acknowledged(), "{delivery:?}");
    let body = settled(&app, &token).await;
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{body}");
    assert_eq!(items[0]["kind"], "applicationStatus");
    assert_eq!(items[0]["subjectId"], project.as_str());
    assert_eq!(items[0]["channel"], "wechat");
    let sent = app.wechat.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].data["phrase2"], "已办结");

    // The platform delivers one event twice (its retry after a lost answer): one notice.
    let ready = json!({
        "eventId": "c0ffee00-0000-4000-8000-000000000016",
        "type": "application_status_changed",
        "occurredAt": "2026-11-22T10:05:00+08:00",
        "subject": {"type": "person", "idNumber": person.id_number},
        "application": {"projectNo": project, "taskCode": "t", "status": "16", "statusSeq": 99,
            "taskName": {"zh": "城乡居民养老保险待遇申领"}}
    });
    for _ in 0..2 {
        let delivery = app.gov.send_event(&ready).await.expect("delivered");
        assert!(delivery.acknowledged(), "{delivery:?}");
    }
    let body = settled(&app, &token).await;
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{body}");
    assert!(
        items[0]["title"]
            .as_str()
            .expect("title")
            .contains("可以领取")
    );
}

#[tokio::test]
async fn transient_failures_are_retried_until_the_gateway_answers() {
    let app = app_with(|config| {
        config.push.app.provider_rate_cap_per_sec = 40;
        config.push.app.rate_per_sec = 36;
    })
    .await;
    app.push.set_rate_cap(40);
    let token = citizen(&app, 0).await;
    let rid = app.push.register_device(DevicePlatform::Ios);
    app.call(
        Method::PUT,
        &format!("/v1/me/devices/{rid}"),
        Some(&token),
        Some(json!({"platform": "ios"})),
    )
    .await;
    // The gateway is down for the first sends.
    app.push.set_faults(tongban::sim::push::Faults {
        outage: true,
        ..Default::default()
    });
    let key = operator(&app).await;
    publish(&app, &key, childcare()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        inbox(&app, &token, "zh-Hans").await["items"][0]["delivery"],
        "pending"
    );
    app.push.set_faults(Default::default());
    let body = settled(&app, &token).await;
    assert_eq!(body["items"][0]["delivery"], "sent", "{body}");
    assert_eq!(app.push.pushes_to(&rid).len(), 1);
    let attempts: Vec<(String, String)> =
        tongban::db::query_as("SELECT channel, outcome FROM notification_attempts ORDER BY id")
            .fetch_all(app.state.store.pool())
            .await
            .expect("attempts");
    assert!(attempts.len() >= 2, "{attempts:?}");
    assert!(attempts.iter().any(|(_, o)| o == "transient"));
    assert_eq!(attempts.last().map(|(_, o)| o.as_str()), Some("accepted"));
}

#[tokio::test]
async fn an_operator_pauses_resumes_and_follows_a_campaign() {
    let app = app_with(|_| {}).await;
    let token = citizen(&app, 0).await;
    let key = app
        .state
        .admin_keys
        .create(
            "push desk",
            &["policies:write".to_string(), "push:write".to_string()],
        )
        .await
        .expect("key")
        .1;
    let sweep = publish(&app, &key, childcare()).await;
    let campaign = sweep["id"].as_str().expect("sweep id");
    settled(&app, &token).await;
    let get = |path: String| {
        let app = &app;
        let key = key.clone();
        async move {
            let resp = app
                .client
                .post(format!("{}{path}", app.base))
                .header("X-Admin-Key", key)
                .send()
                .await
                .expect("sent");
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, paused) = get(format!("/v1/admin/campaigns/{campaign}/pause")).await;
    assert_eq!(status, 200, "{paused}");
    assert_eq!(paused["paused"], true);
    assert_eq!(paused["total"], 1);
    assert_eq!(paused["states"]["inbox"], 1, "{paused}");
    let (status, resumed) = get(format!("/v1/admin/campaigns/{campaign}/resume")).await;
    assert_eq!(status, 200);
    assert_eq!(resumed["paused"], false);
    let (status, retried) = get(format!("/v1/admin/campaigns/{campaign}/retry")).await;
    assert_eq!(status, 200);
    assert_eq!(retried["requeued"], 0);
    let (status, missing) = get("/v1/admin/campaigns/no_such_campaign/pause".into()).await;
    assert_eq!(status, 404);
    assert_eq!(missing["code"], "campaign_not_found");
}

#[tokio::test]
async fn an_unknown_template_is_refused_with_a_localized_problem() {
    let app = app_with(|_| {}).await;
    let token = citizen(&app, 0).await;
    let (status, body) = app
        .call_json(
            Method::POST,
            "/v1/me/subscriptions?lang=kk-Arab",
            Some(&token),
            Some(json!({"platform": "wechat", "results": [{"templateId": "someone-elses", "result": "accept"}]})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "template_unknown");
    assert!(is_arabic_script(body["title"].as_str().expect("title")));
}

/// People reached by app push only, written straight to the store with a campaign's
/// notifications, as a sweep would leave them.
pub(crate) async fn seed_campaign(app: &TestApp, campaign: &str, people: usize) {
    let outbox = app.state.push.outbox().clone();
    let mut tx = app.state.store.pool().begin().await.expect("tx");
    for i in 0..people {
        let account = format!("acc_{campaign}{i:05}");
        tongban::db::query("INSERT INTO accounts (id, created_at) VALUES ($1, 0)")
            .bind(&account)
            .execute(&mut tx)
            .await
            .expect("account");
        let rid = app.push.register_device(DevicePlatform::Android);
        tongban::db::query(
            "INSERT INTO push_devices (registration_id, account_id, platform, created_at)
             VALUES ($1, $2, 'android', 0)",
        )
        .bind(&rid)
        .bind(&account)
        .execute(&mut tx)
        .await
        .expect("device");
        let notification = NewNotification {
            account_id: &account,
            cause: &format!("{campaign}:{i}"),
            version: "offer",
            params: Params::BenefitOffer {
                offer_id: format!("ofr_{campaign}{i:05}"),
                policy_id: "campaign".into(),
                policy: Text3 {
                    zh_hans: "高龄津贴".into(),
                    ug_arab: "ياشانغانلار ياردەم پۇلى".into(),
                    kk_arab: "قارتتار جاردەماقىسى".into(),
                },
                amount_fen: None,
                amount_unit: None,
                confirm_by: None,
            },
            campaign_id: Some(campaign),
        };
        outbox
            .enqueue(&mut tx, &notification)
            .await
            .expect("enqueue");
    }
    tx.commit().await.expect("commit");
    outbox.wake();
}

#[tokio::test]
async fn a_big_campaign_does_not_hold_back_an_application_decision() {
    let app = app_with(|config| {
        config.push.app.rate_per_sec = 200;
        config.push.batch_size = 50;
    })
    .await;
    seed_campaign(&app, "swp_big", 1_000).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Citizen 2's application is decided while the campaign is under way.
    let person = &demo_citizens()[2];
    let token = citizen(&app, 2).await;
    accept(&app, &token, person.wechat_openid, STATUS_TEMPLATE).await;
    let (_, applications) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&token), None)
        .await;
    let project = applications["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["status"] == "inReview")
        .and_then(|a| a["projectNo"].as_str())
        .expect("an application under review")
        .to_string();
    app.gov
        .advance_application(&project, "13")
        .await
        .expect("delivered");
    let body = settled(&app, &token).await;
    assert_eq!(body["items"][0]["kind"], "applicationStatus");
    assert_eq!(body["items"][0]["delivery"], "sent");

    let (sent_before, left): (i64, i64) = tongban::db::query_as(
        "SELECT
           COUNT(CASE WHEN c.state = 'sent' AND c.finished_at <= s.finished_at THEN 1 END),
           COUNT(CASE WHEN c.state IN ('queued', 'sending') THEN 1 END)
         FROM notifications c, notifications s
         WHERE c.campaign_id = 'swp_big' AND s.kind = 'application_status'",
    )
    .fetch_one(app.state.store.pool())
    .await
    .expect("progress");
    assert!(left > 0, "the campaign was still going");
    assert!(
        sent_before < 500,
        "the decision went out after {sent_before} of 1,000 campaign messages"
    );
}

#[tokio::test]
async fn an_alipay_user_is_told_through_alipay_and_metrics_count_it() {
    let app = app_with(|_| {}).await;
    let person = &demo_citizens()[0];
    let tokens = app.login_alipay("074test_alipay_person").await;
    let token = access(&tokens);
    let (status, body) = app
        .bind_real_name(&token, person.name, person.id_number)
        .await;
    assert_eq!(status, 200, "{body}");
    let user: String = tongban::db::query_scalar(
        "SELECT subject FROM platform_identities WHERE platform = 'alipay' LIMIT 1",
    )
    .fetch_one(app.state.store.pool())
    .await
    .expect("the Alipay login");
    app.alipay.grant_subscription(&user, OFFER_TEMPLATE, false);
    let (status, _) = app
        .call_json(
            Method::POST,
            "/v1/me/subscriptions",
            Some(&token),
            Some(json!({"platform": "alipay", "results": [{"templateId": OFFER_TEMPLATE, "result": "accept"}]})),
        )
        .await;
    assert_eq!(status, 200);
    // Home read before the offer keeps an empty notifications section; the offer's
    // notification must make it forget that at once.
    let (_, home) = app
        .call_json(Method::GET, "/v1/home", Some(&token), None)
        .await;
    assert_eq!(home["notifications"]["unread"], 0, "{home}");
    let key = operator(&app).await;
    publish(&app, &key, childcare()).await;
    let body = settled(&app, &token).await;
    assert_eq!(body["items"][0]["channel"], "alipay", "{body}");
    let id = body["items"][0]["id"].as_str().expect("id");
    let sent = app.alipay.sent_messages();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].page.ends_with(&format!("n={id}")),
        "{:?}",
        sent[0].page
    );
    assert!(sent[0].data.values().all(|v| v.chars().count() <= 50));

    let (_, home) = app
        .call_json(Method::GET, "/v1/home", Some(&token), None)
        .await;
    assert_eq!(home["notifications"]["unread"], 1, "{home}");
    assert_eq!(home["notifications"]["latest"][0]["id"], id);
    // The section is kept per person; reading the notification shows on home at once.
    let (status, _) = app
        .call_json(
            Method::POST,
            &format!("/v1/notifications/{id}/read"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (_, home) = app
        .call_json(Method::GET, "/v1/home", Some(&token), None)
        .await;
    assert_eq!(home["notifications"]["unread"], 0, "{home}");
    assert_eq!(home["notifications"]["latest"], serde_json::json!([]));

    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        metrics.contains(r#"tongban_push_attempts_total{channel="alipay",outcome="accepted"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_campaign_at_full_pace_never_hits_the_gateways_cap() {
    let app = app_with(|config| {
        config.push.app.provider_rate_cap_per_sec = 40;
        config.push.app.rate_per_sec = 36;
    })
    .await;
    app.push.set_rate_cap(40);
    seed_campaign(&app, "swp_cap", 150).await;
    let pool = app.state.store.pool();
    for _ in 0..400 {
        let open: i64 = tongban::db::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE state IN ('queued', 'sending')",
        )
        .fetch_one(pool)
        .await
        .expect("progress");
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent: i64 =
        tongban::db::query_scalar("SELECT COUNT(*) FROM notifications WHERE state = 'sent'")
            .fetch_one(pool)
            .await
            .expect("sent");
    assert_eq!(sent, 150, "the campaign finished");
    let refused: i64 =
        tongban::db::query_scalar("SELECT COUNT(*) FROM notification_attempts WHERE code = '2002'")
            .fetch_one(pool)
            .await
            .expect("attempts");
    assert_eq!(refused, 0, "the gateway never answered 2002 (rate limited)");
    assert_eq!(app.push.all_pushes().len(), 150);
}
