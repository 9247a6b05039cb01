//! Keeps the three locales honest: every file parses, every message exists everywhere with
//! the same variables, translations are really translated and in Arabic script, selectors are
//! safe, and every message id the code uses exists.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

use fluent_syntax::{ast, parser};
use tongban::i18n::{Args, L10n, Lang, RESOURCE_FILES};

use crate::helpers::is_arabic_script;

const LOCALES: [&str; 3] = ["zh-Hans", "ug-Arab", "kk-Arab"];

/// A message's text (literal parts only) and variable names.
#[derive(Debug, Default)]
struct MessageInfo {
    text: String,
    variables: BTreeSet<String>,
    selector_problems: Vec<String>,
}

fn walk_pattern(pattern: &ast::Pattern<String>, info: &mut MessageInfo) {
    for element in &pattern.elements {
        match element {
            ast::PatternElement::TextElement { value } => info.text.push_str(value),
            ast::PatternElement::Placeable { expression } => walk_expression(expression, info),
        }
    }
}

fn walk_expression(expression: &ast::Expression<String>, info: &mut MessageInfo) {
    match expression {
        ast::Expression::Inline(inline) => walk_inline(inline, info),
        ast::Expression::Select { selector, variants } => {
            walk_inline(selector, info);
            let plural_call = matches!(selector, ast::InlineExpression::FunctionReference { id, .. } if id.name == "PLURAL");
            let string_variable =
                matches!(selector, ast::InlineExpression::VariableReference { .. });
            if !plural_call && !string_variable {
                info.selector_problems
                    .push("selector must be PLURAL($n) or a text variable".into());
            }
            if !variants.iter().any(|v| v.default) {
                info.selector_problems
                    .push("selector has no default variant".into());
            }
            for variant in variants {
                walk_pattern(&variant.value, info);
            }
        }
    }
}

fn walk_inline(inline: &ast::InlineExpression<String>, info: &mut MessageInfo) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            info.variables.insert(id.name.clone());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for arg in &arguments.positional {
                walk_inline(arg, info);
            }
        }
        ast::InlineExpression::Placeable { expression } => walk_expression(expression, info),
        _ => {}
    }
}

/// Every problem with the locales under `dir`; empty when they are sound.
fn check_locales(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut all: BTreeMap<&str, BTreeMap<String, MessageInfo>> = BTreeMap::new();
    for locale in LOCALES {
        let mut on_disk: Vec<String> = fs::read_dir(dir.join(locale))
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .filter(|name| name.ends_with(".ftl"))
                    .collect()
            })
            .unwrap_or_default();
        on_disk.sort();
        let mut embedded: Vec<String> = RESOURCE_FILES.iter().map(|s| s.to_string()).collect();
        embedded.sort();
        if on_disk != embedded {
            problems.push(format!(
                "{locale}: files {on_disk:?} differ from the embedded list {embedded:?}"
            ));
        }
        let messages = all.entry(locale).or_default();
        for file in &on_disk {
            let source = fs::read_to_string(dir.join(locale).join(file)).unwrap_or_default();
            let resource = match parser::parse(source) {
                Ok(resource) => resource,
                Err((_, errors)) => {
                    problems.push(format!("{locale}/{file}: parse errors {errors:?}"));
                    continue;
                }
            };
            for entry in resource.body {
                if let ast::Entry::Message(message) = entry {
                    let mut info = MessageInfo::default();
                    if let Some(value) = &message.value {
                        walk_pattern(value, &mut info);
                    }
                    for problem in &info.selector_problems {
                        problems.push(format!("{locale}: {}: {problem}", message.id.name));
                    }
                    if messages.insert(message.id.name.clone(), info).is_some() {
                        problems.push(format!("{locale}: {} is defined twice", message.id.name));
                    }
                }
            }
        }
    }
    let zh = &all["zh-Hans"];
    for locale in ["ug-Arab", "kk-Arab"] {
        let other = &all[locale];
        for (id, zh_info) in zh {
            let Some(info) = other.get(id) else {
                problems.push(format!("{locale}: message {id} is missing"));
                continue;
            };
            if info.variables != zh_info.variables {
                problems.push(format!(
                    "{locale}: {id} has variables {:?}, zh-Hans has {:?}",
                    info.variables, zh_info.variables
                ));
            }
            if info.text.trim() == zh_info.text.trim() {
                problems.push(format!("{locale}: {id} is not translated"));
            }
            if !is_arabic_script(&info.text) {
                problems.push(format!(
                    "{locale}: {id} is not in Arabic script: {}",
                    info.text
                ));
            }
        }
        for id in other.keys().filter(|id| !zh.contains_key(*id)) {
            problems.push(format!("{locale}: message {id} does not exist in zh-Hans"));
        }
    }
    problems
}

fn locales_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("locales")
}

