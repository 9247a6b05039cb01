//! The five benchmark policies, each written once per system with the same meaning.
//!
//! CEL is Tongban's rules language (`docs/benefits-rules.md` §2). For zen-engine each policy is
//! a JDM graph `input → decision table → output` (hit policy `first`, one row per disjunct, a last
//! row with every input empty that outputs `eligible: false`), and, for comparison, the same
//! policy as one expression node in ZEN's expression language.

use serde_json::{Value, json};

/// One policy in both systems.
pub struct Policy {
    /// Short name used in the report.
    pub name: &'static str,
    /// CEL eligibility rule (`bool`).
    pub cel_eligibility: &'static str,
    /// CEL amount rule (`int`, fen), evaluated only for eligible people.
    pub cel_amount: Option<&'static str>,
    /// ZEN decision table: `(input fields, rows)`; a row is one unary test per input, `""` = any.
    pub zen_table: (&'static [&'static str], &'static [&'static [&'static str]]),
    /// ZEN amount expression, the output cell of every matching row (policy 3 only).
    pub zen_amount: Option<&'static str>,
    /// ZEN expression language: the eligibility as one expression.
    pub zen_expression: &'static str,
}

/// The five policies of the brief, in order.
pub const POLICIES: [Policy; 5] = [
    Policy {
        name: "1 elderly allowance",
        cel_eligibility: "person.age >= 80 && person.prefecture == '654000'",
        cel_amount: None,
        zen_table: (
            &["person.age", "person.prefecture"],
            &[&[">= 80", "'654000'"]],
        ),
        zen_amount: None,
        zen_expression: "person.age >= 80 and person.prefecture == '654000'",
    },
    Policy {
        name: "2 disability, low income",
        cel_eligibility: "person.disability_level >= 1 && person.disability_level <= 2 \
                          && person.income_band in ['subsistence','low']",
        cel_amount: None,
        zen_table: (
            &["person.disability_level", "person.income_band"],
            &[&["[1..2]", "'subsistence', 'low'"]],
        ),
        zen_amount: None,
        zen_expression: "person.disability_level >= 1 and person.disability_level <= 2 \
                         and person.income_band in ['subsistence', 'low']",
    },
    Policy {
        name: "3 infant childcare",
        cel_eligibility: "person.children_ages.exists(a, a < 3)",
        cel_amount: Some("size(person.children_ages.filter(a, a < 3)) * 360000"),
        // A list test is not a unary test on a field: the column has no field and its cell is a
        // full expression (JDM allows that), so this table is a table in form only.
        zen_table: (&[""], &[&["some(person.children_ages, # < 3)"]]),
        zen_amount: Some("len(filter(person.children_ages, # < 3)) * 360000"),
        zen_expression: "some(person.children_ages, # < 3)",
    },
    Policy {
        name: "4 older unemployed",
        cel_eligibility: "(person.sex == 'female' && person.age >= 40 \
                          || person.sex == 'male' && person.age >= 50) \
                          && person.employment in ['unemployed','flexible'] && person.age < 60",
        cel_amount: None,
        zen_table: (
            &["person.sex", "person.age", "person.employment"],
            &[
                &["'female'", "[40..60)", "'unemployed', 'flexible'"],
                &["'male'", "[50..60)", "'unemployed', 'flexible'"],
            ],
        ),
        zen_amount: None,
        zen_expression: "(person.sex == 'female' and person.age >= 40 \
                         or person.sex == 'male' and person.age >= 50) \
                         and person.employment in ['unemployed', 'flexible'] and person.age < 60",
    },
    Policy {
        name: "5 hardship",
        cel_eligibility: "person.subsistence || person.extreme_poverty \
                          || (person.age >= 60 && person.living_alone && person.income_band == 'low')",
        cel_amount: None,
        zen_table: (
            &[
                "person.subsistence",
                "person.extreme_poverty",
                "person.age",
                "person.living_alone",
                "person.income_band",
            ],
            &[
                &["true", "", "", "", ""],
                &["", "true", "", "", ""],
                &["", "", ">= 60", "true", "'low'"],
            ],
        ),
        zen_amount: None,
        zen_expression: "person.subsistence or person.extreme_poverty \
                         or (person.age >= 60 and person.living_alone and person.income_band == 'low')",
    },
];

impl Policy {
    /// The policy as a JDM graph whose middle node is a first-hit decision table.
    pub fn zen_table_jdm(&self) -> Value {
        let (fields, rows) = self.zen_table;
        let inputs: Vec<Value> = fields
            .iter()
            .enumerate()
            .map(|(i, field)| json!({"id": format!("i{i}"), "name": field, "field": field}))
            .collect();
        let mut outputs = vec![json!({"id": "o0", "name": "eligible", "field": "eligible"})];
        if self.zen_amount.is_some() {
            outputs.push(json!({"id": "o1", "name": "amount", "field": "amount"}));
        }
        let row = |cells: &[&str], eligible: bool, id: usize| {
            let mut rule = serde_json::Map::new();
            rule.insert("_id".into(), json!(format!("r{id}")));
            for (i, cell) in cells.iter().enumerate() {
                rule.insert(format!("i{i}"), json!(cell));
            }
            rule.insert("o0".into(), json!(eligible.to_string()));
            if let Some(amount) = self.zen_amount {
                rule.insert("o1".into(), json!(if eligible { amount } else { "0" }));
            }
            Value::Object(rule)
        };
        let mut rules: Vec<Value> = rows
            .iter()
            .enumerate()
            .map(|(n, r)| row(r, true, n))
            .collect();
        rules.push(row(&vec![""; fields.len()], false, rows.len()));
        graph(json!({
            "id": "dt", "name": self.name, "type": "decisionTableNode",
            "content": {"hitPolicy": "first", "inputs": inputs, "outputs": outputs, "rules": rules}
        }))
    }

    /// The policy as a JDM graph whose middle node is one expression node.
    pub fn zen_expression_jdm(&self) -> Value {
        let mut expressions =
            vec![json!({"id": "e0", "key": "eligible", "value": self.zen_expression})];
        if let Some(amount) = self.zen_amount {
            expressions.push(json!({"id": "e1", "key": "amount", "value": amount}));
        }
        graph(json!({
            "id": "dt", "name": self.name, "type": "expressionNode",
            "content": {"expressions": expressions}
        }))
    }
}

/// `input → node → output`.
fn graph(node: Value) -> Value {
    json!({
        "nodes": [
            {"id": "in", "name": "request", "type": "inputNode", "content": {}},
            node,
            {"id": "out", "name": "response", "type": "outputNode", "content": {}}
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "dt"},
            {"id": "e2", "sourceId": "dt", "targetId": "out"}
        ]
    })
}
