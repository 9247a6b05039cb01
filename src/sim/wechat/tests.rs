//! The simulator's wire behaviour seen with a bare HTTP client, for what the WeChat client
//! never sends (GETs to POST endpoints, broken bodies, missing tokens) and for `stable_token`'s
//! two modes.

use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Value, json};

use super::*;

const APP_ID: &str = "wx_sim_test_app";
const SECRET: &str = "sim-secret";

async fn start() -> (WechatSim, reqwest::Client) {
    let sim = WechatSim::start(APP_ID, &SecretString::from(SECRET))
        .await
        .expect("simulator starts");
    (sim, reqwest::Client::new())
}

async fn post(http: &reqwest::Client, url: String, body: &Value) -> Value {
    http.post(url)
        .json(body)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON answer")
}

async fn token(sim: &WechatSim, http: &reqwest::Client, force: bool) -> Value {
    let body = json!({
        "grant_type": "client_credential", "appid": APP_ID, "secret": SECRET,
        "force_refresh": force,
    });
    post(
        http,
        format!("{}/cgi-bin/stable_token", sim.base_url()),
        &body,
    )
    .await
}

async fn sec_check(sim: &WechatSim, http: &reqwest::Client, token: &str, content: &str) -> Value {
    let body = json!({"version": 2, "openid": DEMO_OPENIDS[0], "scene": 2, "content": content});
    let url = format!("{}/wxa/msg_sec_check?access_token={token}", sim.base_url());
    post(http, url, &body).await
}

fn access_token(answer: &Value) -> String {
    answer["access_token"]
        .as_str()
        .expect("a token")
        .to_string()
}

#[tokio::test]
async fn stable_token_refuses_get_and_bodies_that_are_not_json() {
    let (sim, http) = start().await;
    let url = format!("{}/cgi-bin/stable_token", sim.base_url());

    let get: Value = http
        .get(&url)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let form: Value = http
        .post(&url)
        .body("grant_type=client_credential")
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");

    assert_eq!(get["errcode"], json!(43002));
    assert_eq!(form["errcode"], json!(47001));
    let errmsg = form["errmsg"].as_str().expect("errmsg");
    assert!(errmsg.starts_with("data format error, rid: "), "{errmsg}");
    assert_eq!(sim.calls("/cgi-bin/stable_token"), 2);
}

#[tokio::test]
async fn stable_token_checks_the_appid_and_secret() {
    let (sim, http) = start().await;
    let url = format!("{}/cgi-bin/stable_token", sim.base_url());
    let ask = |appid: &str, secret: &str| json!({"grant_type": "client_credential", "appid": appid, "secret": secret});

    assert_eq!(
        post(&http, url.clone(), &ask("wx_other", SECRET)).await["errcode"],
        json!(40013)
    );
    assert_eq!(
        post(&http, url, &ask(APP_ID, "wrong")).await["errcode"],
        json!(40125)
    );
}

#[tokio::test]
async fn normal_mode_returns_the_same_token_with_its_remaining_lifetime() {
    let (sim, http) = start().await;

    let first = token(&sim, &http, false).await;
    sim.advance_clock(Duration::from_secs(100));
    let second = token(&sim, &http, false).await;

    assert_eq!(first["expires_in"], json!(7200));
    assert!(first.get("errcode").is_none());
    assert_eq!(access_token(&second), access_token(&first));
    assert_eq!(second["expires_in"], json!(7100));
}

#[tokio::test]
async fn normal_mode_renews_five_minutes_before_expiry_and_the_old_token_lives_on() {
    let (sim, http) = start().await;
    let old = access_token(&token(&sim, &http, false).await);

    sim.advance_clock(Duration::from_secs(7200 - 299));
    let renewed = token(&sim, &http, false).await;

    assert_ne!(access_token(&renewed), old);
    assert_eq!(renewed["expires_in"], json!(7200));
    assert_eq!(
        sec_check(&sim, &http, &old, "你好").await["errcode"],
        json!(0)
    );
    sim.advance_clock(Duration::from_secs(300));
    assert_eq!(
        sec_check(&sim, &http, &old, "你好").await["errcode"],
        json!(42001)
    );
}

