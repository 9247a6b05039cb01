//! The Alipay client against the simulator: each test is one behaviour of the real gateway that
//! the client must handle, or one gateway check the simulator must reproduce.

use std::{collections::BTreeMap, time::Duration};

use secrecy::SecretString;

use super::*;
use crate::{
    config::AlipayUpstreamConfig,
    upstream::alipay::{AlipayClient, AlipayError},
};

struct Setup {
    sim: AlipaySim,
    client: AlipayClient,
    config: AlipayUpstreamConfig,
    app_private_key: PKey<Private>,
}

async fn setup() -> Setup {
    let (app_private_key, app_public_key) = sign::generate_key_pair().expect("app key pair");
    let config = AlipayUpstreamConfig::default();
    let sim = AlipaySim::start(&config.app_id, app_public_key)
        .await
        .expect("simulator starts");
    let client = AlipayClient::new(
        &config,
        sim.gateway_url(),
        app_private_key.clone(),
        sim.alipay_public_key(),
    )
    .expect("client");
    Setup {
        sim,
        client,
        config,
        app_private_key,
    }
}

fn keywords(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

/// Posts a hand-built request signed with the app key over `query` and `body` (form text that
/// needs no decoding), so tests can put parameters where the client never would. Returns the
/// raw answer.
async fn raw_call(setup: &Setup, query: &[(&str, String)], body: &str) -> String {
    let mut params: BTreeMap<String, String> = query
        .iter()
        .map(|(key, value)| (key.to_string(), value.clone()))
        .collect();
    for pair in body.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').expect("key=value");
        params.insert(key.into(), value.into());
    }
    let signature =
        sign::rsa2_sign(&setup.app_private_key, &sign::sign_content(&params)).expect("signs");
    let mut query = query.to_vec();
    query.push(("sign", signature));
    reqwest::Client::new()
        .post(setup.sim.gateway_url())
        .query(&query)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body")
}

fn protocol_params(setup: &Setup, timestamp: jiff::Timestamp) -> Vec<(&'static str, String)> {
    vec![
        ("app_id", setup.config.app_id.clone()),
        ("method", "alipay.system.oauth.token".into()),
        ("sign_type", "RSA2".into()),
        ("timestamp", sign::timestamp_gmt8(timestamp)),
        ("version", "1.0".into()),
    ]
}

#[tokio::test]
async fn an_auth_code_is_exchanged_for_the_citizens_open_id_and_a_token() {
    let Setup { sim, client, .. } = setup().await;
    let older_app_user = sim.mint_auth_code(DEMO_OPEN_IDS[0]);
    let new_app_user = sim.mint_auth_code(DEMO_OPEN_IDS[2]);

    let older = client
        .oauth_token(&older_app_user)
        .await
        .expect("exchanged");
    let newer = client.oauth_token(&new_app_user).await.expect("exchanged");

    assert_eq!(older.open_id.as_deref(), Some(DEMO_OPEN_IDS[0]));
    assert_eq!(older.user_id.as_deref(), Some("2088102150477652"));
    assert_eq!(older.expires_in, 3600);
    assert_eq!(newer.open_id.as_deref(), Some(DEMO_OPEN_IDS[2]));
    assert_eq!(newer.user_id, None);
    assert_eq!(sim.calls("alipay.system.oauth.token"), 2);
}

#[tokio::test]
async fn a_reused_auth_code_is_refused_as_code_invalid() {
    let Setup { sim, client, .. } = setup().await;
    let code = sim.mint_auth_code("any-open-id");
    client.oauth_token(&code).await.expect("first use");

    let reused = client.oauth_token(&code).await;

    assert!(
        matches!(reused, Err(AlipayError::CodeInvalid)),
        "{reused:?}"
    );
}

#[tokio::test]
async fn an_auth_code_older_than_three_minutes_is_refused_as_code_invalid() {
    let Setup { sim, client, .. } = setup().await;
    let code = sim.mint_auth_code(DEMO_OPEN_IDS[1]);
    sim.advance_clock(Duration::from_secs(181));

    let late = client.oauth_token(&code).await;

    assert!(matches!(late, Err(AlipayError::CodeInvalid)), "{late:?}");
}

