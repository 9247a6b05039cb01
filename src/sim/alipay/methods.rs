//! The API methods the simulated gateway serves, after its own checks passed: oauth.token
//! (single-use auth codes → access tokens), user.info.share (profiles of the demo citizens) and
//! the mini-program template message (in `subscriptions`, with the templates and
//! subscriptions it is checked against).

use std::{collections::BTreeMap, time::Duration};

use super::{DEMO_USER_IDS, Fields, Reply, SimState, lock};
use crate::upstream::alipay::sign;

/// How long an auth code from `my.getAuthCode` can be exchanged (the short end of 3 min–24 h).
pub(super) const AUTH_CODE_LIFETIME: Duration = Duration::from_secs(3 * 60);
const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
const REFRESH_TOKEN_LIFETIME_SECS: u64 = 30 * 24 * 3600;

/// An auth code or access token: whose it is and until when.
#[derive(Debug, Clone)]
pub(super) struct Grant {
    open_id: String,
    expires_at: jiff::Timestamp,
}

impl Grant {
    pub(super) fn new(open_id: &str, now: jiff::Timestamp, lifetime: Duration) -> Self {
        let expires_at = jiff::SignedDuration::try_from(lifetime)
            .ok()
            .and_then(|lifetime| now.checked_add(lifetime).ok())
            .unwrap_or(now);
        Self {
            open_id: open_id.to_string(),
            expires_at,
        }
    }

    fn is_live(&self, now: jiff::Timestamp) -> bool {
        now < self.expires_at
    }
}

/// A demo citizen's profile as `alipay.user.info.share` shows it.
struct Profile {
    nick_name: &'static str,
    gender: &'static str,
    city: &'static str,
    avatar: &'static str,
}

const DEMO_PROFILES: &[(&str, Profile)] = &[
    (
        super::DEMO_OPEN_IDS[0],
        Profile {
            nick_name: "阿依古丽",
            gender: "F",
            city: "乌鲁木齐市",
            avatar: "https://tfs.alipayobjects.com/images/partner/demo-aygul",
        },
    ),
    (
        super::DEMO_OPEN_IDS[1],
        Profile {
            nick_name: "叶尔兰",
            gender: "M",
            city: "伊宁市",
            avatar: "https://tfs.alipayobjects.com/images/partner/demo-yerlan",
        },
    ),
    (
        super::DEMO_OPEN_IDS[2],
        Profile {
            nick_name: "老王",
            gender: "M",
            city: "乌鲁木齐市",
            avatar: "https://tfs.alipayobjects.com/images/partner/demo-jianhua",
        },
    ),
];

/// Runs `method` for a request the gateway admitted.
pub(super) fn dispatch(state: &SimState, method: &str, params: &BTreeMap<String, String>) -> Reply {
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    match method {
        "alipay.system.oauth.token" => oauth_token(state, param("grant_type"), param("code")),
        "alipay.user.info.share" => user_info(state, param("auth_token")),
        "alipay.open.app.mini.templatemessage.send" => {
            super::subscriptions::send(state, param("biz_content"))
        }
        _ => Reply::gateway_error("40002", "isv.invalid-method", "不存在的方法名"),
    }
}

fn oauth_token(state: &SimState, grant_type: &str, code: &str) -> Reply {
    if grant_type != "authorization_code" {
        return Reply::gateway_error("40002", "isv.grant-type-invalid", "不支持的grant_type");
    }
    let now = state.now();
    // Removed whether live or not: a code is spent by its first use.
    let grant = lock(&state.auth_codes).remove(code);
    let Some(grant) = grant.filter(|grant| grant.is_live(now)) else {
        // As Alipay does for this method: under error_response, unsigned (reference §2.3).
        return Reply::gateway_error("40002", "isv.code-invalid", "授权码code无效");
    };
    let access_token = format!("authusrB{}", uuid::Uuid::new_v4().simple());
    let refresh_token = format!("authusrB{}", uuid::Uuid::new_v4().simple());
    lock(&state.access_tokens).insert(
        access_token.clone(),
        Grant::new(&grant.open_id, now, ACCESS_TOKEN_LIFETIME),
    );
    let mut fields = Fields::new();
    if let Some(user_id) = demo_user_id(&grant.open_id) {
        fields.push(("user_id", user_id.into()));
    }
    fields.extend([
        ("open_id", grant.open_id.into()),
        ("access_token", access_token.into()),
        (
            "expires_in",
            ACCESS_TOKEN_LIFETIME.as_secs().to_string().into(),
        ),
        ("refresh_token", refresh_token.into()),
        (
            "re_expires_in",
            REFRESH_TOKEN_LIFETIME_SECS.to_string().into(),
        ),
        ("auth_start", sign::timestamp_gmt8(now).into()),
    ]);
    // Its successes carry no code, as in the reference's example answer.
    Reply::signed(fields)
}

fn demo_user_id(open_id: &str) -> Option<&'static str> {
    DEMO_USER_IDS
        .iter()
        .find(|(demo, _)| *demo == open_id)
        .map(|(_, user_id)| *user_id)
}

fn user_info(state: &SimState, auth_token: &str) -> Reply {
    let grant = lock(&state.access_tokens).get(auth_token).cloned();
    let Some(grant) = grant else {
        return Reply::failure("20001", "aop.invalid-auth-token", "无效的访问令牌");
    };
    if !grant.is_live(state.now()) {
        return Reply::failure("20001", "aop.auth-token-time-out", "访问令牌已过期");
    }
    let mut fields = Fields::new();
    if let Some(user_id) = demo_user_id(&grant.open_id) {
        fields.push(("user_id", user_id.into()));
    }
    let profile = DEMO_PROFILES
        .iter()
        .find(|(open_id, _)| *open_id == grant.open_id)
        .map(|(_, profile)| profile);
    fields.push(("open_id", grant.open_id.clone().into()));
    let Some(profile) = profile else {
        // Users who never set a nickname or avatar get neither field.
        fields.extend([
            ("is_certified", "F".into()),
            ("user_type", "2".into()),
            ("user_status", "T".into()),
        ]);
        return Reply::success(fields);
    };
    fields.extend([
        ("avatar", profile.avatar.into()),
        ("nick_name", profile.nick_name.into()),
        ("gender", profile.gender.into()),
        ("province", "新疆维吾尔自治区".into()),
        ("city", profile.city.into()),
        ("country_code", "CN".into()),
        ("is_certified", "T".into()),
        ("user_type", "2".into()),
        ("user_status", "T".into()),
    ]);
    Reply {
        escape_slashes: true,
        ..Reply::success(fields)
    }
}
