//! One send through one channel, and what its answer means for the notification: accepted,
//! try again later (transient), the person's permission is gone (refused: the credit is
//! zeroed and the next channel is tried), or this channel cannot take it (permanent: the next
//! channel is tried).

use std::{collections::BTreeMap, time::Duration};

use super::{Channel, Kind, Push, content, dispatch::Leased};
use crate::{
    i18n::Lang,
    upstream::{
        alipay::AlipayError,
        push::{AppPush, DevicePlatform, PushAccepted, PushGatewayError},
        wechat::{SubscribeMessage, WechatError},
    },
};

/// A send about to be made.
#[derive(Debug)]
pub(super) struct Planned {
    pub notification_id: String,
    pub channel: Channel,
    /// The openid, Alipay user id or registration id. Never logged.
    pub recipient: String,
    /// The template id (WeChat, Alipay) or the device platform (app).
    pub target: String,
    /// The mini-program page (WeChat, Alipay).
    pub page: String,
    pub lang: Lang,
    /// A one-time subscription credit was reserved for this send.
    pub spends_credit: bool,
    /// The push gateway's de-duplication id.
    pub cid: Option<String>,
    pub attempt_id: i64,
    pub leased: Option<Leased>,
}

/// What a send came to.
#[derive(Debug)]
pub(super) enum Outcome {
    Accepted {
        provider_ref: Option<String>,
    },
    Transient {
        code: String,
        retry_after: Option<Duration>,
    },
    Refused {
        code: String,
    },
    Permanent {
        code: String,
        /// The gateway no longer knows the device: forget it.
        device_gone: bool,
    },
}

impl Outcome {
    /// (metric label, error code, provider reference).
    pub fn labels(&self) -> (&'static str, Option<String>, Option<String>) {
        match self {
            Outcome::Accepted { provider_ref } => ("accepted", None, provider_ref.clone()),
            Outcome::Transient {
                code,
                retry_after: Some(_),
            } => ("rate_limited", Some(code.clone()), None),
            Outcome::Transient { code, .. } => ("transient", Some(code.clone()), None),
            Outcome::Refused { code } => ("refused", Some(code.clone()), None),
            Outcome::Permanent { code, .. } => ("permanent", Some(code.clone()), None),
        }
    }

    /// The attempt's stored outcome.
    pub fn stored(&self) -> &'static str {
        match self {
            Outcome::Accepted { .. } => "accepted",
            Outcome::Transient { .. } => "transient",
            Outcome::Refused { .. } => "refused",
            Outcome::Permanent { .. } => "permanent",
        }
    }
}

fn transient(code: impl Into<String>) -> Outcome {
    Outcome::Transient {
        code: code.into(),
        retry_after: None,
    }
}

fn permanent(code: impl Into<String>) -> Outcome {
    Outcome::Permanent {
        code: code.into(),
        device_gone: false,
    }
}

impl Push {
    pub(super) async fn send(&self, planned: &Planned) -> Outcome {
        let Some(leased) = &planned.leased else {
            return permanent("not_leased");
        };
        let l10n = &self.inner.l10n;
        let rendered = content::render(l10n, planned.lang, &leased.params);
        let page = format!(
            "{}?id={}&n={}",
            planned.page,
            cause_of(leased),
            planned.notification_id
        );
        match planned.channel {
            Channel::Wechat => {
                let template = match leased.kind {
                    Kind::BenefitOffer => &self.inner.config.wechat.benefit_offer,
                    Kind::ApplicationStatus => &self.inner.config.wechat.application_status,
                };
                let mandarin = content::render(l10n, Lang::ZhHans, &leased.params);
                let data = match content::wechat_data(template, &rendered, &mandarin) {
                    Ok(data) => data,
                    Err(key) => {
                        tracing::error!(template = %template.template_id, key, "no value fits this WeChat template field; check push.wechat templates");
                        return permanent("47003");
                    }
                };
                let message = SubscribeMessage {
                    touser: planned.recipient.clone(),
                    template_id: template.template_id.clone(),
                    page: Some(page),
                    data: data.into_iter().collect(),
                    miniprogram_state: None,
                    lang: None,
                };
                match self.inner.wechat.send_subscribe_message(&message).await {
                    Ok(msgid) => Outcome::Accepted {
                        provider_ref: Some(msgid.to_string()),
                    },
                    Err(err) => wechat_outcome(&err),
                }
            }
            Channel::Alipay => {
                let template = match leased.kind {
                    Kind::BenefitOffer => &self.inner.config.alipay.benefit_offer,
                    Kind::ApplicationStatus => &self.inner.config.alipay.application_status,
                };
                let data: BTreeMap<String, String> = content::alipay_data(template, &rendered)
                    .into_iter()
                    .collect();
                match self
                    .inner
                    .alipay
                    .send_template_message(&planned.recipient, &template.template_id, &page, &data)
                    .await
                {
                    Ok(()) => Outcome::Accepted { provider_ref: None },
                    Err(err) => alipay_outcome(&err),
                }
            }
            // The dispatcher sends app pushes in batches (`send_app`); one alone goes the same
            // way.
            Channel::App => match self.app_push(planned) {
                Ok(push) => gateway_answer(self.inner.gateway.push(&push).await),
                Err(outcome) => outcome,
            },
        }
    }

