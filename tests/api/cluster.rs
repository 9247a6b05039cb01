//! Three instances on one PostgreSQL (issue 7), started in this process on loopback ports:
//! one schema, one set of simulators. They need a database: they run when
//! `TONGBAN_TEST_POSTGRES` names one (`.ci/run` sets it) and say they were skipped otherwise.
//! The fourth multi-instance test, a campaign across three processes one of which is
//! SIGKILLed, is `cluster_kill.rs`.

use std::time::{Duration, Instant};

use serde_json::json;
use tongban::{Config, sim::gov::Resource, upstream::wechat::SecScene};

use crate::{
    helpers::{TestApp, spawn_app_sharing},
    push::{app_with, push_defaults, seed_campaign},
};

/// Three instances sharing a fresh schema, each configured by `configure` (after the push
/// tests' defaults); `None` without a database.
async fn three(configure: impl Fn(&mut Config)) -> Option<[TestApp; 3]> {
    if std::env::var_os(tongban::store::TEST_POSTGRES_ENV).is_none() {
        eprintln!(
            "skipped: set {} to a PostgreSQL URL to run the multi-instance tests",
            tongban::store::TEST_POSTGRES_ENV
        );
        return None;
    }
    let first = app_with(&configure).await;
    let second = spawn_app_sharing(&first, |config| {
        push_defaults(config);
        configure(config);
    })
    .await;
    let third = spawn_app_sharing(&first, |config| {
        push_defaults(config);
        configure(config);
    })
    .await;
    Some([first, second, third])
}

