//! Eligibility and amount rules (`docs/benefits-rules.md` §2): CEL text, parsed by the `cel`
//! crate, checked against the fact schema and compiled to typed trees that Tongban evaluates
//! itself.
//!
//! Why not the `cel` crate's interpreter: it resolves every identifier by name in a context map
//! and boxes every value, which costs microseconds per check; a sweep makes millions of them.
//! Checking types once, when the policy is created, lets evaluation read facts by slot and
//! compare plain integers and strings (measured in `docs/decisions/0003-rules-engine.md`). The
//! language stays standard CEL, so rules can be written and tested with any CEL tool.
//!
//! Eligibility rules must also be explainable: each condition a person can meet is a fact
//! compared with a constant (or a list fact tested element by element), so that the reasons
//! shown to the person are built from their own values and a message per fact
//! (`explain`). A rule that cannot be explained to a citizen is refused when it is created.

use cel::common::ast::{CallExpr, ComprehensionExpr, Expr, IdedExpr, LiteralValue, SourceInfo};

use super::facts::{FactDef, FactSet, Facts, Subject, Ty};

/// The longest rule text accepted.
pub const MAX_SOURCE_CHARS: usize = 4_000;
/// Nested `exists`/`all`/`filter` deeper than this are refused.
const MAX_VARS: usize = 4;

/// Why a rule does not compile, with where in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// English, for the operator (the admin API shows it as is).
    pub message: String,
    /// 1-based line and column of the offending part.
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Why a compiled rule could not be evaluated for one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    #[error("integer overflow")]
    Overflow,
    #[error("division by zero")]
    DivisionByZero,
    #[error("the facts are of another kind of subject")]
    WrongSubject,
}

/// A comparison of two ints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn from_function(name: &str) -> Option<Self> {
        use cel::common::ast::operators as op;
        Some(match name {
            op::EQUALS => CmpOp::Eq,
            op::NOT_EQUALS => CmpOp::Ne,
            op::LESS => CmpOp::Lt,
            op::LESS_EQUALS => CmpOp::Le,
            op::GREATER => CmpOp::Gt,
            op::GREATER_EQUALS => CmpOp::Ge,
            _ => return None,
        })
    }

    /// The same test with its operands swapped (`60 <= x` is `x >= 60`).
    fn flipped(self) -> Self {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }

    /// Whether `a op b` holds.
    #[inline]
    pub fn test<T: Ord + ?Sized>(self, a: &T, b: &T) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone)]
enum BoolNode {
    Const(bool),
    Fact(usize),
    Not(Box<BoolNode>),
    And(Vec<BoolNode>),
    Or(Vec<BoolNode>),
    Int(CmpOp, IntNode, IntNode),
    Str(bool, StrNode, StrNode),
    Bool(bool, Box<BoolNode>, Box<BoolNode>),
    InStrs(StrNode, Box<[String]>),
    InInts(IntNode, ListNode),
    StartsWith(StrNode, String),
    Exists(ListNode, Box<BoolNode>),
    All(ListNode, Box<BoolNode>),
    Cond(Box<BoolNode>, Box<BoolNode>, Box<BoolNode>),
}

#[derive(Debug, Clone)]
enum IntNode {
    Const(i64),
    Fact(usize),
    /// The variable of the `depth`-th enclosing macro.
    Var(usize),
    Arith(Arith, Box<IntNode>, Box<IntNode>),
    Size(ListNode),
    /// `size(list.filter(x, p))`, counted without building the list.
    Count(ListNode, Box<BoolNode>),
    Cond(Box<BoolNode>, Box<IntNode>, Box<IntNode>),
}

#[derive(Debug, Clone)]
enum StrNode {
    Const(String),
    Fact(usize),
    Cond(Box<BoolNode>, Box<StrNode>, Box<StrNode>),
}

#[derive(Debug, Clone)]
enum ListNode {
    Fact(usize),
    Const(Vec<i64>),
    Filter(Box<ListNode>, Box<BoolNode>),
}

/// A compiled eligibility rule.
#[derive(Debug, Clone)]
pub struct BoolRule {
    subject: Subject,
    root: BoolNode,
    reads: FactSet,
}

/// A compiled amount rule (fen).
#[derive(Debug, Clone)]
pub struct IntRule {
    subject: Subject,
    root: IntNode,
    reads: FactSet,
}

/// Compiles an eligibility rule: a `bool` whose every condition can be explained.
pub fn compile_eligibility(source: &str, subject: Subject) -> Result<BoolRule, CompileError> {
    let (expr, info) = parse(source)?;
    let mut compiler = Compiler::new(subject, &info, source, true);
    let root = compiler.bool(&expr)?;
    compiler.check_explainable(&expr, &root)?;
    Ok(BoolRule {
        subject,
        root,
        reads: compiler.reads,
    })
}

/// Compiles an amount rule: an `int`, in fen.
pub fn compile_amount(source: &str, subject: Subject) -> Result<IntRule, CompileError> {
    let (expr, info) = parse(source)?;
    let mut compiler = Compiler::new(subject, &info, source, false);
    let root = compiler.int(&expr)?;
    Ok(IntRule {
        subject,
        root,
        reads: compiler.reads,
    })
}

