//! Server-side masking of personal data before it leaves Tongban, following the rules
//! 浙里办 publishes (GB/T 35273 asks that masking happen before output, not only in the UI).
//! Every function takes what is stored and never fails: text that does not look like what is
//! expected is masked more, not less.

/// Separators between the parts of a transliterated name (`阿斯亚·尤力亚斯`). People type the
/// middle dot in several look-alike forms; the one they typed is kept in the output.
const NAME_SEPARATORS: [char; 4] = ['·', '・', '•', '‧'];

/// ID number, strong rule (display only, no user check): first and last character
/// (`1****************X`). Inputs of two characters or fewer are masked entirely.
pub fn mask_id_number(id_number: &str) -> String {
    let chars: Vec<char> = id_number.trim().chars().collect();
    match chars.as_slice() {
        [first, middle @ .., last] if !middle.is_empty() => {
            format!("{first}{}{last}", "*".repeat(middle.len()))
        }
        all => "*".repeat(all.len()),
    }
}

/// Name: hide the first character (`*大友`).
///
/// A Uyghur or Kazakh name written in Chinese joins given name and father's name with a middle
/// dot; hiding only the very first character would leave the father's name, and hiding a whole
/// part would leave nothing to recognise, so the first character of *each* part is hidden and the
/// dots are kept (`*斯亚·*力亚斯`). Names typed in Arabic or Latin script separate the parts with
/// spaces, so spaces are treated the same way. A one-character name becomes `*`.
pub fn mask_name(name: &str) -> String {
    let mut masked = String::with_capacity(name.len());
    let mut at_part_start = true;
    let mut hiding_marks = false;
    for c in name.trim().chars() {
        if NAME_SEPARATORS.contains(&c) || c.is_whitespace() {
            masked.push(c);
            at_part_start = true;
            hiding_marks = false;
        } else if at_part_start {
            masked.push('*');
            at_part_start = false;
            hiding_marks = true;
        } else if hiding_marks && is_combining_mark(c) {
            // A vowel sign belongs to the letter before it: shown alone it would sit on the `*`.
        } else {
            masked.push(c);
            hiding_marks = false;
        }
    }
    masked
}

/// Mobile number: 3 + `****` + last 4 (`137****9050`) for 11-digit mobiles (starting with 1);
/// anything else (landlines, numbers with a country code) keeps only its last 4 characters, and
/// inputs of 4 characters or fewer are masked entirely.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let is_mobile = chars.len() == 11 && chars[0] == '1' && chars.iter().all(char::is_ascii_digit);
    if is_mobile {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[7..].iter().collect();
        return format!("{head}****{tail}");
    }
    let shown = if chars.len() > 4 { 4 } else { 0 };
    let tail: String = chars[chars.len() - shown..].iter().collect();
    format!("{}{tail}", "*".repeat(chars.len() - shown))
}

/// Combining marks of the Arabic block (harakat, superscript alef) and the general combining
/// diacritics: they are part of the grapheme of the letter they follow.
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06DC}'
            | '\u{06DF}'..='\u{06E4}'
            | '\u{06E7}'..='\u{06E8}'
            | '\u{06EA}'..='\u{06ED}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_number_keeps_only_its_first_and_last_character() {
        assert_eq!(mask_id_number("11010519491231002X"), "1****************X");
        assert_eq!(mask_id_number("650102199503140022"), "6****************2");
    }

    #[test]
    fn a_too_short_id_number_is_masked_entirely() {
        assert_eq!(mask_id_number("12"), "**");
        assert_eq!(mask_id_number(""), "");
    }

    #[test]
    fn a_han_name_hides_its_first_character() {
        assert_eq!(mask_name("王大友"), "*大友");
        assert_eq!(mask_name("王建华"), "*建华");
        assert_eq!(mask_name("马兰"), "*兰");
    }

    #[test]
    fn a_one_character_name_becomes_a_star() {
        assert_eq!(mask_name("王"), "*");
    }

    #[test]
    fn a_name_with_middle_dots_hides_the_first_character_of_each_part() {
        assert_eq!(mask_name("阿斯亚·尤力亚斯"), "*斯亚·*力亚斯");
        assert_eq!(mask_name("阿依古丽·艾合买提"), "*依古丽·*合买提");
        assert_eq!(mask_name("叶尔兰・努尔兰"), "*尔兰・*尔兰");
        assert_eq!(mask_name("买买提·吐尔逊·阿不都"), "*买提·*尔逊·*不都");
    }

    #[test]
    fn a_name_in_arabic_script_is_masked_per_part() {
        assert_eq!(mask_name("ئايگۈل ئەخمەت"), "*ايگۈل *ەخمەت");
        assert_eq!(mask_name("ئەركىن"), "*ەركىن");
    }

    #[test]
    fn a_vowel_mark_on_the_hidden_letter_is_hidden_with_it() {
        assert_eq!(mask_name("عَلي"), "*لي");
    }

    #[test]
    fn a_mobile_number_keeps_three_and_four_digits() {
        assert_eq!(mask_phone("13712349050"), "137****9050");
        assert_eq!(mask_phone(" 13899990001 "), "138****0001");
    }

    #[test]
    fn other_phone_numbers_keep_only_the_last_four() {
        assert_eq!(mask_phone("09918881234"), "*******1234");
        assert_eq!(mask_phone("0991-8881234"), "********1234");
        assert_eq!(mask_phone("+8613712349050"), "**********9050");
        assert_eq!(mask_phone("1234"), "****");
        assert_eq!(mask_phone(""), "");
    }
}
