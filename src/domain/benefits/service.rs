//! The benefits use cases: policy versions (create, check, publish, retire, dry-run), a
//! person's offers (evaluate, list, confirm, decline) and the claims filed for them.
//!
//! Published versions are held compiled in memory and replaced as a whole when one is
//! published or retired, so evaluation never waits on the store. Offers are written with
//! `INSERT … ON CONFLICT DO NOTHING` on (account, policy, period): however often a person is
//! evaluated (a sweep, a life event, a retry), one offer per period exists.

use std::sync::{Arc, RwLock};

use crate::domain::push::outbox::{NewNotification, Params};

use anyhow::Context;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{
    explain::{StoredReason, capture},
    facts::{EnterpriseRecord, FactSet, Facts, PersonRecord, Subject},
    policy::{CompiledPolicy, Match, Mode, PolicyDocument, Problem},
};
use crate::{
    domain::{
        account::Accounts,
        identity::{id_number::IdNumber, mask::mask_id_number, vault::Vault},
        session::{now, random_id},
    },
    store::Store,
    upstream::gov::{
        GovClient, GovError,
        wire::{EnterpriseFacts, EventSubject, LifeEvent, PersonFacts},
    },
};

/// Where a policy version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Draft,
    Published,
    /// A later version was published.
    Superseded,
    Retired,
}

impl VersionStatus {
    pub fn code(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Published => "published",
            VersionStatus::Superseded => "superseded",
            VersionStatus::Retired => "retired",
        }
    }

    fn from_code(code: &str) -> Self {
        match code {
            "published" => VersionStatus::Published,
            "superseded" => VersionStatus::Superseded,
            "retired" => VersionStatus::Retired,
            _ => VersionStatus::Draft,
        }
    }
}

/// A stored version.
#[derive(Debug, Clone)]
pub struct VersionRecord {
    pub document: PolicyDocument,
    pub version: u32,
    pub status: VersionStatus,
    pub created_at: i64,
    pub created_by: String,
    pub published_at: Option<i64>,
    pub retired_at: Option<i64>,
}

/// Why a version cannot change state.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("no such policy version")]
    NotFound,
    #[error("the version is {0:?}")]
    WrongState(VersionStatus),
    #[error("the document has problems")]
    Invalid(Vec<Problem>),
    /// The platform's facts could not be read (a dry run).
    #[error("the platform is unavailable: {0}")]
    Upstream(GovError),
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// Where an offer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferStatus {
    New,
    Confirmed,
    Granted,
    Declined,
    Expired,
}

impl OfferStatus {
    pub fn code(self) -> &'static str {
        match self {
            OfferStatus::New => "new",
            OfferStatus::Confirmed => "confirmed",
            OfferStatus::Granted => "granted",
            OfferStatus::Declined => "declined",
            OfferStatus::Expired => "expired",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "new" => OfferStatus::New,
            "confirmed" => OfferStatus::Confirmed,
            "granted" => OfferStatus::Granted,
            "declined" => OfferStatus::Declined,
            "expired" => OfferStatus::Expired,
            _ => return None,
        })
    }
}

/// An offer as the person sees it.
#[derive(Debug, Clone)]
pub struct Offer {
    pub id: String,
    pub policy: PolicyDocument,
    pub policy_version: u32,
    pub period_key: String,
    pub status: OfferStatus,
    pub amount_fen: Option<i64>,
    pub amount_unit: Option<String>,
    pub reasons: Vec<StoredReason>,
    pub evaluated_on: String,
    pub created_at: i64,
    pub deadline: Option<i64>,
    pub decided_at: Option<i64>,
    pub claim_id: Option<String>,
    pub claim_status: Option<String>,
}

/// Why an offer cannot be confirmed or declined.
#[derive(Debug, thiserror::Error)]
pub enum OfferError {
    #[error("no such offer of this person")]
    NotFound,
    #[error("the offer is {0:?}")]
    Closed(OfferStatus),
    #[error("the platform did not take the claim: {0}")]
    Upstream(GovError),
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// A subject matching a version in a dry run, masked.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The ID number or credit code, masked.
    pub subject: String,
    pub amount_fen: Option<i64>,
    pub reasons: Vec<StoredReason>,
}

/// What a dry run found among the platform's current population.
#[derive(Debug, Clone)]
pub struct DryRun {
    pub evaluated: u64,
    pub matched: u64,
    /// Subjects whose facts could not be evaluated (an overflow in an amount rule).
    pub failed: u64,
    pub samples: Vec<Sample>,
}

