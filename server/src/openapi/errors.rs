//! Every error code the API answers, with its status: the document's description lists them
//! (a test checks that each code written in the server and the domain is here).

/// (code, status, when)
pub const ERROR_CODES: &[(&str, u16, &str)] = &[
    ("malformed_json", 400, "the body is not JSON"),
    ("malformed_frame", 400, "a WebSocket frame could not be read"),
    ("invalid_query", 400, "a query parameter could not be read"),
    ("not_a_websocket", 400, "a socket route was called without a WebSocket upgrade"),
    ("unauthorized", 401, "no valid session, API token or visitor token"),
    ("invalid_credentials", 401, "wrong e-mail or password"),
    ("wrong_password", 401, "the current password is wrong"),
    ("forbidden", 403, "the member's role does not allow this"),
    ("plan_required", 403, "the workspace's plan does not include this"),
    ("cross_origin", 403, "a browser request from another site"),
    ("origin_not_allowed", 403, "the widget is not allowed on this site"),
    ("signup_closed", 403, "only the operator creates workspaces here"),
    ("token_not_allowed", 403, "API tokens do not reach this route"),
    ("token_read_only", 403, "a read token was used to change something"),
    ("not_found", 404, "unknown id, one of another workspace, or no such endpoint"),
    ("method_not_allowed", 405, "the route does not take this method"),
    ("conflict", 409, "it clashes with what is stored"),
    ("already_a_member", 409, "the person is in the workspace already"),
    ("email_taken", 409, "the e-mail belongs to another account"),
    ("last_owner", 409, "a workspace keeps an active owner"),
    ("account_changed", 409, "the account changed since the link was made"),
    ("too_many_tokens", 409, "the workspace holds the most API tokens it may"),
    ("too_many_webhooks", 409, "the workspace has the most webhook endpoints it may"),
    ("input_disabled", 409, "the lead may not write into a closed conversation here"),
    ("conversation_closed", 409, "the conversation is closed"),
    ("already_closed", 409, "the conversation is closed already"),
    ("contact_blocked", 409, "the lead is blocked"),
    ("not_closed", 409, "the conversation is not closed"),
    ("already_open", 409, "the conversation is open already"),
    ("not_snoozed", 409, "the conversation is not snoozed"),
    ("not_live", 409, "the conversation is with the bot"),
    ("not_with_the_bot", 409, "the conversation is not with the bot"),
    ("too_large", 413, "the body is over 64 KiB"),
    ("unsupported_media_type", 415, "the body is not application/json"),
    ("invalid_fields", 422, "the JSON does not have the fields this route takes"),
    ("invalid_ids", 422, "a bulk close names 1 to 100 conversations"),
    ("invalid_text", 422, "text with a NUL character"),
    ("invalid_name", 422, "a name empty or too long"),
    ("invalid_email", 422, "not an e-mail address"),
    ("weak_password", 422, "a password too short or too common"),
    ("invalid_link", 422, "a password or invitation link unknown, used or expired"),
    ("invalid_key", 422, "an unknown widget key"),
    ("invalid_origin", 422, "not an origin such as https://shop.example"),
    ("invalid_identity", 422, "an identity whose signature does not verify"),
    ("invalid_range", 422, "a report range outside what reports cover"),
    ("invalid_client_id", 422, "a client id empty or too long"),
    ("invalid_advance", 422, "a clock advance that is negative or too large"),
    ("invalid_url", 422, "a webhook URL that is not an absolute https:// URL"),
    ("private_address", 422, "a webhook URL on a loopback, private or link-local address"),
    ("unknown_event_type", 422, "a webhook event type Porch does not send"),
    ("email_required", 422, "the workspace asks for an e-mail first"),
    ("nothing_to_summarize", 422, "the conversation has no message to summarize"),
    ("empty_message", 422, "a message with no text"),
    ("message_too_long", 422, "a message over 4,000 characters"),
    ("outcome_required", 422, "a manual close needs an outcome"),
    ("closing_note_required", 422, "the workspace requires a closing note"),
    ("unknown_category", 422, "a closing-note category the workspace does not have"),
    ("closing_notes_off", 422, "closing notes are off in this workspace"),
    ("snooze_in_past", 422, "a snooze that ends in the past"),
    ("invalid_settings", 422, "settings out of range"),
    ("unknown_quick_answer", 422, "a quick answer the bot does not have"),
    ("lead_may_not_end", 403, "the owner has not let leads end conversations"),
    ("rate_limited", 429, "too many requests of this kind; see Retry-After"),
    ("internal", 500, "a failure on the server's side (logged, not described)"),
    ("busy", 503, "every password check slot is taken; see Retry-After"),
    ("not_ready", 503, "the server is starting"),
];

/// The document's description: how errors look, and every code.
pub fn description() -> String {
    let mut text = String::from(
        "Porch's HTTP API. Members sign in with a session cookie; integrations use an API \
         token (`Authorization: Bearer porch_…`, Settings → API) on conversations, contacts \
         and reports; the widget uses its visitor token. Changes are pushed live on the \
         WebSockets `/agent/ws` and `/widget/ws`, and to webhooks.\n\nEvery error is \
         `{\"code\", \"message\"}`:\n\n| code | status | when |\n|---|---|---|\n",
    );
    for (code, status, when) in ERROR_CODES {
        text.push_str(&format!("| `{code}` | {status} | {when} |\n"));
    }
    text
}
