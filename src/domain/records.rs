//! A person's records at the provincial platform: applications (办件) and e-certificates
//! (电子证照). The platform stays the source of truth; Tongban keeps a short per-person copy
//! so the home screen and its lists stay fast and survive a platform hiccup.
//!
//! Per-person copies are keyed by the account id and hold only that person's data, so one
//! person's records can never be served to another. Upstream status codes become one
//! canonical [`ApplicationStatus`] here, in one table (govservice-domain.md §6.2).

use std::{sync::Arc, time::Duration};

use super::cache::{CacheCounters, Freshness, SharedCache, Ttl};
use crate::{
    config::CacheConfig,
    msg,
    upstream::gov::{
        GovClient, GovError, Holder,
        wire::{Application, ApplicationSummary, Certificate},
    },
};

/// Where an application stands, whatever code the platform used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationStatus {
    /// 已接件: received, not yet accepted.
    Submitted,
    /// 撤件: withdrawn by the applicant.
    Withdrawn,
    /// 已受理
    Accepted,
    /// 不予受理
    RejectedAtIntake,
    /// 补正: the applicant must hand in more material.
    SupplementRequested,
    /// The material asked for was handed in.
    SupplementSubmitted,
    /// 审查/办理 by the department.
    InReview,
    /// 特别程序 (hearing, inspection, expert review): the clock is stopped.
    Paused,
    /// 办结 · 准予
    Approved,
    /// 办结 · 容缺通过, follow-up material pending.
    ApprovedTolerant,
    /// 办结 · 不予许可
    Denied,
    /// 撤销 by the agency.
    Revoked,
    /// 出证 · 待领取: approved, and the result (licence, card, decision) waits to be collected.
    ResultReady,
}

/// Upstream 办理状态 codes (docs/upstream-gov.md) and the status each means.
const STATUS_CODES: [(&str, ApplicationStatus); 16] = [
    ("1", ApplicationStatus::Submitted),
    ("2", ApplicationStatus::Withdrawn),
    ("3", ApplicationStatus::Accepted),
    ("4", ApplicationStatus::RejectedAtIntake),
    ("5", ApplicationStatus::RejectedAtIntake),
    ("6", ApplicationStatus::SupplementRequested),
    ("7", ApplicationStatus::SupplementSubmitted),
    ("8", ApplicationStatus::InReview),
    ("9", ApplicationStatus::Paused),
    ("10", ApplicationStatus::InReview),
    ("11", ApplicationStatus::Approved),
    ("12", ApplicationStatus::ApprovedTolerant),
    ("13", ApplicationStatus::Denied),
    ("14", ApplicationStatus::Withdrawn),
    ("15", ApplicationStatus::Revoked),
    ("16", ApplicationStatus::ResultReady),
];

