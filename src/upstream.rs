//! Clients for the systems behind Tongban. Each speaks the real wire protocol; the simulators
//! in `src/sim` speak the same one.

pub mod alipay;
pub mod gov;
pub mod push;
pub mod resilience;
pub mod wechat;
