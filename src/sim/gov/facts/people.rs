//! The residents of the simulated population register.
//!
//! Distributions, and what they rest on (all approximations for a synthetic register):
//! - **Age**: the 2020 census of Xinjiang (0–14 ≈ 22 %, 60+ ≈ 11 %, 65+ ≈ 8 %), moved a few
//!   years on: ≈ 20 % under 15 (1.2 % under one year), ≈ 68 % aged 15–59, ≈ 12 % aged 60+,
//!   ≈ 2 % aged 80+, a few 90+ and always two centenarians.
//! - **Sex**: 51 % male. **Ethnicity** (for names only): Ili's mix, ≈ 38 % Han, 27 % Uyghur,
//!   25 % Kazakh, 10 % Hui.
//! - **District**: weighted by the counties' resident population; hukou is urban for ≈ 80 % in
//!   the three cities and ≈ 35 % in the counties, about half overall.
//! - **Household size**: 1–7, mean ≈ 3.3 (the census gives 3.0–3.5 for Ili's counties); people
//!   living alone have 1, and a household holds at least the person and their minor children.
//! - **Income**: the minimum living standard is taken as 700 yuan a month in towns and 500 in
//!   the countryside; ≈ 5 % are under it (low-income support, 低保, or extreme-poverty support,
//!   特困, ≈ 1 %, mostly the elderly and the disabled), ≈ 15 % under 1.5 times it.
//! - **Disability**: ≈ 6 % (the 2006 national sample survey found 6.3 %), rising with age;
//!   level 1 (most severe) the rarest.
//! - **Children under 18**: for people aged 20–60, born when the parent was 20–42.
//! - **Employment**: students at 6–17 and half of 18–22; retired from 60 (men) and 55 (women)
//!   in towns, and from 60 in the countryside for most; farmers mostly rural.
//! - **Veterans**: ≈ 3.5 % of men aged 20–54 and 10 % of older men (more served in the
//!   cohorts of the 1970s and 1980s), a few women. **Living alone**: 16 % of people aged 60+.

use std::collections::{BTreeMap, HashSet};

use jiff::{Span, civil::Date};

use super::{Rng, add_days, at};
use crate::upstream::gov::wire::{ChildFacts, Employment, Hukou, IncomeBand, PersonFacts, Sex};

/// One resident: the name is kept for demos and never served with the facts.
#[derive(Debug, Clone)]
pub(in crate::sim::gov) struct Person {
    pub name: String,
    pub facts: PersonFacts,
}

/// County-level divisions of the Ili prefecture: code, weight (≈ residents in ten thousands),
/// and the urban share of hukou in percent.
pub(in crate::sim::gov) const DISTRICTS: [(&str, u32, u32); 11] = [
    ("654002", 60, 80), // 伊宁市
    ("654003", 30, 85), // 奎屯市
    ("654004", 10, 75), // 霍尔果斯市
    ("654021", 37, 35), // 伊宁县
    ("654022", 19, 35), // 察布查尔锡伯自治县
    ("654023", 34, 35), // 霍城县
    ("654024", 17, 30), // 巩留县
    ("654025", 31, 35), // 新源县
    ("654026", 15, 30), // 昭苏县
    ("654027", 16, 30), // 特克斯县
    ("654028", 17, 30), // 尼勒克县
];

