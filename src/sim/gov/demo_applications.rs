//! The demo people's applications (办件): every 办理状态 code 1–16 appears at least once, with a
//! history as the platform records it (接件 → 受理 → 审查 → 办结 → 出证 …), one application paused
//! by a special procedure, one waiting for a supplement due in three days, one whose result
//! waits to be collected, and finished ones that can still be rated. Dates are relative to the
//! simulator's start.

use jiff::{Span, Zoned, civil::Weekday};

use super::{
    citizens::demo_citizens,
    enterprises::demo_enterprises,
    records::{StoredApplication, beijing, rfc3339},
    steps::{Text, is_closed, step_texts, text},
};
use crate::upstream::gov::wire::{
    Application, ApplicationStep, HolderType, I18nText, SpecialProcedureRun, SupplementNotice,
    TaskItem,
};

const ID_RENEWAL: &str = "1165400001010031273000173007002";
const BIRTH_REGISTRATION: &str = "1165400001010031273000173001001";
const RURAL_PENSION: &str = "11654000010100451X3000134050000";
const UNEMPLOYMENT: &str = "11654000010100451X3000134038000";
const EMPLOYMENT_CARD: &str = "11654000010100451X3000134021000";
const UNIT_INSURANCE: &str = "11654000010100451X3000134001000";
const MARRIAGE: &str = "11654000010100523N3000132004001";
const MINIMUM_LIVING: &str = "11654000010100523N3000132011000";
const ELDERLY_ALLOWANCE: &str = "11654000010100523N3000132019000";
const INDIVIDUAL_BUSINESS: &str = "11654000MB1508279T3000138001001";
const COMPANY: &str = "11654000MB1508279T3000138002001";
const MATERNAL_LICENCE: &str = "1165400001010068953000149003000";
const DISABILITY_CARD: &str = "11654000MB074195XR3000207001000";
const DISABILITY_SUBSIDY: &str = "11654000MB074195XR3000207002000";
const DISABILITY_CARD_RENEWAL: &str = "11654000MB074195XR3000207001001";

#[derive(Debug, Clone, Copy)]
enum Who {
    Citizen(usize),
    Enterprise(usize),
}

