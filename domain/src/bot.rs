//! The built-in bot: greets a new conversation, answers the owner's quick answers, and hands
//! the conversation to the team when the lead asks for a person.

use porch_protocol::{
    AuthorKind, BotSettings, ConversationKind, ConversationStatus, Event, MessageId, Millis,
    QuickAnswer,
};

use crate::conversation::posted;
use crate::{ConversationState, DomainError, NewMessage};

pub const MAX_QUICK_ANSWERS: usize = 10;
pub const MAX_QUESTION_CHARS: usize = 100;

pub fn validate_bot(settings: BotSettings) -> Result<BotSettings, DomainError> {
    let invalid = |m: String| Err(DomainError::InvalidSettings(m));
    let greeting = settings.greeting.trim().to_owned();
    if settings.enabled && greeting.is_empty() {
        return invalid("the bot needs a greeting".into());
    }
    if settings.quick_answers.len() > MAX_QUICK_ANSWERS {
        return invalid(format!("at most {MAX_QUICK_ANSWERS} quick answers"));
    }
    let mut quick_answers = Vec::new();
    for qa in settings.quick_answers {
        let (question, answer) = (qa.question.trim().to_owned(), qa.answer.trim().to_owned());
        if question.is_empty() || answer.is_empty() {
            return invalid("each quick answer needs a question and an answer".into());
        }
        if question.chars().count() > MAX_QUESTION_CHARS {
            return invalid(format!("questions have at most {MAX_QUESTION_CHARS} characters"));
        }
        crate::validate_body(&answer)?;
        quick_answers.push(QuickAnswer { question, answer });
    }
    crate::validate_body(&greeting).or_else(|e| {
        if settings.enabled {
            Err(e)
        } else {
            Ok(String::new())
        }
    })?;
    Ok(BotSettings { enabled: settings.enabled, greeting, quick_answers })
}

/// The bot's message `body`, posted under the bot's name.
pub fn bot_says(id: MessageId, body: &str) -> NewMessage {
    NewMessage {
        id,
        author_kind: AuthorKind::Bot,
        author_id: None,
        author_name: Some("Bot".into()),
        body: body.to_owned(),
        client_id: None,
    }
}

fn in_bot_hands(state: &ConversationState) -> Result<(), DomainError> {
    if state.status == ConversationStatus::Closed {
        return Err(DomainError::ConversationClosed);
    }
    if state.kind != ConversationKind::Bot {
        return Err(DomainError::NotWithTheBot);
    }
    Ok(())
}

/// The bot's greeting in a conversation it has just been given.
pub fn greet(
    conversation: &porch_protocol::ConversationId,
    greeting: NewMessage,
    now: Millis,
) -> Result<Event, DomainError> {
    posted(conversation, greeting, now)
}

/// The lead picks quick answer `index`: their question, then the bot's answer.
pub fn quick_answer(
    state: &ConversationState,
    bot: &BotSettings,
    index: usize,
    ids: (MessageId, MessageId),
    lead_name: Option<String>,
    now: Millis,
) -> Result<Vec<Event>, DomainError> {
    in_bot_hands(state)?;
    let qa = bot.quick_answers.get(index).ok_or(DomainError::UnknownQuickAnswer(index))?;
    let asked = NewMessage {
        id: ids.0,
        author_kind: AuthorKind::Contact,
        author_id: Some(state.contact_id.0.clone()),
        author_name: lead_name,
        body: qa.question.clone(),
        client_id: None,
    };
    // Recorded as they are: a pick is a question for the bot, not free text for the team.
    Ok(vec![
        Event::QuickAnswerChosen {
            conversation_id: state.id.clone(),
            question: qa.question.clone(),
        },
        posted(&state.id, asked, now)?,
        posted(&state.id, bot_says(ids.1, &qa.answer), now)?,
    ])
}

