//! The simulated platform exercised through the real [`GovClient`]: every endpoint's success
//! and its error codes, as Tongban will meet them.

mod applications;
mod appointments;
mod certificates;
mod directory;
mod facts;
mod faults;
mod progress;
mod receiver;

use jiff::{
    Span,
    civil::{Date, Weekday},
};

use super::{GovSim, demo_citizens, demo_enterprises};
use crate::{
    config::GovUpstreamConfig,
    upstream::gov::{GovClient, Holder, HolderType},
};

async fn client_and_sim() -> (GovClient, GovSim) {
    // These tests watch the platform's answers, not the client's resilience: one attempt per
    // call, and a breaker that never opens.
    let mut config = GovUpstreamConfig::default();
    config.resilience.retry_max_attempts = 1;
    config.resilience.breaker_consecutive_failures = u32::MAX;
    config.resilience.breaker_failure_ratio = 2.0;
    let sim = GovSim::start(&config.app_key, &config.app_secret)
        .await
        .expect("sim starts");
    let client = GovClient::new(&config, sim.base_url()).expect("client");
    (client, sim)
}

/// The `i`-th demo citizen as a holder (type 111).
fn citizen(i: usize) -> Holder {
    Holder {
        code: demo_citizens()[i].id_number.to_string(),
        code_type: HolderType::Citizen,
    }
}

/// The `i`-th demo enterprise as a holder (type 001).
fn enterprise(i: usize) -> Holder {
    Holder::enterprise(demo_enterprises()[i].uscc)
}

/// The working day `skip` working days after the next one, in Beijing.
fn working_day(skip: usize) -> Date {
    let mut date = super::records::now().date();
    let mut left = skip + 1;
    while left > 0 {
        date = date.saturating_add(Span::new().days(1));
        if !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    date
}
