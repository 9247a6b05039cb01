//! The 18-character ID number (公民身份号码, GB 11643-1999) and the 2023 foreigners'
//! permanent-residence ID (外国人永久居留身份证), parsed once at the edge so inner code only
//! ever holds numbers with a real birth date and a correct ISO 7064 MOD 11-2 check character.
//!
//! Layout: 6-digit region (address code) + 8-digit birth date `YYYYMMDD` + 3-digit sequence
//! (odd = male) + check character. Legacy 15-digit numbers are refused: they carry no check
//! character and the platform cannot verify them online.

use jiff::civil::Date;

use super::mask::mask_id_number;

/// The weights of ISO 7064 MOD 11-2 for the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum mod 11.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";
const LENGTH: usize = 18;
const EARLIEST_BIRTH_DATE: Date = jiff::civil::date(1900, 1, 1);

/// A valid ID number in canonical form (ASCII digits, upper-case `X`).
///
/// `Debug` prints only the masked form, so a number that ends up in a log line or a panic
/// message does not leak; use [`IdNumber::as_str`] where the full number is really needed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// Which document the number belongs to; both share the layout and the check rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// 居民身份证: the first digit is a province-level region (1–8).
    Resident,
    /// 外国人永久居留身份证 (2023 version): the first digit is 9.
    ForeignPermanentResident,
}

/// Sex as encoded in the sequence digits, which is what the platform records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// Each distinct way an input can fail to be an ID number, so that each gets its own
/// localized message telling the person what to fix. Display text never includes the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("the ID number is empty")]
    Empty,
    /// Counted in characters after trimming; 15 means a legacy number.
    #[error("an ID number has 18 characters, not {len}")]
    WrongLength { len: usize },
    #[error("an ID number has only digits and a final X")]
    InvalidCharacter,
    #[error("an ID number does not start with 0")]
    BadRegion,
    #[error("the birth date in the ID number does not exist or is out of range")]
    BadBirthDate,
    #[error("the check character of the ID number does not match")]
    BadCheckDigit,
}

impl IdNumber {
    /// Parses what a person typed or pasted: surrounding spaces are ignored, and full-width
    /// digits (０-９) and a lower-case or full-width x are normalised first.
    pub fn parse(input: &str) -> Result<IdNumber, IdNumberError> {
        parse_on(input, today_in_china())
    }

    /// The canonical 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The strong-rule masked form (`1****************X`), safe to display and log.
    pub fn masked(&self) -> String {
        mask_id_number(&self.0)
    }

    pub fn kind(&self) -> IdKind {
        if self.0.starts_with('9') {
            IdKind::ForeignPermanentResident
        } else {
            IdKind::Resident
        }
    }

    pub fn birth_date(&self) -> Date {
        // Parsing checked that these digits form a date, so the fallback is never taken.
        birth_date_of(self.0.as_bytes()).unwrap_or(EARLIEST_BIRTH_DATE)
    }

    /// From the 17th digit: odd is male, even is female.
    pub fn sex(&self) -> Sex {
        if self.0.as_bytes()[16] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The 6-digit address code (GB/T 2260) of household registration; for foreigners the
    /// province of issue followed by the nationality code.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

impl std::str::FromStr for IdNumber {
    type Err = IdNumberError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        IdNumber::parse(input)
    }
}

/// Birth dates are calendar dates in China, whatever the server's time zone.
fn today_in_china() -> Date {
    let china = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    jiff::Timestamp::now().to_zoned(china).date()
}

fn parse_on(input: &str, today: Date) -> Result<IdNumber, IdNumberError> {
    let normalised: String = input.trim().chars().map(normalise_char).collect();
    let len = normalised.chars().count();
    if len == 0 {
        return Err(IdNumberError::Empty);
    }
    if len != LENGTH {
        return Err(IdNumberError::WrongLength { len });
    }
    let bytes = normalised.as_bytes();
    // Non-ASCII characters are longer than one byte, so an 18-byte string is all ASCII here.
    let (body, check) = (&bytes[..LENGTH - 1], bytes[LENGTH - 1]);
    if bytes.len() != LENGTH
        || !body.iter().all(u8::is_ascii_digit)
        || !(check.is_ascii_digit() || check == b'X')
    {
        return Err(IdNumberError::InvalidCharacter);
    }
    if bytes[0] == b'0' {
        return Err(IdNumberError::BadRegion);
    }
    match birth_date_of(bytes) {
        Some(date) if (EARLIEST_BIRTH_DATE..=today).contains(&date) => {}
        _ => return Err(IdNumberError::BadBirthDate),
    }
    if check_char(body) != check {
        return Err(IdNumberError::BadCheckDigit);
    }
    Ok(IdNumber(normalised))
}

fn normalise_char(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
        'x' | 'Ｘ' | 'ｘ' => 'X',
        other => other,
    }
}