fn parse(source: &str) -> Result<(IdedExpr, SourceInfo), CompileError> {
    if source.chars().count() > MAX_SOURCE_CHARS {
        return Err(CompileError {
            message: format!("a rule is at most {MAX_SOURCE_CHARS} characters"),
            line: 1,
            column: 1,
        });
    }
    if source.trim().is_empty() {
        return Err(CompileError {
            message: "the rule is empty".into(),
            line: 1,
            column: 1,
        });
    }
    cel::parser::Parser::new()
        .max_recursion_depth(64)
        .parse_with_source_info(source)
        .map_err(|errors| {
            let first = errors.errors.first();
            CompileError {
                message: first.map_or_else(
                    || "syntax error".to_string(),
                    |e| format!("syntax error: {}", e.msg),
                ),
                line: first.map_or(1, |e| e.pos.0.max(1) as u32),
                column: first.map_or(1, |e| e.pos.1.max(1) as u32),
            }
        })
}

impl BoolRule {
    /// Whose facts it reads.
    pub fn subject(&self) -> Subject {
        self.subject
    }

    /// The facts it reads.
    pub fn reads(&self) -> FactSet {
        self.reads
    }

    /// Whether `facts` meet the rule.
    #[inline]
    pub fn eval(&self, facts: &Facts) -> Result<bool, EvalError> {
        if facts.subject != self.subject {
            return Err(EvalError::WrongSubject);
        }
        eval_bool(&self.root, &mut Env::new(facts))
    }

    /// The conditions that made `facts` meet the rule, in the rule's order; `None` when
    /// they do not meet it.
    pub fn explain(&self, facts: &Facts) -> Result<Option<Vec<Reason>>, EvalError> {
        if !self.eval(facts)? {
            return Ok(None);
        }
        let mut reasons = Vec::new();
        explain(&self.root, facts, self.subject, &mut reasons)?;
        Ok(Some(reasons))
    }
}

impl IntRule {
    pub fn reads(&self) -> FactSet {
        self.reads
    }

    /// The amount for `facts`.
    pub fn eval(&self, facts: &Facts) -> Result<i64, EvalError> {
        if facts.subject != self.subject {
            return Err(EvalError::WrongSubject);
        }
        eval_int(&self.root, &mut Env::new(facts))
    }
}

/// One condition a subject met, to be put in words with the subject's own values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub fact: &'static FactDef,
    pub test: Test,
}

/// What was tested of the fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// A bool fact is true (or false).
    Is(bool),
    /// An int fact compared with a constant.
    Int(CmpOp, i64),
    /// A string fact equal (or not) to a constant.
    Str(bool, String),
    /// A string fact in (or not in) a list of constants.
    In(bool, Vec<String>),
    /// A string fact starting with a constant.
    StartsWith(String),
    /// An int fact in a list of constants.
    IntIn(Vec<i64>),
    /// The number of elements of a list fact compared with a constant.
    Size(CmpOp, i64),
    /// The number of elements meeting `element` compared with `count`.
    Count {
        element: (CmpOp, i64),
        count: (CmpOp, i64),
    },
    /// Some element meets the test.
    Exists(CmpOp, i64),
    /// Every element meets the test.
    All(CmpOp, i64),
}

// ---------------------------------------------------------------------------------------------
// Evaluation

struct Env<'f> {
    facts: &'f Facts,
    vars: [i64; MAX_VARS],
    depth: usize,
}

impl<'f> Env<'f> {
    fn new(facts: &'f Facts) -> Self {
        Self {
            facts,
            vars: [0; MAX_VARS],
            depth: 0,
        }
    }

    /// Runs `body` with the next variable bound to each element of `list` until it answers
    /// `Some`.
    fn each<T>(
        &mut self,
        list: &[i64],
        mut body: impl FnMut(&mut Self) -> Result<Option<T>, EvalError>,
    ) -> Result<Option<T>, EvalError> {
        let slot = self.depth;
        self.depth += 1;
        let mut found = Ok(None);
        for &value in list {
            self.vars[slot] = value;
            match body(self) {
                Ok(None) => {}
                other => {
                    found = other;
                    break;
                }
            }
        }
        self.depth -= 1;
        found
    }
}

