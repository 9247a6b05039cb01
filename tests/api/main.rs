//! One integration-test binary; one module per area.

mod auth;
mod authorization;
mod config;
mod errors;
mod health;
mod helpers;
mod home;
mod hooks;
mod locales;
mod me;
mod openapi;
mod resilience;
mod search;
mod services;
