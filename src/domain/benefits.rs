//! Benefits without application (免申即享): policies whose eligibility is a rule over facts
//! the provincial platform shares, matched against people and enterprises, explained to each
//! in their language. See `docs/benefits-rules.md`.

pub mod explain;
pub mod facts;
pub mod policy;
pub mod rules;
pub mod service;
pub mod sweep;
