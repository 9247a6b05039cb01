//! Life events (事件推送): the simulated platform changes a fact and tells Tongban, as
//! `docs/upstream-gov.md` §10 describes. Tests and the demo drive it through [`GovSim`]: set
//! the sink with [`GovSim::set_event_sink`], then call a mutation (`register_birth`,
//! `certify_disability`, …), which changes the facts first and then delivers the event, or
//! [`GovSim::send_event`] with a hand-made body. Each delivery is signed and tried up to
//! [`EVENT_ATTEMPTS`] times, [`EVENT_RETRY_PAUSE`] apart, until the receiver answers 2xx.
//! For demos without Rust, `POST /api/v1/demo/events/{kind}` on the simulator runs the same
//! mutations (unsigned: the simulator listens on loopback only). Application status events
//! (`progress`, §10b) are delivered by the same `post_event`.

use std::time::Duration;

use anyhow::{Context, bail};
use jiff::civil::Date;
use secrecy::{ExposeSecret, SecretString};

use poem::{
    Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use serde::{Deserialize, Serialize};

use super::{GovSim, facts, lock, ok, records, refuse};
use crate::upstream::gov::wire::{
    self, Employment, EventSubject, IncomeBand, LifeEvent, LifeEventType, PersonFacts,
};

/// How many times one event is sent before the platform gives up.
pub const EVENT_ATTEMPTS: u32 = 3;
/// The pause between two tries of one event.
pub const EVENT_RETRY_PAUSE: Duration = Duration::from_millis(200);

/// Where events go: Tongban's receiver and the key deliveries are signed with.
#[derive(Debug, Clone)]
pub(super) struct EventSink {
    url: String,
    key: SecretString,
}

/// The outcome of delivering one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub event_id: String,
    /// The HTTP status of the last answer; `None` when the receiver never answered.
    pub status: Option<u16>,
    /// Tries made, 1 to [`EVENT_ATTEMPTS`].
    pub attempts: u32,
}

