//! Validators for identifier parameters, checked byte by byte.
//!
//! poem-openapi 5.1's `pattern` validator compiles its regular expression on every request
//! (`Regex::new(self.pattern).unwrap()` in `validation/pattern.rs`), which made a cached service
//! guide several times slower than it needs to be (BENCHMARKS.md). These check the same
//! character classes without a regex. Their `Display` names the pattern the way poem-openapi
//! does, so a refusal is still reported as `bad_format` with the parameter's name; the pattern
//! itself is written in each parameter's description.

use std::fmt;

use poem_openapi::validation::Validator;

/// `min` to `max` characters, each of which `allowed` accepts.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    pub pattern: &'static str,
    pub min: usize,
    pub max: usize,
    pub allowed: fn(u8) -> bool,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pattern({:?})", self.pattern)
    }
}

impl<T: AsRef<str>> Validator<T> for Code {
    fn check(&self, value: &T) -> bool {
        let value = value.as_ref();
        (self.min..=self.max).contains(&value.len()) && value.bytes().all(self.allowed)
    }
}

/// `^[A-Za-z0-9-]{1,64}$`: implementation codes (实施编码) and project numbers (办件编号).
pub fn item_code() -> Code {
    Code {
        pattern: "^[A-Za-z0-9-]{1,64}$",
        min: 1,
        max: 64,
        allowed: |b| b.is_ascii_alphanumeric() || b == b'-',
    }
}

/// `^[A-Za-z0-9_-]{1,64}$`: ids Tongban or the platform issued (appointments, slots).
pub fn token() -> Code {
    Code {
        pattern: "^[A-Za-z0-9_-]{1,64}$",
        min: 1,
        max: 64,
        allowed: |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_',
    }
}

/// `^[0-9A-Z]{18}$`: unified social credit codes.
pub fn credit_code() -> Code {
    Code {
        pattern: "^[0-9A-Z]{18}$",
        min: 18,
        max: 18,
        allowed: |b| b.is_ascii_digit() || b.is_ascii_uppercase(),
    }
}

/// `^[A-Za-z]{1,32}$`: life-event and theme codes.
pub fn word() -> Code {
    Code {
        pattern: "^[A-Za-z]{1,32}$",
        min: 1,
        max: 32,
        allowed: |b| b.is_ascii_alphabetic(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_accept_their_class_and_length_only() {
        let code = item_code();
        assert!(Validator::<String>::check(
            &code,
            &"1165400001-A".to_string()
        ));
        assert!(!Validator::<String>::check(&code, &String::new()));
        assert!(!Validator::<String>::check(&code, &"a/b".to_string()));
        assert!(!Validator::<String>::check(&code, &"9".repeat(65)));
        let credit = credit_code();
        assert!(Validator::<String>::check(
            &credit,
            &"11654000MB0000001X".to_string()
        ));
        assert!(!Validator::<String>::check(
            &credit,
            &"11654000mb0000001x".to_string()
        ));
        assert!(!Validator::<String>::check(&credit, &"ABC".to_string()));
        assert!(!Validator::<String>::check(&word(), &"birth1".to_string()));
        assert_eq!(code.to_string(), "pattern(\"^[A-Za-z0-9-]{1,64}$\")");
    }
}
