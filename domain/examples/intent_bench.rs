//! The built-in intent matcher on its labelled set (`porch_domain::intents::labelled`), run by
//! `cargo xtask bench`: per language, how many leads' texts it matched to the intent they mean
//! (or to none, for unrelated chat), how many it was unsure of, and matches a second.
//! Prints figures, asserts nothing.

use std::time::Instant;

use porch_domain::intents::labelled::{EXAMPLES, INTENTS, TEXTS};
use porch_domain::intents::{IntentMatch, Matcher};

fn main() {
    let matcher = Matcher::new(&EXAMPLES.iter().map(|e| e.to_vec()).collect::<Vec<_>>());
    println!(
        "{} intents, {} example phrases, {} labelled texts",
        INTENTS.len(),
        EXAMPLES.iter().map(|e| e.len()).sum::<usize>(),
        TEXTS.len()
    );
    for language in ["en", "de", "fr", "es"] {
        let (mut right, mut unsure, mut total) = (0, 0, 0);
        for (_, text, want) in TEXTS.iter().filter(|(l, ..)| *l == language) {
            total += 1;
            let got = match matcher.find(text) {
                IntentMatch::Sure { intent, .. } => Some(intent),
                IntentMatch::Unsure { .. } => {
                    unsure += 1;
                    None
                }
                IntentMatch::None => None,
            };
            right += usize::from(got == *want);
        }
        println!(
            "{language}: {right}/{total} right ({:.0} %), {unsure} unsure",
            100.0 * right as f64 / total as f64
        );
    }
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < 1.0 {
        for (_, text, _) in TEXTS {
            std::hint::black_box(matcher.find(text));
            n += 1;
        }
    }
    println!(
        "{:.0} matches/s (one core, {} example phrases)",
        n as f64 / started.elapsed().as_secs_f64(),
        EXAMPLES.iter().map(|e| e.len()).sum::<usize>()
    );
}