#[tokio::test]
async fn force_mode_replaces_the_token_at_most_every_30_s_and_revokes_the_old_one() {
    let (sim, http) = start().await;
    let first = access_token(&token(&sim, &http, false).await);

    let forced = access_token(&token(&sim, &http, true).await);
    let too_soon = access_token(&token(&sim, &http, true).await);
    sim.advance_clock(Duration::from_secs(30));
    let later = access_token(&token(&sim, &http, true).await);

    assert_ne!(forced, first);
    assert_eq!(too_soon, forced);
    assert_ne!(later, forced);
    assert_eq!(
        sec_check(&sim, &http, &first, "你好").await["errcode"],
        json!(40001)
    );
    assert_eq!(
        sec_check(&sim, &http, &later, "你好").await["errcode"],
        json!(0)
    );
}

#[tokio::test]
async fn the_21st_forced_refresh_of_a_day_is_refused_with_45009() {
    let (sim, http) = start().await;
    for _ in 0..20 {
        assert!(token(&sim, &http, true).await.get("access_token").is_some());
        sim.advance_clock(Duration::from_secs(31));
    }

    assert_eq!(token(&sim, &http, true).await["errcode"], json!(45009));
}

#[tokio::test]
async fn business_calls_check_the_access_token() {
    let (sim, http) = start().await;
    let url = format!("{}/wxa/msg_sec_check", sim.base_url());
    let body = json!({"version": 2, "openid": DEMO_OPENIDS[0], "scene": 2, "content": "x"});

    assert_eq!(post(&http, url, &body).await["errcode"], json!(41001));
    assert_eq!(
        sec_check(&sim, &http, "forged", "x").await["errcode"],
        json!(40001)
    );
    let good = access_token(&token(&sim, &http, false).await);
    sim.expire_access_tokens();
    assert_eq!(
        sec_check(&sim, &http, &good, "x").await["errcode"],
        json!(42001)
    );
}

#[tokio::test]
async fn risky_content_still_answers_errcode_0_with_the_verdict_in_result() {
    let (sim, http) = start().await;
    let good = access_token(&token(&sim, &http, false).await);

    let answer = sec_check(&sim, &http, &good, "出售身份证，可加急").await;

    assert_eq!(answer["errcode"], json!(0));
    assert_eq!(answer["errmsg"], json!("ok"));
    assert_eq!(
        answer["result"],
        json!({"suggest": "risky", "label": 20006})
    );
    assert_eq!(answer["detail"][1]["keyword"], json!("出售身份证"));
}

#[tokio::test]
async fn an_outage_answers_errcode_minus_1_with_http_200_and_is_counted() {
    let (sim, http) = start().await;
    sim.set_faults(Faults {
        outage: true,
        latency: Duration::ZERO,
    });

    let response = http
        .get(format!(
            "{}/sns/jscode2session?appid={APP_ID}",
            sim.base_url()
        ))
        .send()
        .await
        .expect("sent");

    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["errcode"], json!(-1));
    assert!(
        answer["errmsg"]
            .as_str()
            .is_some_and(|m| m.starts_with("system error, rid: "))
    );
    assert_eq!(sim.calls("/sns/jscode2session"), 1);
}

#[tokio::test]
async fn code2session_answers_without_errcode_on_success() {
    let (sim, http) = start().await;
    let code = sim.mint_login_code(DEMO_OPENIDS[1]);

    let answer: Value = http
        .get(format!("{}/sns/jscode2session", sim.base_url()))
        .query(&[
            ("appid", APP_ID),
            ("secret", SECRET),
            ("js_code", code.as_str()),
            ("grant_type", "authorization_code"),
        ])
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");

    assert!(answer.get("errcode").is_none(), "{answer}");
    assert_eq!(answer["openid"], json!(DEMO_OPENIDS[1]));
    assert!(answer.get("unionid").is_none());
}

async fn subscribe_send(sim: &WechatSim, http: &reqwest::Client, body: &Value) -> Value {
    let answer = token(sim, http, false).await;
    let url = format!(
        "{}/cgi-bin/message/subscribe/send?access_token={}",
        sim.base_url(),
        access_token(&answer)
    );
    post(http, url, body).await
}

fn status_body(data: Value) -> Value {
    json!({"touser": DEMO_OPENIDS[0], "template_id": APPLICATION_STATUS_TEMPLATE, "data": data})
}

