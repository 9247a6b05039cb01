//! An agency moving applications on ([`GovSim::advance_application`]): the platform's state
//! changes as `POST /api/v1/applications/detail` then shows, and each change reaches the
//! receiver as a signed status event that [`GovEvent::parse`] reads.

use super::{
    citizen, enterprise,
    receiver::{Received, sim_with_receiver, verifies},
};
use crate::upstream::gov::{
    GovClient, Holder,
    wire::{ApplicationEvent, EventSubject, GovEvent, SubmittedMaterial},
};

/// The holder's application in `status`, from the seeded ones.
async fn project_in_status(client: &GovClient, holder: &Holder, status: &str) -> String {
    client
        .applications(holder, 1, 50)
        .await
        .expect("list")
        .list
        .into_iter()
        .find(|a| a.status == status)
        .map(|a| a.project_no)
        .expect("a seeded application in that status")
}

fn application_event(received: &Received) -> ApplicationEvent {
    match GovEvent::parse(&received.body).expect("an event") {
        GovEvent::Application(event) => event,
        GovEvent::Life(event) => panic!("a life event: {event:?}"),
    }
}

#[tokio::test]
async fn a_supplement_request_is_pushed_signed_with_its_due_date() {
    let (client, sim, receiver) = sim_with_receiver(0).await;
    let holder = citizen(0);
    let project = project_in_status(&client, &holder, "1").await;

    let delivery = sim
        .advance_application(&project, "6")
        .await
        .expect("delivered");

    assert!(delivery.acknowledged(), "{delivery:?}");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert!(verifies(&seen[0]), "signed with the event key");
    assert_eq!(seen[0].event_id, delivery.event_id);
    let event = application_event(&seen[0]);
    assert_eq!(event.event_id, delivery.event_id);
    assert_eq!(
        event.subject,
        EventSubject::Person {
            id_number: holder.code.clone()
        }
    );
    assert!(event.occurred_at.ends_with("+08:00"));
    let change = &event.application;
    assert_eq!(change.project_no, project);
    assert_eq!(change.status, "6");
    assert_eq!(change.status_seq, 2, "the second step of this application");
    let raw: serde_json::Value = serde_json::from_slice(&seen[0].body).expect("json");
    assert_eq!(raw["type"], "application_status_changed");

    let detail = client.application(&project, &holder).await.expect("detail");
    assert_eq!(detail.status, "6");
    assert_eq!(detail.task_code, change.task_code);
    assert_eq!(detail.task_name.zh, change.task_name.zh);
    let notice = detail.supplement.expect("a notice");
    assert!(!notice.items.is_empty());
    assert_eq!(change.due_date.as_deref(), notice.due_time.get(..10));
    assert!(notice.due_time > notice.issue_time);
}

#[tokio::test]
async fn an_application_goes_from_acceptance_to_a_result_ready_and_can_then_be_rated() {
    let (client, sim, receiver) = sim_with_receiver(0).await;
    let holder = citizen(0);
    let project = project_in_status(&client, &holder, "1").await;

    for code in ["3", "8", "11", "16"] {
        sim.advance_application(&project, code)
            .await
            .expect("delivered");
    }

    let events: Vec<ApplicationEvent> = receiver.seen().iter().map(application_event).collect();
    let statuses: Vec<&str> = events
        .iter()
        .map(|e| e.application.status.as_str())
        .collect();
    assert_eq!(statuses, ["3", "8", "11", "16"]);
    let seqs: Vec<u32> = events.iter().map(|e| e.application.status_seq).collect();
    assert_eq!(seqs, [2, 3, 4, 5]);
    assert!(events.iter().all(|e| e.application.due_date.is_none()));
    let detail = client.application(&project, &holder).await.expect("detail");
    assert_eq!(detail.status, "16");
    assert!(detail.accept_time.is_some() && detail.promise_due_time.is_some());
    assert!(detail.finish_time.is_some());
    let codes: Vec<&str> = detail
        .history
        .iter()
        .map(|s| s.status_code.as_str())
        .collect();
    assert_eq!(codes, ["1", "3", "8", "11", "16"]);
    assert!(detail.history.iter().all(|s| s.end_time.is_some()));
    let last = detail.history.last().expect("a step");
    assert!(last.action.ug.is_some() && last.step_name.kk.is_some());
    client
        .rate(&project, &holder, 5, &[], None)
        .await
        .expect("a result ready is rateable");
}

