//! Who is calling. The frame resolves a bearer token once per request (so the saved language
//! can steer negotiation) and leaves the outcome in the request's extensions; the security
//! schemes below turn it into a [`Principal`] for handlers, or into a 401 problem.
//!
//! - [`CitizenAuth`]: `Authorization: Bearer <access token>` from `/v1/auth/*`.
//! - [`AdminAuth`]: `X-Admin-Key: <key>` for `/v1/admin/*`; keys are stored hashed with their
//!   scopes and checked by the handler for the scope it needs.

use poem::{Request, error::ResponseError, http::StatusCode};
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
};

use crate::domain::session::{AuthFailure, Principal};

/// The outcome of checking the request's bearer token, if it had one.
#[derive(Debug, Clone)]
pub struct Authentication(pub Result<Principal, AuthFailure>);

/// A request that needed a signed-in person and did not have a valid one.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no valid access token")]
    Invalid,
    #[error("access token expired")]
    Expired,
}

impl ResponseError for AuthError {
    fn status(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }
}

/// The bearer token of a request, when it has one.
pub fn bearer_token(req: &Request) -> Option<&str> {
    let value = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// A signed-in person: the access token from `POST /v1/auth/wechat` or `/v1/auth/alipay`.
#[derive(SecurityScheme)]
#[oai(
    rename = "citizen",
    ty = "bearer",
    bearer_format = "opaque",
    checker = "citizen"
)]
pub struct CitizenAuth(pub Principal);

async fn citizen(req: &Request, _bearer: Bearer) -> poem::Result<Principal> {
    match req.extensions().get::<Authentication>() {
        Some(Authentication(Ok(principal))) => Ok(principal.clone()),
        Some(Authentication(Err(AuthFailure::Expired))) => Err(AuthError::Expired.into()),
        _ => Err(AuthError::Invalid.into()),
    }
}

/// An operator's API key (运维密钥), created with `tongban admin-key create`.
#[derive(SecurityScheme)]
#[oai(
    rename = "operator",
    ty = "api_key",
    key_name = "X-Admin-Key",
    key_in = "header"
)]
pub struct AdminAuth(pub ApiKey);
