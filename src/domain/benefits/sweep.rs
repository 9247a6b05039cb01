//! Sweeps: every bound person evaluated against some policies, when a policy is published and
//! on demand (`tongban benefits sweep`, `POST /v1/admin/sweeps`).
//!
//! People are taken in account-id order, `benefits.sweep_batch_size` at a time: their facts come from the
//! platform in one batch call, and the batch's offers are written in the same transaction
//! that moves the sweep's cursor past it. A sweep stopped anywhere (a crash, a kill, a
//! platform outage) resumes after the last batch it committed; a batch it was in the middle of
//! is evaluated again, and the unique (person, policy, period) key keeps its offers single.

use std::{collections::HashMap, sync::Arc, time::Duration};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::{
    facts::Facts,
    policy::{CompiledPolicy, PolicyDocument},
    service::{Benefits, matches, person_record},
};
use crate::domain::session::{now, random_id};

/// A policy version a sweep evaluates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepPolicy {
    pub policy_id: String,
    pub version: u32,
}

/// A sweep's progress.
#[derive(Debug, Clone)]
pub struct SweepStatus {
    pub id: String,
    pub policies: Vec<SweepPolicy>,
    pub trigger: String,
    /// `running`, `done` or `failed`.
    pub status: String,
    pub evaluate_on: String,
    /// Bound people when it started.
    pub total: u64,
    pub done: u64,
    /// Person × policy matches found, and the offers that were new.
    pub matched: u64,
    pub offers: u64,
    /// People whose facts the platform did not have.
    pub failed: u64,
    pub started_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    pub error: Option<String>,
}

/// Tries of one batch against a failing platform before the sweep is marked failed.
const BATCH_TRIES: u32 = 5;

