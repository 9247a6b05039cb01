//! What the platform pushes through its signed event channel (事件推送, `docs/upstream-gov.md`
//! §10 and §10b): life events, which say whose facts changed, and application status events,
//! which say that one 办件 moved on. Both travel with the same headers and signature
//! ([`super::event_signature`]); the body's `type` tells them apart, and [`GovEvent::parse`]
//! is the one place that reads it.
//!
//! Layout: the application event and its `application` object, then [`GovEvent`], then tests.

use serde::{Deserialize, Serialize};

use super::{EventSubject, I18nText, LifeEvent};

fact_enum!(
    /// What happened in an application status event; one kind so far, kept as an enum so the
    /// body's `type` is checked when it is read.
    ApplicationEventType {
        /// The application's 办理状态 changed.
        StatusChanged = "application_status_changed",
    }
);

/// The `application` object of a status event: which 办件 and where it stands now, with what a
/// notification needs (the item's name in three languages, the supplement deadline), so the
/// receiver can tell the person without asking the platform first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationStatusChange {
    /// 办件编号; not personal (it names the item and a date), so it may be logged.
    pub project_no: String,
    /// The item's 实施编码, as in `POST /api/v1/applications/detail`.
    pub task_code: String,
    /// The item's name as the catalog gives it.
    pub task_name: I18nText,
    /// The new 办理状态 code, `"1"`…`"16"`.
    pub status: String,
    /// Grows by one with each status change of this application (it is the `seq` of the
    /// history step the change added), so a receiver can drop an event that arrives after a
    /// newer one: deliveries are retried and may overtake each other.
    pub status_seq: u32,
    /// `YYYY-MM-DD`, the last day to hand in a supplement; only with status `"6"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
}

/// The body of an application status event (`docs/upstream-gov.md` §10b). The Debug leaves out
/// the holder's code (through [`EventSubject`]'s own Debug).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationEvent {
    /// A UUID v4, also sent as [`super::HEADER_EVENT_ID`]; the same on every retry.
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: ApplicationEventType,
    /// RFC 3339 in Beijing time: when the status changed.
    pub occurred_at: String,
    /// Whose application it is: the person or the enterprise who applied.
    pub subject: EventSubject,
    pub application: ApplicationStatusChange,
}
redacted_debug!(ApplicationEvent, event_id, kind, subject, application);

/// One event from the platform's event channel, told apart by its `type`.
#[derive(Debug, Clone)]
pub enum GovEvent {
    /// A person's or an enterprise's facts changed (§10).
    Life(LifeEvent),
    /// An application changed status (§10b).
    Application(ApplicationEvent),
}