/// Age bands in years (inclusive) and their share in 1/10,000.
const AGE_BANDS: [((i64, i64), u32); 14] = [
    ((0, 0), 120),
    ((1, 2), 300),
    ((3, 5), 430),
    ((6, 14), 1150),
    ((15, 17), 350),
    ((18, 29), 1700),
    ((30, 44), 2400),
    ((45, 59), 2350),
    ((60, 64), 420),
    ((65, 69), 290),
    ((70, 79), 290),
    ((80, 89), 160),
    ((90, 99), 35),
    ((100, 104), 5),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ethnicity {
    Han,
    Uyghur,
    Kazakh,
    Hui,
}

const UYGHUR_MEN: [&str; 16] = [
    "艾力",
    "买买提",
    "阿不都热合曼",
    "艾合买提",
    "吐尔逊",
    "努尔买买提",
    "阿布拉",
    "艾尔肯",
    "帕尔哈提",
    "伊力哈木",
    "亚森",
    "热合曼",
    "阿迪力",
    "库尔班",
    "买合木提",
    "玉素甫",
];
const UYGHUR_WOMEN: [&str; 12] = [
    "阿依古丽",
    "古丽米拉",
    "热依拉",
    "帕提古丽",
    "米合日古丽",
    "阿依努尔",
    "祖丽胡玛尔",
    "努尔尼沙",
    "热娜",
    "古再丽努尔",
    "阿米娜",
    "海丽倩姆",
];
const KAZAKH_MEN: [&str; 16] = [
    "叶尔兰",
    "努尔兰",
    "哈力别克",
    "别克波拉提",
    "叶尔波拉提",
    "阿斯哈尔",
    "加尔肯",
    "达吾列提",
    "吐尔洪",
    "巴合提别克",
    "叶尔江",
    "马合沙提",
    "胡安别克",
    "赛力克",
    "阿依登",
    "托列根",
];
const KAZAKH_WOMEN: [&str; 12] = [
    "古丽娜尔",
    "阿依达娜",
    "阿克波塔",
    "加娜尔",
    "古丽巴哈尔",
    "萨比拉",
    "哈丽达",
    "努尔古丽",
    "玛依拉",
    "阿依江",
    "巴合提古丽",
    "扎伊拉",
];
const HAN_SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "朱", "胡", "郭", "何",
    "高", "林", "罗", "宋",
];
const HUI_SURNAMES: [&str; 8] = ["马", "马", "马", "杨", "韩", "丁", "白", "海"];
const MEN_GIVEN: [&str; 16] = [
    "建华", "伟", "强", "磊", "军", "勇", "涛", "明", "刚", "志强", "国庆", "建新", "浩然", "子轩",
    "俊杰", "福海",
];
const WOMEN_GIVEN: [&str; 16] = [
    "秀兰", "芳", "敏", "静", "艳", "娟", "霞", "桂英", "玉兰", "海燕", "丽", "红梅", "欣怡",
    "梓涵", "雨桐", "秀英",
];

/// A name as on the ID card: Uyghur and Kazakh names in Chinese transliteration, given name
/// and father's name joined by `·`.
fn name(rng: &mut Rng, ethnicity: Ethnicity, sex: Sex) -> String {
    let male = sex == Sex::Male;
    match ethnicity {
        Ethnicity::Uyghur => {
            let own = if male {
                &UYGHUR_MEN[..]
            } else {
                &UYGHUR_WOMEN[..]
            };
            format!("{}·{}", rng.pick(own), rng.pick(&UYGHUR_MEN))
        }
        Ethnicity::Kazakh => {
            let own = if male {
                &KAZAKH_MEN[..]
            } else {
                &KAZAKH_WOMEN[..]
            };
            format!("{}·{}", rng.pick(own), rng.pick(&KAZAKH_MEN))
        }
        Ethnicity::Han | Ethnicity::Hui => {
            let surnames = if ethnicity == Ethnicity::Han {
                &HAN_SURNAMES[..]
            } else {
                &HUI_SURNAMES[..]
            };
            let given = if male {
                &MEN_GIVEN[..]
            } else {
                &WOMEN_GIVEN[..]
            };
            format!("{}{}", rng.pick(surnames), rng.pick(given))
        }
    }
}

/// The GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits.
pub(in crate::sim::gov) fn id_check_char(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, weight)| c.to_digit(10).unwrap_or(0) * weight)
        .sum();
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
}

/// A fresh ID number: the district, the birth date, a sequence whose parity is the sex (odd
/// for men) and the check character; never one in `taken`.
fn id_number(
    rng: &mut Rng,
    district: &str,
    birth: Date,
    sex: Sex,
    taken: &HashSet<String>,
) -> String {
    loop {
        let sequence = rng.below(500) * 2 + u64::from(sex == Sex::Male);
        let body = format!("{district}{}{sequence:03}", birth.strftime("%Y%m%d"));
        let id = format!("{body}{}", id_check_char(&body));
        if !taken.contains(&id) {
            return id;
        }
    }
}

