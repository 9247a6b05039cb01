//! Callbacks from WeChat (message push) and Alipay (asynchronous notifications).

use secrecy::SecretString;
use serde_json::json;
use tongban::upstream::wechat::crypto;

use crate::helpers::{TestApp, header, spawn_app, spawn_app_with};

/// WeChat's published secure-mode push (platform-apis.md §1.8).
const OFFICIAL_ENCRYPT: &str = "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=";

async fn official_app() -> TestApp {
    spawn_app_with(|c| {
        let wechat = &mut c.upstream.wechat;
        wechat.push_token = SecretString::from("AAAAA");
        wechat.push_encoding_aes_key = SecretString::from("A".repeat(43));
        wechat.app_id = "wxba5fad812f8e6fb9".into();
    })
    .await
}

#[tokio::test]
async fn wechats_published_url_check_is_answered_with_its_echostr() {
    let app = official_app().await;
    let resp = app
        .get("/v1/hooks/wechat?signature=f464b24fc39322e44b38aa78f5edd27bd1441696&timestamp=1714036504&nonce=1514711492&echostr=4375120948345356249")
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.expect("text"), "4375120948345356249");
    let resp = app
        .get("/v1/hooks/wechat?signature=0464b24fc39322e44b38aa78f5edd27bd1441696&timestamp=1714036504&nonce=1514711492&echostr=4375120948345356249")
        .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(header(&resp, "content-type"), "application/problem+json");
}

#[tokio::test]
async fn wechats_published_secure_push_is_decrypted_and_kept() {
    let app = official_app().await;
    let post = |msg_signature: &str| {
        app.client
            .post(format!(
                "{}/v1/hooks/wechat?signature=x&timestamp=1714112445&nonce=415670741&openid=o9AgO5Kd5ggOC-bXrbNODIiE3bGY&encrypt_type=aes&msg_signature={msg_signature}",
                app.base
            ))
            .json(&json!({"ToUserName": "gh_97417a04a28d", "Encrypt": OFFICIAL_ENCRYPT}))
            .send()
    };
    let resp = post("146e02f8204d34f8ba5fa3b1db94908f3df2e9b3")
        .await
        .expect("sent");
    assert_eq!(resp.status(), 403, "a forged msg_signature is refused");
    assert_eq!(app.state.events.count("wechat").await.expect("count"), 0);

    let resp = post("046e02f8204d34f8ba5fa3b1db94908f3df2e9b3")
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.expect("text"), "success");
    let kept: (String, String) = tongban::db::query_as(
        "SELECT event_type, payload FROM platform_events WHERE platform = 'wechat'",
    )
    .fetch_one(app.state.store.pool())
    .await
    .expect("kept");
    assert_eq!(kept.0, "debug_demo");
    assert!(kept.1.contains("hello world"));
}

#[tokio::test]
async fn a_plain_mode_push_needs_the_three_value_signature() {
    let app = spawn_app().await;
    let token = "devpushtoken";
    let signature = crypto::signature(token, "1714037059", "486452656");
    let body = json!({"ToUserName": "gh_1", "FromUserName": "oTongbanDemoCitizen000000001",
        "CreateTime": 1714037059, "MsgType": "event", "Event": "subscribe_msg_popup_event",
        "List": {"TemplateId": "tpl-1", "SubscribeStatusString": "accept", "PopupScene": "0"}});
    let url = |sig: &str| {
        format!(
            "{}/v1/hooks/wechat?signature={sig}&timestamp=1714037059&nonce=486452656",
            app.base
        )
    };
    let resp = app
        .client
        .post(url("bad"))
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 403);
    let resp = app
        .client
        .post(url(&signature))
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
    assert_eq!(app.state.events.count("wechat").await.expect("count"), 1);
}

#[tokio::test]
async fn an_alipay_notification_is_verified_with_alipays_key_and_answered_success() {
    let app = spawn_app().await;
    let form = app.alipay.sign_notify(&[
        ("notify_id".into(), "2026112200222000000000000001".into()),
        ("notify_type".into(), "open_app_mini_template_msg".into()),
        ("notify_time".into(), "2026-11-22 10:00:00".into()),
        ("app_id".into(), "2021000000000000".into()),
        ("charset".into(), "utf-8".into()),
        ("version".into(), "1.0".into()),
        ("passback_params".into(), "a%3Db&c=d e".into()),
    ]);
    let mut tampered = form.clone();
    if let Some(field) = tampered.iter_mut().find(|(k, _)| k == "notify_time") {
        field.1 = "2026-11-22 10:00:01".into();
    }
    let resp = app
        .client
        .post(format!("{}/v1/hooks/alipay", app.base))
        .form(&tampered)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 403);
    let resp = app
        .client
        .post(format!("{}/v1/hooks/alipay", app.base))
        .form(&form)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.expect("text"), "success");
    assert_eq!(app.state.events.count("alipay").await.expect("count"), 1);
}
