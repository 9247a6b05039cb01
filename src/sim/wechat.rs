//! WeChat's server API for one mini-program, simulated on a loopback port with the real wire
//! shapes (platform-apis.md §1 and §4): HTTP 200 with `errcode`/`errmsg` (`…, rid: …`) for
//! every error, the access token only in the query string, single-use login and phone codes,
//! `stable_token` in normal and force mode, msgSecCheck v2 verdicts, and one-time subscription
//! messages with their templates, value rules, credits and the result events pushed to the
//! mini-program's message-push URL.
//!
//! Layout: this file holds the state ([`World`], behind one mutex that is never held across an
//! await) and the control methods tests and demos use; `endpoints` holds the HTTP handlers;
//! `subscriptions` the templates, credits and the send check; `push` the background delivery of
//! pushed events with WeChat's retries.
//! The simulator keeps its own clock, which [`WechatSim::advance_clock`] moves forward, so tests
//! can expire codes and tokens without waiting.

mod endpoints;
mod push;
mod subscriptions;
#[cfg(test)]
mod tests;

pub use subscriptions::{
    APPLICATION_STATUS_TEMPLATE, BENEFIT_OFFER_TEMPLATE, SentSubscribeMessage,
};

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use anyhow::Context;
use poem::{EndpointExt, Route, Server, get};
use secrecy::{ExposeSecret, SecretString};

/// Citizens who exist from the start, so demos can log in without setup: the first four of the
/// gov simulator's demo citizens (`sim::gov::citizens`), who can bind their real names. The
/// first and third have a unionid (their mini-program is bound to an Open Platform account).
pub const DEMO_OPENIDS: &[&str] = &[
    "oTongbanDemoCitizen000000001",
    "oTongbanDemoCitizen000000002",
    "oTongbanDemoCitizen000000003",
    "oTongbanDemoCitizen000000004",
];

/// How long a login or phone code stays usable.
const CODE_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Logins one user may make per minute before 45011 (the minigame doc's 100/user/minute).
const LOGINS_PER_MINUTE: u32 = 100;
/// A stable access token's lifetime at issue.
const TOKEN_LIFETIME: Duration = Duration::from_secs(7200);
/// Normal-mode `stable_token` renews a token this long before it expires, so any token it
/// hands out has at least this much left.
const TOKEN_RENEWAL: Duration = Duration::from_secs(300);

/// Faults injected into every answer.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer every request with `{"errcode":-1,"errmsg":"system error, rid: …"}`.
    pub outage: bool,
    /// Added before every answer.
    pub latency: Duration,
}

#[derive(Debug)]
struct User {
    unionid: Option<String>,
    /// Flagged as high-risk: its login codes answer 40226.
    login_blocked: bool,
}

#[derive(Debug)]
struct Code {
    openid: String,
    /// The phone number a phone code stands for; `None` for login codes.
    phone: Option<String>,
    minted_at: Instant,
    used: bool,
}

/// What business APIs make of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Valid,
    /// Answers 42001.
    Expired,
    /// Answers 40001 (superseded or revoked).
    Revoked,
    /// Answers 40001, yet normal-mode `stable_token` keeps handing it out: only a forced
    /// refresh replaces it.
    RejectedButServed,
}

#[derive(Debug)]
struct TokenEntry {
    expires_at: Instant,
    standing: Standing,
}

/// Everything the simulated platform knows.
#[derive(Debug, Default)]
struct World {
    /// How far [`WechatSim::advance_clock`] has moved the simulator's clock.
    clock_offset: Duration,
    users: HashMap<String, User>,
    codes: HashMap<String, Code>,
    /// Login calls per openid in the current minute window: (window start, count).
    login_windows: HashMap<String, (Instant, u32)>,
    tokens: HashMap<String, TokenEntry>,
    current_token: Option<String>,
    /// Force refreshes within the last day, oldest first.
    forced: Vec<Instant>,
    /// The subscription templates the mini-program has chosen, by template id.
    templates: HashMap<String, subscriptions::Template>,
    /// One-time subscription credits per (openid, template_id).
    credits: HashMap<(String, String), u32>,
    sent: Vec<SentSubscribeMessage>,
    calls: HashMap<String, u64>,
    next_msgid: i64,
}

impl World {
    fn now(&self) -> Instant {
        Instant::now() + self.clock_offset
    }

    /// Now in Unix seconds, on the simulator's clock (for `CreateTime` in pushed events).
    fn unix_now(&self) -> i64 {
        let offset = i64::try_from(self.clock_offset.as_secs()).unwrap_or(i64::MAX);
        jiff::Timestamp::now().as_second().saturating_add(offset)
    }