impl Benefits {
    /// Records a sweep of `policies` (every published person policy when `None`) over every
    /// bound person, to run with [`Benefits::run_sweep`].
    pub async fn create_sweep(
        &self,
        policies: Option<Vec<SweepPolicy>>,
        trigger: &str,
    ) -> anyhow::Result<String> {
        let day = super::service::today();
        let policies = policies.unwrap_or_else(|| {
            self.person_policies(day, None)
                .iter()
                .map(|p| SweepPolicy {
                    policy_id: p.document.policy_id.clone(),
                    version: p.version,
                })
                .collect()
        });
        let id = random_id("swp_");
        let total = self.accounts().bound_count().await?;
        let now = now();
        crate::db::query(
            "INSERT INTO benefit_sweeps
               (id, policies, trigger, status, evaluate_on, total, started_at, updated_at)
             VALUES ($1, $2, $3, 'running', $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(serde_json::to_string(&policies).context("encode sweep policies")?)
        .bind(trigger)
        .bind(day.to_string())
        .bind(total as i64)
        .bind(now)
        .bind(now)
        .execute(self.store().pool())
        .await
        .context("create sweep")?;
        Ok(id)
    }

    /// Runs (or resumes) sweep `id` to its end, calling `progress` after every batch.
    pub async fn run_sweep(
        &self,
        id: &str,
        mut progress: impl FnMut(&SweepStatus),
    ) -> anyhow::Result<SweepStatus> {
        let status = self.sweep(id).await?.context("no such sweep")?;
        if status.status != "running" {
            return Ok(status);
        }
        let day: jiff::civil::Date = status.evaluate_on.parse().context("sweep date")?;
        let policies = self.sweep_policies(&status.policies).await?;
        let mut cursor = self.cursor(id).await?;
        loop {
            let people = self.accounts().bound_after(&cursor, self.batch()).await?;
            let Some((last, _)) = people.last() else {
                break;
            };
            let last = last.clone();
            let mut tries = 0;
            let batch = loop {
                tries += 1;
                let id_numbers: Vec<String> =
                    people.iter().map(|(_, n)| n.as_str().to_owned()).collect();
                match self.gov().person_facts_batch(&id_numbers).await {
                    Ok(batch) => break batch,
                    Err(err) if tries < BATCH_TRIES => {
                        tracing::warn!(sweep = id, tries, error = %err, "sweep batch: facts unavailable, retrying");
                        tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(tries))).await;
                    }
                    Err(err) => {
                        self.fail(id, &format!("the platform's facts are unavailable: {err}"))
                            .await?;
                        anyhow::bail!("sweep {id} failed: {err}");
                    }
                }
            };
            let by_number: HashMap<&str, _> = batch
                .list
                .iter()
                .map(|facts| (facts.id_number.as_str(), facts))
                .collect();
            // Several instances may run one sweep (each resumes the running ones when it
            // starts): a batch counts only if the cursor is still where this one read it.
            let created = crate::db::transaction!(self.store().writer(), |tx| {
                let now_at: String =
                    crate::db::query_scalar("SELECT cursor FROM benefit_sweeps WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .context("read sweep cursor")?;
                if now_at != cursor {
                    return Ok(None);
                }
                let (mut matched, mut created, mut failed) = (0u64, 0u64, 0u64);
                for (account_id, id_number) in &people {
                    let Some(record) = by_number
                        .get(id_number.as_str())
                        .and_then(|facts| person_record(facts).ok())
                    else {
                        failed += 1;
                        continue;
                    };
                    let facts = Facts::person(&record, day);
                    let found = matches(&policies, &facts);
                    matched += found.len() as u64;
                    created += self
                        .write_offers(&mut *tx, account_id, &found, day, Some(id))
                        .await?;
                }
                crate::db::query(
                "UPDATE benefit_sweeps SET cursor = $1, done = done + $2, matched = matched + $3,
                   offers = offers + $4, failed = failed + $5, updated_at = $6
                 WHERE id = $7",
            )
            .bind(&last)
            .bind(people.len() as i64)
            .bind(matched as i64)
            .bind(created as i64)
            .bind(failed as i64)
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("move sweep cursor")?;
                Ok(Some(created))
            })
            .await
            .context("sweep batch")?;
            let Some(created) = created else {
                tracing::info!(sweep = id, "sweep batch: another instance did it first");
                cursor = self.cursor(id).await?;
                continue;
            };
            if created > 0 {
                self.wake_dispatcher();
            }
            cursor = last;
            if let Some(status) = self.sweep(id).await? {
                progress(&status);
            }
        }
        crate::db::query(
            "UPDATE benefit_sweeps SET status = 'done', finished_at = $1, updated_at = $2
             WHERE id = $3 AND status = 'running'",
        )
        .bind(now())
        .bind(now())
        .bind(id)
        .execute(self.store().pool())
        .await
        .context("finish sweep")?;
        let status = self.sweep(id).await?.context("sweep vanished")?;
        progress(&status);
        Ok(status)
    }

    /// Starts sweep `id` in the background.
    pub fn spawn_sweep(&self, id: String) -> tokio::task::JoinHandle<()> {
        let benefits = self.clone();
        tokio::spawn(async move {
            match benefits.run_sweep(&id, |_| {}).await {
                Ok(status) => tracing::info!(
                    sweep = %id, done = status.done, offers = status.offers, "sweep finished"
                ),
                Err(err) => tracing::error!(sweep = %id, error = %err, "sweep stopped"),
            }
        })
    }

    /// Resumes, in the background, every sweep a previous run of the process left running.
    pub async fn resume_sweeps(&self) -> anyhow::Result<Vec<String>> {
        let ids: Vec<String> = crate::db::query_scalar(
            "SELECT id FROM benefit_sweeps WHERE status = 'running' ORDER BY started_at",
        )
        .fetch_all(self.store().pool())
        .await
        .context("find running sweeps")?;
        for id in &ids {
            tracing::info!(sweep = %id, "resuming sweep");
            self.spawn_sweep(id.clone());
        }
        Ok(ids)
    }

    /// A sweep's progress.
    pub async fn sweep(&self, id: &str) -> anyhow::Result<Option<SweepStatus>> {
        let row = crate::db::query("SELECT * FROM benefit_sweeps WHERE id = $1")
            .bind(id)
            .fetch_optional(self.store().pool())
            .await
            .context("read sweep")?;
        row.map(|row| sweep_status(&row)).transpose()
    }

    /// The latest sweeps, newest first.
    pub async fn sweeps(&self, limit: u32) -> anyhow::Result<Vec<SweepStatus>> {
        let rows =
            crate::db::query("SELECT * FROM benefit_sweeps ORDER BY started_at DESC, id LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(self.store().pool())
                .await
                .context("list sweeps")?;
        rows.iter().map(sweep_status).collect()
    }

    async fn cursor(&self, id: &str) -> anyhow::Result<String> {
        crate::db::query_scalar("SELECT cursor FROM benefit_sweeps WHERE id = $1")
            .bind(id)
            .fetch_one(self.store().pool())
            .await
            .context("read sweep cursor")
    }

    async fn fail(&self, id: &str, error: &str) -> anyhow::Result<()> {
        crate::db::query(
            "UPDATE benefit_sweeps SET status = 'failed', error = $1, finished_at = $2, updated_at = $3
             WHERE id = $4",
        )
        .bind(error)
        .bind(now())
        .bind(now())
        .bind(id)
        .execute(self.store().pool())
        .await
        .context("fail sweep")?;
        Ok(())
    }

    async fn sweep_policies(
        &self,
        wanted: &[SweepPolicy],
    ) -> anyhow::Result<Vec<Arc<CompiledPolicy>>> {
        let mut policies = Vec::with_capacity(wanted.len());
        for want in wanted {
            let document: String = crate::db::query_scalar(
                "SELECT document FROM policy_versions WHERE policy_id = $1 AND version = $2",
            )
            .bind(&want.policy_id)
            .bind(i64::from(want.version))
            .fetch_one(self.store().pool())
            .await
            .with_context(|| format!("policy {} v{}", want.policy_id, want.version))?;
            let document: PolicyDocument =
                serde_json::from_str(&document).context("stored policy")?;
            let policy = CompiledPolicy::compile(document, want.version).map_err(|problems| {
                anyhow::anyhow!("stored policy does not compile: {problems:?}")
            })?;
            if policy.subject == super::facts::Subject::Person {
                policies.push(Arc::new(policy));
            }
        }
        Ok(policies)
    }
}

fn sweep_status(row: &crate::db::Row) -> anyhow::Result<SweepStatus> {
    let policies: String = row.get("policies");
    let count = |name: &str| -> u64 { row.get::<i64>(name) as u64 };
    Ok(SweepStatus {
        id: row.get("id"),
        policies: serde_json::from_str(&policies).context("sweep policies")?,
        trigger: row.get("trigger"),
        status: row.get("status"),
        evaluate_on: row.get("evaluate_on"),
        total: count("total"),
        done: count("done"),
        matched: count("matched"),
        offers: count("offers"),
        failed: count("failed"),
        started_at: row.get("started_at"),
        updated_at: row.get("updated_at"),
        finished_at: row.get("finished_at"),
        error: row.get("error"),
    })
}