/// One seeded application: its steps as (status code, days after applying).
struct Case {
    who: Who,
    task: &'static str,
    days_ago: i64,
    steps: &'static [(&'static str, i64)],
    /// The opinion on the last step, where the agency gave one.
    opinion: Option<Text>,
    rating: Option<u8>,
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case { who: Who::Citizen(0), task: ID_RENEWAL, days_ago: 1, steps: &[("1", 0)], opinion: None, rating: None },
    Case { who: Who::Citizen(1), task: EMPLOYMENT_CARD, days_ago: 20, steps: &[("1", 0), ("2", 1)], opinion: None, rating: None },
    Case { who: Who::Citizen(5), task: ELDERLY_ALLOWANCE, days_ago: 4, steps: &[("1", 0), ("3", 1)], opinion: None, rating: None },
    Case { who: Who::Citizen(3), task: MINIMUM_LIVING, days_ago: 30, steps: &[("1", 0), ("4", 2)], opinion: Some(NOT_COMPETENT), rating: None },
    Case { who: Who::Citizen(6), task: RURAL_PENSION, days_ago: 25, steps: &[("1", 0), ("5", 2)], opinion: Some(NOT_ELIGIBLE), rating: None },
    Case { who: Who::Citizen(1), task: INDIVIDUAL_BUSINESS, days_ago: 2, steps: &[("1", 0), ("6", 1)], opinion: Some(SUPPLEMENT_OPINION), rating: None },
    Case { who: Who::Citizen(4), task: UNEMPLOYMENT, days_ago: 6, steps: &[("1", 0), ("6", 1), ("7", 3)], opinion: None, rating: None },
    Case { who: Who::Citizen(2), task: RURAL_PENSION, days_ago: 8, steps: &[("1", 0), ("3", 1), ("8", 3)], opinion: None, rating: None },
    Case { who: Who::Citizen(4), task: DISABILITY_CARD, days_ago: 15, steps: &[("1", 0), ("3", 1), ("8", 4), ("9", 6)], opinion: None, rating: None },
    Case { who: Who::Enterprise(1), task: MATERNAL_LICENCE, days_ago: 40, steps: &[("1", 0), ("3", 2), ("8", 5), ("9", 9), ("10", 24)], opinion: None, rating: None },
    Case { who: Who::Citizen(0), task: BIRTH_REGISTRATION, days_ago: 60, steps: &[("1", 0), ("3", 0), ("11", 0)], opinion: Some(APPROVED), rating: None },
    Case { who: Who::Citizen(3), task: DISABILITY_SUBSIDY, days_ago: 90, steps: &[("1", 0), ("3", 1), ("8", 3), ("11", 9)], opinion: Some(APPROVED), rating: Some(5) },
    Case { who: Who::Citizen(1), task: MARRIAGE, days_ago: 120, steps: &[("1", 0), ("3", 0), ("11", 0)], opinion: Some(APPROVED), rating: None },
    Case { who: Who::Enterprise(0), task: COMPANY, days_ago: 200, steps: &[("1", 0), ("3", 0), ("8", 0), ("11", 1)], opinion: Some(APPROVED), rating: None },
    Case { who: Who::Enterprise(0), task: UNIT_INSURANCE, days_ago: 45, steps: &[("1", 0), ("3", 0), ("8", 1), ("12", 1)], opinion: Some(TOLERATED), rating: None },
    Case { who: Who::Citizen(5), task: MINIMUM_LIVING, days_ago: 50, steps: &[("1", 0), ("3", 2), ("8", 6), ("13", 18)], opinion: Some(INCOME_TOO_HIGH), rating: None },
    Case { who: Who::Citizen(6), task: EMPLOYMENT_CARD, days_ago: 12, steps: &[("1", 0), ("3", 1), ("14", 2)], opinion: None, rating: None },
    Case { who: Who::Enterprise(2), task: COMPANY, days_ago: 300, steps: &[("1", 0), ("3", 0), ("8", 1), ("11", 2), ("15", 240)], opinion: Some(REVOKED), rating: None },
    Case { who: Who::Citizen(3), task: DISABILITY_CARD_RENEWAL, days_ago: 16, steps: &[("1", 0), ("3", 1), ("8", 2), ("11", 12), ("16", 13)], opinion: Some(COLLECT_CARD), rating: None },
];

