//! Applications (办件) and their ratings (好差评): a holder's list and one application (the
//! platform checks ownership: another holder's project is "not found"), submission and
//! supplement (补正), both idempotent on the client's request id, and one rating per finished
//! application.

use std::sync::Arc;

use poem::{Request, Response, handler, http::StatusCode, web::Data};

use super::{
    Refusal, SimState, admit_json, conflict, invalid, lock, not_found, ok,
    progress::advance,
    records::{Replay, StoredApplication, now, rfc3339},
    refuse,
};
use crate::upstream::gov::wire::{
    self, Application, ApplicationRef, ApplicationSummary, ApplicationsQuery, HolderType, Page,
    RatingReceipt, RatingRequest, SubmitApplication, SubmitResult, SupplementRequest,
};

/// Channels a rating can come from (好差评 渠道).
const RATING_CHANNELS: [&str; 7] = [
    "miniProgram",
    "app",
    "pc",
    "window",
    "selfService",
    "sms",
    "hotline",
];

fn wrong_state(message: &str) -> Response {
    refuse(
        StatusCode::UNPROCESSABLE_ENTITY,
        wire::CODE_WRONG_STATE,
        message,
    )
}

#[handler]
pub(super) async fn query(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let wanted: ApplicationsQuery = match admit_json(state, req, &body).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    let page_no = wanted.page_no.max(1);
    let page_size = wanted.page_size.clamp(1, 50);
    let records = lock(&state.records);
    let mut mine: Vec<&Application> = records
        .applications
        .iter()
        .filter(|stored| {
            stored.holder_code == wanted.holder_code
                && stored.holder_type == wanted.holder_code_type
        })
        .map(|stored| &stored.application)
        .collect();
    mine.sort_by(|a, b| b.apply_time.cmp(&a.apply_time));
    let list = mine
        .iter()
        .skip(((page_no - 1) * page_size) as usize)
        .take(page_size as usize)
        .map(|application| ApplicationSummary {
            project_no: application.project_no.clone(),
            task_code: application.task_code.clone(),
            task_name: application.task_name.clone(),
            status: application.status.clone(),
            apply_time: application.apply_time.clone(),
            update_time: application
                .history
                .last()
                .map_or_else(|| application.apply_time.clone(), |e| e.start_time.clone()),
        })
        .collect();
    ok(Page {
        total: mine.len() as u64,
        page_no,
        page_size,
        list,
    })
}

#[handler]
pub(super) async fn detail(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let wanted: ApplicationRef = match admit_json(state, req, &body).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    let mut records = lock(&state.records);
    match records.application_mut(&wanted.project_no, &wanted.holder_code) {
        Some(stored) => ok(&stored.application),
        None => not_found("办件不存在"),
    }
}

/// Refuses a submission the platform's front office would not take.
fn check_submission(state: &SimState, submission: &SubmitApplication) -> Result<(), Refusal> {
    let Some(item) = state
        .items
        .iter()
        .find(|item| item.task_code == submission.task_code)
    else {
        return Err(Refusal::invalid("事项不存在"));
    };
    if !item.online_apply {
        return Err(Refusal::invalid("该事项不支持网上申请"));
    }
    let object = match submission.holder_code_type {
        HolderType::Citizen => "1",
        HolderType::Enterprise => "2",
    };
    if !item.server_type.iter().any(|s| s == object) {
        return Err(Refusal::invalid("申请人类型不在该事项服务对象内"));
    }
    let phone_ok = submission.contact_phone.len() == 11
        && submission.contact_phone.bytes().all(|b| b.is_ascii_digit());
    if submission.holder_code.len() != 18 || submission.holder_name.trim().is_empty() || !phone_ok {
        return Err(Refusal::invalid("申请人信息不完整"));
    }
    if submission
        .materials
        .iter()
        .any(|m| m.name.trim().is_empty())
    {
        return Err(Refusal::invalid("材料名称不能为空"));
    }
    Ok(())
}

