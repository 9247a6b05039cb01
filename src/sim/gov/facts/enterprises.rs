//! The market entities (市场主体) of the simulated register.
//!
//! Distributions, and what they rest on (approximations): most market entities in Xinjiang
//! are individual businesses (个体工商户, ≈ 45 % here) and micro or small companies; farmers'
//! cooperatives are common in the counties (≈ 8 %). Industries lean to retail and wholesale
//! (F), restaurants and hotels (H), agriculture (A), manufacturing (C, mostly food) and
//! transport (G), with a few IT (I) and research (M) firms, some of them certified high-tech.
//! Sizes follow the 工信部 bands (micro < 10 employees, small < 100, medium < 300), revenue
//! grows with size, ≈ 30 % registered in the last three years (new ones rated `M` for tax
//! credit), the rest since 1995.

use std::collections::{BTreeMap, HashSet};

use jiff::civil::{Date, date};

use super::{Rng, add_days, at, people::DISTRICTS};
use crate::{
    sim::gov::enterprises::uscc_check_char,
    upstream::gov::wire::{EnterpriseFacts, EnterpriseSize, EnterpriseType, I18nText, TaxCredit},
};

/// A place prefix of a registered name: the district and its adjective in three languages.
const PLACES: [(&str, &str, &str, &str); 11] = [
    ("654002", "伊宁市", "غۇلجا شەھەرلىك", "قۇلجا قالالىق"),
    ("654003", "奎屯市", "كۈيتۇن شەھەرلىك", "كۇيتۇن قالالىق"),
    ("654004", "霍尔果斯市", "قورغاس شەھەرلىك", "قورعاس قالالىق"),
    ("654021", "伊宁县", "غۇلجا ناھىيەلىك", "قۇلجا اۋداندىق"),
    (
        "654022",
        "察布查尔县",
        "چاپچال ناھىيەلىك",
        "شاپشال اۋداندىق",
    ),
    ("654023", "霍城县", "قورغاس ناھىيەلىك", "قورعاس اۋداندىق"),
    (
        "654024",
        "巩留县",
        "توققۇزتارا ناھىيەلىك",
        "توعىزتارا اۋداندىق",
    ),
    ("654025", "新源县", "كۈنەس ناھىيەلىك", "كۇنەس اۋداندىق"),
    (
        "654026",
        "昭苏县",
        "موڭغۇلكۈرە ناھىيەلىك",
        "موڭعۇلكۇرە اۋداندىق",
    ),
    ("654027", "特克斯县", "تېكەس ناھىيەلىك", "تەكەس اۋداندىق"),
    ("654028", "尼勒克县", "نىلقا ناھىيەلىك", "نىلقى اۋداندىق"),
];

/// Trade names (字号) in three languages.
const BRANDS: [(&str, &str, &str); 12] = [
    ("天山", "تەڭرىتاغ", "تاڭىرتاۋ"),
    ("丝路", "يىپەك يولى", "جىبەك جولى"),
    ("伊犁河", "ئىلى دەرياسى", "ىلە وزەنى"),
    ("雪莲", "قار لەيلىسى", "قار گۇلى"),
    ("那拉提", "نارات", "نارات"),
    ("金秋", "ئالتۇن كۈز", "التىن كۇز"),
    ("草原", "يايلاق", "جايلاۋ"),
    ("骏马", "ئارغىماق", "ارعىماق"),
    ("薰衣草", "لاۋاندا", "لاۆاندا"),
    ("果园", "مېۋىلىك باغ", "جەمىس باعى"),
    ("阳光", "قۇياش نۇرى", "كۇن نۇرى"),
    ("白杨", "ئاق تېرەك", "اق تەرەك"),
];

/// Lines of business per GB/T 4754 section, in three languages.
const TRADES: [(&str, &str, &str, &str); 14] = [
    (
        "A",
        "农牧",
        "دېھقانچىلىق-چارۋىچىلىق",
        "ەگىن-مال شارۋاشىلىعى",
    ),
    ("A", "养殖", "باقمىچىلىق", "مال ٴوسىرۋ"),
    ("C", "乳业", "سۈت مەھسۇلاتلىرى", "ٴسۇت ونىمدەرى"),
    (
        "C",
        "食品加工",
        "يېمەكلىك پىششىقلاپ ئىشلەش",
        "تاماق ونىمدەرىن وڭدەۋ",
    ),
    ("E", "建筑工程", "بىناكارلىق قۇرۇلۇشى", "قۇرىلىس"),
    ("F", "商贸", "سودا", "ساۋدا"),
    ("F", "百货", "ماللار", "تاۋارلار"),
    ("G", "物流", "ئەشيا ئوبوروتى", "لوگيستيكا"),
    ("H", "餐饮", "ئاشخانا", "اسحانا"),
    ("H", "宾馆", "مېھمانخانا", "قوناق ٴۇي"),
    ("I", "网络科技", "تور تېخنىكىسى", "جەلى تەحنولوگياسى"),
    (
        "M",
        "生物科技",
        "بىئولوگىيە تېخنىكىسى",
        "بيولوگيا تەحنولوگياسى",
    ),
    ("O", "家政服务", "ئائىلە مۇلازىمىتى", "وتباسى قىزمەتى"),
    ("R", "文化旅游", "مەدەنىيەت-ساياھەت", "مادەنيەت-ساياحات"),
];

