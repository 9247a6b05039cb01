//! `/demo`: for trying Tongban against its built-in simulators, outside the API and its spec.
//! Mints the one-time codes a real mini-program would get from `wx.login()`,
//! `my.getAuthCode()` and the phone-number button, for the simulators' demo citizens. Mounted
//! only while the simulators run and `auth.demo_routes` is on; never against real platforms.

use poem::{
    IntoResponse, Response, Route, get, handler, post,
    web::{Data, Json, Query},
};
use serde::Deserialize;

use crate::{
    AppState,
    sim::{alipay, gov::citizens::demo_citizens, wechat},
};

/// The routes, when the simulators they need are running.
pub fn routes(state: &AppState) -> Option<Route> {
    let sims = &state.simulators;
    if !state.config.auth.demo_routes || sims.wechat.is_none() || sims.alipay.is_none() {
        return None;
    }
    Some(
        Route::new()
            .at("/citizens", get(citizens))
            .at("/wechat/login-code", post(wechat_login_code))
            .at("/wechat/phone-code", post(wechat_phone_code))
            .at("/alipay/auth-code", post(alipay_auth_code)),
    )
}

#[derive(Debug, Deserialize)]
struct WhoQuery {
    openid: Option<String>,
    phone: Option<String>,
}

/// The demo citizens with the platform ids the simulators know them by.
#[handler]
fn citizens() -> Response {
    let list: Vec<_> = demo_citizens()
        .into_iter()
        .map(|c| {
            serde_json::json!({
                "name": c.name,
                "idNumber": c.id_number,
                "phone": c.phone,
                "birthDate": c.birth_date.to_string(),
                "wechatOpenid": c.wechat_openid,
                "alipayOpenId": c.alipay_open_id,
            })
        })
        .collect();
    Json(list).into_response()
}

#[handler]
fn wechat_login_code(Data(state): Data<&AppState>, Query(who): Query<WhoQuery>) -> Response {
    let Some(sim) = &state.simulators.wechat else {
        return poem::http::StatusCode::NOT_FOUND.into_response();
    };
    let openid = who
        .openid
        .unwrap_or_else(|| wechat::DEMO_OPENIDS[0].to_string());
    let code = sim.mint_login_code(&openid);
    Json(serde_json::json!({"code": code, "openid": openid})).into_response()
}

#[handler]
fn wechat_phone_code(Data(state): Data<&AppState>, Query(who): Query<WhoQuery>) -> Response {
    let Some(sim) = &state.simulators.wechat else {
        return poem::http::StatusCode::NOT_FOUND.into_response();
    };
    let openid = who
        .openid
        .unwrap_or_else(|| wechat::DEMO_OPENIDS[0].to_string());
    let phone = who.phone.unwrap_or_else(|| "13800138000".to_string());
    let code = sim.mint_phone_code(&openid, &phone);
    Json(serde_json::json!({"code": code, "openid": openid})).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AlipayWho {
    open_id: Option<String>,
}

#[handler]
fn alipay_auth_code(Data(state): Data<&AppState>, Query(who): Query<AlipayWho>) -> Response {
    let Some(sim) = &state.simulators.alipay else {
        return poem::http::StatusCode::NOT_FOUND.into_response();
    };
    let open_id = who
        .open_id
        .unwrap_or_else(|| alipay::DEMO_OPEN_IDS[0].to_string());
    let code = sim.mint_auth_code(&open_id);
    Json(serde_json::json!({"authCode": code, "openId": open_id})).into_response()
}
