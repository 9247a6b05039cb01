//! The facts eligibility rules read (`docs/benefits-rules.md` §3): their names, types and
//! values, and one subject's facts on an evaluation date.
//!
//! Facts are stored by type in fixed slots, so a compiled rule reads a fact with one index and
//! no lookup by name. Dates never reach rules: the evaluation date turns them into ages and
//! months here, and they are kept beside the slots for explanations ("born in March 1964").

use jiff::civil::Date;

/// Whose facts a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Person,
    Enterprise,
}

impl Subject {
    /// The name rules use (`person.age`).
    pub fn prefix(self) -> &'static str {
        match self {
            Subject::Person => "person",
            Subject::Enterprise => "enterprise",
        }
    }

    pub fn code(self) -> &'static str {
        self.prefix()
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "person" => Some(Subject::Person),
            "enterprise" => Some(Subject::Enterprise),
            _ => None,
        }
    }

    /// Every fact about this kind of subject.
    pub fn facts(self) -> &'static [FactDef] {
        match self {
            Subject::Person => PERSON_FACTS,
            Subject::Enterprise => ENTERPRISE_FACTS,
        }
    }

    /// The fact called `name`.
    pub fn fact(self, name: &str) -> Option<&'static FactDef> {
        self.facts().iter().find(|fact| fact.name == name)
    }
}

/// The type of a fact or of a rule's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Int,
    Bool,
    Str,
    /// A list of ints (children's ages).
    IntList,
    /// A list of strings (only as a literal, the right side of `in`).
    StrList,
}

impl Ty {
    /// As CEL names it, for error messages.
    pub fn name(self) -> &'static str {
        match self {
            Ty::Int => "int",
            Ty::Bool => "bool",
            Ty::Str => "string",
            Ty::IntList => "list(int)",
            Ty::StrList => "list(string)",
        }
    }
}

/// One fact of the schema.
#[derive(Debug, PartialEq, Eq)]
pub struct FactDef {
    pub subject: Subject,
    /// The name after `person.` / `enterprise.`.
    pub name: &'static str,
    pub ty: Ty,
    /// The index among the subject's facts of the same type.
    pub slot: usize,
    /// The closed set of values of a string fact, when it has one: a rule comparing it with
    /// anything else is refused when the policy is created.
    pub values: Option<&'static [&'static str]>,
    /// The platform's fact names this one is derived from (`birthDate` for `age`): a life
    /// event naming one of them re-evaluates the rules reading this fact.
    pub sources: &'static [&'static str],
    /// This fact's bit in [`FactSet`].
    pub bit: u32,
}

impl FactDef {
    /// `person.age`.
    pub fn path(&self) -> String {
        format!("{}.{}", self.subject.prefix(), self.name)
    }
}

/// A set of facts of one subject, as a bit mask (each schema has fewer than 32 facts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FactSet(pub u32);

impl FactSet {
    pub fn insert(&mut self, fact: &FactDef) {
        self.0 |= fact.bit;
    }

    pub fn contains(self, fact: &FactDef) -> bool {
        self.0 & fact.bit != 0
    }

    pub fn intersects(self, other: FactSet) -> bool {
        self.0 & other.0 != 0
    }

    pub fn union(self, other: FactSet) -> FactSet {
        FactSet(self.0 | other.0)
    }

    /// The facts of `subject` derived from any of the platform's `changed` fact names.
    pub fn derived_from(subject: Subject, changed: &[String]) -> FactSet {
        let mut set = FactSet::default();
        for fact in subject.facts() {
            if fact.sources.iter().any(|s| changed.iter().any(|c| c == s)) {
                set.insert(fact);
            }
        }
        set
    }
}

