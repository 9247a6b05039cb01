//! WeChat's data as it crosses the wire: the public types callers get back (and send), and the
//! private shapes of each API's success answer, which [`super::WechatClient`] reads after its
//! request helper has ruled out an errcode. Unknown fields are ignored everywhere, since WeChat
//! adds fields without notice.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

/// The result of code2Session: who logged in.
pub struct WxSession {
    /// The user's id within this mini-program.
    pub openid: String,
    /// The user's id across the Open Platform account's apps, when the app is bound to one.
    pub unionid: Option<String>,
    /// Decrypts `wx.getUserInfo`-style encrypted data; never logged.
    pub session_key: SecretString,
}

impl std::fmt::Debug for WxSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WxSession")
            .field("openid", &self.openid)
            .field("unionid", &self.unionid)
            .finish_non_exhaustive()
    }
}

/// The phone number a user shared with the phone-number button. Debug shows the country
/// code only.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneInfo {
    /// With the country code for numbers outside mainland China.
    pub phone_number: String,
    /// Without the country code.
    pub pure_phone_number: String,
    /// "86" for mainland China. WeChat documents a string but sends a number.
    pub country_code: String,
}

impl std::fmt::Debug for PhoneInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneInfo")
            .field("country_code", &self.country_code)
            .finish_non_exhaustive()
    }
}

/// Where the checked text will appear (msgSecCheck `scene`); stricter rules apply to public
/// places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum SecScene {
    /// 资料: a profile.
    Profile = 1,
    /// 评论: a comment.
    Comment = 2,
    /// 论坛: a forum post.
    Forum = 3,
    /// 社交日志: a social log entry.
    SocialLog = 4,
}

/// msgSecCheck's overall suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Suggest {
    /// Publish.
    Pass,
    /// Doubtful: hold for a person to look at.
    Review,
    /// Do not publish.
    Risky,
}

/// msgSecCheck v2's verdict. WeChat answers errcode 0 even for risky content: this is where
/// the verdict is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SecVerdict {
    pub suggest: Suggest,
    /// 100 normal, 10001 ads, 20001 politics, 20002 porn, 20003 abuse, 20006 illegal,
    /// 20008 fraud, 20012 vulgar, 20013 copyright, 21000 other.
    pub label: i64,
    /// Quoted to WeChat when disputing a verdict.
    pub trace_id: String,
}

/// A one-time subscription message (一次性订阅消息).
#[derive(Clone, PartialEq, Eq)]
pub struct SubscribeMessage {
    /// The recipient's openid.
    pub touser: String,
    pub template_id: String,
    /// Mini-program page opened from the message (may carry a query); `None`: no jump.
    pub page: Option<String>,
    /// Template key (`thing1`, `time2`, …) to value; sent as `{"key":{"value":…}}`.
    pub data: BTreeMap<String, String>,
    /// `developer`, `trial` or `formal` (WeChat's default).
    pub miniprogram_state: Option<String>,
    /// `zh_CN` (WeChat's default), `en_US`, `zh_HK` or `zh_TW`.
    pub lang: Option<String>,
}

impl std::fmt::Debug for SubscribeMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The values can hold names and case details, so only the keys are shown.
        f.debug_struct("SubscribeMessage")
            .field("touser", &self.touser)
            .field("template_id", &self.template_id)
            .field("keys", &self.data.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl SubscribeMessage {
    /// The request body: `data` as `{"key":{"value":…}}`, absent options left out.
    pub(super) fn body(&self) -> Value {
        let data: serde_json::Map<String, Value> = self
            .data
            .iter()
            .map(|(key, value)| (key.clone(), json!({ "value": value })))
            .collect();
        let mut body = json!({
            "touser": self.touser,
            "template_id": self.template_id,
            "data": data,
        });
        let optional = [
            ("page", &self.page),
            ("miniprogram_state", &self.miniprogram_state),
            ("lang", &self.lang),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                body[key] = json!(value);
            }
        }
        body
    }
}

/// `POST /cgi-bin/stable_token`. No Debug: it holds the token.
#[derive(Deserialize)]
pub(super) struct TokenAnswer {
    pub access_token: String,
    pub expires_in: u64,
}

/// `GET /sns/jscode2session`; no errcode on success.
#[derive(Deserialize)]
pub(super) struct SessionAnswer {
    pub openid: String,
    #[serde(default)]
    pub unionid: Option<String>,
    pub session_key: String,
}

/// `POST /wxa/business/getuserphonenumber`.
#[derive(Deserialize)]
pub(super) struct PhoneAnswer {
    pub phone_info: PhoneWire,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PhoneWire {
    pub phone_number: String,
    pub pure_phone_number: String,
    #[serde(deserialize_with = "number_or_string")]
    pub country_code: String,
    #[serde(default)]
    pub watermark: Option<Watermark>,
}

/// Proof of which app the number was released to.
#[derive(Deserialize)]
pub(super) struct Watermark {
    pub appid: String,
}

/// `POST /wxa/msg_sec_check` (v2); `detail` is not read, `result` is the overall verdict.
#[derive(Deserialize)]
pub(super) struct SecCheckAnswer {
    #[serde(default)]
    pub trace_id: String,
    pub result: SecResult,
}

#[derive(Deserialize)]
pub(super) struct SecResult {
    pub suggest: Suggest,
    pub label: i64,
}

/// `POST /cgi-bin/message/subscribe/send`.
#[derive(Deserialize)]
pub(super) struct SendAnswer {
    pub msgid: i64,
}

/// `countryCode` is documented as a string but sent as a number; both are accepted.
fn number_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(serde_json::Number),
        Text(String),
    }
    Ok(match Either::deserialize(deserializer)? {
        Either::Number(number) => number.to_string(),
        Either::Text(text) => text,
    })
}