#[tokio::test]
async fn a_request_signed_with_the_wrong_key_is_refused_without_leaking_the_code() {
    let setup = setup().await;
    let (wrong_key, _) = sign::generate_key_pair().expect("key pair");
    let client = AlipayClient::new(
        &setup.config,
        setup.sim.gateway_url(),
        wrong_key,
        setup.sim.alipay_public_key(),
    )
    .expect("client");
    let code = setup.sim.mint_auth_code(DEMO_OPEN_IDS[0]);

    let refused = client.oauth_token(&code).await;

    let Err(AlipayError::InvalidSignature(echo)) = refused else {
        panic!("expected InvalidSignature, got {refused:?}");
    };
    assert!(echo.contains("method=alipay.system.oauth.token"), "{echo}");
    assert!(!echo.contains(&code), "{echo}");
}

#[tokio::test]
async fn a_tampered_response_signature_is_rejected() {
    let Setup { sim, client, .. } = setup().await;
    sim.set_corrupt_signatures(true);
    let code = sim.mint_auth_code(DEMO_OPEN_IDS[0]);

    let tampered = client.oauth_token(&code).await;

    assert!(
        matches!(tampered, Err(AlipayError::BadResponseSignature)),
        "{tampered:?}"
    );
}

#[tokio::test]
async fn answers_are_rejected_when_the_app_public_key_is_configured_instead_of_alipays() {
    let setup = setup().await;
    let app_public_key =
        PKey::public_key_from_der(&setup.app_private_key.public_key_to_der().expect("der"))
            .expect("public key");
    let client = AlipayClient::new(
        &setup.config,
        setup.sim.gateway_url(),
        setup.app_private_key.clone(),
        app_public_key,
    )
    .expect("client");
    let code = setup.sim.mint_auth_code(DEMO_OPEN_IDS[0]);

    let answer = client.oauth_token(&code).await;

    assert!(
        matches!(answer, Err(AlipayError::BadResponseSignature)),
        "{answer:?}"
    );
}

#[tokio::test]
async fn the_profile_verifies_although_its_slashes_arrive_escaped() {
    let Setup { sim, client, .. } = setup().await;
    let code = sim.mint_auth_code(DEMO_OPEN_IDS[0]);
    let token = client.oauth_token(&code).await.expect("token");

    let profile = client
        .user_info(&token.access_token)
        .await
        .expect("profile");

    assert_eq!(profile.open_id.as_deref(), Some(DEMO_OPEN_IDS[0]));
    assert_eq!(profile.user_id.as_deref(), Some("2088102150477652"));
    assert_eq!(profile.nick_name.as_deref(), Some("阿依古丽"));
    assert_eq!(profile.is_certified, Some(true));
    assert_eq!(profile.user_type.as_deref(), Some("2"));
}

#[tokio::test]
async fn an_unknown_or_expired_auth_token_is_refused_as_invalid_auth_token() {
    let Setup { sim, client, .. } = setup().await;
    let code = sim.mint_auth_code(DEMO_OPEN_IDS[1]);
    let token = client.oauth_token(&code).await.expect("token");
    let unknown = client
        .user_info(&SecretString::from("authusrBforged"))
        .await;
    sim.advance_clock(Duration::from_secs(3601));

    let expired = client.user_info(&token.access_token).await;

    assert!(
        matches!(unknown, Err(AlipayError::InvalidAuthToken)),
        "{unknown:?}"
    );
    assert!(
        matches!(expired, Err(AlipayError::InvalidAuthToken)),
        "{expired:?}"
    );
}

/// Four keyword values for the default templates, the first one `first`.
fn four_keywords(first: &str) -> BTreeMap<String, String> {
    keywords(&[
        ("keyword1", first),
        ("keyword2", "已受理"),
        ("keyword3", "2025-03-01 10:00"),
        ("keyword4", "乌鲁木齐市政务服务中心"),
    ])
}

const CITIZEN: &str = "2088102150477652";

#[tokio::test]
async fn a_subscribed_template_message_is_delivered_with_its_keywords_and_page() {
    let Setup { sim, client, .. } = setup().await;
    sim.grant_subscription(CITIZEN, APPLICATION_STATUS_TEMPLATE, false);
    let data = four_keywords("居民医保缴费提醒");

    client
        .send_template_message(
            CITIZEN,
            APPLICATION_STATUS_TEMPLATE,
            "pages/notice/detail?nid=7",
            &data,
        )
        .await
        .expect("sent");

    assert_eq!(
        sim.sent_messages(),
        vec![SentTemplateMessage {
            to_user_id: CITIZEN.into(),
            user_template_id: APPLICATION_STATUS_TEMPLATE.into(),
            page: "pages/notice/detail?nid=7".into(),
            data,
        }]
    );
}

