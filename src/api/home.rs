//! `GET /v1/home`: the home screen in one request. Its sections come from different upstream
//! calls made in parallel, each with its own deadline: the answer takes as long as the slowest
//! section, not the sum, and a failing upstream costs only its own section, which says so.

use std::{future::Future, sync::Arc, time::Duration};

use poem::web::Data;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, payload::Json};

use super::{
    ApiTags,
    records::{
        ApplicationSummaryView, CertificateView, certificate_view, expires_in_days, summary_view,
        today,
    },
    rendered::{Kept, Rendered, SameInputs},
    services::{ServiceSummary, summary},
};
use crate::{
    AppState,
    domain::{
        account::VerifiedPerson,
        cache::Freshness,
        catalog::{self, ServiceItem},
        push::inbox::InboxPage,
        records::ApplicationStatus,
    },
    http::{auth::CitizenAuth, context::RequestCtx, problem::Problem},
    i18n::Lang,
    upstream::gov::wire::{ApplicationSummary, Certificate},
};

pub struct HomeApi;

/// Certificates expiring within this many days are shown.
const EXPIRY_HORIZON_DAYS: i32 = 90;

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
    ) -> Result<Rendered<Home>, HomeProblem> {
        let principal = &auth.0;
        let account_id = principal.account_id.as_str();
        // Boxed: the sections' futures are large, and an unboxed handler future is copied
        // whole each time poem moves it (`memmove` was an eighth of a cached screen's CPU).
        let gathered = Box::pin(gather(&state, account_id));
        // The read is recorded while the sections are fetched, not after them: its commit
        // waits for the audit writer's next batch, which then adds nothing to the screen's
        // time. The screen is sent only once the record is stored; a screen that fails after
        // it leaves a record of a read that returned nothing, never the reverse.
        let audited = Box::pin(state.audit.own(
            lang.request_id.as_str(),
            &principal.account_id,
            "read",
            "getHome",
            serde_json::json!({"fields": ["applications", "certificates"]}),
        ));
        let (inputs, audited) = tokio::join!(gathered, audited);
        let inputs = inputs.map_err(|err| HomeProblem::Internal(super::internal(&lang, &err)))?;
        audited.map_err(|err| HomeProblem::Internal(super::internal(&lang, &err)))?;
        let body =
            state
                .home_screens
                .render((account_id.to_string(), lang.lang), inputs, |inputs| {
                    render(&state, &lang, inputs)
                });
        Ok(body)
    }
}

/// The sections' data, fetched in parallel, each within the platform's deadline.
async fn gather(state: &AppState, account_id: &str) -> anyhow::Result<Inputs> {
    let person: Option<VerifiedPerson> = state.accounts.verified(account_id).await?;
    let deadline = Duration::from_millis(state.config.upstream.gov.resilience.timeout_ms);
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
    let today = today();
    let age = person.as_ref().map(|p| p.age_on(today));
    let featured = within(
        deadline,
        "featured",
        state.catalog.featured(age, catalog::FEATURED),
    );
    let notices = state.push.home_notices(account_id);
    let (applications, certificates, featured, notices) =
        tokio::join!(applications, certificates, featured, notices);
    Ok(Inputs {
        today,
        bound: person.is_some(),
        applications,
        certificates,
        featured,
        notices: notices
            .map_err(|err| {
                tracing::error!(error = %format!("{err:#}"), "home: notifications unavailable");
            })
            .ok(),
    })
}

/// What one home screen is made of: a screen rendered from the same inputs is the same screen.
pub struct Inputs {
    /// Certificates count the days to their expiry from today.
    today: jiff::civil::Date,
    bound: bool,
    applications: Option<(Arc<Vec<ApplicationSummary>>, Freshness)>,
    certificates: Option<(Arc<Vec<Certificate>>, Freshness)>,
    featured: Option<(Arc<Vec<Arc<ServiceItem>>>, Freshness)>,
    notices: Option<Arc<InboxPage>>,
}

