//! Checks over the seed files of the simulated platform (`seed/catalog.json`, `themes.json`,
//! `bundles.json`): the implementation list must stay big, trilingual and consistent with the
//! shared data conventions, because the BFF's search, filters and bundle pages are tested
//! against it. The files are read as plain JSON so a check names the offending item; one test
//! also parses them into the wire types the client uses.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

use crate::upstream::gov::wire::{Bundle, TaskItem, Theme};

const CATALOG: &str = include_str!("seed/catalog.json");
const THEMES: &str = include_str!("seed/themes.json");
const BUNDLES: &str = include_str!("seed/bundles.json");

const ITEM_TYPES: [&str; 12] = [
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20", "99",
];
const THEME_CODES: [&str; 14] = [
    "household",
    "socialSecurity",
    "employment",
    "education",
    "health",
    "civilAffairs",
    "housing",
    "transport",
    "marketEntry",
    "tax",
    "agriculture",
    "disability",
    "elderly",
    "culture",
];
const HALL_IDS: [&str; 12] = [
    "hall-ili-prefecture",
    "hall-yining-city",
    "hall-kuitun",
    "hall-horgos",
    "hall-yining-county",
    "hall-qapqal",
    "hall-huocheng",
    "hall-gongliu",
    "hall-xinyuan",
    "hall-zhaosu",
    "hall-tekes",
    "hall-nilka",
];
const CERT_TYPES: [&str; 12] = [
    "ID_CARD",
    "HOUSEHOLD_REGISTER",
    "MARRIAGE_CERT",
    "BIRTH_MEDICAL_CERT",
    "BUSINESS_LICENSE",
    "DISABILITY_CERT",
    "DRIVER_LICENSE",
    "SOCIAL_SECURITY_CARD",
    "PROPERTY_CERT",
    "RETIREMENT_CERT",
    "RESIDENCE_PERMIT",
    "FOOD_BUSINESS_LICENSE",
];
const LIFE_EVENTS: [&str; 13] = [
    "birth",
    "schoolEnrolment",
    "employment",
    "marriage",
    "homePurchase",
    "retirement",
    "disability",
    "death",
    "startBusiness",
    "closeBusiness",
    "hireStaff",
    "militaryService",
    "relocation",
];
const HANDLE_FORMS: [&str; 4] = ["online", "window", "express", "selfService"];

/// The items the first seed held; other tests address them by code.
const ORIGINAL_TASK_CODES: [&str; 16] = [
    "1165400001010031273000173007001",
    "1165400001010031273000173007002",
    "1165400001010031273000173001001",
    "11654000010100451X3000134050000",
    "11654000010100451X3000134038000",
    "11654000010100451X3000134021000",
    "11654000010100451X3000134001000",
    "11654000010100523N3000132004001",
    "11654000010100523N3000132011000",
    "11654000010100523N3000132019000",
    "11654000MB1508279T3000138001001",
    "11654000MB1508279T3000138002001",
    "1165400001010068953000149008000",
    "1165400001010068953000149003000",
    "11654000MB074195XR3000207001000",
    "11654000MB074195XR3000207002000",
];

fn catalog() -> Vec<Value> {
    serde_json::from_str(CATALOG).expect("catalog.json is a JSON array")
}

fn themes() -> Vec<Value> {
    serde_json::from_str(THEMES).expect("themes.json is a JSON array")
}

fn bundles() -> Vec<Value> {
    serde_json::from_str(BUNDLES).expect("bundles.json is a JSON array")
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

fn strings<'a>(value: &'a Value, key: &str) -> Vec<&'a str> {
    value[key]
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn task_code(item: &Value) -> &str {
    text(item, "taskCode")
}

/// Uyghur and Kazakh are written in the Arabic script in Xinjiang: every letter must come from
/// the Arabic blocks (digits and punctuation may be anything).
fn is_arabic_script(s: &str) -> bool {
    let arabic = |c: char| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}');
    let mut letters = s.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek().is_some() && letters.all(arabic)
}

/// The problems of one I18nText, described with `place` so a failure names the item.
fn trilingual_problems(place: &str, value: &Value) -> Vec<String> {
    let zh = text(value, "zh");
    let mut problems = Vec::new();
    if zh.is_empty() {
        problems.push(format!("{place}: no Chinese text"));
    }
    for lang in ["ug", "kk"] {
        let other = text(value, lang);
        if !is_arabic_script(other) || other == zh {
            problems.push(format!("{place}.{lang}: not Arabic-script text: {other:?}"));
        }
    }
    problems
}