#[tokio::test]
async fn a_move_the_platform_would_not_make_changes_nothing_and_sends_nothing() {
    let (client, sim, receiver) = sim_with_receiver(0).await;
    let holder = citizen(5);
    let denied = project_in_status(&client, &holder, "13").await;
    let before = client.application(&denied, &holder).await.expect("detail");

    assert!(sim.advance_application(&denied, "16").await.is_err());
    assert!(sim.advance_application(&denied, "17").await.is_err());
    assert!(
        sim.advance_application("no-such-project", "3")
            .await
            .is_err()
    );

    let after = client.application(&denied, &holder).await.expect("detail");
    assert_eq!(after.status, "13");
    assert_eq!(after.history.len(), before.history.len());
    assert!(receiver.seen().is_empty());
}

#[tokio::test]
async fn an_enterprise_application_names_the_enterprise_and_a_special_procedure_opens_and_closes() {
    let (client, sim, receiver) = sim_with_receiver(0).await;
    let holder = enterprise(0);
    let project = project_in_status(&client, &holder, "12").await;
    assert!(sim.advance_application(&project, "9").await.is_err());
    sim.advance_application(&project, "16")
        .await
        .expect("delivered");
    let event = application_event(&receiver.seen()[0]);
    assert_eq!(
        event.subject,
        EventSubject::Enterprise {
            credit_code: holder.code.clone()
        }
    );

    let person = citizen(2);
    let in_review = project_in_status(&client, &person, "8").await;
    sim.advance_application(&in_review, "9").await.expect("9");
    let paused = client
        .application(&in_review, &person)
        .await
        .expect("detail");
    assert!(
        paused
            .special_procedures
            .iter()
            .any(|p| p.end_time.is_none())
    );
    sim.advance_application(&in_review, "10").await.expect("10");
    let resumed = client
        .application(&in_review, &person)
        .await
        .expect("detail");
    assert!(
        resumed
            .special_procedures
            .iter()
            .all(|p| p.end_time.is_some())
    );
    assert_eq!(resumed.status, "10");
}

#[tokio::test]
async fn the_applicants_own_submission_and_supplement_are_not_pushed() {
    let (client, sim, receiver) = sim_with_receiver(0).await;
    let holder = citizen(1);
    let waiting = project_in_status(&client, &holder, "6").await;
    let materials = [SubmittedMaterial {
        name: "经营场所使用证明".to_string(),
        certificate_id: None,
        file_ref: Some("file-1".to_string()),
    }];
    client
        .supplement(&waiting, &holder, "sup-p", &materials)
        .await
        .expect("supplement");
    assert!(receiver.seen().is_empty());

    // The agency takes it from there, and that is pushed.
    sim.advance_application(&waiting, "3").await.expect("3");
    let event = application_event(&receiver.seen()[0]);
    assert_eq!(event.application.status, "3");
    assert_eq!(event.application.status_seq, 4);
}

#[tokio::test]
async fn the_demo_route_moves_an_application_and_answers_the_delivery() {
    let (client, sim, receiver) = sim_with_receiver(0).await;
    let holder = citizen(0);
    let project = project_in_status(&client, &holder, "1").await;
    let http = reqwest::Client::new();
    let url = format!(
        "{}/api/v1/demo/applications/{project}/status",
        sim.base_url()
    );

    let answer = http
        .post(&url)
        .json(&serde_json::json!({"status": "3"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().await.expect("json");
    assert_eq!(body["code"], "200");
    assert_eq!(body["data"]["status"], 200);
    assert_eq!(body["data"]["attempts"], 1);
    assert_eq!(
        body["data"]["eventId"].as_str(),
        Some(receiver.seen()[0].event_id.as_str())
    );

    let refused = http
        .post(&url)
        .json(&serde_json::json!({"status": "7"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), 422);
    assert_eq!(receiver.seen().len(), 1);
}
