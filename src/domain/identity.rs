//! Identity primitives for real-name features: the ID number parsed at the edge
//! ([`id_number`]), masking applied server-side before personal data is shown ([`mask`]), and
//! the vault that seals personal data at rest and indexes ID numbers by a keyed hash
//! ([`vault`]). The real-name check itself is the gov platform's
//! (`upstream::gov::GovClient::verify_identity`).

pub mod id_number;
pub mod mask;
pub mod vault;
