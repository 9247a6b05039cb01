//! The home screen and a person's records: sections that survive a failing upstream, parallel
//! upstream calls, and personal data that stays with its person.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
use tongban::sim::gov::{Faults, Resource, citizens::demo_citizens};

use crate::helpers::{TestApp, access, spawn_app};

/// Logs in demo citizen `index` through WeChat and binds their real name.
async fn bound(app: &TestApp, index: usize) -> String {
    let citizen = &demo_citizens()[index];
    let token = access(&app.login_wechat(citizen.wechat_openid).await);
    let (status, body) = app
        .bind_real_name(&token, citizen.name, citizen.id_number)
        .await;
    assert_eq!(status, 200, "{body}");
    token
}

async fn home(app: &TestApp, token: &str) -> Value {
    let (status, body) = app
        .call_json(Method::GET, "/v1/home", Some(token), None)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn items(section: &Value) -> &Vec<Value> {
    section["items"].as_array().expect("items")
}

#[tokio::test]
async fn home_shows_in_progress_applications_and_certificates_expiring_within_90_days() {
    let app = spawn_app().await;
    let (mut applications, mut expiring) = (0, 0);
    for index in 0..demo_citizens().len() {
        let token = bound(&app, index).await;
        let screen = home(&app, &token).await;
        assert_eq!(screen["realNameBound"], true);
        for section in ["applications", "expiringCertificates", "featuredServices"] {
            assert_eq!(screen[section]["status"], "fresh", "{section}: {screen}");
        }
        for application in items(&screen["applications"]) {
            let status = application["status"].as_str().unwrap_or("");
            assert!(
                [
                    "submitted",
                    "accepted",
                    "supplementRequested",
                    "supplementSubmitted",
                    "inReview",
                    "paused",
                    "resultReady"
                ]
                .contains(&status),
                "{application}"
            );
        }
        for certificate in items(&screen["expiringCertificates"]) {
            let days = certificate["expiresInDays"].as_i64().expect("days");
            assert!((0..=90).contains(&days), "{certificate}");
        }
        assert!(!items(&screen["featuredServices"]).is_empty());
        applications += items(&screen["applications"]).len();
        expiring += items(&screen["expiringCertificates"]).len();
    }
    assert!(
        applications > 0 && expiring >= 2,
        "{applications} {expiring}"
    );
}

#[tokio::test]
async fn home_before_real_name_binding_asks_for_it_and_still_features_services() {
    let app = spawn_app().await;
    let token = access(&app.login_wechat("o6_test_unbound_home").await);
    let screen = home(&app, &token).await;
    assert_eq!(screen["realNameBound"], false);
    assert_eq!(screen["applications"]["status"], "unavailable");
    assert_eq!(screen["applications"]["reason"], "realNameRequired");
    assert_eq!(screen["expiringCertificates"]["reason"], "realNameRequired");
    assert_eq!(screen["featuredServices"]["status"], "fresh");
    let (status, problem) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&token), None)
        .await;
    assert_eq!(status, 403);
    assert_eq!(problem["code"], "real_name_required");
}

#[tokio::test]
async fn a_failing_certificates_service_costs_only_its_own_section() {
    let app = spawn_app().await;
    let token = bound(&app, 0).await;
    app.gov.set_faults(
        Resource::Certificates,
        Faults {
            outage: true,
            ..Faults::default()
        },
    );
    let screen = home(&app, &token).await;
    assert_eq!(screen["expiringCertificates"]["status"], "unavailable");
    assert_eq!(
        screen["expiringCertificates"]["reason"],
        "upstreamUnavailable"
    );
    assert_eq!(screen["applications"]["status"], "fresh");
    assert_eq!(screen["featuredServices"]["status"], "fresh");
}

#[tokio::test]
async fn a_section_kept_from_before_is_served_stale_when_its_upstream_fails() {
    let app = crate::helpers::spawn_app_with(|c| c.cache.personal_ttl_secs = 0).await;
    let token = bound(&app, 1).await;
    let before = home(&app, &token).await;
    app.gov.set_faults(
        Resource::Applications,
        Faults {
            outage: true,
            ..Faults::default()
        },
    );
    let after = home(&app, &token).await;
    assert_eq!(after["applications"]["status"], "stale");
    assert_eq!(
        after["applications"]["items"],
        before["applications"]["items"]
    );
}

#[tokio::test]
async fn sections_are_fetched_in_parallel_so_home_takes_as_long_as_the_slowest() {
    let app = spawn_app().await;
    let token = bound(&app, 2).await;
    app.get("/v1/services?limit=1").await;
    let slow = Faults {
        latency: Duration::from_millis(1000),
        ..Faults::default()
    };
    for resource in [Resource::Applications, Resource::Certificates] {
        app.gov.set_faults(resource, slow.clone());
    }
    let started = Instant::now();
    let screen = home(&app, &token).await;
    let elapsed = started.elapsed();
    for section in ["applications", "expiringCertificates", "featuredServices"] {
        assert_eq!(screen[section]["status"], "fresh", "{section}");
    }
    // Two one-second calls: one after the other would take two seconds.
    assert!(elapsed >= Duration::from_millis(1000), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1800), "{elapsed:?}");
}

