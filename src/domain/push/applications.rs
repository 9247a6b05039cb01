//! Application status events from the provincial platform (`docs/upstream-gov.md` §10b): the
//! changes a person must hear about — approved, supplement requested, ready to collect,
//! rejected — become notifications in the same transaction that claims the event id, so a
//! redelivered event notifies once and a claimed event always has its notification.

use anyhow::Context;

use super::{
    Push,
    outbox::{NewNotification, Params, StatusChange},
};
use crate::{
    domain::{benefits::policy::Text3, records::ApplicationStatus},
    upstream::gov::wire::{ApplicationEvent, I18nText},
};

/// What became of one application event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplicationOutcome {
    /// The event id was seen before: nothing was done.
    pub duplicate: bool,
    /// A notification was written.
    pub notified: bool,
}

/// The change a person is told about, if this status is one.
pub fn change_of(status_code: &str) -> Option<StatusChange> {
    match ApplicationStatus::from_code(status_code) {
        ApplicationStatus::Approved | ApplicationStatus::ApprovedTolerant => {
            Some(StatusChange::Approved)
        }
        ApplicationStatus::SupplementRequested => Some(StatusChange::Supplement),
        ApplicationStatus::ResultReady => Some(StatusChange::Ready),
        ApplicationStatus::Denied | ApplicationStatus::RejectedAtIntake => {
            Some(StatusChange::Rejected)
        }
        _ => None,
    }
}

fn text3(text: &I18nText) -> Text3 {
    Text3 {
        zh_hans: text.zh.clone(),
        ug_arab: text.ug.clone().unwrap_or_else(|| text.zh.clone()),
        kk_arab: text.kk.clone().unwrap_or_else(|| text.zh.clone()),
    }
}

impl Push {
    /// Claims the event and writes the person's notification with it. `account_id` is the
    /// applicant's account, `None` when they do not use Tongban (the event is still claimed).
    pub async fn application_event(
        &self,
        account_id: Option<&str>,
        event: &ApplicationEvent,
    ) -> anyhow::Result<ApplicationOutcome> {
        let outcome = crate::db::transaction!(self.store().writer(), |tx| {
            let claimed = crate::db::query(
                "INSERT INTO gov_events (event_id, received_at, event_type, offers) VALUES ($1, $2, $3, 0)
                 ON CONFLICT (event_id) DO NOTHING",
            )
            .bind(&event.event_id)
            .bind(super::now_ms() / 1000)
            .bind(event.kind.as_str())
            .execute(&mut *tx)
            .await
            .context("claim event")?;
            if claimed.rows_affected() == 0 {
                return Ok(ApplicationOutcome {
                    duplicate: true,
                    notified: false,
                });
            }
            let application = &event.application;
            let mut notified = false;
            if let (Some(account_id), Some(change)) = (account_id, change_of(&application.status)) {
                let changed_at = event
                    .occurred_at
                    .parse::<jiff::Timestamp>()
                    .map(|t| t.as_millisecond())
                    .unwrap_or_else(|_| super::now_ms());
                let version = application.status_seq.to_string();
                let notification = NewNotification {
                    account_id,
                    cause: &application.project_no,
                    version: &version,
                    params: Params::ApplicationStatus {
                        project_no: application.project_no.clone(),
                        service: text3(&application.task_name),
                        change,
                        due: application.due_date.clone(),
                        changed_at,
                    },
                    campaign_id: None,
                };
                notified = self.outbox().enqueue(&mut *tx, &notification).await?;
            }
            Ok(ApplicationOutcome { duplicate: false, notified })
        })
        .await
        .context("application event")?;
        if outcome.notified {
            self.outbox().wake();
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_changes_a_person_must_hear_about_notify() {
        assert_eq!(change_of("11"), Some(StatusChange::Approved));
        assert_eq!(change_of("12"), Some(StatusChange::Approved));
        assert_eq!(change_of("6"), Some(StatusChange::Supplement));
        assert_eq!(change_of("16"), Some(StatusChange::Ready));
        assert_eq!(change_of("13"), Some(StatusChange::Rejected));
        assert_eq!(change_of("4"), Some(StatusChange::Rejected));
        for quiet in ["1", "3", "7", "8", "9"] {
            assert_eq!(change_of(quiet), None, "{quiet}");
        }
    }
}
