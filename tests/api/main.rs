//! One integration-test binary; one module per area.

mod appointments;
mod auth;
mod authorization;
mod benefits;
mod bundles;
mod cluster;
mod cluster_kill;
mod config;
mod errors;
mod health;
mod helpers;
mod home;
mod hooks;
mod locales;
mod me;
mod openapi;
mod push;
mod push_kill;
mod ratings;
mod resilience;
mod search;
mod services;
mod submit;
