//! The operations on conversations, contacts, reports, the widget, the operator and the dev clock.

use porch_protocol as wire;
use utoipa::openapi::path::HttpMethod::{Get, Post, Put};

use super::{Answer, Doc, SchemaOf, Who};

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
    let list = Answer::Json(200, doc.list::<wire::Conversation>());
    doc.op(
        Get,
        "/agent/conversations",
        Member,
        "The workspace's conversations",
        None,
        list,
        &[("status", "open or closed")],
    );
    let detail = doc.json::<wire::ConversationDetail>();
    doc.op(
        Get,
        "/agent/conversations/{id}",
        Member,
        "A conversation, its messages and its log",
        None,
        detail,
        &[],
    );
    let (body, message) =
        (Some(doc.schema::<wire::PostMessage>()), Answer::Json(201, doc.schema::<wire::Message>()));
    doc.op(Post, "/agent/conversations/{id}/messages", Member, "Reply", body, message, &[]);
    let actions: [(&str, &str, Option<SchemaOf>); 10] = [
        (
            "close",
            "Close, with an outcome and an optional closing note",
            Some(|d| d.schema::<wire::CloseConversation>()),
        ),
        ("reopen", "Reopen", None),
        (
            "outcome",
            "Change the outcome of a closed conversation",
            Some(|d| d.schema::<wire::ChangeOutcome>()),
        ),
        ("assign", "Assign to a member, or unassign", Some(|d| d.schema::<wire::Assign>())),
        ("snooze", "Snooze until a time", Some(|d| d.schema::<wire::Snooze>())),
        ("unsnooze", "End a snooze", None),
        ("block", "Block the lead", None),
        ("unblock", "Unblock the lead", None),
        ("hand-to-bot", "Hand the conversation back to the bot", None),
        ("summarize", "Draft a closing-note summary", None),
    ];
    for (action, summary, body) in actions {
        let body = body.map(|b| b(doc));
        let answer = match action {
            "summarize" => doc.json::<wire::Summary>(),
            _ => doc.json::<wire::Conversation>(),
        };
        doc.op(
            Post,
            &format!("/agent/conversations/{{id}}/{action}"),
            Member,
            summary,
            body,
            answer,
            &[],
        );
    }
    let contact = doc.json::<wire::ContactView>();
    doc.op(
        Get,
        "/agent/contacts/{contact}",
        Member,
        "A lead and their conversations",
        None,
        contact,
        &[],
    );

    // Reports (reports.rs).
    let list = doc.json::<wire::ReportList>();
    doc.op(
        Get,
        "/agent/reports/conversations",
        Member,
        "Closed cycles, filtered and paged",
        None,
        list,
        REPORT_QUERY,
    );
    doc.op(
        Get,
        "/agent/reports/conversations.csv",
        Member,
        "The same as CSV",
        None,
        Answer::Media(&["text/csv"]),
        REPORT_QUERY,
    );
    let closing = doc.json::<wire::ClosingReport>();
    doc.op(
        Get,
        "/agent/reports/closing",
        Member,
        "The closing report",
        None,
        closing,
        REPORT_QUERY,
    );
    let centre = doc.json::<wire::ContactCentreReport>();
    doc.op(
        Get,
        "/agent/reports/contact-centre",
        Member,
        "The contact-centre report",
        None,
        centre,
        REPORT_QUERY,
    );
    let activity = doc.json::<wire::ActivityReport>();
    doc.op(
        Get,
        "/agent/reports/activity",
        Member,
        "The activity report",
        None,
        activity,
        REPORT_QUERY,
    );
    let bot = doc.json::<wire::ChatbotReport>();
    doc.op(Get, "/agent/reports/chatbot", Member, "The chatbot report", None, bot, REPORT_QUERY);
    let chart_query: Vec<(&str, &str)> =
        REPORT_QUERY.iter().copied().chain([("format", "svg (default) or png")]).collect();
    doc.op(
        Get,
        "/agent/reports/charts/{name}",
        Member,
        "One chart of a report",
        None,
        Answer::Media(&["image/svg+xml", "image/png"]),
        &chart_query,
    );

    // The widget (widget.rs, lead_identity.rs).
    let (body, session) =
        (Some(doc.schema::<wire::OpenSession>()), doc.json::<wire::WidgetSession>());
    doc.op(
        Post,
        "/widget/session",
        Anyone,
        "Open (or resume) a lead's widget session",
        body,
        session,
        &[],
    );
    doc.op(
        Post,
        "/widget/session/end",
        Lead,
        "Forget this browser's visitor token",
        None,
        Answer::Empty(204),
        &[],
    );
    let (body, started) = (
        Some(doc.schema::<wire::StartConversation>()),
        Answer::Json(201, doc.schema::<wire::LeadConversation>()),
    );
    doc.op(
        Post,
        "/widget/conversations",
        Lead,
        "Start a conversation (200: the same client_id again)",
        body,
        started,
        &[],
    );
    let detail = doc.json::<wire::LeadConversationDetail>();
    doc.op(
        Get,
        "/widget/conversations/{id}",
        Lead,
        "One of the lead's conversations",
        None,
        detail,
        &[],
    );
    let (body, message) =
        (Some(doc.schema::<wire::PostMessage>()), Answer::Json(201, doc.schema::<wire::Message>()));
    doc.op(Post, "/widget/conversations/{id}/messages", Lead, "Write", body, message, &[]);
    let (body, conversation) =
        (Some(doc.schema::<wire::BotChoice>()), doc.json::<wire::LeadConversation>());
    doc.op(
        Post,
        "/widget/conversations/{id}/bot",
        Lead,
        "Pick a quick answer, or ask for a person",
        body,
        conversation,
        &[],
    );
    let frames = doc.schema::<wire::LeadServerFrame>();
    doc.op(Get, "/widget/ws", Anyone, "The lead's live socket: the visitor token in Sec-WebSocket-Protocol as porch.token.<token>", None, Answer::Socket(frames), &[("after", "the last seq applied")]);
    let (body, identified) = (Some(doc.schema::<wire::Identify>()), doc.json::<wire::Identified>());
    doc.op(
        Post,
        "/widget/identify",
        Lead,
        "Porch.identify: who the lead is, signed by the site's backend",
        body,
        identified,
        &[],
    );
    let body = Some(doc.schema::<wire::LeadEmail>());
    doc.op(Post, "/widget/email", Lead, "The lead gives an e-mail", body, Answer::Empty(204), &[]);

    // The operator and the development clock (operator.rs, dev.rs).
    let (body, changed) = (Some(doc.schema::<wire::ChangePlan>()), doc.json::<wire::PlanChanged>());
    doc.op(
        Put,
        "/operator/workspaces/{workspace}/plan",
        Operator,
        "Change a workspace's plan (billing)",
        body,
        changed,
        &[],
    );
    doc.op(
        Get,
        "/dev/clock",
        Anyone,
        "The manual clock (--dev-clock only)",
        None,
        Answer::Media(&["application/json"]),
        &[],
    );
    let body = Some(doc.schema::<wire::AdvanceClock>());
    doc.op(
        Post,
        "/dev/clock/advance",
        Anyone,
        "Move the manual clock (--dev-clock only)",
        body,
        Answer::Media(&["application/json"]),
        &[],
    );
}
