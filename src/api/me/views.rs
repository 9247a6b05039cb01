//! The shapes `/v1/me` reads and writes, with their examples and the conversions from the
//! domain's types.

use poem_openapi::{Enum, Object, types::MaybeUndefined};

use super::super::rfc3339;
use crate::{
    domain::{
        account::{AccountExport, NOTIFY_CATEGORIES, Profile},
        audit::AuditRecord,
        session::{Principal, SessionInfo, now},
    },
    i18n::Lang,
};

/// A language a person can save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum LangCode {
    #[oai(rename = "zh-Hans")]
    ZhHans,
    #[oai(rename = "ug-Arab")]
    UgArab,
    #[oai(rename = "kk-Arab")]
    KkArab,
}

impl From<LangCode> for Lang {
    fn from(code: LangCode) -> Lang {
        match code {
            LangCode::ZhHans => Lang::ZhHans,
            LangCode::UgArab => Lang::UgArab,
            LangCode::KkArab => Lang::KkArab,
        }
    }
}

impl From<Lang> for LangCode {
    fn from(lang: Lang) -> LangCode {
        match lang {
            Lang::ZhHans => LangCode::ZhHans,
            Lang::UgArab => LangCode::UgArab,
            Lang::KkArab => LangCode::KkArab,
        }
    }
}

/// The clock a person reads: Beijing time (official, UTC+8) or Xinjiang time (UTC+6), which
/// many residents keep. Dates shown and quiet hours follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum TimeZoneCode {
    #[oai(rename = "Asia/Shanghai")]
    AsiaShanghai,
    #[oai(rename = "Asia/Urumqi")]
    AsiaUrumqi,
}

impl TimeZoneCode {
    pub fn name(self) -> &'static str {
        match self {
            TimeZoneCode::AsiaShanghai => "Asia/Shanghai",
            TimeZoneCode::AsiaUrumqi => "Asia/Urumqi",
        }
    }

    fn from_name(name: &str) -> TimeZoneCode {
        if name == "Asia/Urumqi" {
            TimeZoneCode::AsiaUrumqi
        } else {
            TimeZoneCode::AsiaShanghai
        }
    }
}

/// What a person may be notified about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum)]
#[oai(rename_all = "camelCase")]
pub enum NotificationCategory {
    /// Benefits they qualify for (免申即享).
    Benefits,
    /// Progress of their applications.
    Applications,
    /// Hall appointments.
    Appointments,
    /// Certificates about to expire.
    Certificates,
}

impl NotificationCategory {
    pub fn code(self) -> &'static str {
        NOTIFY_CATEGORIES[self as usize]
    }

    fn from_code(code: &str) -> Option<Self> {
        use NotificationCategory::*;
        [Benefits, Applications, Appointments, Certificates]
            .into_iter()
            .find(|c| c.code() == code)
    }
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct Preferences {
    /// The saved language; absent: each request negotiates (`lang`, `Accept-Language`).
    #[oai(skip_serializing_if_is_none)]
    pub lang: Option<LangCode>,
    pub time_zone: TimeZoneCode,
    pub notification_categories: Vec<NotificationCategory>,
}

/// A verified identity, masked (first and last character of the ID number; the name without
/// its first character).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct RealName {
    pub name: String,
    pub id_number: String,
    /// `resident` (居民身份证) or `foreignPermanentResident` (外国人永久居留身份证).
    pub id_kind: String,
    pub verified_at: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct LinkedPlatformView {
    /// `wechat` or `alipay`.
    pub platform: String,
    pub linked_at: String,
    pub last_login_at: String,
}

/// The signed-in person, masked.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct Me {
    pub id: String,
    pub created_at: String,
    pub preferences: Preferences,
    /// Present once the real name is bound.
    #[oai(skip_serializing_if_is_none)]
    pub real_name: Option<RealName>,
    /// Masked mobile number (`137****9050`), once linked.
    #[oai(skip_serializing_if_is_none)]
    pub phone: Option<String>,
    pub platforms: Vec<LinkedPlatformView>,
}

impl poem_openapi::types::Example for Me {
    fn example() -> Self {
        Self {
            id: "acc_5f0c1e2d3b4a49d8a7e6f5c4b3a29180".into(),
            created_at: "2026-11-20T09:30:00+08:00".into(),
            preferences: Preferences {
                lang: Some(LangCode::UgArab),
                time_zone: TimeZoneCode::AsiaUrumqi,
                notification_categories: vec![
                    NotificationCategory::Benefits,
                    NotificationCategory::Applications,
                ],
            },
            real_name: Some(RealName {
                name: "*依古丽·*合买提".into(),
                id_number: "6****************6".into(),
                id_kind: "resident".into(),
                verified_at: "2026-11-20T09:31:10+08:00".into(),
            }),
            phone: Some("137****9050".into()),
            platforms: vec![LinkedPlatformView {
                platform: "wechat".into(),
                linked_at: "2026-11-20T09:30:00+08:00".into(),
                last_login_at: "2026-11-22T08:02:41+08:00".into(),
            }],
        }
    }
}

pub fn me_view(profile: &Profile) -> Me {
    Me {
        id: profile.id.clone(),
        created_at: rfc3339(profile.created_at),
        preferences: Preferences {
            lang: profile.lang.map(Into::into),
            time_zone: TimeZoneCode::from_name(&profile.time_zone),
            notification_categories: profile
                .notify_categories
                .iter()
                .filter_map(|c| NotificationCategory::from_code(c))
                .collect(),
        },
        real_name: profile.real_name.as_ref().map(|r| RealName {
            name: r.name_masked.clone(),
            id_number: r.id_number_masked.clone(),
            id_kind: r.id_kind.clone(),
            verified_at: rfc3339(r.verified_at),
        }),
        phone: profile.phone_masked.clone(),
        platforms: profile
            .platforms
            .iter()
            .map(|p| LinkedPlatformView {
                platform: p.platform.clone(),
                linked_at: rfc3339(p.linked_at),
                last_login_at: rfc3339(p.last_login_at),
            })
            .collect(),
    }
}

