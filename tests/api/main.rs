//! One integration-test binary; one module per area.

mod config;
mod errors;
mod health;
mod helpers;
mod locales;
mod openapi;
mod services;