    fn user(&mut self, openid: &str) -> &mut User {
        self.users.entry(openid.to_string()).or_insert(User {
            unionid: None,
            login_blocked: false,
        })
    }

    fn mint_code(&mut self, openid: &str, phone: Option<&str>) -> String {
        self.user(openid);
        let code = format!("sim{}", uuid::Uuid::new_v4().simple());
        let minted_at = self.now();
        self.codes.insert(
            code.clone(),
            Code {
                openid: openid.to_string(),
                phone: phone.map(str::to_string),
                minted_at,
                used: false,
            },
        );
        code
    }

    /// Counts one login of `openid`; false once it has had its 100 for the current minute.
    fn count_login(&mut self, openid: &str) -> bool {
        let now = self.now();
        let window = self
            .login_windows
            .entry(openid.to_string())
            .or_insert((now, 0));
        if now.duration_since(window.0) >= Duration::from_secs(60) {
            *window = (now, 0);
        }
        if window.1 >= LOGINS_PER_MINUTE {
            return false;
        }
        window.1 += 1;
        true
    }

    fn issue_token(&mut self) -> (String, u64) {
        let token = format!(
            "SIM_{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let expires_at = self.now() + TOKEN_LIFETIME;
        self.tokens.insert(
            token.clone(),
            TokenEntry {
                expires_at,
                standing: Standing::Valid,
            },
        );
        self.current_token = Some(token.clone());
        (token, TOKEN_LIFETIME.as_secs())
    }

    /// Normal mode: the current token with its remaining lifetime, renewed when less than
    /// five minutes are left (the old one keeps working until its own expiry).
    fn stable_token(&mut self) -> (String, u64) {
        let now = self.now();
        let current = self.current_token.as_ref().and_then(|token| {
            let entry = self.tokens.get(token)?;
            let served = matches!(
                entry.standing,
                Standing::Valid | Standing::RejectedButServed
            );
            let remaining = entry.expires_at.saturating_duration_since(now);
            // Rounded, so a token fetched a few milliseconds after issue still shows 7200.
            let remaining_secs = (remaining + Duration::from_millis(500)).as_secs();
            (served && remaining >= TOKEN_RENEWAL).then(|| (token.clone(), remaining_secs))
        });
        current.unwrap_or_else(|| self.issue_token())
    }

    /// Force mode. WeChat keeps the old token alive for a while after a plain `cgi-bin/token`
    /// re-issue, but the `stable_token` documentation says a forced refresh invalidates the
    /// previous token, so the simulator revokes it at once.
    fn force_token(&mut self) -> Result<(String, u64), (i64, &'static str)> {
        let now = self.now();
        let day = Duration::from_secs(24 * 3600);
        self.forced.retain(|at| now.duration_since(*at) < day);
        if self.forced.len() >= 20 {
            return Err((45009, "reach max api daily quota limit"));
        }
        if let Some(last) = self.forced.last()
            && now.duration_since(*last) < Duration::from_secs(30)
        {
            // "否则不会刷新": too soon after the last force, the current token comes back.
            return Ok(self.stable_token());
        }
        if let Some(old) = self.current_token.take()
            && let Some(entry) = self.tokens.get_mut(&old)
        {
            entry.standing = Standing::Revoked;
        }
        self.forced.push(now);
        Ok(self.issue_token())
    }

    /// Checks the `access_token` of a business call.
    fn admit_token(&self, token: Option<&str>) -> Result<(), (i64, &'static str)> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err((41001, "access_token missing"));
        };
        let invalid = (
            40001,
            "invalid credential, access_token is invalid or not latest, could get access_token \
             by getStableAccessToken, more details at https://mmbizurl.cn/s/JtxxFh33r",
        );
        let expired = (42001, "access_token expired");
        match self.tokens.get(token) {
            None => Err(invalid),
            Some(entry) => match entry.standing {
                Standing::Revoked | Standing::RejectedButServed => Err(invalid),
                Standing::Expired => Err(expired),
                Standing::Valid if self.now() >= entry.expires_at => Err(expired),
                Standing::Valid => Ok(()),
            },
        }
    }

    fn mark_tokens(&mut self, standing: Standing) {
        for entry in self.tokens.values_mut() {
            entry.standing = standing;
        }
    }
}

