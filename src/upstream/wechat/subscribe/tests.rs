//! The value rules per field type, and `fit_value` with Chinese, Uyghur and Kazakh
//! (Arabic-script) text.

use super::*;

/// "Your application has been accepted and is being reviewed" in Uyghur.
const UYGHUR: &str = "ئىلتىماسىڭىز قوبۇل قىلىندى، تەكشۈرۈلۈۋاتىدۇ";
/// "Your application has been accepted" in Kazakh, Arabic script (with the high hamza ٴ).
const KAZAKH: &str = "ٴوتىنىشىڭىز قابىلداندى جانە قارالۋدا";

fn accepts(key: &str, value: &str) -> bool {
    value_fits(key, value)
}

#[test]
fn keys_are_typed_by_their_prefix_whatever_their_number() {
    assert_eq!(FieldKind::of_key("thing1"), Some(FieldKind::Thing));
    assert_eq!(
        FieldKind::of_key("character_string10"),
        Some(FieldKind::CharacterString)
    );
    assert_eq!(
        FieldKind::of_key("phone_number4"),
        Some(FieldKind::PhoneNumber)
    );
    assert_eq!(FieldKind::of_key("number01"), Some(FieldKind::Number));
    assert_eq!(FieldKind::of_key("keyword1"), None);
    assert!(!accepts("keyword1", "anything"));
}

#[test]
fn thing_takes_any_text_up_to_20_characters() {
    assert!(accepts("thing1", "高龄津贴已到账，请查收"));
    assert!(accepts("thing1", &"办".repeat(20)));
    assert!(!accepts("thing1", &"办".repeat(21)));
    assert!(accepts("thing1", "قوبۇل قىلىندى"));
    assert!(!accepts("thing1", "ئىلتىماسىڭىز قوبۇل قىلىندى"));
    assert!(!accepts("thing1", ""));
    assert!(!accepts("thing1", "第一行\n第二行"));
}

#[test]
fn numbers_letters_symbols_and_strings_follow_their_character_classes() {
    assert!(accepts("number1", "3.50"));
    assert!(accepts("number1", &"9".repeat(32)));
    assert!(!accepts("number1", &"9".repeat(33)));
    assert!(!accepts("number1", "-3"));
    assert!(!accepts("number1", "三"));
    assert!(accepts("letter1", "ABCabc"));
    assert!(!accepts("letter1", "AB1"));
    assert!(accepts("symbol1", "#-+"));
    assert!(!accepts("symbol1", "######"));
    assert!(!accepts("symbol1", "A"));
    assert!(accepts("character_string1", "TB-2025-000123"));
    assert!(!accepts("character_string1", "TB-2025-申请"));
    assert!(!accepts("character_string1", &"A".repeat(33)));
}

#[test]
fn time_takes_a_24_hour_time_optionally_dated_and_ranges() {
    for ok in [
        "15:01",
        "9:05",
        "15:01:59",
        "2019年10月1日 15:01",
        "2025-03-01 10:00",
        "2025-03-01 10:00~2025-03-01 12:00",
        "10:00 ~ 12:00",
    ] {
        assert!(accepts("time3", ok), "{ok}");
    }
    for bad in [
        "24:00",
        "15:60",
        "1501",
        "2025-03-01",
        "下午三点",
        "10:00~11:00~12:00",
    ] {
        assert!(!accepts("time3", bad), "{bad}");
    }
}

#[test]
fn date_takes_the_documented_date_forms_optionally_timed_and_ranges() {
    for ok in [
        "2019年10月1日",
        "2019年10月",
        "10月1日",
        "2018-01-01",
        "2018/01/01",
        "2018.01.01",
        "2018-01",
        "01-01",
        "2019年10月1日 15:01",
        "2025-03-01 10:00:00",
        "2025-03-01~2025-03-31",
    ] {
        assert!(accepts("date2", ok), "{ok}");
    }
    for bad in [
        "2018-13-01",
        "2018-01-32",
        "15:01",
        "明天",
        "20180101",
        "2018-01-01T10:00",
    ] {
        assert!(!accepts("date2", bad), "{bad}");
    }
}

#[test]
fn amount_phone_and_car_numbers_follow_their_shapes() {
    for ok in ["¥100.00", "100元", "￥1200.5元", "3000"] {
        assert!(accepts("amount2", ok), "{ok}");
    }
    for bad in ["¥¥100", "12345678901元", "一百元", "100 元"] {
        assert!(!accepts("amount2", bad), "{bad}");
    }
    assert!(accepts("phone_number5", "+86-0766-66888866"));
    assert!(!accepts("phone_number5", "+86-0766-668888661"));
    assert!(!accepts("phone_number5", "0991 1234567"));
    assert!(accepts("car_number1", "新A12345"));
    assert!(accepts("car_number1", "粤A8Z888挂"));
    assert!(!accepts("car_number1", "新A123456挂"));
    assert!(!accepts("car_number1", "新A1新345"));
}

#[test]
fn names_are_ten_chinese_or_twenty_latin_characters() {
    assert!(accepts("name1", "阿依古丽·买买提"));
    assert!(accepts("name1", "王建华"));
    assert!(!accepts("name1", "阿依古丽·买买提江·艾力"));
    assert!(accepts("name1", "Aygul Memet"));
    assert!(!accepts("name1", "Aygul Memet Abdurehim Khan"));
    assert!(!accepts("name1", "ئايگۈل مەمەت"));
}

