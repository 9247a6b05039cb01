//! How an application (办件) moves from one 办理状态 to the next on the simulated platform, and
//! the status event (`docs/upstream-gov.md` §10b) it pushes when an agency moves it.
//!
//! [`advance`] is the one place a status changes: it records the step and what the code implies
//! (acceptance starts the clock, 补正 issues a notice, a special procedure opens and closes, a
//! decision sets the finish time). Submission and supplement go through it from
//! `applications`; they are the applicant's own acts, answered in the response, so they push
//! nothing. Everything an agency does goes through [`GovSim::advance_application`], which tests
//! and the demo route `POST /api/v1/demo/applications/{projectNo}/status` drive, and is pushed.

use anyhow::{Context, bail};
use jiff::Zoned;
use poem::{
    Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use serde::Deserialize;

use super::{
    Delivery, GovSim,
    demo_applications::add_limit,
    lock, ok,
    records::{StoredApplication, now, rfc3339},
    refuse,
    steps::{Text, is_closed, may_follow, step_texts, text},
};
use crate::upstream::gov::wire::{
    self, Application, ApplicationEvent, ApplicationEventType, ApplicationStatusChange,
    ApplicationStep, EventSubject, HolderType, SpecialProcedureRun, SupplementNotice, TaskItem,
};

/// Working days the applicant is given to hand in a supplement.
const SUPPLEMENT_DAYS: u32 = 5;

/// What a 补正 notice asks for when the item lists no required material to name.
const MISSING_MATERIAL: Text = (
    "申请材料不齐全",
    "ئىلتىماس ماتېرىيالى تولۇق ئەمەس",
    "ٴوتىنىش ماتەريالى تولىق ەمەس",
);

/// Moves `application` to status `code` at `at`: closes the step before, appends the new one
/// and applies what the code means. `item` is the application's catalog item (for its time
/// limits, materials and special procedures); `sequence` numbers a 补正 notice. Callers check
/// [`may_follow`] first where the move is not theirs to make.
///
/// The simulator does not move the promised due date when a special procedure ends (the seeded
/// histories already count the paused days up to the start).
pub(super) fn advance(
    application: &mut Application,
    code: &str,
    at: &Zoned,
    item: Option<&TaskItem>,
    sequence: u64,
) {
    let time = rfc3339(at);
    if let Some(last) = application.history.last_mut() {
        last.end_time.get_or_insert_with(|| time.clone());
    }
    if code != "9" {
        for run in &mut application.special_procedures {
            run.end_time.get_or_insert_with(|| time.clone());
        }
    }
    if code != wire::STATUS_SUPPLEMENT_REQUESTED {
        application.supplement = None;
    }
    match code {
        "3" => {
            application.accept_time = Some(time.clone());
            if let Some(item) = item {
                let due = |days, unit: &str| rfc3339(&add_limit(at, days, unit));
                application.promise_due_time = Some(due(item.promise_day, &item.promise_type));
                application.statutory_due_time =
                    Some(due(item.anticipate_day, &item.anticipate_type));
            }
        }
        wire::STATUS_SUPPLEMENT_REQUESTED => {
            application.supplement = Some(supplement_notice(at, item, sequence));
        }
        "9" => application.special_procedures.push(SpecialProcedureRun {
            name: item
                .and_then(|item| item.special_procedures.first())
                .map_or_else(|| text(step_texts("9").1), |rule| rule.name.clone()),
            start_time: time.clone(),
            end_time: None,
        }),
        _ => {}
    }
    if is_closed(code) {
        application.finish_time.get_or_insert_with(|| time.clone());
    }
    let (action, step_name) = step_texts(code);
    application.history.push(ApplicationStep {
        seq: application.history.len() as u32 + 1,
        status_code: code.to_string(),
        action: text(action),
        step_name: text(step_name),
        opinion: None,
        start_time: time.clone(),
        end_time: is_closed(code).then_some(time),
    });
    application.status = code.to_string();
}

/// 一次性告知: names the item's required materials (the simulator cannot know which one was
/// wrong), due [`SUPPLEMENT_DAYS`] working days from `at`.
fn supplement_notice(at: &Zoned, item: Option<&TaskItem>, sequence: u64) -> SupplementNotice {
    let mut items: Vec<_> = item
        .into_iter()
        .flat_map(|item| &item.materials)
        .filter(|material| material.is_need)
        .map(|material| material.material_name.clone())
        .take(2)
        .collect();
    if items.is_empty() {
        items.push(text(MISSING_MATERIAL));
    }
    SupplementNotice {
        items,
        notice_no: format!("BZ{}{:04}", at.strftime("%Y%m%d"), sequence % 10_000),
        issue_time: rfc3339(at),
        due_time: rfc3339(&add_limit(at, SUPPLEMENT_DAYS, "1")),
    }
}

/// The status event that tells the holder's receiver where `stored` stands now.
fn status_event(stored: &StoredApplication, at: &Zoned) -> ApplicationEvent {
    let application = &stored.application;
    let subject = match stored.holder_type {
        HolderType::Citizen => EventSubject::Person {
            id_number: stored.holder_code.clone(),
        },
        HolderType::Enterprise => EventSubject::Enterprise {
            credit_code: stored.holder_code.clone(),
        },
    };
    // The notice's due time is RFC 3339 in Beijing time, so its first ten characters are the
    // date there.
    let due_date = application
        .supplement
        .as_ref()
        .and_then(|notice| notice.due_time.get(..10))
        .map(str::to_string);
    ApplicationEvent {
        event_id: uuid::Uuid::new_v4().to_string(),
        kind: ApplicationEventType::StatusChanged,
        occurred_at: rfc3339(at),
        subject,
        application: ApplicationStatusChange {
            project_no: application.project_no.clone(),
            task_code: application.task_code.clone(),
            task_name: application.task_name.clone(),
            status: application.status.clone(),
            status_seq: application.history.last().map_or(0, |step| step.seq),
            due_date,
        },
    }
}

impl GovSim {
    /// Moves the application `project_no` (whoever holds it) to `status_code` as its agency
    /// would: 受理 ("3"), 补正 with a notice due in five working days ("6"), review ("8"), a
    /// special procedure ("9", "10"), a decision ("11"–"13"), the result ready to collect
    /// ("16") or a revocation ("15"); then pushes the status event to the sink. Refuses an
    /// unknown project and a move the platform would not make (see `steps::may_follow`);
    /// fails after the change when no sink is set, as the life-event mutations do.
    pub async fn advance_application(
        &self,
        project_no: &str,
        status_code: &str,
    ) -> anyhow::Result<Delivery> {
        let event = {
            let mut records = lock(&self.state.records);
            let sequence = records.next_sequence();
            let stored = records
                .applications
                .iter_mut()
                .find(|stored| stored.application.project_no == project_no)
                .context("no such application")?;
            let from = stored.application.status.as_str();
            if !may_follow(from, status_code) {
                bail!("an application in status {from} cannot move to status {status_code}");
            }
            let item = self
                .state
                .items
                .iter()
                .find(|item| item.task_code == stored.application.task_code);
            let at = now();
            advance(&mut stored.application, status_code, &at, item, sequence);
            status_event(stored, &at)
        };
        let body = serde_json::to_vec(&event).context("encoding the event")?;
        self.post_event(event.event_id, body).await
    }
}

/// The body of `POST /api/v1/demo/applications/{projectNo}/status`.
#[derive(Debug, Deserialize)]
struct DemoStatus {
    status: String,
}

/// `POST /api/v1/demo/applications/{projectNo}/status` `{"status": "16"}` (unsigned, for demos
/// without Rust; not part of the platform's contract): runs
/// [`GovSim::advance_application`] and answers the delivery. A refused move is `422`.
#[handler]
pub(super) async fn demo_status(
    Path(project_no): Path<String>,
    body: Vec<u8>,
    Data(sim): Data<&GovSim>,
) -> Response {
    let Ok(wanted) = serde_json::from_slice::<DemoStatus>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            wire::CODE_BAD_REQUEST,
            "请求参数错误",
        );
    };
    match sim.advance_application(&project_no, &wanted.status).await {
        Ok(delivery) => ok(delivery),
        // The errors name codes and project numbers only, never a holder.
        Err(err) => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            wire::CODE_VALIDATION,
            &format!("{err:#}"),
        ),
    }
}
