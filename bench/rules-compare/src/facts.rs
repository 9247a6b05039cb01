//! Synthetic person facts, with the names and value sets of `docs/benefits-rules.md` §3.
//!
//! The generator is a fixed-seed SplitMix64, so every run (and both libraries) sees the same
//! 10,000 people. The distributions are rough but chosen so that every policy of
//! [`crate::policies`] matches some people and rejects most.

/// One person's facts, as Tongban holds them after deriving ages on the evaluation date.
#[derive(Debug, Clone)]
pub struct Person {
    pub age: i64,
    pub sex: &'static str,
    pub district: String,
    pub prefecture: &'static str,
    pub hukou: &'static str,
    pub household_size: i64,
    pub income_per_capita: i64,
    pub income_band: &'static str,
    pub disability_level: i64,
    pub children_ages: Vec<i64>,
    pub employment: &'static str,
    pub subsistence: bool,
    pub extreme_poverty: bool,
    pub living_alone: bool,
    pub veteran: bool,
}

/// Prefecture-level codes of Xinjiang; Ili (654000) is the one policy 1 asks for.
const PREFECTURES: [&str; 6] = ["654000", "650100", "653100", "652900", "653200", "654200"];
const EMPLOYMENT: [&str; 7] = [
    "employed",
    "unemployed",
    "flexible",
    "farmer",
    "retired",
    "student",
    "none",
];

/// SplitMix64: tiny, deterministic and good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// `count` people, the same ones on every call.
pub fn generate(count: usize) -> Vec<Person> {
    let mut rng = Rng(0x7043_6261_6E67_2026);
    (0..count).map(|_| person(&mut rng)).collect()
}

fn person(rng: &mut Rng) -> Person {
    // Ages 0..105, with more weight on the old so the elderly policies match someone.
    let age = if rng.chance(20) {
        60 + rng.below(45) as i64
    } else {
        rng.below(90) as i64
    };
    let prefecture = PREFECTURES[rng.below(PREFECTURES.len() as u64) as usize];
    let district = format!("{}{:02}", &prefecture[..4], 1 + rng.below(20));
    let income_band = match rng.below(100) {
        0..=7 => "subsistence",
        8..=24 => "low",
        25..=79 => "middle",
        _ => "high",
    };
    let income_per_capita = match income_band {
        "subsistence" => 300 + rng.below(400),
        "low" => 700 + rng.below(400),
        "middle" => 1_100 + rng.below(4_000),
        _ => 5_100 + rng.below(20_000),
    } as i64;
    let disability_level = if rng.chance(8) {
        1 + rng.below(4) as i64
    } else {
        0
    };
    let children = if (20..55).contains(&age) {
        rng.below(4)
    } else {
        0
    };
    let children_ages = (0..children)
        .map(|_| rng.below(18) as i64)
        .collect::<Vec<_>>();
    let employment = if age >= 60 && rng.chance(60) {
        "retired"
    } else if age < 18 {
        "student"
    } else {
        EMPLOYMENT[rng.below(EMPLOYMENT.len() as u64) as usize]
    };
    let subsistence = income_band == "subsistence" && rng.chance(60);
    Person {
        age,
        sex: if rng.chance(50) { "female" } else { "male" },
        district,
        prefecture,
        hukou: if rng.chance(45) { "urban" } else { "rural" },
        household_size: 1 + children as i64 + rng.below(4) as i64,
        income_per_capita,
        income_band,
        disability_level,
        children_ages,
        employment,
        subsistence,
        extreme_poverty: rng.chance(1),
        living_alone: age >= 50 && rng.chance(20),
        veteran: rng.chance(3),
    }
}