#[derive(Debug)]
struct SimState {
    app_id: String,
    app_secret: String,
    /// The mini-program's original id (`gh_…`), the `ToUserName` of pushed events.
    original_id: String,
    faults: Mutex<Faults>,
    world: Mutex<World>,
    pusher: push::Pusher,
}

impl SimState {
    fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }
}

/// A running simulator; clones share it.
#[derive(Debug, Clone)]
pub struct WechatSim {
    state: Arc<SimState>,
    addr: SocketAddr,
}

impl WechatSim {
    /// Starts the simulator on a free loopback port for the mini-program `app_id`, accepting
    /// `app_secret`, with the [`DEMO_OPENIDS`] as users.
    pub async fn start(app_id: &str, app_secret: &SecretString) -> anyhow::Result<Self> {
        let mut world = World {
            next_msgid: 1_988_810_812_324_364_291,
            templates: subscriptions::default_templates(),
            ..World::default()
        };
        for (i, openid) in DEMO_OPENIDS.iter().enumerate() {
            world.users.insert(
                openid.to_string(),
                User {
                    unionid: (i % 2 == 0).then(|| openid.replacen("oTongban", "oUnionTongban", 1)),
                    login_blocked: false,
                },
            );
        }
        let digest = hex::encode(openssl::sha::sha1(app_id.as_bytes()));
        let state = Arc::new(SimState {
            app_id: app_id.to_string(),
            app_secret: app_secret.expose_secret().to_string(),
            original_id: format!("gh_{}", &digest[..12]),
            faults: Mutex::new(Faults::default()),
            world: Mutex::new(world),
            pusher: push::Pusher::start()?,
        });
        let acceptor = crate::http::listener::bind("127.0.0.1:0").await?;
        let addr =
            crate::http::listener::socket_addr(&acceptor).context("simulator has no address")?;
        let routes = Route::new()
            .at("/sns/jscode2session", get(endpoints::jscode2session))
            .at("/cgi-bin/stable_token", endpoints::stable_token)
            .at("/wxa/business/getuserphonenumber", endpoints::phone_number)
            .at("/wxa/msg_sec_check", endpoints::msg_sec_check)
            .at("/cgi-bin/message/subscribe/send", endpoints::subscribe_send)
            .data(state.clone());
        tokio::spawn(async move {
            if let Err(err) = Server::new_with_acceptor(acceptor).run(routes).await {
                tracing::error!(%err, "wechat simulator stopped");
            }
        });
        Ok(Self { state, addr })
    }

    /// Where the simulated `api.weixin.qq.com` listens.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the faults applied to every request from now on.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.state.faults) = faults;
    }

    /// A fresh `wx.login` code for `openid` (created if unknown): single use, valid 5 minutes.
    pub fn mint_login_code(&self, openid: &str) -> String {
        self.state.world().mint_code(openid, None)
    }

    /// A fresh `getPhoneNumber` button code binding `openid` to `phone`.
    pub fn mint_phone_code(&self, openid: &str, phone: &str) -> String {
        self.state.world().mint_code(openid, Some(phone))
    }

    /// Flags `openid` as high-risk: its login codes are refused with 40226.
    pub fn block_login(&self, openid: &str) {
        self.state.world().user(openid).login_blocked = true;
    }

    /// The mini-program's original id (`gh_…`), which pushed events carry as `ToUserName`.
    pub fn original_id(&self) -> String {
        self.state.original_id.clone()
    }

    /// Every token issued so far answers 42001 from now on.
    pub fn expire_access_tokens(&self) {
        self.state.world().mark_tokens(Standing::Expired);
    }

    /// Every token issued so far answers 40001 from now on (as after a refresh elsewhere).
    pub fn revoke_access_tokens(&self) {
        self.state.world().mark_tokens(Standing::Revoked);
    }

    /// The current token answers 40001, but normal-mode `stable_token` keeps returning it until
    /// someone forces a refresh: the case the client's `force_refresh` path exists for.
    pub fn reject_current_token_until_forced(&self) {
        let mut world = self.state.world();
        if let Some(token) = world.current_token.clone()
            && let Some(entry) = world.tokens.get_mut(&token)
        {
            entry.standing = Standing::RejectedButServed;
        }
    }

    /// Moves the simulator's clock forward (codes and tokens age; nothing sleeps).
    pub fn advance_clock(&self, by: Duration) {
        self.state.world().clock_offset += by;
    }

    /// Requests received on `endpoint` (a path such as `/cgi-bin/stable_token`), faults and
    /// errors included.
    pub fn calls(&self, endpoint: &str) -> u64 {
        self.state.world().calls.get(endpoint).copied().unwrap_or(0)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