const SEXES: &[&str] = &["male", "female"];
const HUKOU: &[&str] = &["urban", "rural"];
const INCOME_BANDS: &[&str] = &["subsistence", "low", "middle", "high"];
const EMPLOYMENT: &[&str] = &[
    "employed",
    "unemployed",
    "flexible",
    "farmer",
    "retired",
    "student",
    "none",
];
const ENTERPRISE_TYPES: &[&str] = &[
    "limited_company",
    "sole_proprietorship",
    "partnership",
    "individual_business",
    "cooperative",
];
const SIZES: &[&str] = &["micro", "small", "medium", "large"];
const INDUSTRIES: &[&str] = &[
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T",
];
const TAX_CREDIT: &[&str] = &["A", "B", "M", "C", "D"];

macro_rules! fact {
    ($subject:ident, $name:literal, $ty:ident, $slot:literal, $values:expr, $sources:expr, $bit:literal) => {
        FactDef {
            subject: Subject::$subject,
            name: $name,
            ty: Ty::$ty,
            slot: $slot,
            values: $values,
            sources: $sources,
            bit: 1 << $bit,
        }
    };
}

/// Slots of person facts by type.
pub mod person {
    pub const AGE: usize = 0;
    pub const HOUSEHOLD_SIZE: usize = 1;
    pub const INCOME_PER_CAPITA: usize = 2;
    pub const DISABILITY_LEVEL: usize = 3;
    pub const CHILDREN_COUNT: usize = 4;
    pub const INTS: usize = 5;

    pub const SEX: usize = 0;
    pub const DISTRICT: usize = 1;
    pub const PREFECTURE: usize = 2;
    pub const HUKOU: usize = 3;
    pub const INCOME_BAND: usize = 4;
    pub const EMPLOYMENT: usize = 5;
    pub const STRS: usize = 6;

    pub const SUBSISTENCE: usize = 0;
    pub const EXTREME_POVERTY: usize = 1;
    pub const LIVING_ALONE: usize = 2;
    pub const VETERAN: usize = 3;
    pub const BOOLS: usize = 4;

    pub const CHILDREN_AGES: usize = 0;
    pub const CHILDREN_AGE_MONTHS: usize = 1;
    pub const LISTS: usize = 2;
}

/// Slots of enterprise facts by type.
pub mod enterprise {
    pub const AGE_MONTHS: usize = 0;
    pub const EMPLOYEES: usize = 1;
    pub const GRADUATE_HIRES: usize = 2;
    pub const ANNUAL_REVENUE: usize = 3;
    pub const INTS: usize = 4;

    pub const TYPE: usize = 0;
    pub const SIZE: usize = 1;
    pub const INDUSTRY: usize = 2;
    pub const DISTRICT: usize = 3;
    pub const PREFECTURE: usize = 4;
    pub const TAX_CREDIT: usize = 5;
    pub const STRS: usize = 6;

    pub const HIGH_TECH: usize = 0;
    pub const BOOLS: usize = 1;
    pub const LISTS: usize = 0;
}

/// The person schema (`docs/benefits-rules.md` §3).
pub static PERSON_FACTS: &[FactDef] = &[
    fact!(Person, "age", Int, 0, None, &["birthDate"], 0),
    fact!(
        Person,
        "household_size",
        Int,
        1,
        None,
        &["householdSize"],
        1
    ),
    fact!(
        Person,
        "income_per_capita",
        Int,
        2,
        None,
        &["incomePerCapita"],
        2
    ),
    fact!(
        Person,
        "disability_level",
        Int,
        3,
        None,
        &["disabilityLevel"],
        3
    ),
    fact!(Person, "children_count", Int, 4, None, &["children"], 4),
    fact!(Person, "sex", Str, 0, Some(SEXES), &["sex"], 5),
    fact!(Person, "district", Str, 1, None, &["district"], 6),
    fact!(Person, "prefecture", Str, 2, None, &["district"], 7),
    fact!(Person, "hukou", Str, 3, Some(HUKOU), &["hukou"], 8),
    fact!(
        Person,
        "income_band",
        Str,
        4,
        Some(INCOME_BANDS),
        &["incomeBand"],
        9
    ),
    fact!(
        Person,
        "employment",
        Str,
        5,
        Some(EMPLOYMENT),
        &["employment"],
        10
    ),
    fact!(Person, "subsistence", Bool, 0, None, &["subsistence"], 11),
    fact!(
        Person,
        "extreme_poverty",
        Bool,
        1,
        None,
        &["extremePoverty"],
        12
    ),
    fact!(Person, "living_alone", Bool, 2, None, &["livingAlone"], 13),
    fact!(Person, "veteran", Bool, 3, None, &["veteran"], 14),
    fact!(Person, "children_ages", IntList, 0, None, &["children"], 15),
    fact!(
        Person,
        "children_age_months",
        IntList,
        1,
        None,
        &["children"],
        16
    ),
];

