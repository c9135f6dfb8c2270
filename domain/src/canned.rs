//! The team's canned replies: saved texts a member inserts in a reply by typing `/` and a
//! shortcut.

use porch_protocol::CannedReply;

use crate::DomainError;

pub const MAX_CANNED_REPLIES: usize = 100;
pub const MAX_SHORTCUT_CHARS: usize = 32;

/// Trims each reply, and refuses more than [`MAX_CANNED_REPLIES`], a shortcut that is empty,
/// too long, not made of lower-case letters, digits and dashes or used twice, and a text a
/// message could not carry.
pub fn validate_canned_replies(replies: Vec<CannedReply>) -> Result<Vec<CannedReply>, DomainError> {
    let invalid = |m: String| Err(DomainError::InvalidSettings(m));
    if replies.len() > MAX_CANNED_REPLIES {
        return invalid(format!("at most {MAX_CANNED_REPLIES} canned replies"));
    }
    let mut saved: Vec<CannedReply> = Vec::with_capacity(replies.len());
    for reply in replies {
        let shortcut = reply.shortcut.trim().trim_start_matches('/').to_owned();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if shortcut.is_empty()
            || shortcut.len() > MAX_SHORTCUT_CHARS
            || !shortcut.chars().all(allowed)
        {
            return invalid(format!(
                "shortcut {shortcut:?}: use 1 to {MAX_SHORTCUT_CHARS} lower-case letters, digits \
                 or dashes"
            ));
        }
        if saved.iter().any(|r| r.shortcut == shortcut) {
            return invalid(format!("shortcut {shortcut:?} is used twice"));
        }
        let text = crate::validate_body(&reply.text)
            .map_err(|e| DomainError::InvalidSettings(format!("canned reply /{shortcut}: {e}")))?;
        saved.push(CannedReply { shortcut, text });
    }
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use porch_protocol::MAX_MESSAGE_CHARS;

    fn reply(shortcut: &str, text: &str) -> CannedReply {
        CannedReply { shortcut: shortcut.into(), text: text.into() }
    }

    #[test]
    fn replies_are_trimmed_and_kept_in_order() {
        let saved = validate_canned_replies(vec![
            reply(" /refund ", "  Refunds take five days.  "),
            reply("hours-2", "We are open 9 to 5."),
        ])
        .unwrap();
        assert_eq!(
            saved,
            vec![
                reply("refund", "Refunds take five days."),
                reply("hours-2", "We are open 9 to 5.")
            ]
        );
    }

    #[test]
    fn bad_shortcuts_are_refused_with_the_shortcut_named() {
        for bad in ["", "/", "Refund", "two words", "ü", &"a".repeat(MAX_SHORTCUT_CHARS + 1)] {
            let refused = validate_canned_replies(vec![reply(bad, "text")]).unwrap_err();
            assert!(matches!(refused, DomainError::InvalidSettings(_)), "{bad:?} was accepted");
        }
        let twice = validate_canned_replies(vec![reply("a", "x"), reply("/a", "y")]).unwrap_err();
        assert_eq!(twice, DomainError::InvalidSettings("shortcut \"a\" is used twice".into()));
    }

    #[test]
    fn texts_follow_the_message_rules_and_the_list_is_bounded() {
        let empty = validate_canned_replies(vec![reply("a", "  ")]).unwrap_err();
        assert_eq!(empty.to_string(), "canned reply /a: a message needs some text");
        let long = "x".repeat(MAX_MESSAGE_CHARS + 1);
        assert!(validate_canned_replies(vec![reply("a", &long)]).is_err());
        let many: Vec<_> =
            (0..=MAX_CANNED_REPLIES).map(|i| reply(&format!("r{i}"), "text")).collect();
        assert!(validate_canned_replies(many[..MAX_CANNED_REPLIES].to_vec()).is_ok());
        assert!(validate_canned_replies(many).is_err());
    }
}
