//! The frame around every request: request id, language negotiation, the body limit, panic
//! catching, problem+json for every error, `Content-Language`/`Vary`/`X-Request-Id` headers,
//! metrics and one access-log line. It is one middleware because each step needs what the
//! previous one learned (the problem body needs the language and the request id).

use std::{panic::AssertUnwindSafe, sync::Arc, time::Instant};

use futures_util::FutureExt;
use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{HeaderValue, header},
};
use poem_openapi::OperationId;
use tracing::Instrument;

use super::{
    auth::{Authentication, bearer_token},
    body_limit,
    context::RequestCtx,
    metrics::{Metrics, RequestLabels},
    problem::{ProblemKind, classify},
    rate_limit::{Limits, RetryAfter},
    request_id::{self, RequestId},
    shed::Shedder,
};
use crate::{
    domain::session::Sessions,
    i18n::{Args, L10n, negotiate::negotiate},
};

/// Shared by every request.
#[derive(Debug, Clone)]
pub struct FrameState {
    pub l10n: L10n,
    pub metrics: Metrics,
    pub body_limit: usize,
    pub sessions: Sessions,
    pub limits: Limits,
    pub shedder: Shedder,
}

/// Operations endpoints are never rate limited: load balancers and scrapers poll them.
fn is_operations_path(path: &str) -> bool {
    matches!(path, "/livez" | "/readyz" | "/metrics")
}

/// Label for responses from routes outside the OpenAPI service.
#[derive(Debug, Clone, Copy)]
pub struct RouteLabel(pub &'static str);

pub async fn frame<E: Endpoint>(
    ep: Arc<E>,
    mut req: Request,
    state: Arc<FrameState>,
) -> poem::Result<Response> {
    let started = Instant::now();
    let request_id = RequestId::from_header(
        req.headers()
            .get(request_id::HEADER)
            .and_then(|v| v.to_str().ok()),
    );
    let authentication = match bearer_token(&req) {
        Some(token) => Some(state.sessions.authenticate(token).await),
        None => None,
    };
    let saved_lang = match &authentication {
        Some(Ok(principal)) => principal.lang,
        _ => None,
    };
    let lang = negotiate(
        query_lang(req.uri().query()),
        saved_lang,
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let ctx = RequestCtx {
        lang,
        request_id: request_id.clone(),
        l10n: state.l10n.clone(),
    };
    req.extensions_mut().insert(ctx.clone());
    // Held until the answer is built; shed requests cost no more than this check.
    let permit = if Shedder::exempts(req.uri().path()) {
        None
    } else {
        Some(state.shedder.try_admit())
    };
    let limited = limit(&state.limits, &req, authentication.as_ref());
    if let Some(authentication) = authentication {
        req.extensions_mut().insert(Authentication(authentication));
    }
    let method = req.method().clone();
    let span = tracing::info_span!("request", request_id = %request_id, method = %method, path = %req.uri().path());

    async move {
        let outcome = AssertUnwindSafe(async {
            if let Some(None) = permit {
                return Ok(overloaded(&ctx, state.shedder.retry_after_secs()));
            }
            if let Err(retry) = limited {
                return Ok(rate_limited(&ctx, retry));
            }
            body_limit::enforce(&mut req, state.body_limit).await?;
            ep.call(req).await.map(IntoResponse::into_response)
        })
        .catch_unwind()
        .await;

        let (mut resp, operation) = match outcome {
            Ok(Ok(resp)) => {
                let operation = label_of(resp.data::<OperationId>(), resp.data::<RouteLabel>());
                (resp, operation)
            }
            // A handler's own problem response that travelled as an error: already complete.
            Ok(Err(err)) if err.is_from_response() => {
                let operation = label_of(err.data::<OperationId>(), err.data::<RouteLabel>());
                (err.into_response(), operation)
            }
            Ok(Err(err)) => {
                let operation = label_of(err.data::<OperationId>(), err.data::<RouteLabel>());
                let (kind, args, issues) = classify(&err);
                if kind == ProblemKind::Internal {
                    tracing::error!(error = %err, "request failed");
                }
                let args = args
                    .text("method", method.as_str())
                    .text("kilobytes", (state.body_limit / 1024).to_string());
                (kind.response(&ctx, &args, issues), operation)
            }
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(panic = %message, "handler panicked");
                (ProblemKind::Internal.response(&ctx, &Args::new(), vec![]), "panicked".to_string())
            }
        };

        let headers = resp.headers_mut();
        if let Ok(value) = HeaderValue::from_str(request_id.as_str()) {
            headers.insert(request_id::HEADER, value);
        }
        headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
        headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));

        let status = resp.status().as_u16();
        let elapsed = started.elapsed();
        state.metrics.observe(
            RequestLabels {
                operation: operation.clone(),
                method: method.to_string(),
                status,
            },
            elapsed.as_secs_f64(),
        );
        tracing::info!(status, operation = %operation, lang = %lang, elapsed_ms = elapsed.as_secs_f64() * 1000.0, "answered");
        drop(permit);
        Ok(resp)
    }
    .instrument(span)
    .await
}

/// Applies the per-IP limit, and the per-person limit for a signed-in person.
fn limit(
    limits: &Limits,
    req: &Request,
    authentication: Option<
        &Result<crate::domain::session::Principal, crate::domain::session::AuthFailure>,
    >,
) -> Result<(), RetryAfter> {
    // Platform callbacks are authenticated by their signatures and arrive from a few platform
    // servers in bursts (a campaign's sent events, receipts): a per-IP limit meant for
    // clients would turn them away and make the platforms give up on them.
    if is_operations_path(req.uri().path()) || req.uri().path().starts_with("/v1/hooks/") {
        return Ok(());
    }
    if let Some(ip) = req.remote_addr().as_socket_addr().map(|addr| addr.ip()) {
        limits.request_from(ip)?;
    }
    if let Some(Ok(principal)) = authentication {
        limits.request_by(&principal.account_id)?;
    }
    Ok(())
}

/// The 429 problem with its `Retry-After`.
pub fn rate_limited(ctx: &RequestCtx, retry: RetryAfter) -> Response {
    let seconds = retry.seconds();
    let mut resp = ProblemKind::RateLimited.response(
        ctx,
        &Args::new().text("seconds", seconds.to_string()),
        vec![],
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    resp
}

/// The 503 of a shed request, with its `Retry-After`.
fn overloaded(ctx: &RequestCtx, seconds: u64) -> Response {
    let mut resp = ProblemKind::Overloaded.response(ctx, &Args::new(), vec![]);
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    resp
}

fn label_of(operation: Option<&OperationId>, route: Option<&RouteLabel>) -> String {
    operation
        .map(|op| op.0)
        .or(route.map(|r| r.0))
        .unwrap_or("unmatched")
        .to_string()
}

/// The raw `lang` query parameter. Tags are ASCII, so no percent-decoding is needed; a value
/// that is not a tag simply matches nothing.
fn query_lang(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "lang")
        .map(|(_, value)| value)
}