/// A birth date that makes the person exactly `age` years old on `today`.
fn birth_date(rng: &mut Rng, today: Date, age: i64) -> Date {
    let anniversary = today.saturating_sub(Span::new().years(age));
    add_days(anniversary, -rng.between(0, 364))
}

fn children(rng: &mut Rng, today: Date, birth: Date, age: i64) -> Vec<ChildFacts> {
    let likely = match age {
        20..=24 => 0.3,
        25..=29 => 0.6,
        30..=44 => 0.8,
        45..=54 => 0.4,
        55..=60 => 0.1,
        _ => 0.0,
    };
    if !rng.chance(likely) {
        return Vec::new();
    }
    let wanted = rng.weighted(&[(1, 40), (2, 38), (3, 17), (4, 5)]);
    let adult_from = today.saturating_sub(Span::new().years(18));
    let mut births: Vec<Date> = (0..wanted * 3)
        .map(|_| {
            let parent_age = rng.between(20, 42);
            add_days(birth, parent_age * 365 + rng.between(0, 364))
        })
        .filter(|child| *child <= today && *child > adult_from)
        .take(wanted)
        .collect();
    births.sort();
    births
        .into_iter()
        .map(|date| ChildFacts {
            birth_date: date.to_string(),
        })
        .collect()
}

fn employment(rng: &mut Rng, age: i64, sex: Sex, hukou: Hukou, disability: u8) -> Employment {
    let retirement_age = match (hukou, sex) {
        (Hukou::Urban, Sex::Female) => 55,
        _ => 60,
    };
    match age {
        0..=5 => Employment::None,
        6..=17 => Employment::Student,
        18..=22 if rng.chance(0.5) => Employment::Student,
        _ if age >= retirement_age => match hukou {
            Hukou::Urban if rng.chance(0.92) => Employment::Retired,
            Hukou::Urban => Employment::None,
            Hukou::Rural => rng.weighted(&[
                (Employment::Retired, 55),
                (Employment::Farmer, if age < 70 { 25 } else { 5 }),
                (Employment::None, 20),
            ]),
        },
        _ if (1..=2).contains(&disability) && rng.chance(0.7) => Employment::None,
        _ => match hukou {
            Hukou::Urban => rng.weighted(&[
                (Employment::Employed, 58),
                (Employment::Flexible, 22),
                (Employment::Unemployed, 7),
                (Employment::None, 13),
            ]),
            Hukou::Rural => rng.weighted(&[
                (Employment::Farmer, 50),
                (Employment::Employed, 15),
                (Employment::Flexible, 22),
                (Employment::Unemployed, 5),
                (Employment::None, 8),
            ]),
        },
    }
}

fn disability_level(rng: &mut Rng, age: i64) -> u8 {
    let likely = match age {
        0..=14 => 0.015,
        15..=59 => 0.05,
        60..=79 => 0.16,
        _ => 0.25,
    };
    if rng.chance(likely) {
        rng.weighted(&[(1, 12), (2, 25), (3, 33), (4, 30)])
    } else {
        0
    }
}

/// The monthly minimum living standard (低保标准) per person, yuan.
pub(in crate::sim::gov) fn subsistence_line(hukou: Hukou) -> i64 {
    match hukou {
        Hukou::Urban => 700,
        Hukou::Rural => 500,
    }
}

/// Income band and income per person; a band of `Subsistence` goes with one of the two kinds
/// of support, decided by the caller.
fn income(rng: &mut Rng, hukou: Hukou, poor: bool) -> (IncomeBand, i64) {
    let line = subsistence_line(hukou);
    let middle_top = if hukou == Hukou::Urban { 4_500 } else { 3_000 };
    let band = if poor {
        IncomeBand::Subsistence
    } else {
        let high = if hukou == Hukou::Urban { 25 } else { 10 };
        rng.weighted(&[
            (IncomeBand::Low, 16),
            (IncomeBand::Middle, 84 - high),
            (IncomeBand::High, high),
        ])
    };
    let (lo, hi) = match band {
        IncomeBand::Subsistence => (100, line - 10),
        IncomeBand::Low => (line, line * 3 / 2 - 10),
        IncomeBand::Middle => (line * 3 / 2, middle_top - 10),
        IncomeBand::High => (middle_top, 15_000),
    };
    (band, rng.between(lo / 10, hi / 10) * 10)
}