/// Asks each instance but the first until `done` says it has seen what the first did (`what`),
/// failing if one still has not a second after `since`.
async fn on_the_others_within_a_second(
    apps: &[TestApp; 3],
    since: Instant,
    what: &str,
    done: impl AsyncFn(&TestApp) -> bool,
) {
    for (n, app) in apps.iter().enumerate().skip(1) {
        while !done(app).await {
            assert!(
                since.elapsed() < Duration::from_secs(1),
                "instance {n} had not {what} a second later"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    eprintln!(
        "the other instances {what} within {} ms",
        since.elapsed().as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instance_refreshes_the_wechat_token_while_all_three_use_it() {
    let Some(apps) = three(|_| {}).await else {
        return;
    };
    let wechat = &apps[0].wechat;
    let checks = || {
        futures_util::future::join_all(apps.iter().flat_map(|app| {
            (0..4).map(move |_| {
                app.state.wechat.msg_sec_check(
                    tongban::sim::wechat::DEMO_OPENIDS[0],
                    SecScene::Comment,
                    "你好",
                )
            })
        }))
    };
    for outcome in checks().await {
        outcome.expect("a business call with the shared token");
    }
    assert_eq!(
        wechat.calls("/cgi-bin/stable_token"),
        1,
        "twelve calls on three instances, one token fetched"
    );
    let fetched: Vec<u64> = apps
        .iter()
        .map(|a| a.state.wechat.token_fetches())
        .collect();
    assert_eq!(
        fetched.iter().sum::<u64>(),
        1,
        "one instance fetched: {fetched:?}"
    );

    // The token expires for everyone: one of them replaces it for all.
    wechat.expire_access_tokens();
    for outcome in checks().await {
        outcome.expect("a business call after the token expired");
    }
    assert_eq!(wechat.calls("/cgi-bin/stable_token"), 2, "one replacement");

    // WeChat rejects the token but keeps serving it: one forced refresh for the deployment,
    // not one per instance (each would invalidate the token the others just got).
    wechat.reject_current_token_until_forced();
    for outcome in checks().await {
        outcome.expect("a business call after a forced refresh");
    }
    assert_eq!(
        wechat.calls("/cgi-bin/stable_token"),
        4,
        "one normal call that returned the rejected token, then one forced call"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_cache_invalidation_on_one_instance_reaches_the_others_within_a_second() {
    let Some(apps) = three(|_| {}).await else {
        return;
    };
    let gov = &apps[0].gov;
    // Each instance caches the bundles: asking twice reaches the platform once per instance.
    for app in &apps {
        for _ in 0..2 {
            assert_eq!(app.json("/v1/bundles").await.0, 200);
        }
    }
    let warm = gov.calls(Resource::Bundles);
    assert_eq!(warm, 3, "one platform call per instance");
    for app in &apps {
        assert_eq!(app.json("/v1/bundles").await.0, 200);
    }
    assert_eq!(
        gov.calls(Resource::Bundles),
        warm,
        "all three answer from cache"
    );

    let (_, key) = apps[0]
        .state
        .admin_keys
        .create("ops", &["cache:invalidate".to_string()])
        .await
        .expect("key");
    let said = Instant::now();
    let resp = apps[0]
        .client
        .post(format!("{}/v1/admin/cache/invalidate", apps[0].base))
        .header("X-Admin-Key", key)
        .json(&json!({"caches": ["bundles"]}))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 204);
    // The others drop theirs within a second: each then asks the platform again, once.
    on_the_others_within_a_second(&apps, said, "dropped their caches", async |app| {
        let before = gov.calls(Resource::Bundles);
        assert_eq!(app.json("/v1/bundles").await.0, 200);
        gov.calls(Resource::Bundles) > before
    })
    .await;
    let after = gov.calls(Resource::Bundles);
    assert_eq!(apps[0].json("/v1/bundles").await.0, 200);
    assert_eq!(
        gov.calls(Resource::Bundles),
        after + 1,
        "the instance that was told dropped its own"
    );
    for app in &apps[1..] {
        assert_eq!(app.json("/v1/bundles").await.0, 200);
    }
    assert_eq!(
        gov.calls(Resource::Bundles),
        after + 1,
        "each dropped its cache once, not again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_submitted_on_one_instance_is_listed_by_the_others_within_a_second() {
    let Some(apps) = three(|_| {}).await else {
        return;
    };
    let gov = &apps[0].gov;
    let token = crate::submit::ready(&apps[0], 0).await;
    // The others keep the person's list (30 s by default): a second look asks nobody.
    for app in &apps[1..] {
        assert_eq!(crate::submit::count(app, &token, &json!("none")).await, 0);
    }
    let kept = gov.calls(Resource::Applications);
    for app in &apps[1..] {
        crate::submit::count(app, &token, &json!("none")).await;
    }
    assert_eq!(
        gov.calls(Resource::Applications),
        kept,
        "answered from their copies"
    );

    let (status, created, _) = crate::submit::submit(
        &apps[0],
        &token,
        "across-instances",
        &crate::submit::application("到期换领"),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let submitted = Instant::now();
    on_the_others_within_a_second(
        &apps,
        submitted,
        "listed the new application",
        async |app| crate::submit::count(app, &token, &created["projectNo"]).await > 0,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_name_attempts_are_limited_for_the_deployment_not_per_instance() {
    let Some(apps) = three(|c| c.limits.real_name_attempts_per_hour = 2).await else {
        return;
    };
    let token = crate::helpers::access(&apps[0].login_wechat("o6_cluster_attempts").await);
    let before = apps[0].gov.identity_calls();
    // A wrong name, once on each of two instances: two verifications at the platform.
    for app in &apps[..2] {
        let (status, body) = app
            .bind_real_name(&token, "王建华", "11010519491231002X")
            .await;
        assert_eq!(status, 422, "{body}");
    }
    // The third instance has seen no attempt of its own, and still refuses the third.
    let resp = apps[2]
        .call(
            reqwest::Method::POST,
            "/v1/me/real-name",
            Some(&token),
            Some(json!({"name": "王建华", "idNumber": "11010519491231002X"})),
        )
        .await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = crate::helpers::header(&resp, "retry-after")
        .parse()
        .expect("seconds");
    assert!(retry > 60 && retry <= 1800, "{retry}");
    assert_eq!(apps[0].gov.identity_calls() - before, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channels_rate_limit_holds_across_the_three_instances_together() {
    // Each instance alone would keep under the gateway's cap (36 of 40 a second); three
    // pacing themselves alone would send 108 a second and be refused.
    let Some(apps) = three(|config| {
        config.push.app.provider_rate_cap_per_sec = 40;
        config.push.app.rate_per_sec = 36;
    })
    .await
    else {
        return;
    };
    apps[0].push.set_rate_cap(40);
    let started = Instant::now();
    seed_campaign(&apps[0], "swp_pace", 150).await;
    for app in &apps {
        app.state.push.outbox().wake();
    }
    let pool = apps[0].state.store.pool();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let open: i64 = tongban::db::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE state IN ('queued', 'sending')",
        )
        .fetch_one(pool)
        .await
        .expect("progress");
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the campaign did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = started.elapsed();
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
    assert_eq!(apps[0].push.all_pushes().len(), 150);
    let owners: i64 = tongban::db::query_scalar(
        "SELECT COUNT(DISTINCT lease_owner) FROM notifications WHERE lease_owner IS NOT NULL",
    )
    .fetch_one(pool)
    .await
    .expect("owners");
    assert_eq!(owners, 0, "no lease left behind");
    // 150 at 36 a second for the deployment: about four seconds, not one and a half.
    assert!(
        took >= Duration::from_millis(3_500),
        "150 sends took {took:?}: faster than 36 a second"
    );
}