impl ApplicationStatus {
    /// The status of an upstream code; an unknown code is treated as under review, and
    /// logged, so a new platform code never breaks a person's list.
    pub fn from_code(code: &str) -> Self {
        STATUS_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, status)| *status)
            .unwrap_or_else(|| {
                tracing::warn!(code, "unknown application status code");
                ApplicationStatus::InReview
            })
    }

    /// Still with the department: what "in progress" means on the home screen.
    pub fn in_progress(self) -> bool {
        matches!(
            self,
            Self::Submitted
                | Self::Accepted
                | Self::SupplementRequested
                | Self::SupplementSubmitted
                | Self::InReview
                | Self::Paused
        )
    }

    /// Finished with a decision, so the applicant may rate it (好差评). A result waiting to be
    /// collected is a decision already made.
    pub fn rateable(self) -> bool {
        matches!(
            self,
            Self::Approved
                | Self::ApprovedTolerant
                | Self::Denied
                | Self::Revoked
                | Self::ResultReady
        )
    }

    /// The applicant has something to do: hand in more material, or collect the result.
    pub fn needs_action(self) -> bool {
        matches!(self, Self::SupplementRequested | Self::ResultReady)
    }

    pub fn message_id(self) -> &'static str {
        match self {
            Self::Submitted => msg!("application-status-submitted"),
            Self::Withdrawn => msg!("application-status-withdrawn"),
            Self::Accepted => msg!("application-status-accepted"),
            Self::RejectedAtIntake => msg!("application-status-rejected-at-intake"),
            Self::SupplementRequested => msg!("application-status-supplement-requested"),
            Self::SupplementSubmitted => msg!("application-status-supplement-submitted"),
            Self::InReview => msg!("application-status-in-review"),
            Self::Paused => msg!("application-status-paused"),
            Self::Approved => msg!("application-status-approved"),
            Self::ApprovedTolerant => msg!("application-status-approved-tolerant"),
            Self::Denied => msg!("application-status-denied"),
            Self::Revoked => msg!("application-status-revoked"),
            Self::ResultReady => msg!("application-status-result-ready"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    #[error("no such record of this holder")]
    NotFound,
    #[error("the platform cannot be reached")]
    Unavailable(#[source] Arc<GovError>),
}

impl From<Arc<GovError>> for RecordsError {
    fn from(err: Arc<GovError>) -> Self {
        match *err {
            GovError::NotFound => RecordsError::NotFound,
            _ => RecordsError::Unavailable(err),
        }
    }
}

/// Applications listed per person (the platform's newest first).
const LIST_SIZE: u32 = 100;

/// A person's records, cached per person.
#[derive(Debug, Clone)]
pub struct Records {
    gov: GovClient,
    /// Told of every forget, for the other instances' copies.
    cluster: crate::cluster::Cluster,
    applications: SharedCache<String, Vec<ApplicationSummary>>,
    certificates: SharedCache<String, Vec<Certificate>>,
}

impl Records {
    pub fn new(gov: GovClient, config: &CacheConfig, counters: CacheCounters) -> Self {
        let ttl = Ttl {
            fresh: Duration::from_secs(config.personal_ttl_secs),
            stale_while_revalidate: Duration::ZERO,
            stale_if_error: Duration::from_secs(config.stale_if_error_secs),
            negative: Duration::ZERO,
        };
        let size = config.personal_max_people;
        Self {
            gov,
            cluster: crate::cluster::Cluster::default(),
            applications: SharedCache::new("applications", ttl, size, counters.clone()),
            certificates: SharedCache::new("certificates", ttl, size, counters),
        }
    }

    /// The person's applications, newest first. `account_id` keys the copy: it must be the
    /// account whose verified identity `holder` is.
    pub async fn applications(
        &self,
        account_id: &str,
        holder: &Holder,
    ) -> Result<(Arc<Vec<ApplicationSummary>>, Freshness), RecordsError> {
        let gov = self.gov.clone();
        let holder = holder.clone();
        let found = self
            .applications
            .get(&account_id.to_string(), move || {
                let gov = gov.clone();
                let holder = holder.clone();
                async move {
                    let page = gov.applications(&holder, 1, LIST_SIZE).await?;
                    Ok::<_, GovError>(Some(page.list))
                }
            })
            .await?;
        found.ok_or(RecordsError::NotFound)
    }

    /// One application with its history, always asked of the platform (the person is looking
    /// at its progress).
    pub async fn application(
        &self,
        project_no: &str,
        holder: &Holder,
    ) -> Result<Application, RecordsError> {
        self.gov
            .application(project_no, holder)
            .await
            .map_err(|err| RecordsError::from(Arc::new(err)))
    }

    /// Tells the other instances of `cluster` of every forget.
    pub fn with_cluster(mut self, cluster: crate::cluster::Cluster) -> Self {
        self.cluster = cluster;
        self
    }

    /// Drops the person's copy of their applications after Tongban changed one of them (a
    /// rating), so their next list shows the change, here and at the other instances.
    pub async fn forget(&self, account_id: &str) {
        self.forget_here(account_id).await;
        self.cluster
            .tell_soon(crate::cluster::Signal::Person(account_id.to_string()));
    }

    /// [`Records::forget`] at this instance only: another one said so.
    pub async fn forget_here(&self, account_id: &str) {
        self.applications.invalidate(&account_id.to_string()).await;
    }

    /// Drops every person's copies: signals from the other instances may have been missed.
    pub fn forget_all_here(&self) {
        self.applications.invalidate_all();
        self.certificates.invalidate_all();
    }

    /// The person's e-certificates.
    pub async fn certificates(
        &self,
        account_id: &str,
        holder: &Holder,
    ) -> Result<(Arc<Vec<Certificate>>, Freshness), RecordsError> {
        let gov = self.gov.clone();
        let holder = holder.clone();
        let found = self
            .certificates
            .get(&account_id.to_string(), move || {
                let gov = gov.clone();
                let holder = holder.clone();
                async move { gov.certificates(&holder).await.map(Some) }
            })
            .await?;
        found.ok_or(RecordsError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_upstream_code_has_a_status_and_unknown_codes_stay_in_review() {
        for code in 1..=16 {
            let status = ApplicationStatus::from_code(&code.to_string());
            assert!(STATUS_CODES.iter().any(|(_, s)| *s == status));
        }
        assert_eq!(
            ApplicationStatus::from_code("99"),
            ApplicationStatus::InReview
        );
        assert!(ApplicationStatus::from_code("9").in_progress());
        assert!(ApplicationStatus::from_code("11").rateable());
        assert!(!ApplicationStatus::from_code("4").rateable());
        assert!(ApplicationStatus::from_code("6").needs_action());
    }

    #[test]
    fn code_16_is_a_result_ready_to_collect_that_asks_for_action_and_can_be_rated() {
        let status = ApplicationStatus::from_code("16");
        assert_eq!(status, ApplicationStatus::ResultReady);
        assert!(status.needs_action());
        assert!(status.rateable());
        assert!(!status.in_progress(), "the department has decided");
        assert_eq!(status.message_id(), "application-status-result-ready");
        assert!(crate::upstream::gov::wire::FINISHED_STATUSES.contains(&"16"));
    }
}