/// The enterprise schema (`docs/benefits-rules.md` §3).
pub static ENTERPRISE_FACTS: &[FactDef] = &[
    fact!(Enterprise, "age_months", Int, 0, None, &["registeredOn"], 0),
    fact!(Enterprise, "employees", Int, 1, None, &["employees"], 1),
    fact!(
        Enterprise,
        "graduate_hires",
        Int,
        2,
        None,
        &["graduateHires"],
        2
    ),
    fact!(
        Enterprise,
        "annual_revenue",
        Int,
        3,
        None,
        &["annualRevenue"],
        3
    ),
    fact!(
        Enterprise,
        "type",
        Str,
        0,
        Some(ENTERPRISE_TYPES),
        &["type"],
        4
    ),
    fact!(Enterprise, "size", Str, 1, Some(SIZES), &["size"], 5),
    fact!(
        Enterprise,
        "industry",
        Str,
        2,
        Some(INDUSTRIES),
        &["industry"],
        6
    ),
    fact!(Enterprise, "district", Str, 3, None, &["district"], 7),
    fact!(Enterprise, "prefecture", Str, 4, None, &["district"], 8),
    fact!(
        Enterprise,
        "tax_credit",
        Str,
        5,
        Some(TAX_CREDIT),
        &["taxCredit"],
        9
    ),
    fact!(Enterprise, "high_tech", Bool, 0, None, &["highTech"], 10),
];

/// What the platform says about a person (`docs/upstream-gov.md`, facts), as Tongban keeps it.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonRecord {
    pub birth_date: Date,
    pub sex: String,
    pub district: String,
    pub hukou: String,
    pub household_size: i64,
    pub income_per_capita: i64,
    pub income_band: String,
    pub disability_level: i64,
    pub children_birth_dates: Vec<Date>,
    pub employment: String,
    pub subsistence: bool,
    pub extreme_poverty: bool,
    pub living_alone: bool,
    pub veteran: bool,
}

impl std::fmt::Debug for PersonRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Facts are personal data: never in logs.
        f.write_str("PersonRecord(..)")
    }
}

/// What the platform says about an enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseRecord {
    pub kind: String,
    pub size: String,
    pub industry: String,
    pub district: String,
    pub registered_on: Date,
    pub tax_credit: String,
    pub employees: i64,
    pub graduate_hires: i64,
    pub annual_revenue: i64,
    pub high_tech: bool,
}

/// One subject's facts on one evaluation date, in slots.
#[derive(Clone, PartialEq, Eq)]
pub struct Facts {
    pub subject: Subject,
    pub ints: Vec<i64>,
    pub strs: Vec<String>,
    pub bools: Vec<bool>,
    pub lists: Vec<Vec<i64>>,
    /// The dates the slots were computed from, for explanations: the person's birth date, or
    /// the enterprise's registration date.
    pub date: Date,
    /// Children's birth dates, in the order of `children_ages`.
    pub children_birth_dates: Vec<Date>,
}

