//! `GET /v1/home`: the home screen in one request. Its sections come from different upstream
//! calls made in parallel, each with its own deadline: the answer takes as long as the slowest
//! section, not the sum, and a failing upstream costs only its own section, which says so.

use std::{future::Future, time::Duration};

use poem::web::Data;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, payload::Json};

use super::{
    ApiTags,
    records::{
        ApplicationSummaryView, CertificateView, certificate_view, expires_in_days, summary_view,
        today,
    },
    services::{ServiceSummary, summary},
};
use crate::{
    AppState,
    domain::{account::VerifiedPerson, cache::Freshness, records::ApplicationStatus},
    http::{auth::CitizenAuth, context::RequestCtx, problem::Problem},
};

pub struct HomeApi;

/// Certificates expiring within this many days are shown.
const EXPIRY_HORIZON_DAYS: i32 = 90;
/// Featured services shown.
const FEATURED: usize = 6;

/// How a section was filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum SectionStatus {
    /// Just read from the platform.
    Fresh,
    /// From Tongban's copy: the platform did not answer in time.
    Stale,
    /// Could not be filled; `reason` says why and the rest of the screen is unaffected.
    Unavailable,
}

/// Why a section is unavailable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum UnavailableReason {
    /// The person has not bound their real name: show the binding prompt.
    RealNameRequired,
    /// The platform did not answer in time and nothing was kept.
    UpstreamUnavailable,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct ApplicationsSection {
    pub status: SectionStatus,
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<UnavailableReason>,
    /// In-progress applications and results waiting to be collected, those needing the
    /// person's action (supplement, collect) first.
    pub items: Vec<ApplicationSummaryView>,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct CertificatesSection {
    pub status: SectionStatus,
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<UnavailableReason>,
    /// Valid certificates expiring within 90 days, soonest first.
    pub items: Vec<CertificateView>,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct FeaturedSection {
    pub status: SectionStatus,
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<UnavailableReason>,
    /// Services for the person's stage of life that can be applied for online.
    pub items: Vec<ServiceSummary>,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct NotificationsSection {
    pub status: SectionStatus,
    pub unread: u32,
    /// The newest unread notices (at most 3); the inbox is `GET /v1/notifications`.
    pub latest: Vec<NoticeSummary>,
}

/// One unread notice on the home screen.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct NoticeSummary {
    pub id: String,
    pub title: String,
    pub created_at: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct Home {
    pub real_name_bound: bool,
    pub applications: ApplicationsSection,
    pub expiring_certificates: CertificatesSection,
    pub featured_services: FeaturedSection,
    /// Unread notices: benefit offers and application decisions.
    pub notifications: NotificationsSection,
}

impl poem_openapi::types::Example for Home {
    fn example() -> Self {
        Self {
            real_name_bound: true,
            applications: ApplicationsSection {
                status: SectionStatus::Fresh,
                reason: None,
                items: vec![super::records::example_summary()],
            },
            expiring_certificates: CertificatesSection {
                status: SectionStatus::Unavailable,
                reason: Some(UnavailableReason::UpstreamUnavailable),
                items: vec![],
            },
            featured_services: FeaturedSection {
                status: SectionStatus::Stale,
                reason: None,
                items: vec![super::services::example_summary()],
            },
            notifications: NotificationsSection {
                status: SectionStatus::Fresh,
                unread: 1,
                latest: vec![NoticeSummary {
                    id: "ntf_3f0c1e2d3b4a49d8a7e6f5c4b3a29180".into(),
                    title: "待确认的惠民政策：育儿补贴".into(),
                    created_at: "2026-11-22T10:00:00+08:00".into(),
                }],
            },
        }
    }
}

#[derive(ApiResponse)]
pub enum HomeProblem {
    /// No valid access token (`unauthorized`, `token_expired`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

fn status_of(freshness: Freshness) -> SectionStatus {
    match freshness {
        Freshness::Fresh => SectionStatus::Fresh,
        Freshness::Stale => SectionStatus::Stale,
    }
}

/// Runs one section's upstream work within the deadline; `None` when it failed or ran late.
async fn within<T, E: std::fmt::Display>(
    deadline: Duration,
    section: &'static str,
    work: impl Future<Output = Result<T, E>>,
) -> Option<T> {
    match tokio::time::timeout(deadline, work).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(err)) => {
            tracing::warn!(section, error = %err, "home section unavailable");
            None
        }
        Err(_) => {
            tracing::warn!(section, "home section timed out");
            None
        }
    }
}

#[OpenApi(prefix_path = "/v1/home", tag = "ApiTags::Me")]
impl HomeApi {
    /// Read my home screen
    ///
    /// In-progress applications, certificates expiring within 90 days, featured services and
    /// unread notices, in one request. Each section says whether it is `fresh`, `stale` or
    /// `unavailable`; one failing upstream never fails the screen.
    #[oai(path = "/", method = "get", operation_id = "getHome")]
    async fn get_home(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> Result<Json<Home>, HomeProblem> {
        let principal = &auth.0;
        let person: Option<VerifiedPerson> =
            state
                .accounts
                .verified(&principal.account_id)
                .await
                .map_err(|err| HomeProblem::Internal(super::internal(&lang, &err)))?;
        let deadline = Duration::from_millis(state.config.upstream.gov.resilience.timeout_ms);
        let account_id = principal.account_id.as_str();
        let applications = async {
            let person = person.as_ref()?;
            within(
                deadline,
                "applications",
                state.records.applications(account_id, &person.holder),
            )
            .await
        };
        let certificates = async {
            let person = person.as_ref()?;
            within(
                deadline,
                "certificates",
                state.records.certificates(account_id, &person.holder),
            )
            .await
        };
        let age = person.as_ref().map(|p| p.age_on(today()));
        let featured = within(deadline, "featured", state.catalog.featured(age, FEATURED));
        let notices = state.push.home_notices(account_id);
        let (applications, certificates, featured, notices) =
            tokio::join!(applications, certificates, featured, notices);

        let unavailable = |bound: bool| {
            if bound {
                UnavailableReason::UpstreamUnavailable
            } else {
                UnavailableReason::RealNameRequired
            }
        };
        let bound = person.is_some();
        let applications = match applications {
            Some((list, freshness)) => {
                let mut items: Vec<_> = list
                    .iter()
                    .filter(|a| {
                        // Still with the department, or decided with the result waiting to be
                        // collected: both are things the person is waiting on.
                        let status = ApplicationStatus::from_code(&a.status);
                        status.in_progress() || status.needs_action()
                    })
                    .map(|a| summary_view(&lang, a))
                    .collect();
                items.sort_by_key(|a| !a.needs_action);
                ApplicationsSection {
                    status: status_of(freshness),
                    reason: None,
                    items,
                }
            }
            None => ApplicationsSection {
                status: SectionStatus::Unavailable,
                reason: Some(unavailable(bound)),
                items: vec![],
            },
        };
        let expiring_certificates = match certificates {
            Some((list, freshness)) => {
                let mut expiring: Vec<_> = list
                    .iter()
                    .filter(|c| expires_in_days(c).is_some_and(|d| d <= EXPIRY_HORIZON_DAYS))
                    .collect();
                expiring.sort_by_key(|c| expires_in_days(c));
                CertificatesSection {
                    status: status_of(freshness),
                    reason: None,
                    items: expiring
                        .into_iter()
                        .map(|c| certificate_view(&lang, c))
                        .collect(),
                }
            }
            None => CertificatesSection {
                status: SectionStatus::Unavailable,
                reason: Some(unavailable(bound)),
                items: vec![],
            },
        };
        let featured_services = match featured {
            Some((items, freshness)) => FeaturedSection {
                status: status_of(freshness),
                reason: None,
                items: items.iter().map(|item| summary(&lang, item)).collect(),
            },
            None => FeaturedSection {
                status: SectionStatus::Unavailable,
                reason: Some(UnavailableReason::UpstreamUnavailable),
                items: vec![],
            },
        };
        state
            .audit
            .own(
                lang.request_id.as_str(),
                &principal.account_id,
                "read",
                "getHome",
                serde_json::json!({"fields": ["applications", "certificates"]}),
            )
            .await
            .map_err(|err| HomeProblem::Internal(super::internal(&lang, &err)))?;
        Ok(Json(Home {
            real_name_bound: bound,
            applications,
            expiring_certificates,
            featured_services,
            notifications: match notices {
                Ok(page) => NotificationsSection {
                    status: SectionStatus::Fresh,
                    unread: u32::try_from(page.unread).unwrap_or(u32::MAX),
                    latest: page
                        .entries
                        .iter()
                        .map(|entry| NoticeSummary {
                            title: state.push.render(lang.lang, &entry.params).title,
                            created_at: super::rfc3339(entry.created_at.div_euclid(1000)),
                            id: entry.id.clone(),
                        })
                        .collect(),
                },
                Err(err) => {
                    tracing::error!(error = %format!("{err:#}"), "home: notifications unavailable");
                    NotificationsSection {
                        status: SectionStatus::Unavailable,
                        unread: 0,
                        latest: vec![],
                    }
                }
            },
        }))
    }
}
