//! What a receiver gets: Standard Webhooks messages built from the event log. The body is
//! `{"type", "timestamp", "data"}`; `data` is the stored event's own fields (the frozen log
//! format, so the payload evolves only as the log does) with its `seq`, time, actor and
//! workspace. The message id is the event's place in the log, the same on every attempt.

use base64::Engine;
use hmac::Mac;
use porch_protocol::{EventFrame, Millis, WorkspaceId};
use serde_json::{json, Map, Value};

/// The webhook type of a logged event, if it is one receivers can ask for.
pub fn webhook_type(event: &porch_protocol::Event) -> Option<&'static str> {
    use porch_protocol::Event as E;
    Some(match event {
        E::ConversationStarted { .. } => "conversation.started",
        E::MessagePosted { .. } => "message.created",
        E::ConversationClosed { .. } => "conversation.closed",
        E::ConversationReopened { .. } => "conversation.reopened",
        E::OutcomeChanged { .. } => "conversation.outcome_changed",
        E::Assigned { .. } | E::Unassigned { .. } => "conversation.assigned",
        E::ContactBlocked { .. } => "contact.blocked",
        E::ContactUnblocked { .. } => "contact.unblocked",
        E::ContactUpdated { .. } => "contact.identified",
        _ => return None,
    })
}

/// A message to send: its id, type and body.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: String,
    pub event_type: String,
    pub seq: Option<u64>,
    pub body: String,
}

/// RFC 3339, as Standard Webhooks' `timestamp`.
fn rfc3339(at: Millis) -> String {
    jiff::Timestamp::from_millisecond(at).map(|t| t.to_string()).unwrap_or_default()
}

/// The message for a logged event the endpoint wants.
pub fn of_event(workspace: &WorkspaceId, frame: &EventFrame, event_type: &str) -> Message {
    let mut data = match serde_json::to_value(&frame.event) {
        Ok(Value::Object(fields)) => fields,
        _ => Map::new(),
    };
    data.remove("type");
    if let porch_protocol::Event::Unassigned { .. } = frame.event {
        data.insert("agent_id".into(), Value::Null);
    }
    data.insert("workspace_id".into(), json!(workspace));
    data.insert("seq".into(), json!(frame.seq));
    data.insert("at".into(), json!(frame.at));
    data.insert("actor".into(), json!(frame.actor));
    data.insert("contact_id".into(), json!(frame.contact_id));
    let body = json!({"type": event_type, "timestamp": rfc3339(frame.at), "data": data});
    Message {
        id: format!("msg_{}_{}", workspace, frame.seq),
        event_type: event_type.to_owned(),
        seq: Some(frame.seq),
        body: body.to_string(),
    }
}

/// "Send a test ping": a message of type `webhook.ping`, its own id each time.
pub fn ping(workspace: &WorkspaceId, id: &str, now: Millis) -> Message {
    let body = json!({
        "type": "webhook.ping",
        "timestamp": rfc3339(now),
        "data": {"workspace_id": workspace, "message": "A test from Porch's webhook settings."},
    });
    Message {
        id: id.to_owned(),
        event_type: "webhook.ping".into(),
        seq: None,
        body: body.to_string(),
    }
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> Result<String, crate::ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| crate::ApiError::Internal(format!("random: {e}")))?;
    Ok(format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

/// `webhook-signature`: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each secret
/// (the current one, and the previous one during a rotation's overlap), space-separated.
pub fn signature(secrets: &[&str], id: &str, timestamp: i64, body: &str) -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    secrets
        .iter()
        .filter_map(|secret| {
            let key = engine.decode(secret.strip_prefix("whsec_").unwrap_or(secret)).ok()?;
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            Some(format!("v1,{}", engine.encode(mac.finalize().into_bytes())))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signs_as_the_specification_does() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&[secret], id, 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let both = signature(&[secret, secret], id, 1614265330, body);
        assert_eq!(both.split(' ').count(), 2);
    }

    #[test]
    fn a_secret_is_32_random_bytes() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert!(a.starts_with("whsec_") && a != b);
        let key = base64::engine::general_purpose::STANDARD.decode(&a[6..]).unwrap();
        assert_eq!(key.len(), 32);
    }
}