fn eval_bool(node: &BoolNode, env: &mut Env<'_>) -> Result<bool, EvalError> {
    Ok(match node {
        BoolNode::Const(value) => *value,
        BoolNode::Fact(slot) => env.facts.bools[*slot],
        BoolNode::Not(inner) => !eval_bool(inner, env)?,
        BoolNode::And(all) => {
            for node in all.iter() {
                if !eval_bool(node, env)? {
                    return Ok(false);
                }
            }
            true
        }
        BoolNode::Or(any) => {
            for node in any.iter() {
                if eval_bool(node, env)? {
                    return Ok(true);
                }
            }
            false
        }
        BoolNode::Int(op, a, b) => {
            let a = eval_int(a, env)?;
            op.test(&a, &eval_int(b, env)?)
        }
        BoolNode::Str(equal, a, b) => (eval_str(a, env)? == eval_str(b, env)?) == *equal,
        BoolNode::Bool(equal, a, b) => (eval_bool(a, env)? == eval_bool(b, env)?) == *equal,
        BoolNode::InStrs(value, list) => {
            let value = eval_str(value, env)?;
            list.iter().any(|item| item == value)
        }
        BoolNode::InInts(value, list) => {
            let value = eval_int(value, env)?;
            with_list(list, env, |items, _| Ok(items.contains(&value)))?
        }
        BoolNode::StartsWith(value, prefix) => eval_str(value, env)?.starts_with(prefix.as_str()),
        BoolNode::Exists(list, pred) => with_list(list, env, |items, env| {
            Ok(env
                .each(items, |env| Ok(eval_bool(pred, env)?.then_some(())))?
                .is_some())
        })?,
        BoolNode::All(list, pred) => with_list(list, env, |items, env| {
            Ok(env
                .each(items, |env| Ok((!eval_bool(pred, env)?).then_some(())))?
                .is_none())
        })?,
        BoolNode::Cond(cond, then, otherwise) => {
            if eval_bool(cond, env)? {
                eval_bool(then, env)?
            } else {
                eval_bool(otherwise, env)?
            }
        }
    })
}

fn eval_int(node: &IntNode, env: &mut Env<'_>) -> Result<i64, EvalError> {
    Ok(match node {
        IntNode::Const(value) => *value,
        IntNode::Fact(slot) => env.facts.ints[*slot],
        IntNode::Var(depth) => env.vars[*depth],
        IntNode::Arith(op, a, b) => {
            let (a, b) = (eval_int(a, env)?, eval_int(b, env)?);
            match op {
                Arith::Add => a.checked_add(b).ok_or(EvalError::Overflow)?,
                Arith::Sub => a.checked_sub(b).ok_or(EvalError::Overflow)?,
                Arith::Mul => a.checked_mul(b).ok_or(EvalError::Overflow)?,
                Arith::Div if b == 0 => return Err(EvalError::DivisionByZero),
                Arith::Rem if b == 0 => return Err(EvalError::DivisionByZero),
                Arith::Div => a.checked_div(b).ok_or(EvalError::Overflow)?,
                Arith::Rem => a.checked_rem(b).ok_or(EvalError::Overflow)?,
            }
        }
        IntNode::Size(list) => with_list(list, env, |items, _| Ok(items.len() as i64))?,
        IntNode::Count(list, pred) => with_list(list, env, |items, env| {
            let mut count = 0;
            env.each(items, |env| {
                count += i64::from(eval_bool(pred, env)?);
                Ok(None::<()>)
            })?;
            Ok(count)
        })?,
        IntNode::Cond(cond, then, otherwise) => {
            if eval_bool(cond, env)? {
                eval_int(then, env)?
            } else {
                eval_int(otherwise, env)?
            }
        }
    })
}

fn eval_str<'n, 'f: 'n>(node: &'n StrNode, env: &mut Env<'f>) -> Result<&'n str, EvalError> {
    Ok(match node {
        StrNode::Const(value) => value,
        StrNode::Fact(slot) => env.facts.strs[*slot].as_str(),
        StrNode::Cond(cond, then, otherwise) => {
            if eval_bool(cond, env)? {
                eval_str(then, env)?
            } else {
                eval_str(otherwise, env)?
            }
        }
    })
}