/// The legal-form suffix of a registered name.
fn suffix(kind: EnterpriseType) -> (&'static str, &'static str, &'static str) {
    match kind {
        EnterpriseType::LimitedCompany => (
            "有限公司",
            "چەكلىك شىركىتى",
            "جاۋاپكەرشىلىگى شەكتەۋلى سەرىكتەستىگى",
        ),
        EnterpriseType::SoleProprietorship => ("经营部", "تىجارەت بۆلۈمى", "ساۋدا بولىمشەسى"),
        EnterpriseType::Partnership => {
            ("合伙企业", "شېرىكچىلىك كارخانىسى", "سەرىكتەستىك كاسىپورنى")
        }
        EnterpriseType::IndividualBusiness => ("店", "دۇكىنى", "دۇكەنى"),
        EnterpriseType::Cooperative => (
            "农民专业合作社",
            "دېھقانلار كەسپىي كوپىراتىپى",
            "شارۋالاردىڭ كاسىپتىك كووپەراتيۆى",
        ),
    }
}

fn compose_name(district: &str, brand: usize, trade: usize, kind: EnterpriseType) -> I18nText {
    let place = PLACES
        .iter()
        .find(|place| place.0 == district)
        .unwrap_or(&PLACES[0]);
    let (brand_zh, brand_ug, brand_kk) = BRANDS[brand];
    let (_, trade_zh, trade_ug, trade_kk) = TRADES[trade];
    let (kind_zh, kind_ug, kind_kk) = suffix(kind);
    I18nText {
        zh: format!("{}{brand_zh}{trade_zh}{kind_zh}", place.1),
        ug: Some(format!("{} {brand_ug} {trade_ug} {kind_ug}", place.2)),
        kk: Some(format!("{} {brand_kk} {trade_kk} {kind_kk}", place.3)),
    }
}

/// A fresh credit code: 9 (market regulation), the entity kind (1 enterprise, 2 individual
/// business, 3 farmers' cooperative), the district, a 9-character organisation code and the
/// GB 32100 check character; never one in `taken`.
fn credit_code(
    rng: &mut Rng,
    kind: EnterpriseType,
    district: &str,
    taken: &HashSet<String>,
) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let class = match kind {
        EnterpriseType::IndividualBusiness => '2',
        EnterpriseType::Cooperative => '3',
        _ => '1',
    };
    loop {
        let organisation: String = (0..7).map(|_| char::from(*rng.pick(ALPHABET))).collect();
        let body = format!("9{class}{district}MA{organisation}");
        if let Some(check) = uscc_check_char(&body) {
            let code = format!("{body}{check}");
            if !taken.contains(&code) {
                return code;
            }
        }
    }
}

fn size_of(rng: &mut Rng, kind: EnterpriseType) -> EnterpriseSize {
    use EnterpriseSize::{Large, Medium, Micro, Small};
    match kind {
        EnterpriseType::LimitedCompany => {
            rng.weighted(&[(Micro, 45), (Small, 35), (Medium, 15), (Large, 5)])
        }
        EnterpriseType::Cooperative => rng.weighted(&[(Micro, 70), (Small, 30)]),
        _ => rng.weighted(&[(Micro, 90), (Small, 10)]),
    }
}

/// Employees, graduates hired this year and last year's revenue (yuan), by size.
fn scale(rng: &mut Rng, size: EnterpriseSize, kind: EnterpriseType) -> (u32, u32, i64) {
    let (employees, revenue) = match size {
        EnterpriseSize::Micro if kind == EnterpriseType::IndividualBusiness => {
            (rng.between(1, 5), rng.between(5, 150) * 10_000)
        }
        EnterpriseSize::Micro => (rng.between(1, 9), rng.between(5, 300) * 10_000),
        EnterpriseSize::Small => (rng.between(10, 99), rng.between(300, 2_000) * 10_000),
        EnterpriseSize::Medium => (rng.between(100, 299), rng.between(2_000, 20_000) * 10_000),
        EnterpriseSize::Large => (
            rng.between(300, 1_500),
            rng.between(20_000, 200_000) * 10_000,
        ),
    };
    let graduates = match size {
        EnterpriseSize::Micro => i64::from(rng.chance(0.1)),
        EnterpriseSize::Small if rng.chance(0.4) => rng.between(1, 3),
        EnterpriseSize::Small => 0,
        EnterpriseSize::Medium => rng.between(1, 8),
        EnterpriseSize::Large => rng.between(3, 20),
    };
    (employees as u32, graduates.min(employees) as u32, revenue)
}