#[tokio::test]
async fn one_persons_records_are_never_served_to_another() {
    let app = crate::helpers::spawn_app_with(|c| c.cache.personal_ttl_secs = 0).await;
    let first = bound(&app, 0).await;
    let second = bound(&app, 3).await;
    let project_nos = |list: &Value| -> Vec<String> {
        items(list)
            .iter()
            .filter_map(|a| a["projectNo"].as_str().map(str::to_string))
            .collect()
    };
    let (_, mine) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&first), None)
        .await;
    let (_, theirs) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&second), None)
        .await;
    let (mine, theirs) = (project_nos(&mine), project_nos(&theirs));
    assert!(!mine.is_empty() && !theirs.is_empty());
    assert!(mine.iter().all(|p| !theirs.contains(p)));

    // With the platform down, each still gets their own kept copy, never the other's.
    app.gov.set_faults(
        Resource::Applications,
        Faults {
            outage: true,
            ..Faults::default()
        },
    );
    let (_, mine_stale) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&first), None)
        .await;
    let (_, theirs_stale) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&second), None)
        .await;
    assert_eq!(mine_stale["freshness"], "stale");
    assert_eq!(project_nos(&mine_stale), mine);
    assert_eq!(project_nos(&theirs_stale), theirs);

    app.gov.set_all_faults(Faults::default());
    let (status, _) = app
        .call_json(
            Method::GET,
            &format!("/v1/me/applications/{}", mine[0]),
            Some(&second),
            None,
        )
        .await;
    assert_eq!(
        status, 404,
        "another person's application does not exist for them"
    );
}

#[tokio::test]
async fn an_application_shows_its_timeline_in_kazakh_with_the_paused_clock() {
    let app = spawn_app().await;
    let mut seen_paused = false;
    for index in 0..demo_citizens().len() {
        let token = bound(&app, index).await;
        let (_, list) = app
            .call_json(Method::GET, "/v1/me/applications", Some(&token), None)
            .await;
        for application in items(&list) {
            let no = application["projectNo"].as_str().expect("projectNo");
            let (status, detail) = app
                .call_json(
                    Method::GET,
                    &format!("/v1/me/applications/{no}?lang=kk"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(status, 200, "{detail}");
            assert!(!items(&serde_json::json!({"items": detail["timeline"]})).is_empty());
            assert!(crate::helpers::is_arabic_script(
                detail["statusName"].as_str().unwrap_or("")
            ));
            if detail["status"] == "paused" {
                assert_eq!(detail["clockPaused"], true, "{detail}");
                seen_paused = true;
            }
        }
    }
    assert!(
        seen_paused,
        "the seed has an application paused by a special procedure"
    );
}

#[tokio::test]
async fn a_result_waiting_to_be_collected_stays_on_home_first_as_an_action() {
    let app = spawn_app().await;
    let token = bound(&app, 2).await;
    let (status, applications) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&token), None)
        .await;
    assert_eq!(status, 200, "{applications}");
    let project = items(&applications)
        .iter()
        .find(|a| a["status"] == "inReview")
        .and_then(|a| a["projectNo"].as_str())
        .expect("an application under review")
        .to_string();
    // The screen as it was, kept: what follows must not be answered from it.
    let before = home(&app, &token).await;
    assert_eq!(
        items(&before["applications"])[0]["status"],
        "inReview",
        "{before}"
    );
    for code in ["11", "16"] {
        let delivery = app
            .gov
            .advance_application(&project, code)
            .await
            .expect("moved");
        assert!(delivery.acknowledged(), "{delivery:?}");
    }

    let screen = home(&app, &token).await;
    let shown = items(&screen["applications"]);
    let first = shown.first().expect("an application on home");
    assert_eq!(first["projectNo"], project.as_str(), "{screen}");
    assert_eq!(first["status"], "resultReady");
    assert_eq!(first["needsAction"], true);
}

#[tokio::test]
async fn a_kept_home_screen_is_one_persons_in_one_language() {
    let app = spawn_app().await;
    let first = bound(&app, 0).await;
    let second = bound(&app, 3).await;
    let project_nos = |screen: &Value| -> Vec<String> {
        items(&screen["applications"])
            .iter()
            .filter_map(|a| a["projectNo"].as_str().map(str::to_string))
            .collect()
    };
    let mine = home(&app, &first).await;
    let theirs = home(&app, &second).await;
    assert!(!project_nos(&mine).is_empty() && !project_nos(&theirs).is_empty());
    assert!(
        project_nos(&theirs)
            .iter()
            .all(|p| !project_nos(&mine).contains(p))
    );
    // Asked again, each gets their own screen back, unchanged.
    assert_eq!(home(&app, &first).await, mine);
    assert_eq!(home(&app, &second).await, theirs);

    // The same person in Uyghur: the same applications, named in Uyghur.
    let (status, uyghur) = app
        .call_json(Method::GET, "/v1/home?lang=ug", Some(&first), None)
        .await;
    assert_eq!(status, 200, "{uyghur}");
    assert_eq!(project_nos(&uyghur), project_nos(&mine));
    let status_name = |screen: &Value| items(&screen["applications"])[0]["statusName"].clone();
    assert_ne!(status_name(&uyghur), status_name(&mine), "{uyghur}");
    assert_eq!(home(&app, &first).await, mine, "Chinese again after Uyghur");
}
