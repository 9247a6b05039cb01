//! One-time subscription messages (一次性订阅消息) in the simulator: the templates the
//! mini-program has chosen, each user's credits per template, the checks of
//! `subscribeMessage.send` (platform-apis.md §1.4), and the control methods tests use to grant,
//! reject and inspect.
//!
//! A send is checked in this order: `touser` (40003), `template_id` (40037), the `data` shape
//! (47001), a known user (40003), a known template (40037), every template key present and
//! valid and no other key (47003 `argument invalid! data.<key>.value invalid`), then one credit
//! (43101). A refused message spends no credit. Each accepted message is kept with its `page`
//! and answered with a `msgid`, and its `subscribe_msg_sent_event` is queued for the push URL.
//!
//! **UNVERIFIED**: the order of the checks (in particular rules before credits); that a key
//! absent from the template is refused rather than ignored; that several accepts of one
//! template stack into several credits.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use super::{
    SimState, WechatSim,
    endpoints::{Refusal, text},
    push::EventKind,
};
use crate::upstream::wechat::FieldKind;

/// The template the notification service uses for benefit offers.
pub const BENEFIT_OFFER_TEMPLATE: &str = "tongban-benefit-offer-0001";
/// The template the notification service uses for application status changes.
pub const APPLICATION_STATUS_TEMPLATE: &str = "tongban-application-status-0001";

/// The templates the simulator starts with: the ones Tongban's default configuration names.
const DEFAULT_TEMPLATES: &[(&str, &[&str])] = &[
    (
        BENEFIT_OFFER_TEMPLATE,
        &["thing1", "amount2", "date3", "thing4", "phrase5"],
    ),
    (
        APPLICATION_STATUS_TEMPLATE,
        &["thing1", "phrase2", "time3", "thing4"],
    ),
];

/// A subscription template as the mini-program chose it in the console.
#[derive(Debug, Clone, Default)]
pub(super) struct Template {
    /// Its keys (`thing1`, `phrase2`, …); a send must fill exactly these.
    keys: Vec<String>,
    /// The values an `enum` key allows (WeChat lists them in `getTemplateList`).
    enums: HashMap<String, Vec<String>>,
}

impl Template {
    fn new(keys: &[&str]) -> Self {
        Self {
            keys: keys.iter().map(|key| key.to_string()).collect(),
            enums: HashMap::new(),
        }
    }

    /// Every key present and valid, no other key; the first failure is named.
    fn check(&self, values: &BTreeMap<String, String>) -> Result<(), Refusal> {
        let invalid =
            |key: &str| Refusal(47003, format!("argument invalid! data.{key}.value invalid"));
        for key in &self.keys {
            let value = values.get(key).map_or("", String::as_str);
            if !self.accepts(key, value) {
                return Err(invalid(key));
            }
        }
        match values.keys().find(|key| !self.keys.contains(key)) {
            Some(stranger) => Err(invalid(stranger)),
            None => Ok(()),
        }
    }

    fn accepts(&self, key: &str, value: &str) -> bool {
        match FieldKind::of_key(key) {
            Some(FieldKind::Enum) => {
                FieldKind::Enum.accepts(value)
                    && self
                        .enums
                        .get(key)
                        .is_some_and(|allowed| allowed.iter().any(|v| v == value))
            }
            Some(kind) => kind.accepts(value),
            // A key added by a test with no WeChat type: any plain value.
            None => !value.is_empty() && !value.chars().any(char::is_control),
        }
    }
}

pub(super) fn default_templates() -> HashMap<String, Template> {
    DEFAULT_TEMPLATES
        .iter()
        .map(|(id, keys)| (id.to_string(), Template::new(keys)))
        .collect()
}

/// A subscription message the simulator accepted, for tests to count and inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSubscribeMessage {
    /// The recipient's openid.
    pub touser: String,
    /// The template the message used.
    pub template_id: String,
    /// The page a tap opens, query included (where Tongban puts the notification id).
    pub page: Option<String>,
    /// Template key → value, as sent.
    pub data: BTreeMap<String, String>,
    /// `developer`, `trial` or `formal` when given.
    pub miniprogram_state: Option<String>,
    /// `zh_CN`, `en_US`, `zh_HK` or `zh_TW` when given.
    pub lang: Option<String>,
    /// The `msgid` the send answered, also in the pushed sent event.
    pub msgid: i64,
}

