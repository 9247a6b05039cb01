use serde_json::json;

use super::{citizen, client_and_sim, enterprise};
use crate::{
    sim::gov::seed_catalog,
    upstream::gov::{
        GovError, Holder,
        wire::{SubmitApplication, SubmittedMaterial, TaskItem},
    },
};

/// The first item of the catalog that citizens (or enterprises) can apply for online.
fn online_item(server_type: &str) -> TaskItem {
    seed_catalog()
        .expect("catalog")
        .into_iter()
        .find(|item| item.online_apply && item.server_type.iter().any(|s| s == server_type))
        .expect("an item that can be applied for online")
}

fn submission(request_id: &str, holder: &Holder, task_code: &str) -> SubmitApplication {
    SubmitApplication {
        client_request_id: request_id.to_string(),
        task_code: task_code.to_string(),
        holder_code: holder.code.clone(),
        holder_code_type: holder.code_type,
        holder_name: "阿依古丽·艾合买提".to_string(),
        contact_phone: "13899990001".to_string(),
        form_data: json!({"reason": "到期换领"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        materials: vec![SubmittedMaterial {
            name: "居民户口簿".to_string(),
            certificate_id: Some("1.2.156.3005.2.x".to_string()),
            file_ref: None,
        }],
    }
}

async fn project_in_status(
    client: &crate::upstream::gov::GovClient,
    holder: &Holder,
    status: &str,
) -> String {
    let page = client.applications(holder, 1, 50).await.expect("list");
    page.list
        .into_iter()
        .find(|a| a.status == status)
        .map(|a| a.project_no)
        .expect("a seeded application in that status")
}

#[tokio::test]
async fn a_holder_lists_only_their_own_applications_newest_first_in_pages() {
    let (client, sim) = client_and_sim().await;
    let first = client
        .applications(&citizen(1), 1, 2)
        .await
        .expect("page 1");
    let second = client
        .applications(&citizen(1), 2, 2)
        .await
        .expect("page 2");
    assert_eq!(first.total, 3);
    assert_eq!(first.list.len(), 2);
    assert_eq!(second.list.len(), 1);
    assert!(first.list[0].apply_time >= first.list[1].apply_time);
    assert!(first.list[1].apply_time >= second.list[0].apply_time);
    assert_eq!(sim.calls(crate::sim::gov::Resource::Applications), 2);
}

#[tokio::test]
async fn an_enterprise_lists_its_applications_by_its_credit_code() {
    let (client, _sim) = client_and_sim().await;
    let page = client
        .applications(&enterprise(0), 1, 10)
        .await
        .expect("list");
    let statuses: Vec<&str> = page.list.iter().map(|a| a.status.as_str()).collect();
    assert!(
        statuses.contains(&"11") && statuses.contains(&"12"),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn the_paused_application_shows_its_open_special_procedure_and_history() {
    let (client, _sim) = client_and_sim().await;
    let project = project_in_status(&client, &citizen(4), "9").await;
    let application = client
        .application(&project, &citizen(4))
        .await
        .expect("detail");
    assert_eq!(application.status, "9");
    let codes: Vec<&str> = application
        .history
        .iter()
        .map(|e| e.status_code.as_str())
        .collect();
    assert_eq!(codes, ["1", "3", "8", "9"]);
    assert!(
        application
            .special_procedures
            .iter()
            .any(|p| p.end_time.is_none())
    );
    assert!(application.accept_time.is_some() && application.promise_due_time.is_some());
    assert!(
        application
            .history
            .iter()
            .all(|e| e.action.ug.is_some() && e.step_name.kk.is_some())
    );
}

#[tokio::test]
async fn another_holders_project_is_not_found() {
    let (client, _sim) = client_and_sim().await;
    let project = project_in_status(&client, &citizen(4), "9").await;
    let result = client.application(&project, &citizen(0)).await;
    assert!(matches!(result, Err(GovError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn submitting_twice_with_one_request_id_creates_one_application() {
    let (client, _sim) = client_and_sim().await;
    let item = online_item("1");
    let body = submission("req-1", &citizen(0), &item.task_code);
    let first = client.submit_application(&body).await.expect("first");
    let again = client.submit_application(&body).await.expect("again");
    assert_eq!(first, again);
    assert_eq!(first.status, "1");
    let page = client.applications(&citizen(0), 1, 50).await.expect("list");
    let copies = page
        .list
        .iter()
        .filter(|a| a.project_no == first.project_no)
        .count();
    assert_eq!(copies, 1);
    let detail = client
        .application(&first.project_no, &citizen(0))
        .await
        .expect("detail");
    assert_eq!(detail.history.len(), 1);
}

#[tokio::test]
async fn the_same_request_id_with_another_body_is_a_conflict() {
    let (client, _sim) = client_and_sim().await;
    let item = online_item("1");
    let body = submission("req-2", &citizen(0), &item.task_code);
    client.submit_application(&body).await.expect("first");
    let changed = SubmitApplication {
        contact_phone: "13899990009".to_string(),
        ..body
    };
    let result = client.submit_application(&changed).await;
    assert!(matches!(result, Err(GovError::Conflict(_))), "{result:?}");
}

#[tokio::test]
async fn a_submission_the_front_office_cannot_take_is_rejected() {
    let (client, _sim) = client_and_sim().await;
    let unknown = submission("req-3", &citizen(0), "no-such-task");
    let result = client.submit_application(&unknown).await;
    assert!(matches!(result, Err(GovError::Rejected(_))), "{result:?}");
    let item = online_item("1");
    let no_phone = SubmitApplication {
        contact_phone: "123".to_string(),
        ..submission("req-4", &citizen(0), &item.task_code)
    };
    let result = client.submit_application(&no_phone).await;
    assert!(matches!(result, Err(GovError::Rejected(_))), "{result:?}");
}

#[tokio::test]
async fn a_supplement_moves_status_6_to_7_once_and_only_from_6() {
    let (client, _sim) = client_and_sim().await;
    let holder = citizen(1);
    let waiting = project_in_status(&client, &holder, "6").await;
    let detail = client.application(&waiting, &holder).await.expect("detail");
    assert!(detail.supplement.is_some());
    let materials = [SubmittedMaterial {
        name: "经营场所使用证明".to_string(),
        certificate_id: None,
        file_ref: Some("file-1".to_string()),
    }];
    let done = client
        .supplement(&waiting, &holder, "sup-1", &materials)
        .await
        .expect("supplement");
    let replayed = client
        .supplement(&waiting, &holder, "sup-1", &materials)
        .await
        .expect("replay");
    assert_eq!(done.status, "7");
    assert_eq!(done, replayed);
    let detail = client.application(&waiting, &holder).await.expect("detail");
    assert_eq!(detail.status, "7");
    assert!(detail.supplement.is_none());
    assert_eq!(
        detail.history.last().map(|e| e.status_code.as_str()),
        Some("7")
    );
    let again = client
        .supplement(&waiting, &holder, "sup-2", &materials)
        .await;
    assert!(matches!(again, Err(GovError::Rejected(_))), "{again:?}");
}

#[tokio::test]
async fn a_supplement_to_another_holders_project_is_not_found() {
    let (client, _sim) = client_and_sim().await;
    let waiting = project_in_status(&client, &citizen(1), "6").await;
    let materials = [SubmittedMaterial {
        name: "经营场所使用证明".to_string(),
        certificate_id: None,
        file_ref: Some("file-1".to_string()),
    }];
    let result = client
        .supplement(&waiting, &citizen(0), "sup-3", &materials)
        .await;
    assert!(matches!(result, Err(GovError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn a_finished_application_is_rated_once_and_the_second_rating_is_a_conflict() {
    let (client, _sim) = client_and_sim().await;
    let holder = enterprise(0);
    let finished = project_in_status(&client, &holder, "11").await;
    let receipt = client
        .rate(&finished, &holder, 5, &["办事效率高".to_string()], None)
        .await
        .expect("rated");
    assert_eq!(receipt.level, 5);
    let detail = client
        .application(&finished, &holder)
        .await
        .expect("detail");
    assert_eq!(detail.rating_level, Some(5));
    let second = client.rate(&finished, &holder, 4, &[], None).await;
    assert!(matches!(second, Err(GovError::Conflict(_))), "{second:?}");
}

#[tokio::test]
async fn a_bad_rating_needs_a_comment() {
    let (client, _sim) = client_and_sim().await;
    let holder = citizen(5);
    let denied = project_in_status(&client, &holder, "13").await;
    let bare = client.rate(&denied, &holder, 2, &[], Some("  ")).await;
    assert!(matches!(bare, Err(GovError::Rejected(_))), "{bare:?}");
    let explained = client
        .rate(&denied, &holder, 1, &[], Some("核对结果没有解释清楚"))
        .await
        .expect("rated with a comment");
    assert_eq!(explained.level, 1);
}

#[tokio::test]
async fn an_unfinished_application_or_a_level_out_of_range_cannot_be_rated() {
    let (client, _sim) = client_and_sim().await;
    let holder = citizen(4);
    let paused = project_in_status(&client, &holder, "9").await;
    let unfinished = client.rate(&paused, &holder, 5, &[], None).await;
    assert!(
        matches!(unfinished, Err(GovError::Rejected(_))),
        "{unfinished:?}"
    );
    let out_of_range = client.rate(&paused, &holder, 6, &[], None).await;
    assert!(
        matches!(out_of_range, Err(GovError::Rejected(_))),
        "{out_of_range:?}"
    );
}

#[tokio::test]
async fn rating_another_holders_application_is_not_found() {
    let (client, _sim) = client_and_sim().await;
    let finished = project_in_status(&client, &enterprise(0), "11").await;
    let result = client.rate(&finished, &citizen(0), 5, &[], None).await;
    assert!(matches!(result, Err(GovError::NotFound)), "{result:?}");
}
