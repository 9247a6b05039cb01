//! The simulator's HTTP handlers, one per WeChat endpoint. Each one first counts the call and
//! applies the faults (`admit`), then checks what WeChat checks in the order it does
//! (credentials or access token, then the body), and answers with the real success shape or
//! `{"errcode", "errmsg": "…, rid: …"}`, always with HTTP 200. The subscription send's own
//! checks live with the templates in `subscriptions`.

use std::{collections::HashMap, sync::Arc};

use base64::{Engine, engine::general_purpose::STANDARD};
use poem::{
    Request, Response, handler,
    http::{Method, StatusCode},
    web::{Data, Query},
};
use serde_json::{Map, Value, json};

use super::{CODE_LIFETIME, SimState, lock};

/// Words the content check treats as illegal (违法犯罪, label 20006).
const RISKY_WORDS: &[&str] = &["办假证", "出售身份证", "网络赌博"];
/// Words it sends to manual review (其他, label 21000).
const REVIEW_WORDS: &[&str] = &["加微信", "刷单返利"];
/// msgSecCheck's maximum content length, in characters.
const MAX_CONTENT_CHARS: usize = 2500;

/// An error answer: errcode and errmsg (without the `rid` suffix, added when answering).
pub(super) struct Refusal(pub(super) i64, pub(super) String);

impl From<(i64, &str)> for Refusal {
    fn from((errcode, errmsg): (i64, &str)) -> Self {
        Self(errcode, errmsg.to_string())
    }
}

type QueryParams = Query<HashMap<String, String>>;

fn reply(body: &Value) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .content_type("application/json; encoding=utf-8")
        .body(body.to_string())
}

fn refuse(Refusal(errcode, errmsg): Refusal) -> Response {
    let rid = uuid::Uuid::new_v4().simple().to_string();
    reply(&json!({
        "errcode": errcode,
        "errmsg": format!("{errmsg}, rid: {}-{}-{}", &rid[..8], &rid[8..16], &rid[16..24]),
    }))
}

/// `errcode: 0, errmsg: "ok"` followed by the payload, as the business APIs answer.
fn ok(payload: Value) -> Response {
    let mut body = Map::new();
    body.insert("errcode".into(), json!(0));
    body.insert("errmsg".into(), json!("ok"));
    if let Value::Object(fields) = payload {
        body.extend(fields);
    }
    reply(&Value::Object(body))
}

fn answer(outcome: Result<Value, Refusal>, business: bool) -> Response {
    match outcome {
        Ok(payload) if business => ok(payload),
        Ok(payload) => reply(&payload),
        Err(refusal) => refuse(refusal),
    }
}

/// Counts the call and applies the faults.
async fn admit(state: &SimState, path: &str) -> Result<(), Response> {
    *state.world().calls.entry(path.to_string()).or_default() += 1;
    let faults = lock(&state.faults).clone();
    if !faults.latency.is_zero() {
        crate::sim::delay::sleep(faults.latency).await;
    }
    if faults.outage {
        return Err(refuse((-1, "system error").into()));
    }
    Ok(())
}

fn json_body(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err((44002, "empty post data").into());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(fields)) => Ok(fields),
        _ => Err((47001, "data format error").into()),
    }
}

pub(super) fn text<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
}

/// What every `access_token` endpoint checks first: POST, a good token, a JSON object body.
fn business_request(
    state: &SimState,
    req: &Request,
    query: &HashMap<String, String>,
    body: &[u8],
) -> Result<Map<String, Value>, Refusal> {
    if req.method() != Method::POST {
        return Err((43002, "require POST method").into());
    }
    state
        .world()
        .admit_token(query.get("access_token").map(String::as_str))?;
    json_body(body)
}

fn check_app(state: &SimState, appid: Option<&str>, secret: Option<&str>) -> Result<(), Refusal> {
    match appid {
        None => return Err((41002, "appid missing").into()),
        Some(appid) if appid != state.app_id => return Err((40013, "invalid appid").into()),
        Some(_) => {}
    }
    match secret {
        None => Err((41004, "appsecret missing").into()),
        Some(secret) if secret != state.app_secret => Err((40125, "invalid appsecret").into()),
        Some(_) => Ok(()),
    }
}

#[handler]
pub(super) async fn jscode2session(
    Query(query): QueryParams,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, "/sns/jscode2session").await {
        return refused;
    }
    answer(login(state, &query), false)
}

fn login(state: &SimState, query: &HashMap<String, String>) -> Result<Value, Refusal> {
    let param = |key: &str| query.get(key).map(String::as_str).filter(|v| !v.is_empty());
    check_app(state, param("appid"), param("secret"))?;
    let js_code = param("js_code").ok_or((41008, "missing code"))?;
    if param("grant_type") != Some("authorization_code") {
        return Err((40002, "invalid grant_type").into());
    }
    let mut world = state.world();
    let now = world.now();
    let code = world
        .codes
        .get(js_code)
        .filter(|code| code.phone.is_none())
        .ok_or((40029, "invalid code"))?;
    if code.used {
        return Err((40163, "code been used").into());
    }
    if now.duration_since(code.minted_at) >= CODE_LIFETIME {
        return Err((40029, "invalid code").into());
    }
    let openid = code.openid.clone();
    let user = world.user(&openid);
    if user.login_blocked {
        return Err((40226, "code blocked").into());
    }
    let unionid = user.unionid.clone();
    if !world.count_login(&openid) {
        return Err((
            45011,
            "api minute-quota reach limit  mustslower  retry next minute",
        )
            .into());
    }
    if let Some(code) = world.codes.get_mut(js_code) {
        code.used = true;
    }
    let mut session_key = [0u8; 16];
    openssl::rand::rand_bytes(&mut session_key).map_err(|_| Refusal(-1, "system error".into()))?;
    let mut session = json!({"session_key": STANDARD.encode(session_key), "openid": openid});
    if let Some(unionid) = unionid {
        session["unionid"] = json!(unionid);
    }
    Ok(session)
}

