//! Layered configuration: built-in defaults, then an optional TOML file, then
//! `TONGBAN__SECTION__KEY` environment variables (`TONGBAN__SERVER__ADDR=0.0.0.0:8080`).
//!
//! Every struct denies unknown fields, so a misspelt key in the file or the environment stops
//! start-up with a message naming it instead of being silently ignored. Secrets are
//! [`SecretString`]s: they print as `[REDACTED]` in `Debug` output and in logs.
//! `tongban.example.toml` documents every option with its default; a test keeps the two in step.

use std::path::{Path, PathBuf};

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use secrecy::SecretString;
use serde::Deserialize;

/// The whole configuration of one Tongban instance.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub log: LogConfig,
    pub database: DatabaseConfig,
    pub cache: CacheConfig,
    pub upstream: UpstreamConfig,
    pub auth: AuthConfig,
    pub identity: IdentityConfig,
    pub limits: LimitsConfig,
    pub shed: crate::http::shed::ShedConfig,
    pub simulators: SimulatorsConfig,
    pub benefits: BenefitsConfig,
    /// Notifications: dispatch pace, quiet hours, retries, channels and templates.
    pub push: crate::domain::push::PushConfig,
}

/// Benefits without application (免申即享).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BenefitsConfig {
    /// People per sweep batch: one facts call to the platform (at most 500) and one
    /// transaction of offers each.
    pub sweep_batch_size: u32,
    /// While the built-in gov simulator runs and no policy exists yet, create and publish the
    /// simulated platform's seed policies at start-up, so the demo has benefits to offer.
    pub publish_seed_policies: bool,
}

impl Default for BenefitsConfig {
    fn default() -> Self {
        Self {
            sweep_batch_size: 500,
            publish_seed_policies: true,
        }
    }
}

/// The built-in simulators, used when an upstream has no URL configured.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimulatorsConfig {
    /// Milliseconds the built-in gov-platform simulator adds to every answer, to measure
    /// Tongban against a platform of realistic latency (bench/load.sh). 0: none.
    pub gov_latency_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// `HOST:PORT` to listen on; port 0 picks a free port (tests use it).
    pub addr: String,
    /// Seconds that in-flight requests get to finish after SIGINT/SIGTERM.
    pub shutdown_grace_secs: u64,
    /// Largest request body accepted, in bytes, with or without `Content-Length`.
    pub body_limit_bytes: usize,
    /// Origins allowed by CORS (for the H5 and app web views). Empty: CORS headers are not sent.
    /// Mini-program requests do not need CORS.
    pub cors_allowed_origins: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            shutdown_grace_secs: 20,
            body_limit_bytes: 1024 * 1024,
            cors_allowed_origins: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A `tracing` filter directive; `RUST_LOG` overrides it when set.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            filter: "info".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Directory for the embedded SQLite database (`tongban.db`), created on first run.
    pub data_dir: PathBuf,
    /// A `sqlite:` URL that overrides `data_dir`, or a `postgres://` URL for the scale-out
    /// store several instances share (docs/deploy.md). Empty: `sqlite:<data_dir>/tongban.db`.
    pub url: String,
    /// Connections in the pool.
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("var"),
            url: String::new(),
            max_connections: 8,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Seconds a copy of the service catalog (事项库) is served before it is fetched again.
    pub catalog_ttl_secs: u64,
    /// Most service items kept in the detail cache.
    pub catalog_max_items: u64,
    /// Seconds past its fresh time that shared data is still served while one background
    /// call refreshes it.
    pub stale_while_revalidate_secs: u64,
    /// Seconds past its fresh time that shared data is served, marked stale, when the
    /// platform fails to answer a refresh.
    pub stale_if_error_secs: u64,
    /// Seconds an upstream "not found" is remembered.
    pub negative_ttl_secs: u64,
    /// Seconds a person's applications and certificates are served from their own copy.
    pub personal_ttl_secs: u64,
    /// Most people whose records are kept at once.
    pub personal_max_people: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            catalog_ttl_secs: 300,
            catalog_max_items: 10_000,
            stale_while_revalidate_secs: 60,
            stale_if_error_secs: 3600,
            negative_ttl_secs: 30,
            personal_ttl_secs: 30,
            personal_max_people: 100_000,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpstreamConfig {
    pub gov: GovUpstreamConfig,
    pub wechat: WechatUpstreamConfig,
    pub alipay: AlipayUpstreamConfig,
    pub push: PushUpstreamConfig,
}