const APPROVED: Text = ("准予办理。", "ماقۇللاندى.", "ماقۇلداندى.");
const NOT_COMPETENT: Text = (
    "不属于本机关职权范围，请向户籍所在地乡镇（街道）提出申请。",
    "بۇ ئورگاننىڭ ھوقۇق دائىرىسىگە كىرمەيدۇ، نوپۇس تۇرۇشلۇق يېزا-بازار (كوچا) غا ئىلتىماس قىلىڭ.",
    "بۇل مەكەمەنىڭ وكىلەتتىگىنە جاتپايدى، ٴۇي ٴتىزىمى تۇرعان اۋىل-قالاشىققا (كوشەگە) ٴوتىنىش بەرىڭىز.",
);
const NOT_ELIGIBLE: Text = (
    "申请人不符合受理条件：未在本地参加城乡居民基本养老保险。",
    "ئىلتىماسچى قوبۇل قىلىش شەرتىگە ئۇيغۇن ئەمەس: بۇ يەردە شەھەر-يېزا ئاھالىلىرى ئاساسىي پېنسىيە سۇغۇرتىسىغا قاتناشمىغان.",
    "ٴوتىنىش بەرۋشى قابىلداۋ شارتىنا سايكەس ەمەس: وسى جەردە قالا-اۋىل تۇرعىندارىنىڭ نەگىزگى زەينەتاقى ساقتاندىرۋىنا قاتىسپاعان.",
);
const SUPPLEMENT_OPINION: Text = (
    "经营场所使用证明不清晰，请按补正告知一次性补齐材料。",
    "تىجارەت ئورنىنى ئىشلىتىش ئىسپاتى ئېنىق ئەمەس، تولۇقلاش ئۇقتۇرۇشى بويىچە ماتېرىيالنى بىر قېتىمدىلا تولۇقلاڭ.",
    "كاسىپكەرلىك ورنىن پايدالانۋ كۋالىگى انىق ەمەس، تولىقتىرۋ حابارلاماسى بويىنشا ماتەريالدى ٴبىر رەتتە تولىقتىرىڭىز.",
);
const SUPPLEMENT_ITEMS: &[Text] = &[
    (
        "经营场所使用证明（清晰的房屋租赁合同）",
        "تىجارەت ئورنىنى ئىشلىتىش ئىسپاتى (ئېنىق ئۆي ئىجارە توختامى)",
        "كاسىپكەرلىك ورنىن پايدالانۋ كۋالىگى (انىق ٴۇي جالداۋ كەلىسىمشارتى)",
    ),
    (
        "经营者近期免冠照片",
        "تىجارەتچىنىڭ يېقىنقى باش كىيىمسىز سۈرىتى",
        "كاسىپكەردىڭ سوڭعى كەزدەگى باس كيىمسىز سۋرەتى",
    ),
];
const TOLERATED: Text = (
    "容缺受理并办结，请于30日内补交法定代表人居民身份证原件。",
    "كەمتۈك ماتېرىيالغا يول قويۇلۇپ بېجىرىلدى، 30 كۈن ئىچىدە قانۇنىي ۋەكىلنىڭ كىملىك ئەسلىنى تولۇقلاپ تاپشۇرۇڭ.",
    "كەم ماتەريالعا ٴجول بەرىلىپ ىستەلدى، 30 كۇن ىشىندە زاڭدى وكىلدىڭ جەكە كۋالىگىنىڭ تۇپنۇسقاسىن تاپسىرىڭىز.",
);
const INCOME_TOO_HIGH: Text = (
    "经家庭经济状况核对，家庭人均收入高于当地最低生活保障标准，不予批准。",
    "ئائىلە ئىقتىسادىي ئەھۋالى تەكشۈرۈلۈپ، ئائىلە كىشى بېشى كىرىمى يەرلىك ئەڭ تۆۋەن تۇرمۇش كاپالىتى ئۆلچىمىدىن يۇقىرى بولغاچقا ماقۇللانمىدى.",
    "وتباسىنىڭ ەكونوميكالىق جاعدايى تەكسەرىلىپ، وتباسى مۇشەسىنىڭ ورتاشا تابىسى جەرگىلىكتى ەڭ تومەنگى تۇرمىس كەپىلدىگى ولشەمىنەن جوعارى بولعاندىقتان ماقۇلدانبادى.",
);
const REVOKED: Text = (
    "经查申请人以虚假住所证明取得登记，依法撤销登记。",
    "تەكشۈرۈش ئارقىلىق ئىلتىماسچىنىڭ ساختا تۇرالغۇ ئىسپاتى بىلەن تىزىمغا ئالدۇرغانلىقى ئېنىقلاندى، قانۇن بويىچە تىزىملىكى بىكار قىلىندى.",
    "تەكسەرۋ ارقىلى ٴوتىنىش بەرۋشىنىڭ جالعان مەكەنجاي كۋالىگىمەن تىركەلگەنى انىقتالدى، زاڭ بويىنشا تىركەۋى كۇشىنەن قالدىرىلدى.",
);
const COLLECT_CARD: Text = (
    "新证已制作完成，请本人携带居民身份证到县（市）残疾人联合会窗口领取。",
    "يېڭى گۇۋاھنامە ياسىلىپ بولدى، كىملىكىڭىزنى ئېلىپ ناھىيە (شەھەر) مېيىپلار بىرلەشمىسىنىڭ كۆزنىكىگە ئۆزىڭىز بېرىپ ئېلىڭ.",
    "جاڭا كۋالىك جاسالىپ ٴبىتتى، جەكە كۋالىگىڭىزدى الىپ، اۋدان (قالا) مۇگەدەكتەر بىرلەستىگىنىڭ تەرەزەسىنە ٴوزىڭىز بارىپ الىڭىز.",
);
const DISABILITY_ASSESSMENT: Text = (
    "残疾评定",
    "مېيىپلىق دەرىجىسىنى باھالاش",
    "مۇگەدەكتىك دارەجەسىن باعالاۋ",
);
const EXPERT_REVIEW: Text = ("专家评审", "مۇتەخەسسىسلەر باھالىشى", "ماماندار ساراپتاماسى");

