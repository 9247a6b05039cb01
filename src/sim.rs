//! Simulators of the systems behind Tongban. Each is a real HTTP server on a loopback port
//! speaking the same wire protocol as the real system (signatures, envelopes, error codes), with
//! state, seed data in three languages, call counters and fault injection for tests.

pub mod alipay;
pub mod delay;
pub mod gov;
pub mod push;
pub mod wechat;
