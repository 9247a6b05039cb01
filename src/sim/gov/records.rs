//! The simulated platform's personal records (applications, e-certificates, appointments,
//! ratings) and the answers it keeps per idempotency key. Everything lives behind one mutex in
//! `SimState`, so each request's check-then-change is atomic.

use std::collections::HashMap;

use jiff::{Zoned, tz::TimeZone};

use super::{appointments, certificates, demo_applications, directory::Directory};
use crate::upstream::gov::wire::{
    Application, Appointment, Certificate, HolderType, RatingReceipt, TaskItem,
};

/// Beijing time (+08:00, no daylight saving): every time the platform shows.
pub(super) fn beijing() -> TimeZone {
    TimeZone::fixed(jiff::tz::offset(8))
}

/// The platform's clock.
pub(super) fn now() -> Zoned {
    jiff::Timestamp::now().to_zoned(beijing())
}

/// RFC 3339 with the +08:00 offset, as the platform writes times.
pub(super) fn rfc3339(time: &Zoned) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[derive(Debug, Clone)]
pub(super) struct StoredApplication {
    pub holder_code: String,
    pub holder_type: HolderType,
    pub application: Application,
}

#[derive(Debug, Clone)]
pub(super) struct StoredCertificate {
    pub holder_code: String,
    pub holder_type: HolderType,
    pub certificate: Certificate,
}

#[derive(Debug, Clone)]
pub(super) struct StoredAppointment {
    pub holder_code: String,
    pub appointment: Appointment,
}

/// What the platform did with an idempotency key before.
pub(super) enum Replay {
    /// Never seen: handle the request.
    New,
    /// Seen with the same body: answer this again.
    Repeat(serde_json::Value),
    /// Seen with another body.
    Conflict,
}

#[derive(Debug)]
struct Reply {
    request: serde_json::Value,
    answer: serde_json::Value,
}

#[derive(Debug, Default)]
pub(super) struct Records {
    pub applications: Vec<StoredApplication>,
    pub certificates: Vec<StoredCertificate>,
    pub appointments: Vec<StoredAppointment>,
    /// One rating per application, by project number.
    pub ratings: HashMap<String, RatingReceipt>,
    /// Benefit claims (待遇申领), in the order filed.
    pub claims: Vec<crate::upstream::gov::wire::BenefitClaimRecord>,
    /// Successful answers by (operation, client request id).
    replies: HashMap<(&'static str, String), Reply>,
    sequence: u64,
}

impl Records {
    /// The demo people's records, dated relative to `now` so that "due in 3 days" and
    /// "expires within 90 days" hold whenever the simulator starts.
    pub fn seeded(items: &[TaskItem], directory: &Directory, now: &Zoned) -> Self {
        Self {
            applications: demo_applications::seed(items, now),
            certificates: certificates::seed(now),
            appointments: appointments::seed(directory, now),
            ..Self::default()
        }
    }

    /// A number that is never handed out twice, for new ids.
    pub fn next_sequence(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    pub fn replay(
        &self,
        operation: &'static str,
        request_id: &str,
        request: &serde_json::Value,
    ) -> Replay {
        match self.replies.get(&(operation, request_id.to_string())) {
            None => Replay::New,
            Some(reply) if reply.request == *request => Replay::Repeat(reply.answer.clone()),
            Some(_) => Replay::Conflict,
        }
    }

    /// Keeps a successful answer for replays of the same key.
    pub fn remember(
        &mut self,
        operation: &'static str,
        request_id: &str,
        request: serde_json::Value,
        answer: serde_json::Value,
    ) {
        self.replies.insert(
            (operation, request_id.to_string()),
            Reply { request, answer },
        );
    }

    /// The holder's application; `None` also when it is someone else's.
    pub fn application_mut(
        &mut self,
        project_no: &str,
        holder_code: &str,
    ) -> Option<&mut StoredApplication> {
        self.applications.iter_mut().find(|stored| {
            stored.application.project_no == project_no && stored.holder_code == holder_code
        })
    }
}