pub(super) fn seed(items: &[TaskItem], now: &Zoned) -> Vec<StoredApplication> {
    CASES
        .iter()
        .enumerate()
        .map(|(n, case)| build(n, case, items, now))
        .collect()
}

fn holder(who: Who) -> (String, HolderType) {
    match who {
        Who::Citizen(i) => (
            demo_citizens()[i].id_number.to_string(),
            HolderType::Citizen,
        ),
        Who::Enterprise(i) => (
            demo_enterprises()[i].uscc.to_string(),
            HolderType::Enterprise,
        ),
    }
}

/// The `n`-th step happens `days` after applying, an hour after the step before it.
fn step_time(applied: &Zoned, days: i64, n: usize) -> Zoned {
    applied.saturating_add(Span::new().days(days).hours(n as i64))
}

/// `days` of a time limit after `from`, in working days (unit "1", weekends skipped) or
/// natural days.
pub(super) fn add_limit(from: &Zoned, days: u32, unit: &str) -> Zoned {
    if unit != "1" {
        return from.saturating_add(Span::new().days(i64::from(days)));
    }
    let mut due = from.clone();
    let mut left = days;
    while left > 0 {
        due = due.saturating_add(Span::new().days(1));
        if !matches!(due.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    due
}

fn build(n: usize, case: &Case, items: &[TaskItem], now: &Zoned) -> StoredApplication {
    let item = items.iter().find(|item| item.task_code == case.task);
    let (holder_code, holder_type) = holder(case.who);
    let applied = now
        .date()
        .saturating_sub(Span::new().days(case.days_ago))
        .at(10, 30, 0, 0)
        .to_zoned(beijing())
        .unwrap_or_else(|_| now.clone());
    let times: Vec<Zoned> = case
        .steps
        .iter()
        .enumerate()
        .map(|(i, (_, days))| step_time(&applied, *days, i))
        .collect();
    let time_of = |code: &str| {
        case.steps
            .iter()
            .position(|(c, _)| *c == code)
            .map(|i| times[i].clone())
    };
    let last = case.steps.len() - 1;
    let status = case.steps[last].0;
    let history = case
        .steps
        .iter()
        .enumerate()
        .map(|(i, (code, _))| {
            let (action, step_name) = step_texts(code);
            let end_time = match times.get(i + 1) {
                Some(next) => Some(rfc3339(next)),
                None if is_closed(code) => Some(rfc3339(&times[i])),
                None => None,
            };
            ApplicationStep {
                seq: i as u32 + 1,
                status_code: code.to_string(),
                action: text(action),
                step_name: text(step_name),
                opinion: if i == last {
                    case.opinion.map(text)
                } else {
                    None
                },
                start_time: rfc3339(&times[i]),
                end_time,
            }
        })
        .collect();
    let special_procedures: Vec<SpecialProcedureRun> = time_of("9")
        .map(|start| {
            let name = item
                .and_then(|item| item.special_procedures.first())
                .map(|rule| rule.name.clone())
                .unwrap_or_else(|| match case.who {
                    Who::Citizen(_) => text(DISABILITY_ASSESSMENT),
                    Who::Enterprise(_) => text(EXPERT_REVIEW),
                });
            SpecialProcedureRun {
                name,
                start_time: rfc3339(&start),
                end_time: time_of("10").map(|end| rfc3339(&end)),
            }
        })
        .into_iter()
        .collect();
    let paused_days = time_of("9").map_or(0, |start| {
        let end = time_of("10").unwrap_or_else(|| now.clone());
        (end.timestamp().as_second() - start.timestamp().as_second()) / 86_400
    });
    let accepted = time_of("3");
    let due = |days: u32, unit: &str| {
        accepted.as_ref().map(|accepted| {
            let due = add_limit(accepted, days, unit);
            rfc3339(&due.saturating_add(Span::new().days(paused_days)))
        })
    };
    let supplement = (status == "6").then(|| SupplementNotice {
        items: SUPPLEMENT_ITEMS.iter().copied().map(text).collect(),
        notice_no: format!("BZ{}{:04}", times[last].strftime("%Y%m%d"), n + 1),
        issue_time: rfc3339(&times[last]),
        due_time: rfc3339(&now.saturating_add(Span::new().days(3))),
    });
    let application = Application {
        project_no: format!("{}{}{:04}", case.task, applied.strftime("%Y%m%d"), n + 1),
        task_code: case.task.to_string(),
        task_name: item.map_or_else(
            || I18nText {
                zh: case.task.to_string(),
                ug: None,
                kk: None,
            },
            |item| item.task_name.clone(),
        ),
        status: status.to_string(),
        apply_time: rfc3339(&applied),
        accept_time: accepted.as_ref().map(rfc3339),
        promise_due_time: item.and_then(|item| due(item.promise_day, &item.promise_type)),
        statutory_due_time: item.and_then(|item| due(item.anticipate_day, &item.anticipate_type)),
        // 办结时间 is when the application was first closed (decided), not a later revocation or
        // the result becoming ready.
        finish_time: case
            .steps
            .iter()
            .position(|(code, _)| is_closed(code))
            .map(|i| rfc3339(&times[i])),
        history,
        special_procedures,
        supplement,
        rating_level: case.rating,
    };
    StoredApplication {
        holder_code,
        holder_type,
        application,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::sim::gov::{records::now, seed_catalog};

    fn seeded() -> Vec<StoredApplication> {
        seed(&seed_catalog().expect("catalog"), &now())
    }

    #[test]
    fn every_status_code_from_1_to_16_is_seeded() {
        let statuses: HashSet<String> = seeded()
            .into_iter()
            .map(|stored| stored.application.status)
            .collect();
        for code in 1..=16 {
            assert!(statuses.contains(&code.to_string()), "status {code}");
        }
    }

    #[test]
    fn seeded_tasks_exist_in_the_catalog_and_serve_their_holders() {
        let items = seed_catalog().expect("catalog");
        for stored in seeded() {
            let item = items
                .iter()
                .find(|item| item.task_code == stored.application.task_code)
                .expect("task in catalog");
            let object = match stored.holder_type {
                HolderType::Citizen => "1",
                HolderType::Enterprise => "2",
            };
            assert!(
                item.server_type.iter().any(|s| s == object),
                "{}",
                item.task_code
            );
        }
    }

    #[test]
    fn histories_are_in_order_and_never_in_the_future() {
        let now = now();
        for stored in seeded() {
            let history = &stored.application.history;
            assert_eq!(
                history.last().map(|e| e.status_code.as_str()),
                Some(stored.application.status.as_str())
            );
            let starts: Vec<jiff::Timestamp> = history
                .iter()
                .map(|e| e.start_time.parse().expect("rfc3339"))
                .collect();
            assert!(starts.windows(2).all(|w| w[0] <= w[1]));
            assert!(starts.iter().all(|t| *t <= now.timestamp()));
        }
    }

    #[test]
    fn one_application_is_paused_and_one_awaits_a_supplement_due_in_three_days() {
        let applications = seeded();
        let paused = applications
            .iter()
            .find(|s| s.application.status == "9")
            .expect("paused");
        assert!(
            paused
                .application
                .special_procedures
                .iter()
                .any(|p| p.end_time.is_none())
        );
        let waiting = applications
            .iter()
            .find(|s| s.application.status == "6")
            .expect("supplement");
        let notice = waiting.application.supplement.as_ref().expect("notice");
        let due: jiff::Timestamp = notice.due_time.parse().expect("rfc3339");
        let days = (due.as_second() - jiff::Timestamp::now().as_second()) / 86_400;
        assert!((2..=3).contains(&days), "{days}");
        assert!(!notice.items.is_empty());
    }
}
