//! The platform's public directory next to the catalog: themes (主题), "one thing done once"
//! bundles (一件事一次办) and the prefecture's government-service halls, all read from
//! `seed/*.json` at start-up and served as they are.

use std::sync::Arc;

use anyhow::Context;
use poem::{
    Request, Response, handler,
    web::{Data, Path},
};
use serde::Deserialize;

use super::{SimState, admit, not_found, ok};
use crate::upstream::gov::wire::{Bundle, Hall, Theme};

const SEED_THEMES: &str = include_str!("seed/themes.json");
const SEED_BUNDLES: &str = include_str!("seed/bundles.json");
const SEED_HALLS: &str = include_str!("seed/halls.json");

/// A hall as seeded: what the platform publishes plus how many people one slot takes.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HallSeed {
    #[serde(flatten)]
    pub hall: Hall,
    /// Places per half-hour slot: roughly the windows that take appointments.
    pub slot_capacity: u32,
}

#[derive(Debug)]
pub(super) struct Directory {
    pub themes: Vec<Theme>,
    pub bundles: Vec<Bundle>,
    pub halls: Vec<HallSeed>,
}

impl Directory {
    /// Parses the embedded seed files; fails if one is broken.
    pub fn load() -> anyhow::Result<Self> {
        Ok(Self {
            themes: serde_json::from_str(SEED_THEMES).context("seed themes are not valid")?,
            bundles: serde_json::from_str(SEED_BUNDLES).context("seed bundles are not valid")?,
            halls: serde_json::from_str(SEED_HALLS).context("seed halls are not valid")?,
        })
    }

    pub fn hall(&self, hall_id: &str) -> Option<&HallSeed> {
        self.halls.iter().find(|seed| seed.hall.hall_id == hall_id)
    }
}

#[handler]
pub(super) async fn themes(req: &Request, Data(state): Data<&Arc<SimState>>) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    ok(&state.directory.themes)
}

#[handler]
pub(super) async fn bundles(req: &Request, Data(state): Data<&Arc<SimState>>) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    ok(&state.directory.bundles)
}

#[handler]
pub(super) async fn bundle(
    req: &Request,
    Path(code): Path<String>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    match state.directory.bundles.iter().find(|b| b.code == code) {
        Some(bundle) => ok(bundle),
        None => not_found("一件事不存在"),
    }
}

#[handler]
pub(super) async fn halls(req: &Request, Data(state): Data<&Arc<SimState>>) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    let halls: Vec<&Hall> = state
        .directory
        .halls
        .iter()
        .map(|seed| &seed.hall)
        .collect();
    ok(halls)
}