/// The provincial government-service platform.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GovUpstreamConfig {
    /// Base URL of the platform's API. Empty: the built-in simulator is started in-process.
    pub base_url: String,
    /// The app key Tongban was issued by the platform.
    pub app_key: String,
    /// The secret that signs every request (HMAC-SHA256).
    pub app_secret: SecretString,
    /// Milliseconds to establish a connection.
    pub connect_timeout_ms: u64,
    /// Milliseconds for a whole request, connection included.
    pub timeout_ms: u64,
    /// Concurrency limit, circuit breaker, total timeout and retries of calls to the platform.
    pub resilience: crate::upstream::resilience::ResilienceConfig,
    /// The HMAC-SHA256 key life events (`POST /v1/hooks/gov/events`) are signed with.
    pub event_key: SecretString,
    /// Seconds a life event's timestamp may differ from Tongban's clock; older or newer
    /// deliveries are refused as replays.
    pub event_max_age_secs: u64,
}

impl Default for GovUpstreamConfig {
    fn default() -> Self {
        Self {
            base_url: String::new(),
            app_key: "tongban-dev".into(),
            app_secret: SecretString::from("dev-secret-change-me"),
            connect_timeout_ms: 1_000,
            timeout_ms: 5_000,
            resilience: Default::default(),
            event_key: SecretString::from("dev-event-key-change-me"),
            event_max_age_secs: 300,
        }
    }
}

/// WeChat's open platform for the mini-program (`api.weixin.qq.com`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WechatUpstreamConfig {
    /// Base URL of WeChat's server API (`https://api.weixin.qq.com`). Empty: the built-in
    /// simulator is started in-process.
    pub base_url: String,
    /// The mini-program's AppID.
    pub app_id: String,
    /// The mini-program's AppSecret.
    pub app_secret: SecretString,
    /// Token of the message-push configuration (消息推送), used in the callback signatures.
    pub push_token: SecretString,
    /// EncodingAESKey of the message-push configuration: 43 characters `[A-Za-z0-9]`.
    pub push_encoding_aes_key: SecretString,
    /// The EncodingAESKey in force before the last rotation; tried when the current one fails.
    /// Empty: none.
    pub push_previous_encoding_aes_key: SecretString,
    /// Seconds before an access token's expiry at which it is refreshed.
    pub token_refresh_margin_secs: u64,
    /// Milliseconds to establish a connection.
    pub connect_timeout_ms: u64,
    /// Milliseconds for a whole request, connection included.
    pub timeout_ms: u64,
}

impl Default for WechatUpstreamConfig {
    fn default() -> Self {
        Self {
            base_url: String::new(),
            app_id: "wx0000000000000dev".into(),
            app_secret: SecretString::from("dev-wechat-secret-change-me"),
            push_token: SecretString::from("devpushtoken"),
            push_encoding_aes_key: SecretString::from(
                "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            ),
            push_previous_encoding_aes_key: SecretString::from(""),
            token_refresh_margin_secs: 300,
            connect_timeout_ms: 1_000,
            timeout_ms: 5_000,
        }
    }
}

/// Alipay's open platform gateway (`openapi.alipay.com/gateway.do`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlipayUpstreamConfig {
    /// The gateway URL (`https://openapi.alipay.com/gateway.do`). Empty: the built-in simulator
    /// is started in-process, with key pairs generated at start-up.
    pub gateway_url: String,
    /// The mini-program's app_id.
    pub app_id: String,
    /// The application private key (PKCS#8 or PKCS#1 PEM) that signs requests (RSA2). Empty
    /// with the simulator: generated at start-up.
    pub app_private_key: SecretString,
    /// Alipay's public key (PEM) that verifies responses and notifications. Empty with the
    /// simulator: taken from it.
    pub alipay_public_key: String,
    /// Milliseconds to establish a connection.
    pub connect_timeout_ms: u64,
    /// Milliseconds for a whole request, connection included.
    pub timeout_ms: u64,
}

impl Default for AlipayUpstreamConfig {
    fn default() -> Self {
        Self {
            gateway_url: String::new(),
            app_id: "2021000000000000".into(),
            app_private_key: SecretString::from(""),
            alipay_public_key: String::new(),
            connect_timeout_ms: 1_000,
            timeout_ms: 5_000,
        }
    }
}

