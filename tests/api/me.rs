//! The signed-in person's account: real-name binding, preferences, phone, export, deletion.

use reqwest::Method;
use serde_json::json;
use tongban::sim::gov::citizens::demo_citizens;

use crate::helpers::{access, header, is_arabic_script, spawn_app, spawn_app_with};

#[tokio::test]
async fn binding_a_real_name_shows_it_masked_and_stores_it_encrypted() {
    let app = spawn_app().await;
    let citizen = &demo_citizens()[0];
    let token = access(&app.login_wechat(citizen.wechat_openid).await);
    let (status, bound) = app
        .bind_real_name(&token, citizen.name, citizen.id_number)
        .await;
    assert_eq!(status, 200, "{bound}");
    assert_eq!(bound["merged"], false);
    let real = &bound["account"]["realName"];
    assert_eq!(real["idKind"], "resident");
    let masked_id = real["idNumber"].as_str().expect("id");
    assert_eq!(masked_id.len(), 18);
    assert_eq!(&masked_id[..1], &citizen.id_number[..1]);
    assert_eq!(&masked_id[17..], &citizen.id_number[17..]);
    assert_eq!(masked_id[1..17].replace('*', ""), "");
    let masked_name = real["name"].as_str().expect("name");
    assert!(masked_name.starts_with('*') && masked_name != citizen.name);

    let row: (String, String, String) =
        tongban::db::query_as("SELECT real_name_sealed, id_number_sealed, id_hash FROM accounts")
            .fetch_one(app.state.store.pool())
            .await
            .expect("row");
    for column in [&row.0, &row.1, &row.2] {
        assert!(!column.contains(citizen.id_number) && !column.contains(citizen.name));
    }

    let (status, export) = app
        .call_json(Method::GET, "/v1/me/export", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        export["idNumber"], citizen.id_number,
        "the person's own copy is whole"
    );
    assert_eq!(export["realName"], citizen.name);
    let operations: Vec<&str> = export["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|e| e["operation"].as_str())
        .collect();
    assert!(
        operations.contains(&"bindRealName") && operations.contains(&"exportMe"),
        "{operations:?}"
    );
}

#[tokio::test]
async fn each_way_an_id_number_can_be_wrong_has_its_own_localized_error() {
    let app = spawn_app().await;
    let token = access(&app.login_wechat("o6_test_bad_ids").await);
    let cases = [
        ("65010219950314002", "wrong_length"),
        ("65010219950314002A", "invalid_character"),
        ("050102199503140022", "bad_region"),
        ("650102199502300022", "bad_birth_date"),
        ("650102199503140023", "bad_check_digit"),
    ];
    for (id_number, code) in cases {
        let resp = app
            .client
            .post(format!("{}/v1/me/real-name?lang=kk", app.base))
            .bearer_auth(&token)
            .json(&json!({"name": "王建华", "idNumber": id_number}))
            .send()
            .await
            .expect("sent");
        assert_eq!(resp.status(), 400, "{id_number}");
        let problem: serde_json::Value = resp.json().await.expect("json");
        assert_eq!(problem["code"], "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "idNumber");
        assert_eq!(problem["errors"][0]["code"], code, "{id_number}");
        let message = problem["errors"][0]["message"].as_str().unwrap_or("");
        assert!(
            is_arabic_script(&message.replace("idNumber", "").replace('X', "")),
            "{message}"
        );
    }
    assert_eq!(
        app.gov.identity_calls(),
        0,
        "nothing invalid reaches the platform"
    );
}

#[tokio::test]
async fn the_platform_refusing_an_identity_is_a_clear_unprocessable_answer() {
    let app = spawn_app().await;
    let token = access(&app.login_wechat("o6_test_refused").await);
    let citizen = &demo_citizens()[1];
    let (status, problem) = app
        .bind_real_name(&token, "王建华", citizen.id_number)
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["code"], "real_name_mismatch");
    let (status, problem) = app
        .bind_real_name(&token, "王建华", "11010519491231002X")
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["code"], "real_name_not_found");
    let (status, problem) = app
        .call_json(
            Method::POST,
            "/v1/me/real-name",
            Some(&token),
            Some(json!({"name": citizen.name, "idNumber": citizen.id_number, "faceToken": "fail"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["code"], "face_verification_failed");
}

#[tokio::test]
async fn real_name_attempts_are_limited_per_person() {
    let app = spawn_app_with(|c| c.limits.real_name_attempts_per_hour = 2).await;
    let token = access(&app.login_wechat("o6_test_attempts").await);
    for _ in 0..2 {
        let (status, _) = app
            .bind_real_name(&token, "王建华", "11010519491231002X")
            .await;
        assert_eq!(status, 422);
    }
    let resp = app
        .call(
            Method::POST,
            "/v1/me/real-name",
            Some(&token),
            Some(json!({"name": "王建华", "idNumber": "11010519491231002X"})),
        )
        .await;
    assert_eq!(resp.status(), 429);
    assert!(
        header(&resp, "retry-after")
            .parse::<u64>()
            .expect("seconds")
            > 60
    );
    assert_eq!(app.gov.identity_calls(), 2);
}

#[tokio::test]
async fn the_same_person_through_wechat_and_alipay_is_one_account_after_binding() {
    let app = spawn_app().await;
    let citizen = &demo_citizens()[2];
    let wechat = app.login_wechat(citizen.wechat_openid).await;
    let (status, _) = app
        .bind_real_name(&access(&wechat), citizen.name, citizen.id_number)
        .await;
    assert_eq!(status, 200);

    let alipay = app.login_alipay(citizen.alipay_open_id).await;
    assert_ne!(alipay["accountId"], wechat["accountId"]);
    let (status, problem) = app
        .bind_real_name(&access(&alipay), citizen.name, citizen.id_number)
        .await;
    assert_eq!(
        status, 422,
        "name and ID number alone cannot take over an account"
    );
    assert_eq!(problem["code"], "face_verification_required");
    let (status, bound) = app
        .call_json(
            Method::POST,
            "/v1/me/real-name",
            Some(&access(&alipay)),
            Some(json!({"name": citizen.name, "idNumber": citizen.id_number, "faceToken": "face-ok-1"})),
        )
        .await;
    assert_eq!(status, 200, "{bound}");
    assert_eq!(bound["merged"], true);
    assert_eq!(bound["account"]["id"], wechat["accountId"]);
    let platforms: Vec<&str> = bound["account"]["platforms"]
        .as_array()
        .expect("platforms")
        .iter()
        .filter_map(|p| p["platform"].as_str())
        .collect();
    assert_eq!(platforms, ["wechat", "alipay"]);

    let (status, me) = app
        .call_json(Method::GET, "/v1/me", Some(&access(&alipay)), None)
        .await;
    assert_eq!(
        status, 200,
        "the Alipay login keeps working, now on the joined account"
    );
    assert_eq!(me["id"], wechat["accountId"]);
    let again = app.login_alipay(citizen.alipay_open_id).await;
    assert_eq!(again["accountId"], wechat["accountId"]);
    let accounts: i64 = tongban::db::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(app.state.store.pool())
        .await
        .expect("count");
    assert_eq!(accounts, 1);
}

#[tokio::test]
async fn an_account_bound_to_one_person_cannot_be_bound_to_another() {
    let app = spawn_app().await;
    let [first, second, ..] = &demo_citizens()[..] else {
        panic!("demo citizens")
    };
    let token = access(&app.login_wechat("o6_test_rebind").await);
    let (status, _) = app
        .bind_real_name(&token, first.name, first.id_number)
        .await;
    assert_eq!(status, 200);
    let (status, again) = app
        .bind_real_name(&token, first.name, first.id_number)
        .await;
    assert_eq!(
        status, 200,
        "binding the same identity again is harmless: {again}"
    );
    let (status, problem) = app
        .bind_real_name(&token, second.name, second.id_number)
        .await;
    assert_eq!(status, 409);
    assert_eq!(problem["code"], "real_name_already_bound");
}

#[tokio::test]
async fn the_saved_language_steers_every_later_response_unless_lang_is_given() {
    let app = spawn_app().await;
    let token = access(&app.login_wechat("o6_test_lang").await);
    let (status, me) = app
        .call_json(
            Method::PATCH,
            "/v1/me/preferences",
            Some(&token),
            Some(json!({"lang": "ug-Arab", "timeZone": "Asia/Urumqi", "notificationCategories": ["benefits"]})),
        )
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["preferences"]["lang"], "ug-Arab");
    assert_eq!(me["preferences"]["timeZone"], "Asia/Urumqi");
    assert_eq!(
        me["preferences"]["notificationCategories"],
        json!(["benefits"])
    );

    let resp = app
        .call(Method::GET, "/v1/services?limit=1", Some(&token), None)
        .await;
    assert_eq!(header(&resp, "content-language"), "ug-Arab");
    let resp = app
        .client
        .get(format!("{}/v1/services?limit=1&lang=kk", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(header(&resp, "content-language"), "kk-Arab", "lang wins");

    let (status, me) = app
        .call_json(
            Method::PATCH,
            "/v1/me/preferences",
            Some(&token),
            Some(json!({"lang": null})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(me["preferences"].get("lang").is_none());
    assert_eq!(
        me["preferences"]["timeZone"], "Asia/Urumqi",
        "untouched fields stay"
    );
    let (status, problem) = app
        .call_json(
            Method::PATCH,
            "/v1/me/preferences",
            Some(&token),
            Some(json!({"timeZone": "Europe/Paris"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(problem["code"], "validation_failed");
}

#[tokio::test]
async fn a_phone_number_from_wechat_is_shown_masked() {
    let app = spawn_app().await;
    let token = access(&app.login_wechat("o6_test_phone").await);
    let code = app.wechat.mint_phone_code("o6_test_phone", "13799019050");
    let (status, me) = app
        .call_json(
            Method::POST,
            "/v1/me/phone",
            Some(&token),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["phone"], "137****9050");
    let (status, problem) = app
        .call_json(
            Method::POST,
            "/v1/me/phone",
            Some(&token),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(problem["code"], "phone_code_invalid");
}

#[tokio::test]
async fn deleting_my_account_erases_it_and_ends_every_login() {
    let app = spawn_app().await;
    let citizen = &demo_citizens()[3];
    let first = access(&app.login_wechat(citizen.wechat_openid).await);
    let second = access(&app.login_wechat(citizen.wechat_openid).await);
    let (status, _) = app
        .bind_real_name(&first, citizen.name, citizen.id_number)
        .await;
    assert_eq!(status, 200);
    let resp = app.call(Method::DELETE, "/v1/me", Some(&first), None).await;
    assert_eq!(resp.status(), 204);
    for token in [&first, &second] {
        let (status, _) = app
            .call_json(Method::GET, "/v1/me", Some(token), None)
            .await;
        assert_eq!(status, 401);
    }
    let left: i64 = tongban::db::query_scalar(
        "SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM platform_identities)
              + (SELECT count(*) FROM sessions)",
    )
    .fetch_one(app.state.store.pool())
    .await
    .expect("count");
    assert_eq!(left, 0);
    let fresh = app.login_wechat(citizen.wechat_openid).await;
    assert_eq!(fresh["newAccount"], true, "the person can start again");
}

#[tokio::test]
async fn a_person_can_end_one_of_their_logins() {
    let app = spawn_app().await;
    let phone = access(&app.login_wechat("o6_test_devices").await);
    let tablet = access(&app.login_wechat("o6_test_devices").await);
    let (status, list) = app
        .call_json(Method::GET, "/v1/me/sessions", Some(&phone), None)
        .await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let tablet_session = items
        .iter()
        .find(|s| s["current"] == false)
        .and_then(|s| s["id"].as_str())
        .expect("the other session");
    let resp = app
        .call(
            Method::DELETE,
            &format!("/v1/me/sessions/{tablet_session}"),
            Some(&phone),
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    let (status, _) = app
        .call_json(Method::GET, "/v1/me", Some(&tablet), None)
        .await;
    assert_eq!(status, 401);
    let (status, _) = app
        .call_json(Method::GET, "/v1/me", Some(&phone), None)
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_audit_log_is_for_operators_with_the_scope_only() {
    let app = spawn_app().await;
    let token = access(&app.login_wechat("o6_test_audit").await);
    app.call_json(Method::GET, "/v1/me", Some(&token), None)
        .await;
    let (_, reader) = app
        .state
        .admin_keys
        .create("auditor", &["audit:read".to_string()])
        .await
        .expect("key");
    let (_, powerless) = app
        .state
        .admin_keys
        .create("nobody", &[])
        .await
        .expect("key");
    let get = |key: Option<String>| {
        let mut req = app.client.get(format!("{}/v1/admin/audit", app.base));
        if let Some(key) = key {
            req = req.header("X-Admin-Key", key);
        }
        async move {
            let resp = req.send().await.expect("sent");
            let status = resp.status().as_u16();
            (
                status,
                resp.json::<serde_json::Value>().await.expect("json"),
            )
        }
    };
    assert_eq!(get(None).await.0, 401);
    assert_eq!(get(Some("tbk_wrong".into())).await.0, 401);
    let (status, problem) = get(Some(powerless)).await;
    assert_eq!(status, 403);
    assert_eq!(problem["code"], "forbidden");
    let (status, page) = get(Some(reader)).await;
    assert_eq!(status, 200);
    let operations: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["operation"].as_str())
        .collect();
    assert!(
        operations.contains(&"loginWechat") && operations.contains(&"getMe"),
        "{operations:?}"
    );
    assert!(page["items"][0]["requestId"].is_string());
}