#[handler]
pub(super) async fn submit(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let submission: SubmitApplication = match admit_json(state, req, &body).await {
        Ok(submission) => submission,
        Err(refused) => return refused,
    };
    let request = serde_json::to_value(&submission).unwrap_or_default();
    let mut records = lock(&state.records);
    match records.replay("submit", &submission.client_request_id, &request) {
        Replay::Repeat(answer) => return ok(answer),
        Replay::Conflict => return conflict("请求编号已用于其他申请"),
        Replay::New => {}
    }
    if let Err(refused) = check_submission(state, &submission) {
        return refused.into();
    }
    let now = now();
    let sequence = records.next_sequence();
    let project_no = format!(
        "{}{}{:04}",
        submission.task_code,
        now.strftime("%Y%m%d"),
        1_000 + sequence
    );
    let Some(item) = state
        .items
        .iter()
        .find(|item| item.task_code == submission.task_code)
    else {
        return invalid("事项不存在");
    };
    let mut application = Application {
        project_no: project_no.clone(),
        task_code: submission.task_code.clone(),
        task_name: item.task_name.clone(),
        status: String::new(),
        apply_time: rfc3339(&now),
        accept_time: None,
        promise_due_time: None,
        statutory_due_time: None,
        finish_time: None,
        history: Vec::new(),
        special_procedures: Vec::new(),
        supplement: None,
        rating_level: None,
    };
    advance(
        &mut application,
        wire::STATUS_RECEIVED,
        &now,
        Some(item),
        sequence,
    );
    records.applications.push(StoredApplication {
        holder_code: submission.holder_code.clone(),
        holder_type: submission.holder_code_type,
        application,
    });
    let answer = serde_json::to_value(SubmitResult {
        project_no,
        status: wire::STATUS_RECEIVED.to_string(),
    })
    .unwrap_or_default();
    records.remember(
        "submit",
        &submission.client_request_id,
        request,
        answer.clone(),
    );
    ok(answer)
}

#[handler]
pub(super) async fn supplement(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let supplement: SupplementRequest = match admit_json(state, req, &body).await {
        Ok(supplement) => supplement,
        Err(refused) => return refused,
    };
    let request = serde_json::to_value(&supplement).unwrap_or_default();
    let mut records = lock(&state.records);
    match records.replay("supplement", &supplement.client_request_id, &request) {
        Replay::Repeat(answer) => return ok(answer),
        Replay::Conflict => return conflict("请求编号已用于其他补正"),
        Replay::New => {}
    }
    let Some(stored) = records.application_mut(&supplement.project_no, &supplement.holder_code)
    else {
        return not_found("办件不存在");
    };
    if stored.application.status != wire::STATUS_SUPPLEMENT_REQUESTED {
        return wrong_state("办件不在补正状态");
    }
    if supplement.materials.is_empty()
        || supplement
            .materials
            .iter()
            .any(|m| m.name.trim().is_empty())
    {
        return invalid("补正材料不能为空");
    }
    // Closes the notice too.
    advance(
        &mut stored.application,
        wire::STATUS_SUPPLEMENT_SUBMITTED,
        &now(),
        None,
        0,
    );
    let answer = serde_json::to_value(SubmitResult {
        project_no: stored.application.project_no.clone(),
        status: wire::STATUS_SUPPLEMENT_SUBMITTED.to_string(),
    })
    .unwrap_or_default();
    records.remember(
        "supplement",
        &supplement.client_request_id,
        request,
        answer.clone(),
    );
    ok(answer)
}

#[handler]
pub(super) async fn rate(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let rating: RatingRequest = match admit_json(state, req, &body).await {
        Ok(rating) => rating,
        Err(refused) => return refused,
    };
    if !(1..=5).contains(&rating.level) {
        return invalid("评价等级须为1至5");
    }
    if !RATING_CHANNELS.contains(&rating.channel.as_str()) {
        return invalid("评价渠道无效");
    }
    let blank = rating
        .comment
        .as_deref()
        .is_none_or(|c| c.trim().is_empty());
    if rating.level <= 2 && blank {
        return invalid("差评须填写评价内容");
    }
    let mut records = lock(&state.records);
    let sequence = records.next_sequence();
    let Some(stored) = records.application_mut(&rating.project_no, &rating.holder_code) else {
        return not_found("办件不存在");
    };
    if !wire::FINISHED_STATUSES.contains(&stored.application.status.as_str()) {
        return wrong_state("办件尚未办结，不能评价");
    }
    if stored.application.rating_level.is_some() {
        return conflict("该办件已评价");
    }
    stored.application.rating_level = Some(rating.level);
    let receipt = RatingReceipt {
        rating_id: format!("PJ{}{sequence:06}", now().strftime("%Y%m%d")),
        project_no: rating.project_no.clone(),
        level: rating.level,
        create_time: rfc3339(&now()),
    };
    records
        .ratings
        .insert(rating.project_no.clone(), receipt.clone());
    ok(receipt)
}
