//! `/v1/me`: the signed-in person's own account. Real-name binding, preferences, phone,
//! sessions, and the PIPL rights to a copy (`export`) and to erasure (`DELETE`). Every read and
//! change of personal data here is written to the audit log before the answer goes out.

mod views;

use poem::web::Data;
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json, types::MaybeUndefined};

pub use views::*;

use super::{ApiTags, internal};
use crate::{
    AppState,
    domain::{
        account::{BindError, PersonName, PersonNameError, PreferencesChange},
        audit::account_ref,
        identity::id_number::{IdNumber, IdNumberError},
        session::Principal,
    },
    http::{
        auth::CitizenAuth,
        context::RequestCtx,
        problem::{FieldIssue, Problem, ProblemKind, Rule},
    },
    i18n::Args,
    msg,
    upstream::wechat::WechatError,
};

pub struct MeApi;

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
    /// The body is not `JSON` (`unsupported_media_type`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
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
    state
        .audit
        .own(
            lang.request_id.as_str(),
            &principal.account_id,
            action,
            operation,
            detail,
        )
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

/// The answer to a binding the platform or the rules refused.
fn bind_refusal(lang: &RequestCtx, err: BindError) -> MeError {
    let kind = match err {
        BindError::Mismatch => ProblemKind::RealNameMismatch,
        BindError::NotFound => ProblemKind::RealNameNotFound,
        BindError::FaceFailed => ProblemKind::FaceVerificationFailed,
        BindError::FaceRequired => ProblemKind::FaceVerificationRequired,
        BindError::AlreadyBound => ProblemKind::RealNameAlreadyBound,
        BindError::Unavailable(err) => {
            tracing::warn!(error = %err, "identity verification unavailable");
            ProblemKind::UpstreamUnavailable
        }
        BindError::Unexpected(err) => return unexpected(lang, &err),
    };
    MeError::kind(lang, kind)
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
        if let Err(retry) = state.limits.real_name_attempt(&principal.account_id).await {
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
            Err(err) => err.outcome(),
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
        let bound = outcome.map_err(|err| bind_refusal(&lang, err))?;
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
        // The person learns at once what they qualify for: evaluated in the background, the
        // offers appear in `GET /v1/benefits` (and, with the push service, as notices).
        let benefits = state.benefits.clone();
        let (account_id, welcomed) = (bound.account_id.clone(), id_number.clone());
        tokio::spawn(async move {
            if let Err(err) = benefits.welcome(&account_id, &welcomed).await {
                tracing::warn!(error = %err, "benefits not evaluated after binding");
            }
        });
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
