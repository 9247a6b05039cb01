//! `/livez` and `/readyz`, for load balancers and operators.

use std::time::{Duration, Instant};

use poem_openapi::{ApiResponse, Enum, Object, OpenApi, payload::Json};

use super::ApiTags;
use crate::AppState;
use poem::web::Data;

pub struct HealthApi;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum CheckStatus {
    Up,
    Down,
}

/// The state of one dependency.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct Check {
    /// `store`, `govPlatform`, …
    pub name: String,
    pub status: CheckStatus,
    pub latency_ms: u64,
    /// Why it is down, for operators (no personal data, no secrets).
    #[oai(skip_serializing_if_is_none)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Readiness {
    pub status: CheckStatus,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Liveness {
    pub status: CheckStatus,
}

#[derive(ApiResponse)]
pub enum LivenessResponse {
    /// The process is serving requests.
    #[oai(status = 200)]
    Ok(Json<Liveness>),
}

#[derive(ApiResponse)]
pub enum ReadinessResponse {
    /// Every dependency answered.
    #[oai(status = 200)]
    Ready(Json<Readiness>),
    /// At least one dependency is down; the body says which.
    #[oai(status = 503)]
    NotReady(Json<Readiness>),
}

impl poem_openapi::types::Example for Liveness {
    fn example() -> Self {
        Self {
            status: CheckStatus::Up,
        }
    }
}

impl poem_openapi::types::Example for Readiness {
    fn example() -> Self {
        let up = |name: &str, latency_ms| Check {
            name: name.into(),
            status: CheckStatus::Up,
            latency_ms,
            error: None,
        };
        Self {
            status: CheckStatus::Up,
            checks: vec![up("store", 0), up("govPlatform", 3)],
        }
    }
}

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

async fn check<F, E>(name: &str, probe: F) -> Check
where
    F: std::future::Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let started = Instant::now();
    let result = tokio::time::timeout(CHECK_TIMEOUT, probe).await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let error = match result {
        Ok(Ok(())) => None,
        Ok(Err(err)) => Some(err.to_string()),
        Err(_) => Some(format!("no answer within {} ms", CHECK_TIMEOUT.as_millis())),
    };
    Check {
        name: name.to_string(),
        status: if error.is_none() {
            CheckStatus::Up
        } else {
            CheckStatus::Down
        },
        latency_ms,
        error,
    }
}

#[OpenApi(tag = "ApiTags::Operations")]
impl HealthApi {
    /// Liveness
    ///
    /// Answers as long as the process serves HTTP; it checks no dependency, so a failing
    /// upstream never gets instances restarted.
    #[oai(path = "/livez", method = "get", operation_id = "getLiveness")]
    async fn livez(&self) -> LivenessResponse {
        LivenessResponse::Ok(Json(Liveness {
            status: CheckStatus::Up,
        }))
    }

    /// Readiness
    ///
    /// Checks each dependency (the store and every upstream) and reports each one's status
    /// and latency; 503 when any is down.
    #[oai(path = "/readyz", method = "get", operation_id = "getReadiness")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadinessResponse {
        let (store, gov) = tokio::join!(
            check("store", state.store.ping()),
            check("govPlatform", state.gov.health()),
        );
        let checks = vec![store, gov];
        let ready = checks.iter().all(|c| c.status == CheckStatus::Up);
        let body = Json(Readiness {
            status: if ready {
                CheckStatus::Up
            } else {
                CheckStatus::Down
            },
            checks,
        });
        if ready {
            ReadinessResponse::Ready(body)
        } else {
            ReadinessResponse::NotReady(body)
        }
    }
}
