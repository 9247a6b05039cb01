//! Checking free text people publish (a rating's comment and tags) with WeChat's content
//! security check (msgSecCheck v2, scene "comment") before it goes to the provincial platform,
//! where agencies and the public see it.
//!
//! The policy, in one place:
//! - WeChat says `risky`: refused; the person is told to rewrite it.
//! - WeChat says `review`: accepted, and the caller audits it as needing a person's look.
//! - WeChat cannot be asked (unavailable, rate limited, a refused argument): accepted unchecked
//!   and logged, because a rating must not be lost to an outage of a third party.
//! - The person never logged in through WeChat (Alipay only): not checked. msgSecCheck needs
//!   the openid of a user of our mini-program, and Alipay's own text check is a different,
//!   paid product Tongban does not use; the platform's own moderation still applies.

use crate::upstream::wechat::{SecScene, SecVerdict, Suggest, WechatClient, WechatError};

use super::account::Accounts;

/// Why a text was let through without a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchecked {
    /// The person has no WeChat login to check it under.
    NoWechatLogin,
    /// WeChat did not give a verdict.
    WechatUnavailable,
}

/// What the check decided about a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// Accepted, but a person should look at it; `trace_id` is WeChat's reference.
    Review {
        label: i64,
        trace_id: String,
    },
    /// Not to be published.
    Risky {
        label: i64,
    },
    Unchecked(Unchecked),
}

impl Verdict {
    /// Whether the text may be published.
    pub fn accepted(&self) -> bool {
        !matches!(self, Verdict::Risky { .. })
    }

    /// A short word for the audit log.
    pub fn outcome(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Review { .. } => "review",
            Verdict::Risky { .. } => "risky",
            Verdict::Unchecked(Unchecked::NoWechatLogin) => "unchecked_no_wechat",
            Verdict::Unchecked(Unchecked::WechatUnavailable) => "unchecked_unavailable",
        }
    }
}

/// The content check: WeChat's client and where to find a person's openid.
#[derive(Debug, Clone)]
pub struct ContentCheck {
    wechat: WechatClient,
    accounts: Accounts,
}

impl ContentCheck {
    pub fn new(wechat: WechatClient, accounts: Accounts) -> Self {
        Self { wechat, accounts }
    }

    /// Checks `text` written by the person of `account_id`. Fails only when Tongban's own
    /// store fails; WeChat's failures become [`Unchecked::WechatUnavailable`].
    pub async fn check(&self, account_id: &str, text: &str) -> anyhow::Result<Verdict> {
        let Some(openid) = self.accounts.wechat_openid(account_id).await? else {
            return Ok(Verdict::Unchecked(Unchecked::NoWechatLogin));
        };
        let answer = self
            .wechat
            .msg_sec_check(&openid, SecScene::Comment, text)
            .await;
        Ok(verdict_of(answer))
    }
}

/// The policy applied to WeChat's answer. The text itself is never logged.
fn verdict_of(answer: Result<SecVerdict, WechatError>) -> Verdict {
    match answer {
        Ok(verdict) => match verdict.suggest {
            Suggest::Pass => Verdict::Pass,
            Suggest::Review => Verdict::Review {
                label: verdict.label,
                trace_id: verdict.trace_id,
            },
            Suggest::Risky => Verdict::Risky {
                label: verdict.label,
            },
        },
        Err(err) => {
            tracing::warn!(error = %err, "content check unavailable; text accepted unchecked");
            Verdict::Unchecked(Unchecked::WechatUnavailable)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(suggest: Suggest, label: i64) -> Result<SecVerdict, WechatError> {
        Ok(SecVerdict {
            suggest,
            label,
            trace_id: "trace-1".into(),
        })
    }

    #[test]
    fn risky_is_refused_and_review_is_accepted_with_its_trace() {
        let risky = verdict_of(answer(Suggest::Risky, 20006));
        let review = verdict_of(answer(Suggest::Review, 21000));
        let pass = verdict_of(answer(Suggest::Pass, 100));
        assert_eq!(risky, Verdict::Risky { label: 20006 });
        assert!(!risky.accepted());
        assert!(review.accepted());
        assert_eq!(review.outcome(), "review");
        assert_eq!(
            review,
            Verdict::Review {
                label: 21000,
                trace_id: "trace-1".into()
            }
        );
        assert_eq!(pass, Verdict::Pass);
    }

    #[test]
    fn an_unavailable_wechat_lets_the_text_through_unchecked() {
        let verdict = verdict_of(Err(WechatError::Unavailable("timeout".into())));
        assert_eq!(verdict, Verdict::Unchecked(Unchecked::WechatUnavailable));
        assert!(verdict.accepted());
    }
}
