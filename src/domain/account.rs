//! Accounts (账户): a person's preferences and verified identity, and the use cases on them:
//! real-name binding (实名认证) with the provincial platform, preferences, export and deletion
//! (PIPL rights of access and erasure).
//!
//! Names, ID numbers and phone numbers are sealed by the [`Vault`] (AES-256-GCM, bound to the
//! account and field) and shown masked; the ID number's keyed hash is unique, so binding the
//! same person from a second platform merges that login into the person's existing account.

use anyhow::Context;

use super::identity::{
    id_number::{IdKind, IdNumber},
    mask,
    vault::Vault,
};
use super::session::{PrincipalCache, now};
use crate::{
    i18n::Lang,
    store::Store,
    upstream::gov::{GovClient, GovError, Holder, IdentityCheck},
};

/// Time zones a person can choose: official Beijing time, or Xinjiang time (UTC+6) that many
/// residents keep.
pub const TIME_ZONES: [&str; 2] = ["Asia/Shanghai", "Asia/Urumqi"];

/// Notification categories a person can allow.
pub const NOTIFY_CATEGORIES: [&str; 4] =
    ["benefits", "applications", "appointments", "certificates"];

/// A person's name as typed for real-name binding: trimmed, 2–30 characters, letters and the
/// middle dot of transliterated names (`阿依古丽·艾合买提`), dots normalized to `·`.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl std::fmt::Debug for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PersonName({})", mask::mask_name(&self.0))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonNameError {
    Empty,
    TooShort,
    TooLong,
    InvalidCharacter,
}

impl PersonName {
    pub fn parse(input: &str) -> Result<PersonName, PersonNameError> {
        let normalized: String = input
            .trim()
            .chars()
            .map(|c| match c {
                '•' | '・' | '．' | '.' | '‧' | '∙' | '⋅' => '·',
                other => other,
            })
            .collect();
        let count = normalized.chars().count();
        if count == 0 {
            return Err(PersonNameError::Empty);
        }
        if count < 2 {
            return Err(PersonNameError::TooShort);
        }
        if count > 30 {
            return Err(PersonNameError::TooLong);
        }
        let valid = normalized
            .chars()
            .all(|c| c.is_alphabetic() || c == '·' || c == ' ' || is_arabic_mark(c));
        if !valid || normalized.starts_with('·') || normalized.ends_with('·') {
            return Err(PersonNameError::InvalidCharacter);
        }
        Ok(PersonName(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Arabic-script combining marks and the zero-width joiners Uyghur text can carry.
fn is_arabic_mark(c: char) -> bool {
    matches!(
        c,
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{200C}' | '\u{200D}'
    )
}

/// A verified identity, masked for display.
#[derive(Debug, Clone)]
pub struct RealNameView {
    pub name_masked: String,
    pub id_number_masked: String,
    pub id_kind: String,
    pub verified_at: i64,
}

/// A person whose real name is bound, as the platform knows them.
#[derive(Debug, Clone)]
pub struct VerifiedPerson {
    pub holder: Holder,
    pub birth_date: jiff::civil::Date,
}

impl VerifiedPerson {
    /// Whole years of age on `today`.
    pub fn age_on(&self, today: jiff::civil::Date) -> i16 {
        let years = today.year() - self.birth_date.year();
        let had_birthday =
            (today.month(), today.day()) >= (self.birth_date.month(), self.birth_date.day());
        if had_birthday { years } else { years - 1 }
    }
}

/// What `GET /v1/me` shows.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: String,
    pub created_at: i64,
    pub lang: Option<Lang>,
    pub time_zone: String,
    pub notify_categories: Vec<String>,
    pub real_name: Option<RealNameView>,
    pub phone_masked: Option<String>,
    pub platforms: Vec<LinkedPlatform>,
}

#[derive(Debug, Clone)]
pub struct LinkedPlatform {
    pub platform: String,
    pub app_id: String,
    pub subject: String,
    pub linked_at: i64,
    pub last_login_at: i64,
}

/// Everything Tongban holds about a person, unmasked: their own copy (PIPL art. 45).
#[derive(Debug, Clone)]
pub struct AccountExport {
    pub profile: Profile,
    pub real_name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
}

/// A change of preferences; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PreferencesChange {
    /// `Some(None)` clears the saved language.
    pub lang: Option<Option<Lang>>,
    pub time_zone: Option<String>,
    pub notify_categories: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error("the platform has no such person")]
    NotFound,
    #[error("name and ID number do not match")]
    Mismatch,
    #[error("face verification failed")]
    FaceFailed,
    #[error("joining an existing account needs face verification")]
    FaceRequired,
    #[error("the account is already bound to another identity")]
    AlreadyBound,
    #[error("the platform is unavailable")]
    Unavailable(#[source] GovError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl BindError {
    /// How the attempt ended, for the audit log.
    pub fn outcome(&self) -> &'static str {
        match self {
            BindError::NotFound => "not_found",
            BindError::Mismatch => "mismatch",
            BindError::FaceFailed => "face_failed",
            BindError::FaceRequired => "face_required",
            BindError::AlreadyBound => "already_bound",
            BindError::Unavailable(_) => "unavailable",
            BindError::Unexpected(_) => "error",
        }
    }
}

/// The result of a successful binding.
#[derive(Debug, Clone)]
pub struct Bound {
    /// The account the person now uses: their existing one when they had bound before from
    /// another platform.
    pub account_id: String,
    pub merged: bool,
}

/// How the hall reaches a person who booked: personal data, so its Debug hides the values.
#[derive(Clone, Default)]
pub struct Contact {
    /// The verified real name (实名).
    pub name: Option<String>,
    pub phone: Option<String>,
}

impl std::fmt::Debug for Contact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contact")
            .field("has_name", &self.name.is_some())
            .field("has_phone", &self.phone.is_some())
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct Accounts {
    store: Store,
    vault: Vault,
    gov: GovClient,
    /// Signed-in tokens to forget when an account changes under them.
    principals: PrincipalCache,
    /// Bound identities, opened once instead of on every personal request (a store read and
    /// an AES-GCM open each). Only bound accounts are kept; a binding replaces nothing, a merge
    /// or deletion forgets.
    verified: moka::sync::Cache<String, VerifiedPerson>,
}

fn aad(account_id: &str, field: &str) -> String {
    format!("account:{account_id}:{field}")
}

fn id_kind_code(kind: IdKind) -> &'static str {
    match kind {
        IdKind::Resident => "resident",
        IdKind::ForeignPermanentResident => "foreignPermanentResident",
    }
}

