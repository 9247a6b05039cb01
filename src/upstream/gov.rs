//! Client of the provincial government-service platform (see `wire` for the protocol).

pub mod wire;

use std::time::Duration;

use anyhow::Context;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use super::resilience::{CallError, Classify, ErrorClass, Observation, Policy, PolicyStats};
use crate::{config::GovUpstreamConfig, domain::identity::id_number::IdNumber};
pub use wire::HolderType;
use wire::{
    Application, ApplicationRef, ApplicationSummary, ApplicationsQuery, Appointment,
    AppointmentCancel, AppointmentsQuery, BookAppointment, Booking, Bundle, Certificate,
    CertificateRef, CertificatesQuery, EnterpriseFacts, EnterpriseFactsBatchQuery,
    EnterpriseFactsQuery, Envelope, FactsBatch, FactsIdsQuery, Hall, IdentityVerifyData,
    IdentityVerifyRequest, IdentityVerifyResult, Page, PersonFacts, PersonFactsBatchQuery,
    PersonFactsQuery, RatingReceipt, RatingRequest, SignedRequest, Slot, SubmitApplication,
    SubmitResult, SubmittedMaterial, SupplementRequest, TaskItem, Theme,
};

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
    /// The platform already holds something that contradicts the request (an idempotency key
    /// reused with another body, a second rating, a cancelled appointment cancelled again).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The platform refused the request's content or the application's state does not allow
    /// it; the text is the platform's (no personal data) with its code.
    #[error("refused by the platform: {0}")]
    Rejected(String),
    /// The appointment slot has no place left.
    #[error("the appointment slot is full")]
    SlotFull,
}

/// Whose personal records a call is about (持证主体): the platform answers only that holder's
/// applications, certificates and appointments. Its Debug hides the code.
#[derive(Clone, PartialEq, Eq)]
pub struct Holder {
    /// The ID number (type 111) or unified social credit code (type 001).
    pub code: String,
    pub code_type: HolderType,
}

impl Holder {
    /// A citizen, by the ID number that is their holder code.
    pub fn citizen(id_number: &IdNumber) -> Self {
        Self {
            code: id_number.as_str().to_string(),
            code_type: HolderType::Citizen,
        }
    }

    /// An enterprise, by its 18-character unified social credit code.
    pub fn enterprise(uscc: &str) -> Self {
        Self {
            code: uscc.to_string(),
            code_type: HolderType::Enterprise,
        }
    }
}

impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Holder")
            .field("code_type", &self.code_type)
            .finish_non_exhaustive()
    }
}

/// The outcome of a real-name check (统一身份认证): each one tells the person something
/// different to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityCheck {
    /// The name and the ID number belong together.
    Match,
    /// The ID number exists under another name.
    Mismatch,
    /// The platform knows no such ID number.
    NotFound,
    /// The face check did not pass.
    FaceFailed,
}

/// The platform's client: one shared connection pool, the base URL and the app credentials
/// every request is signed with, and the resilience policy every call goes through
/// (concurrency limit → circuit breaker → total timeout → retries of idempotent calls).
#[derive(Clone)]
pub struct GovClient {
    http: reqwest::Client,
    base_url: String,
    app_key: String,
    app_secret: SecretString,
    policy: Policy,
}

impl Classify for GovError {
    fn class(&self) -> ErrorClass {
        match self {
            // The platform answered, and the answer is about the request: healthy.
            GovError::NotFound
            | GovError::Conflict(_)
            | GovError::Rejected(_)
            | GovError::SlotFull => ErrorClass::Answer,
            GovError::Unavailable(_) | GovError::RateLimited => ErrorClass::Transient,
            GovError::Unauthorized(_) | GovError::Protocol(_) => ErrorClass::Persistent,
        }
    }
}