/// The elements of `list`, then `body` over them: borrowed for a fact or a constant, built
/// only for a `filter` that is not merely counted.
fn with_list<T>(
    list: &ListNode,
    env: &mut Env<'_>,
    body: impl FnOnce(&[i64], &mut Env<'_>) -> Result<T, EvalError>,
) -> Result<T, EvalError> {
    let items = list_items(list, env)?;
    body(&items, env)
}

fn list_items<'n, 'f: 'n>(
    list: &'n ListNode,
    env: &mut Env<'f>,
) -> Result<std::borrow::Cow<'n, [i64]>, EvalError> {
    use std::borrow::Cow;
    Ok(match list {
        ListNode::Fact(slot) => Cow::Borrowed(env.facts.lists[*slot].as_slice()),
        ListNode::Const(items) => Cow::Borrowed(items.as_slice()),
        ListNode::Filter(inner, pred) => {
            let items = list_items(inner, env)?;
            let mut kept = Vec::new();
            let mut index = 0;
            env.each(&items, |env| {
                if eval_bool(pred, env)? {
                    kept.push(items[index]);
                }
                index += 1;
                Ok(None::<()>)
            })?;
            Cow::Owned(kept)
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Explanation

fn explain(
    node: &BoolNode,
    facts: &Facts,
    subject: Subject,
    reasons: &mut Vec<Reason>,
) -> Result<(), EvalError> {
    let fact = |ty: Ty, slot: usize| {
        subject
            .facts()
            .iter()
            .find(|fact| fact.ty == ty && fact.slot == slot)
    };
    let mut push = |def: Option<&'static FactDef>, test: Test| {
        if let Some(fact) = def {
            reasons.push(Reason { fact, test });
        }
    };
    match node {
        BoolNode::And(all) => {
            for node in all {
                explain(node, facts, subject, reasons)?;
            }
        }
        BoolNode::Or(any) => {
            for node in any {
                if eval_bool(node, &mut Env::new(facts))? {
                    return explain(node, facts, subject, reasons);
                }
            }
        }
        BoolNode::Fact(slot) => push(fact(Ty::Bool, *slot), Test::Is(true)),
        BoolNode::Not(inner) => match inner.as_ref() {
            BoolNode::Fact(slot) => push(fact(Ty::Bool, *slot), Test::Is(false)),
            BoolNode::InStrs(StrNode::Fact(slot), list) => {
                push(fact(Ty::Str, *slot), Test::In(false, list.to_vec()))
            }
            _ => {}
        },
        BoolNode::Int(op, IntNode::Fact(slot), IntNode::Const(value)) => {
            push(fact(Ty::Int, *slot), Test::Int(*op, *value))
        }
        BoolNode::Int(op, IntNode::Size(ListNode::Fact(slot)), IntNode::Const(value)) => {
            push(fact(Ty::IntList, *slot), Test::Size(*op, *value))
        }
        BoolNode::Int(op, IntNode::Count(ListNode::Fact(slot), pred), IntNode::Const(value)) => {
            if let BoolNode::Int(element, IntNode::Var(0), IntNode::Const(bound)) = pred.as_ref() {
                push(
                    fact(Ty::IntList, *slot),
                    Test::Count {
                        element: (*element, *bound),
                        count: (*op, *value),
                    },
                )
            }
        }
        BoolNode::Str(equal, StrNode::Fact(slot), StrNode::Const(value)) => {
            push(fact(Ty::Str, *slot), Test::Str(*equal, value.clone()))
        }
        BoolNode::InStrs(StrNode::Fact(slot), list) => {
            push(fact(Ty::Str, *slot), Test::In(true, list.to_vec()))
        }
        BoolNode::StartsWith(StrNode::Fact(slot), prefix) => {
            push(fact(Ty::Str, *slot), Test::StartsWith(prefix.clone()))
        }
        BoolNode::InInts(IntNode::Fact(slot), ListNode::Const(list)) => {
            push(fact(Ty::Int, *slot), Test::IntIn(list.clone()))
        }
        BoolNode::Exists(ListNode::Fact(slot), pred) => {
            if let BoolNode::Int(op, IntNode::Var(0), IntNode::Const(bound)) = pred.as_ref() {
                push(fact(Ty::IntList, *slot), Test::Exists(*op, *bound))
            }
        }
        BoolNode::All(ListNode::Fact(slot), pred) => {
            if let BoolNode::Int(op, IntNode::Var(0), IntNode::Const(bound)) = pred.as_ref() {
                push(fact(Ty::IntList, *slot), Test::All(*op, *bound))
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether a condition has a shape `explain` puts in words.
fn explainable(node: &BoolNode) -> bool {
    let ordering = |op: &CmpOp| matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge);
    // "has a child under 3": an ordering of the element against a constant.
    let element_test = |pred: &BoolNode| matches!(pred, BoolNode::Int(op, IntNode::Var(0), IntNode::Const(_)) if ordering(op));
    match node {
        BoolNode::Const(_) | BoolNode::Fact(_) => true,
        BoolNode::And(all) => all.iter().all(explainable),
        BoolNode::Or(any) => any.iter().all(explainable),
        BoolNode::Not(inner) => matches!(
            inner.as_ref(),
            BoolNode::Fact(_) | BoolNode::InStrs(StrNode::Fact(_), _)
        ),
        // "is 60 or older", "is exactly 18"; "is not 3" has no honest wording.
        BoolNode::Int(op, IntNode::Fact(_), IntNode::Const(_)) => *op != CmpOp::Ne,
        BoolNode::Int(_, IntNode::Size(ListNode::Fact(_)), IntNode::Const(_))
        | BoolNode::Str(_, StrNode::Fact(_), StrNode::Const(_))
        | BoolNode::InStrs(StrNode::Fact(_), _)
        | BoolNode::InInts(IntNode::Fact(_), ListNode::Const(_))
        | BoolNode::StartsWith(StrNode::Fact(_), _) => true,
        BoolNode::Int(_, IntNode::Count(ListNode::Fact(_), pred), IntNode::Const(_)) => {
            element_test(pred)
        }
        BoolNode::Exists(ListNode::Fact(_), pred) | BoolNode::All(ListNode::Fact(_), pred) => {
            element_test(pred)
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Compilation

struct Compiler<'a> {
    subject: Subject,
    info: &'a SourceInfo,
    source: &'a str,
    /// Macro variables in scope, innermost last.
    vars: Vec<String>,
    reads: FactSet,
    /// In an eligibility rule, constants are normalised to the right of comparisons.
    eligibility: bool,
}

enum Typed {
    Bool(BoolNode),
    Int(IntNode),
    Str(StrNode),
    Ints(ListNode),
    Strs(Vec<String>),
}

impl Typed {
    fn ty(&self) -> Ty {
        match self {
            Typed::Bool(_) => Ty::Bool,
            Typed::Int(_) => Ty::Int,
            Typed::Str(_) => Ty::Str,
            Typed::Ints(_) => Ty::IntList,
            Typed::Strs(_) => Ty::StrList,
        }
    }
}

impl<'a> Compiler<'a> {
    fn new(subject: Subject, info: &'a SourceInfo, source: &'a str, eligibility: bool) -> Self {
        Self {
            subject,
            info,
            source,
            vars: Vec::new(),
            reads: FactSet::default(),
            eligibility,
        }
    }

    fn error(&self, at: &IdedExpr, message: impl Into<String>) -> CompileError {
        let (line, column) = start_of(at, self.info)
            .map(|start| line_column(self.source, start as usize))
            .unwrap_or((1, 1));
        CompileError {
            message: message.into(),
            line,
            column,
        }
    }

    fn bool(&mut self, expr: &IdedExpr) -> Result<BoolNode, CompileError> {
        match self.typed(expr)? {
            Typed::Bool(node) => Ok(node),
            other => Err(self.error(
                expr,
                format!("expected a bool here, found {}", other.ty().name()),
            )),
        }
    }

    fn int(&mut self, expr: &IdedExpr) -> Result<IntNode, CompileError> {
        match self.typed(expr)? {
            Typed::Int(node) => Ok(node),
            other => Err(self.error(
                expr,
                format!("expected an int here, found {}", other.ty().name()),
            )),
        }
    }

    fn check_explainable(&self, expr: &IdedExpr, root: &BoolNode) -> Result<(), CompileError> {
        if explainable(root) {
            return Ok(());
        }
        // Point at the first condition that is not: walk the source tree alongside.
        let culprit = first_unexplainable(expr, self).unwrap_or(expr);
        Err(self.error(
            culprit,
            "this condition cannot be explained to the person: compare one fact with a \
             constant (`person.age >= 60`, `person.district in ['654002']`, \
             `person.children_ages.exists(a, a < 3)`), and combine such conditions with \
             &&, || and !",
        ))
    }

    fn typed(&mut self, expr: &IdedExpr) -> Result<Typed, CompileError> {
        match &expr.expr {
            Expr::Literal(literal) => self.literal(expr, literal),
            Expr::Ident(name) => self.ident(expr, name),
            Expr::Select(select) => {
                if select.test {
                    return Err(self.error(expr, "has() is not supported"));
                }
                match &select.operand.expr {
                    Expr::Ident(root) if root == self.subject.prefix() => {
                        self.fact(expr, &select.field)
                    }
                    Expr::Ident(root) if root == "person" || root == "enterprise" => Err(self
                        .error(
                            expr,
                            format!(
                                "this policy is about a {}: `{root}.` facts are not available",
                                self.subject.prefix()
                            ),
                        )),
                    _ => Err(self.error(
                        expr,
                        format!(
                            "unknown name: facts are written `{}.<fact>`",
                            self.subject.prefix()
                        ),
                    )),
                }
            }
            Expr::List(list) => self.list(expr, &list.elements),
            Expr::Call(call) => self.call(expr, call),
            Expr::Comprehension(comprehension) => self.comprehension(expr, comprehension),
            Expr::Map(_) | Expr::Struct(_) => {
                Err(self.error(expr, "maps and messages are not supported"))
            }
            Expr::Unspecified => Err(self.error(expr, "incomplete expression")),
        }
    }

    fn literal(&self, expr: &IdedExpr, literal: &LiteralValue) -> Result<Typed, CompileError> {
        match literal {
            LiteralValue::Boolean(value) => Ok(Typed::Bool(BoolNode::Const(*value.inner()))),
            LiteralValue::Int(value) => Ok(Typed::Int(IntNode::Const(*value.inner()))),
            LiteralValue::String(value) => Ok(Typed::Str(StrNode::Const(value.inner().into()))),
            LiteralValue::Double(_) => Err(self.error(
                expr,
                "floating-point numbers are not supported: amounts are integer fen",
            )),
            LiteralValue::UInt(_) => Err(self.error(expr, "unsigned ints are not supported")),
            LiteralValue::Bytes(_) => Err(self.error(expr, "bytes are not supported")),
            LiteralValue::Null => Err(self.error(expr, "null is not supported")),
        }
    }

    fn ident(&self, expr: &IdedExpr, name: &str) -> Result<Typed, CompileError> {
        if let Some(depth) = self.vars.iter().rposition(|var| var == name) {
            return Ok(Typed::Int(IntNode::Var(depth)));
        }
        Err(self.error(
            expr,
            format!(
                "unknown name `{name}`: facts are written `{}.<fact>`",
                self.subject.prefix()
            ),
        ))
    }

    fn fact(&mut self, expr: &IdedExpr, name: &str) -> Result<Typed, CompileError> {
        let Some(fact) = self.subject.fact(name) else {
            let known: Vec<&str> = self.subject.facts().iter().map(|f| f.name).collect();
            return Err(self.error(
                expr,
                format!(
                    "unknown fact `{}.{name}`; the facts are: {}",
                    self.subject.prefix(),
                    known.join(", ")
                ),
            ));
        };
        self.reads.insert(fact);
        Ok(match fact.ty {
            Ty::Int => Typed::Int(IntNode::Fact(fact.slot)),
            Ty::Bool => Typed::Bool(BoolNode::Fact(fact.slot)),
            Ty::Str => Typed::Str(StrNode::Fact(fact.slot)),
            Ty::IntList => Typed::Ints(ListNode::Fact(fact.slot)),
            Ty::StrList => Typed::Strs(Vec::new()),
        })
    }

    fn list(&mut self, expr: &IdedExpr, elements: &[IdedExpr]) -> Result<Typed, CompileError> {
        let mut ints = Vec::new();
        let mut strs = Vec::new();
        for element in elements {
            match self.typed(element)? {
                Typed::Int(IntNode::Const(value)) if strs.is_empty() => ints.push(value),
                Typed::Str(StrNode::Const(value)) if ints.is_empty() => strs.push(value),
                _ => {
                    return Err(self.error(
                        element,
                        "list elements must be constants of one type (ints or strings)",
                    ));
                }
            }
        }
        if elements.is_empty() {
            return Err(self.error(expr, "an empty list is not useful in a rule"));
        }
        Ok(if strs.is_empty() {
            Typed::Ints(ListNode::Const(ints))
        } else {
            Typed::Strs(strs)
        })
    }

    fn call(&mut self, expr: &IdedExpr, call: &CallExpr) -> Result<Typed, CompileError> {
        use cel::common::ast::operators as op;
        let name = call.func_name.as_str();
        let args = &call.args;
        match (name, &call.target, args.len()) {
            (op::LOGICAL_AND | op::LOGICAL_OR, None, 2) => {
                let (a, b) = (self.bool(&args[0])?, self.bool(&args[1])?);
                let and = name == op::LOGICAL_AND;
                let mut flat = Vec::with_capacity(2);
                for node in [a, b] {
                    match node {
                        BoolNode::And(inner) if and => flat.extend(inner),
                        BoolNode::Or(inner) if !and => flat.extend(inner),
                        other => flat.push(other),
                    }
                }
                Ok(Typed::Bool(if and {
                    BoolNode::And(flat)
                } else {
                    BoolNode::Or(flat)
                }))
            }
            (op::LOGICAL_NOT, None, 1) => {
                Ok(Typed::Bool(BoolNode::Not(Box::new(self.bool(&args[0])?))))
            }
            (op::NEGATE, None, 1) => match self.int(&args[0])? {
                IntNode::Const(value) => Ok(Typed::Int(IntNode::Const(
                    value
                        .checked_neg()
                        .ok_or_else(|| self.error(expr, "integer overflow"))?,
                ))),
                other => Ok(Typed::Int(IntNode::Arith(
                    Arith::Sub,
                    Box::new(IntNode::Const(0)),
                    Box::new(other),
                ))),
            },
            (op::CONDITIONAL, None, 3) => {
                let cond = Box::new(self.bool(&args[0])?);
                match (self.typed(&args[1])?, self.typed(&args[2])?) {
                    (Typed::Bool(a), Typed::Bool(b)) => {
                        Ok(Typed::Bool(BoolNode::Cond(cond, Box::new(a), Box::new(b))))
                    }
                    (Typed::Int(a), Typed::Int(b)) => {
                        Ok(Typed::Int(IntNode::Cond(cond, Box::new(a), Box::new(b))))
                    }
                    (Typed::Str(a), Typed::Str(b)) => {
                        Ok(Typed::Str(StrNode::Cond(cond, Box::new(a), Box::new(b))))
                    }
                    (a, b) => Err(self.error(
                        expr,
                        format!(
                            "both branches of ?: must have one type, found {} and {}",
                            a.ty().name(),
                            b.ty().name()
                        ),
                    )),
                }
            }
            (op::ADD | op::SUBSTRACT | op::MULTIPLY | op::DIVIDE | op::MODULO, None, 2) => {
                let arith = match name {
                    op::ADD => Arith::Add,
                    op::SUBSTRACT => Arith::Sub,
                    op::MULTIPLY => Arith::Mul,
                    op::DIVIDE => Arith::Div,
                    _ => Arith::Rem,
                };
                let (a, b) = (self.int(&args[0])?, self.int(&args[1])?);
                Ok(Typed::Int(
                    fold(arith, a, b).map_err(|message| self.error(expr, message))?,
                ))
            }
            (op::IN, None, 2) => self.membership(expr, &args[0], &args[1]),
            (op::INDEX | op::OPT_INDEX | op::OPT_SELECT, ..) => {
                Err(self.error(expr, "indexing is not supported"))
            }
            ("size", None, 1) => self.size(expr, &args[0]),
            ("size", Some(target), 0) => self.size(expr, target),
            ("startsWith", Some(target), 1) => {
                let value = self.str(target)?;
                match self.typed(&args[0])? {
                    Typed::Str(StrNode::Const(prefix)) => {
                        Ok(Typed::Bool(BoolNode::StartsWith(value, prefix)))
                    }
                    _ => Err(self.error(&args[0], "startsWith takes a string constant")),
                }
            }
            _ => match CmpOp::from_function(name) {
                Some(cmp) if call.target.is_none() && args.len() == 2 => {
                    self.compare(expr, cmp, &args[0], &args[1])
                }
                _ => Err(self.error(
                    expr,
                    format!("`{}` is not supported in rules", display_function(name)),
                )),
            },
        }
    }

    fn str(&mut self, expr: &IdedExpr) -> Result<StrNode, CompileError> {
        match self.typed(expr)? {
            Typed::Str(node) => Ok(node),
            other => Err(self.error(
                expr,
                format!("expected a string here, found {}", other.ty().name()),
            )),
        }
    }

    fn size(&mut self, expr: &IdedExpr, of: &IdedExpr) -> Result<Typed, CompileError> {
        match self.typed(of)? {
            Typed::Ints(ListNode::Filter(list, pred)) => {
                Ok(Typed::Int(IntNode::Count(*list, pred)))
            }
            Typed::Ints(list) => Ok(Typed::Int(IntNode::Size(list))),
            Typed::Strs(list) => Ok(Typed::Int(IntNode::Const(list.len() as i64))),
            other => Err(self.error(
                expr,
                format!("size() takes a list, found {}", other.ty().name()),
            )),
        }
    }

    fn membership(
        &mut self,
        expr: &IdedExpr,
        value: &IdedExpr,
        list: &IdedExpr,
    ) -> Result<Typed, CompileError> {
        let element = self.typed(value)?;
        let list_typed = self.typed(list)?;
        match (element, list_typed) {
            (Typed::Str(node), Typed::Strs(items)) => {
                self.check_values(value, &node, &items)?;
                Ok(Typed::Bool(BoolNode::InStrs(node, items.into())))
            }
            (Typed::Int(node), Typed::Ints(items)) => {
                Ok(Typed::Bool(BoolNode::InInts(node, items)))
            }
            (a, b) => Err(self.error(
                expr,
                format!(
                    "`in` needs a value and a list of its type, found {} in {}",
                    a.ty().name(),
                    b.ty().name()
                ),
            )),
        }
    }

    fn compare(
        &mut self,
        expr: &IdedExpr,
        op: CmpOp,
        left: &IdedExpr,
        right: &IdedExpr,
    ) -> Result<Typed, CompileError> {
        let (a, b) = (self.typed(left)?, self.typed(right)?);
        match (a, b) {
            (Typed::Int(a), Typed::Int(b)) => Ok(Typed::Bool(match (a, b) {
                (IntNode::Const(a), IntNode::Const(b)) => BoolNode::Const(op.test(&a, &b)),
                // Constants go right, so explanations read `fact op constant`.
                (constant @ IntNode::Const(_), other) if self.eligibility => {
                    BoolNode::Int(op.flipped(), other, constant)
                }
                (a, b) => BoolNode::Int(op, a, b),
            })),
            (Typed::Str(a), Typed::Str(b)) => {
                let equal = match op {
                    CmpOp::Eq => true,
                    CmpOp::Ne => false,
                    _ => {
                        return Err(self.error(
                            expr,
                            "strings are compared with == and != only (codes have no order)",
                        ));
                    }
                };
                let (a, b) = match (a, b) {
                    (constant @ StrNode::Const(_), other) => (other, constant),
                    pair => pair,
                };
                if let StrNode::Const(value) = &b {
                    let node = &a;
                    self.check_values(expr, node, std::slice::from_ref(value))?;
                }
                Ok(Typed::Bool(BoolNode::Str(equal, a, b)))
            }
            (Typed::Bool(a), Typed::Bool(b)) => {
                let equal = match op {
                    CmpOp::Eq => true,
                    CmpOp::Ne => false,
                    _ => return Err(self.error(expr, "bools are compared with == and != only")),
                };
                // `x == true` is `x`: keep the simple form, which explanations read.
                Ok(Typed::Bool(match (a, b) {
                    (node, BoolNode::Const(value)) | (BoolNode::Const(value), node) => {
                        if value == equal {
                            node
                        } else {
                            BoolNode::Not(Box::new(node))
                        }
                    }
                    (a, b) => BoolNode::Bool(equal, Box::new(a), Box::new(b)),
                }))
            }
            (a, b) => Err(self.error(
                expr,
                format!("cannot compare {} with {}", a.ty().name(), b.ty().name()),
            )),
        }
    }

    /// Refuses a string constant a closed-valued fact can never have (`person.sex == 'mail'`).
    fn check_values(
        &self,
        at: &IdedExpr,
        node: &StrNode,
        constants: &[String],
    ) -> Result<(), CompileError> {
        let StrNode::Fact(slot) = node else {
            return Ok(());
        };
        let Some(fact) = self
            .subject
            .facts()
            .iter()
            .find(|fact| fact.ty == Ty::Str && fact.slot == *slot)
        else {
            return Ok(());
        };
        let Some(values) = fact.values else {
            return Ok(());
        };
        for constant in constants {
            if !values.contains(&constant.as_str()) {
                return Err(self.error(
                    at,
                    format!(
                        "`{}` is never '{constant}'; its values are: {}",
                        fact.path(),
                        values.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn comprehension(
        &mut self,
        expr: &IdedExpr,
        comprehension: &ComprehensionExpr,
    ) -> Result<Typed, CompileError> {
        use cel::common::ast::operators as op;
        if comprehension.iter_var2.is_some() {
            return Err(self.error(expr, "two-variable macros are not supported"));
        }
        if self.vars.len() == MAX_VARS {
            return Err(self.error(expr, "macros are nested too deeply"));
        }
        let accu = comprehension.accu_var.as_str();
        let is_accu = |e: &IdedExpr| matches!(&e.expr, Expr::Ident(name) if name == accu);
        let init = &comprehension.accu_init.expr;
        let step = match &comprehension.loop_step.expr {
            Expr::Call(call) => Some(call),
            _ => None,
        };
        enum Kind<'e> {
            Exists(&'e IdedExpr),
            All(&'e IdedExpr),
            Filter(&'e IdedExpr),
        }
        let kind = match (init, step) {
            (Expr::Literal(LiteralValue::Boolean(b)), Some(call))
                if !*b.inner()
                    && call.func_name == op::LOGICAL_OR
                    && call.args.len() == 2
                    && is_accu(&call.args[0]) =>
            {
                Kind::Exists(&call.args[1])
            }
            (Expr::Literal(LiteralValue::Boolean(b)), Some(call))
                if *b.inner()
                    && call.func_name == op::LOGICAL_AND
                    && call.args.len() == 2
                    && is_accu(&call.args[0]) =>
            {
                Kind::All(&call.args[1])
            }
            (Expr::List(list), Some(call))
                if list.elements.is_empty()
                    && call.func_name == op::CONDITIONAL
                    && call.args.len() == 3
                    && is_accu(&call.args[2]) =>
            {
                Kind::Filter(&call.args[0])
            }
            _ => {
                return Err(
                    self.error(expr, "only the exists, all and filter macros are supported")
                );
            }
        };
        let list = match self.typed(&comprehension.iter_range)? {
            Typed::Ints(list) => list,
            other => {
                return Err(self.error(
                    &comprehension.iter_range,
                    format!(
                        "macros run over a list of ints, found {}",
                        other.ty().name()
                    ),
                ));
            }
        };
        self.vars.push(comprehension.iter_var.clone());
        let pred = match kind {
            Kind::Exists(pred) | Kind::All(pred) | Kind::Filter(pred) => self.bool(pred),
        };
        self.vars.pop();
        let pred = Box::new(pred?);
        Ok(match kind {
            Kind::Exists(_) => Typed::Bool(BoolNode::Exists(list, pred)),
            Kind::All(_) => Typed::Bool(BoolNode::All(list, pred)),
            Kind::Filter(_) => Typed::Ints(ListNode::Filter(Box::new(list), pred)),
        })
    }
}

/// Folds constant arithmetic at compile time, refusing what would fail on every evaluation.
fn fold(op: Arith, a: IntNode, b: IntNode) -> Result<IntNode, &'static str> {
    if let (IntNode::Const(x), IntNode::Const(y)) = (&a, &b) {
        let (x, y) = (*x, *y);
        let value = match op {
            Arith::Add => x.checked_add(y),
            Arith::Sub => x.checked_sub(y),
            Arith::Mul => x.checked_mul(y),
            Arith::Div | Arith::Rem if y == 0 => return Err("division by zero"),
            Arith::Div => x.checked_div(y),
            Arith::Rem => x.checked_rem(y),
        };
        return value.map(IntNode::Const).ok_or("integer overflow");
    }
    if matches!(op, Arith::Div | Arith::Rem) && matches!(b, IntNode::Const(0)) {
        return Err("division by zero");
    }
    Ok(IntNode::Arith(op, Box::new(a), Box::new(b)))
}

/// The source expression of the first condition `explainable` refuses.
fn first_unexplainable<'e>(expr: &'e IdedExpr, compiler: &Compiler<'_>) -> Option<&'e IdedExpr> {
    use cel::common::ast::operators as op;
    if let Expr::Call(call) = &expr.expr
        && call.target.is_none()
        && (call.func_name == op::LOGICAL_AND || call.func_name == op::LOGICAL_OR)
    {
        for arg in &call.args {
            let mut probe = Compiler::new(compiler.subject, compiler.info, compiler.source, true);
            if let Ok(node) = probe.bool(arg)
                && !explainable(&node)
            {
                return first_unexplainable(arg, compiler).or(Some(arg));
            }
        }
    }
    None
}

/// Where the text of `expr` begins: the parser records each node at its operator (`>=`, `.`),
/// so the earliest offset in the subtree is the start of the whole condition.
fn start_of(expr: &IdedExpr, info: &SourceInfo) -> Option<u32> {
    let own = info.offset_for(expr.id).map(|(start, _)| start);
    let children: Vec<&IdedExpr> = match &expr.expr {
        Expr::Call(call) => call
            .target
            .iter()
            .map(|t| t.as_ref())
            .chain(&call.args)
            .collect(),
        Expr::Select(select) => vec![select.operand.as_ref()],
        Expr::List(list) => list.elements.iter().collect(),
        Expr::Comprehension(c) => vec![&c.iter_range],
        _ => Vec::new(),
    };
    children
        .into_iter()
        .filter_map(|child| start_of(child, info))
        .chain(own)
        .min()
}

fn display_function(name: &str) -> &str {
    name.trim_matches('_').trim_start_matches('@')
}

/// 1-based line and column of the character at `offset` (code points, as the parser counts).
fn line_column(source: &str, offset: usize) -> (u32, u32) {
    let mut line = 1;
    let mut column = 1;
    for c in source.chars().take(offset) {
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

#[cfg(test)]
mod tests;