impl Accounts {
    pub fn new(store: Store, vault: Vault, gov: GovClient, principals: PrincipalCache) -> Self {
        Self {
            store,
            vault,
            gov,
            principals,
            verified: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(std::time::Duration::from_secs(15 * 60))
                .build(),
        }
    }

    /// Forgets what is remembered about `account_id` after it changed.
    fn forget(&self, account_id: &str) {
        self.verified.invalidate(account_id);
        self.principals.forget_account(account_id);
    }

    /// The account's profile, or `None` when it does not exist.
    pub async fn profile(&self, account_id: &str) -> anyhow::Result<Option<Profile>> {
        Ok(self.load(account_id).await?.map(|(profile, _)| profile))
    }

    /// The account's verified identity as the platform's record holder (持证主体), or `None`
    /// before real-name binding.
    pub async fn verified(&self, account_id: &str) -> anyhow::Result<Option<VerifiedPerson>> {
        if let Some(person) = self.verified.get(account_id) {
            return Ok(Some(person));
        }
        let sealed: Option<Option<String>> =
            crate::db::query_scalar("SELECT id_number_sealed FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(self.store.pool())
                .await
                .context("read account identity")?;
        let Some(Some(sealed)) = sealed else {
            return Ok(None);
        };
        let id_number = self.vault.open(&sealed, &aad(account_id, "id_number"))?;
        let id_number = IdNumber::parse(&id_number)
            .map_err(|err| anyhow::anyhow!("stored ID number does not parse: {err:?}"))?;
        let person = VerifiedPerson {
            holder: Holder::citizen(&id_number),
            birth_date: id_number.birth_date(),
        };
        self.verified.insert(account_id.to_owned(), person.clone());
        Ok(Some(person))
    }

    /// The account bound to `id_number`, if any (found by its lookup hash).
    pub async fn find_by_id_number(&self, id_number: &IdNumber) -> anyhow::Result<Option<String>> {
        crate::db::query_scalar("SELECT id FROM accounts WHERE id_hash = $1")
            .bind(self.vault.lookup_hash(id_number.as_str()))
            .fetch_optional(self.store.pool())
            .await
            .context("find account by ID number")
    }

    /// Up to `limit` bound accounts with ids after `after`, in id order, with their ID
    /// numbers: how a sweep walks every person.
    pub async fn bound_after(
        &self,
        after: &str,
        limit: u32,
    ) -> anyhow::Result<Vec<(String, IdNumber)>> {
        let rows: Vec<(String, String)> = crate::db::query_as(
            "SELECT id, id_number_sealed FROM accounts
             WHERE id > $1 AND id_number_sealed IS NOT NULL ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.store.pool())
        .await
        .context("list bound accounts")?;
        rows.into_iter()
            .map(|(id, sealed)| {
                let id_number = self.vault.open(&sealed, &aad(&id, "id_number"))?;
                let id_number = IdNumber::parse(&id_number)
                    .map_err(|err| anyhow::anyhow!("stored ID number does not parse: {err:?}"))?;
                Ok((id, id_number))
            })
            .collect()
    }

    /// How many accounts have a bound real name.
    pub async fn bound_count(&self) -> anyhow::Result<u64> {
        let count: i64 = crate::db::query_scalar(
            "SELECT COUNT(*) FROM accounts WHERE id_number_sealed IS NOT NULL",
        )
        .fetch_one(self.store.pool())
        .await
        .context("count bound accounts")?;
        Ok(count as u64)
    }

    /// Everything held about the account, unmasked.
    pub async fn export(&self, account_id: &str) -> anyhow::Result<Option<AccountExport>> {
        let Some((profile, sealed)) = self.load(account_id).await? else {
            return Ok(None);
        };
        let open = |value: &Option<String>, field: &str| -> anyhow::Result<Option<String>> {
            value
                .as_deref()
                .map(|v| self.vault.open(v, &aad(account_id, field)))
                .transpose()
        };
        Ok(Some(AccountExport {
            real_name: open(&sealed.name, "name")?,
            id_number: open(&sealed.id_number, "id_number")?,
            phone: open(&sealed.phone, "phone")?,
            profile,
        }))
    }

    /// The person's WeChat openid (their most recent WeChat login), for WeChat's content
    /// checks; `None` when they never logged in through WeChat.
    pub async fn wechat_openid(&self, account_id: &str) -> anyhow::Result<Option<String>> {
        crate::db::query_scalar(
            "SELECT subject FROM platform_identities WHERE account_id = $1 AND platform = 'wechat'
             ORDER BY last_login_at DESC LIMIT 1",
        )
        .bind(account_id)
        .fetch_optional(self.store.pool())
        .await
        .context("read wechat openid")
    }

    /// The verified name and the phone number, unmasked, for a booking the hall must be able
    /// to match to the person; either is `None` until bound.
    pub async fn contact(&self, account_id: &str) -> anyhow::Result<Contact> {
        let sealed: Option<(Option<String>, Option<String>)> = crate::db::query_as(
            "SELECT real_name_sealed, phone_sealed FROM accounts WHERE id = $1",
        )
        .bind(account_id)
        .fetch_optional(self.store.pool())
        .await
        .context("read account contact")?;
        let (name, phone) = sealed.unwrap_or_default();
        let open = |value: Option<String>, field: &str| -> anyhow::Result<Option<String>> {
            value
                .map(|v| self.vault.open(&v, &aad(account_id, field)))
                .transpose()
        };
        Ok(Contact {
            name: open(name, "name")?,
            phone: open(phone, "phone")?,
        })
    }

    async fn load(&self, account_id: &str) -> anyhow::Result<Option<(Profile, Sealed)>> {
        let Some(row) = crate::db::query("SELECT * FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(self.store.pool())
            .await
            .context("read account")?
        else {
            return Ok(None);
        };
        let sealed = Sealed {
            name: row.get("real_name_sealed"),
            id_number: row.get("id_number_sealed"),
            phone: row.get("phone_sealed"),
        };
        let open = |value: &Option<String>, field: &str| -> anyhow::Result<Option<String>> {
            value
                .as_deref()
                .map(|v| self.vault.open(v, &aad(account_id, field)))
                .transpose()
        };
        let real_name = match (
            open(&sealed.name, "name")?,
            open(&sealed.id_number, "id_number")?,
        ) {
            (Some(name), Some(id_number)) => Some(RealNameView {
                name_masked: mask::mask_name(&name),
                id_number_masked: mask::mask_id_number(&id_number),
                id_kind: row.get::<Option<String>>("id_kind").unwrap_or_default(),
                verified_at: row
                    .get::<Option<i64>>("real_name_verified_at")
                    .unwrap_or_default(),
            }),
            _ => None,
        };
        let phone_masked = open(&sealed.phone, "phone")?.map(|p| mask::mask_phone(&p));
        let categories: String = row.get("notify_categories");
        let lang: Option<String> = row.get("lang");
        // In the order they were linked: within one second, SQLite's rowid and PostgreSQL's
        // identity column `link_seq` keep insertion order.
        let db = self.store.pool();
        let platforms = crate::db::query(db.sql(
            "SELECT platform, app_id, subject, created_at, last_login_at FROM platform_identities
             WHERE account_id = $1 ORDER BY created_at, rowid",
            "SELECT platform, app_id, subject, created_at, last_login_at FROM platform_identities
             WHERE account_id = $1 ORDER BY created_at, link_seq",
        ))
        .bind(account_id)
        .fetch_all(self.store.pool())
        .await
        .context("read platform identities")?
        .iter()
        .map(|r| LinkedPlatform {
            platform: r.get("platform"),
            app_id: r.get("app_id"),
            subject: r.get("subject"),
            linked_at: r.get("created_at"),
            last_login_at: r.get("last_login_at"),
        })
        .collect();
        let profile = Profile {
            id: row.get("id"),
            created_at: row.get("created_at"),
            lang: lang.as_deref().and_then(Lang::from_tag),
            time_zone: row.get("time_zone"),
            notify_categories: serde_json::from_str(&categories).unwrap_or_default(),
            real_name,
            phone_masked,
            platforms,
        };
        Ok(Some((profile, sealed)))
    }

    /// Applies a change of preferences. False when the account does not exist.
    pub async fn update_preferences(
        &self,
        account_id: &str,
        change: &PreferencesChange,
    ) -> anyhow::Result<bool> {
        let categories = change
            .notify_categories
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .context("encode categories")?;
        let result = crate::db::query(
            "UPDATE accounts SET
               lang = CASE WHEN $1 = 1 THEN $2 ELSE lang END,
               time_zone = COALESCE($3, time_zone),
               notify_categories = COALESCE($4, notify_categories)
             WHERE id = $5",
        )
        .bind(change.lang.is_some())
        .bind(change.lang.flatten().map(Lang::tag))
        .bind(&change.time_zone)
        .bind(categories)
        .bind(account_id)
        .execute(self.store.pool())
        .await
        .context("update preferences")?;
        if change.lang.is_some() {
            // The saved language rides on the signed-in principal.
            self.principals.forget_account(account_id);
        }
        Ok(result.rows_affected() == 1)
    }

    /// Stores a phone number the platform verified (WeChat's getPhoneNumber).
    pub async fn set_phone(&self, account_id: &str, phone: &str) -> anyhow::Result<bool> {
        let result = crate::db::query(
            "UPDATE accounts SET phone_sealed = $1, phone_verified_at = $2 WHERE id = $3",
        )
        .bind(self.vault.seal(phone, &aad(account_id, "phone")))
        .bind(now())
        .bind(account_id)
        .execute(self.store.pool())
        .await
        .context("store phone")?;
        Ok(result.rows_affected() == 1)
    }

    /// Erases the account, its platform logins and sessions. The audit log keeps the opaque
    /// account id only.
    pub async fn delete(&self, account_id: &str) -> anyhow::Result<bool> {
        let result = crate::db::query("DELETE FROM accounts WHERE id = $1")
            .bind(account_id)
            .execute(self.store.pool())
            .await
            .context("delete account")?;
        self.forget(account_id);
        Ok(result.rows_affected() == 1)
    }

    /// Verifies `name` + `id_number` with the provincial platform and binds them to the
    /// account; when the person already has an account, this login joins it, which needs a
    /// face verification token as well.
    pub async fn bind_real_name(
        &self,
        account_id: &str,
        name: &PersonName,
        id_number: &IdNumber,
        face_token: Option<&str>,
    ) -> Result<Bound, BindError> {
        let id_hash = self.vault.lookup_hash(id_number.as_str());
        let current: Option<Option<String>> =
            crate::db::query_scalar("SELECT id_hash FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(self.store.pool())
                .await
                .context("read account")?;
        match current {
            None => return Err(anyhow::anyhow!("account vanished during binding").into()),
            Some(Some(bound)) if bound == id_hash => {
                return Ok(Bound {
                    account_id: account_id.to_string(),
                    merged: false,
                });
            }
            Some(Some(_)) => return Err(BindError::AlreadyBound),
            Some(None) => {}
        }
        // Name and ID number are widely known to others; taking over the account a person
        // already has needs proof of presence too.
        let held_elsewhere: Option<String> =
            crate::db::query_scalar("SELECT id FROM accounts WHERE id_hash = $1 AND id <> $2")
                .bind(&id_hash)
                .bind(account_id)
                .fetch_optional(self.store.pool())
                .await
                .context("find holder")?;
        if held_elsewhere.is_some() && face_token.is_none() {
            return Err(BindError::FaceRequired);
        }
        match self
            .gov
            .verify_identity(name.as_str(), id_number, face_token)
            .await
            .map_err(BindError::Unavailable)?
        {
            IdentityCheck::Match => {}
            IdentityCheck::Mismatch => return Err(BindError::Mismatch),
            IdentityCheck::NotFound => return Err(BindError::NotFound),
            IdentityCheck::FaceFailed => return Err(BindError::FaceFailed),
        }
        self.attach(account_id, name, id_number, &id_hash)
            .await
            .map_err(BindError::Unexpected)
    }

    /// Writes a verified identity: onto this account, or, when another account already holds
    /// it, moves this account's logins and sessions there and removes this one.
    async fn attach(
        &self,
        account_id: &str,
        name: &PersonName,
        id_number: &IdNumber,
        id_hash: &str,
    ) -> anyhow::Result<Bound> {
        let bound = crate::db::transaction!(self.store.pool(), |tx| {
            let holder: Option<String> =
                crate::db::query_scalar("SELECT id FROM accounts WHERE id_hash = $1")
                    .bind(id_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .context("find holder")?;
            let bound = match holder {
                Some(holder) if holder != account_id => {
                    for table in ["platform_identities", "sessions"] {
                        crate::db::query(&format!(
                            "UPDATE {table} SET account_id = $1 WHERE account_id = $2"
                        ))
                        .bind(&holder)
                        .bind(account_id)
                        .execute(&mut *tx)
                        .await
                        .with_context(|| format!("move {table}"))?;
                    }
                    crate::db::query("DELETE FROM accounts WHERE id = $1")
                        .bind(account_id)
                        .execute(&mut *tx)
                        .await
                        .context("remove merged account")?;
                    Bound {
                        account_id: holder,
                        merged: true,
                    }
                }
                _ => {
                    crate::db::query(
                    "UPDATE accounts SET real_name_sealed = $1, id_number_sealed = $2, id_hash = $3,
                       id_kind = $4, real_name_verified_at = $5 WHERE id = $6",
                )
                .bind(self.vault.seal(name.as_str(), &aad(account_id, "name")))
                .bind(self.vault.seal(id_number.as_str(), &aad(account_id, "id_number")))
                .bind(id_hash)
                .bind(id_kind_code(id_number.kind()))
                .bind(now())
                .bind(account_id)
                .execute(&mut *tx)
                .await
                .context("store identity")?;
                    Bound {
                        account_id: account_id.to_string(),
                        merged: false,
                    }
                }
            };
            Ok(bound)
        })
        .await
        .context("bind identity")?;
        // A merge moved this login's sessions to another account; a new binding changes what
        // `verified` answers.
        self.forget(account_id);
        Ok(bound)
    }
}

/// Sealed columns of an account row.
struct Sealed {
    name: Option<String>,
    id_number: Option<String>,
    phone: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterated_names_keep_their_dot_whatever_dot_was_typed() {
        assert_eq!(
            PersonName::parse(" 阿依古丽•艾合买提 ").map(|n| n.0),
            Ok("阿依古丽·艾合买提".to_string())
        );
        assert_eq!(
            PersonName::parse("王建华").map(|n| n.0),
            Ok("王建华".into())
        );
        assert_eq!(
            PersonName::parse("ئايگۈل ئەخمەت").map(|n| n.0),
            Ok("ئايگۈل ئەخمەت".into())
        );
    }

    #[test]
    fn names_with_digits_or_one_letter_are_refused() {
        assert_eq!(PersonName::parse(""), Err(PersonNameError::Empty));
        assert_eq!(PersonName::parse("王"), Err(PersonNameError::TooShort));
        assert_eq!(
            PersonName::parse("王建华1"),
            Err(PersonNameError::InvalidCharacter)
        );
        assert_eq!(
            PersonName::parse("·王建华"),
            Err(PersonNameError::InvalidCharacter)
        );
        assert_eq!(
            PersonName::parse(&"王".repeat(31)),
            Err(PersonNameError::TooLong)
        );
    }
}