/// "Talk to a person": the conversation becomes a live chat in the team's Open folder.
pub fn hand_to_human(state: &ConversationState) -> Result<Vec<Event>, DomainError> {
    in_bot_hands(state)?;
    Ok(vec![Event::HandedToHuman { conversation_id: state.id.clone() }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_message;

    fn bot() -> BotSettings {
        BotSettings {
            enabled: true,
            greeting: "Hi!".into(),
            quick_answers: vec![QuickAnswer {
                question: "Opening hours?".into(),
                answer: "9 to 5.".into(),
            }],
        }
    }

    fn with_bot() -> ConversationState {
        ConversationState { kind: ConversationKind::Bot, ..ConversationState::open_fixture() }
    }

    fn ids() -> (MessageId, MessageId) {
        (MessageId("q".into()), MessageId("a".into()))
    }

    #[test]
    fn a_quick_answer_records_the_question_and_the_bots_answer() {
        let events = quick_answer(&with_bot(), &bot(), 0, ids(), None, 5).unwrap();
        let said: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::MessagePosted { message } => {
                    Some((message.author_kind, message.body.as_str()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(said, [(AuthorKind::Contact, "Opening hours?"), (AuthorKind::Bot, "9 to 5.")]);
        assert_eq!(
            events[0],
            Event::QuickAnswerChosen {
                conversation_id: with_bot().id,
                question: "Opening hours?".into()
            },
            "reports count the pick as an intent"
        );
        assert!(
            events.iter().all(|e| !matches!(e, Event::HandedToHuman { .. })),
            "a pick is not free text"
        );
        assert_eq!(
            quick_answer(&with_bot(), &bot(), 3, ids(), None, 5),
            Err(DomainError::UnknownQuickAnswer(3))
        );
    }

    #[test]
    fn only_a_bot_conversation_takes_bot_choices() {
        let live = ConversationState::open_fixture();
        assert_eq!(hand_to_human(&live), Err(DomainError::NotWithTheBot));
        assert_eq!(quick_answer(&live, &bot(), 0, ids(), None, 5), Err(DomainError::NotWithTheBot));
        let closed = ConversationState { status: ConversationStatus::Closed, ..with_bot() };
        assert_eq!(hand_to_human(&closed), Err(DomainError::ConversationClosed));
        assert!(matches!(hand_to_human(&with_bot()).unwrap()[..], [Event::HandedToHuman { .. }]));
    }

    #[test]
    fn writing_freely_to_the_bot_reaches_the_team() {
        let message = NewMessage {
            author_id: None,
            ..bot_says(MessageId("m".into()), "I need help with my order")
        };
        let lead = NewMessage { author_kind: AuthorKind::Contact, author_name: None, ..message };
        let events = post_message(&with_bot(), lead, &Default::default(), 1).unwrap();
        assert!(matches!(events[..], [Event::MessagePosted { .. }, Event::HandedToHuman { .. }]));
    }

    #[test]
    fn a_member_writing_to_a_bot_conversation_takes_it_over() {
        let reply = NewMessage {
            author_kind: AuthorKind::Agent,
            author_id: Some("ann".into()),
            author_name: Some("Ann".into()),
            ..bot_says(MessageId("m".into()), "Hi, I'm Ann, I can help")
        };
        let events = post_message(&with_bot(), reply.clone(), &Default::default(), 1).unwrap();
        // Handed over first: the member's message is the team's reply in a live chat.
        assert!(matches!(events[..], [Event::HandedToHuman { .. }, Event::MessagePosted { .. }]));
        let live = ConversationState::open_fixture();
        let events = post_message(&live, reply, &Default::default(), 1).unwrap();
        assert!(matches!(events[..], [Event::MessagePosted { .. }]), "a live chat stays as it is");
        // The bot's own messages leave the conversation with the bot.
        let said = bot_says(MessageId("b".into()), "Anything else?");
        let events = post_message(&with_bot(), said, &Default::default(), 1).unwrap();
        assert!(matches!(events[..], [Event::MessagePosted { .. }]));
    }

    #[test]
    fn settings_are_checked() {
        assert!(validate_bot(bot()).is_ok());
        let no_greeting = BotSettings { greeting: " ".into(), ..bot() };
        assert!(validate_bot(no_greeting).is_err());
        let blank = BotSettings {
            quick_answers: vec![QuickAnswer { question: "x".into(), answer: " ".into() }],
            ..bot()
        };
        assert!(validate_bot(blank).is_err());
        let many = BotSettings {
            quick_answers: vec![bot().quick_answers[0].clone(); MAX_QUICK_ANSWERS + 1],
            ..bot()
        };
        assert!(validate_bot(many).is_err());
    }
}