#[test]
fn phrase_takes_up_to_five_chinese_characters_only() {
    assert!(accepts("phrase2", "已受理"));
    assert!(accepts("phrase2", "审核未通过"));
    assert!(!accepts("phrase2", "审核已经通过"));
    assert!(!accepts("phrase2", "已受理!"));
    assert!(!accepts("phrase2", "OK"));
    assert!(!accepts("phrase2", "قوبۇل"));
}

#[test]
fn a_long_chinese_thing_is_cut_to_19_characters_and_an_ellipsis() {
    let long = "您申请的城乡居民基本养老保险待遇已审核通过请查收";

    let fitted = fit_value("thing1", long).expect("a thing always fits");

    assert_eq!(fitted, "您申请的城乡居民基本养老保险待遇已审核…");
    assert_eq!(fitted.chars().count(), 20);
    assert_eq!(
        fit_value("thing1", "高龄津贴已到账").as_deref(),
        Some("高龄津贴已到账")
    );
}

#[test]
fn a_long_uyghur_thing_is_cut_between_words() {
    let fitted = fit_value("thing1", UYGHUR).expect("a thing always fits");

    assert!(fitted.chars().count() <= 20, "{fitted}");
    let head = fitted.strip_suffix('…').expect("ends with an ellipsis");
    assert!(UYGHUR.starts_with(head), "{fitted}");
    let next = UYGHUR[head.len()..].chars().next();
    assert!(
        next.is_some_and(char::is_whitespace),
        "cut inside a word: {fitted}"
    );
    assert!(value_fits("thing1", &fitted));
}

#[test]
fn a_long_kazakh_thing_is_cut_between_words_and_fits() {
    let fitted = fit_value("thing4", KAZAKH).expect("a thing always fits");

    assert_eq!(fitted, "ٴوتىنىشىڭىز…");
    assert!(value_fits("thing4", &fitted));
}

#[test]
fn a_word_longer_than_the_window_is_cut_inside_it() {
    let one_long_word = "ئىلتىماسىڭىزنىڭتەكشۈرۈلۈشىتاماملاندى";

    let fitted = fit_value("thing1", one_long_word).expect("fits");

    assert_eq!(fitted.chars().count(), 20);
    assert!(one_long_word.starts_with(fitted.trim_end_matches('…')));
}

#[test]
fn whitespace_and_line_breaks_are_tidied_before_fitting() {
    assert_eq!(
        fit_value("thing1", "  高龄津贴\n已到账  ").as_deref(),
        Some("高龄津贴 已到账")
    );
    assert_eq!(fit_value("thing1", " \n "), None);
}

#[test]
fn uyghur_or_kazakh_text_cannot_fit_a_phrase_or_a_name() {
    assert_eq!(fit_value("phrase2", "قوبۇل قىلىندى"), None);
    assert_eq!(fit_value("phrase2", "قابىلداندى"), None);
    assert_eq!(fit_value("name1", "ئايگۈل مەمەت"), None);
    assert_eq!(fit_value("phrase2", " 已受理 ").as_deref(), Some("已受理"));
}

#[test]
fn names_phrases_and_identifiers_are_never_cut() {
    assert_eq!(fit_value("phrase2", "审核已经通过"), None);
    assert_eq!(fit_value("name1", "阿依古丽·买买提江·艾力"), None);
    assert_eq!(fit_value("character_string1", &"A".repeat(33)), None);
    assert_eq!(fit_value("number1", &"9".repeat(33)), None);
}

#[test]
fn numbers_amounts_dates_and_plates_are_normalised() {
    assert_eq!(fit_value("number1", "1,234.5").as_deref(), Some("1234.5"));
    assert_eq!(
        fit_value("amount2", "¥ 1,200.00").as_deref(),
        Some("¥1200.00")
    );
    assert_eq!(fit_value("amount2", "1200 元").as_deref(), Some("1200元"));
    assert_eq!(
        fit_value("date3", "2025-03-01T10:00:00.123").as_deref(),
        Some("2025-03-01 10:00:00")
    );
    assert_eq!(
        fit_value("time3", "2025-03-01T10:00").as_deref(),
        Some("2025-03-01 10:00")
    );
    assert_eq!(fit_value("time3", "2025-03-01T10:00:00+08:00"), None);
    assert_eq!(
        fit_value("phone_number5", "0991 123 4567").as_deref(),
        Some("09911234567")
    );
    assert_eq!(
        fit_value("car_number1", "新a·12345").as_deref(),
        Some("新A12345")
    );
}

#[test]
fn unknown_keys_never_fit_and_enums_pass_through_tidied() {
    assert_eq!(fit_value("keyword1", "值"), None);
    assert_eq!(fit_value("enum1", " 待支付 ").as_deref(), Some("待支付"));
}

#[test]
fn a_cut_does_not_leave_a_comma_before_the_ellipsis() {
    let fitted = fit_value(
        "thing1",
        "您的申请材料已经全部收到并审核完毕了，请于三日内到窗口领取",
    );

    assert_eq!(
        fitted.as_deref(),
        Some("您的申请材料已经全部收到并审核完毕了…")
    );
}