/// `count` generated market entities, none with a code already in `existing`.
pub(in crate::sim::gov) fn generate(
    rng: &mut Rng,
    today: Date,
    count: usize,
    existing: &BTreeMap<String, EnterpriseFacts>,
) -> Vec<EnterpriseFacts> {
    let mut taken: HashSet<String> = existing.keys().cloned().collect();
    let districts: Vec<(&str, u32)> = DISTRICTS.iter().map(|&(code, w, _)| (code, w)).collect();
    (0..count)
        .map(|_| {
            let facts = entity(rng, today, &districts, &taken);
            taken.insert(facts.credit_code.clone());
            facts
        })
        .collect()
}

fn entity(
    rng: &mut Rng,
    today: Date,
    districts: &[(&'static str, u32)],
    taken: &HashSet<String>,
) -> EnterpriseFacts {
    use EnterpriseType::*;
    let kind = rng.weighted(&[
        (IndividualBusiness, 45),
        (LimitedCompany, 38),
        (SoleProprietorship, 5),
        (Partnership, 4),
        (Cooperative, 8),
    ]);
    let trade = match kind {
        Cooperative => rng.below(2) as usize,
        IndividualBusiness => *rng.pick(&[5, 6, 8, 9, 12, 7]),
        _ => rng.weighted(&[
            (0, 8),
            (1, 4),
            (2, 4),
            (3, 6),
            (4, 6),
            (5, 20),
            (6, 6),
            (7, 8),
            (8, 10),
            (9, 6),
            (10, 7),
            (11, 3),
            (12, 6),
            (13, 6),
        ]),
    };
    let industry = TRADES[trade].0;
    let district = rng.weighted(districts);
    let size = size_of(rng, kind);
    let (employees, graduate_hires, annual_revenue) = scale(rng, size, kind);
    let recent = rng.chance(0.3);
    let registered = if recent {
        add_days(today, -rng.between(20, 3 * 365))
    } else {
        add_days(date(1995, 1, 1), rng.between(0, 28 * 365 + 300))
    };
    let tax_credit = if registered > add_days(today, -365) {
        TaxCredit::M
    } else {
        rng.weighted(&[
            (TaxCredit::A, 25),
            (TaxCredit::B, 45),
            (TaxCredit::M, 20),
            (TaxCredit::C, 7),
            (TaxCredit::D, 3),
        ])
    };
    let high_tech = kind == LimitedCompany
        && matches!(industry, "C" | "I" | "M")
        && size != EnterpriseSize::Micro
        && rng.chance(0.35);
    let name = compose_name(
        district,
        rng.below(BRANDS.len() as u64) as usize,
        trade,
        kind,
    );
    let updated = add_days(today, -rng.between(1, 300));
    EnterpriseFacts {
        credit_code: credit_code(rng, kind, district, taken),
        name,
        kind,
        size,
        industry: industry.to_string(),
        district: district.to_string(),
        registered_on: registered.to_string(),
        tax_credit,
        employees,
        graduate_hires,
        annual_revenue,
        high_tech,
        updated_at: at(updated, rng.between(10, 19), rng.between(0, 59)),
    }
}

/// A micro limited company registered today in `district` (a county of Ili) in GB/T 4754
/// section `industry`, for the `enterprise_registered` event; its code is not in `existing`.
pub(in crate::sim::gov) fn registered_today(
    rng: &mut Rng,
    today: Date,
    district: &str,
    industry: &str,
    existing: &BTreeMap<String, EnterpriseFacts>,
) -> anyhow::Result<EnterpriseFacts> {
    let Some(place) = PLACES.iter().find(|place| place.0 == district) else {
        anyhow::bail!("{district} is not a county of the Ili prefecture");
    };
    let Some(trade) = TRADES.iter().position(|trade| trade.0 == industry) else {
        anyhow::bail!("no trade of section {industry} is known");
    };
    let taken: HashSet<String> = existing.keys().cloned().collect();
    let kind = EnterpriseType::LimitedCompany;
    let brand = rng.below(BRANDS.len() as u64) as usize;
    Ok(EnterpriseFacts {
        credit_code: credit_code(rng, kind, place.0, &taken),
        name: compose_name(place.0, brand, trade, kind),
        kind,
        size: EnterpriseSize::Micro,
        industry: industry.to_string(),
        district: place.0.to_string(),
        registered_on: today.to_string(),
        tax_credit: TaxCredit::M,
        employees: 3,
        graduate_hires: 0,
        annual_revenue: 0,
        high_tech: false,
        updated_at: at(today, 10, 0),
    })
}
