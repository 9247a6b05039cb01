//! The implementation list (实施清单): pages ordered by task code, and single items.

use std::sync::Arc;

use poem::{
    Request, Response, handler,
    web::{Data, Path, Query},
};
use serde::Deserialize;

use super::{SimState, admit, not_found, ok};
use crate::upstream::gov::wire::Page;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageQuery {
    page_no: Option<u32>,
    page_size: Option<u32>,
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
    let list = state
        .items
        .iter()
        .skip(((page_no - 1) * page_size) as usize)
        .take(page_size as usize)
        .cloned()
        .collect();
    ok(Page {
        total: state.items.len() as u64,
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