impl SameInputs for Inputs {
    fn same_as(&self, other: &Self) -> bool {
        fn same<T>(a: &Option<(Arc<T>, Freshness)>, b: &Option<(Arc<T>, Freshness)>) -> bool {
            match (a, b) {
                (Some((a, fa)), Some((b, fb))) => a.same_as(b) && fa == fb,
                (None, None) => true,
                _ => false,
            }
        }
        self.today == other.today
            && self.bound == other.bound
            && same(&self.applications, &other.applications)
            && same(&self.certificates, &other.certificates)
            && same(&self.featured, &other.featured)
            && match (&self.notices, &other.notices) {
                (Some(a), Some(b)) => a.same_as(b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// Each person's last home screen per language, rendered and serialized, sent again while its
/// inputs are the same (rendering and serializing were a third of a cached home screen's CPU:
/// BENCHMARKS.md, load (c)). Kept per person and language, so one person's screen is never
/// sent to another; 64 MiB of them at most, each for a minute after its last use.
pub type HomeScreens = Kept<(String, Lang), Inputs, Home>;

pub fn home_screens() -> HomeScreens {
    Kept::new(64 * 1024 * 1024, Duration::from_secs(60))
}

/// The screen in the request's language.
fn render(state: &AppState, lang: &RequestCtx, inputs: &Inputs) -> Home {
    let unavailable = |bound: bool| {
        if bound {
            UnavailableReason::UpstreamUnavailable
        } else {
            UnavailableReason::RealNameRequired
        }
    };
    let bound = inputs.bound;
    let applications = match &inputs.applications {
        Some((list, freshness)) => {
            let mut items: Vec<_> = list
                .iter()
                .filter(|a| {
                    // Still with the department, or decided with the result waiting to be
                    // collected: both are things the person is waiting on.
                    let status = ApplicationStatus::from_code(&a.status);
                    status.in_progress() || status.needs_action()
                })
                .map(|a| summary_view(lang, a))
                .collect();
            items.sort_by_key(|a| !a.needs_action);
            ApplicationsSection {
                status: status_of(*freshness),
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
    let expiring_certificates = match &inputs.certificates {
        Some((list, freshness)) => {
            let mut expiring: Vec<_> = list
                .iter()
                .filter(|c| expires_in_days(c).is_some_and(|d| d <= EXPIRY_HORIZON_DAYS))
                .collect();
            expiring.sort_by_key(|c| expires_in_days(c));
            CertificatesSection {
                status: status_of(*freshness),
                reason: None,
                items: expiring
                    .into_iter()
                    .map(|c| certificate_view(lang, c))
                    .collect(),
            }
        }
        None => CertificatesSection {
            status: SectionStatus::Unavailable,
            reason: Some(unavailable(bound)),
            items: vec![],
        },
    };
    let featured_services = match &inputs.featured {
        Some((items, freshness)) => FeaturedSection {
            status: status_of(*freshness),
            reason: None,
            items: items.iter().map(|item| summary(lang, item)).collect(),
        },
        None => FeaturedSection {
            status: SectionStatus::Unavailable,
            reason: Some(UnavailableReason::UpstreamUnavailable),
            items: vec![],
        },
    };
    let notifications = match &inputs.notices {
        Some(page) => NotificationsSection {
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
        None => NotificationsSection {
            status: SectionStatus::Unavailable,
            unread: 0,
            latest: vec![],
        },
    };
    Home {
        real_name_bound: bound,
        applications,
        expiring_certificates,
        featured_services,
        notifications,
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::Example;

    use super::*;

    fn inputs() -> Inputs {
        Inputs {
            today: jiff::civil::date(2026, 11, 23),
            bound: true,
            applications: Some((Arc::new(vec![]), Freshness::Fresh)),
            certificates: Some((Arc::new(vec![]), Freshness::Fresh)),
            featured: Some((Arc::new(vec![]), Freshness::Fresh)),
            notices: Some(Arc::new(InboxPage {
                entries: vec![],
                next: None,
                unread: 0,
            })),
        }
    }

    /// The same inputs: the same `Arc`s.
    fn copy(of: &Inputs) -> Inputs {
        Inputs {
            today: of.today,
            bound: of.bound,
            applications: of.applications.clone(),
            certificates: of.certificates.clone(),
            featured: of.featured.clone(),
            notices: of.notices.clone(),
        }
    }

    #[test]
    fn inputs_are_the_same_only_when_every_part_is_the_same_value() {
        let base = inputs();
        assert!(base.same_as(&copy(&base)));
        let changes: [fn(&mut Inputs); 7] = [
            |i| i.today = jiff::civil::date(2026, 11, 24),
            |i| i.bound = false,
            // Equal contents fetched anew are another fetch.
            |i| i.applications = Some((Arc::new(vec![]), Freshness::Fresh)),
            |i| i.certificates.as_mut().expect("some").1 = Freshness::Stale,
            |i| i.featured = None,
            |i| {
                i.notices = Some(Arc::new(InboxPage {
                    entries: vec![],
                    next: None,
                    unread: 0,
                }))
            },
            |i| i.notices = None,
        ];
        for (n, change) in changes.iter().enumerate() {
            let mut changed = copy(&base);
            change(&mut changed);
            assert!(!base.same_as(&changed), "change {n}");
            assert!(!changed.same_as(&base), "change {n}");
        }
    }

    #[test]
    fn a_screen_is_kept_per_person_and_language_and_made_again_when_its_inputs_change() {
        let screens = home_screens();
        let base = inputs();
        let renders = std::cell::Cell::new(0);
        let render = |who: &str, lang: Lang, inputs: Inputs| {
            screens.render((who.to_string(), lang), inputs, |_| {
                renders.set(renders.get() + 1);
                Home::example()
            })
        };
        render("a", Lang::ZhHans, copy(&base));
        render("a", Lang::ZhHans, copy(&base));
        assert_eq!(renders.get(), 1, "the same inputs: the kept screen");
        render("b", Lang::ZhHans, copy(&base));
        assert_eq!(renders.get(), 2, "another person: their own screen");
        render("a", Lang::UgArab, copy(&base));
        assert_eq!(renders.get(), 3, "another language: another screen");
        let mut changed = copy(&base);
        changed.applications = Some((Arc::new(vec![]), Freshness::Fresh));
        render("a", Lang::ZhHans, changed);
        assert_eq!(renders.get(), 4, "new applications: made again");
    }
}