/// The offers one evaluation made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evaluated {
    pub matched: u64,
    pub created: u64,
}

#[derive(Clone)]
pub struct Benefits {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Benefits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Benefits")
    }
}

struct Inner {
    store: Store,
    gov: GovClient,
    vault: Vault,
    accounts: Accounts,
    /// People per sweep batch.
    batch: u32,
    /// Each new offer's notification is written with it.
    outbox: crate::domain::push::Outbox,
    published: RwLock<Arc<Vec<Arc<CompiledPolicy>>>>,
}

/// Today in Beijing time, the calendar policies are written in.
pub fn today() -> Date {
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(zone).date()
}

/// Seconds of a day.
const DAY: i64 = 24 * 3600;

/// A person's facts as the platform sent them, in the form rules read.
pub fn person_record(facts: &PersonFacts) -> anyhow::Result<PersonRecord> {
    let date = |text: &str| -> anyhow::Result<Date> {
        text.parse()
            .with_context(|| "the platform sent a date that does not parse")
    };
    Ok(PersonRecord {
        birth_date: date(&facts.birth_date)?,
        sex: facts.sex.as_str().into(),
        district: facts.district.clone(),
        hukou: facts.hukou.as_str().into(),
        household_size: i64::from(facts.household_size),
        income_per_capita: facts.income_per_capita,
        income_band: facts.income_band.as_str().into(),
        disability_level: i64::from(facts.disability_level),
        children_birth_dates: facts
            .children
            .iter()
            .map(|child| date(&child.birth_date))
            .collect::<anyhow::Result<_>>()?,
        employment: facts.employment.as_str().into(),
        subsistence: facts.subsistence,
        extreme_poverty: facts.extreme_poverty,
        living_alone: facts.living_alone,
        veteran: facts.veteran,
    })
}

/// An enterprise's facts as the platform sent them.
pub fn enterprise_record(facts: &EnterpriseFacts) -> anyhow::Result<EnterpriseRecord> {
    Ok(EnterpriseRecord {
        kind: facts.kind.as_str().into(),
        size: facts.size.as_str().into(),
        industry: facts.industry.clone(),
        district: facts.district.clone(),
        registered_on: facts
            .registered_on
            .parse()
            .context("the platform sent a registration date that does not parse")?,
        tax_credit: facts.tax_credit.as_str().into(),
        employees: i64::from(facts.employees),
        graduate_hires: i64::from(facts.graduate_hires),
        annual_revenue: facts.annual_revenue,
        high_tech: facts.high_tech,
    })
}

/// A match ready to be written as an offer.
pub(super) struct NewOffer<'p> {
    pub policy: &'p CompiledPolicy,
    pub matched: Match,
    pub reasons: Vec<StoredReason>,
}

impl Benefits {
    /// The service, with the published versions loaded from the store.
    pub async fn load(
        store: Store,
        gov: GovClient,
        vault: Vault,
        accounts: Accounts,
        config: &crate::config::BenefitsConfig,
        outbox: crate::domain::push::Outbox,
    ) -> anyhow::Result<Self> {
        let benefits = Self {
            inner: Arc::new(Inner {
                store,
                gov,
                vault,
                accounts,
                outbox,
                batch: config.sweep_batch_size.clamp(1, PAGE),
                published: RwLock::new(Arc::new(Vec::new())),
            }),
        };
        benefits.reload().await?;
        Ok(benefits)
    }

    pub(super) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(super) fn wake_dispatcher(&self) {
        self.inner.outbox.wake();
    }

    pub(super) fn gov(&self) -> &GovClient {
        &self.inner.gov
    }

    pub(super) fn accounts(&self) -> &Accounts {
        &self.inner.accounts
    }

    pub(super) fn batch(&self) -> u32 {
        self.inner.batch
    }

    /// Creates and publishes `documents` as version 1 of their policies, when no policy
    /// exists yet (the simulated platform's seed, for the demo). Answers how many.
    pub async fn publish_seed(&self, documents: Vec<PolicyDocument>) -> anyhow::Result<usize> {
        let existing: i64 = crate::db::query_scalar("SELECT COUNT(*) FROM policy_versions")
            .fetch_one(self.inner.store.pool())
            .await
            .context("count policies")?;
        if existing > 0 {
            return Ok(0);
        }
        let mut published = 0;
        for document in documents {
            let id = document.policy_id.clone();
            match self.create_version(document, "system:seed").await {
                Ok(version) => {
                    self.publish(&id, version)
                        .await
                        .map_err(|err| anyhow::anyhow!("publish seed policy {id}: {err}"))?;
                    published += 1;
                }
                Err(err) => tracing::error!(policy = %id, error = %err, "seed policy refused"),
            }
        }
        Ok(published)
    }