    /// Sends a batch's app pushes through the gateway, as many per call as the pace allows
    /// (JPush's batch single push), and answers each one's outcome.
    pub(super) async fn send_app(&self, planned: Vec<Planned>) -> Vec<(Planned, Outcome)> {
        let mut outcomes = Vec::with_capacity(planned.len());
        let mut ready = Vec::with_capacity(planned.len());
        for planned in planned {
            match self.app_push(&planned) {
                Ok(push) => ready.push((planned, push)),
                Err(outcome) => outcomes.push((planned, outcome)),
            }
        }
        let chunk = self.inner.dispatch.app_chunk.max(1);
        while !ready.is_empty() {
            let rest = ready.split_off(ready.len().min(chunk));
            self.app_pace(ready.len()).await;
            let (plans, pushes): (Vec<Planned>, Vec<AppPush>) = ready.into_iter().unzip();
            let answers = self.inner.gateway.push_many(&pushes).await;
            for (planned, answer) in plans.into_iter().zip(answers) {
                outcomes.push((planned, gateway_answer(answer)));
            }
            ready = rest;
        }
        outcomes
    }

    /// The gateway push a planned app send stands for, or why it cannot be made.
    fn app_push(&self, planned: &Planned) -> Result<AppPush, Outcome> {
        let Some(leased) = &planned.leased else {
            return Err(permanent("not_leased"));
        };
        let Some(cid) = planned.cid.clone() else {
            return Err(transient("no_cid"));
        };
        let rendered = content::render(&self.inner.l10n, planned.lang, &leased.params);
        let mut extras = serde_json::Map::new();
        extras.insert("n".into(), planned.notification_id.clone().into());
        extras.insert("kind".into(), leased.kind.code().into());
        extras.insert("id".into(), cause_of(leased).into());
        Ok(AppPush {
            cid: Some(cid),
            registration_id: planned.recipient.clone(),
            platform: if planned.target == "ios" {
                DevicePlatform::Ios
            } else {
                DevicePlatform::Android
            },
            title: rendered.title,
            body: rendered.body,
            extras,
            time_to_live_secs: u64::from(self.inner.config.app.time_to_live_secs),
        })
    }
}

fn cause_of(leased: &Leased) -> &str {
    match &leased.params {
        super::outbox::Params::BenefitOffer { offer_id, .. } => offer_id,
        super::outbox::Params::ApplicationStatus { project_no, .. } => project_no,
    }
}

fn wechat_outcome(err: &WechatError) -> Outcome {
    match err {
        WechatError::UserRefused => Outcome::Refused {
            code: "43101".into(),
        },
        WechatError::RateLimited => Outcome::Transient {
            code: "45009".into(),
            retry_after: Some(Duration::from_secs(60)),
        },
        WechatError::Unavailable(_) => transient("unavailable"),
        WechatError::InvalidOpenid => permanent("40003"),
        WechatError::InvalidArgument(detail) => {
            tracing::warn!(detail = %detail, "WeChat refused a subscription message");
            permanent("invalid_argument")
        }
        WechatError::Unauthorized(_) => transient("unauthorized"),
        other => permanent(format!("{other}")),
    }
}

fn alipay_outcome(err: &AlipayError) -> Outcome {
    if err.is_subscription_gone() {
        return Outcome::Refused {
            code: "subscription_gone".into(),
        };
    }
    if err.is_transient() {
        return transient("unavailable");
    }
    match err {
        AlipayError::Business { sub_code, .. } => permanent(sub_code.clone()),
        _ => transient("alipay"),
    }
}

fn gateway_answer(answer: Result<PushAccepted, PushGatewayError>) -> Outcome {
    match answer {
        Ok(accepted) => Outcome::Accepted {
            provider_ref: Some(accepted.msg_id),
        },
        Err(err) => gateway_outcome(&err),
    }
}

fn gateway_outcome(err: &PushGatewayError) -> Outcome {
    match err {
        PushGatewayError::RateLimited { retry_after } => Outcome::Transient {
            code: "2002".into(),
            retry_after: Some(retry_after.unwrap_or(Duration::from_secs(1))),
        },
        PushGatewayError::NoSuchDevice => Outcome::Permanent {
            code: "1011".into(),
            device_gone: true,
        },
        err if err.is_transient() => transient("unavailable"),
        PushGatewayError::Rejected { code, .. } => permanent(code.to_string()),
        _ => transient("gateway"),
    }
}