impl std::fmt::Debug for Facts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Facts")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Whole years from `from` to `on` (negative before `from`).
pub fn whole_years(from: Date, on: Date) -> i64 {
    let years = i64::from(on.year()) - i64::from(from.year());
    if (on.month(), on.day()) >= (from.month(), from.day()) {
        years
    } else {
        years - 1
    }
}

/// Whole months from `from` to `on`.
pub fn whole_months(from: Date, on: Date) -> i64 {
    let months = (i64::from(on.year()) - i64::from(from.year())) * 12 + i64::from(on.month())
        - i64::from(from.month());
    if on.day() >= from.day() {
        months
    } else {
        months - 1
    }
}

/// The prefecture-level division of a 6-digit county-level code (`654002` → `654000`).
pub fn prefecture_of(district: &str) -> String {
    match district.get(..4) {
        Some(head) if district.len() == 6 => format!("{head}00"),
        _ => district.to_owned(),
    }
}

/// Children count until this age (exclusive).
const ADULT_AGE: i64 = 18;

impl Facts {
    /// A person's facts on `today`.
    pub fn person(record: &PersonRecord, today: Date) -> Self {
        let mut children: Vec<Date> = record
            .children_birth_dates
            .iter()
            .copied()
            .filter(|born| *born <= today && whole_years(*born, today) < ADULT_AGE)
            .collect();
        // Youngest first: the child a rule about small children is most likely about.
        children.sort_by(|a, b| b.cmp(a));
        let mut ints = vec![0; person::INTS];
        ints[person::AGE] = whole_years(record.birth_date, today);
        ints[person::HOUSEHOLD_SIZE] = record.household_size;
        ints[person::INCOME_PER_CAPITA] = record.income_per_capita;
        ints[person::DISABILITY_LEVEL] = record.disability_level;
        ints[person::CHILDREN_COUNT] = children.len() as i64;
        let mut strs = vec![String::new(); person::STRS];
        strs[person::SEX] = record.sex.clone();
        strs[person::DISTRICT] = record.district.clone();
        strs[person::PREFECTURE] = prefecture_of(&record.district);
        strs[person::HUKOU] = record.hukou.clone();
        strs[person::INCOME_BAND] = record.income_band.clone();
        strs[person::EMPLOYMENT] = record.employment.clone();
        let mut bools = vec![false; person::BOOLS];
        bools[person::SUBSISTENCE] = record.subsistence;
        bools[person::EXTREME_POVERTY] = record.extreme_poverty;
        bools[person::LIVING_ALONE] = record.living_alone;
        bools[person::VETERAN] = record.veteran;
        let mut lists = vec![Vec::new(); person::LISTS];
        lists[person::CHILDREN_AGES] = children.iter().map(|b| whole_years(*b, today)).collect();
        lists[person::CHILDREN_AGE_MONTHS] =
            children.iter().map(|b| whole_months(*b, today)).collect();
        Self {
            subject: Subject::Person,
            ints,
            strs,
            bools,
            lists,
            date: record.birth_date,
            children_birth_dates: children,
        }
    }

