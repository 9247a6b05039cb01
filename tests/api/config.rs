//! Layered configuration: defaults, file, environment; unknown keys rejected by name;
//! secrets redacted.

// figment::Jail returns figment::Error, which is large; that is its API, not ours.
#![allow(clippy::result_large_err)]

use figment::Jail;
use tongban::{Config, config::Overrides};

#[test]
fn file_then_environment_then_command_line_override_the_defaults() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "tongban.toml",
            "[server]\naddr = \"0.0.0.0:9000\"\nbody_limit_bytes = 2048\n",
        )?;
        jail.set_env("TONGBAN__SERVER__BODY_LIMIT_BYTES", "4096");
        jail.set_env("TONGBAN__UPSTREAM__GOV__TIMEOUT_MS", "1234");
        let config = Config::load(Some("tongban.toml".as_ref()), &Overrides::default())
            .map_err(|e| e.to_string())?;
        assert_eq!(config.server.addr, "0.0.0.0:9000");
        assert_eq!(config.server.body_limit_bytes, 4096);
        assert_eq!(config.upstream.gov.timeout_ms, 1234);
        let overrides = Overrides {
            addr: Some("127.0.0.1:1".into()),
            data_dir: Some("elsewhere".into()),
        };
        let config =
            Config::load(Some("tongban.toml".as_ref()), &overrides).map_err(|e| e.to_string())?;
        assert_eq!(config.server.addr, "127.0.0.1:1");
        assert_eq!(
            config.database.data_dir,
            std::path::PathBuf::from("elsewhere")
        );
        Ok(())
    });
}

#[test]
fn an_unknown_key_in_the_file_is_rejected_by_name() {
    Jail::expect_with(|jail| {
        jail.create_file("tongban.toml", "[server]\nadress = \"0.0.0.0:9000\"\n")?;
        let err = Config::load(Some("tongban.toml".as_ref()), &Overrides::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("adress"), "{err}");
        Ok(())
    });
}

#[test]
fn an_unknown_environment_key_is_rejected_by_name() {
    Jail::expect_with(|jail| {
        jail.set_env("TONGBAN__CACHE__CATALOG_TTL", "5");
        let err = Config::load(None, &Overrides::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("catalog_ttl"), "{err}");
        Ok(())
    });
}

#[test]
fn a_missing_config_file_is_an_error() {
    let err = Config::load(
        Some("/no/such/tongban.toml".as_ref()),
        &Overrides::default(),
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("/no/such/tongban.toml"), "{err}");
}

#[test]
fn secrets_never_print() {
    Jail::expect_with(|jail| {
        jail.set_env("TONGBAN__UPSTREAM__GOV__APP_SECRET", "s3cr3t-value");
        let config = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cr3t-value"), "{debug}");
        assert!(debug.contains("REDACTED"));
        Ok(())
    });
}

#[test]
fn the_example_file_documents_every_option_with_its_default() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tongban.example.toml");
    let example = Config::load(Some(path.as_ref()), &Overrides::default()).expect("example parses");
    assert_eq!(format!("{example:?}"), format!("{:?}", Config::default()));
    let text = std::fs::read_to_string(path).expect("example");
    for key in [
        "addr",
        "shutdown_grace_secs",
        "body_limit_bytes",
        "cors_allowed_origins",
        "format",
        "filter",
        "data_dir",
        "url",
        "max_connections",
        "catalog_ttl_secs",
        "catalog_max_items",
        "stale_while_revalidate_secs",
        "stale_if_error_secs",
        "negative_ttl_secs",
        "personal_ttl_secs",
        "personal_max_people",
        "gov_latency_ms",
        "push_token",
        "push_encoding_aes_key",
        "token_refresh_margin_secs",
        "gateway_url",
        "app_private_key",
        "alipay_public_key",
        "master_secret",
        "receipt_secret",
        "apns_production",
        "batch",
        "access_token_ttl_secs",
        "refresh_token_ttl_secs",
        "session_cache_secs",
        "demo_routes",
        "encryption_key",
        "lookup_key",
        "per_ip_per_minute",
        "per_person_per_minute",
        "logins_per_ip_per_minute",
        "real_name_attempts_per_hour",
        "max_in_flight",
        "retry_after_secs",
        "breaker_cool_down_ms",
        "retry_budget_ratio",
        "base_url",
        "app_key",
        "app_secret",
        "connect_timeout_ms",
        "timeout_ms",
        "event_key",
        "event_max_age_secs",
        "sweep_batch_size",
        "publish_seed_policies",
        "dispatch",
        "workers",
        "batch_size",
        "concurrency",
        "lease_secs",
        "idle_poll_ms",
        "quiet_start",
        "quiet_end",
        "deadline_hours",
        "retry_base_ms",
        "retry_max_ms",
        "in_doubt_grace_secs",
        "headroom_percent",
        "rate_per_sec",
        "provider_rate_cap_per_sec",
        "provider_daily_cap",
        "template_id",
        "page",
        "fields",
        "time_to_live_secs",
    ] {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(&format!("{key} ="))),
            "{key} is documented"
        );
    }
}
