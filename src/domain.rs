//! Domain types and use cases. Upstream data becomes these types at the boundary; handlers in
//! `api` shape them into responses.

pub mod account;
pub mod admin;
pub mod audit;
pub mod benefits;
pub mod cache;
pub mod catalog;
pub mod content;
pub mod events;
pub mod halls;
pub mod idempotency;
pub mod identity;
pub mod login;
pub mod push;
pub mod records;
pub mod session;
