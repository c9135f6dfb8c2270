//! The operations on conversations, contacts, reports, the widget, the operator and the dev clock.

use porch_protocol::api::{agent::*, dev, operator, widget};

use super::{Doc, Who};

const REPORT_QUERY: &[(&str, &str)] = &[
    ("from", "start of the range, ms since the epoch (inclusive)"),
    ("to", "end of the range, ms since the epoch (exclusive; at most 400 days after from)"),
    ("agent", "only this agent's conversations"),
    ("category", "only this closing-note category"),
    ("source", "only this closing source"),
    ("outcome", "only this outcome"),
    ("missed", "true: only missed; false: only handled"),
    ("sort", "sort column"),
    ("desc", "true: descending"),
    ("page", "page number, from 0"),
    ("per_page", "rows a page"),
];

pub(super) fn add(doc: &mut Doc) {
    use Who::{Anyone, Lead, Member, Operator};
    // Conversations and contacts (conversations.rs, contacts.rs).
    let list = [
        ("status", "open or closed"),
        ("q", "text found in a message or the contact's name or e-mail (at most 200 characters)"),
        ("cursor", "the previous page's last row, `<last_activity_at>:<id>`"),
        ("limit", "rows a page, 1 to 500 (500)"),
    ];
    let summary = "The workspace's conversations, newest activity first";
    doc.add(CONVERSATIONS, Member, summary, &list);
    doc.add(CONVERSATION, Member, "A conversation, its messages and its log", &[]);
    doc.add(REPLY, Member, "Reply", &[]);
    let note = "A private note: in the team's timeline; never to the lead or a webhook";
    doc.add(NOTE, Member, note, &[]);
    doc.add(UNREAD, Member, "The caller's unread lead messages per open conversation", &[]);
    let typing = "The caller is writing a reply: the lead sees it for a few seconds (not kept)";
    doc.add(TYPING, Member, typing, &[]);
    doc.add(MARK_READ, Member, "Mark a conversation read up to a seq (never backwards)", &[]);
    doc.add(CLOSE, Member, "Close, with an outcome and an optional closing note", &[]);
    let many = "Close up to 100 conversations with one outcome and note, in one transaction";
    doc.add(CLOSE_MANY, Member, many, &[]);
    doc.add(REOPEN, Member, "Reopen", &[]);
    doc.add(CHANGE_OUTCOME, Member, "Change the outcome of a closed conversation", &[]);
    doc.add(ASSIGN, Member, "Assign to a member, or unassign", &[]);
    doc.add(SNOOZE, Member, "Snooze until a time", &[]);
    doc.add(UNSNOOZE, Member, "End a snooze", &[]);
    doc.add(BLOCK, Member, "Block the lead", &[]);
    doc.add(UNBLOCK, Member, "Unblock the lead", &[]);
    doc.add(HAND_TO_BOT, Member, "Hand the conversation back to the bot", &[]);
    doc.add(SUMMARIZE, Member, "Draft a closing-note summary", &[]);
    doc.add(CONTACT, Member, "A lead and their conversations", &[]);

    // Reports (reports.rs).
    doc.add(REPORT_CONVERSATIONS, Member, "Closed cycles, filtered and paged", REPORT_QUERY);
    doc.add(REPORT_CSV, Member, "The same as CSV", REPORT_QUERY);
    doc.add(CLOSING_REPORT, Member, "The closing report", REPORT_QUERY);
    doc.add(CONTACT_CENTRE_REPORT, Member, "The contact-centre report", REPORT_QUERY);
    doc.add(ACTIVITY_REPORT, Member, "The activity report", REPORT_QUERY);
    doc.add(CHATBOT_REPORT, Member, "The chatbot report", REPORT_QUERY);
    let chart_query: Vec<(&str, &str)> =
        REPORT_QUERY.iter().copied().chain([("format", "svg (default) or png")]).collect();
    doc.add(REPORT_CHART, Member, "One chart of a report", &chart_query);

    // The widget (widget.rs, lead_identity.rs).
    let check = "Whether a widget key is live (with its look) or not (404): the loader asks first";
    doc.add(widget::CHECK_KEY, Anyone, check, &[]);
    let open = "Open (or resume) a lead's widget session";
    doc.add(widget::OPEN_SESSION, Anyone, open, &[]);
    doc.add(widget::END_SESSION, Lead, "Forget this browser's visitor token", &[]);
    let start = "Start a conversation (200: the same client_id again)";
    doc.add(widget::START, Lead, start, &[]);
    doc.add(widget::CONVERSATION, Lead, "One of the lead's conversations", &[]);
    doc.add(widget::WRITE, Lead, "Write", &[]);
    let typing = "The lead is writing: the team sees it for a few seconds (not kept)";
    doc.add(widget::TYPING, Lead, typing, &[]);
    doc.add(widget::END, Lead, "The lead ends the conversation (if the owner allows it)", &[]);
    doc.add(widget::BOT_CHOICE, Lead, "Pick a quick answer, or ask for a person", &[]);
    let socket = "The lead's live socket: the visitor token in Sec-WebSocket-Protocol as \
                  porch.token.<token>";
    doc.add(widget::SOCKET, Anyone, socket, &[("after", "the last seq applied")]);
    let identify = "Porch.identify: who the lead is, signed by the site's backend";
    doc.add(widget::IDENTIFY, Lead, identify, &[]);
    doc.add(widget::GIVE_EMAIL, Lead, "The lead gives an e-mail", &[]);

    // The operator and the development clock (operator.rs, dev.rs).
    doc.add(operator::SET_PLAN, Operator, "Change a workspace's plan (billing)", &[]);
    doc.add(dev::CLOCK, Anyone, "The manual clock (--dev-clock only)", &[]);
    doc.add(dev::ADVANCE_CLOCK, Anyone, "Move the manual clock (--dev-clock only)", &[]);
}
