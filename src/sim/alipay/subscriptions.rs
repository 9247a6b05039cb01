//! Subscription messages (订阅消息) in the Alipay simulator: the templates the mini-program
//! took in the merchant platform (each with its number of keywords), users' subscriptions to
//! them (one-time: spent by one send; long-term: not spent), and
//! `alipay.open.app.mini.templatemessage.send` checked against both (platform-apis.md §2.6).
//!
//! A send is checked in this order: `biz_content`, `to_user_id` and `user_template_id` present
//! (`INVALID_PARAMETER`), a known template (`USER_TEMPLATE_ILLEGAL`), `data` a JSON string of
//! exactly `keyword1..N` (`USER_TEMPLATE_LACK_KEYWORD`), each value at most 50 characters
//! (`USER_KEYWORD_LENGTH_ERROR`), a known user (`USER_NOT_EXIST`), then a subscription
//! (`USER_NOT_SUBSCRIBED`). A refused send spends nothing. The codes and which of them are
//! **UNVERIFIED** are listed in `upstream::alipay::template_codes`; the order of the checks
//! is UNVERIFIED too. Alipay pushes no delivery result for these messages, so neither does
//! the simulator.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::{AlipaySim, DEMO_OPEN_IDS, DEMO_USER_IDS, Fields, Reply, SimState, lock};
use crate::upstream::alipay::template_codes as codes;

/// The template the notification service uses for benefit offers.
pub const BENEFIT_OFFER_TEMPLATE: &str = "tongban-benefit-offer-0001";
/// The template the notification service uses for application status changes.
pub const APPLICATION_STATUS_TEMPLATE: &str = "tongban-application-status-0001";
/// The templates the simulator starts with, both with 4 keywords.
const DEFAULT_TEMPLATES: &[(&str, usize)] = &[
    (BENEFIT_OFFER_TEMPLATE, 4),
    (APPLICATION_STATUS_TEMPLATE, 4),
];
const KEYWORD_VALUE_MAX_CHARS: usize = 50;

/// One user's subscription to one template.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Subscription {
    /// One-time accepts not yet spent.
    one_time: u32,
    /// Accepted as a long-term subscription: sends do not spend it.
    long_term: bool,
}

pub(super) fn default_templates() -> HashMap<String, usize> {
    DEFAULT_TEMPLATES
        .iter()
        .map(|(id, count)| (id.to_string(), *count))
        .collect()
}

/// Users the platform knows from the start: the demo citizens, by open_id and by user id.
pub(super) fn demo_users() -> std::collections::HashSet<String> {
    DEMO_OPEN_IDS
        .iter()
        .copied()
        .chain(DEMO_USER_IDS.iter().map(|(_, user_id)| *user_id))
        .map(str::to_string)
        .collect()
}

/// A template message the simulator accepted, for tests to inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentTemplateMessage {
    /// The recipient as the client named it in `to_user_id`.
    pub to_user_id: String,
    /// The template chosen in the merchant platform.
    pub user_template_id: String,
    /// The mini-program page a tap on the message opens (where Tongban puts the
    /// notification id).
    pub page: String,
    /// `keyword1..N` → value, decoded from the `data` JSON string.
    pub data: BTreeMap<String, String>,
}

fn refused(sub_code: &str, sub_msg: &str) -> Reply {
    Reply::failure("40004", sub_code, sub_msg)
}