impl Delivery {
    /// The receiver acknowledged the event (answered 2xx).
    pub fn acknowledged(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

impl GovSim {
    /// Sends life events to `url`, signed with `key`; replaces any earlier sink.
    pub fn set_event_sink(&self, url: impl Into<String>, key: SecretString) {
        *lock(&self.state.event_sink) = Some(EventSink {
            url: url.into(),
            key,
        });
    }

    /// 出生登记: adds a child born on `birth_date` to the person's household.
    pub async fn register_birth(
        &self,
        id_number: &str,
        birth_date: Date,
    ) -> anyhow::Result<Delivery> {
        self.change_person(
            id_number,
            LifeEventType::BirthRegistered,
            &["children", "householdSize"],
            |facts| {
                facts.children.push(wire::ChildFacts {
                    birth_date: birth_date.to_string(),
                });
                facts
                    .children
                    .sort_by(|a, b| a.birth_date.cmp(&b.birth_date));
                facts.household_size += 1;
                facts.living_alone = false;
                Ok(())
            },
        )
        .await
    }

    /// A disability certificate at `level` (1 most severe … 4).
    pub async fn certify_disability(&self, id_number: &str, level: u8) -> anyhow::Result<Delivery> {
        if !(1..=4).contains(&level) {
            bail!("a disability level is 1 to 4, not {level}");
        }
        self.change_person(
            id_number,
            LifeEventType::DisabilityCertified,
            &["disabilityLevel"],
            |facts| {
                facts.disability_level = level;
                Ok(())
            },
        )
        .await
    }

    /// 低保认定: the household now receives minimum living support.
    pub async fn grant_subsistence(&self, id_number: &str) -> anyhow::Result<Delivery> {
        self.change_person(
            id_number,
            LifeEventType::SubsistenceGranted,
            &["subsistence", "incomeBand", "incomePerCapita"],
            |facts| {
                facts.subsistence = true;
                facts.extreme_poverty = false;
                facts.income_band = IncomeBand::Subsistence;
                let line = facts::people::subsistence_line(facts.hukou);
                facts.income_per_capita = facts.income_per_capita.min(line - 100);
                Ok(())
            },
        )
        .await
    }

    /// 退休: the person has retired.
    pub async fn retire(&self, id_number: &str) -> anyhow::Result<Delivery> {
        self.change_employment(id_number, LifeEventType::Retired, Employment::Retired)
            .await
    }

    /// 失业登记: the person registered as unemployed.
    pub async fn register_unemployment(&self, id_number: &str) -> anyhow::Result<Delivery> {
        self.change_employment(
            id_number,
            LifeEventType::UnemploymentRegistered,
            Employment::Unemployed,
        )
        .await
    }

    /// Tells Tongban it is the person's birthday (no fact changes but their age).
    pub async fn announce_birthday(&self, id_number: &str) -> anyhow::Result<Delivery> {
        self.change_person(id_number, LifeEventType::Birthday, &["birthDate"], |_| {
            Ok(())
        })
        .await
    }

    /// 设立登记: a new micro limited company in `district` (a county of Ili) and GB/T 4754
    /// section `industry`, registered today; answers its credit code and the delivery.
    pub async fn register_enterprise(
        &self,
        district: &str,
        industry: &str,
    ) -> anyhow::Result<(String, Delivery)> {
        let today = records::now().date();
        let credit_code = {
            let mut population = lock(&self.state.facts);
            let seed = uuid::Uuid::new_v4().as_u64_pair().0;
            let facts = facts::enterprises::registered_today(
                &mut facts::Rng::new(seed),
                today,
                district,
                industry,
                &population.enterprises,
            )?;
            let code = facts.credit_code.clone();
            population.enterprises.insert(code.clone(), facts);
            code
        };
        let subject = EventSubject::Enterprise {
            credit_code: credit_code.clone(),
        };
        let delivery = self
            .deliver(LifeEventType::EnterpriseRegistered, subject, &[])
            .await?;
        Ok((credit_code, delivery))
    }

    /// The enterprise hired and insured `count` more college graduates this year.
    pub async fn hire_graduates(&self, credit_code: &str, count: u32) -> anyhow::Result<Delivery> {
        {
            let mut population = lock(&self.state.facts);
            let facts = population
                .enterprises
                .get_mut(credit_code)
                .context("no such enterprise")?;
            facts.graduate_hires += count;
            facts.employees += count;
            facts.updated_at = records::rfc3339(&records::now());
        }
        let subject = EventSubject::Enterprise {
            credit_code: credit_code.to_string(),
        };
        self.deliver(
            LifeEventType::EnterpriseChanged,
            subject,
            &["graduateHires", "employees"],
        )
        .await
    }

    /// Delivers a hand-made event body as it is (for tests of the receiver's checks); the
    /// event id header is the body's `eventId` when it has one, a fresh one otherwise.
    pub async fn send_event(&self, event: &serde_json::Value) -> anyhow::Result<Delivery> {
        let event_id = event["eventId"]
            .as_str()
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
        let body = serde_json::to_vec(event).context("encoding the event")?;
        self.post_event(event_id, body).await
    }

    async fn change_employment(
        &self,
        id_number: &str,
        kind: LifeEventType,
        employment: Employment,
    ) -> anyhow::Result<Delivery> {
        self.change_person(id_number, kind, &["employment"], |facts| {
            facts.employment = employment;
            Ok(())
        })
        .await
    }

    /// Changes one person's facts under the lock, then delivers the event (the lock is not
    /// held while sending).
    async fn change_person(
        &self,
        id_number: &str,
        kind: LifeEventType,
        changed: &[&str],
        change: impl FnOnce(&mut PersonFacts) -> anyhow::Result<()>,
    ) -> anyhow::Result<Delivery> {
        {
            let mut population = lock(&self.state.facts);
            let person = population
                .people
                .get_mut(id_number)
                .context("no such person")?;
            change(&mut person.facts)?;
            person.facts.updated_at = records::rfc3339(&records::now());
        }
        let subject = EventSubject::Person {
            id_number: id_number.to_string(),
        };
        self.deliver(kind, subject, changed).await
    }

    async fn deliver(
        &self,
        kind: LifeEventType,
        subject: EventSubject,
        changed: &[&str],
    ) -> anyhow::Result<Delivery> {
        let event = LifeEvent {
            event_id: uuid::Uuid::new_v4().to_string(),
            kind,
            occurred_at: records::rfc3339(&records::now()),
            subject,
            facts: changed.iter().map(|fact| fact.to_string()).collect(),
        };
        let body = serde_json::to_vec(&event).context("encoding the event")?;
        self.post_event(event.event_id, body).await
    }

    /// Sends one signed event body until it is acknowledged or the tries run out; application
    /// status events (`progress`) go out through it too, on the same channel.
    pub(super) async fn post_event(
        &self,
        event_id: String,
        body: Vec<u8>,
    ) -> anyhow::Result<Delivery> {
        let sink = lock(&self.state.event_sink)
            .clone()
            .context("no event sink is set")?;
        let key = sink.key.expose_secret().as_bytes();
        let mut status = None;
        for attempt in 1..=EVENT_ATTEMPTS {
            if attempt > 1 {
                tokio::time::sleep(EVENT_RETRY_PAUSE).await;
            }
            let timestamp = jiff::Timestamp::now().as_second();
            let answer = self
                .state
                .event_http
                .post(&sink.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(wire::HEADER_EVENT_ID, &event_id)
                .header(wire::HEADER_TIMESTAMP, timestamp.to_string())
                .header(
                    wire::HEADER_SIGNATURE,
                    wire::event_signature(key, timestamp, &event_id, &body),
                )
                .body(body.clone())
                .send()
                .await;
            status = match answer {
                Ok(response) => Some(response.status().as_u16()),
                Err(err) => {
                    tracing::warn!(%err, attempt, "event not delivered");
                    None
                }
            };
            let delivery = Delivery {
                event_id: event_id.clone(),
                status,
                attempts: attempt,
            };
            if delivery.acknowledged() {
                return Ok(delivery);
            }
        }
        Ok(Delivery {
            event_id,
            status,
            attempts: EVENT_ATTEMPTS,
        })
    }
}

/// The body of `POST /api/v1/demo/events/{kind}`; which fields matter depends on the kind.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct DemoEvent {
    id_number: String,
    /// `birth`: the child's birth date (`YYYY-MM-DD`), today when absent.
    birth_date: Option<String>,
    /// `disability`: the certificate's level, 1–4.
    level: Option<u8>,
    /// `enterprise`: where and in which GB/T 4754 section it registers.
    district: String,
    industry: String,
    /// `graduates`: the enterprise and how many it hired.
    credit_code: String,
    count: Option<u32>,
}

/// What a demo route answers: the delivery, and the new enterprise's code for `enterprise`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DemoAnswer {
    #[serde(flatten)]
    delivery: Delivery,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit_code: Option<String>,
}

/// `POST /api/v1/demo/events/{kind}`: `birth`, `disability`, `subsistence`, `retired`,
/// `unemployment`, `birthday`, `enterprise` or `graduates`; runs the mutation and delivers its
/// event, answering the delivery. An unknown kind is `404`, a failed mutation `422`.
#[handler]
pub(super) async fn demo_event(
    Path(kind): Path<String>,
    body: Vec<u8>,
    Data(sim): Data<&GovSim>,
) -> Response {
    let Ok(event) = serde_json::from_slice::<DemoEvent>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            wire::CODE_BAD_REQUEST,
            "请求参数错误",
        );
    };
    let id = event.id_number.as_str();
    let outcome = match kind.as_str() {
        "birth" => {
            let born = match event.birth_date.as_deref().map(str::parse::<Date>) {
                None => records::now().date(),
                Some(Ok(date)) => date,
                Some(Err(_)) => {
                    return refuse(StatusCode::BAD_REQUEST, wire::CODE_BAD_REQUEST, "日期无效");
                }
            };
            sim.register_birth(id, born).await
        }
        "disability" => sim.certify_disability(id, event.level.unwrap_or(0)).await,
        "subsistence" => sim.grant_subsistence(id).await,
        "retired" => sim.retire(id).await,
        "unemployment" => sim.register_unemployment(id).await,
        "birthday" => sim.announce_birthday(id).await,
        "graduates" => {
            let count = event.count.unwrap_or(1);
            sim.hire_graduates(&event.credit_code, count).await
        }
        "enterprise" => {
            return match sim
                .register_enterprise(&event.district, &event.industry)
                .await
            {
                Ok((code, delivery)) => ok(DemoAnswer {
                    delivery,
                    credit_code: Some(code),
                }),
                Err(err) => demo_refusal(&err),
            };
        }
        _ => return super::not_found("没有这种事件"),
    };
    match outcome {
        Ok(delivery) => ok(DemoAnswer {
            delivery,
            credit_code: None,
        }),
        Err(err) => demo_refusal(&err),
    }
}

/// The mutations' errors name no personal data ("no such person"), so the demo may see them.
fn demo_refusal(err: &anyhow::Error) -> Response {
    refuse(
        StatusCode::UNPROCESSABLE_ENTITY,
        wire::CODE_VALIDATION,
        &format!("{err:#}"),
    )
}