/// Characters 7–14 as a date, if they are one; `bytes` are known to be ASCII digits.
fn birth_date_of(bytes: &[u8]) -> Option<Date> {
    let number = |range: std::ops::Range<usize>| {
        bytes[range]
            .iter()
            .fold(0_i16, |acc, digit| acc * 10 + i16::from(digit - b'0'))
    };
    let (year, month, day) = (number(6..10), number(10..12), number(12..14));
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// ISO 7064 MOD 11-2 over the first 17 digits.
fn check_char(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check rule written out independently of the code under test.
    fn with_check(first17: &str) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17
            .chars()
            .zip(weights)
            .map(|(c, w)| c.to_digit(10).expect("digit") * w)
            .sum();
        let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
        format!("{first17}{check}")
    }

    fn today() -> Date {
        jiff::civil::date(2025, 6, 1)
    }

    #[test]
    fn published_valid_numbers_parse() {
        for literal in [
            "11010519491231002X",
            "650102199503140022",
            "654002198807210038",
        ] {
            let id = parse_on(literal, today()).expect(literal);
            assert_eq!(id.as_str(), literal);
        }
    }

    /// GB 11643's own example is born on 1880-01-01: its check character is right, but the
    /// 1900 lower bound refuses it, and no living person has such a date.
    #[test]
    fn the_standards_1880_example_has_a_valid_check_but_predates_1900() {
        assert_eq!(with_check("44052418800101001"), "440524188001010014");
        assert_eq!(
            parse_on("440524188001010014", today()),
            Err(IdNumberError::BadBirthDate)
        );
    }

    #[test]
    fn a_number_exposes_its_birth_date_sex_region_and_kind() {
        let id = parse_on("11010519491231002X", today()).expect("valid");
        assert_eq!(id.birth_date(), jiff::civil::date(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.kind(), IdKind::Resident);
        let man = parse_on("654002198807210038", today()).expect("valid");
        assert_eq!(man.sex(), Sex::Male);
        assert_eq!(man.region_code(), "654002");
    }

    #[test]
    fn numbers_built_with_the_published_rule_parse() {
        for first17 in [
            "65010219950314002",
            "65400219880721003",
            "51010820000101123",
        ] {
            let id = with_check(first17);
            assert_eq!(parse_on(&id, today()).expect(&id).as_str(), id);
        }
    }

    #[test]
    fn a_foreigner_id_starting_with_9_parses_as_permanent_resident() {
        let id = parse_on(&with_check("96539819850610001"), today()).expect("valid");
        assert_eq!(id.kind(), IdKind::ForeignPermanentResident);
        assert_eq!(id.birth_date(), jiff::civil::date(1985, 6, 10));
    }

    #[test]
    fn a_lowercase_x_and_surrounding_spaces_are_normalised() {
        let id = parse_on("  11010519491231002x ", today()).expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn full_width_digits_and_x_are_normalised() {
        let id = parse_on("１１０１０５１９４９１２３１００２Ｘ", today()).expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
        let id = parse_on("６５４００２１９８８０７２１００３８", today()).expect("valid");
        assert_eq!(id.as_str(), "654002198807210038");
    }

    #[test]
    fn empty_input_is_refused_as_empty() {
        assert_eq!(parse_on("", today()), Err(IdNumberError::Empty));
        assert_eq!(parse_on("   ", today()), Err(IdNumberError::Empty));
    }

    #[test]
    fn a_legacy_15_digit_number_is_refused_as_wrong_length() {
        assert_eq!(
            parse_on("110105491231002", today()),
            Err(IdNumberError::WrongLength { len: 15 })
        );
        assert_eq!(
            parse_on("11010519491231002X1", today()),
            Err(IdNumberError::WrongLength { len: 19 })
        );
    }

    #[test]
    fn letters_or_an_inner_x_are_invalid_characters() {
        for input in [
            "1101051949123100AX",
            "11010519491X310021",
            "11010519491231002Y",
        ] {
            assert_eq!(
                parse_on(input, today()),
                Err(IdNumberError::InvalidCharacter),
                "{input}"
            );
        }
        // 18 characters, one of them not ASCII: still a character problem, not a length one.
        assert_eq!(
            parse_on("1101051949123100二X", today()),
            Err(IdNumberError::InvalidCharacter)
        );
    }

    #[test]
    fn a_leading_zero_is_a_bad_region() {
        assert_eq!(
            parse_on(&with_check("01010519491231002"), today()),
            Err(IdNumberError::BadRegion)
        );
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        assert_eq!(
            parse_on("110105194912310021", today()),
            Err(IdNumberError::BadCheckDigit)
        );
    }

    #[test]
    fn february_29_exists_only_in_leap_years() {
        assert!(parse_on(&with_check("65010219960229001"), today()).is_ok());
        assert!(parse_on(&with_check("65010220000229001"), today()).is_ok());
        for not_leap in ["65010219970229001", "65010219000229001"] {
            assert_eq!(
                parse_on(&with_check(not_leap), today()),
                Err(IdNumberError::BadBirthDate),
                "{not_leap}"
            );
        }
    }

    #[test]
    fn impossible_future_and_too_early_dates_are_bad_birth_dates() {
        for first17 in [
            "65010219951301001", // month 13
            "65010219950431001", // April 31
            "65010225000101001", // far future
            "65010220250602001", // the day after `today()`
            "65010218991231001", // before 1900
        ] {
            assert_eq!(
                parse_on(&with_check(first17), today()),
                Err(IdNumberError::BadBirthDate),
                "{first17}"
            );
        }
        assert!(parse_on(&with_check("65010220250601001"), today()).is_ok());
        assert!(parse_on(&with_check("65010219000101001"), today()).is_ok());
    }

    #[test]
    fn debug_shows_only_the_masked_number() {
        let id = parse_on("11010519491231002X", today()).expect("valid");
        let printed = format!("{id:?}");
        assert!(!printed.contains("19491231"), "{printed}");
        assert!(printed.contains("1****************X"), "{printed}");
    }

    #[test]
    fn parse_uses_the_real_clock() {
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert_eq!(
            IdNumber::parse(&with_check("65010229990101001")),
            Err(IdNumberError::BadBirthDate)
        );
    }
}