/// `count` generated residents, none with an ID number already in `existing`.
pub(in crate::sim::gov) fn generate(
    rng: &mut Rng,
    today: Date,
    count: usize,
    existing: &BTreeMap<String, Person>,
) -> Vec<Person> {
    let mut taken: HashSet<String> = existing.keys().cloned().collect();
    let districts: Vec<((&str, u32), u32)> = DISTRICTS
        .iter()
        .map(|&(code, weight, urban)| ((code, urban), weight))
        .collect();
    (0..count)
        .map(|i| {
            let person = resident(rng, today, i, &districts, &taken);
            taken.insert(person.facts.id_number.clone());
            person
        })
        .collect()
}

fn resident(
    rng: &mut Rng,
    today: Date,
    index: usize,
    districts: &[((&'static str, u32), u32)],
    taken: &HashSet<String>,
) -> Person {
    let age = match index {
        // Two centenarians, whatever the draw.
        100 => 100,
        700 => 102,
        _ => {
            let (lo, hi) = rng.weighted(&AGE_BANDS);
            rng.between(lo, hi)
        }
    };
    let sex = if rng.chance(0.51) {
        Sex::Male
    } else {
        Sex::Female
    };
    let ethnicity = rng.weighted(&[
        (Ethnicity::Han, 38),
        (Ethnicity::Uyghur, 27),
        (Ethnicity::Kazakh, 25),
        (Ethnicity::Hui, 10),
    ]);
    let (district, urban_share) = rng.weighted(districts);
    let hukou = if rng.chance(f64::from(urban_share) / 100.0) {
        Hukou::Urban
    } else {
        Hukou::Rural
    };
    let birth = birth_date(rng, today, age);
    let disability_level = disability_level(rng, age);
    let extreme_poverty = rng.chance(if age >= 60 {
        0.045
    } else if disability_level > 0 {
        0.05
    } else if age >= 18 {
        0.003
    } else {
        0.0
    });
    let subsistence = !extreme_poverty
        && rng.chance(
            0.035
                + if disability_level > 0 { 0.10 } else { 0.0 }
                + if age >= 60 && hukou == Hukou::Rural {
                    0.03
                } else {
                    0.0
                },
        );
    let (income_band, income_per_capita) = income(rng, hukou, extreme_poverty || subsistence);
    let living_alone = match age {
        0..=17 => false,
        18..=59 => rng.chance(if extreme_poverty { 0.6 } else { 0.05 }),
        _ => rng.chance(if extreme_poverty { 0.6 } else { 0.16 }),
    };
    let children = if living_alone {
        Vec::new()
    } else {
        children(rng, today, birth, age)
    };
    let household_size = if living_alone {
        1
    } else {
        let drawn = rng.weighted(&[(2, 26), (3, 31), (4, 23), (5, 11), (6, 5), (7, 4)]);
        drawn.max(children.len() as u32 + 1)
    };
    let employment = employment(rng, age, sex, hukou, disability_level);
    let veteran = age >= 20
        && rng.chance(match (sex, age) {
            (Sex::Female, _) => 0.002,
            (Sex::Male, 55..) => 0.10,
            (Sex::Male, _) => 0.035,
        });
    let updated = add_days(today, -rng.between(1, 400));
    let updated_at = at(updated, rng.between(10, 19), rng.between(0, 59));
    let name = name(rng, ethnicity, sex);
    let id_number = id_number(rng, district, birth, sex, taken);
    Person {
        name,
        facts: PersonFacts {
            id_number,
            birth_date: birth.to_string(),
            sex,
            district: district.to_string(),
            hukou,
            household_size,
            income_per_capita,
            income_band,
            disability_level,
            children,
            employment,
            subsistence,
            extreme_poverty,
            living_alone,
            veteran,
            updated_at,
        },
    }
}
