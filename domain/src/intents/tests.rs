use super::labelled::{EXAMPLES, TEXTS};
use super::*;

fn matcher() -> Matcher {
    Matcher::new(&EXAMPLES.iter().map(|e| e.to_vec()).collect::<Vec<_>>())
}

/// The intent a text is taken to mean (unsure counts as none: it would be asked of a model).
fn meant(matcher: &Matcher, text: &str) -> Option<usize> {
    match matcher.find(text) {
        IntentMatch::Sure { intent, .. } => Some(intent),
        _ => None,
    }
}

#[test]
fn an_example_phrase_itself_is_its_intent() {
    let m = matcher();
    for (intent, phrases) in EXAMPLES.iter().enumerate() {
        for phrase in phrases.iter() {
            assert_eq!(meant(&m, phrase), Some(intent), "{phrase}");
        }
    }
}

#[test]
fn accents_case_and_punctuation_do_not_matter() {
    let m = matcher();
    assert_eq!(meant(&m, "WO IST MEINE BESTELLUNG???"), Some(0));
    assert_eq!(meant(&m, "ou est ma commande"), Some(0));
    assert_eq!(meant(&m, "Öffnungszeiten"), meant(&m, "offnungszeiten"));
}

#[test]
fn nothing_alike_is_no_match() {
    let m = matcher();
    for text in ["", "   ", "?!", "zzzz qqqq", "1234567"] {
        assert_eq!(m.find(text), IntentMatch::None, "{text:?}");
    }
    assert_eq!(Matcher::new::<&str>(&[]).find("where is my order"), IntentMatch::None);
}

/// The labelled set, per language: leads' own wording is matched to the intent it means, and
/// unrelated chat to none, at least nine times in ten.
#[test]
fn the_labelled_set_is_matched_nine_times_in_ten_in_each_language() {
    let m = matcher();
    for language in ["en", "de", "fr", "es"] {
        let texts: Vec<_> = TEXTS.iter().filter(|(l, ..)| *l == language).collect();
        let wrong: Vec<_> =
            texts.iter().filter(|(_, text, want)| meant(&m, text) != *want).collect();
        let accuracy = 1.0 - wrong.len() as f32 / texts.len() as f32;
        assert!(accuracy >= 0.9, "{language}: {accuracy:.2}, wrong: {wrong:?}");
    }
}

#[test]
fn a_long_text_is_judged_by_its_start() {
    let m = matcher();
    let long = format!("where is my order {}", "blah ".repeat(10_000));
    let start: String = long.chars().take(MAX_CHARS).collect();
    assert_eq!(m.find(&long), m.find(&start), "the rest is not read");
    assert!(normalise(&long).chars().count() <= MAX_CHARS + 2);
}