/// Only the `type` of a body, read first to choose the shape of the rest.
#[derive(Deserialize)]
struct TypeOnly {
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl GovEvent {
    /// Reads an event body (after its signature has been checked). A body whose `type` is
    /// `application_status_changed` is an application event; anything else is read as a life
    /// event, exactly as before application events existed, so an unknown `type` fails there.
    pub fn parse(body: &[u8]) -> Result<GovEvent, serde_json::Error> {
        let TypeOnly { kind } = serde_json::from_slice(body)?;
        if kind.as_deref() == Some(ApplicationEventType::StatusChanged.as_str()) {
            serde_json::from_slice(body).map(GovEvent::Application)
        } else {
            serde_json::from_slice(body).map(GovEvent::Life)
        }
    }

    /// The event's id, the same on every retry of one event.
    pub fn event_id(&self) -> &str {
        match self {
            GovEvent::Life(event) => &event.event_id,
            GovEvent::Application(event) => &event.event_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::LifeEventType;
    use super::*;

    fn parse(body: &serde_json::Value) -> Result<GovEvent, serde_json::Error> {
        GovEvent::parse(&serde_json::to_vec(body).expect("json"))
    }

    #[test]
    fn every_life_event_type_still_parses_as_a_life_event() {
        for kind in [
            "birth_registered",
            "disability_certified",
            "subsistence_granted",
            "retired",
            "unemployment_registered",
            "birthday",
            "enterprise_registered",
            "enterprise_changed",
        ] {
            let body = json!({"eventId": "e1", "type": kind,
                "occurredAt": "2026-11-22T10:05:00+08:00",
                "subject": {"type": "person", "idNumber": "654021199912310042"},
                "facts": ["children"]});
            let event = parse(&body).expect(kind);
            let GovEvent::Life(life) = event else {
                panic!("{kind} is a life event");
            };
            assert_eq!(life.kind.as_str(), kind);
            assert_eq!(life.facts, ["children"]);
        }
    }

    #[test]
    fn an_application_status_event_parses_with_its_application() {
        let body = json!({"eventId": "e2", "type": "application_status_changed",
            "occurredAt": "2026-11-22T10:05:00+08:00",
            "subject": {"type": "person", "idNumber": "654021199912310042"},
            "application": {"projectNo": "11654000MB1508279T3000138001001202611200006",
                "taskCode": "11654000MB1508279T3000138001001",
                "taskName": {"zh": "个体工商户设立登记", "ug": "…", "kk": "…"},
                "status": "6", "statusSeq": 2, "dueDate": "2026-11-27"}});
        let event = parse(&body).expect("an application event");
        assert_eq!(event.event_id(), "e2");
        let GovEvent::Application(application) = event else {
            panic!("an application event");
        };
        assert_eq!(application.kind, ApplicationEventType::StatusChanged);
        assert_eq!(
            application.subject,
            EventSubject::Person {
                id_number: "654021199912310042".into()
            }
        );
        let change = &application.application;
        assert_eq!(change.status, "6");
        assert_eq!(change.status_seq, 2);
        assert_eq!(change.due_date.as_deref(), Some("2026-11-27"));
        assert_eq!(change.task_name.zh, "个体工商户设立登记");
        let again = serde_json::to_value(&application).expect("json");
        assert_eq!(again, body, "serializes back to the same body");
    }

    #[test]
    fn an_enterprise_application_without_a_due_date_parses() {
        let body = json!({"eventId": "e3", "type": "application_status_changed",
            "occurredAt": "2026-11-22T10:05:00+08:00",
            "subject": {"type": "enterprise", "creditCode": "91654026MA78K3QJ5X"},
            "application": {"projectNo": "p", "taskCode": "t", "taskName": {"zh": "公司设立登记"},
                "status": "16", "statusSeq": 5}});
        let Ok(GovEvent::Application(event)) = parse(&body) else {
            panic!("an application event");
        };
        assert_eq!(event.application.due_date, None);
        let serialized = serde_json::to_value(&event).expect("json");
        assert!(serialized["application"].get("dueDate").is_none());
    }

    #[test]
    fn unknown_types_and_malformed_bodies_are_errors() {
        let unknown = json!({"eventId": "e4", "type": "moved_house",
            "occurredAt": "2026-11-22T10:05:00+08:00",
            "subject": {"type": "person", "idNumber": "1"}, "facts": []});
        assert!(parse(&unknown).is_err());
        let no_application = json!({"eventId": "e5", "type": "application_status_changed",
            "occurredAt": "2026-11-22T10:05:00+08:00",
            "subject": {"type": "person", "idNumber": "1"}, "facts": []});
        assert!(parse(&no_application).is_err());
        assert!(parse(&json!({"eventId": "e6"})).is_err());
        assert!(GovEvent::parse(b"not json").is_err());
        assert!(GovEvent::parse(b"[1, 2]").is_err());
    }

    #[test]
    fn the_debug_of_an_application_event_names_no_holder() {
        let event = ApplicationEvent {
            event_id: "e7".into(),
            kind: ApplicationEventType::StatusChanged,
            occurred_at: "2026-11-22T10:05:00+08:00".into(),
            subject: EventSubject::Person {
                id_number: "654021199912310042".into(),
            },
            application: ApplicationStatusChange {
                project_no: "p1".into(),
                task_code: "t1".into(),
                task_name: I18nText {
                    zh: "残疾人证换领".into(),
                    ug: None,
                    kk: None,
                },
                status: "16".into(),
                status_seq: 5,
                due_date: None,
            },
        };
        let printed = format!("{:?}", GovEvent::Application(event));
        assert!(!printed.contains("654021199912310042"), "{printed}");
        assert!(printed.contains("p1") && printed.contains("StatusChanged"));
        let life: LifeEvent = serde_json::from_value(json!({"eventId": "e8",
            "type": "retired", "occurredAt": "2026-11-22T10:05:00+08:00",
            "subject": {"type": "person", "idNumber": "654021199912310042"}, "facts": []}))
        .expect("life event");
        assert_eq!(life.kind, LifeEventType::Retired);
        assert!(!format!("{:?}", GovEvent::Life(life)).contains("654021199912310042"));
    }
}