    /// The published versions.
    pub fn published(&self) -> Arc<Vec<Arc<CompiledPolicy>>> {
        match self.inner.published.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads the published policies again (another instance may have changed them).
    pub async fn reload(&self) -> anyhow::Result<()> {
        let rows = crate::db::query(
            "SELECT version, document FROM policy_versions WHERE status = 'published'
             ORDER BY policy_id",
        )
        .fetch_all(self.inner.store.pool())
        .await
        .context("read published policies")?;
        let mut compiled = Vec::with_capacity(rows.len());
        for row in rows {
            let version: i64 = row.get("version");
            let document: String = row.get("document");
            let document: PolicyDocument =
                serde_json::from_str(&document).context("stored policy document")?;
            let id = document.policy_id.clone();
            match CompiledPolicy::compile(document, version as u32) {
                Ok(policy) => compiled.push(Arc::new(policy)),
                // A stored version that no longer compiles (the schema changed) stops
                // making offers; the operator sees it in the log.
                Err(problems) => {
                    tracing::error!(policy = %id, version, ?problems, "published policy does not compile")
                }
            }
        }
        let compiled = Arc::new(compiled);
        match self.inner.published.write() {
            Ok(mut guard) => *guard = compiled,
            Err(poisoned) => *poisoned.into_inner() = compiled,
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Policy versions

    /// Checks a document without storing it.
    pub fn check(&self, document: PolicyDocument) -> Result<CompiledPolicy, Vec<Problem>> {
        CompiledPolicy::compile(document, 0)
    }

    /// Stores `document` as the next draft version of its policy.
    pub async fn create_version(
        &self,
        document: PolicyDocument,
        created_by: &str,
    ) -> Result<u32, PolicyError> {
        let compiled = self.check(document.clone()).map_err(PolicyError::Invalid)?;
        let version = crate::db::transaction!(self.inner.store.pool(), |tx| {
            let last: Option<i64> = crate::db::query_scalar(
                "SELECT MAX(version) FROM policy_versions WHERE policy_id = $1",
            )
            .bind(&document.policy_id)
            .fetch_one(&mut *tx)
            .await
            .context("read last version")?;
            let version = last.unwrap_or(0) + 1;
            crate::db::query(
                "INSERT INTO policy_versions
               (policy_id, version, status, target, document, created_at, created_by)
             VALUES ($1, $2, 'draft', $3, $4, $5, $6)",
            )
            .bind(&document.policy_id)
            .bind(version)
            .bind(compiled.subject.code())
            .bind(serde_json::to_string(&document).context("encode policy")?)
            .bind(now())
            .bind(created_by)
            .execute(&mut *tx)
            .await
            .context("store policy version")?;
            Ok(version)
        })
        .await
        .context("create policy version")?;
        Ok(version as u32)
    }

    /// One stored version.
    pub async fn version(
        &self,
        policy_id: &str,
        version: u32,
    ) -> Result<VersionRecord, PolicyError> {
        let row = crate::db::query(
            "SELECT version, status, document, created_at, created_by, published_at, retired_at
             FROM policy_versions WHERE policy_id = $1 AND version = $2",
        )
        .bind(policy_id)
        .bind(i64::from(version))
        .fetch_optional(self.inner.store.pool())
        .await
        .context("read policy version")?
        .ok_or(PolicyError::NotFound)?;
        version_record(&row)
    }

    /// Every version of every policy, newest version first within a policy.
    pub async fn versions(&self) -> anyhow::Result<Vec<VersionRecord>> {
        let rows = crate::db::query(
            "SELECT version, status, document, created_at, created_by, published_at, retired_at
             FROM policy_versions ORDER BY policy_id, version DESC",
        )
        .fetch_all(self.inner.store.pool())
        .await
        .context("list policy versions")?;
        rows.iter()
            .map(|row| version_record(row).map_err(|err| anyhow::anyhow!("{err}")))
            .collect()
    }

    /// Publishes a draft: it makes offers from now on, and the version published before it
    /// stops (its offers stay as they are).
    pub async fn publish(&self, policy_id: &str, version: u32) -> Result<(), PolicyError> {
        // A version that cannot be published is an answer, not a failure to run again.
        crate::db::transaction!(self.inner.store.pool(), |tx| {
            let status: Option<String> = crate::db::query_scalar(
                "SELECT status FROM policy_versions WHERE policy_id = $1 AND version = $2",
            )
            .bind(policy_id)
            .bind(i64::from(version))
            .fetch_optional(&mut *tx)
            .await
            .context("read version status")?;
            match status.as_deref().map(VersionStatus::from_code) {
                None => return Ok(Err(PolicyError::NotFound)),
                Some(VersionStatus::Draft) => {}
                Some(other) => return Ok(Err(PolicyError::WrongState(other))),
            }
            let now = now();
            crate::db::query(
                "UPDATE policy_versions SET status = 'superseded', retired_at = $1
             WHERE policy_id = $2 AND status = 'published'",
            )
            .bind(now)
            .bind(policy_id)
            .execute(&mut *tx)
            .await
            .context("supersede")?;
            crate::db::query(
                "UPDATE policy_versions SET status = 'published', published_at = $1
             WHERE policy_id = $2 AND version = $3",
            )
            .bind(now)
            .bind(policy_id)
            .bind(i64::from(version))
            .execute(&mut *tx)
            .await
            .context("publish")?;
            Ok(Ok(()))
        })
        .await
        .context("publish")??;
        self.reload().await?;
        self.inner
            .store
            .cluster()
            .tell(crate::cluster::Signal::Policies)
            .await;
        Ok(())
    }

    /// Stops a published version making offers. Offers made stay.
    pub async fn retire(&self, policy_id: &str, version: u32) -> Result<(), PolicyError> {
        let result = crate::db::query(
            "UPDATE policy_versions SET status = 'retired', retired_at = $1
             WHERE policy_id = $2 AND version = $3 AND status = 'published'",
        )
        .bind(now())
        .bind(policy_id)
        .bind(i64::from(version))
        .execute(self.inner.store.pool())
        .await
        .context("retire")?;
        if result.rows_affected() == 0 {
            let current = self.version(policy_id, version).await?;
            return Err(PolicyError::WrongState(current.status));
        }
        self.reload().await?;
        self.inner
            .store
            .cluster()
            .tell(crate::cluster::Signal::Policies)
            .await;
        Ok(())
    }

    /// Evaluates a stored version against every person (or enterprise) the platform holds
    /// facts of today, without making offers: how many match, with a few masked samples.
    pub async fn dry_run(
        &self,
        policy_id: &str,
        version: u32,
        samples: usize,
    ) -> Result<DryRun, PolicyError> {
        let record = self.version(policy_id, version).await?;
        let policy =
            CompiledPolicy::compile(record.document, version).map_err(PolicyError::Invalid)?;
        let today = today();
        let mut run = DryRun {
            evaluated: 0,
            matched: 0,
            failed: 0,
            samples: Vec::new(),
        };
        let gov = &self.inner.gov;
        let upstream = PolicyError::Upstream;
        let mut page_no = 1;
        loop {
            let page = match policy.subject {
                Subject::Person => gov.person_ids(page_no, PAGE).await,
                Subject::Enterprise => gov.enterprise_ids(page_no, PAGE).await,
            }
            .map_err(upstream)?;
            if page.list.is_empty() {
                break;
            }
            let facts: Vec<(String, Facts)> = match policy.subject {
                Subject::Person => gov
                    .person_facts_batch(&page.list)
                    .await
                    .map_err(upstream)?
                    .list
                    .iter()
                    .filter_map(|f| {
                        person_record(f)
                            .ok()
                            .map(|r| (f.id_number.clone(), Facts::person(&r, today)))
                    })
                    .collect(),
                Subject::Enterprise => gov
                    .enterprise_facts_batch(&page.list)
                    .await
                    .map_err(upstream)?
                    .list
                    .iter()
                    .filter_map(|f| {
                        enterprise_record(f)
                            .ok()
                            .map(|r| (f.credit_code.clone(), Facts::enterprise(&r, today)))
                    })
                    .collect(),
            };
            for (code, facts) in &facts {
                run.evaluated += 1;
                match policy.evaluate(facts) {
                    Ok(Some(matched)) => {
                        run.matched += 1;
                        if run.samples.len() < samples {
                            run.samples.push(Sample {
                                subject: mask_code(code),
                                amount_fen: matched.amount_fen,
                                reasons: matched
                                    .reasons
                                    .iter()
                                    .map(|reason| capture(reason, facts))
                                    .collect(),
                            });
                        }
                    }
                    Ok(None) => {}
                    Err(_) => run.failed += 1,
                }
            }
            if u64::from(page_no) * u64::from(PAGE) >= page.total {
                break;
            }
            page_no += 1;
        }
        Ok(run)
    }

    // -----------------------------------------------------------------------------------------
    // Offers

    /// The published versions in force on `day` for people, optionally only those reading
    /// one of `changed`.
    pub fn person_policies(&self, day: Date, changed: Option<FactSet>) -> Vec<Arc<CompiledPolicy>> {
        self.published()
            .iter()
            .filter(|policy| {
                policy.subject == Subject::Person
                    && policy.in_force(day)
                    && changed.is_none_or(|changed| policy.reads().intersects(changed))
            })
            .cloned()
            .collect()
    }

    /// Evaluates one bound person against `policies` with facts from the platform, and makes
    /// the offers they qualify for.
    pub async fn evaluate_person(
        &self,
        account_id: &str,
        id_number: &IdNumber,
        policies: &[Arc<CompiledPolicy>],
        day: Date,
    ) -> anyhow::Result<Evaluated> {
        if policies.is_empty() {
            return Ok(Evaluated::default());
        }
        let facts = self
            .inner
            .gov
            .person_facts(id_number)
            .await
            .map_err(|err| anyhow::anyhow!("person facts: {err}"))?;
        let facts = Facts::person(&person_record(&facts)?, day);
        let matches = matches(policies, &facts);
        let matched = matches.len() as u64;
        let created = crate::db::transaction!(self.inner.store.pool(), |tx| {
            let created = self
                .write_offers(&mut *tx, account_id, &matches, day, None)
                .await?;
            Ok(created)
        })
        .await
        .context("offers")?;
        if created > 0 {
            self.inner.outbox.wake();
        }
        Ok(Evaluated { matched, created })
    }

    /// Writes offers for one person inside `tx`; returns how many were new.
    pub(super) async fn write_offers(
        &self,
        tx: &mut crate::db::Tx,
        account_id: &str,
        matches: &[NewOffer<'_>],
        day: Date,
        campaign: Option<&str>,
    ) -> anyhow::Result<u64> {
        let now = now();
        let mut created = 0;
        for offer in matches {
            let policy = offer.policy;
            let id = random_id("ofr_");
            let reasons = serde_json::to_string(&offer.reasons).context("encode reasons")?;
            let (status, deadline) = match policy.document.mode {
                Mode::AutoGrant => ("granted", None),
                Mode::Confirm => (
                    "new",
                    Some(now + i64::from(policy.document.confirm_within_days.unwrap_or(30)) * DAY),
                ),
            };
            let result = crate::db::query(
                "INSERT INTO benefit_offers
                   (id, account_id, policy_id, policy_version, period_key, status, amount_fen,
                    amount_unit, reasons_sealed, evaluated_on, created_at, deadline)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT (account_id, policy_id, period_key) DO NOTHING",
            )
            .bind(&id)
            .bind(account_id)
            .bind(&policy.document.policy_id)
            .bind(i64::from(policy.version))
            .bind(policy.document.period.key(day))
            .bind(status)
            .bind(offer.matched.amount_fen)
            .bind(policy.document.amount.as_ref().map(|a| a.unit().code()))
            .bind(self.inner.vault.seal(&reasons, &reasons_aad(&id)))
            .bind(day.to_string())
            .bind(now)
            .bind(deadline)
            .execute(&mut *tx)
            .await
            .context("store offer")?;
            if result.rows_affected() == 0 {
                continue;
            }
            created += 1;
            let cause = format!(
                "{}:{}",
                policy.document.policy_id,
                policy.document.period.key(day)
            );
            let confirm_by = deadline.map(|at| {
                jiff::Timestamp::from_second(at)
                    .map(|t| {
                        t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                            .date()
                            .to_string()
                    })
                    .unwrap_or_default()
            });
            let notification = NewNotification {
                account_id,
                cause: &cause,
                version: "offer",
                params: Params::BenefitOffer {
                    offer_id: id.clone(),
                    policy_id: policy.document.policy_id.clone(),
                    policy: policy.document.title.clone(),
                    amount_fen: offer.matched.amount_fen,
                    amount_unit: policy
                        .document
                        .amount
                        .as_ref()
                        .map(|a| a.unit().code().to_string()),
                    confirm_by,
                },
                campaign_id: campaign,
            };
            self.inner.outbox.enqueue(&mut *tx, &notification).await?;
        }
        Ok(created)
    }

    /// A person's offers, newest first; `new` offers past their deadline read as expired.
    pub async fn offers(
        &self,
        account_id: &str,
        status: Option<OfferStatus>,
    ) -> anyhow::Result<Vec<Offer>> {
        let rows = crate::db::query(&format!(
            "SELECT o.*, {EFFECTIVE_STATUS} AS effective_status, v.document
             FROM benefit_offers o
             JOIN policy_versions v ON v.policy_id = o.policy_id AND v.version = o.policy_version
             WHERE o.account_id = $2 AND ($3 IS NULL OR {EFFECTIVE_STATUS} = $3)
             ORDER BY o.created_at DESC, o.id"
        ))
        .bind(now())
        .bind(account_id)
        .bind(status.map(OfferStatus::code))
        .fetch_all(self.inner.store.pool())
        .await
        .context("list offers")?;
        rows.iter().map(|row| self.offer(row)).collect()
    }

    /// One offer of the person.
    pub async fn offer_of(&self, account_id: &str, offer_id: &str) -> Result<Offer, OfferError> {
        let row = crate::db::query(&format!(
            "SELECT o.*, {EFFECTIVE_STATUS} AS effective_status, v.document
             FROM benefit_offers o
             JOIN policy_versions v ON v.policy_id = o.policy_id AND v.version = o.policy_version
             WHERE o.account_id = $2 AND o.id = $3"
        ))
        .bind(now())
        .bind(account_id)
        .bind(offer_id)
        .fetch_optional(self.inner.store.pool())
        .await
        .context("read offer")?
        .ok_or(OfferError::NotFound)?;
        Ok(self.offer(&row)?)
    }

    fn offer(&self, row: &crate::db::Row) -> anyhow::Result<Offer> {
        let id: String = row.get("id");
        let sealed: String = row.get("reasons_sealed");
        let reasons = self.inner.vault.open(&sealed, &reasons_aad(&id))?;
        let document: String = row.get("document");
        let status: String = row.get("effective_status");
        let version: i64 = row.get("policy_version");
        Ok(Offer {
            policy: serde_json::from_str(&document).context("stored policy")?,
            policy_version: version as u32,
            period_key: row.get("period_key"),
            status: OfferStatus::from_code(&status).unwrap_or(OfferStatus::New),
            amount_fen: row.get("amount_fen"),
            amount_unit: row.get("amount_unit"),
            reasons: serde_json::from_str(&reasons).context("stored reasons")?,
            evaluated_on: row.get("evaluated_on"),
            created_at: row.get("created_at"),
            deadline: row.get("deadline"),
            decided_at: row.get("decided_at"),
            claim_id: row.get("claim_id"),
            claim_status: row.get("claim_status"),
            id,
        })
    }

    /// Confirms a `new` offer and files its claim with the platform. Confirming again
    /// answers the confirmed offer; a declined or expired one cannot be confirmed.
    pub async fn confirm(
        &self,
        account_id: &str,
        offer_id: &str,
        holder: &crate::upstream::gov::Holder,
    ) -> Result<Offer, OfferError> {
        let offer = self.offer_of(account_id, offer_id).await?;
        match offer.status {
            OfferStatus::New => {}
            OfferStatus::Confirmed if offer.claim_id.is_some() => return Ok(offer),
            OfferStatus::Confirmed => {}
            other => return Err(OfferError::Closed(other)),
        }
        let claim = self
            .inner
            .gov
            .claim_benefit(
                &offer.policy.policy_id,
                offer.policy_version,
                &offer.period_key,
                offer.amount_fen,
                holder,
                offer_id,
            )
            .await
            .map_err(OfferError::Upstream)?;
        let now = now();
        let result = crate::db::query(
            "UPDATE benefit_offers SET status = 'confirmed', decided_at = COALESCE(decided_at, $1),
               claim_id = $2, claim_status = $3, claim_updated_at = $4
             WHERE id = $5 AND account_id = $6
               AND (status = 'confirmed' OR (status = 'new' AND (deadline IS NULL OR deadline >= $7)))",
        )
        .bind(now)
        .bind(&claim.claim_id)
        // A receipt is `submitted`; anything unknown is shown as that until the platform
        // says more.
        .bind(if CLAIM_STATUSES.contains(&claim.status.as_str()) {
            claim.status.as_str()
        } else {
            "submitted"
        })
        .bind(now)
        .bind(offer_id)
        .bind(account_id)
        .bind(now)
        .execute(self.inner.store.pool())
        .await
        .context("confirm offer")?;
        if result.rows_affected() == 0 {
            // Declined (or expired) while the claim was on its way: the platform has the
            // claim under our request id, but the person's last word stands here.
            let now = self.offer_of(account_id, offer_id).await?;
            return Err(OfferError::Closed(now.status));
        }
        self.offer_of(account_id, offer_id).await
    }

    /// Asks the platform how the person's open claims (`submitted`, `accepted`) stand and keeps
    /// the answer. When the platform does not answer, the statuses already known stay: a
    /// listing never fails for it.
    pub async fn refresh_claims(
        &self,
        account_id: &str,
        holder: &crate::upstream::gov::Holder,
    ) -> anyhow::Result<()> {
        let open: Vec<String> = crate::db::query_scalar(
            "SELECT claim_id FROM benefit_offers
             WHERE account_id = $1 AND claim_id IS NOT NULL
               AND claim_status IN ('submitted', 'accepted')
             ORDER BY claim_updated_at LIMIT 100",
        )
        .bind(account_id)
        .fetch_all(self.inner.store.pool())
        .await
        .context("open claims")?;
        if open.is_empty() {
            return Ok(());
        }
        let receipts = match self.inner.gov.claims(holder, &open).await {
            Ok(receipts) => receipts,
            Err(err) => {
                tracing::warn!(error = %err, "claim statuses unavailable; showing the last known");
                return Ok(());
            }
        };
        let now = now();
        for receipt in receipts {
            if !CLAIM_STATUSES.contains(&receipt.status.as_str()) {
                tracing::warn!(status = %receipt.status, "unknown claim status from the platform; kept the last known");
                continue;
            }
            crate::db::query(
                "UPDATE benefit_offers SET claim_status = $1, claim_updated_at = $2
                 WHERE account_id = $3 AND claim_id = $4 AND claim_status <> $5",
            )
            .bind(&receipt.status)
            .bind(now)
            .bind(account_id)
            .bind(&receipt.claim_id)
            .bind(&receipt.status)
            .execute(self.inner.store.pool())
            .await
            .context("store claim status")?;
        }
        Ok(())
    }

    /// Declines a `new` offer. Declining again answers the declined offer.
    pub async fn decline(&self, account_id: &str, offer_id: &str) -> Result<Offer, OfferError> {
        let offer = self.offer_of(account_id, offer_id).await?;
        match offer.status {
            OfferStatus::New => {}
            OfferStatus::Declined => return Ok(offer),
            other => return Err(OfferError::Closed(other)),
        }
        crate::db::query(
            "UPDATE benefit_offers SET status = 'declined', decided_at = $1
             WHERE id = $2 AND account_id = $3 AND status = 'new' AND (deadline IS NULL OR deadline >= $4)",
        )
        .bind(now())
        .bind(offer_id)
        .bind(account_id)
        .bind(now())
        .execute(self.inner.store.pool())
        .await
        .context("decline offer")?;
        let offer = self.offer_of(account_id, offer_id).await?;
        match offer.status {
            OfferStatus::Declined => Ok(offer),
            other => Err(OfferError::Closed(other)),
        }
    }
}

/// What handling one delivered life event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventOutcome {
    /// The event id was handled before: nothing was done.
    pub duplicate: bool,
    pub offers: u64,
}

impl Benefits {
    /// Handles a verified life event once: its id is claimed first, so a concurrent or later
    /// delivery of the same event is a duplicate; if handling fails the claim is released so
    /// that the platform's retry runs it.
    pub async fn handle_event(&self, event: &LifeEvent) -> anyhow::Result<EventOutcome> {
        let claimed = crate::db::query(
            "INSERT INTO gov_events (event_id, received_at, event_type, offers) VALUES ($1, $2, $3, 0)
             ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(&event.event_id)
        .bind(now())
        .bind(event.kind.as_str())
        .execute(self.inner.store.pool())
        .await
        .context("claim event")?;
        if claimed.rows_affected() == 0 {
            return Ok(EventOutcome {
                duplicate: true,
                offers: 0,
            });
        }
        match self.life_event(event).await {
            Ok(evaluated) => {
                crate::db::query("UPDATE gov_events SET offers = $1 WHERE event_id = $2")
                    .bind(evaluated.created as i64)
                    .bind(&event.event_id)
                    .execute(self.inner.store.pool())
                    .await
                    .context("record event")?;
                Ok(EventOutcome {
                    duplicate: false,
                    offers: evaluated.created,
                })
            }
            Err(err) => {
                if let Err(release) = crate::db::query("DELETE FROM gov_events WHERE event_id = $1")
                    .bind(&event.event_id)
                    .execute(self.inner.store.pool())
                    .await
                {
                    tracing::error!(error = %release, "life event claim not released; a retry will be taken as a duplicate");
                }
                Err(err)
            }
        }
    }

    /// Re-evaluates the subject of a life event against the published policies that read
    /// a changed fact, and makes the new offers. People who do not use Tongban, and
    /// enterprises (which have no accounts yet), are skipped.
    pub async fn life_event(&self, event: &LifeEvent) -> anyhow::Result<Evaluated> {
        let EventSubject::Person { id_number } = &event.subject else {
            tracing::info!(event = %event.event_id, kind = event.kind.as_str(), "enterprise life event: no enterprise accounts yet");
            return Ok(Evaluated::default());
        };
        let Ok(id_number) = IdNumber::parse(id_number) else {
            anyhow::bail!("the event's ID number does not parse");
        };
        let Some(account_id) = self.inner.accounts.find_by_id_number(&id_number).await? else {
            return Ok(Evaluated::default());
        };
        let day = today();
        let changed = FactSet::derived_from(Subject::Person, &event.facts);
        let policies = self.person_policies(day, Some(changed));
        self.evaluate_person(&account_id, &id_number, &policies, day)
            .await
    }

    /// Evaluates a person who just bound their real name against every published policy.
    pub async fn welcome(
        &self,
        account_id: &str,
        id_number: &IdNumber,
    ) -> anyhow::Result<Evaluated> {
        let day = today();
        let policies = self.person_policies(day, None);
        self.evaluate_person(account_id, id_number, &policies, day)
            .await
    }
}

/// Matches of `facts` among `policies`, with reasons captured; evaluation errors are logged
/// and count as no match.
pub(super) fn matches<'p>(policies: &'p [Arc<CompiledPolicy>], facts: &Facts) -> Vec<NewOffer<'p>> {
    let mut found = Vec::new();
    for policy in policies {
        match policy.evaluate(facts) {
            Ok(Some(matched)) => {
                let reasons = matched
                    .reasons
                    .iter()
                    .map(|reason| capture(reason, facts))
                    .collect();
                found.push(NewOffer {
                    policy,
                    matched,
                    reasons,
                });
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(
                policy = %policy.document.policy_id,
                version = policy.version,
                error = %err,
                "a rule could not be evaluated for one subject"
            ),
        }
    }
    found
}

/// An offer's status as the person sees it: a `new` offer past its deadline has expired. Derived
/// when read (its one parameter is now), so reading never writes.
const EFFECTIVE_STATUS: &str =
    "(CASE WHEN o.status = 'new' AND o.deadline < $1 THEN 'expired' ELSE o.status END)";

/// The claim statuses people are told of (each has a `benefit-claim-*` message).
const CLAIM_STATUSES: [&str; 4] = ["submitted", "accepted", "paid", "rejected"];

/// Subjects per platform page and facts batch.
pub(super) const PAGE: u32 = 500;

fn reasons_aad(offer_id: &str) -> String {
    format!("offer:{offer_id}:reasons")
}

/// A masked ID number, or a credit code with its middle hidden.
fn mask_code(code: &str) -> String {
    if code.len() == 18 && code.chars().take(17).all(|c| c.is_ascii_digit()) {
        mask_id_number(code)
    } else {
        let keep: String = code.chars().take(6).collect();
        format!("{keep}********{}", code.chars().last().unwrap_or('*'))
    }
}

fn version_record(row: &crate::db::Row) -> Result<VersionRecord, PolicyError> {
    let document: String = row.get("document");
    let status: String = row.get("status");
    let version: i64 = row.get("version");
    Ok(VersionRecord {
        document: serde_json::from_str(&document).context("stored policy document")?,
        version: version as u32,
        status: VersionStatus::from_code(&status),
        created_at: row.get("created_at"),
        created_by: row.get("created_by"),
        published_at: row.get("published_at"),
        retired_at: row.get("retired_at"),
    })
}