/// Every I18nText of a catalog item, with where it sits.
fn item_texts(item: &Value) -> Vec<(String, &Value)> {
    let code = task_code(item);
    let mut found = vec![
        (format!("{code}.taskName"), &item["taskName"]),
        (format!("{code}.deptName"), &item["deptName"]),
        (format!("{code}.acceptCondition"), &item["acceptCondition"]),
    ];
    for (i, material) in item["materials"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        found.push((format!("{code}.materials[{i}]"), &material["materialName"]));
    }
    let procedures = item["specialProcedures"].as_array().into_iter().flatten();
    for (i, procedure) in procedures.enumerate() {
        found.push((format!("{code}.specialProcedures[{i}]"), &procedure["name"]));
    }
    found
}

#[test]
fn the_seed_files_parse_into_the_wire_types_the_client_uses() {
    let items: Vec<TaskItem> = serde_json::from_str(CATALOG).expect("catalog as TaskItem");
    let themes: Vec<Theme> = serde_json::from_str(THEMES).expect("themes as Theme");
    let bundles: Vec<Bundle> = serde_json::from_str(BUNDLES).expect("bundles as Bundle");
    assert_eq!(items.len(), catalog().len());
    assert_eq!(themes.len(), THEME_CODES.len());
    assert!(bundles.iter().all(|b| b.description.is_some()));
}

#[test]
fn the_catalog_lists_at_least_150_items_of_at_least_12_departments() {
    let items = catalog();
    assert!(items.len() >= 150, "only {} items", items.len());
    let mut names: HashMap<&str, &Value> = HashMap::new();
    for item in &items {
        let previous = names.insert(text(item, "deptCode"), &item["deptName"]);
        assert!(
            previous.is_none_or(|name| name == &item["deptName"]),
            "{}: department {} is named two ways",
            task_code(item),
            text(item, "deptCode")
        );
    }
    assert!(names.len() >= 12, "only {} departments", names.len());
    assert!(names.keys().all(|code| code.len() == 18), "{names:?}");
}

#[test]
fn every_item_type_appears_and_no_other() {
    let items = catalog();
    let types: BTreeSet<&str> = items.iter().map(|i| text(i, "taskType")).collect();
    assert_eq!(types, ITEM_TYPES.into_iter().collect());
}

#[test]
fn task_codes_are_unique_and_built_from_the_department_and_catalog_code() {
    let items = catalog();
    let mut seen = HashSet::new();
    for item in &items {
        let code = task_code(item);
        assert!(seen.insert(code), "{code} appears twice");
        let catalog_code = text(item, "catalogCode");
        assert!(
            catalog_code.len() == 12 && catalog_code.bytes().all(|b| b.is_ascii_digit()),
            "{code}: catalog code {catalog_code:?}"
        );
        assert!(code.len() <= 36, "{code} is longer than 36");
        assert_eq!(
            code,
            format!("{}3{catalog_code}", text(item, "deptCode")),
            "{code}"
        );
    }
}

#[test]
fn the_original_sixteen_items_are_still_listed() {
    let items = catalog();
    let codes: HashSet<&str> = items.iter().map(task_code).collect();
    for code in ORIGINAL_TASK_CODES {
        assert!(codes.contains(code), "{code} is gone");
    }
}

