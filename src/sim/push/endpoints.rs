//! The simulator's HTTP handlers. Each one first counts the call and applies the faults, then
//! checks what JPush checks in its order (method, Basic credentials, the rate window, the
//! body), and answers with the real success shape or `{"error":{"code","message"}}` with
//! JPush's HTTP status. Every answer past the credentials carries the `X-Rate-Limit-*` headers.

use std::{collections::HashMap, sync::Arc, time::Duration};

use poem::{
    Request, Response, handler,
    http::{Method, StatusCode, header},
    web::{Data, Query},
};
use serde_json::{Map, Value, json};

use super::{
    CID_LIFETIME, Cid, CidKind, Device, PushRecord, RateInfo, Refusal, SimState, World, lock,
    payload::{self, Audience},
};
use crate::upstream::push::wire::{
    self, DevicePlatform, MAX_CIDS, Receipt, ReceiptStatus, basic_authorization,
};

fn answer(status: StatusCode, body: &Value, rate: Option<RateInfo>) -> Response {
    let mut response = Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8");
    if let Some(rate) = rate {
        response = response
            .header(wire::HEADER_RATE_QUOTA, rate.quota)
            .header(wire::HEADER_RATE_LIMIT, rate.quota)
            .header(wire::HEADER_RATE_REMAINING, rate.remaining)
            .header(wire::HEADER_RATE_RESET, rate.reset_secs);
    }
    response.body(body.to_string())
}

fn refuse(refusal: Refusal, rate: Option<RateInfo>) -> Response {
    let mut body = json!({"error": {"code": refusal.code, "message": refusal.message}});
    if let Some(msg_id) = refusal.msg_id {
        body["msg_id"] = json!(msg_id);
    }
    answer(refusal.status, &body, rate)
}

/// A uniformly random number in [0, 1), from 53 random bits so that 1.0 is never drawn.
fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    if openssl::rand::rand_bytes(&mut bytes).is_err() {
        return 0.0;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// Counts the call, applies the faults, checks the method and the credentials, then takes
/// one call from the rate window.
async fn admit(
    state: &SimState,
    req: &Request,
    path: &str,
    method: Method,
) -> Result<RateInfo, Response> {
    *state.world().calls.entry(path.to_string()).or_default() += 1;
    let faults = lock(&state.faults).clone();
    if !faults.latency.is_zero() {
        crate::sim::delay::sleep(faults.latency).await;
    }
    if faults.outage {
        let timeout = Refusal::new(StatusCode::SERVICE_UNAVAILABLE, 1030, "Server Timeout");
        return Err(refuse(timeout, None));
    }
    if faults.error_rate > 0.0 && random_unit() < faults.error_rate {
        let internal = Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, 1000, "Server Error");
        return Err(refuse(internal, None));
    }
    if req.method() != method {
        let only = Refusal::new(StatusCode::METHOD_NOT_ALLOWED, 1001, "Not Allowed Method");
        return Err(refuse(only, None));
    }
    let expected = basic_authorization(&state.app_key, &state.master_secret);
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    if given != Some(expected.as_str()) {
        let failed = Refusal::new(StatusCode::UNAUTHORIZED, 1004, "Authen failed");
        return Err(refuse(failed, None));
    }
    take_call(state).map_err(|rate| {
        let limited = Refusal::new(StatusCode::TOO_MANY_REQUESTS, 2002, "Rate limit exceeded");
        refuse(limited, Some(rate))
    })
}

/// Takes one call from the current one-second window; `Err` when the window is spent.
fn take_call(state: &SimState) -> Result<RateInfo, RateInfo> {
    let mut world = state.world();
    let now = world.now();
    let window = Duration::from_secs(1);
    if now.duration_since(world.window.0) >= window {
        world.window = (now, 0);
    }
    let elapsed = now.duration_since(world.window.0);
    let reset_secs = (window - elapsed).as_secs_f64().ceil().max(1.0) as u64;
    let quota = world.rate_cap;
    if world.window.1 >= quota {
        return Err(RateInfo {
            quota,
            remaining: 0,
            reset_secs,
        });
    }
    world.window.1 += 1;
    Ok(RateInfo {
        quota,
        remaining: quota - world.window.1,
        reset_secs,
    })
}

type QueryParams = Query<HashMap<String, String>>;

