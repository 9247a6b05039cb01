//! Client of the provincial government-service platform (see `wire` for the protocol).

pub mod wire;

use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use crate::config::GovUpstreamConfig;
use wire::{Envelope, Page, TaskItem};

/// What can go wrong when calling the platform, as callers need to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum GovError {
    #[error("not found")]
    NotFound,
    #[error("the platform refused our credentials: {0}")]
    Unauthorized(String),
    #[error("rate limited by the platform")]
    RateLimited,
    #[error("the platform is unavailable: {0}")]
    Unavailable(String),
    #[error("unexpected answer from the platform: {0}")]
    Protocol(String),
}

#[derive(Clone)]
pub struct GovClient {
    http: reqwest::Client,
    base_url: String,
    app_key: String,
    app_secret: SecretString,
}

impl std::fmt::Debug for GovClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GovClient")
            .field("base_url", &self.base_url)
            .field("app_key", &self.app_key)
            .finish_non_exhaustive()
    }
}

impl GovClient {
    pub fn new(config: &GovUpstreamConfig, base_url: String) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(Duration::from_millis(config.timeout_ms))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("tongban/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the gov-platform HTTP client")?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            app_key: config.app_key.clone(),
            app_secret: config.app_secret.clone(),
        })
    }

    /// One page of the implementation list, ordered by task code.
    pub async fn catalog_page(
        &self,
        page_no: u32,
        page_size: u32,
    ) -> Result<Page<TaskItem>, GovError> {
        self.get(&format!(
            "/api/v1/catalog/items?pageNo={page_no}&pageSize={page_size}"
        ))
        .await
    }

    /// One service item with its guide. `task_code` has been checked to be `[A-Za-z0-9-]`.
    pub async fn catalog_item(&self, task_code: &str) -> Result<TaskItem, GovError> {
        self.get(&format!("/api/v1/catalog/items/{task_code}"))
            .await
    }

    /// The platform's own health check.
    pub async fn health(&self) -> Result<(), GovError> {
        self.get::<serde_json::Value>("/api/v1/health")
            .await
            .map(|_| ())
    }

    async fn get<T: DeserializeOwned>(&self, path_and_query: &str) -> Result<T, GovError> {
        let timestamp = jiff::Timestamp::now().as_second();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let signature = wire::signature(
            self.app_secret.expose_secret().as_bytes(),
            &self.app_key,
            timestamp,
            &nonce,
            "GET",
            path_and_query,
        );
        let response = self
            .http
            .get(format!("{}{path_and_query}", self.base_url))
            .header(wire::HEADER_APP_KEY, &self.app_key)
            .header(wire::HEADER_TIMESTAMP, timestamp.to_string())
            .header(wire::HEADER_NONCE, &nonce)
            .header(wire::HEADER_SIGNATURE, signature)
            .send()
            .await
            .map_err(|err| GovError::Unavailable(err.to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|err| GovError::Unavailable(err.to_string()))?;
        let envelope: Envelope<T> = serde_json::from_slice(&body).map_err(|err| {
            if status.is_server_error() {
                GovError::Unavailable(format!("HTTP {status}"))
            } else {
                GovError::Protocol(format!("HTTP {status}: {err}"))
            }
        })?;
        match envelope.code.as_str() {
            wire::CODE_OK => envelope
                .data
                .ok_or_else(|| GovError::Protocol("success without data".into())),
            wire::CODE_NOT_FOUND => Err(GovError::NotFound),
            wire::CODE_BAD_SIGNATURE => Err(GovError::Unauthorized(envelope.message)),
            wire::CODE_RATE_LIMITED => Err(GovError::RateLimited),
            code if status.is_server_error() || code == wire::CODE_INTERNAL => Err(
                GovError::Unavailable(format!("code {code}: {}", envelope.message)),
            ),
            code => Err(GovError::Protocol(format!(
                "code {code}: {}",
                envelope.message
            ))),
        }
    }
}
