//! zen-engine: one pre-compiled [`Decision`] per policy, facts as a `{"person": {…}}`
//! [`Variable`]. `Decision::evaluate` is async; it is driven by [`block_on`], a poll loop with a
//! no-op waker, since decision tables and expression nodes never wait on I/O (no runtime cost
//! is charged to zen that a tokio runtime would add).

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};

use anyhow::{Context as _, bail};
use serde_json::Value;
use zen_engine::model::DecisionContent;
use zen_engine::{Decision, DecisionEngine, Variable};
use zen_expression::variable::{Symbol, VariableMap};

use crate::check::{Checker, Outcome};
use crate::facts::Person;
use crate::policies::Policy;

/// The JDM form a policy is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZenForm {
    /// `input → decision table (first hit) → output`.
    Table,
    /// `input → expression node → output`.
    Expression,
}

/// How facts become zen's input type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZenInput {
    /// Build the [`Variable`] straight from the struct (the cheapest way the API allows).
    Direct,
    /// Build a `serde_json::Value`, then `Variable::from` (the documented way).
    Json,
}

/// The five policies as decisions.
pub struct Zen {
    form: ZenForm,
    input: ZenInput,
    precompiled: bool,
    decisions: Vec<Decision>,
}

/// Runs a future that never waits on anything outside itself.
pub fn block_on<F: Future>(future: F) -> anyhow::Result<F::Output> {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    for _ in 0..1_000 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return Ok(out);
        }
    }
    bail!("a zen evaluation kept waiting: it needs a real runtime")
}

/// The JDM text of `policy` in `form`.
pub fn jdm_text(policy: &Policy, form: ZenForm) -> String {
    match form {
        ZenForm::Table => policy.zen_table_jdm(),
        ZenForm::Expression => policy.zen_expression_jdm(),
    }
    .to_string()
}

/// Parses JDM text into a decision, pre-compiled when `precompile` (what publishing costs).
pub fn create(engine: &DecisionEngine, jdm: &str, precompile: bool) -> anyhow::Result<Decision> {
    let content: DecisionContent = serde_json::from_str(jdm).context("JDM")?;
    let mut decision = engine.create_decision(Arc::new(content))?;
    if precompile {
        decision.compile();
    }
    Ok(decision)
}

impl Zen {
    /// Creates the five decisions.
    pub fn new(
        policies: &[Policy],
        form: ZenForm,
        input: ZenInput,
        precompiled: bool,
    ) -> anyhow::Result<Self> {
        let engine = DecisionEngine::default();
        let decisions = policies
            .iter()
            .map(|p| create(&engine, &jdm_text(p, form), precompiled))
            .collect::<anyhow::Result<_>>()?;
        Ok(Zen {
            form,
            input,
            precompiled,
            decisions,
        })
    }
}

fn num(n: i64) -> Variable {
    Variable::Number(n.into())
}

fn text(s: &str) -> Variable {
    Variable::String(Symbol::from(s))
}

/// `{"person": {…}}` built directly.
pub fn person_variable(p: &Person) -> Variable {
    let mut m = VariableMap::with_capacity(16);
    m.insert_str("age", num(p.age));
    m.insert_str("sex", text(p.sex));
    m.insert_str("district", text(&p.district));
    m.insert_str("prefecture", text(p.prefecture));
    m.insert_str("hukou", text(p.hukou));
    m.insert_str("household_size", num(p.household_size));
    m.insert_str("income_per_capita", num(p.income_per_capita));
    m.insert_str("income_band", text(p.income_band));
    m.insert_str("disability_level", num(p.disability_level));
    m.insert_str("children_count", num(p.children_ages.len() as i64));
    m.insert_str(
        "children_ages",
        Variable::from_array(p.children_ages.iter().map(|&a| num(a)).collect()),
    );
    m.insert_str("employment", text(p.employment));
    m.insert_str("subsistence", Variable::Bool(p.subsistence));
    m.insert_str("extreme_poverty", Variable::Bool(p.extreme_poverty));
    m.insert_str("living_alone", Variable::Bool(p.living_alone));
    m.insert_str("veteran", Variable::Bool(p.veteran));
    let mut root = VariableMap::with_capacity(1);
    root.insert_str("person", Variable::from_object(m));
    Variable::from_object(root)
}

/// `{"person": {…}}` as JSON.
pub fn person_json(p: &Person) -> Value {
    serde_json::json!({"person": {
        "age": p.age, "sex": p.sex, "district": p.district, "prefecture": p.prefecture,
        "hukou": p.hukou, "household_size": p.household_size,
        "income_per_capita": p.income_per_capita, "income_band": p.income_band,
        "disability_level": p.disability_level, "children_count": p.children_ages.len(),
        "children_ages": p.children_ages, "employment": p.employment,
        "subsistence": p.subsistence, "extreme_poverty": p.extreme_poverty,
        "living_alone": p.living_alone, "veteran": p.veteran,
    }})
}

impl Checker for Zen {
    type Input<'a> = Variable;

    fn label(&self) -> &'static str {
        match (self.form, self.input, self.precompiled) {
            (ZenForm::Table, ZenInput::Direct, true) => "zen 2.1.6 table",
            (ZenForm::Table, ZenInput::Json, true) => "zen 2.1.6 table, JSON input",
            (ZenForm::Table, _, false) => "zen 2.1.6 table, not pre-compiled",
            (ZenForm::Expression, _, true) => "zen 2.1.6 expression node",
            (ZenForm::Expression, _, false) => "zen 2.1.6 expression node, not pre-compiled",
        }
    }

    fn convert<'a>(&'a self, person: &Person) -> Variable {
        match self.input {
            ZenInput::Direct => person_variable(person),
            ZenInput::Json => Variable::from(person_json(person)),
        }
    }

    fn check(&self, policy: usize, input: &Variable) -> anyhow::Result<Outcome> {
        // `evaluate` takes the input by value; cloning a Variable is an Rc clone.
        let response = block_on(self.decisions[policy].evaluate(input.clone()))?
            .map_err(|e| anyhow::anyhow!("policy {policy}: {e}"))?;
        let eligible = match response.result.dot("eligible") {
            Some(Variable::Bool(b)) => b,
            other => bail!("eligible of policy {policy} was {other:?}"),
        };
        let amount = match response.result.dot("amount") {
            None => 0,
            Some(Variable::Number(d)) => i64::try_from(d)?,
            Some(other) => bail!("amount of policy {policy} was {other:?}"),
        };
        Ok(Outcome { eligible, amount })
    }
}