/// A change of preferences: fields left out stay as they are; `"lang": null` forgets the
/// saved language.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreferencesPatch {
    pub lang: MaybeUndefined<LangCode>,
    pub time_zone: Option<TimeZoneCode>,
    #[oai(validator(max_items = 4, unique_items))]
    pub notification_categories: Option<Vec<NotificationCategory>>,
}

/// Name and ID number as on the ID card.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct RealNameRequest {
    /// Full name as registered (`阿依古丽·艾合买提`).
    #[oai(validator(max_length = 64))]
    pub name: String,
    /// 18-character 居民身份证 number, or the 外国人永久居留身份证 number starting with 9.
    #[oai(validator(max_length = 32))]
    pub id_number: String,
    /// Token of a face verification done in the client, when the platform asks for one.
    #[oai(validator(max_length = 256))]
    pub face_token: Option<String>,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct RealNameBound {
    /// This login joined the account the person already had from another platform; `account`
    /// is that account.
    pub merged: bool,
    pub account: Me,
}

impl poem_openapi::types::Example for RealNameBound {
    fn example() -> Self {
        Self {
            merged: false,
            account: Me::example(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct PhoneRequest {
    /// `code` from `<button open-type="getPhoneNumber">`; valid once, for five minutes.
    #[oai(validator(min_length = 1, max_length = 128))]
    pub code: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SessionView {
    pub id: String,
    /// `wechat` or `alipay`.
    pub platform: String,
    pub created_at: String,
    pub last_seen_at: String,
    /// This request's own session.
    pub current: bool,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct SessionList {
    pub items: Vec<SessionView>,
}

impl poem_openapi::types::Example for SessionList {
    fn example() -> Self {
        Self {
            items: vec![SessionView {
                id: "ses_0b6f4b0e9d3c4f7e8a1b2c3d4e5f6a7b".into(),
                platform: "wechat".into(),
                created_at: "2026-11-20T09:30:00+08:00".into(),
                last_seen_at: "2026-11-22T08:02:41+08:00".into(),
                current: true,
            }],
        }
    }
}

/// Everything Tongban holds about the person, unmasked: their own copy.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct AccountExportView {
    pub account: Me,
    #[oai(skip_serializing_if_is_none)]
    pub real_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub id_number: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub phone: Option<String>,
    /// The platform accounts linked to this one.
    pub platform_ids: Vec<PlatformIdView>,
    pub sessions: Vec<SessionView>,
    /// Who read or changed this person's data, when and how.
    pub audit: Vec<AuditView>,
    pub exported_at: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct PlatformIdView {
    pub platform: String,
    pub app_id: String,
    /// openid (WeChat) or open_id / user_id (Alipay).
    pub subject: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct AuditView {
    pub at: String,
    pub actor: String,
    pub action: String,
    #[oai(skip_serializing_if_is_none)]
    pub operation: Option<String>,
    pub detail: serde_json::Value,
}

impl poem_openapi::types::Example for AccountExportView {
    fn example() -> Self {
        Self {
            account: Me::example(),
            real_name: Some("阿依古丽·艾合买提".into()),
            id_number: Some("650102199003070016".into()),
            phone: Some("13799019050".into()),
            platform_ids: vec![PlatformIdView {
                platform: "wechat".into(),
                app_id: "wx0000000000000dev".into(),
                subject: "oTongbanDemoCitizen000000001".into(),
            }],
            sessions: SessionList::example().items,
            audit: vec![AuditView {
                at: "2026-11-22T00:02:41.120Z".into(),
                actor: "account:acc_5f0c1e2d3b4a49d8a7e6f5c4b3a29180".into(),
                action: "read".into(),
                operation: Some("getMe".into()),
                detail: serde_json::json!({"fields": ["realName", "phone"]}),
            }],
            exported_at: "2026-11-22T08:05:00+08:00".into(),
        }
    }
}

pub fn sessions_view(sessions: &[SessionInfo], principal: &Principal) -> Vec<SessionView> {
    sessions
        .iter()
        .map(|s| SessionView {
            id: s.id.clone(),
            platform: s.platform.clone(),
            created_at: rfc3339(s.created_at),
            last_seen_at: rfc3339(s.last_seen_at),
            current: s.id == principal.session_id,
        })
        .collect()
}

pub fn export_view(
    export: AccountExport,
    sessions: &[SessionInfo],
    principal: &Principal,
    audit_trail: Vec<AuditRecord>,
) -> AccountExportView {
    AccountExportView {
        account: me_view(&export.profile),
        real_name: export.real_name,
        id_number: export.id_number,
        phone: export.phone,
        platform_ids: export
            .profile
            .platforms
            .iter()
            .map(|p| PlatformIdView {
                platform: p.platform.clone(),
                app_id: p.app_id.clone(),
                subject: p.subject.clone(),
            })
            .collect(),
        sessions: sessions_view(sessions, principal),
        audit: audit_trail
            .into_iter()
            .map(|r| AuditView {
                at: r.at,
                actor: r.actor,
                action: r.action,
                operation: r.operation,
                detail: r.detail,
            })
            .collect(),
        exported_at: rfc3339(now()),
    }
}
