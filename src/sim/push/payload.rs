//! Reading a push object (推送对象) the way the gateway validates it, in its order: the JSON
//! object, `platform`, `audience`, `notification`/`message`, `options`, then the size limits.
//! Missing parts are 1002, wrong values 1003, oversized notifications 1005. The simulator only
//! resolves registration ids; `alias`, `tag` and the other audience keys match no device.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::Refusal;
use crate::upstream::push::wire::{DevicePlatform, MAX_AUDIENCE, MAX_TIME_TO_LIVE_SECS};

/// Platforms JPush knows; the simulator has Android and iOS devices only.
const PLATFORMS: &[&str] = &["android", "ios", "winphone", "quickapp", "hmos"];
/// Audience keys JPush knows.
const AUDIENCE_KEYS: &[&str] = &[
    "registration_id",
    "alias",
    "tag",
    "tag_and",
    "tag_not",
    "segment",
    "abtest",
    "live_activity_id",
];
/// JPush's byte limits: Android notification + message, and the `ios` object.
const ANDROID_MAX_BYTES: usize = 4000;
const IOS_MAX_BYTES: usize = 2000;
/// `options.time_to_live` when absent: one day.
const DEFAULT_TIME_TO_LIVE_SECS: u64 = 86_400;

/// Which devices a push is for.
#[derive(Debug)]
pub(super) enum Audience {
    /// `"all"`: every device of the chosen platforms.
    All,
    /// The registration ids named, without repeats; empty when only other keys were given.
    RegistrationIds(BTreeSet<String>),
}

/// What a device of one platform shows.
#[derive(Debug, Clone)]
pub(super) struct Content {
    pub title: Option<String>,
    pub alert: String,
    pub extras: Map<String, Value>,
}

/// A push object that passed validation.
#[derive(Debug)]
pub(super) struct PushObject {
    pub platforms: Vec<DevicePlatform>,
    pub audience: Audience,
    pub android: Option<Content>,
    pub ios: Option<Content>,
    /// `options.sendno`, answered back as a string.
    pub sendno: i64,
    pub time_to_live_secs: u64,
}

impl PushObject {
    pub fn content(&self, platform: DevicePlatform) -> Option<&Content> {
        match platform {
            DevicePlatform::Android => self.android.as_ref(),
            DevicePlatform::Ios => self.ios.as_ref(),
        }
    }
}

/// The body as a JSON object: empty or not JSON is "Missing parameter" (1002).
pub(super) fn object(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(fields)) => Ok(fields),
        _ => Err(Refusal::missing("Missing parameter")),
    }
}

/// Validates the push object.
pub(super) fn read(fields: &Map<String, Value>) -> Result<PushObject, Refusal> {
    let platforms = platforms(fields.get("platform"))?;
    let audience = audience(fields.get("audience"))?;
    let notification = match fields.get("notification") {
        None => None,
        Some(Value::Object(notification)) => Some(notification),
        Some(_) => return Err(Refusal::invalid("Notification must be JSON Object format!")),
    };
    let message = match fields.get("message") {
        None => None,
        Some(Value::Object(message)) => Some(message),
        Some(_) => return Err(Refusal::invalid("Message must be JSON Object format!")),
    };
    if notification.is_none() && message.is_none() {
        return Err(Refusal::missing(
            "Missing parameter: notification or message",
        ));
    }
    let (sendno, time_to_live_secs) = options(fields.get("options"))?;
    let android = content(DevicePlatform::Android, notification, message)?;
    let ios = content(DevicePlatform::Ios, notification, message)?;
    check_sizes(notification, message)?;
    Ok(PushObject {
        platforms,
        audience,
        android,
        ios,
        sendno,
        time_to_live_secs,
    })
}

fn platforms(value: Option<&Value>) -> Result<Vec<DevicePlatform>, Refusal> {
    let names: Vec<&str> = match value {
        None => return Err(Refusal::missing("Missing parameter: platform")),
        Some(Value::String(all)) if all == "all" => PLATFORMS.to_vec(),
        Some(Value::Array(names)) if !names.is_empty() => names
            .iter()
            .map(|name| name.as_str().filter(|name| PLATFORMS.contains(name)))
            .collect::<Option<_>>()
            .ok_or_else(|| Refusal::invalid("Invalid platform"))?,
        Some(_) => return Err(Refusal::invalid("Invalid platform")),
    };
    let mut platforms = Vec::new();
    for (name, platform) in [
        ("android", DevicePlatform::Android),
        ("ios", DevicePlatform::Ios),
    ] {
        if names.contains(&name) {
            platforms.push(platform);
        }
    }
    Ok(platforms)
}

