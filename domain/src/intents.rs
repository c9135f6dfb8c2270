//! Which of the owner's intents a lead's free text means: a lexical matcher, built in, that
//! needs no model and no network. Each intent has example phrases, in whatever languages the
//! owner's leads write. Texts are compared as bags of character n-grams (3 to 5 letters,
//! across word edges, accents folded, weighted by how rare they are among the examples), so
//! "refund", "refunded" and "Rückerstattung"/"Erstattung" share most of what they are made of
//! without a stemmer per language. A text's nearest example decides; a weak nearest example
//! is reported as unsure (a model may settle it) and nothing near as no match (recorded, so the
//! owner can add an example).

use std::collections::HashMap;

/// Cosine similarity from which the nearest example's intent is taken.
pub const SURE: f32 = 0.36;
/// Below [`SURE`] and from this: the nearest intent, unsure.
pub const UNSURE: f32 = 0.22;
/// Characters of a text that are compared at most (a long message's start says what it is).
const MAX_CHARS: usize = 400;

/// What a text was matched to: the index of an intent in the matcher's list, and how close the
/// nearest example was.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum IntentMatch {
    Sure { intent: usize, score: f32 },
    Unsure { intent: usize, score: f32 },
    None,
}

/// A text as the matcher compares it: weighted n-grams sorted by n-gram.
type Weights = Vec<(u64, f32)>;

/// The owner's intents, ready to match texts against.
pub struct Matcher {
    /// Per example: its intent, its weights and their norm.
    examples: Vec<(usize, Weights, f32)>,
    /// Inverse document frequency of each n-gram over the examples.
    idf: HashMap<u64, f32>,
}

impl Matcher {
    /// `intents`: per intent, its example phrases.
    pub fn new<S: AsRef<str>>(intents: &[Vec<S>]) -> Matcher {
        let counted: Vec<(usize, HashMap<u64, f32>)> = intents
            .iter()
            .enumerate()
            .flat_map(|(i, phrases)| phrases.iter().map(move |p| (i, grams(p.as_ref()))))
            .filter(|(_, g)| !g.is_empty())
            .collect();
        let mut seen: HashMap<u64, f32> = HashMap::new();
        for (_, g) in &counted {
            for gram in g.keys() {
                *seen.entry(*gram).or_default() += 1.0;
            }
        }
        let n = counted.len() as f32;
        let idf: HashMap<u64, f32> =
            seen.into_iter().map(|(g, df)| (g, (1.0 + n / df).ln())).collect();
        let examples = counted
            .into_iter()
            .map(|(intent, g)| {
                let (weights, norm) = weigh(&g, &idf);
                (intent, weights, norm)
            })
            .collect();
        Matcher { examples, idf }
    }

    /// The intent `text` means, if any.
    pub fn find(&self, text: &str) -> IntentMatch {
        let (weights, norm) = weigh(&grams(text), &self.idf);
        if norm == 0.0 {
            return IntentMatch::None;
        }
        let best = self
            .examples
            .iter()
            .map(|(intent, example, example_norm)| {
                (*intent, dot(&weights, example) / (norm * example_norm))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((intent, score)) if score >= SURE => IntentMatch::Sure { intent, score },
            Some((intent, score)) if score >= UNSURE => IntentMatch::Unsure { intent, score },
            _ => IntentMatch::None,
        }
    }
}

/// A text's words, lower case, accents folded, anything else a space.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CHARS) + 2);
    out.push(' ');
    for c in text.chars().take(MAX_CHARS).flat_map(char::to_lowercase) {
        match fold(c) {
            Some(folded) => out.push_str(folded),
            None if c.is_alphanumeric() => out.push(c),
            None if !out.ends_with(' ') => out.push(' '),
            None => {}
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// Latin letters with accents as their base letters (the four widget languages' own).
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => "o",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ß' => "ss",
        'œ' => "oe",
        'æ' => "ae",
        _ => return None,
    })
}

/// A text's character n-grams (3 to 5, spaces marking word edges), counted, by their hash.
fn grams(text: &str) -> HashMap<u64, f32> {
    let chars: Vec<char> = normalise(text).chars().collect();
    let mut counted = HashMap::new();
    for n in 3..=5 {
        for window in chars.windows(n) {
            // Not a gram of spaces alone, nor one spanning two word gaps.
            if window.iter().filter(|c| **c == ' ').count() > 1 {
                continue;
            }
            *counted.entry(hash(window)).or_insert(0.0) += 1.0;
        }
    }
    counted
}

/// FNV-1a: stable across runs and platforms, and plenty for n-grams.
fn hash(window: &[char]) -> u64 {
    window.iter().fold(0xcbf2_9ce4_8422_2325, |h, c| {
        (h ^ u64::from(u32::from(*c))).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Sublinear term weights times rarity, sorted by n-gram, and their Euclidean norm. N-grams no
/// example has weigh nothing (they cannot bring a text nearer to any).
fn weigh(counted: &HashMap<u64, f32>, idf: &HashMap<u64, f32>) -> (Weights, f32) {
    let mut weights: Vec<(u64, f32)> = counted
        .iter()
        .filter_map(|(g, tf)| idf.get(g).map(|idf| (*g, (1.0 + tf.ln()) * idf)))
        .collect();
    weights.sort_unstable_by_key(|(g, _)| *g);
    let norm = weights.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    (weights, norm)
}

/// The dot product of two sorted sparse vectors.
fn dot(a: &[(u64, f32)], b: &[(u64, f32)]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

pub mod labelled;

#[cfg(test)]
mod tests;
