//! The client against the WeChat simulator, one endpoint after another, then the access-token
//! rules end to end. Subscription messages and their pushed events are in `subscribe`.

mod subscribe;

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};

use super::*;
use crate::sim::wechat::{DEMO_OPENIDS, Faults, WechatSim};

const STABLE_TOKEN: &str = "/cgi-bin/stable_token";
const SEC_CHECK: &str = "/wxa/msg_sec_check";

async fn setup() -> (WechatSim, WechatClient) {
    let config = WechatUpstreamConfig::default();
    let sim = WechatSim::start(&config.app_id, &config.app_secret)
        .await
        .expect("simulator starts");
    let client = WechatClient::new(&config, sim.base_url()).expect("client builds");
    (sim, client)
}

#[tokio::test]
async fn a_login_code_exchanges_for_the_openid_unionid_and_a_16_byte_session_key() {
    let (sim, client) = setup().await;
    let code = sim.mint_login_code(DEMO_OPENIDS[0]);

    let session = client.code2session(&code).await.expect("login");

    assert_eq!(session.openid, DEMO_OPENIDS[0]);
    assert_eq!(
        session.unionid.as_deref(),
        Some("oUnionTongbanDemoCitizen000000001")
    );
    let key = STANDARD
        .decode(session.session_key.expose_secret())
        .expect("base64 session key");
    assert_eq!(key.len(), 16);
    assert!(!format!("{session:?}").contains(session.session_key.expose_secret()));
}

#[tokio::test]
async fn a_user_without_an_open_platform_binding_has_no_unionid() {
    let (sim, client) = setup().await;
    let code = sim.mint_login_code("o6_new_citizen");

    let session = client.code2session(&code).await.expect("login");

    assert_eq!(session.openid, "o6_new_citizen");
    assert_eq!(session.unionid, None);
}

#[tokio::test]
async fn a_reused_login_code_is_refused_with_code_used() {
    let (sim, client) = setup().await;
    let code = sim.mint_login_code(DEMO_OPENIDS[1]);
    client.code2session(&code).await.expect("first use");

    assert_eq!(
        client.code2session(&code).await.err(),
        Some(WechatError::CodeUsed)
    );
}

#[tokio::test]
async fn an_unknown_or_expired_login_code_is_invalid() {
    let (sim, client) = setup().await;
    let code = sim.mint_login_code(DEMO_OPENIDS[1]);
    sim.advance_clock(Duration::from_secs(301));

    assert_eq!(
        client.code2session(&code).await.err(),
        Some(WechatError::InvalidCode)
    );
    assert_eq!(
        client.code2session("never-minted").await.err(),
        Some(WechatError::InvalidCode)
    );
}

#[tokio::test]
async fn a_blocked_user_gets_code_blocked() {
    let (sim, client) = setup().await;
    sim.block_login(DEMO_OPENIDS[2]);
    let code = sim.mint_login_code(DEMO_OPENIDS[2]);

    assert_eq!(
        client.code2session(&code).await.err(),
        Some(WechatError::CodeBlocked)
    );
}

#[tokio::test]
async fn the_101st_login_of_one_user_within_a_minute_is_rate_limited() {
    let (sim, client) = setup().await;
    for _ in 0..100 {
        let code = sim.mint_login_code(DEMO_OPENIDS[3]);
        client.code2session(&code).await.expect("within quota");
    }
    let code = sim.mint_login_code(DEMO_OPENIDS[3]);

    assert_eq!(
        client.code2session(&code).await.err(),
        Some(WechatError::RateLimited)
    );
    sim.advance_clock(Duration::from_secs(60));
    client.code2session(&code).await.expect("next minute");
}

#[tokio::test]
async fn a_wrong_app_secret_is_unauthorized_and_never_appears_in_the_error() {
    let (sim, _client) = setup().await;
    let config = WechatUpstreamConfig {
        app_secret: SecretString::from("not-the-secret-x9"),
        ..WechatUpstreamConfig::default()
    };
    let client = WechatClient::new(&config, sim.base_url()).expect("client builds");
    let code = sim.mint_login_code(DEMO_OPENIDS[0]);

    let login = client.code2session(&code).await;
    let check = client
        .msg_sec_check(DEMO_OPENIDS[0], SecScene::Comment, "你好")
        .await;

    for outcome in [login.err(), check.err()] {
        let err = outcome.expect("refused");
        assert!(matches!(err, WechatError::Unauthorized(ref m) if m.contains("40125")));
        assert!(!err.to_string().contains("not-the-secret-x9"));
    }
}

#[tokio::test]
async fn a_phone_code_gives_the_number_once_with_a_numeric_country_code_read_as_text() {
    let (sim, client) = setup().await;
    let code = sim.mint_phone_code(DEMO_OPENIDS[0], "13712349050");

    let phone = client
        .phone_number(&code, Some(DEMO_OPENIDS[0]))
        .await
        .expect("phone");

    assert_eq!(phone.phone_number, "13712349050");
    assert_eq!(phone.pure_phone_number, "13712349050");
    assert_eq!(phone.country_code, "86");
    assert!(!format!("{phone:?}").contains("9050"));
    assert_eq!(
        client.phone_number(&code, None).await.err(),
        Some(WechatError::InvalidCode)
    );
}