fn status_data() -> Value {
    json!({
        "thing1": {"value": "高龄津贴申请"}, "phrase2": {"value": "已受理"},
        "time3": {"value": "2025-03-01 10:00"}, "thing4": {"value": "乌鲁木齐市政务服务中心"},
    })
}

#[tokio::test]
async fn a_key_the_template_does_not_have_is_refused_by_name_and_costs_nothing() {
    let (sim, http) = start().await;
    sim.grant_subscription(DEMO_OPENIDS[0], APPLICATION_STATUS_TEMPLATE);
    let mut data = status_data();
    data["thing9"] = json!({"value": "多余"});

    let answer = subscribe_send(&sim, &http, &status_body(data)).await;

    assert_eq!(answer["errcode"], 47003);
    assert!(
        answer["errmsg"]
            .as_str()
            .is_some_and(|m| m.starts_with("argument invalid! data.thing9.value invalid")),
        "{answer}"
    );
    assert_eq!(
        sim.subscription_credits(DEMO_OPENIDS[0], APPLICATION_STATUS_TEMPLATE),
        1
    );
}

#[tokio::test]
async fn a_value_that_is_not_a_string_is_refused_as_invalid() {
    let (sim, http) = start().await;
    sim.grant_subscription(DEMO_OPENIDS[0], APPLICATION_STATUS_TEMPLATE);
    let mut data = status_data();
    data["time3"] = json!({"value": 1_740_794_400});

    let answer = subscribe_send(&sim, &http, &status_body(data)).await;

    assert_eq!(answer["errcode"], 47003);
    assert!(
        answer["errmsg"]
            .as_str()
            .is_some_and(|m| m.contains("data.time3.value"))
    );
}

#[tokio::test]
async fn an_enum_key_takes_only_its_enumerated_values() {
    let (sim, http) = start().await;
    sim.add_template("tmpl_with_enum", &["thing1", "enum2"]);
    sim.set_template_enum("tmpl_with_enum", "enum2", &["待支付", "已完成"]);
    sim.grant_subscription(DEMO_OPENIDS[0], "tmpl_with_enum");
    let body = |status: &str| {
        json!({"touser": DEMO_OPENIDS[0], "template_id": "tmpl_with_enum",
               "data": {"thing1": {"value": "订单"}, "enum2": {"value": status}}})
    };

    let refused = subscribe_send(&sim, &http, &body("已取消")).await;
    let accepted = subscribe_send(&sim, &http, &body("已完成")).await;

    assert_eq!(refused["errcode"], 47003);
    assert_eq!(accepted["errcode"], 0, "{accepted}");
    assert!(accepted["msgid"].as_i64().is_some());
}

#[tokio::test]
async fn the_default_templates_take_the_keys_tongban_sends() {
    let (sim, http) = start().await;
    sim.grant_subscription(DEMO_OPENIDS[0], BENEFIT_OFFER_TEMPLATE);
    let body = json!({
        "touser": DEMO_OPENIDS[0], "template_id": BENEFIT_OFFER_TEMPLATE,
        "page": "pages/benefit/offer?nid=42",
        "data": {
            "thing1": {"value": "高龄津贴"}, "amount2": {"value": "¥300.00"},
            "date3": {"value": "2025-03-31"}, "thing4": {"value": "乌鲁木齐市民政局"},
            "phrase5": {"value": "待申领"},
        },
    });

    let answer = subscribe_send(&sim, &http, &body).await;

    assert_eq!(answer["errcode"], 0, "{answer}");
    let sent = sim.sent_messages();
    assert_eq!(sent[0].page.as_deref(), Some("pages/benefit/offer?nid=42"));
    assert_eq!(sent[0].data["amount2"], "¥300.00");
}

#[tokio::test]
async fn without_a_push_url_nothing_is_queued() {
    let (sim, http) = start().await;
    sim.grant_subscription(DEMO_OPENIDS[0], APPLICATION_STATUS_TEMPLATE);

    let answer = subscribe_send(&sim, &http, &status_body(status_data())).await;
    sim.user_rejects(DEMO_OPENIDS[0], APPLICATION_STATUS_TEMPLATE);

    assert_eq!(answer["errcode"], 0, "{answer}");
    assert_eq!(sim.pending_push_events(), 0);
    assert!(sim.push_settled(Duration::from_millis(50)).await);
}
