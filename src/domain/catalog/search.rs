//! Search folding: the form in which both catalog text and a person's query are compared.
//!
//! - NFKC, which also maps Arabic presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF, what some
//!   keyboards and PDF copy-paste produce) to the base letters, and full-width Latin and digits
//!   to ASCII.
//! - Kazakh hamza folded: the high hamza U+0674 that marks front-vowel words (and that NFKC
//!   splits out of U+0675–U+0678) and the plain hamza U+0621 that people type in its place are
//!   dropped, so `ٴوتىنىش`, `ءوتىنىش` and `وتىنىش` are one word.
//! - Tatweel (U+0640), zero-width joiners and bidi controls dropped; Latin lowercased;
//!   whitespace runs collapsed to one space.
//!
//! Chinese needs none of this: substring matching on the NFKC text is what people expect.

use icu_normalizer::ComposingNormalizerBorrowed;

/// The folded form of `text`.
pub fn fold(text: &str) -> String {
    let normalized = ComposingNormalizerBorrowed::new_nfkc().normalize(text);
    let mut out = String::with_capacity(normalized.len());
    let mut pending_space = false;
    for c in normalized.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if is_ignorable(c) {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{0621}' // ARABIC LETTER HAMZA
            | '\u{0674}' // ARABIC LETTER HIGH HAMZA (Kazakh front-vowel mark)
            | '\u{0640}' // ARABIC TATWEEL
            | '\u{200B}'..='\u{200F}' // zero-width space, joiners, LRM/RLM
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{FEFF}'
    )
}

/// True when every word of the folded query occurs in the folded text.
pub fn matches(folded_text: &str, folded_query: &str) -> bool {
    folded_query
        .split(' ')
        .filter(|word| !word.is_empty())
        .all(|word| folded_text.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_hamza_written_any_way_folds_to_one_word() {
        let with_high_hamza = fold("ٴوتىنىش");
        assert_eq!(fold("ءوتىنىش"), with_high_hamza);
        assert_eq!(fold("وتىنىش"), with_high_hamza);
        // U+0677 (U with hamza above) is NFKC U+06C7 + U+0674.
        assert_eq!(fold("\u{0677}"), fold("\u{06C7}"));
    }

    #[test]
    fn presentation_forms_fold_to_the_base_letters() {
        // "نوپۇس" typed with isolated/initial/medial/final presentation forms.
        let presentation = "\u{FEE7}\u{FEEE}\u{FB58}\u{FBD7}\u{FEB1}";
        assert_eq!(fold(presentation), fold("نوپۇس"));
    }

    #[test]
    fn uyghur_hamza_yeh_composes_whichever_way_it_was_typed() {
        // U+0626 precomposed, and U+064A + U+0654 decomposed.
        assert_eq!(fold("ئىلتىماس"), fold("\u{064A}\u{0654}ىلتىماس"));
    }

    #[test]
    fn invisible_marks_tatweel_case_and_spaces_do_not_matter() {
        assert_eq!(
            fold("  ئاھالىلەر\u{200C}  كىملىك\u{2068} "),
            "ئاھالىلەر كىملىك"
        );
        assert_eq!(fold("نوـپۇس"), fold("نوپۇس"));
        assert_eq!(fold("ＡＢＣ１２３"), "abc123");
    }

    #[test]
    fn every_query_word_must_occur() {
        let text = fold("居民身份证首次申领");
        assert!(matches(&text, &fold("身份证")));
        assert!(matches(&text, &fold("身份证 申领")));
        assert!(!matches(&text, &fold("身份证 护照")));
        assert!(matches(&fold("ئاھالىلەر كىملىكىنى ئېلىش"), &fold("كىملىك")));
    }
}
