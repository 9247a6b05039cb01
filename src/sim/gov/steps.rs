//! The platform's vocabulary for the steps of an application (业务动作 and 办理环节 per
//! 办理状态 code), in three languages, shared by the seeded histories and by the steps the
//! simulator adds when someone submits or supplements or an agency moves an application on;
//! and which status may follow which.

use crate::upstream::gov::wire::I18nText;

/// Text in Chinese, Uyghur and Kazakh.
pub(super) type Text = (&'static str, &'static str, &'static str);

pub(super) fn text((zh, ug, kk): Text) -> I18nText {
    I18nText {
        zh: zh.to_string(),
        ug: Some(ug.to_string()),
        kk: Some(kk.to_string()),
    }
}

/// 业务动作 and 办理环节 of the step that leads to a status code.
pub(super) fn step_texts(code: &str) -> (Text, Text) {
    const REVIEW: Text = ("受理审查", "قوبۇل قىلىش تەكشۈرۈشى", "قابىلداۋ تەكسەرىسى");
    const DECISION: Text = ("决定", "قارار", "شەشىم");
    const SPECIAL: Text = ("特别程序", "ئالاھىدە تەرتىپ", "ارنايى ٴتارتىپ");
    match code {
        "1" => (
            ("提交申请", "ئىلتىماس تاپشۇرۇش", "ٴوتىنىش تاپسىرۋ"),
            ("网上申报", "توردا ئىلتىماس قىلىش", "جەلىدە ٴوتىنىش بەرۋ"),
        ),
        "2" => (
            (
                "申请人撤件",
                "ئىلتىماسچى ھۆججەتنى قايتۇرۇۋالدى",
                "ٴوتىنىش بەرۋشى قۇجاتتى قايتارىپ الدى",
            ),
            (
                "受理前撤件",
                "قوبۇل قىلىشتىن بۇرۇن قايتۇرۇۋېلىش",
                "قابىلداۋدان بۇرىن قايتارىپ الۋ",
            ),
        ),
        "3" => (
            ("受理", "قوبۇل قىلىندى", "قابىلداندى"),
            ("窗口受理", "كۆزنەكتە قوبۇل قىلىش", "تەرەزەدە قابىلداۋ"),
        ),
        "4" => (("不受理", "قوبۇل قىلىنمىدى", "قابىلدانبادى"), REVIEW),
        "5" => (
            (
                "不予受理",
                "قوبۇل قىلىشقا بولمايدۇ دەپ قارار قىلىندى",
                "قابىلداۋعا بولمايدى دەپ شەشىلدى",
            ),
            REVIEW,
        ),
        "6" => (
            (
                "一次性告知补正",
                "تولۇقلاش ئۇقتۇرۇشى بىر قېتىمدىلا بېرىلدى",
                "تولىقتىرۋ حابارلاماسى ٴبىر رەتتە بەرىلدى",
            ),
            ("材料审查", "ماتېرىيال تەكشۈرۈش", "ماتەريال تەكسەرۋ"),
        ),
        "7" => (
            (
                "申请人提交补正材料",
                "ئىلتىماسچى تولۇقلىما ماتېرىيال تاپشۇردى",
                "ٴوتىنىش بەرۋشى تولىقتىرۋ ماتەريالىن تاپسىردى",
            ),
            ("补正", "تولۇقلاش", "تولىقتىرۋ"),
        ),
        "8" => (
            (
                "部门开始办理",
                "تارماق بېجىرىشكە باشلىدى",
                "بولىم ىستەۋدى باستادى",
            ),
            ("审查", "تەكشۈرۈش", "تەكسەرۋ"),
        ),
        "9" => (
            (
                "启动特别程序",
                "ئالاھىدە تەرتىپ باشلاندى",
                "ارنايى ٴتارتىپ باستالدى",
            ),
            SPECIAL,
        ),
        "10" => (
            (
                "特别程序结束",
                "ئالاھىدە تەرتىپ ئاخىرلاشتى",
                "ارنايى ٴتارتىپ اياقتالدى",
            ),
            SPECIAL,
        ),
        "11" => (
            (
                "办结（准予）",
                "بېجىرىلىپ تاماملاندى (ماقۇللاندى)",
                "ىستەلىپ ٴبىتتى (ماقۇلداندى)",
            ),
            DECISION,
        ),
        "12" => (
            (
                "办结（容缺通过）",
                "بېجىرىلىپ تاماملاندى (كەمتۈك ماتېرىيالغا يول قويۇلۇپ ماقۇللاندى)",
                "ىستەلىپ ٴبىتتى (كەم ماتەريالعا ٴجول بەرىلىپ ماقۇلداندى)",
            ),
            DECISION,
        ),
        "13" => (
            (
                "办结（不予许可）",
                "بېجىرىلىپ تاماملاندى (ماقۇللانمىدى)",
                "ىستەلىپ ٴبىتتى (ماقۇلدانبادى)",
            ),
            DECISION,
        ),
        "14" => (
            (
                "申请人撤回申请",
                "ئىلتىماسچى ئىلتىماسنى قايتۇرۇۋالدى",
                "ٴوتىنىش بەرۋشى ٴوتىنىشتى قايتارىپ الدى",
            ),
            (
                "办理中撤回",
                "بېجىرىش جەريانىدا قايتۇرۇۋېلىش",
                "ىستەۋ بارىسىندا قايتارىپ الۋ",
            ),
        ),
        "16" => (
            (
                "出证（待领取）",
                "نەتىجە تەييار بولدى، ئېلىشنى كۈتىدۇ",
                "ناتيجە دايىن بولدى، الۋدى كۇتۋدە",
            ),
            ("送达", "يەتكۈزۈپ بېرىش", "جەتكىزىپ بەرۋ"),
        ),
        _ => (
            ("撤销", "بىكار قىلىندى", "كۇشىنەن قالدىرىلدى"),
            ("监督检查", "نازارەت تەكشۈرۈشى", "قاداعالاۋ تەكسەرىسى"),
        ),
    }
}

/// Every 办理状态 code the platform uses.
pub(super) fn is_known(code: &str) -> bool {
    code.parse::<u8>().is_ok_and(|n| (1..=16).contains(&n)) && !code.starts_with('0')
}

/// Status codes that end the handling of an application: decided, refused or withdrawn. Only
/// [`may_follow`] lets anything come after them (a result to collect, a revocation).
pub(super) fn is_closed(code: &str) -> bool {
    matches!(
        code,
        "2" | "4" | "5" | "11" | "12" | "13" | "14" | "15" | "16"
    )
}

/// Whether the platform moves an application from status `from` to `to`: an open application
/// to any step of handling; 补正(结束) only after 补正(开始) and 特别程序(结束) only after its start;
/// withdrawal before acceptance only while nothing has been accepted; after a decision only the
/// result becoming ready (after an approval) or a revocation. "1" is only ever the first step.
pub(super) fn may_follow(from: &str, to: &str) -> bool {
    let accepted_yet = !matches!(from, "1" | "6" | "7");
    match to {
        "1" => false,
        "2" | "4" | "5" => !accepted_yet,
        "7" => from == "6",
        "10" => from == "9",
        "16" => matches!(from, "11" | "12"),
        "15" => matches!(from, "11" | "12" | "16"),
        _ if !is_known(to) => false,
        _ => !is_closed(from) && from != to,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decided_application_only_gets_its_result_or_a_revocation() {
        assert!(may_follow("11", "16"));
        assert!(may_follow("12", "16"));
        assert!(may_follow("16", "15"));
        assert!(!may_follow("13", "16"), "a denial has nothing to collect");
        assert!(!may_follow("16", "16"));
        assert!(!may_follow("15", "8"));
        assert!(!may_follow("2", "3"));
    }

    #[test]
    fn an_open_application_moves_through_handling() {
        assert!(may_follow("1", "3"));
        assert!(may_follow("1", "6"));
        assert!(may_follow("6", "7"));
        assert!(may_follow("7", "3"));
        assert!(may_follow("3", "8"));
        assert!(may_follow("8", "9"));
        assert!(may_follow("9", "10"));
        assert!(may_follow("8", "11"));
        assert!(may_follow("8", "14"));
        assert!(!may_follow("8", "7"), "no supplement was asked for");
        assert!(!may_follow("8", "10"), "no special procedure runs");
        assert!(!may_follow("8", "2"), "withdrawn after acceptance is 14");
        assert!(!may_follow("3", "1"));
        assert!(!may_follow("3", "17"));
        assert!(!may_follow("3", "08"));
        assert!(!may_follow("8", "8"));
        assert!(!may_follow("13", "15"));
    }
}
