//! Rating a finished application (好差评): five levels, a comment for bad ratings, once per
//! application, only finished ones, free text checked by WeChat, another person's → 404.

use reqwest::Method;
use serde_json::{Value, json};
use tongban::sim::{
    gov::{Resource, citizens::demo_citizens},
    wechat::Faults,
};

use crate::helpers::{TestApp, access, is_arabic_script, spawn_app};

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

/// The first of the person's applications that is (or is not) finished.
async fn application(app: &TestApp, token: &str, rateable: bool) -> String {
    let (status, list) = app
        .call_json(Method::GET, "/v1/me/applications", Some(token), None)
        .await;
    assert_eq!(status, 200, "{list}");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["rateable"] == rateable)
        .and_then(|item| item["projectNo"].as_str())
        .expect("such an application")
        .to_string()
}

async fn rate(app: &TestApp, token: &str, project_no: &str, body: Value) -> (u16, Value) {
    app.call_json(
        Method::POST,
        &format!("/v1/me/applications/{project_no}/rating"),
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_finished_application_takes_one_good_rating_and_a_second_answers_409() {
    let app = spawn_app().await;
    let token = bound(&app, 0).await;
    let project = application(&app, &token, true).await;

    let (status, receipt) = rate(&app, &token, &project, json!({"level": 5})).await;
    let (again, problem) = rate(
        &app,
        &token,
        &project,
        json!({"level": 4, "tags": ["态度好"]}),
    )
    .await;

    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["projectNo"], project.as_str());
    assert_eq!(receipt["level"], 5);
    assert_eq!(receipt["underReview"], false);
    assert!(
        receipt["ratingId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(again, 409, "{problem}");
    assert_eq!(problem["code"], "already_rated");
    let (_, detail) = app
        .call_json(
            Method::GET,
            &format!("/v1/me/applications/{project}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(detail["rating"], 5);
}

#[tokio::test]
async fn a_bad_rating_without_a_comment_is_refused_on_the_comment_field() {
    let app = spawn_app().await;
    let token = bound(&app, 0).await;
    let project = application(&app, &token, true).await;

    for body in [json!({"level": 2}), json!({"level": 1, "comment": "   "})] {
        let (status, problem) = rate(&app, &token, &project, body).await;
        assert_eq!(status, 400, "{problem}");
        assert_eq!(problem["code"], "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "comment");
        assert_eq!(problem["errors"][0]["code"], "required");
    }
    let (status, receipt) = rate(
        &app,
        &token,
        &project,
        json!({"level": 2, "tags": ["办理时间过长"], "comment": "等了很久没有人通知"}),
    )
    .await;
    assert_eq!(status, 200, "{receipt}");
}

#[tokio::test]
async fn levels_outside_one_to_five_and_too_many_tags_are_invalid() {
    let app = spawn_app().await;
    let token = bound(&app, 0).await;
    let project = application(&app, &token, true).await;
    let six_tags = json!({"level": 5, "tags": ["a", "b", "c", "d", "e", "f"]});

    for body in [json!({"level": 0}), json!({"level": 6}), six_tags] {
        let (status, problem) = rate(&app, &token, &project, body).await;
        assert_eq!(status, 400, "{problem}");
        assert_eq!(problem["errors"][0]["code"], "out_of_range", "{problem}");
    }
}

#[tokio::test]
async fn an_unfinished_application_cannot_be_rated() {
    let app = spawn_app().await;
    let token = bound(&app, 0).await;
    let project = application(&app, &token, false).await;

    let (status, problem) = rate(&app, &token, &project, json!({"level": 5})).await;

    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "not_rateable");
}

#[tokio::test]
async fn a_risky_comment_is_refused_in_the_persons_language_and_can_be_rewritten() {
    let app = spawn_app().await;
    let token = bound(&app, 0).await;
    let project = application(&app, &token, true).await;

    let (status, problem) = app
        .call_json(
            Method::POST,
            &format!("/v1/me/applications/{project}/rating?lang=ug"),
            Some(&token),
            Some(json!({"level": 1, "comment": "门口有人办假证"})),
        )
        .await;
    let (rewritten, receipt) = rate(
        &app,
        &token,
        &project,
        json!({"level": 1, "comment": "窗口人员态度差"}),
    )
    .await;

    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "content_rejected");
    assert!(is_arabic_script(problem["title"].as_str().unwrap_or("")));
    assert!(!problem.to_string().contains("办假证"));
    assert_eq!(
        rewritten, 200,
        "the refused text did not use up the rating: {receipt}"
    );
    assert_eq!(app.wechat.calls("/wxa/msg_sec_check"), 2);
}

#[tokio::test]
async fn a_risky_tag_is_refused_too() {
    let app = spawn_app().await;
    let token = bound(&app, 0).await;
    let project = application(&app, &token, true).await;

    let (status, problem) = rate(
        &app,
        &token,
        &project,
        json!({"level": 4, "tags": ["网络赌博"]}),
    )
    .await;

    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "content_rejected");
}

#[tokio::test]
async fn a_comment_held_for_review_is_accepted_and_marked() {
    let app = spawn_app().await;
    let token = bound(&app, 0).await;
    let project = application(&app, &token, true).await;

    let (status, receipt) = rate(
        &app,
        &token,
        &project,
        json!({"level": 3, "comment": "办事员让我加微信再说"}),
    )
    .await;

    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["underReview"], true);
}

#[tokio::test]
async fn a_rating_is_accepted_unchecked_while_wechat_is_down() {
    let app = spawn_app().await;
    let token = bound(&app, 0).await;
    let project = application(&app, &token, true).await;
    app.wechat.set_faults(Faults {
        outage: true,
        ..Faults::default()
    });

    let (status, receipt) = rate(
        &app,
        &token,
        &project,
        json!({"level": 2, "comment": "材料要求说明不清楚"}),
    )
    .await;

    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["underReview"], false);
}

#[tokio::test]
async fn a_person_who_logged_in_only_through_alipay_is_not_checked() {
    let app = spawn_app().await;
    let citizen = &demo_citizens()[0];
    let token = access(&app.login_alipay(citizen.alipay_open_id).await);
    let (status, body) = app
        .bind_real_name(&token, citizen.name, citizen.id_number)
        .await;
    assert_eq!(status, 200, "{body}");
    let project = application(&app, &token, true).await;

    let (status, receipt) = rate(
        &app,
        &token,
        &project,
        json!({"level": 5, "comment": "很快就办好了"}),
    )
    .await;

    assert_eq!(status, 200, "{receipt}");
    assert_eq!(app.wechat.calls("/wxa/msg_sec_check"), 0);
}

#[tokio::test]
async fn another_persons_project_answers_404_and_stays_unrated() {
    let app = spawn_app().await;
    let victim = bound(&app, 0).await;
    let intruder = bound(&app, 1).await;
    let project = application(&app, &victim, true).await;

    let (status, problem) = rate(
        &app,
        &intruder,
        &project,
        json!({"level": 1, "comment": "差"}),
    )
    .await;
    let (own, receipt) = rate(&app, &victim, &project, json!({"level": 5})).await;

    assert_eq!(status, 404, "{problem}");
    assert_eq!(problem["code"], "not_found");
    assert_eq!(own, 200, "{receipt}");
}

#[tokio::test]
async fn after_a_rating_the_application_list_comes_from_the_platform_again() {
    let app = spawn_app().await;
    let token = bound(&app, 0).await;
    let project = application(&app, &token, true).await;
    let calls_before = app.gov.calls(Resource::Applications);

    let (status, _) = rate(&app, &token, &project, json!({"level": 4})).await;
    let (listed, _) = app
        .call_json(Method::GET, "/v1/me/applications", Some(&token), None)
        .await;

    assert_eq!((status, listed), (200, 200));
    // One call for the application's detail, one for the list no longer kept.
    assert_eq!(app.gov.calls(Resource::Applications), calls_before + 2);
}
