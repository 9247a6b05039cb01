//! `POST /v1/auth/*`: log in with a WeChat or Alipay code, refresh, log out.

use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use super::{ApiTags, client_ip, internal, rfc3339};
use crate::{
    AppState,
    domain::{
        login::LoginError,
        session::{IssuedTokens, Platform, RefreshError},
    },
    http::{
        auth::CitizenAuth,
        context::RequestCtx,
        problem::{Problem, ProblemKind},
    },
    i18n::Args,
};

pub struct AuthApi;

/// The code `wx.login()` gave the mini-program.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct WechatLoginRequest {
    /// `code` from `wx.login()`; valid once, for five minutes.
    #[oai(validator(min_length = 1, max_length = 128))]
    pub code: String,
}

/// The code `my.getAuthCode()` gave the mini-program.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlipayLoginRequest {
    /// `authCode` from `my.getAuthCode({scopes: 'auth_base'})`; valid once.
    #[oai(validator(min_length = 1, max_length = 128))]
    pub auth_code: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    /// The `refreshToken` of the last token pair. Each one works once.
    #[oai(validator(min_length = 1, max_length = 128))]
    pub refresh_token: String,
}

/// Tongban's tokens for one login.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct TokenPair {
    /// Always `Bearer`: send `Authorization: Bearer <accessToken>`.
    pub token_type: String,
    pub access_token: String,
    /// When `accessToken` stops working (RFC 3339). Refresh a little before.
    pub access_token_expires_at: String,
    /// Exchange at `POST /v1/auth/refresh` for a new pair. Works once: using it a second time
    /// ends this login on every device that holds it.
    pub refresh_token: String,
    pub refresh_token_expires_at: String,
    /// The person's account; the same for all their logins once their real name is bound.
    pub account_id: String,
    /// This login created the account.
    pub new_account: bool,
}

impl poem_openapi::types::Example for TokenPair {
    fn example() -> Self {
        Self {
            token_type: "Bearer".into(),
            access_token: "tba_Q2hvb3NlIGEgcmFuZG9tIHRva2VuIGhlcmUgcGxlYXNlIQ".into(),
            access_token_expires_at: "2026-11-22T10:15:00+08:00".into(),
            refresh_token: "tbr_UmVmcmVzaCB0b2tlbnMgYXJlIHJhbmRvbSB0b28gc2VlPw".into(),
            refresh_token_expires_at: "2026-12-22T10:00:00+08:00".into(),
            account_id: "acc_5f0c1e2d3b4a49d8a7e6f5c4b3a29180".into(),
            new_account: false,
        }
    }
}

impl TokenPair {
    fn from_issued(tokens: &IssuedTokens) -> Self {
        Self {
            token_type: "Bearer".into(),
            access_token: tokens.access_token.clone(),
            access_token_expires_at: rfc3339(tokens.access_expires_at),
            refresh_token: tokens.refresh_token.clone(),
            refresh_token_expires_at: rfc3339(tokens.refresh_expires_at),
            account_id: tokens.account_id.clone(),
            new_account: tokens.new_account,
        }
    }
}

#[derive(ApiResponse)]
pub enum LoginResponse {
    /// Logged in.
    #[oai(status = 200)]
    Ok(Json<TokenPair>),
    /// The body is invalid (`validation_failed`), or the code is invalid or expired
    /// (`login_code_invalid`): get a new one from `wx.login()` / `my.getAuthCode()`.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// The platform blocks this person's login (`login_blocked`).
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// The code was already used (`login_code_used`); a repeat within a minute of the first
    /// use gets the same tokens instead.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// Too many logins from this address (`rate_limited`); wait `Retry-After` seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// The body is not `JSON` (`unsupported_media_type`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// WeChat or Alipay cannot be reached (`upstream_unavailable`).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

#[derive(ApiResponse)]
pub enum RefreshResponse {
    /// A new token pair; the old refresh token no longer works.
    #[oai(status = 200)]
    Ok(Json<TokenPair>),
    /// The body is invalid.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// The refresh token is unknown, expired, or was already used, which ended the login
    /// (`refresh_token_invalid`): log in again.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The body is not `JSON` (`unsupported_media_type`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

#[derive(ApiResponse)]
pub enum LogoutResponse {
    /// The login is over; its tokens no longer work.
    #[oai(status = 204)]
    Done,
    /// No valid access token (`unauthorized`, `token_expired`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

#[OpenApi(prefix_path = "/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Log in with WeChat
    ///
    /// Exchanges the code of `wx.login()` for Tongban tokens. The first login of a WeChat user
    /// creates their account. Sending the same code twice at once (a double tap) gets the same
    /// tokens twice, never two accounts.
    #[oai(path = "/wechat", method = "post", operation_id = "loginWechat")]
    async fn login_wechat(
        &self,
        state: Data<&AppState>,
        req: &Request,
        lang: RequestCtx,
        body: Json<WechatLoginRequest>,
    ) -> LoginResponse {
        if let Some(refused) = throttle(&state, req, &lang) {
            return refused;
        }
        let outcome = state.logins.wechat(&body.code).await;
        answer_login(&state, &lang, outcome, "loginWechat").await
    }

