//! The demo citizens' and demo enterprises' facts, written by hand so that each demo holder
//! meets some seed policies (a newborn's mother, a veteran father, a household on 低保, an
//! old man living alone; a dairy, a young hospital, a revoked trading company), and consistent
//! with their register entries: birth date, sex and district from the ID number, district from
//! the enterprise's area code.

use jiff::civil::{Date, date};

use super::{
    add_days, at,
    people::{Person, subsistence_line},
};
use crate::{
    sim::gov::{citizens::demo_citizens, enterprises::demo_enterprises},
    upstream::gov::wire::{
        ChildFacts, Employment, EnterpriseFacts, EnterpriseSize, EnterpriseType, Hukou, I18nText,
        IncomeBand, PersonFacts, Sex, TaxCredit,
    },
};

/// How one demo citizen lives: chosen so that the seed policies have someone to offer to
/// (a newborn's mother, a veteran father, a subsistence household, an old man living alone).
struct DemoLife {
    hukou: Hukou,
    household_size: u32,
    income_per_capita: i64,
    disability_level: u8,
    /// Children's ages in days on the day the simulator starts.
    children_days: &'static [i64],
    employment: Employment,
    subsistence: bool,
    living_alone: bool,
    veteran: bool,
}

const DEMO_LIVES: [DemoLife; 7] = [
    // 阿依古丽: a mother of a baby of ten months in Urumqi
    DemoLife {
        hukou: Hukou::Urban,
        household_size: 3,
        income_per_capita: 2_600,
        disability_level: 0,
        children_days: &[300],
        employment: Employment::Employed,
        subsistence: false,
        living_alone: false,
        veteran: false,
    },
    // 叶尔兰: a veteran in flexible work in Yining, two children (6 and 2)
    DemoLife {
        hukou: Hukou::Urban,
        household_size: 4,
        income_per_capita: 980,
        disability_level: 0,
        children_days: &[2_300, 800],
        employment: Employment::Flexible,
        subsistence: false,
        living_alone: false,
        veteran: true,
    },
    // 王建华: retired, 68, with his wife
    DemoLife {
        hukou: Hukou::Urban,
        household_size: 2,
        income_per_capita: 3_800,
        disability_level: 0,
        children_days: &[],
        employment: Employment::Retired,
        subsistence: false,
        living_alone: false,
        veteran: false,
    },
    // 马秀兰: a farmer with a level-2 disability, her household on 低保
    DemoLife {
        hukou: Hukou::Rural,
        household_size: 5,
        income_per_capita: 420,
        disability_level: 2,
        children_days: &[5_800],
        employment: Employment::Farmer,
        subsistence: true,
        living_alone: false,
        veteran: false,
    },
    // 古丽娜尔: registered unemployed, a newborn of one month
    DemoLife {
        hukou: Hukou::Rural,
        household_size: 3,
        income_per_capita: 650,
        disability_level: 0,
        children_days: &[30],
        employment: Employment::Unemployed,
        subsistence: false,
        living_alone: false,
        veteran: false,
    },
    // 买买提: 76, living alone in Kashgar, level-3 disability, 低保
    DemoLife {
        hukou: Hukou::Rural,
        household_size: 1,
        income_per_capita: 380,
        disability_level: 3,
        children_days: &[],
        employment: Employment::Retired,
        subsistence: true,
        living_alone: true,
        veteran: false,
    },
    // 阿斯哈尔: a permanent resident from Kazakhstan, employed, no hukou benefits apply
    DemoLife {
        hukou: Hukou::Urban,
        household_size: 1,
        income_per_capita: 6_500,
        disability_level: 0,
        children_days: &[],
        employment: Employment::Employed,
        subsistence: false,
        living_alone: true,
        veteran: false,
    },
];

