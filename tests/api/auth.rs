//! Logging in with WeChat and Alipay codes, refreshing, logging out.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{access, header, is_arabic_script, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_wechat_login_creates_an_account_whose_token_opens_me() {
    let app = spawn_app().await;
    let tokens = app.login_wechat("o6_test_first").await;
    assert_eq!(tokens["tokenType"], "Bearer");
    assert_eq!(tokens["newAccount"], true);
    assert!(
        tokens["accessTokenExpiresAt"]
            .as_str()
            .unwrap_or("")
            .ends_with("+08:00")
    );
    let (status, me) = app
        .call_json(Method::GET, "/v1/me", Some(&access(&tokens)), None)
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], tokens["accountId"]);
    assert_eq!(me["platforms"][0]["platform"], "wechat");

    let again = app.login_wechat("o6_test_first").await;
    assert_eq!(
        again["accountId"], tokens["accountId"],
        "same person, same account"
    );
    assert_eq!(again["newAccount"], false);
}

#[tokio::test]
async fn a_double_tapped_login_code_gives_one_session_and_one_account() {
    let app = spawn_app().await;
    let code = app.wechat.mint_login_code("o6_test_double_tap");
    let calls = (0..10).map(|_| {
        app.call_json(
            Method::POST,
            "/v1/auth/wechat",
            None,
            Some(json!({"code": code})),
        )
    });
    let answers = futures_util::future::join_all(calls).await;
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["accessToken"], answers[0].1["accessToken"]);
        assert_eq!(body["accountId"], answers[0].1["accountId"]);
    }
    assert_eq!(
        app.wechat.calls("/sns/jscode2session"),
        1,
        "one exchange at WeChat"
    );
    let accounts: i64 = tongban::db::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(app.state.store.pool())
        .await
        .expect("count");
    assert_eq!(accounts, 1);
}

#[tokio::test]
async fn a_login_code_replayed_after_logout_is_refused_as_used() {
    let app = spawn_app().await;
    let code = app.wechat.mint_login_code("o6_test_replay");
    let body = Some(json!({"code": code}));
    let (status, tokens) = app
        .call_json(Method::POST, "/v1/auth/wechat", None, body.clone())
        .await;
    assert_eq!(status, 200);
    // A retry moments later (the client timed out) gets the same login.
    let (status, retry) = app
        .call_json(Method::POST, "/v1/auth/wechat", None, body.clone())
        .await;
    assert_eq!(status, 200);
    assert_eq!(retry["accessToken"], tokens["accessToken"]);

    let resp = app
        .call(
            Method::POST,
            "/v1/auth/logout",
            Some(&access(&tokens)),
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    let (status, problem) = app
        .call_json(Method::POST, "/v1/auth/wechat", None, body)
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "login_code_used");
}

#[tokio::test]
async fn a_code_already_spent_at_wechat_is_a_clear_conflict_in_uyghur() {
    let app = spawn_app().await;
    let code = app.wechat.mint_login_code("o6_test_spent");
    app.state
        .wechat
        .code2session(&code)
        .await
        .expect("first use");
    let resp = app
        .client
        .post(format!("{}/v1/auth/wechat?lang=ug", app.base))
        .json(&json!({"code": code}))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 409);
    assert_eq!(header(&resp, "content-type"), "application/problem+json");
    let problem: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(problem["code"], "login_code_used");
    assert!(is_arabic_script(problem["title"].as_str().unwrap_or("")));
}

