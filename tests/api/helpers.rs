//! `spawn_app()`: a real Tongban on port 0 with a fresh SQLite file and fresh simulators.
//! Logs print only when `TEST_LOG` is set.

use std::sync::Once;

use tempfile::TempDir;
use tongban::{App, Config, sim::gov::GovSim};

static TRACING: Once = Once::new();

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub gov: GovSim,
    pub shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
    _data: TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            tracing_subscriber::fmt().with_env_filter("info").init();
        }
    });
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.server.addr = "127.0.0.1:0".into();
    config.database.data_dir = data.path().to_path_buf();
    configure(&mut config);
    let app = App::build(config).await.expect("app builds");
    let base = format!("http://{}", app.local_addr());
    let gov = app.simulators().gov.clone().expect("gov simulator runs");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        base,
        client: reqwest::Client::new(),
        gov,
        shutdown: Some(tx),
        server,
        _data: data,
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_lang(&self, path: &str, accept_language: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("Accept-Language", accept_language)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let resp = self.get(path).await;
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("JSON body"))
    }
}

pub fn header<'a>(resp: &'a reqwest::Response, name: &str) -> &'a str {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// True when every letter of `text` is in the Arabic script blocks.
pub fn is_arabic_script(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && letters
            .iter()
            .all(|c| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'))
}
