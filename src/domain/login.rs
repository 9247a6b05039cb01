//! Logging in with a platform's one-time code: WeChat's `wx.login` code or Alipay's auth code
//! is exchanged for the person's platform identity, which opens a Tongban session.
//!
//! A code is single-use at the platform. A double tap sends the same code twice at once; a
//! flaky network makes the client retry it a moment later. Both get the session the first
//! exchange opened: concurrent exchanges of one code are coalesced into one (moka's
//! `try_get_with`), and the outcome is kept for [`REPLAY_WINDOW`] for retries. After that, or on
//! another instance, the platform itself refuses the reused code and the person gets the clear
//! `login_code_used` problem. Either way one code never makes two sessions or two accounts.

use std::{sync::Arc, time::Duration};

use moka::future::Cache;

use super::session::{AuthFailure, IssuedTokens, Platform, PlatformLogin, Sessions, token_hash};
use crate::upstream::{
    alipay::{AlipayClient, AlipayError},
    wechat::{WechatClient, WechatError},
};

/// How long the outcome of a code exchange answers repeats of the same code.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("the login code is invalid or expired")]
    InvalidCode,
    #[error("the login code was already used")]
    CodeUsed,
    #[error("the platform blocks this user's login")]
    Blocked,
    #[error("{platform:?} is unavailable or limiting us: {reason}")]
    Unavailable { platform: Platform, reason: String },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Clone)]
pub struct Logins {
    sessions: Sessions,
    wechat: WechatClient,
    wechat_app_id: String,
    alipay: AlipayClient,
    alipay_app_id: String,
    /// Outcome per (platform, hash of code), kept for [`REPLAY_WINDOW`].
    exchanges: Cache<String, Arc<IssuedTokens>>,
}

impl std::fmt::Debug for Logins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logins").finish_non_exhaustive()
    }
}

impl Logins {
    pub fn new(
        sessions: Sessions,
        wechat: WechatClient,
        wechat_app_id: String,
        alipay: AlipayClient,
        alipay_app_id: String,
    ) -> Self {
        Self {
            sessions,
            wechat,
            wechat_app_id,
            alipay,
            alipay_app_id,
            exchanges: Cache::builder()
                .time_to_live(REPLAY_WINDOW)
                .max_capacity(100_000)
                .build(),
        }
    }

    pub async fn wechat(&self, code: &str) -> Result<Arc<IssuedTokens>, LoginError> {
        let login = async {
            let session = self
                .wechat
                .code2session(code)
                .await
                .map_err(|err| match err {
                    WechatError::InvalidCode => LoginError::InvalidCode,
                    WechatError::CodeUsed => LoginError::CodeUsed,
                    WechatError::CodeBlocked => LoginError::Blocked,
                    other => LoginError::Unavailable {
                        platform: Platform::Wechat,
                        reason: other.to_string(),
                    },
                })?;
            Ok(PlatformLogin {
                platform: Platform::Wechat,
                app_id: self.wechat_app_id.clone(),
                subject: session.openid,
                union_id: session.unionid,
            })
        };
        self.exchange(Platform::Wechat, code, login).await
    }

    pub async fn alipay(&self, auth_code: &str) -> Result<Arc<IssuedTokens>, LoginError> {
        let login = async {
            let token = self
                .alipay
                .oauth_token(auth_code)
                .await
                .map_err(|err| match err {
                    AlipayError::CodeInvalid => LoginError::InvalidCode,
                    other => LoginError::Unavailable {
                        platform: Platform::Alipay,
                        reason: other.to_string(),
                    },
                })?;
            // Newer apps only get open_id; older ones only user_id (platform-apis.md §2.9).
            let subject = token.open_id.or(token.user_id).ok_or_else(|| {
                LoginError::Unexpected(anyhow::anyhow!(
                    "alipay oauth.token answered neither open_id nor user_id"
                ))
            })?;
            Ok(PlatformLogin {
                platform: Platform::Alipay,
                app_id: self.alipay_app_id.clone(),
                subject,
                union_id: None,
            })
        };
        self.exchange(Platform::Alipay, auth_code, login).await
    }

    async fn exchange(
        &self,
        platform: Platform,
        code: &str,
        login: impl Future<Output = Result<PlatformLogin, LoginError>>,
    ) -> Result<Arc<IssuedTokens>, LoginError> {
        let key = format!("{}:{}", platform.code(), code_key(code));
        let mut opened_here = false;
        let tokens = self
            .exchanges
            .try_get_with(key, async {
                opened_here = true;
                let login = login.await?;
                let tokens = self.sessions.login(&login).await?;
                Ok::<_, LoginError>(Arc::new(tokens))
            })
            .await
            .map_err(|shared: Arc<LoginError>| clone_error(&shared))?;
        if opened_here {
            return Ok(tokens);
        }
        // A repeat: hand out the same session only while it is still the live one.
        match self.sessions.authenticate(&tokens.access_token).await {
            Ok(_) => Ok(tokens),
            Err(AuthFailure::Invalid | AuthFailure::Expired) => Err(LoginError::CodeUsed),
        }
    }
}

/// Codes are bearer secrets too: the cache keys on their hash.
fn code_key(code: &str) -> String {
    token_hash(code)
}

/// Every waiter of a coalesced exchange gets the same error.
fn clone_error(err: &LoginError) -> LoginError {
    match err {
        LoginError::InvalidCode => LoginError::InvalidCode,
        LoginError::CodeUsed => LoginError::CodeUsed,
        LoginError::Blocked => LoginError::Blocked,
        LoginError::Unavailable { platform, reason } => LoginError::Unavailable {
            platform: *platform,
            reason: reason.clone(),
        },
        LoginError::Unexpected(err) => LoginError::Unexpected(anyhow::anyhow!("{err:#}")),
    }
}