/// The app push gateway (极光推送 JPush REST API v3, `docs/upstream-push.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushUpstreamConfig {
    /// Base URL of the gateway (`https://api.jpush.cn`). Empty: the built-in simulator is
    /// started in-process.
    pub base_url: String,
    /// The app's AppKey; the Basic-auth user name of every call.
    pub app_key: String,
    /// The app's Master Secret; the Basic-auth password of every call.
    pub master_secret: SecretString,
    /// The HMAC-SHA256 key delivery receipts (`X-Jpush-Signature`) are signed with.
    pub receipt_secret: SecretString,
    /// Push iOS notifications to APNs production (`true`) or to the development environment
    /// of debug builds (`false`).
    pub apns_production: bool,
    /// Send many notifications per call with JPush's batch single push (批量单推,
    /// `/v3/push/batch/regid/single`, a VIP interface). When the gateway refuses it (2006,
    /// 2007) Tongban sends one push per call from then on.
    pub batch: bool,
    /// Milliseconds to establish a connection.
    pub connect_timeout_ms: u64,
    /// Milliseconds for a whole request, connection included.
    pub timeout_ms: u64,
}

impl Default for PushUpstreamConfig {
    fn default() -> Self {
        Self {
            base_url: String::new(),
            app_key: "0000000000000000tongbdev".into(),
            master_secret: SecretString::from("dev-push-master-secret-change-me"),
            receipt_secret: SecretString::from("dev-push-receipt-secret-change-me"),
            apns_production: true,
            batch: true,
            connect_timeout_ms: 1_000,
            timeout_ms: 5_000,
        }
    }
}

/// Tongban's own sessions.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Seconds an access token is valid.
    pub access_token_ttl_secs: u64,
    /// Seconds a refresh token is valid; each refresh issues a new one.
    pub refresh_token_ttl_secs: u64,
    /// Seconds a checked access token is remembered in memory before the store is read again
    /// (never past its expiry; 0 reads the store on every request). A logout, revocation or
    /// deletion on this instance takes effect at once whatever the value.
    pub session_cache_secs: u64,
    /// Serve `POST /demo/…` routes that mint login codes for the simulators' demo citizens.
    /// Only ever active while the built-in simulators run.
    pub demo_routes: bool,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            session_cache_secs: 30,
            demo_routes: true,
        }
    }
}

/// Protection of personal identity data (ID numbers, names, phone numbers) at rest.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityConfig {
    /// Base64 of 32 random bytes: the AES-256-GCM key that encrypts personal data at rest.
    /// Empty: a key is generated into `<data_dir>/identity.key` on first run and reused.
    pub encryption_key: SecretString,
    /// Base64 of 32 random bytes: the HMAC-SHA256 key of the lookup hash of ID numbers.
    /// Empty: generated into `<data_dir>/identity.key` beside the encryption key.
    pub lookup_key: SecretString,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            encryption_key: SecretString::from(""),
            lookup_key: SecretString::from(""),
        }
    }
}

/// Rate limits (GCRA: a steady rate with a burst allowance).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Requests per minute from one IP address, across all endpoints.
    pub per_ip_per_minute: u32,
    /// Requests per minute by one signed-in person, across all endpoints.
    pub per_person_per_minute: u32,
    /// Login attempts per minute from one IP address.
    pub logins_per_ip_per_minute: u32,
    /// Real-name binding attempts per hour by one person (each one costs a verification at
    /// the provincial platform). On PostgreSQL it holds for all the instances together; the
    /// other limits are per instance.
    pub real_name_attempts_per_hour: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            per_ip_per_minute: 600,
            per_person_per_minute: 300,
            logins_per_ip_per_minute: 30,
            real_name_attempts_per_hour: 5,
        }
    }
}

/// Values given on the command line; they override every other layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub addr: Option<String>,
    pub data_dir: Option<PathBuf>,
}

impl Config {
    /// Loads defaults, then `file` (when given; it must exist), then the environment, then
    /// `overrides`. The error names the offending key and where it came from.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, Box<figment::Error>> {
        let mut figment = Figment::new();
        if let Some(file) = file {
            if !file.exists() {
                return Err(Box::new(figment::Error::from(format!(
                    "configuration file {} does not exist",
                    file.display()
                ))));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(Env::prefixed("TONGBAN__").split("__"));
        if let Some(addr) = &overrides.addr {
            figment = figment.merge(("server.addr", addr));
        }
        if let Some(dir) = &overrides.data_dir {
            figment = figment.merge(("database.data_dir", dir));
        }
        figment.extract().map_err(Box::new)
    }

    /// The URL the store opens (SQLite or PostgreSQL).
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!(
                "sqlite://{}/tongban.db",
                self.database.data_dir.to_string_lossy()
            )
        } else {
            self.database.url.clone()
        }
    }
}