#[test]
fn the_shipped_locales_are_complete_consistent_and_translated() {
    let problems = check_locales(&locales_dir());
    assert!(
        problems.is_empty(),
        "locale problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn removing_one_message_from_one_locale_is_caught() {
    let copy = tempfile::tempdir().expect("temp dir");
    for locale in LOCALES {
        fs::create_dir_all(copy.path().join(locale)).expect("dir");
        for file in RESOURCE_FILES {
            let mut text = fs::read_to_string(locales_dir().join(locale).join(file)).expect("ftl");
            if locale == "kk-Arab" && file == "errors.ftl" {
                text = text
                    .lines()
                    .filter(|line| !line.starts_with("problem-not-found-title"))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            fs::write(copy.path().join(locale).join(file), text).expect("write");
        }
    }
    let problems = check_locales(copy.path());
    assert!(
        problems
            .iter()
            .any(|p| p.contains("kk-Arab: message problem-not-found-title is missing")),
        "{problems:?}"
    );
}

#[test]
fn a_selector_without_plural_or_default_is_caught() {
    let copy = tempfile::tempdir().expect("temp dir");
    for locale in LOCALES {
        fs::create_dir_all(copy.path().join(locale)).expect("dir");
        for file in RESOURCE_FILES {
            let mut text = fs::read_to_string(locales_dir().join(locale).join(file)).expect("ftl");
            if file == "catalog.ftl" {
                text.push_str("\nextra = { 3 ->\n   [one] a\n  *[other] b\n}\n");
            }
            fs::write(copy.path().join(locale).join(file), text).expect("write");
        }
    }
    let problems = check_locales(copy.path());
    assert!(
        problems
            .iter()
            .any(|p| p.contains("selector must be PLURAL")),
        "{problems:?}"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_message_id_the_code_uses_exists_in_every_locale() {
    let l10n = L10n::embedded().expect("bundles build");
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut used = BTreeSet::new();
    for file in files {
        let source = fs::read_to_string(&file).expect("source");
        for piece in source.split("msg!(\"").skip(1) {
            if let Some(id) = piece.split('"').next() {
                used.insert(id.to_string());
            }
        }
    }
    assert!(
        used.len() > 30,
        "expected to find the message ids, found {used:?}"
    );
    let args = Args::new()
        .text("field", "x")
        .text("format", "JSON")
        .text("max", "1")
        .text("min", "1")
        .text("method", "GET")
        .text("kilobytes", "1")
        .text("requestId", "r")
        .text("code", "c")
        .text("seconds", "5")
        .text("amount", "1.00元")
        .count("days", 5)
        .count("line", 1)
        .count("column", 1)
        .text("detail", "d")
        .count("visits", 1);
    let mut missing = Vec::new();
    for id in &used {
        for lang in Lang::ALL {
            if let Err(problem) = l10n.try_format(lang, id, &args) {
                missing.push(format!("{lang}: {id}: {problem}"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn values_in_right_to_left_text_are_isolated() {
    let l10n = L10n::embedded().expect("bundles build");
    let text = l10n.format(
        Lang::UgArab,
        "field-too-long",
        &Args::new().text("field", "name").text("max", "10"),
    );
    assert!(text.contains("\u{2068}name\u{2069}"), "{text:?}");
    let zh = l10n.format(
        Lang::ZhHans,
        "field-too-long",
        &Args::new().text("field", "name").text("max", "10"),
    );
    assert!(
        !zh.contains('\u{2068}'),
        "zh-Hans needs no marks around LTR values: {zh:?}"
    );
    let zh_rtl = l10n.format(
        Lang::ZhHans,
        "field-invalid",
        &Args::new().text("field", "ئىسىم"),
    );
    assert!(zh_rtl.contains("\u{2068}ئىسىم\u{2069}"), "{zh_rtl:?}");
}

#[test]
fn a_message_that_fails_in_one_locale_falls_back_to_zh_hans_and_is_counted() {
    let read = |locale: &str| -> Vec<(&'static str, String)> {
        RESOURCE_FILES
            .iter()
            .map(|file| {
                (
                    *file,
                    fs::read_to_string(locales_dir().join(locale).join(file)).expect("ftl"),
                )
            })
            .collect()
    };
    let mut ug = read("ug-Arab");
    ug[0].1 = ug[0].1.replace("{ $method }", "{ $verb }");
    let l10n = L10n::from_sources([read("zh-Hans"), ug, read("kk-Arab")]).expect("bundles build");
    let text = l10n.format(
        Lang::UgArab,
        "problem-method-not-allowed-detail",
        &Args::new().text("method", "PUT"),
    );
    assert_eq!(text, "该地址不支持 PUT 请求。");
    assert!(!text.contains('{'));
    let mut exposition = String::new();
    let mut registry = prometheus_client::registry::Registry::default();
    registry.register("fallbacks", "test", l10n.fallback_counter());
    prometheus_client::encoding::text::encode(&mut exposition, &registry).expect("encode");
    assert!(
        exposition.contains("problem-method-not-allowed-detail"),
        "{exposition}"
    );
}

#[test]
fn plural_categories_follow_cldr_per_locale() {
    let source = |text: &str| {
        vec![
            ("errors.ftl", text.to_string()),
            ("catalog.ftl", String::new()),
        ]
    };
    let msg = "n = { PLURAL($n) ->\n    [one] one\n   *[other] other\n}\n";
    let l10n = L10n::from_sources([source(msg), source(msg), source(msg)]).expect("bundles build");
    let form = |lang, n| l10n.format(lang, "n", &Args::new().count("n", n));
    assert_eq!(form(Lang::ZhHans, 1), "other");
    assert_eq!(form(Lang::UgArab, 1), "one");
    assert_eq!(form(Lang::UgArab, 2), "other");
    assert_eq!(form(Lang::KkArab, 1), "one");
    assert_eq!(form(Lang::KkArab, 21), "other");
}