/// Reads, queries and checks can be retried (every facts call is a read); a submission,
/// booking, rating or cancellation is sent once (the platform deduplicates them by
/// `clientRequestId`, but a retry is the caller's decision).
fn idempotent(method: &Method, path: &str) -> bool {
    *method == Method::GET
        || path.ends_with("/query")
        || path.ends_with("/detail")
        || path.ends_with("/identity/verify")
        || path.starts_with("/api/v1/facts/")
}

impl std::fmt::Debug for GovClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GovClient")
            .field("base_url", &self.base_url)
            .field("app_key", &self.app_key)
            .finish_non_exhaustive()
    }
}

/// Which items of the implementation list to ask for (`docs/upstream-gov.md` §3); the default
/// asks for all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogFilter {
    /// Items listed under any of these theme codes (`[a-zA-Z]` codes from `themes.json`).
    pub themes: Vec<&'static str>,
    /// Items serving this kind of applicant: `1` person, `2` enterprise.
    pub server_type: Option<&'static str>,
    /// Only items that can be applied for online.
    pub online_apply: bool,
    /// Brief items (`view=brief`): no acceptance conditions, materials or special procedures,
    /// for lists that show names, departments and time limits only.
    pub brief: bool,
}

impl CatalogFilter {
    /// The filter's query parameters, each with its leading `&`; the values need no escaping.
    fn query(&self) -> String {
        let mut query = String::new();
        if !self.themes.is_empty() {
            query.push_str("&themes=");
            query.push_str(&self.themes.join(","));
        }
        if let Some(server_type) = self.server_type {
            query.push_str("&serverType=");
            query.push_str(server_type);
        }
        if self.online_apply {
            query.push_str("&onlineApply=true");
        }
        if self.brief {
            query.push_str("&view=brief");
        }
        query
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
            policy: Policy::new("gov", &config.resilience),
        })
    }

    /// Reports every call's outcome and latency to `observer` (the metrics).
    pub fn with_observer(
        mut self,
        observer: impl Fn(&Observation) + Send + Sync + 'static,
    ) -> Self {
        self.policy = self.policy.with_observer(observer);
        self
    }

    /// The resilience policy's counters and breaker state.
    pub fn stats(&self) -> PolicyStats {
        self.policy.stats()
    }

    /// One page of the implementation list items that `filter` admits, ordered by task code.
    pub async fn catalog_page(
        &self,
        filter: &CatalogFilter,
        page_no: u32,
        page_size: u32,
    ) -> Result<Page<TaskItem>, GovError> {
        self.request(
            Method::GET,
            &format!(
                "/api/v1/catalog/items?pageNo={page_no}&pageSize={page_size}{}",
                filter.query()
            ),
            None,
        )
        .await
    }

    /// One service item with its guide. `task_code` has been checked to be `[A-Za-z0-9-]`.
    pub async fn catalog_item(&self, task_code: &str) -> Result<TaskItem, GovError> {
        self.request(
            Method::GET,
            &format!("/api/v1/catalog/items/{task_code}"),
            None,
        )
        .await
    }

    /// The platform's own health check.
    pub async fn health(&self) -> Result<(), GovError> {
        self.request::<serde_json::Value>(Method::GET, "/api/v1/health", None)
            .await
            .map(|_| ())
    }

    /// Real-name check of a name and an ID number against the population register, with an
    /// optional face check. Each call is billed by the platform, so callers rate-limit it.
    pub async fn verify_identity(
        &self,
        name: &str,
        id_number: &IdNumber,
        face_token: Option<&str>,
    ) -> Result<IdentityCheck, GovError> {
        let body = serde_json::to_vec(&IdentityVerifyRequest {
            name: name.to_string(),
            id_number: id_number.as_str().to_string(),
            face_token: face_token.map(str::to_string),
        })
        .map_err(|err| GovError::Protocol(format!("encoding the request: {err}")))?;
        let data: IdentityVerifyData = self
            .request(Method::POST, "/api/v1/identity/verify", Some(body))
            .await?;
        Ok(match data.result {
            IdentityVerifyResult::Match => IdentityCheck::Match,
            IdentityVerifyResult::Mismatch => IdentityCheck::Mismatch,
            IdentityVerifyResult::NotFound => IdentityCheck::NotFound,
            IdentityVerifyResult::FaceFailed => IdentityCheck::FaceFailed,
        })
    }

    /// The themes (主题) catalog items are grouped under.
    pub async fn themes(&self) -> Result<Vec<Theme>, GovError> {
        self.request(Method::GET, "/api/v1/themes", None).await
    }

    /// All "one thing done once" bundles (一件事一次办).
    pub async fn bundles(&self) -> Result<Vec<Bundle>, GovError> {
        self.request(Method::GET, "/api/v1/bundles", None).await
    }

    /// One bundle by its life-event code.
    pub async fn bundle(&self, code: &str) -> Result<Bundle, GovError> {
        let path = format!("/api/v1/bundles/{}", encode(code));
        self.request(Method::GET, &path, None).await
    }

    /// The government-service halls with their hours and windows.
    pub async fn halls(&self) -> Result<Vec<Hall>, GovError> {
        self.request(Method::GET, "/api/v1/halls", None).await
    }

    /// One page of a holder's applications (办件), newest first.
    pub async fn applications(
        &self,
        holder: &Holder,
        page_no: u32,
        page_size: u32,
    ) -> Result<Page<ApplicationSummary>, GovError> {
        let query = ApplicationsQuery {
            holder_code: holder.code.clone(),
            holder_code_type: holder.code_type,
            page_no,
            page_size,
        };
        self.post("/api/v1/applications/query", &query).await
    }

    /// One application with its history; [`GovError::NotFound`] also when it is another
    /// holder's.
    pub async fn application(
        &self,
        project_no: &str,
        holder: &Holder,
    ) -> Result<Application, GovError> {
        let body = ApplicationRef {
            project_no: project_no.to_string(),
            holder_code: holder.code.clone(),
        };
        self.post("/api/v1/applications/detail", &body).await
    }

    /// Submits an application. Safe to retry with the same `client_request_id`: the platform
    /// answers the first result again.
    pub async fn submit_application(
        &self,
        submission: &SubmitApplication,
    ) -> Result<SubmitResult, GovError> {
        self.post("/api/v1/applications", submission).await
    }

    /// Files the claim of a benefit a person was found eligible for; `client_request_id`
    /// (the offer id) makes a retry answer the same receipt.
    pub async fn claim_benefit(
        &self,
        policy_id: &str,
        policy_version: u32,
        period: &str,
        amount_fen: Option<i64>,
        holder: &Holder,
        client_request_id: &str,
    ) -> Result<wire::ClaimReceipt, GovError> {
        let claim = wire::BenefitClaim {
            policy_id: policy_id.to_owned(),
            policy_version,
            period: period.to_owned(),
            amount_fen,
            holder_code: holder.code.clone(),
            holder_code_type: holder.code_type,
            client_request_id: client_request_id.to_owned(),
        };
        self.post("/api/v1/benefits/claims", &claim).await
    }

    /// The current receipts of `holder`'s claims among `claim_ids` (at most 100).
    pub async fn claims(
        &self,
        holder: &Holder,
        claim_ids: &[String],
    ) -> Result<Vec<wire::ClaimReceipt>, GovError> {
        let query = wire::ClaimsQuery {
            claim_ids: claim_ids.to_vec(),
            holder_code: holder.code.clone(),
            holder_code_type: holder.code_type,
        };
        self.post("/api/v1/benefits/claims/query", &query).await
    }

    /// Hands in the material a 补正 notice asked for; only while the status is "6".
    pub async fn supplement(
        &self,
        project_no: &str,
        holder: &Holder,
        client_request_id: &str,
        materials: &[SubmittedMaterial],
    ) -> Result<SubmitResult, GovError> {
        let body = SupplementRequest {
            project_no: project_no.to_string(),
            holder_code: holder.code.clone(),
            client_request_id: client_request_id.to_string(),
            materials: materials.to_vec(),
        };
        self.post("/api/v1/applications/supplement", &body).await
    }

    /// The holder's e-certificates (电子证照).
    pub async fn certificates(&self, holder: &Holder) -> Result<Vec<Certificate>, GovError> {
        let body = CertificatesQuery {
            holder_code: holder.code.clone(),
            holder_code_type: holder.code_type,
        };
        self.post("/api/v1/certificates/query", &body).await
    }

    /// One e-certificate; [`GovError::NotFound`] also when it is another holder's.
    pub async fn certificate(
        &self,
        certificate_id: &str,
        holder: &Holder,
    ) -> Result<Certificate, GovError> {
        let body = CertificateRef {
            certificate_id: certificate_id.to_string(),
            holder_code: holder.code.clone(),
        };
        self.post("/api/v1/certificates/detail", &body).await
    }

    /// Rates a finished application (好差评) from the mini-program, once.
    pub async fn rate(
        &self,
        project_no: &str,
        holder: &Holder,
        level: u8,
        tags: &[String],
        comment: Option<&str>,
    ) -> Result<RatingReceipt, GovError> {
        let body = RatingRequest {
            project_no: project_no.to_string(),
            holder_code: holder.code.clone(),
            level,
            tags: tags.to_vec(),
            comment: comment.map(str::to_string),
            channel: "miniProgram".to_string(),
        };
        self.post("/api/v1/ratings", &body).await
    }

    /// The half-hour slots of one hall on one day for one item, with their free places.
    pub async fn slots(
        &self,
        hall_id: &str,
        date: jiff::civil::Date,
        task_code: &str,
    ) -> Result<Vec<Slot>, GovError> {
        let path = format!(
            "/api/v1/halls/{}/slots?date={date}&taskCode={}",
            encode(hall_id),
            encode(task_code)
        );
        self.request(Method::GET, &path, None).await
    }

    /// Books a place in a slot (预约); [`GovError::SlotFull`] when none is left. Safe to retry
    /// with the same `client_request_id`.
    pub async fn book(&self, booking: &BookAppointment) -> Result<Booking, GovError> {
        self.post("/api/v1/appointments", booking).await
    }

    /// The holder's appointments, cancelled ones included.
    pub async fn appointments(&self, holder: &Holder) -> Result<Vec<Appointment>, GovError> {
        let body = AppointmentsQuery {
            holder_code: holder.code.clone(),
        };
        self.post("/api/v1/appointments/query", &body).await
    }

    /// Cancels an appointment, which frees its place; [`GovError::Conflict`] when it was
    /// already cancelled.
    pub async fn cancel_appointment(
        &self,
        appointment_id: &str,
        holder: &Holder,
    ) -> Result<Appointment, GovError> {
        let body = AppointmentCancel {
            appointment_id: appointment_id.to_string(),
            holder_code: holder.code.clone(),
        };
        self.post("/api/v1/appointments/cancel", &body).await
    }

    /// One person's facts for eligibility (共享数据); [`GovError::NotFound`] when the platform
    /// has none.
    pub async fn person_facts(&self, id_number: &IdNumber) -> Result<PersonFacts, GovError> {
        let body = PersonFactsQuery {
            id_number: id_number.as_str().to_string(),
        };
        self.post("/api/v1/facts/person", &body).await
    }

    /// The facts of up to [`wire::MAX_FACTS_BATCH`] people at once, for sweeps; the numbers
    /// the platform does not know come back in `missing`.
    pub async fn person_facts_batch(
        &self,
        id_numbers: &[String],
    ) -> Result<FactsBatch<PersonFacts>, GovError> {
        let body = PersonFactsBatchQuery {
            id_numbers: id_numbers.to_vec(),
        };
        self.post("/api/v1/facts/person/batch", &body).await
    }

    /// One enterprise's facts, by its unified social credit code.
    pub async fn enterprise_facts(&self, credit_code: &str) -> Result<EnterpriseFacts, GovError> {
        let body = EnterpriseFactsQuery {
            credit_code: credit_code.to_string(),
        };
        self.post("/api/v1/facts/enterprise", &body).await
    }

    /// The facts of up to [`wire::MAX_FACTS_BATCH`] enterprises at once.
    pub async fn enterprise_facts_batch(
        &self,
        credit_codes: &[String],
    ) -> Result<FactsBatch<EnterpriseFacts>, GovError> {
        let body = EnterpriseFactsBatchQuery {
            credit_codes: credit_codes.to_vec(),
        };
        self.post("/api/v1/facts/enterprise/batch", &body).await
    }

    /// One page of the ID numbers the platform holds facts for, in a stable order.
    pub async fn person_ids(&self, page_no: u32, page_size: u32) -> Result<Page<String>, GovError> {
        let body = FactsIdsQuery { page_no, page_size };
        self.post("/api/v1/facts/person/ids", &body).await
    }

    /// One page of the credit codes the platform holds facts for, in a stable order.
    pub async fn enterprise_ids(
        &self,
        page_no: u32,
        page_size: u32,
    ) -> Result<Page<String>, GovError> {
        let body = FactsIdsQuery { page_no, page_size };
        self.post("/api/v1/facts/enterprise/ids", &body).await
    }

    /// A signed JSON POST.
    async fn post<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, GovError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|err| GovError::Protocol(format!("encoding the request: {err}")))?;
        self.request(Method::POST, path, Some(bytes)).await
    }

    /// Signs and sends one request (a JSON `body` is signed too, see [`wire`]) and unwraps the
    /// envelope. Bodies may hold personal data, so neither they nor the answer are logged.
    async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, GovError> {
        let retryable = idempotent(&method, path_and_query);
        self.policy
            .call(retryable, || {
                self.attempt(method.clone(), path_and_query, body.clone())
            })
            .await
            .map_err(|err| match err {
                CallError::Inner(err) => err,
                CallError::Open => GovError::Unavailable("circuit breaker open".into()),
                CallError::Overloaded => GovError::Unavailable("too many calls in flight".into()),
                CallError::Timeout => GovError::Unavailable("timed out".into()),
            })
    }

    /// One signed attempt; each retry is signed anew with a fresh timestamp and nonce.
    async fn attempt<T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, GovError> {
        let timestamp = jiff::Timestamp::now().as_second();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let signature = SignedRequest {
            app_key: &self.app_key,
            timestamp,
            nonce: &nonce,
            method: method.as_str(),
            path_and_query,
            body: body.as_deref().unwrap_or_default(),
        }
        .sign(self.app_secret.expose_secret().as_bytes());
        let mut request = self
            .http
            .request(method, format!("{}{path_and_query}", self.base_url))
            .header(wire::HEADER_APP_KEY, &self.app_key)
            .header(wire::HEADER_TIMESTAMP, timestamp.to_string())
            .header(wire::HEADER_NONCE, &nonce)
            .header(wire::HEADER_SIGNATURE, signature);
        if let Some(body) = body {
            request = request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|err| GovError::Unavailable(err.to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|err| GovError::Unavailable(err.to_string()))?;
        // Paths carry only item, hall and bundle codes; personal data travels in bodies.
        tracing::debug!(path = path_and_query, %status, "gov platform answered");
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
            wire::CODE_CONFLICT => Err(GovError::Conflict(envelope.message)),
            wire::CODE_SLOT_FULL => Err(GovError::SlotFull),
            code @ (wire::CODE_VALIDATION | wire::CODE_WRONG_STATE) => Err(GovError::Rejected(
                format!("code {code}: {}", envelope.message),
            )),
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

/// Percent-encodes one path segment or query value (everything but RFC 3986 unreserved
/// characters), so codes from callers cannot change the request's shape.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::gov::{Faults, GovSim, Resource, demo_citizens};

    async fn client_and_sim() -> (GovClient, GovSim) {
        // These tests watch the platform's answers, not the client's resilience: one attempt
        // per call, and a breaker that never opens.
        let mut config = GovUpstreamConfig::default();
        config.resilience.retry_max_attempts = 1;
        config.resilience.breaker_consecutive_failures = u32::MAX;
        config.resilience.breaker_failure_ratio = 2.0;
        let sim = GovSim::start(&config.app_key, &config.app_secret)
            .await
            .expect("sim starts");
        let client = GovClient::new(&config, sim.base_url()).expect("client");
        (client, sim)
    }

    fn id(number: &str) -> IdNumber {
        IdNumber::parse(number).expect("valid ID number")
    }

    #[tokio::test]
    async fn a_demo_citizens_own_name_and_id_number_match() {
        let (client, sim) = client_and_sim().await;
        for citizen in demo_citizens() {
            let check = client
                .verify_identity(citizen.name, &id(citizen.id_number), None)
                .await
                .expect("answer");
            assert_eq!(check, IdentityCheck::Match, "{}", citizen.name);
        }
        assert_eq!(sim.identity_calls(), demo_citizens().len() as u64);
    }

    #[tokio::test]
    async fn a_known_id_number_under_another_name_is_a_mismatch() {
        let (client, _sim) = client_and_sim().await;
        let citizen = demo_citizens()[0];
        let check = client
            .verify_identity("王建华", &id(citizen.id_number), None)
            .await
            .expect("answer");
        assert_eq!(check, IdentityCheck::Mismatch);
    }

    #[tokio::test]
    async fn an_unknown_id_number_is_not_found() {
        let (client, _sim) = client_and_sim().await;
        let check = client
            .verify_identity("王建华", &id("11010519491231002X"), None)
            .await
            .expect("answer");
        assert_eq!(check, IdentityCheck::NotFound);
    }

    #[tokio::test]
    async fn a_failed_face_token_is_face_failed_and_a_good_one_matches() {
        let (client, _sim) = client_and_sim().await;
        let citizen = demo_citizens()[1];
        let number = id(citizen.id_number);
        let failed = client
            .verify_identity(citizen.name, &number, Some("fail"))
            .await
            .expect("answer");
        let passed = client
            .verify_identity(citizen.name, &number, Some("face-ok-1"))
            .await
            .expect("answer");
        assert_eq!(failed, IdentityCheck::FaceFailed);
        assert_eq!(passed, IdentityCheck::Match);
    }

    #[tokio::test]
    async fn an_outage_makes_identity_verification_unavailable() {
        let (client, sim) = client_and_sim().await;
        sim.set_faults(
            Resource::Identity,
            Faults {
                outage: true,
                ..Faults::default()
            },
        );
        let citizen = demo_citizens()[2];
        let result = client
            .verify_identity(citizen.name, &id(citizen.id_number), None)
            .await;
        assert!(
            matches!(result, Err(GovError::Unavailable(_))),
            "{result:?}"
        );
        assert_eq!(sim.identity_calls(), 0);
    }

    #[tokio::test]
    async fn a_client_with_the_wrong_secret_is_unauthorized() {
        let (_, sim) = client_and_sim().await;
        let config = GovUpstreamConfig {
            app_secret: "not-the-secret".to_string().into(),
            ..GovUpstreamConfig::default()
        };
        let client = GovClient::new(&config, sim.base_url()).expect("client");
        let citizen = demo_citizens()[0];
        let result = client
            .verify_identity(citizen.name, &id(citizen.id_number), None)
            .await;
        assert!(
            matches!(result, Err(GovError::Unauthorized(_))),
            "{result:?}"
        );
        assert_eq!(sim.identity_calls(), 0);
    }

    #[tokio::test]
    async fn gets_still_pass_the_signature_check_after_the_refactor() {
        let (client, sim) = client_and_sim().await;
        client.health().await.expect("health");
        let page = client
            .catalog_page(&CatalogFilter::default(), 1, 2)
            .await
            .expect("page");
        assert_eq!(page.list.len(), 2);
        assert_eq!(sim.catalog_calls(), 1);
    }
}
