//! What both libraries are measured through: compile the five policies once, convert a person's
//! facts into the library's input type, check one policy against converted facts.

use crate::facts::Person;

/// The result of one person × policy check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub eligible: bool,
    /// Amount in fen for eligible people of a policy with an amount rule; 0 otherwise.
    pub amount: i64,
}

/// One library with the five policies compiled.
pub trait Checker {
    /// The facts of one person in the library's input type.
    type Input<'a>
    where
        Self: 'a;

    /// Report label.
    fn label(&self) -> &'static str;

    /// Converts a person's facts into the input type.
    fn convert<'a>(&'a self, person: &Person) -> Self::Input<'a>;

    /// Checks policy `policy` (index into [`crate::policies::POLICIES`]).
    fn check(&self, policy: usize, input: &Self::Input<'_>) -> anyhow::Result<Outcome>;
}
