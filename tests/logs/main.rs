//! No ID number, phone number or full name appears unmasked in any log line: a whole identity
//! flow runs with every log level on, and the captured output is searched.
//!
//! A binary of its own: capturing every log line needs the process-wide subscriber, which the
//! `api` binary's concurrently running tests must not share.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::json;
use tongban::sim::gov::citizens::demo_citizens;
use tracing_subscriber::{EnvFilter, fmt::MakeWriter};

use crate::helpers::{access, spawn_app};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn no_log_line_carries_an_id_number_a_phone_or_a_name() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new("trace"))
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let app = spawn_app().await;
    let citizen = &demo_citizens()[4];
    let phone = "13912345678";
    let tokens = app.login_wechat(citizen.wechat_openid).await;
    let token = access(&tokens);
    let (status, _) = app
        .bind_real_name(&token, "王建华", citizen.id_number)
        .await;
    assert_eq!(status, 422, "a mismatch is logged too");
    let (status, _) = app
        .bind_real_name(&token, citizen.name, citizen.id_number)
        .await;
    assert_eq!(status, 200);
    let code = app.wechat.mint_phone_code(citizen.wechat_openid, phone);
    let (status, _) = app
        .call_json(
            Method::POST,
            "/v1/me/phone",
            Some(&token),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(status, 200);
    for path in ["/v1/me", "/v1/me/export"] {
        let (status, _) = app.call_json(Method::GET, path, Some(&token), None).await;
        assert_eq!(status, 200);
    }
    let alipay = app.login_alipay(citizen.alipay_open_id).await;
    let (status, _) = app
        .call_json(
            Method::POST,
            "/v1/me/real-name",
            Some(&access(&alipay)),
            Some(json!({"name": citizen.name, "idNumber": citizen.id_number, "faceToken": "ok"})),
        )
        .await;
    assert_eq!(status, 200);

    let logs = String::from_utf8(captured.0.lock().expect("logs").clone()).expect("utf-8");
    assert!(
        logs.contains("answered"),
        "the capture works: {} bytes",
        logs.len()
    );
    let birth_date = &citizen.id_number[6..14];
    for (what, secret) in [
        ("ID number", citizen.id_number),
        ("ID number body", &citizen.id_number[..17]),
        ("birth date of the ID", birth_date),
        ("phone", phone),
        ("full name", citizen.name),
        ("access token", token.as_str()),
    ] {
        let line = logs.lines().find(|line| line.contains(secret));
        assert!(line.is_none(), "{what} in a log line: {line:?}");
    }
}