#[handler]
pub(super) async fn stable_token(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, "/cgi-bin/stable_token").await {
        return refused;
    }
    answer(issue_stable_token(state, req, &body), false)
}

fn issue_stable_token(state: &SimState, req: &Request, body: &[u8]) -> Result<Value, Refusal> {
    if req.method() != Method::POST {
        return Err((43002, "require POST method").into());
    }
    let fields = json_body(body)?;
    if text(&fields, "grant_type") != Some("client_credential") {
        return Err((40002, "invalid grant_type").into());
    }
    check_app(state, text(&fields, "appid"), text(&fields, "secret"))?;
    let force = match fields.get("force_refresh") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(force)) => *force,
        Some(_) => return Err((47001, "data format error").into()),
    };
    let mut world = state.world();
    let (token, expires_in) = if force {
        world.force_token()?
    } else {
        world.stable_token()
    };
    Ok(json!({"access_token": token, "expires_in": expires_in}))
}

#[handler]
pub(super) async fn phone_number(
    req: &Request,
    Query(query): QueryParams,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, "/wxa/business/getuserphonenumber").await {
        return refused;
    }
    let outcome = business_request(state, req, &query, &body).and_then(|fields| {
        let phone = redeem_phone_code(state, &fields)?;
        Ok(json!({"phone_info": {
            "phoneNumber": phone,
            "purePhoneNumber": phone,
            "countryCode": 86,
            "watermark": {"timestamp": jiff::Timestamp::now().as_second(), "appid": state.app_id},
        }}))
    });
    answer(outcome, true)
}

/// The phone number behind a button code. A spent, expired or unknown code, or one bound to
/// another openid than the one given, is 40029: this API documents no other code for them.
fn redeem_phone_code(state: &SimState, fields: &Map<String, Value>) -> Result<String, Refusal> {
    let invalid = || Refusal(40029, "invalid code".into());
    let code = text(fields, "code").ok_or_else(invalid)?;
    let mut world = state.world();
    let now = world.now();
    let entry = world.codes.get_mut(code).ok_or_else(invalid)?;
    let phone = entry.phone.clone().ok_or_else(invalid)?;
    let wrong_openid = text(fields, "openid").is_some_and(|openid| openid != entry.openid);
    if entry.used || now.duration_since(entry.minted_at) >= CODE_LIFETIME || wrong_openid {
        return Err(invalid());
    }
    entry.used = true;
    Ok(phone)
}

#[handler]
pub(super) async fn msg_sec_check(
    req: &Request,
    Query(query): QueryParams,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, "/wxa/msg_sec_check").await {
        return refused;
    }
    let outcome = business_request(state, req, &query, &body)
        .and_then(|fields| check_content(state, &fields));
    answer(outcome, true)
}

/// msgSecCheck v2: errcode 0 whatever the verdict, which is in `result`.
fn check_content(state: &SimState, fields: &Map<String, Value>) -> Result<Value, Refusal> {
    if fields.get("version").and_then(Value::as_i64) != Some(2) {
        return Err((47001, "data format error, version must be 2").into());
    }
    let openid = text(fields, "openid").ok_or((40003, "invalid openid"))?;
    if !state.world().users.contains_key(openid) {
        return Err((40003, "invalid openid").into());
    }
    if !matches!(fields.get("scene").and_then(Value::as_i64), Some(1..=4)) {
        return Err((40129, "invalid scene").into());
    }
    let content = fields
        .get("content")
        .and_then(Value::as_str)
        .ok_or((47001, "data format error"))?;
    if content.chars().count() > MAX_CONTENT_CHARS {
        return Err((47001, "data format error, content too long").into());
    }
    let risky = RISKY_WORDS.iter().find(|word| content.contains(*word));
    let review = REVIEW_WORDS.iter().find(|word| content.contains(*word));
    let (suggest, label, keyword) = match (risky, review) {
        (Some(word), _) => ("risky", 20006, Some(*word)),
        (None, Some(word)) => ("review", 21000, Some(*word)),
        (None, None) => ("pass", 100, None),
    };
    let mut detail = vec![json!({
        "strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90,
    })];
    detail.push(match keyword {
        Some(word) => json!({
            "strategy": "keyword", "errcode": 0, "suggest": suggest, "label": label,
            "level": 90, "keyword": word,
        }),
        None => json!({"strategy": "keyword", "errcode": 0}),
    });
    Ok(json!({
        "detail": detail,
        "trace_id": uuid::Uuid::new_v4().to_string(),
        "result": {"suggest": suggest, "label": label},
    }))
}

#[handler]
pub(super) async fn subscribe_send(
    req: &Request,
    Query(query): QueryParams,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, "/cgi-bin/message/subscribe/send").await {
        return refused;
    }
    let outcome = business_request(state, req, &query, &body)
        .and_then(|fields| super::subscriptions::deliver(state, &fields));
    answer(outcome, true)
}