#[tokio::test]
async fn a_phone_code_presented_for_another_openid_is_invalid() {
    let (sim, client) = setup().await;
    let code = sim.mint_phone_code(DEMO_OPENIDS[0], "13712349050");

    assert_eq!(
        client
            .phone_number(&code, Some(DEMO_OPENIDS[1]))
            .await
            .err(),
        Some(WechatError::InvalidCode)
    );
}

#[tokio::test]
async fn msg_sec_check_reads_pass_review_and_risky_from_the_result() {
    let (_sim, client) = setup().await;
    let check = |content: &'static str| {
        let client = client.clone();
        async move {
            client
                .msg_sec_check(DEMO_OPENIDS[0], SecScene::Forum, content)
                .await
                .expect("errcode 0 whatever the verdict")
        }
    };

    let pass = check("请问老年人补贴怎么申请？").await;
    let review = check("有问题加微信问我").await;
    let risky = check("专业办假证，价格优惠").await;

    assert_eq!((pass.suggest, pass.label), (Suggest::Pass, 100));
    assert_eq!((review.suggest, review.label), (Suggest::Review, 21000));
    assert_eq!((risky.suggest, risky.label), (Suggest::Risky, 20006));
    assert!(!risky.trace_id.is_empty());
}

#[tokio::test]
async fn msg_sec_check_for_an_unknown_openid_is_an_invalid_openid() {
    let (_sim, client) = setup().await;

    let outcome = client
        .msg_sec_check("o6_nobody", SecScene::Profile, "你好")
        .await;

    assert_eq!(outcome.err(), Some(WechatError::InvalidOpenid));
}

#[tokio::test]
async fn fifty_concurrent_business_calls_on_a_cold_client_fetch_one_token() {
    let (sim, client) = setup().await;
    sim.set_faults(Faults {
        outage: false,
        latency: Duration::from_millis(20),
    });

    let outcomes = futures_util::future::join_all(
        (0..50).map(|_| client.msg_sec_check(DEMO_OPENIDS[0], SecScene::Comment, "你好")),
    )
    .await;

    assert!(outcomes.iter().all(Result::is_ok));
    assert_eq!(sim.calls(STABLE_TOKEN), 1);
    assert_eq!(client.token_fetches(), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_retried_once() {
    let (sim, client) = setup().await;
    client
        .msg_sec_check(DEMO_OPENIDS[0], SecScene::Comment, "你好")
        .await
        .expect("warm");
    sim.expire_access_tokens();

    let verdict = client
        .msg_sec_check(DEMO_OPENIDS[0], SecScene::Comment, "你好")
        .await;

    assert!(verdict.is_ok(), "{verdict:?}");
    assert_eq!(sim.calls(STABLE_TOKEN), 2);
    assert_eq!(sim.calls(SEC_CHECK), 3);
}

#[tokio::test]
async fn a_revoked_token_is_refreshed_once_even_when_two_calls_fail_with_it() {
    let (sim, client) = setup().await;
    client
        .msg_sec_check(DEMO_OPENIDS[0], SecScene::Comment, "你好")
        .await
        .expect("warm");
    sim.revoke_access_tokens();

    let (a, b) = tokio::join!(
        client.msg_sec_check(DEMO_OPENIDS[0], SecScene::Comment, "你好"),
        client.msg_sec_check(DEMO_OPENIDS[1], SecScene::Comment, "你好"),
    );

    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
    assert_eq!(sim.calls(STABLE_TOKEN), 2);
    assert_eq!(sim.calls(SEC_CHECK), 5);
}

#[tokio::test]
async fn a_rejected_token_handed_back_by_normal_mode_is_force_refreshed() {
    let (sim, client) = setup().await;
    client
        .msg_sec_check(DEMO_OPENIDS[0], SecScene::Comment, "你好")
        .await
        .expect("warm");
    sim.reject_current_token_until_forced();

    let verdict = client
        .msg_sec_check(DEMO_OPENIDS[0], SecScene::Comment, "你好")
        .await;

    assert!(verdict.is_ok(), "{verdict:?}");
    // Warm-up, the normal-mode refresh that returned the same token, the forced one.
    assert_eq!(sim.calls(STABLE_TOKEN), 3);
    assert_eq!(client.token_fetches(), 3);
}

#[tokio::test]
async fn an_outage_answering_errcode_minus_1_is_unavailable() {
    let (sim, client) = setup().await;
    sim.set_faults(Faults {
        outage: true,
        latency: Duration::ZERO,
    });
    let code = sim.mint_login_code(DEMO_OPENIDS[0]);

    assert!(matches!(
        client.code2session(&code).await,
        Err(WechatError::Unavailable(_))
    ));
    assert!(matches!(
        client
            .msg_sec_check(DEMO_OPENIDS[0], SecScene::Comment, "你好")
            .await,
        Err(WechatError::Unavailable(_))
    ));
}

#[tokio::test]
async fn an_unreachable_wechat_is_unavailable_without_the_secret_or_code_in_the_error() {
    let config = WechatUpstreamConfig::default();
    // Port 9 (discard) is closed on loopback in any test environment.
    let client = WechatClient::new(&config, "http://127.0.0.1:9".into()).expect("client builds");

    let err = client
        .code2session("code-abc123")
        .await
        .expect_err("nothing listens");

    assert!(matches!(err, WechatError::Unavailable(_)), "{err:?}");
    let text = err.to_string();
    assert!(!text.contains(config.app_secret.expose_secret()), "{text}");
    assert!(!text.contains("code-abc123"), "{text}");
}