    /// An enterprise's facts on `today`.
    pub fn enterprise(record: &EnterpriseRecord, today: Date) -> Self {
        let mut ints = vec![0; enterprise::INTS];
        ints[enterprise::AGE_MONTHS] = whole_months(record.registered_on, today).max(0);
        ints[enterprise::EMPLOYEES] = record.employees;
        ints[enterprise::GRADUATE_HIRES] = record.graduate_hires;
        ints[enterprise::ANNUAL_REVENUE] = record.annual_revenue;
        let mut strs = vec![String::new(); enterprise::STRS];
        strs[enterprise::TYPE] = record.kind.clone();
        strs[enterprise::SIZE] = record.size.clone();
        strs[enterprise::INDUSTRY] = record.industry.clone();
        strs[enterprise::DISTRICT] = record.district.clone();
        strs[enterprise::PREFECTURE] = prefecture_of(&record.district);
        strs[enterprise::TAX_CREDIT] = record.tax_credit.clone();
        let mut bools = vec![false; enterprise::BOOLS];
        bools[enterprise::HIGH_TECH] = record.high_tech;
        Self {
            subject: Subject::Enterprise,
            ints,
            strs,
            bools,
            lists: Vec::new(),
            date: record.registered_on,
            children_birth_dates: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn slots_and_bits_are_unique_per_type_and_match_the_slot_constants() {
        for subject in [Subject::Person, Subject::Enterprise] {
            let facts = subject.facts();
            for (i, a) in facts.iter().enumerate() {
                assert_eq!(a.subject, subject);
                for b in &facts[i + 1..] {
                    assert_ne!(a.name, b.name);
                    assert_ne!(a.bit, b.bit);
                    assert!(
                        a.ty != b.ty || a.slot != b.slot,
                        "{} and {}",
                        a.name,
                        b.name
                    );
                }
            }
        }
        let count =
            |subject: Subject, ty: Ty| subject.facts().iter().filter(|fact| fact.ty == ty).count();
        assert_eq!(count(Subject::Person, Ty::Int), person::INTS);
        assert_eq!(count(Subject::Person, Ty::Str), person::STRS);
        assert_eq!(count(Subject::Person, Ty::Bool), person::BOOLS);
        assert_eq!(count(Subject::Person, Ty::IntList), person::LISTS);
        assert_eq!(count(Subject::Enterprise, Ty::Int), enterprise::INTS);
        assert_eq!(count(Subject::Enterprise, Ty::Str), enterprise::STRS);
        assert_eq!(count(Subject::Enterprise, Ty::Bool), enterprise::BOOLS);
        assert_eq!(
            Subject::Person.fact("income_band").map(|f| f.slot),
            Some(person::INCOME_BAND)
        );
        assert_eq!(
            Subject::Enterprise.fact("tax_credit").map(|f| f.slot),
            Some(enterprise::TAX_CREDIT)
        );
    }

    #[test]
    fn ages_are_whole_years_and_months_on_the_evaluation_date() {
        assert_eq!(whole_years(date(1964, 3, 15), date(2026, 3, 14)), 61);
        assert_eq!(whole_years(date(1964, 3, 15), date(2026, 3, 15)), 62);
        assert_eq!(whole_years(date(2000, 2, 29), date(2026, 2, 28)), 25);
        assert_eq!(whole_months(date(2026, 1, 31), date(2026, 2, 28)), 0);
        assert_eq!(whole_months(date(2026, 1, 31), date(2026, 3, 1)), 1);
        assert_eq!(whole_months(date(2024, 5, 1), date(2026, 11, 22)), 30);
        assert_eq!(prefecture_of("654002"), "654000");
    }

    #[test]
    fn a_person_s_children_are_those_under_18_youngest_first() {
        let record = PersonRecord {
            birth_date: date(1990, 6, 1),
            sex: "female".into(),
            district: "654021".into(),
            hukou: "rural".into(),
            household_size: 5,
            income_per_capita: 900,
            income_band: "low".into(),
            disability_level: 0,
            children_birth_dates: vec![date(2008, 1, 1), date(2025, 12, 1), date(2019, 7, 7)],
            employment: "farmer".into(),
            subsistence: false,
            extreme_poverty: false,
            living_alone: false,
            veteran: false,
        };
        let facts = Facts::person(&record, date(2026, 11, 22));
        assert_eq!(facts.ints[person::AGE], 36);
        assert_eq!(facts.ints[person::CHILDREN_COUNT], 2);
        assert_eq!(facts.lists[person::CHILDREN_AGES], vec![0, 7]);
        assert_eq!(facts.lists[person::CHILDREN_AGE_MONTHS], vec![11, 88]);
        assert_eq!(facts.strs[person::PREFECTURE], "654000");
        assert_eq!(format!("{record:?}"), "PersonRecord(..)");
    }
}