#[tokio::test]
async fn a_one_time_subscription_is_spent_by_one_send() {
    let Setup { sim, client, .. } = setup().await;
    sim.grant_subscription(DEMO_OPEN_IDS[0], BENEFIT_OFFER_TEMPLATE, false);
    let data = four_keywords("高龄津贴");
    let send = || {
        client.send_template_message(
            DEMO_OPEN_IDS[0],
            BENEFIT_OFFER_TEMPLATE,
            "pages/benefit/offer?nid=3",
            &data,
        )
    };

    let first = send().await;
    let second = send().await;

    assert!(first.is_ok(), "{first:?}");
    let err = second.expect_err("spent");
    assert!(err.is_subscription_gone(), "{err:?}");
    assert!(!err.is_invalid_argument() && !err.is_transient());
    assert!(!sim.has_subscription(DEMO_OPEN_IDS[0], BENEFIT_OFFER_TEMPLATE));
    assert_eq!(sim.sent_messages().len(), 1);
}

#[tokio::test]
async fn a_long_term_subscription_is_not_spent_until_the_user_turns_it_off() {
    let Setup { sim, client, .. } = setup().await;
    sim.grant_subscription(CITIZEN, APPLICATION_STATUS_TEMPLATE, true);
    let data = four_keywords("进度更新");
    let send =
        || client.send_template_message(CITIZEN, APPLICATION_STATUS_TEMPLATE, "pages/index", &data);

    for _ in 0..3 {
        send().await.expect("long-term");
    }
    sim.user_unsubscribes(CITIZEN, APPLICATION_STATUS_TEMPLATE);
    let after = send().await;

    assert!(
        after.as_ref().is_err_and(AlipayError::is_subscription_gone),
        "{after:?}"
    );
    assert_eq!(sim.sent_messages().len(), 3);
}

#[tokio::test]
async fn a_keyword_value_of_51_characters_is_refused_and_50_are_accepted() {
    let Setup { sim, client, .. } = setup().await;
    sim.grant_subscription(CITIZEN, APPLICATION_STATUS_TEMPLATE, true);
    let send = |first: String| {
        let client = client.clone();
        async move {
            client
                .send_template_message(
                    CITIZEN,
                    APPLICATION_STATUS_TEMPLATE,
                    "pages/index",
                    &four_keywords(&first),
                )
                .await
        }
    };

    let accepted = send("办".repeat(50)).await;
    let refused = send("办".repeat(51)).await;

    assert!(accepted.is_ok(), "{accepted:?}");
    let Err(err @ AlipayError::Business { .. }) = refused else {
        panic!("expected Business, got {refused:?}");
    };
    assert!(
        matches!(&err, AlipayError::Business { sub_code, .. } if sub_code == "USER_KEYWORD_LENGTH_ERROR")
    );
    assert!(err.is_invalid_argument());
    assert_eq!(sim.sent_messages().len(), 1);
}

#[tokio::test]
async fn an_unknown_template_or_wrong_keywords_are_invalid_arguments_that_spend_nothing() {
    let Setup { sim, client, .. } = setup().await;
    sim.grant_subscription(CITIZEN, APPLICATION_STATUS_TEMPLATE, false);
    let three = keywords(&[("keyword1", "a"), ("keyword2", "b"), ("keyword3", "c")]);
    let mut five = four_keywords("a");
    five.insert("keyword5".into(), "e".into());

    let unknown = client
        .send_template_message(
            CITIZEN,
            "TPL-NEVER-TAKEN",
            "pages/index",
            &four_keywords("a"),
        )
        .await;
    let missing = client
        .send_template_message(CITIZEN, APPLICATION_STATUS_TEMPLATE, "pages/index", &three)
        .await;
    let extra = client
        .send_template_message(CITIZEN, APPLICATION_STATUS_TEMPLATE, "pages/index", &five)
        .await;

    let code = |outcome: &Result<(), AlipayError>| match outcome {
        Err(AlipayError::Business { sub_code, .. }) => sub_code.clone(),
        other => format!("{other:?}"),
    };
    assert_eq!(code(&unknown), "USER_TEMPLATE_ILLEGAL");
    assert_eq!(code(&missing), "USER_TEMPLATE_LACK_KEYWORD");
    assert_eq!(code(&extra), "USER_TEMPLATE_LACK_KEYWORD");
    for outcome in [unknown, missing, extra] {
        assert!(outcome.is_err_and(|err| err.is_invalid_argument()));
    }
    assert!(sim.has_subscription(CITIZEN, APPLICATION_STATUS_TEMPLATE));
}