/// `subscribeMessage.send` once the token and body have been admitted.
pub(super) fn deliver(state: &SimState, fields: &Map<String, Value>) -> Result<Value, Refusal> {
    let touser = text(fields, "touser").ok_or((40003, "invalid openid"))?;
    let template_id = text(fields, "template_id").ok_or((40037, "invalid template_id"))?;
    let Some(Value::Object(data)) = fields.get("data") else {
        return Err((47001, "data format error").into());
    };
    // A value that is not a string (or an item without `value`) counts as empty.
    let values: BTreeMap<String, String> = data
        .iter()
        .map(|(key, item)| {
            let value = item.get("value").and_then(Value::as_str).unwrap_or("");
            (key.clone(), value.to_string())
        })
        .collect();
    let optional = |key: &str| text(fields, key).map(str::to_string);
    let (msgid, event) = {
        let mut world = state.world();
        if !world.users.contains_key(touser) {
            return Err((40003, "invalid openid").into());
        }
        world
            .templates
            .get(template_id)
            .ok_or((40037, "invalid template_id"))?
            .check(&values)?;
        let credits = world
            .credits
            .get_mut(&(touser.to_string(), template_id.to_string()))
            .filter(|credits| **credits > 0)
            .ok_or((43101, "user refuse to accept the msg"))?;
        *credits -= 1;
        let msgid = world.next_msgid;
        world.next_msgid += 1;
        world.sent.push(SentSubscribeMessage {
            touser: touser.to_string(),
            template_id: template_id.to_string(),
            page: optional("page"),
            data: values,
            miniprogram_state: optional("miniprogram_state"),
            lang: optional("lang"),
            msgid,
        });
        // MsgID and ErrorCode are strings in the documented JSON sample.
        let item = json!({
            "TemplateId": template_id, "MsgID": msgid.to_string(),
            "ErrorCode": "0", "ErrorStatus": "success",
        });
        let event = event_message(
            state,
            world.unix_now(),
            touser,
            "subscribe_msg_sent_event",
            item,
        );
        (msgid, event)
    };
    state.pusher.enqueue(EventKind::Sent, &event);
    Ok(json!({"msgid": msgid}))
}

/// A pushed event in JSON plain mode. `CreateTime` is a number: the guide shows a string, but
/// WeChat sends a number (PR Wechat-Group/WxJava#2477).
fn event_message(state: &SimState, now: i64, openid: &str, event: &str, list: Value) -> Value {
    json!({
        "ToUserName": state.original_id,
        "FromUserName": openid,
        "CreateTime": now,
        "MsgType": "event",
        "Event": event,
        "List": list,
    })
}

impl WechatSim {
    /// Registers (or replaces) a template the mini-program has chosen, with its keys
    /// (`thing1`, `phrase2`, …). The simulator starts with [`BENEFIT_OFFER_TEMPLATE`]
    /// (`thing1, amount2, date3, thing4, phrase5`) and [`APPLICATION_STATUS_TEMPLATE`]
    /// (`thing1, phrase2, time3, thing4`).
    pub fn add_template(&self, template_id: &str, keys: &[&str]) {
        self.state
            .world()
            .templates
            .insert(template_id.to_string(), Template::new(keys));
    }

    /// The values the `enum` key `key` of `template_id` allows; no effect on an unknown
    /// template. An `enum` key without values refuses everything.
    pub fn set_template_enum(&self, template_id: &str, key: &str, values: &[&str]) {
        if let Some(template) = self.state.world().templates.get_mut(template_id) {
            let values = values.iter().map(|value| value.to_string()).collect();
            template.enums.insert(key.to_string(), values);
        }
    }

    /// One accepted `wx.requestSubscribeMessage` for (openid, template): one more send
    /// allowed. Silent: nothing is pushed (see [`Self::user_accepts`] for the popup event).
    pub fn grant_subscription(&self, openid: &str, template_id: &str) {
        let mut world = self.state.world();
        world.user(openid);
        *world
            .credits
            .entry((openid.to_string(), template_id.to_string()))
            .or_default() += 1;
    }

    /// The user accepts `template_ids` in one popup: one credit each, and one
    /// `subscribe_msg_popup_event` pushed whose `List` is an object for one template and an
    /// array for several, as WeChat sends it.
    pub fn user_accepts(&self, openid: &str, template_ids: &[&str]) {
        for template_id in template_ids {
            self.grant_subscription(openid, template_id);
        }
        let items: Vec<Value> = template_ids
            .iter()
            .map(|id| json!({"TemplateId": id, "SubscribeStatusString": "accept", "PopupScene": "0"}))
            .collect();
        self.push_list_event(openid, "subscribe_msg_popup_event", items);
    }

    /// The user turns `template_id` off in the service-notification settings: the remaining
    /// credits are gone (43101 from now on) and a `subscribe_msg_change_event` with
    /// `SubscribeStatusString: "reject"` is pushed.
    pub fn user_rejects(&self, openid: &str, template_id: &str) {
        {
            let mut world = self.state.world();
            world.user(openid);
            world
                .credits
                .insert((openid.to_string(), template_id.to_string()), 0);
        }
        let item = json!({"TemplateId": template_id, "SubscribeStatusString": "reject"});
        self.push_list_event(openid, "subscribe_msg_change_event", vec![item]);
    }

    /// Sends (openid, template) may still make.
    pub fn subscription_credits(&self, openid: &str, template_id: &str) -> u32 {
        let key = (openid.to_string(), template_id.to_string());
        self.state.world().credits.get(&key).copied().unwrap_or(0)
    }

    /// Every subscription message accepted so far, oldest first.
    pub fn sent_messages(&self) -> Vec<SentSubscribeMessage> {
        self.state.world().sent.clone()
    }

    fn push_list_event(&self, openid: &str, event: &str, mut items: Vec<Value>) {
        let list = if items.len() == 1 {
            items.remove(0)
        } else {
            Value::Array(items)
        };
        let now = self.state.world().unix_now();
        let message = event_message(&self.state, now, openid, event, list);
        self.state.pusher.enqueue(EventKind::Other, &message);
    }
}