fn audience(value: Option<&Value>) -> Result<Audience, Refusal> {
    let keys = match value {
        None => return Err(Refusal::missing("Missing parameter: audience")),
        Some(Value::String(all)) if all == "all" => return Ok(Audience::All),
        Some(Value::Object(keys)) if !keys.is_empty() => keys,
        Some(_) => return Err(Refusal::invalid("Invalid audience")),
    };
    if let Some(key) = keys
        .keys()
        .find(|key| !AUDIENCE_KEYS.contains(&key.as_str()))
    {
        return Err(Refusal::invalid(format!("Invalid audience key: {key}")));
    }
    for values in keys.values() {
        let Value::Array(values) = values else {
            return Err(Refusal::invalid(
                "Audience value must be JSON Array format!",
            ));
        };
        if values.iter().any(|v| v.as_str().is_none_or(str::is_empty)) {
            return Err(Refusal::invalid("Audience value must not be empty"));
        }
    }
    let Some(Value::Array(ids)) = keys.get("registration_id") else {
        return Ok(Audience::RegistrationIds(BTreeSet::new()));
    };
    if ids.len() > MAX_AUDIENCE {
        return Err(Refusal::invalid("The registration_id is more than 1000"));
    }
    let mut unique = BTreeSet::new();
    for id in ids.iter().filter_map(Value::as_str) {
        let well_formed = id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric());
        if !well_formed {
            return Err(Refusal::invalid(format!(
                "The registration_id {id} is invalid!"
            )));
        }
        unique.insert(id.to_string());
    }
    Ok(Audience::RegistrationIds(unique))
}

fn options(value: Option<&Value>) -> Result<(i64, u64), Refusal> {
    let options = match value {
        None => return Ok((0, DEFAULT_TIME_TO_LIVE_SECS)),
        Some(Value::Object(options)) => options,
        Some(_) => return Err(Refusal::invalid("Options must be JSON Object format!")),
    };
    let sendno = match options.get("sendno") {
        None => 0,
        Some(sendno) => sendno
            .as_i64()
            .ok_or_else(|| Refusal::invalid("Invalid sendno"))?,
    };
    let time_to_live = match options.get("time_to_live") {
        None => DEFAULT_TIME_TO_LIVE_SECS,
        Some(ttl) => ttl
            .as_u64()
            .filter(|ttl| *ttl <= MAX_TIME_TO_LIVE_SECS)
            .ok_or_else(|| Refusal::invalid("Invalid time_to_live"))?,
    };
    if options
        .get("apns_production")
        .is_some_and(|production| !production.is_boolean())
    {
        return Err(Refusal::invalid("Invalid apns_production"));
    }
    Ok((sendno, time_to_live))
}

/// What a device of `platform` shows: the platform's notification (its `alert` overriding
/// `notification.alert`), else the in-app `message`; `None` when the push has neither for it.
fn content(
    platform: DevicePlatform,
    notification: Option<&Map<String, Value>>,
    message: Option<&Map<String, Value>>,
) -> Result<Option<Content>, Refusal> {
    let shared_alert = notification.and_then(|n| n.get("alert"));
    let own = notification.and_then(|n| n.get(platform.as_str()));
    let own = match own {
        None => None,
        Some(Value::Object(own)) => Some(own),
        Some(_) => return Err(Refusal::invalid("Invalid notification")),
    };
    let alert = own.and_then(|own| own.get("alert")).or(shared_alert);
    let extras = |object: Option<&Map<String, Value>>| match object.and_then(|o| o.get("extras")) {
        None => Ok(Map::new()),
        Some(Value::Object(extras)) => Ok(extras.clone()),
        Some(_) => Err(Refusal::invalid("Extras must be JSON Object format!")),
    };
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
    match (alert, platform) {
        (Some(Value::String(alert)), _) => Ok(Some(Content {
            title: text(own.and_then(|own| own.get("title"))),
            alert: alert.clone(),
            extras: extras(own)?,
        })),
        // iOS takes APNs' alert dictionary too: {"title", "subtitle", "body"}.
        (Some(Value::Object(alert)), DevicePlatform::Ios) => Ok(Some(Content {
            title: text(alert.get("title")),
            alert: text(alert.get("body")).unwrap_or_default(),
            extras: extras(own)?,
        })),
        (Some(_), _) => Err(Refusal::invalid("Invalid alert")),
        (None, _) if own.is_some() => Err(Refusal::invalid("alert is required")),
        (None, _) => match message {
            Some(message) => Ok(Some(Content {
                title: text(message.get("title")),
                alert: text(message.get("msg_content"))
                    .ok_or_else(|| Refusal::missing("Missing parameter: msg_content"))?,
                extras: extras(Some(message))?,
            })),
            None => Ok(None),
        },
    }
}

/// 1005 when the Android notification and message pass 4000 bytes together, or the `ios`
/// object 2000 (UTF-8: a Chinese or Uyghur letter takes two or three bytes).
fn check_sizes(
    notification: Option<&Map<String, Value>>,
    message: Option<&Map<String, Value>>,
) -> Result<(), Refusal> {
    let size = |value: Option<&Value>| value.map_or(0, |v| v.to_string().len());
    let part = |name: &str| size(notification.and_then(|n| n.get(name)));
    let message = message.map_or(0, |m| Value::Object(m.clone()).to_string().len());
    let too_big = || {
        Refusal::new(
            poem::http::StatusCode::BAD_REQUEST,
            1005,
            "Msg content too long",
        )
    };
    if part("android") + message > ANDROID_MAX_BYTES || part("ios") > IOS_MAX_BYTES {
        return Err(too_big());
    }
    Ok(())
}
