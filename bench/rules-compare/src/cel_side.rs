//! The `cel` crate: one [`cel::Program`] per rule, facts bound as a `person` map in a child
//! scope of one root [`Context`] (so the standard library is set up once, not per person).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use cel::common::types::{CelBool, CelInt, CelList, CelMap, CelMapKey, CelString};
use cel::common::value::Val;
use cel::objects::{Key, Map};
use cel::{Context, Program, Value};

use crate::check::{Checker, Outcome};
use crate::facts::Person;
use crate::policies::Policy;

/// Which of the crate's two parsers turned the rule text into an AST.
#[derive(Debug, Clone, Copy)]
pub enum CelParser {
    /// The default, ANTLR-generated parser (`Program::compile`).
    Antlr,
    /// The hand-written Pratt parser behind the `parser_pratt` feature.
    #[cfg(feature = "pratt")]
    Pratt,
}

/// An eligibility rule and its optional amount rule, parsed.
struct CompiledPolicy {
    eligibility: cel::parser::Expression,
    amount: Option<cel::parser::Expression>,
}

/// How facts become CEL's input type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CelInput {
    /// Build the `Val` tree (`DefaultMap` of boxed values) directly and bind it with
    /// `add_variable_as_val`: the cheapest way the API allows.
    Direct,
    /// Build a [`Value::Map`] and bind it with `add_variable_from_value`, which converts it
    /// into the same `Val` tree again (the documented way).
    Value,
}

/// The five policies compiled with one parser, and the root context they run in.
pub struct Cel {
    parser: CelParser,
    input: CelInput,
    policies: Vec<CompiledPolicy>,
    root: Context<'static, 'static>,
}

/// Parses one rule with `parser`.
pub fn compile(parser: CelParser, source: &str) -> anyhow::Result<cel::parser::Expression> {
    match parser {
        CelParser::Antlr => Ok(Program::compile(source)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .expression()
            .clone()),
        #[cfg(feature = "pratt")]
        CelParser::Pratt => cel::parser::PrattParser::default()
            .parse(source)
            .map_err(|e| anyhow::anyhow!("{e}")),
    }
}

/// Compiles every rule of one policy: what publishing a policy costs.
pub fn compile_policy(parser: CelParser, policy: &Policy) -> anyhow::Result<()> {
    std::hint::black_box(compile(parser, policy.cel_eligibility)?);
    if let Some(amount) = policy.cel_amount {
        std::hint::black_box(compile(parser, amount)?);
    }
    Ok(())
}