#[tokio::test]
async fn a_send_to_an_unknown_user_or_without_a_subscription_says_which() {
    let Setup { sim, client, .. } = setup().await;
    sim.add_template("TPL-TWO", 2);
    let two = keywords(&[("keyword1", "a"), ("keyword2", "b")]);

    let stranger = client
        .send_template_message("2088000000000000", "TPL-TWO", "pages/index", &two)
        .await;
    let unsubscribed = client
        .send_template_message(DEMO_OPEN_IDS[2], "TPL-TWO", "pages/index", &two)
        .await;

    let stranger = stranger.expect_err("unknown user");
    assert!(
        stranger.is_unknown_user() && !stranger.is_subscription_gone(),
        "{stranger:?}"
    );
    let unsubscribed = unsubscribed.expect_err("no subscription");
    assert!(unsubscribed.is_subscription_gone(), "{unsubscribed:?}");
    assert!(sim.sent_messages().is_empty());
}

#[tokio::test]
async fn an_outage_is_reported_as_unavailable() {
    let Setup { sim, client, .. } = setup().await;
    sim.set_faults(Faults {
        outage: true,
        latency: Duration::ZERO,
    });
    let code = sim.mint_auth_code(DEMO_OPEN_IDS[0]);

    let answer = client.oauth_token(&code).await;

    assert!(
        matches!(answer, Err(AlipayError::Unavailable(_))),
        "{answer:?}"
    );
    let send = client
        .send_template_message(
            CITIZEN,
            APPLICATION_STATUS_TEMPLATE,
            "pages/index",
            &four_keywords("a"),
        )
        .await;
    assert!(send.is_err_and(|err| err.is_transient()));
}

#[tokio::test]
async fn a_notification_signed_by_alipay_verifies_until_one_value_changes() {
    let Setup { sim, client, .. } = setup().await;
    let form: Vec<(String, String)> = [
        ("notify_id", "2024051300222"),
        ("notify_type", "trade_status_sync"),
        ("passback_params", "a%3Db+c"),
        ("total_amount", "9.00"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_string(), value.to_string()))
    .collect();
    let genuine = sim.sign_notify(&form);
    let mut forged = genuine.clone();
    if let Some(amount) = forged.iter_mut().find(|(key, _)| key == "total_amount") {
        amount.1 = "90.00".into();
    }

    assert!(client.verify_notify(&genuine));
    assert!(!client.verify_notify(&forged));
}

#[tokio::test]
async fn charset_outside_the_query_is_refused_as_an_invalid_signature() {
    let setup = setup().await;
    let query = protocol_params(&setup, jiff::Timestamp::now());

    let answer = raw_call(
        &setup,
        &query,
        "charset=utf-8&grant_type=authorization_code",
    )
    .await;

    assert!(
        answer.starts_with(r#"{"error_response":{"code":"40002""#),
        "{answer}"
    );
    assert!(answer.contains("isv.invalid-signature"), "{answer}");
}

#[tokio::test]
async fn a_timestamp_twenty_minutes_old_is_refused_and_one_of_ten_minutes_is_not() {
    let setup = setup().await;
    let now = jiff::Timestamp::now();
    let with_charset = |minutes: i64| {
        let mut query = protocol_params(&setup, now - jiff::SignedDuration::from_mins(minutes));
        query.push(("charset", "utf-8".into()));
        query
    };

    let stale = raw_call(&setup, &with_charset(20), "grant_type=authorization_code").await;
    let recent = raw_call(&setup, &with_charset(10), "grant_type=authorization_code").await;

    assert!(stale.contains("isv.invalid-timestamp"), "{stale}");
    assert!(recent.contains("isv.code-invalid"), "{recent}");
}

#[test]
fn demo_user_ids_belong_to_demo_citizens_and_look_like_alipay_user_ids() {
    for (open_id, user_id) in DEMO_USER_IDS {
        assert!(DEMO_OPEN_IDS.contains(open_id));
        assert_eq!(user_id.len(), 16);
        assert!(user_id.starts_with("2088"));
        assert!(user_id.bytes().all(|byte| byte.is_ascii_digit()));
    }
}