/// `alipay.open.app.mini.templatemessage.send` for a request the gateway admitted.
pub(super) fn send(state: &SimState, biz_content: &str) -> Reply {
    let invalid = |why: &str| refused(codes::INVALID_PARAMETER, why);
    let Ok(biz) = serde_json::from_str::<Value>(biz_content) else {
        return invalid("biz_content不是合法的JSON");
    };
    let text = |name: &str| biz.get(name).and_then(Value::as_str).unwrap_or("");
    let (to_user, template_id) = (text("to_user_id"), text("user_template_id"));
    if to_user.is_empty() {
        return invalid("to_user_id不能为空");
    }
    if template_id.is_empty() {
        return invalid("user_template_id不能为空");
    }
    let Some(keyword_count) = lock(&state.templates).get(template_id).copied() else {
        return refused(codes::TEMPLATE_ILLEGAL, "模板非法");
    };
    // `data` is a JSON string inside the JSON, not an object.
    let Some(keywords) = serde_json::from_str::<Value>(text("data"))
        .ok()
        .and_then(|data| data.as_object().cloned())
    else {
        return invalid("data必须是JSON字符串");
    };
    let expected: Vec<String> = (1..=keyword_count).map(|n| format!("keyword{n}")).collect();
    let mut data = BTreeMap::new();
    for (keyword, entry) in keywords {
        let Some(value) = entry.get("value").and_then(Value::as_str) else {
            return invalid(&format!("{keyword}缺少value"));
        };
        data.insert(keyword, value.to_string());
    }
    if data.len() != expected.len() || !expected.iter().all(|key| data.contains_key(key)) {
        return refused(codes::LACK_KEYWORD, "缺少关键词");
    }
    if data
        .values()
        .any(|value| value.chars().count() > KEYWORD_VALUE_MAX_CHARS)
    {
        return refused(codes::KEYWORD_TOO_LONG, "关键词超长");
    }
    if !lock(&state.users).contains(to_user) {
        return refused(codes::USER_NOT_EXIST, "用户不存在");
    }
    if !spend_subscription(state, to_user, template_id) {
        return refused(codes::NOT_SUBSCRIBED, "用户未订阅该消息模板");
    }
    lock(&state.sent).push(SentTemplateMessage {
        to_user_id: to_user.to_string(),
        user_template_id: template_id.to_string(),
        page: text("page").to_string(),
        data,
    });
    Reply::success(Fields::new())
}

/// Spends a one-time subscription or uses a long-term one; false when there is neither.
fn spend_subscription(state: &SimState, user: &str, template_id: &str) -> bool {
    let mut subscriptions = lock(&state.subscriptions);
    let key = (user.to_string(), template_id.to_string());
    match subscriptions.get_mut(&key) {
        Some(subscription) if subscription.long_term => true,
        Some(subscription) if subscription.one_time > 0 => {
            subscription.one_time -= 1;
            true
        }
        _ => false,
    }
}

impl AlipaySim {
    /// Registers (or replaces) a template taken in the merchant platform, with its number of
    /// keywords. The simulator starts with [`BENEFIT_OFFER_TEMPLATE`] and
    /// [`APPLICATION_STATUS_TEMPLATE`], 4 keywords each.
    pub fn add_template(&self, template_id: &str, keyword_count: usize) {
        lock(&self.state.templates).insert(template_id.to_string(), keyword_count);
    }

    /// The user (open_id or 2088 user id, as the sends will name them) accepts `template_id`
    /// in `my.requestSubscribeMessage`: a one-time subscription allows one more send, a
    /// long-term one any number until the user turns it off.
    pub fn grant_subscription(&self, user_id: &str, template_id: &str, long_term: bool) {
        lock(&self.state.users).insert(user_id.to_string());
        let mut subscriptions = lock(&self.state.subscriptions);
        let subscription = subscriptions
            .entry((user_id.to_string(), template_id.to_string()))
            .or_default();
        if long_term {
            subscription.long_term = true;
        } else {
            subscription.one_time += 1;
        }
    }

    /// The user switches `template_id` to 不接收 in 消息管理: every subscription to it is gone.
    pub fn user_unsubscribes(&self, user_id: &str, template_id: &str) {
        lock(&self.state.subscriptions).remove(&(user_id.to_string(), template_id.to_string()));
    }

    /// Whether a send to (user, template) would find a subscription.
    pub fn has_subscription(&self, user_id: &str, template_id: &str) -> bool {
        let key = (user_id.to_string(), template_id.to_string());
        lock(&self.state.subscriptions)
            .get(&key)
            .is_some_and(|s| s.long_term || s.one_time > 0)
    }

    /// Template messages accepted so far, oldest first.
    pub fn sent_messages(&self) -> Vec<SentTemplateMessage> {
        lock(&self.state.sent).clone()
    }
}