impl Cel {
    /// Compiles the policies with `parser`.
    pub fn new(parser: CelParser, input: CelInput, policies: &[Policy]) -> anyhow::Result<Self> {
        let policies = policies
            .iter()
            .map(|p| {
                Ok(CompiledPolicy {
                    eligibility: compile(parser, p.cel_eligibility)
                        .with_context(|| format!("policy {}", p.name))?,
                    amount: p.cel_amount.map(|a| compile(parser, a)).transpose()?,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Cel {
            parser,
            input,
            policies,
            root: Context::default(),
        })
    }
}

/// The `person` map.
pub fn person_value(p: &Person) -> Value {
    let mut m: HashMap<Key, Value> = HashMap::with_capacity(16);
    let s = |v: &str| Value::String(Arc::new(v.to_owned()));
    m.insert("age".into(), Value::Int(p.age));
    m.insert("sex".into(), s(p.sex));
    m.insert("district".into(), s(&p.district));
    m.insert("prefecture".into(), s(p.prefecture));
    m.insert("hukou".into(), s(p.hukou));
    m.insert("household_size".into(), Value::Int(p.household_size));
    m.insert("income_per_capita".into(), Value::Int(p.income_per_capita));
    m.insert("income_band".into(), s(p.income_band));
    m.insert("disability_level".into(), Value::Int(p.disability_level));
    m.insert(
        "children_count".into(),
        Value::Int(p.children_ages.len() as i64),
    );
    m.insert(
        "children_ages".into(),
        Value::List(Arc::new(
            p.children_ages.iter().map(|&a| Value::Int(a)).collect(),
        )),
    );
    m.insert("employment".into(), s(p.employment));
    m.insert("subsistence".into(), Value::Bool(p.subsistence));
    m.insert("extreme_poverty".into(), Value::Bool(p.extreme_poverty));
    m.insert("living_alone".into(), Value::Bool(p.living_alone));
    m.insert("veteran".into(), Value::Bool(p.veteran));
    Value::Map(Map { map: Arc::new(m) })
}

/// The `person` map as the `Val` tree CEL evaluates on, built without going through [`Value`].
pub fn person_val(p: &Person) -> Box<dyn Val> {
    let mut m: HashMap<CelMapKey<'static>, Box<dyn Val>> = HashMap::with_capacity(16);
    let int = |n: i64| -> Box<dyn Val> { Box::new(CelInt::from(n)) };
    let text = |s: &'static str| -> Box<dyn Val> { Box::new(CelString::from(s)) };
    let flag = |b: bool| -> Box<dyn Val> { Box::new(CelBool::from(b)) };
    m.insert("age".into(), int(p.age));
    m.insert("sex".into(), text(p.sex));
    m.insert(
        "district".into(),
        Box::new(CelString::from(p.district.clone())),
    );
    m.insert("prefecture".into(), text(p.prefecture));
    m.insert("hukou".into(), text(p.hukou));
    m.insert("household_size".into(), int(p.household_size));
    m.insert("income_per_capita".into(), int(p.income_per_capita));
    m.insert("income_band".into(), text(p.income_band));
    m.insert("disability_level".into(), int(p.disability_level));
    m.insert("children_count".into(), int(p.children_ages.len() as i64));
    let ages: Vec<Box<dyn Val>> = p.children_ages.iter().map(|&a| int(a)).collect();
    m.insert("children_ages".into(), Box::new(CelList::from(ages)));
    m.insert("employment".into(), text(p.employment));
    m.insert("subsistence".into(), flag(p.subsistence));
    m.insert("extreme_poverty".into(), flag(p.extreme_poverty));
    m.insert("living_alone".into(), flag(p.living_alone));
    m.insert("veteran".into(), flag(p.veteran));
    Box::new(CelMap::from(m))
}

impl Checker for Cel {
    type Input<'a> = Context<'a, 'static>;

    fn label(&self) -> &'static str {
        match (self.parser, self.input) {
            (CelParser::Antlr, CelInput::Direct) => "cel 0.15 (ANTLR parser)",
            (CelParser::Antlr, CelInput::Value) => "cel 0.15 (ANTLR), Value input",
            #[cfg(feature = "pratt")]
            (CelParser::Pratt, CelInput::Direct) => "cel 0.15 (Pratt parser)",
            #[cfg(feature = "pratt")]
            (CelParser::Pratt, CelInput::Value) => "cel 0.15 (Pratt), Value input",
        }
    }

    fn convert<'a>(&'a self, person: &Person) -> Context<'a, 'static> {
        let mut scope = self.root.new_inner_scope();
        match self.input {
            CelInput::Direct => scope.add_variable_as_val("person", person_val(person)),
            CelInput::Value => scope.add_variable_from_value("person", person_value(person)),
        }
        scope
    }

    fn check(&self, policy: usize, input: &Context<'_, 'static>) -> anyhow::Result<Outcome> {
        let compiled = &self.policies[policy];
        let eligible = match Value::resolve(&compiled.eligibility, input) {
            Ok(Value::Bool(b)) => b,
            other => bail!("eligibility of policy {policy} gave {other:?}"),
        };
        let amount = match (&compiled.amount, eligible) {
            (Some(rule), true) => match Value::resolve(rule, input) {
                Ok(Value::Int(n)) => n,
                other => bail!("amount of policy {policy} gave {other:?}"),
            },
            _ => 0,
        };
        Ok(Outcome { eligible, amount })
    }
}
