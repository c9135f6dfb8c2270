//! Drafting closing-note summaries. The [`Summarizer`] trait lets a deployment swap the built-in
//! extractive summarizer (no network, deterministic) for a model behind an API.

use std::collections::HashMap;

use porch_protocol::{AuthorKind, Message};

/// At most this many of the latest messages are summarized.
pub const MAX_MESSAGES: usize = 100;
/// Summaries are cut to this many characters.
pub const MAX_CHARS: usize = 500;

#[async_trait::async_trait]
pub trait Summarizer: Send + Sync + 'static {
    /// A short summary of `messages` (oldest first, already cut to [`MAX_MESSAGES`]); `None`
    /// when there is nothing worth summarizing.
    async fn summarize(&self, messages: &[Message]) -> Option<String>;

    /// The owner's category that fits the conversation best, if any fits at all. By default:
    /// the one whose words occur most often in the messages.
    async fn categorize(&self, messages: &[Message], categories: &[String]) -> Option<String> {
        let text: Vec<String> = messages.iter().flat_map(|m| words(&m.body)).collect();
        categories
            .iter()
            .map(|c| {
                let hits = words(c)
                    .map(|w| text.iter().filter(|t| t.starts_with(&w[..w.len().min(5)])).count())
                    .sum::<usize>();
                (hits, c)
            })
            .filter(|(hits, _)| *hits > 0)
            .max_by_key(|(hits, _)| *hits)
            .map(|(_, c)| c.clone())
    }
}

/// Picks the sentences that carry the conversation's most frequent words: the lead's opening
/// request first, then up to two more sentences, in their original order.
pub struct Extractive;

const STOPWORDS: &[&str] = &[
    "the", "and", "for", "you", "your", "are", "was", "but", "not", "with", "this", "that", "have",
    "has", "can", "will", "just", "our", "from", "they", "there", "what", "when", "how", "hello",
    "thanks", "thank", "please", "would", "could", "about", "also", "into", "then", "them",
];

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 2)
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
}

fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(['.', '!', '?', '\n']).map(str::trim).filter(|s| !s.is_empty())
}

#[async_trait::async_trait]
impl Summarizer for Extractive {
    async fn summarize(&self, messages: &[Message]) -> Option<String> {
        summarize_extractive(messages)
    }
}

pub fn summarize_extractive(messages: &[Message]) -> Option<String> {
    let recent = &messages[messages.len().saturating_sub(MAX_MESSAGES)..];
    let spoken: Vec<(&str, &str)> = recent
        .iter()
        .filter(|m| m.author_kind != AuthorKind::System)
        .flat_map(|m| {
            let who = if m.author_kind == AuthorKind::Contact { "Lead" } else { "Agent" };
            sentences(&m.body).map(move |s| (who, s))
        })
        .collect();
    if spoken.is_empty() {
        return None;
    }
    let mut frequency: HashMap<String, usize> = HashMap::new();
    for (_, sentence) in &spoken {
        for word in words(sentence) {
            *frequency.entry(word).or_default() += 1;
        }
    }
    let score = |sentence: &str| {
        let ws: Vec<String> = words(sentence).collect();
        let total: usize = ws.iter().map(|w| frequency.get(w).copied().unwrap_or(0)).sum();
        total as f64 / (ws.len().max(1) as f64).sqrt()
    };
    let opening = spoken.iter().position(|(who, _)| *who == "Lead").unwrap_or(0);
    let mut ranked: Vec<usize> = (0..spoken.len()).filter(|&i| i != opening).collect();
    ranked.sort_by(|&a, &b| score(spoken[b].1).total_cmp(&score(spoken[a].1)).then(a.cmp(&b)));
    let mut chosen: Vec<usize> = ranked.into_iter().take(2).collect();
    chosen.push(opening);
    chosen.sort_unstable();
    let summary = chosen
        .iter()
        .map(|&i| format!("{}: {}", spoken[i].0, spoken[i].1))
        .collect::<Vec<_>>()
        .join(" ");
    Some(cut(&summary))
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use porch_protocol::{ConversationId, MessageId};

    fn message(kind: AuthorKind, body: &str) -> Message {
        Message {
            id: MessageId(body.into()),
            conversation_id: ConversationId("c".into()),
            author_kind: kind,
            author_id: None,
            author_name: None,
            body: body.into(),
            client_id: None,
            created_at: 0,
        }
    }

    #[test]
    fn leads_with_the_request_and_keeps_the_salient_sentences() {
        let messages = [
            message(AuthorKind::Contact, "Hi. My parcel never arrived, order 1042."),
            message(AuthorKind::Agent, "Sorry to hear that! Let me check the parcel status."),
            message(AuthorKind::Agent, "The parcel was lost by the carrier; I issued a refund."),
            message(AuthorKind::Contact, "Great, thanks."),
        ];
        let summary = summarize_extractive(&messages).unwrap();
        assert!(summary.starts_with("Lead: Hi."), "{summary}");
        assert!(summary.contains("parcel was lost"), "{summary}");
        assert!(!summary.contains("Great, thanks"), "{summary}");
    }

    #[test]
    fn reads_only_the_latest_hundred_messages_and_stays_short() {
        let mut messages = vec![message(AuthorKind::Contact, "Zanzibar ancient question.")];
        messages.extend(
            (0..MAX_MESSAGES)
                .map(|i| message(AuthorKind::Agent, &format!("Reply about shipping number {i}."))),
        );
        let summary = summarize_extractive(&messages).unwrap();
        assert!(!summary.contains("Zanzibar"), "{summary}");
        let long = [message(AuthorKind::Contact, &"word ".repeat(400))];
        assert_eq!(summarize_extractive(&long).unwrap().chars().count(), MAX_CHARS);
    }

    #[tokio::test]
    async fn categorize_picks_the_category_the_conversation_talks_about() {
        let categories =
            ["Order issue".to_owned(), "Payment issue".to_owned(), "Product inquiry".to_owned()];
        let messages = [
            message(AuthorKind::Contact, "I was charged twice for my payment."),
            message(AuthorKind::Agent, "I refunded the duplicate payment."),
        ];
        assert_eq!(
            Extractive.categorize(&messages, &categories).await.as_deref(),
            Some("Payment issue")
        );
        let unrelated = [message(AuthorKind::Contact, "Nice weather today")];
        assert_eq!(Extractive.categorize(&unrelated, &categories).await, None);
    }

    #[test]
    fn nothing_to_summarize() {
        assert_eq!(summarize_extractive(&[]), None);
        assert_eq!(summarize_extractive(&[message(AuthorKind::System, "closed")]), None);
    }
}
