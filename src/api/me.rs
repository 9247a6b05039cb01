//! `/v1/me`: the signed-in person's own account. Real-name binding, preferences, phone,
//! sessions, and the PIPL rights to a copy (`export`) and to erasure (`DELETE`). Every read and
//! change of personal data here is written to the audit log before the answer goes out.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi, param::Path, payload::Json, types::MaybeUndefined,
};

use super::{ApiTags, internal, rfc3339};
use crate::{
    AppState,
    domain::{
        account::{
            AccountExport, BindError, NOTIFY_CATEGORIES, PersonName, PersonNameError,
            PreferencesChange, Profile,
        },
        audit::{AuditEntry, account_ref},
        identity::id_number::{IdNumber, IdNumberError},
        session::Principal,
    },
    http::{
        auth::CitizenAuth,
        context::RequestCtx,
        problem::{FieldIssue, Problem, ProblemKind, Rule},
    },
    i18n::{Args, Lang},
    msg,
    upstream::wechat::WechatError,
};

pub struct MeApi;

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
    fn name(self) -> &'static str {
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
    fn code(self) -> &'static str {
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

fn me_view(profile: &Profile) -> Me {
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

/// The errors every operation here can answer besides its own.
#[derive(ApiResponse)]
pub enum MeError {
    /// A field is invalid (`validation_failed`; for the ID number `errors[].code` says how:
    /// `wrong_length`, `invalid_character`, `bad_region`, `bad_birth_date`, `bad_check_digit`),
    /// or a phone code is invalid (`phone_code_invalid`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid access token (`unauthorized`), or it expired (`token_expired`: refresh it).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// No such resource of this person (`not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The account is bound to another identity (`real_name_already_bound`).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The platform did not confirm the identity (`real_name_mismatch`,
    /// `real_name_not_found`, `face_verification_failed`), or joining the account the person
    /// already has needs a face verification (`face_verification_required`: send `faceToken`).
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many attempts (`rate_limited`); wait `Retry-After` seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform or WeChat cannot be reached (`upstream_unavailable`).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

#[derive(ApiResponse)]
pub enum Deleted {
    /// Done.
    #[oai(status = 204)]
    Done,
}

type MeResult<T> = Result<Json<T>, MeError>;

fn unexpected(lang: &RequestCtx, err: &anyhow::Error) -> MeError {
    MeError::Internal(internal(lang, err))
}

impl MeError {
    fn kind(lang: &RequestCtx, kind: ProblemKind) -> MeError {
        let problem = lang.problem(kind, &Args::new());
        match kind.status().as_u16() {
            400 => MeError::BadRequest(problem),
            401 => MeError::Unauthorized(problem),
            404 => MeError::NotFound(problem),
            409 => MeError::Conflict(problem),
            422 => MeError::Unprocessable(problem),
            503 => MeError::Unavailable(problem),
            _ => MeError::Internal(problem),
        }
    }
}

async fn audit(
    state: &AppState,
    lang: &RequestCtx,
    principal: &Principal,
    action: &str,
    operation: &str,
    detail: serde_json::Value,
) -> Result<(), MeError> {
    let entry = AuditEntry {
        request_id: lang.request_id.as_str(),
        actor: account_ref(&principal.account_id),
        action,
        subject: account_ref(&principal.account_id),
        operation,
        detail,
    };
    state
        .audit
        .record(entry)
        .await
        .map_err(|err| unexpected(lang, &err))
}

async fn profile_of(state: &AppState, lang: &RequestCtx, account_id: &str) -> MeResult<Me> {
    match state.accounts.profile(account_id).await {
        Ok(Some(profile)) => Ok(Json(me_view(&profile))),
        // The account was deleted by another request of the same person.
        Ok(None) => Err(MeError::kind(lang, ProblemKind::Unauthorized)),
        Err(err) => Err(unexpected(lang, &err)),
    }
}

fn id_number_issue(err: IdNumberError) -> FieldIssue {
    let rule = match err {
        IdNumberError::Empty => Rule::Required,
        IdNumberError::WrongLength { .. } => Rule::Custom {
            code: "wrong_length",
            message: msg!("field-id-wrong-length"),
        },
        IdNumberError::InvalidCharacter => Rule::Custom {
            code: "invalid_character",
            message: msg!("field-id-invalid-character"),
        },
        IdNumberError::BadRegion => Rule::Custom {
            code: "bad_region",
            message: msg!("field-id-bad-region"),
        },
        IdNumberError::BadBirthDate => Rule::Custom {
            code: "bad_birth_date",
            message: msg!("field-id-bad-birth-date"),
        },
        IdNumberError::BadCheckDigit => Rule::Custom {
            code: "bad_check_digit",
            message: msg!("field-id-bad-check-digit"),
        },
    };
    FieldIssue::new("idNumber", rule)
}

fn name_issue(err: PersonNameError) -> FieldIssue {
    let rule = match err {
        PersonNameError::Empty => Rule::Required,
        PersonNameError::TooShort => Rule::TooShort("2".into()),
        PersonNameError::TooLong => Rule::TooLong("30".into()),
        PersonNameError::InvalidCharacter => Rule::Custom {
            code: "invalid_character",
            message: msg!("field-name-invalid-character"),
        },
    };
    FieldIssue::new("name", rule)
}

#[OpenApi(prefix_path = "/v1/me", tag = "ApiTags::Me")]
impl MeApi {
    /// Read my account
    ///
    /// The signed-in person's preferences, linked platforms and, once bound, their real name
    /// and ID number, masked.
    #[oai(path = "/", method = "get", operation_id = "getMe")]
    async fn get_me(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> MeResult<Me> {
        let me = profile_of(&state, &lang, &auth.0.account_id).await?;
        audit(
            &state,
            &lang,
            &auth.0,
            "read",
            "getMe",
            serde_json::json!({"fields": ["profile", "realName", "phone"], "masked": true}),
        )
        .await?;
        Ok(me)
    }

    /// Change my preferences
    ///
    /// Language (used for every later response unless `lang` is given), time zone, and the
    /// notification categories allowed. Fields left out stay as they are.
    #[oai(
        path = "/preferences",
        method = "patch",
        operation_id = "updatePreferences"
    )]
    async fn update_preferences(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        body: Json<PreferencesPatch>,
    ) -> MeResult<Me> {
        let body = body.0;
        let change = PreferencesChange {
            lang: match body.lang {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(code) => Some(Some(code.into())),
            },
            time_zone: body.time_zone.map(|tz| tz.name().to_string()),
            notify_categories: body
                .notification_categories
                .map(|list| list.iter().map(|c| c.code().to_string()).collect()),
        };
        let mut fields = Vec::new();
        for (field, changed) in [
            ("lang", change.lang.is_some()),
            ("timeZone", change.time_zone.is_some()),
            ("notificationCategories", change.notify_categories.is_some()),
        ] {
            if changed {
                fields.push(field);
            }
        }
        match state
            .accounts
            .update_preferences(&auth.0.account_id, &change)
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(MeError::kind(&lang, ProblemKind::Unauthorized)),
            Err(err) => return Err(unexpected(&lang, &err)),
        }
        audit(
            &state,
            &lang,
            &auth.0,
            "update",
            "updatePreferences",
            serde_json::json!({"fields": fields}),
        )
        .await?;
        profile_of(&state, &lang, &auth.0.account_id).await
    }

    /// Bind my real name
    ///
    /// Verifies name and ID number with the provincial platform (统一身份认证) and binds them to
    /// this account, once. When the person already bound them from another platform (WeChat
    /// and Alipay), this login joins that account and `merged` is true; that needs a
    /// `faceToken` from the client's face verification. Attempts are limited per hour.
    #[oai(path = "/real-name", method = "post", operation_id = "bindRealName")]
    async fn bind_real_name(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        body: Json<RealNameRequest>,
    ) -> MeResult<RealNameBound> {
        let principal = auth.0;
        let name = PersonName::parse(&body.name);
        let id_number = IdNumber::parse(&body.id_number);
        let (name, id_number) = match (name, id_number) {
            (Ok(name), Ok(id)) => (name, id),
            (name, id) => {
                let issues = [name.err().map(name_issue), id.err().map(id_number_issue)]
                    .into_iter()
                    .flatten()
                    .collect();
                return Err(MeError::BadRequest(Json(ProblemKind::Validation.build(
                    &lang,
                    &Args::new(),
                    issues,
                ))));
            }
        };
        if let Err(retry) = state.limits.real_name_attempt(&principal.account_id) {
            let seconds = retry.seconds();
            return Err(MeError::TooManyRequests(
                lang.problem(
                    ProblemKind::RateLimited,
                    &Args::new().text("seconds", seconds.to_string()),
                ),
                seconds,
            ));
        }
        let outcome = state
            .accounts
            .bind_real_name(
                &principal.account_id,
                &name,
                &id_number,
                body.face_token.as_deref(),
            )
            .await;
        let result = match &outcome {
            Ok(bound) if bound.merged => "merged",
            Ok(_) => "bound",
            Err(BindError::Mismatch) => "mismatch",
            Err(BindError::NotFound) => "not_found",
            Err(BindError::FaceFailed) => "face_failed",
            Err(BindError::FaceRequired) => "face_required",
            Err(BindError::AlreadyBound) => "already_bound",
            Err(_) => "error",
        };
        audit(
            &state,
            &lang,
            &principal,
            "update",
            "bindRealName",
            serde_json::json!({"fields": ["name", "idNumber"], "result": result}),
        )
        .await?;
        let bound = match outcome {
            Ok(bound) => bound,
            Err(BindError::Mismatch) => {
                return Err(MeError::kind(&lang, ProblemKind::RealNameMismatch));
            }
            Err(BindError::NotFound) => {
                return Err(MeError::kind(&lang, ProblemKind::RealNameNotFound));
            }
            Err(BindError::FaceFailed) => {
                return Err(MeError::kind(&lang, ProblemKind::FaceVerificationFailed));
            }
            Err(BindError::FaceRequired) => {
                return Err(MeError::kind(&lang, ProblemKind::FaceVerificationRequired));
            }
            Err(BindError::AlreadyBound) => {
                return Err(MeError::kind(&lang, ProblemKind::RealNameAlreadyBound));
            }
            Err(BindError::Unavailable(err)) => {
                tracing::warn!(error = %err, "identity verification unavailable");
                return Err(MeError::kind(&lang, ProblemKind::UpstreamUnavailable));
            }
            Err(BindError::Unexpected(err)) => return Err(unexpected(&lang, &err)),
        };
        if bound.merged {
            let merged = Principal {
                account_id: bound.account_id.clone(),
                ..principal
            };
            audit(
                &state,
                &lang,
                &merged,
                "update",
                "bindRealName",
                serde_json::json!({"fields": ["platforms"], "result": "login_joined"}),
            )
            .await?;
        }
        let account = profile_of(&state, &lang, &bound.account_id).await?.0;
        Ok(Json(RealNameBound {
            merged: bound.merged,
            account,
        }))
    }

    /// Link my phone number
    ///
    /// Takes the code of WeChat's phone-number button and stores the number WeChat verified,
    /// encrypted. Shown masked.
    #[oai(path = "/phone", method = "post", operation_id = "linkPhone")]
    async fn link_phone(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        body: Json<PhoneRequest>,
    ) -> MeResult<Me> {
        let phone = match state.wechat.phone_number(&body.code, None).await {
            Ok(info) => info.phone_number,
            Err(WechatError::InvalidCode | WechatError::CodeUsed) => {
                return Err(MeError::kind(&lang, ProblemKind::PhoneCodeInvalid));
            }
            Err(err) => {
                tracing::warn!(error = %err, "wechat phone number unavailable");
                return Err(MeError::kind(&lang, ProblemKind::WechatUnavailable));
            }
        };
        match state.accounts.set_phone(&auth.0.account_id, &phone).await {
            Ok(true) => {}
            Ok(false) => return Err(MeError::kind(&lang, ProblemKind::Unauthorized)),
            Err(err) => return Err(unexpected(&lang, &err)),
        }
        audit(
            &state,
            &lang,
            &auth.0,
            "update",
            "linkPhone",
            serde_json::json!({"fields": ["phone"]}),
        )
        .await?;
        profile_of(&state, &lang, &auth.0.account_id).await
    }

    /// List my logins
    ///
    /// The devices and platforms signed in to this account.
    #[oai(path = "/sessions", method = "get", operation_id = "listSessions")]
    async fn list_sessions(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> MeResult<SessionList> {
        let sessions = state
            .sessions
            .list(&auth.0.account_id)
            .await
            .map_err(|err| unexpected(&lang, &err))?;
        Ok(Json(SessionList {
            items: sessions_view(&sessions, &auth.0),
        }))
    }

    /// End one of my logins
    ///
    /// Signs that device out: its tokens stop working at once. Another person's session id
    /// answers 404, as an unknown one does.
    #[oai(
        path = "/sessions/:sessionId",
        method = "delete",
        operation_id = "revokeSession"
    )]
    async fn revoke_session(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        /// `id` from `GET /v1/me/sessions`.
        #[oai(
            name = "sessionId",
            validator(max_length = 64, pattern = "^ses_[0-9a-f]{32}$")
        )]
        session_id: Path<String>,
    ) -> Result<Deleted, MeError> {
        match state
            .sessions
            .revoke(&auth.0.account_id, &session_id.0, "revoked_by_owner")
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(MeError::kind(&lang, ProblemKind::NotFound)),
            Err(err) => return Err(unexpected(&lang, &err)),
        }
        audit(
            &state,
            &lang,
            &auth.0,
            "update",
            "revokeSession",
            serde_json::json!({"session": session_id.0}),
        )
        .await?;
        Ok(Deleted::Done)
    }

    /// Export my data
    ///
    /// Everything Tongban holds about the person, unmasked (PIPL art. 45): account,
    /// identity, phone, linked platforms, logins and the audit trail of their data.
    #[oai(path = "/export", method = "get", operation_id = "exportMe")]
    async fn export_me(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> MeResult<AccountExportView> {
        let principal = auth.0;
        let export = match state.accounts.export(&principal.account_id).await {
            Ok(Some(export)) => export,
            Ok(None) => return Err(MeError::kind(&lang, ProblemKind::Unauthorized)),
            Err(err) => return Err(unexpected(&lang, &err)),
        };
        audit(
            &state,
            &lang,
            &principal,
            "export",
            "exportMe",
            serde_json::json!({"fields": ["all"]}),
        )
        .await?;
        let sessions = state
            .sessions
            .list(&principal.account_id)
            .await
            .map_err(|err| unexpected(&lang, &err))?;
        let audit_trail = state
            .audit
            .list(Some(&account_ref(&principal.account_id)), 0, 10_000)
            .await
            .map_err(|err| unexpected(&lang, &err))?;
        Ok(Json(export_view(
            export,
            &sessions,
            &principal,
            audit_trail,
        )))
    }

    /// Delete my account
    ///
    /// Erases the account, its identity, phone, preferences, linked platforms and logins
    /// (PIPL art. 47). Every token of the person stops working. The audit log keeps that it
    /// happened, under the account's opaque id.
    #[oai(path = "/", method = "delete", operation_id = "deleteMe")]
    async fn delete_me(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> Result<Deleted, MeError> {
        audit(
            &state,
            &lang,
            &auth.0,
            "delete",
            "deleteMe",
            serde_json::json!({"fields": ["all"]}),
        )
        .await?;
        match state.accounts.delete(&auth.0.account_id).await {
            Ok(true) => Ok(Deleted::Done),
            Ok(false) => Err(MeError::kind(&lang, ProblemKind::Unauthorized)),
            Err(err) => Err(unexpected(&lang, &err)),
        }
    }
}

fn sessions_view(
    sessions: &[crate::domain::session::SessionInfo],
    principal: &Principal,
) -> Vec<SessionView> {
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

fn export_view(
    export: AccountExport,
    sessions: &[crate::domain::session::SessionInfo],
    principal: &Principal,
    audit_trail: Vec<crate::domain::audit::AuditRecord>,
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
        exported_at: rfc3339(crate::domain::session::now()),
    }
}