/// `GET /v3/push/cid?count=n&type=push|schedule`: `{"cidlist":["{appkey}-{uuid}", …]}`.
#[handler]
pub(super) async fn reserve_cids(
    req: &Request,
    Query(query): QueryParams,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let rate = match admit(state, req, "/v3/push/cid", Method::GET).await {
        Ok(rate) => rate,
        Err(refused) => return refused,
    };
    let count = match query.get("count").map(|count| count.parse::<u32>()) {
        None => 1,
        Some(Ok(count)) if (1..=MAX_CIDS).contains(&count) => count,
        Some(_) => return refuse(Refusal::invalid("Invalid count"), Some(rate)),
    };
    let kind = match query.get("type").map(String::as_str) {
        None | Some("push") => CidKind::Push,
        Some("schedule") => CidKind::Schedule,
        Some(_) => return refuse(Refusal::invalid("Invalid type"), Some(rate)),
    };
    let mut world = state.world();
    let issued_at = world.now();
    let cids: Vec<String> = (0..count)
        .map(|_| format!("{}-{}", state.app_key, uuid::Uuid::new_v4()))
        .collect();
    for cid in &cids {
        let entry = Cid {
            kind,
            issued_at,
            first: None,
        };
        world.cids.insert(cid.clone(), entry);
    }
    answer(StatusCode::OK, &json!({"cidlist": cids}), Some(rate))
}

/// `POST /v3/push`: validates the push object, resolves the audience, records the push per
/// device and answers `{"sendno","msg_id"}`; receipts follow from a background task.
#[handler]
pub(super) async fn send_push(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let rate = match admit(state, req, "/v3/push", Method::POST).await {
        Ok(rate) => rate,
        Err(refused) => return refused,
    };
    match accept(state, &body) {
        Ok((sendno, msg_id, receipts)) => {
            if !receipts.is_empty() {
                super::receipts::send(state, receipts);
            }
            let body = json!({"sendno": sendno, "msg_id": msg_id});
            answer(StatusCode::OK, &body, Some(rate))
        }
        Err(refusal) => refuse(refusal, Some(rate)),
    }
}

/// Accepts one push under the world's lock: `(sendno, msg_id, receipts to send)`.
fn accept(state: &SimState, body: &[u8]) -> Result<(String, String, Vec<Receipt>), Refusal> {
    let fields = payload::object(body)?;
    let mut world = state.world();
    accept_one(&mut world, &fields)
}

/// One push object, its `cid` included, against the world. A cid used before answers its
/// first result with no new delivery and no receipt.
fn accept_one(
    world: &mut World,
    fields: &Map<String, Value>,
) -> Result<(String, String, Vec<Receipt>), Refusal> {
    let now = world.now();
    let cid = match fields.get("cid") {
        None => None,
        Some(Value::String(cid)) => {
            let entry = world
                .cids
                .get(cid)
                .filter(|entry| entry.kind == CidKind::Push)
                .filter(|entry| now.duration_since(entry.issued_at) < CID_LIFETIME)
                .ok_or_else(|| Refusal::invalid("Invalid cid"))?;
            if let Some((sendno, msg_id)) = &entry.first {
                return Ok((sendno.clone(), msg_id.clone(), Vec::new()));
            }
            Some(cid.clone())
        }
        Some(_) => return Err(Refusal::invalid("Invalid cid")),
    };
    let push = payload::read(fields)?;
    // Named devices are looked up, not searched for: a campaign pushes to each of many
    // thousands of devices in turn.
    let candidates: Vec<(&String, &Device)> = match &push.audience {
        Audience::All => world.devices.iter().collect(),
        Audience::RegistrationIds(ids) => ids
            .iter()
            .filter_map(|id| world.devices.get_key_value(id))
            .collect(),
    };
    let mut targets: Vec<(String, DevicePlatform, bool, bool)> = candidates
        .into_iter()
        .filter(|(_, device)| push.platforms.contains(&device.platform))
        .filter(|(_, device)| push.content(device.platform).is_some())
        .map(|(rid, d)| (rid.clone(), d.platform, d.online, d.installed))
        .collect();
    targets.sort_by(|a, b| a.0.cmp(&b.0));
    let msg_id = world.mint_msg_id();
    if targets.is_empty() {
        return Err(Refusal {
            msg_id: Some(msg_id),
            ..Refusal::new(
                StatusCode::BAD_REQUEST,
                1011,
                "cannot find user by this audience or has been inactive for more than 255 days",
            )
        });
    }
    let time = jiff::Timestamp::now().as_second()
        + i64::try_from(world.clock_offset.as_secs()).unwrap_or(0);
    let mut receipts = Vec::new();
    for (rid, platform, online, installed) in targets {
        let Some(content) = push.content(platform) else {
            continue;
        };
        let reason = match (installed, online) {
            (false, _) => Some("uninstalled"),
            (true, false) => Some("offline"),
            (true, true) => None,
        };
        world.pushes.push(PushRecord {
            msg_id: msg_id.clone(),
            registration_id: rid.clone(),
            platform,
            title: content.title.clone(),
            alert: content.alert.clone(),
            extras: content.extras.clone(),
            cid: cid.clone(),
            delivered: reason.is_none(),
            time_to_live_secs: push.time_to_live_secs,
        });
        receipts.push(Receipt {
            msg_id: msg_id.clone(),
            registration_id: rid,
            platform,
            status: match reason {
                None => ReceiptStatus::Delivered,
                Some(_) => ReceiptStatus::NotDelivered,
            },
            reason: reason.map(str::to_string),
            time,
        });
    }
    let sendno = push.sendno.to_string();
    if let Some(cid) = cid
        && let Some(entry) = world.cids.get_mut(&cid)
    {
        entry.first = Some((sendno.clone(), msg_id.clone()));
    }
    Ok((sendno, msg_id, receipts))
}