#[test]
fn every_text_is_given_in_chinese_uyghur_and_kazakh() {
    let items = catalog();
    let themes = themes();
    let bundles = bundles();
    let mut problems = Vec::new();
    for item in &items {
        for (place, value) in item_texts(item) {
            problems.extend(trilingual_problems(&place, value));
        }
    }
    for theme in &themes {
        problems.extend(trilingual_problems(text(theme, "code"), &theme["name"]));
    }
    for bundle in &bundles {
        let code = text(bundle, "code");
        problems.extend(trilingual_problems(code, &bundle["name"]));
        problems.extend(trilingual_problems(code, &bundle["description"]));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_script_check_refuses_latin_and_chinese_letters() {
    assert!(is_arabic_script("ئاھالىلەر كىملىكى (16 ياش)"));
    assert!(is_arabic_script("تۇرعىندار جەكە كۋالىگى، ٴوتىنىش"));
    assert!(!is_arabic_script("ئاھالىلەر ID"));
    assert!(!is_arabic_script("居民身份证"));
    assert!(!is_arabic_script("2026"));
}

#[test]
fn promised_limits_never_exceed_statutory_ones_in_the_same_unit() {
    for item in catalog() {
        let code = task_code(&item);
        let statutory = item["anticipateDay"].as_u64().expect("anticipateDay");
        let promised = item["promiseDay"].as_u64().expect("promiseDay");
        if item["anticipateType"] == item["promiseType"] {
            assert!(promised <= statutory, "{code}: {promised} > {statutory}");
        }
        // 即办件 (done on the spot) promise zero days; 承诺件 more.
        let on_the_spot = text(&item, "projectType") == "1";
        assert_eq!(on_the_spot, promised == 0, "{code}: projectType");
        let visits = item["limitSceneNum"].as_u64().expect("limitSceneNum");
        assert!(visits <= 2, "{code}: {visits} visits");
        let fee = item["feeFen"].as_i64().expect("feeFen");
        assert_eq!(item["isFee"].as_bool(), Some(fee > 0), "{code}: fee");
        let materials = item["materials"].as_array().map_or(0, Vec::len);
        assert!(
            (1..=5).contains(&materials),
            "{code}: {materials} materials"
        );
    }
}

#[test]
fn themes_halls_forms_certificates_and_life_events_use_the_conventions_codes() {
    for item in catalog() {
        let code = task_code(&item);
        let themes = strings(&item, "themes");
        assert!(!themes.is_empty(), "{code}: no theme");
        for (field, allowed) in [
            ("themes", &THEME_CODES[..]),
            ("halls", &HALL_IDS[..]),
            ("handleForms", &HANDLE_FORMS[..]),
            ("lifeEvents", &LIFE_EVENTS[..]),
        ] {
            for value in strings(&item, field) {
                assert!(allowed.contains(&value), "{code}: {field} {value:?}");
            }
        }
        for material in item["materials"].as_array().into_iter().flatten() {
            for cert in strings(material, "certTypes") {
                assert!(CERT_TYPES.contains(&cert), "{code}: certType {cert:?}");
            }
        }
        let forms = strings(&item, "handleForms");
        let halls = strings(&item, "halls");
        assert_eq!(
            forms.contains(&"window"),
            !halls.is_empty(),
            "{code}: halls"
        );
        if item["onlineApply"].as_bool() == Some(true) {
            assert!(forms.contains(&"online"), "{code}: online apply");
        }
    }
}

#[test]
fn the_themes_file_holds_exactly_the_fourteen_themes_of_the_conventions() {
    let themes = themes();
    let codes: Vec<&str> = themes.iter().map(|t| text(t, "code")).collect();
    assert_eq!(codes, THEME_CODES);
}

#[test]
fn at_least_ten_bundles_whose_items_exist_and_carry_the_bundle_code() {
    let items = catalog();
    let by_code: HashMap<&str, &Value> = items.iter().map(|i| (task_code(i), i)).collect();
    let bundles = bundles();
    assert!(bundles.len() >= 10, "only {} bundles", bundles.len());
    let mut seen = HashSet::new();
    for bundle in &bundles {
        let code = text(bundle, "code");
        assert!(seen.insert(code), "bundle {code} twice");
        assert!(
            LIFE_EVENTS.contains(&code),
            "bundle {code} is not a life event"
        );
        assert!(
            ["person", "enterprise"].contains(&text(bundle, "lifecycle")),
            "{code}: lifecycle"
        );
        let lead = text(bundle, "leadDeptCode");
        assert!(
            items.iter().any(|i| text(i, "deptCode") == lead),
            "{code}: lead department {lead} has no items"
        );
        let members = bundle["items"].as_array().expect("bundle items");
        assert!(
            members.iter().any(|m| m["optional"] == false),
            "{code}: every item is optional"
        );
        for member in members {
            let task = text(member, "taskCode");
            let item = by_code
                .get(task)
                .unwrap_or_else(|| panic!("{code}: {task} is not in the catalog"));
            assert!(
                strings(item, "lifeEvents").contains(&code),
                "{code}: {task} does not list the bundle in lifeEvents"
            );
        }
    }
}
