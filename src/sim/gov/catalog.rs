//! The implementation list (实施清单): pages ordered by task code, and single items.

use std::sync::Arc;

use poem::{
    Request, Response, handler,
    web::{Data, Path, Query},
};
use serde::Deserialize;

use super::{SimState, admit, not_found, ok};
use crate::upstream::gov::wire::{Page, TaskItem};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageQuery {
    page_no: Option<u32>,
    page_size: Option<u32>,
    /// Comma-separated theme codes: items listed under any of them.
    themes: Option<String>,
    /// `1` person, `2` enterprise: items serving that kind of applicant.
    server_type: Option<String>,
    /// `true`: only items that can be applied for online.
    online_apply: Option<bool>,
    /// `brief`: items without acceptance conditions, materials and special procedures.
    view: Option<String>,
}

impl PageQuery {
    fn admits(&self, item: &TaskItem) -> bool {
        self.themes.as_deref().is_none_or(|themes| {
            themes
                .split(',')
                .any(|theme| item.themes.iter().any(|t| t == theme))
        }) && self
            .server_type
            .as_ref()
            .is_none_or(|object| item.server_type.contains(object))
            && self
                .online_apply
                .is_none_or(|online| item.online_apply == online)
    }
}

#[handler]
pub(super) async fn list_items(
    req: &Request,
    Query(query): Query<PageQuery>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    let page_no = query.page_no.unwrap_or(1).max(1);
    let page_size = query.page_size.unwrap_or(20).clamp(1, 100);
    let matching = state.items.iter().filter(|item| query.admits(item));
    let total = matching.clone().count();
    let brief = query.view.as_deref() == Some("brief");
    let list = matching
        .skip(((page_no - 1) * page_size) as usize)
        .take(page_size as usize)
        .map(|item| if brief { item.brief() } else { item.clone() })
        .collect();
    ok(Page {
        total: total as u64,
        page_no,
        page_size,
        list,
    })
}

#[handler]
pub(super) async fn get_item(
    req: &Request,
    Path(code): Path<String>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    match state.items.iter().find(|item| item.task_code == code) {
        Some(item) => ok(item.clone()),
        None => not_found("事项不存在"),
    }
}
