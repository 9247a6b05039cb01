//! Domain types and use cases. Upstream data becomes these types at the boundary; handlers in
//! `api` shape them into responses.

pub mod catalog;