/// `POST /v3/push/batch/regid/single` (批量单推, a VIP interface): up to 1000 pushes in one
/// call, each under the cid that keys it in `pushlist` and for the one registration id in its
/// `target`. Answers HTTP 200 with each cid's `{"msg_id"}` or `{"error":{…}}` (plus `msg_id`
/// for 1011); a request refused as a whole answers like `POST /v3/push`. Without the VIP
/// grant ([`super::PushSim::set_batch_allowed`]) it answers 2006 (HTTP 403). The receipts of
/// the whole call go to the sink in one body.
#[handler]
pub(super) async fn send_batch(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let rate = match admit(state, req, wire::BATCH_REGID_PATH, Method::POST).await {
        Ok(rate) => rate,
        Err(refused) => return refused,
    };
    if !state.world().batch_allowed {
        let not_vip = Refusal::new(StatusCode::FORBIDDEN, wire::CODE_NOT_VIP, "非VIP用户");
        return refuse(not_vip, Some(rate));
    }
    let fields = match payload::object(&body) {
        Ok(fields) => fields,
        Err(refusal) => return refuse(refusal, Some(rate)),
    };
    let list = match fields.get("pushlist") {
        Some(Value::Object(list)) if !list.is_empty() => list,
        None | Some(Value::Object(_)) => {
            return refuse(Refusal::missing("Missing parameter: pushlist"), Some(rate));
        }
        Some(_) => return refuse(Refusal::invalid("Invalid pushlist"), Some(rate)),
    };
    if list.len() > wire::MAX_BATCH {
        let over = Refusal::invalid("pushlist holds more than 1000 pushes");
        return refuse(over, Some(rate));
    }
    let mut answers = Map::new();
    let mut receipts = Vec::new();
    {
        let mut world = state.world();
        for (cid, item) in list {
            let outcome = single_of(cid, item).and_then(|fields| accept_one(&mut world, &fields));
            let answer = match outcome {
                Ok((_, msg_id, sent)) => {
                    receipts.extend(sent);
                    json!({"msg_id": msg_id})
                }
                Err(refusal) => {
                    let mut error =
                        json!({"error": {"code": refusal.code, "message": refusal.message}});
                    if let Some(msg_id) = refusal.msg_id {
                        error["msg_id"] = json!(msg_id);
                    }
                    error
                }
            };
            answers.insert(cid.clone(), answer);
        }
    }
    if !receipts.is_empty() {
        super::receipts::send(state, receipts);
    }
    answer(StatusCode::OK, &Value::Object(answers), Some(rate))
}

/// One `pushlist` entry as the push object it stands for: `target` becomes the audience and
/// the key becomes the cid.
fn single_of(cid: &str, item: &Value) -> Result<Map<String, Value>, Refusal> {
    let Value::Object(item) = item else {
        return Err(Refusal::invalid("A push must be JSON Object format!"));
    };
    let target = match item.get("target") {
        Some(Value::String(target)) if !target.is_empty() => target.clone(),
        None => return Err(Refusal::missing("Missing parameter: target")),
        Some(_) => return Err(Refusal::invalid("Invalid target")),
    };
    let mut fields = item.clone();
    fields.remove("target");
    fields.insert("audience".into(), json!({"registration_id": [target]}));
    fields.insert("cid".into(), Value::String(cid.to_string()));
    Ok(fields)
}