    /// Log in with Alipay
    ///
    /// Exchanges the auth code of `my.getAuthCode()` for Tongban tokens. Alipay's `open_id`
    /// identifies the person (its older `user_id` is accepted when no `open_id` comes).
    #[oai(path = "/alipay", method = "post", operation_id = "loginAlipay")]
    async fn login_alipay(
        &self,
        state: Data<&AppState>,
        req: &Request,
        lang: RequestCtx,
        body: Json<AlipayLoginRequest>,
    ) -> LoginResponse {
        if let Some(refused) = throttle(&state, req, &lang) {
            return refused;
        }
        let outcome = state.logins.alipay(&body.auth_code).await;
        answer_login(&state, &lang, outcome, "loginAlipay").await
    }

    /// Refresh the tokens
    ///
    /// Exchanges a refresh token for a new pair. Each refresh token works once; presenting
    /// one a second time ends that login everywhere (it was copied).
    #[oai(path = "/refresh", method = "post", operation_id = "refreshTokens")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        body: Json<RefreshRequest>,
    ) -> RefreshResponse {
        match state.sessions.refresh(&body.refresh_token).await {
            Ok(tokens) => RefreshResponse::Ok(Json(TokenPair::from_issued(&tokens))),
            Err(RefreshError::Unexpected(err)) => RefreshResponse::Internal(internal(&lang, &err)),
            Err(reason) => {
                tracing::info!(%reason, "refresh refused");
                RefreshResponse::Unauthorized(
                    lang.problem(ProblemKind::RefreshTokenInvalid, &Args::new()),
                )
            }
        }
    }

    /// Log out
    ///
    /// Ends this login: its access and refresh tokens stop working at once.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> LogoutResponse {
        let principal = auth.0;
        match state
            .sessions
            .revoke(&principal.account_id, &principal.session_id, "logout")
            .await
        {
            Ok(_) => {
                let audited = state
                    .audit
                    .own(
                        lang.request_id.as_str(),
                        &principal.account_id,
                        "logout",
                        "logout",
                        serde_json::json!({"session": principal.session_id}),
                    )
                    .await;
                match audited {
                    Ok(()) => LogoutResponse::Done,
                    Err(err) => LogoutResponse::Internal(internal(&lang, &err)),
                }
            }
            Err(err) => LogoutResponse::Internal(internal(&lang, &err)),
        }
    }
}

/// Logins are limited per IP address: codes are cheap to guess at, verification is not.
fn throttle(state: &AppState, req: &Request, lang: &RequestCtx) -> Option<LoginResponse> {
    let ip = client_ip(req)?;
    state.limits.login_from(ip).err().map(|retry| {
        let seconds = retry.seconds();
        tracing::info!(retry_after = seconds, "login throttled");
        LoginResponse::TooManyRequests(
            lang.problem(
                ProblemKind::RateLimited,
                &Args::new().text("seconds", seconds.to_string()),
            ),
            seconds,
        )
    })
}

async fn answer_login(
    state: &AppState,
    lang: &RequestCtx,
    outcome: Result<std::sync::Arc<IssuedTokens>, LoginError>,
    operation: &'static str,
) -> LoginResponse {
    let tokens = match outcome {
        Ok(tokens) => tokens,
        Err(err) => return login_problem(lang, err),
    };
    let action = if tokens.new_account {
        "create"
    } else {
        "login"
    };
    let detail = serde_json::json!({"session": tokens.session_id});
    let audited = state
        .audit
        .own(
            lang.request_id.as_str(),
            &tokens.account_id,
            action,
            operation,
            detail,
        )
        .await;
    if let Err(err) = audited {
        return LoginResponse::Internal(internal(lang, &err));
    }
    LoginResponse::Ok(Json(TokenPair::from_issued(&tokens)))
}

fn login_problem(lang: &RequestCtx, err: LoginError) -> LoginResponse {
    let problem = |kind| lang.problem(kind, &Args::new());
    match err {
        LoginError::InvalidCode => {
            LoginResponse::BadRequest(problem(ProblemKind::LoginCodeInvalid))
        }
        LoginError::CodeUsed => LoginResponse::Conflict(problem(ProblemKind::LoginCodeUsed)),
        LoginError::Blocked => LoginResponse::Forbidden(problem(ProblemKind::LoginBlocked)),
        LoginError::Unavailable { platform, reason } => {
            tracing::warn!(platform = platform.code(), %reason, "login platform unavailable");
            LoginResponse::Unavailable(problem(match platform {
                Platform::Wechat => ProblemKind::WechatUnavailable,
                Platform::Alipay => ProblemKind::AlipayUnavailable,
            }))
        }
        LoginError::Unexpected(err) => LoginResponse::Internal(internal(lang, &err)),
    }
}
