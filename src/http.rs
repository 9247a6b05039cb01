//! The HTTP surface: route assembly, the request frame, problem+json, metrics and docs.
//!
//! ```text
//! CORS → compression → frame (request id, language, body limit, panics, problems, metrics)
//!   → /v1/…, /livez, /readyz   the OpenAPI service (src/api)
//!   → /openapi.json, /docs     the spec and Swagger UI
//!   → /metrics                 Prometheus text format
//!   → /demo/…                  demo login codes, only with the built-in simulators
//! ```

pub mod auth;
pub mod body_limit;
pub mod context;
pub mod demo;
pub mod frame;
pub mod listener;
pub mod metrics;
pub mod problem;
pub mod rate_limit;
pub mod request_id;
pub mod shed;

use std::sync::Arc;

use poem::{
    Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler,
    middleware::{Compression, Cors},
    web::Data,
};

use crate::AppState;
use frame::{FrameState, RouteLabel};

/// The complete HTTP application for `state`.
pub fn endpoint(state: AppState) -> poem::endpoint::BoxEndpoint<'static> {
    let api = crate::api::service();
    let spec = labelled(api.spec_endpoint(), "getOpenApi");
    let docs = labelled(api.swagger_ui(), "getDocs");
    let frame_state = Arc::new(FrameState {
        l10n: state.l10n.clone(),
        metrics: state.metrics.clone(),
        body_limit: state.config.server.body_limit_bytes,
        sessions: state.sessions.clone(),
        limits: state.limits.clone(),
        shedder: shed::Shedder::new(&state.config.shed),
    });
    let origins = state.config.server.cors_allowed_origins.clone();
    let mut routes = Route::new();
    if let Some(demo) = demo::routes(&state) {
        routes = routes.nest("/demo", labelled(demo, "demo"));
    }
    let routes = routes
        .at("/openapi.json", spec)
        .nest("/docs", docs)
        .at("/metrics", labelled(get(serve_metrics), "getMetrics"))
        .nest("/", api)
        .data(state);
    let framed = routes
        .around(move |ep, req| frame::frame(ep, req, frame_state.clone()))
        .with(Compression::new());
    if origins.is_empty() {
        framed.boxed()
    } else {
        let cors = origins
            .iter()
            .fold(Cors::new(), |cors, origin| {
                cors.allow_origin(origin.as_str())
            })
            .allow_credentials(false)
            .expose_header(request_id::HEADER)
            .expose_header("content-language");
        framed.with(cors).boxed()
    }
}

#[handler]
fn serve_metrics(Data(state): Data<&AppState>) -> Response {
    state.metrics.set_breaker("gov", state.gov.stats().breaker);
    state
        .metrics
        .render()
        .with_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .into_response()
}

/// Tags responses of a route outside the OpenAPI service for the metrics.
fn labelled<E: Endpoint + 'static>(ep: E, label: &'static str) -> impl Endpoint {
    ep.map_to_response().after(move |mut res| async move {
        match &mut res {
            Ok(resp) => resp.set_data(RouteLabel(label)),
            Err(err) => err.set_data(RouteLabel(label)),
        }
        res
    })
}