/// The demo citizens with facts consistent with their ID numbers: the birth date and sex
/// encoded there, the district of its first six digits.
pub(in crate::sim::gov) fn people(today: Date) -> Vec<Person> {
    demo_citizens()
        .into_iter()
        .zip(DEMO_LIVES.iter())
        .map(|(citizen, life)| {
            let id = citizen.id_number;
            let sex = if id.as_bytes()[16] % 2 == 1 {
                Sex::Male
            } else {
                Sex::Female
            };
            let line = subsistence_line(life.hukou);
            let income_band = match life.income_per_capita {
                income if income < line => IncomeBand::Subsistence,
                income if income < line * 3 / 2 => IncomeBand::Low,
                income if income < 4_500 => IncomeBand::Middle,
                _ => IncomeBand::High,
            };
            Person {
                name: citizen.name.to_string(),
                facts: PersonFacts {
                    id_number: id.to_string(),
                    birth_date: citizen.birth_date.to_string(),
                    sex,
                    district: id[..6].to_string(),
                    hukou: life.hukou,
                    household_size: life.household_size,
                    income_per_capita: life.income_per_capita,
                    income_band,
                    disability_level: life.disability_level,
                    children: life
                        .children_days
                        .iter()
                        .map(|days| ChildFacts {
                            birth_date: add_days(today, -days).to_string(),
                        })
                        .collect(),
                    employment: life.employment,
                    subsistence: life.subsistence,
                    extreme_poverty: false,
                    living_alone: life.living_alone,
                    veteran: life.veteran,
                    updated_at: at(add_days(today, -2), 10, 0),
                },
            }
        })
        .collect()
}

/// The demo enterprises with facts consistent with their data: the district from the area
/// code, names in three languages, a dairy, a young hospital and a revoked trading company.
pub(in crate::sim::gov) fn enterprises(today: Date) -> Vec<EnterpriseFacts> {
    let names = [
        I18nText {
            zh: "昭苏县天马乳业有限责任公司".into(),
            ug: Some("موڭغۇلكۈرە ناھىيەلىك تيانما سۈت مەھسۇلاتلىرى چەكلىك شىركىتى".into()),
            kk: Some(
                "موڭعۇلكۇرە اۋداندىق تيانما ٴسۇت ونىمدەرى جاۋاپكەرشىلىگى شەكتەۋلى سەرىكتەستىگى"
                    .into(),
            ),
        },
        I18nText {
            zh: "伊宁市康宁妇产医院有限公司".into(),
            ug: Some("غۇلجا شەھەرلىك كاڭنىڭ تۇغۇت دوختۇرخانىسى چەكلىك شىركىتى".into()),
            kk: Some(
                "قۇلجا قالالىق كاڭنيڭ بوسانۋ اۋرۋحاناسى جاۋاپكەرشىلىگى شەكتەۋلى سەرىكتەستىگى".into(),
            ),
        },
        I18nText {
            zh: "霍尔果斯丝路通达商贸有限公司".into(),
            ug: Some("قورغاس يىپەك يولى تۇڭدا سودا چەكلىك شىركىتى".into()),
            kk: Some("قورعاس جىبەك جولى تۇڭدا ساۋدا جاۋاپكەرشىلىگى شەكتەۋلى سەرىكتەستىگى".into()),
        },
    ];
    // (size, industry, registered, tax credit, employees, graduates, revenue, high tech)
    let facts = [
        (
            EnterpriseSize::Small,
            "C",
            date(2012, 6, 18),
            TaxCredit::A,
            45,
            2,
            18_000_000,
            true,
        ),
        (
            EnterpriseSize::Medium,
            "Q",
            add_days(today, -980),
            TaxCredit::B,
            120,
            6,
            26_000_000,
            false,
        ),
        (
            EnterpriseSize::Micro,
            "F",
            date(2021, 6, 8),
            TaxCredit::D,
            3,
            0,
            800_000,
            false,
        ),
    ];
    demo_enterprises()
        .into_iter()
        .zip(names)
        .zip(facts)
        .map(|((enterprise, name), fact)| {
            let (size, industry, registered, tax_credit, employees, graduates, revenue, high_tech) =
                fact;
            EnterpriseFacts {
                credit_code: enterprise.uscc.to_string(),
                name,
                kind: EnterpriseType::LimitedCompany,
                size,
                industry: industry.to_string(),
                district: enterprise.area_code[..6].to_string(),
                registered_on: registered.to_string(),
                tax_credit,
                employees,
                graduate_hires: graduates,
                annual_revenue: revenue,
                high_tech,
                updated_at: at(add_days(today, -3), 11, 0),
            }
        })
        .collect()
}
