//! `spawn_app()`: a real Tongban on port 0 with a fresh SQLite file (or, when
//! `TONGBAN_TEST_POSTGRES` names a PostgreSQL database, a fresh schema in it) and fresh simulators.
//! Logs print only when `TEST_LOG` is set.

use std::sync::Once;

use serde_json::{Value, json};
use tempfile::TempDir;
use tongban::{
    App, AppState, Config,
    sim::{alipay::AlipaySim, gov::GovSim, push::PushSim, wechat::WechatSim},
};

static TRACING: Once = Once::new();

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub gov: GovSim,
    pub wechat: WechatSim,
    pub alipay: AlipaySim,
    /// The push gateway simulator.
    pub push: PushSim,
    pub state: AppState,
    pub shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The data directory (identity keys; the SQLite file): the first instance's, shared by
    /// the others of a cluster.
    data: std::sync::Arc<TempDir>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt().with_env_filter("info").try_init();
        }
    });
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.server.addr = "127.0.0.1:0".into();
    config.database.data_dir = data.path().to_path_buf();
    if let Some(url) = tongban::store::scratch_postgres()
        .await
        .expect("test schema")
    {
        config.database.url = url;
    }
    configure(&mut config);
    let app = App::build(config).await.expect("app builds");
    let base = format!("http://{}", app.local_addr());
    let gov = app.simulators().gov.clone().expect("gov simulator runs");
    let wechat = app
        .simulators()
        .wechat
        .clone()
        .expect("wechat simulator runs");
    let alipay = app
        .simulators()
        .alipay
        .clone()
        .expect("alipay simulator runs");
    let push = app.simulators().push.clone().expect("push simulator runs");
    let state = app.state().clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        base,
        client: reqwest::Client::new(),
        gov,
        wechat,
        alipay,
        push,
        state,
        shutdown: Some(tx),
        server,
        data: std::sync::Arc::new(data),
    }
}

/// Another instance beside `first`, on the same store (PostgreSQL: the same schema), with the
/// same identity keys, using `first`'s simulators (but an Alipay simulator of its own: the
/// first one's keys are not at hand).
pub async fn spawn_app_sharing(first: &TestApp, configure: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::default();
    config.server.addr = "127.0.0.1:0".into();
    config.database.data_dir = first.data.path().to_path_buf();
    config.database.url = first.state.config.database.url.clone();
    config.upstream.gov.base_url = first.gov.base_url();
    config.upstream.wechat.base_url = first.wechat.base_url();
    config.upstream.push.base_url = first.push.base_url();
    configure(&mut config);
    let app = App::build(config).await.expect("app builds");
    let base = format!("http://{}", app.local_addr());
    let alipay = app
        .simulators()
        .alipay
        .clone()
        .expect("alipay simulator runs");
    let state = app.state().clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        base,
        client: reqwest::Client::new(),
        gov: first.gov.clone(),
        wechat: first.wechat.clone(),
        alipay,
        push: first.push.clone(),
        state,
        shutdown: Some(tx),
        server,
        data: first.data.clone(),
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

    /// Any request; `token` is sent as a bearer token, `body` as JSON.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request sent")
    }

    /// Status and JSON body of a request.
    pub async fn call_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let resp = self.call(method, path, token, body).await;
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Logs in through WeChat as `openid` and answers the token pair.
    pub async fn login_wechat(&self, openid: &str) -> Value {
        let code = self.wechat.mint_login_code(openid);
        let (status, body) = self
            .call_json(
                reqwest::Method::POST,
                "/v1/auth/wechat",
                None,
                Some(json!({"code": code})),
            )
            .await;
        assert_eq!(status, 200, "wechat login: {body}");
        body
    }

    /// Logs in through Alipay as `open_id` and answers the token pair.
    pub async fn login_alipay(&self, open_id: &str) -> Value {
        let code = self.alipay.mint_auth_code(open_id);
        let (status, body) = self
            .call_json(
                reqwest::Method::POST,
                "/v1/auth/alipay",
                None,
                Some(json!({"authCode": code})),
            )
            .await;
        assert_eq!(status, 200, "alipay login: {body}");
        body
    }

    /// Binds a real name for the holder of `token`.
    pub async fn bind_real_name(&self, token: &str, name: &str, id_number: &str) -> (u16, Value) {
        self.call_json(
            reqwest::Method::POST,
            "/v1/me/real-name",
            Some(token),
            Some(json!({"name": name, "idNumber": id_number})),
        )
        .await
    }
}

/// The access token of a token pair.
pub fn access(tokens: &Value) -> String {
    tokens["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_string()
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