#[tokio::test]
async fn an_unknown_login_code_is_a_bad_request() {
    let app = spawn_app().await;
    let (status, problem) = app
        .call_json(
            Method::POST,
            "/v1/auth/wechat",
            None,
            Some(json!({"code": "never-minted"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(problem["code"], "login_code_invalid");
    let (status, problem) = app
        .call_json(
            Method::POST,
            "/v1/auth/wechat",
            None,
            Some(json!({"code": ""})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(problem["code"], "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "code");
}

#[tokio::test]
async fn an_alipay_login_works_and_is_its_own_account_until_real_name_binding() {
    let app = spawn_app().await;
    let tokens = app.login_alipay("074test_alipay_person").await;
    let (status, me) = app
        .call_json(Method::GET, "/v1/me", Some(&access(&tokens)), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(me["platforms"][0]["platform"], "alipay");
    let code = app.alipay.mint_auth_code("074test_alipay_person");
    app.state.alipay.oauth_token(&code).await.expect("spent");
    let (status, problem) = app
        .call_json(
            Method::POST,
            "/v1/auth/alipay",
            None,
            Some(json!({"authCode": code})),
        )
        .await;
    assert_eq!(
        status, 400,
        "alipay reports reuse as an invalid code: {problem}"
    );
    assert_eq!(problem["code"], "login_code_invalid");
}

#[tokio::test]
async fn a_refresh_rotates_and_reusing_the_old_refresh_token_ends_the_login() {
    let app = spawn_app().await;
    let first = app.login_wechat("o6_test_refresh").await;
    let refresh = |token: &serde_json::Value| {
        app.call_json(
            Method::POST,
            "/v1/auth/refresh",
            None,
            Some(json!({"refreshToken": token.clone()})),
        )
    };
    let (status, second) = refresh(&first["refreshToken"]).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(second["accessToken"], first["accessToken"]);
    assert_eq!(second["accountId"], first["accountId"]);
    let (status, _) = app
        .call_json(Method::GET, "/v1/me", Some(&access(&first)), None)
        .await;
    assert_eq!(status, 401, "the old access token died with the rotation");
    let (status, _) = app
        .call_json(Method::GET, "/v1/me", Some(&access(&second)), None)
        .await;
    assert_eq!(status, 200);

    let (status, problem) = refresh(&first["refreshToken"]).await;
    assert_eq!(status, 401);
    assert_eq!(problem["code"], "refresh_token_invalid");
    let (status, problem) = app
        .call_json(Method::GET, "/v1/me", Some(&access(&second)), None)
        .await;
    assert_eq!(status, 401, "reuse revoked the whole login");
    assert_eq!(problem["code"], "unauthorized");
    let (status, _) = refresh(&second["refreshToken"]).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn an_expired_access_token_says_token_expired_so_the_client_refreshes() {
    let app = spawn_app_with(|c| c.auth.access_token_ttl_secs = 0).await;
    let tokens = app.login_wechat("o6_test_expiry").await;
    let (status, problem) = app
        .call_json(Method::GET, "/v1/me", Some(&access(&tokens)), None)
        .await;
    assert_eq!(status, 401);
    assert_eq!(problem["code"], "token_expired");
    let (status, problem) = app.call_json(Method::GET, "/v1/me", None, None).await;
    assert_eq!(status, 401);
    assert_eq!(problem["code"], "unauthorized");
    let (status, problem) = app
        .call_json(Method::GET, "/v1/me", Some("tba_forged"), None)
        .await;
    assert_eq!(status, 401);
    assert_eq!(problem["code"], "unauthorized");
}

#[tokio::test]
async fn logins_from_one_address_are_throttled_with_retry_after() {
    let app = spawn_app_with(|c| c.limits.logins_per_ip_per_minute = 2).await;
    for _ in 0..2 {
        app.login_wechat("o6_test_throttle").await;
    }
    let code = app.wechat.mint_login_code("o6_test_throttle");
    let resp = app
        .call(
            Method::POST,
            "/v1/auth/wechat",
            None,
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = header(&resp, "retry-after")
        .parse()
        .expect("Retry-After seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    let problem: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(problem["code"], "rate_limited");
}

#[tokio::test]
async fn requests_by_one_person_are_limited_per_minute() {
    let app = spawn_app_with(|c| c.limits.per_person_per_minute = 3).await;
    let token = access(&app.login_wechat("o6_test_person_limit").await);
    for _ in 0..3 {
        let (status, _) = app
            .call_json(Method::GET, "/v1/me", Some(&token), None)
            .await;
        assert_eq!(status, 200);
    }
    let resp = app.call(Method::GET, "/v1/me", Some(&token), None).await;
    assert_eq!(resp.status(), 429);
    assert!(!header(&resp, "retry-after").is_empty());
    let other = access(&app.login_wechat("o6_test_person_other").await);
    let (status, _) = app
        .call_json(Method::GET, "/v1/me", Some(&other), None)
        .await;
    assert_eq!(status, 200, "another person is not limited by the first");
}
