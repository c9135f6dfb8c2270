//! The operations, endpoint by endpoint: members' accounts, workspace, team and integrations
//! here; conversations, reports and the widget in [`super::chat`]. Paths, methods and body
//! types come from [`porch_protocol::api`]; this adds who may call, a summary and the query.

use porch_protocol::api::{self, agent::*};

use super::{Doc, Who};

/// Sessions, the workspace and its settings, install, team, API tokens and webhooks.
pub(super) fn add(doc: &mut Doc) {
    use Who::{Anyone, Member, Person};
    doc.add(api::OPENAPI, Anyone, "This document", &[]);
    super::chat::add(doc);

    // Sessions and accounts (session.rs, password.rs, signup.rs).
    doc.add(LOGIN, Anyone, "Sign in: sets the session cookie", &[]);
    doc.add(LOGOUT, Anyone, "Sign out", &[]);
    doc.add(ME, Person, "The signed-in member and their workspaces", &[]);
    doc.add(SWITCH_WORKSPACE, Person, "Switch to another workspace of the person", &[]);
    let link = "Set a password from a reset or setup link, and sign in";
    doc.add(SET_PASSWORD_BY_LINK, Anyone, link, &[]);
    doc.add(CHANGE_PASSWORD, Person, "Change the password (ends other sessions)", &[]);
    doc.add(FORGOT_PASSWORD, Anyone, "E-mail a reset link (always 202)", &[]);
    doc.add(SIGNUP_STATUS, Anyone, "Whether anyone may create a workspace here", &[]);
    doc.add(SIGNUP, Anyone, "Create a workspace and its owner, and sign in", &[]);

    // The workspace and its settings (agent.rs).
    doc.add(WORKSPACE, Member, "Plan, settings and team", &[]);
    doc.add(SET_CLOSING_NOTES, Person, "How closing notes are asked for", &[]);
    doc.add(SET_AUTO_CLOSE, Person, "Auto-close of idle conversations", &[]);
    doc.add(PREVIEW_AUTO_CLOSE, Person, "What saving auto-close would close", &[]);
    doc.add(SET_LEAD_OPTIONS, Person, "What a closing does to the lead (plan-gated)", &[]);
    doc.add(SET_BOT, Person, "The bot's greeting and quick answers", &[]);
    doc.add(SET_CANNED_REPLIES, Person, "The team's canned replies (the whole list)", &[]);
    let widget = "The widget's colour, place, texts, language, and whether leads may end chats";
    doc.add(SET_WIDGET, Person, widget, &[]);
    doc.add(SET_REPORTS, Person, "Report settings and the e-mailed report", &[]);
    doc.add(SET_ASK_EMAIL, Person, "Whether the widget asks for an e-mail", &[]);
    doc.add(RENAME, Person, "Rename the workspace", &[]);
    doc.add(SET_TIME_ZONE, Person, "The workspace's time zone", &[]);
    doc.add(SET_OFFICE_HOURS, Person, "The team's office hours", &[]);
    let after = [("after", "the last seq applied")];
    doc.add(SOCKET, Person, "The members' live socket (resume with after)", &after);

    // Install (install.rs).
    doc.add(INSTALL, Person, "The snippet, allowed sites, where the widget was seen", &[]);
    doc.add(SET_ALLOWED_ORIGINS, Person, "The sites allowed to embed the widget", &[]);
    doc.add(ROTATE_KEY, Person, "A new widget key", &[]);

    // Team (team.rs).
    doc.add(TEAM, Person, "Members and invitations", &[]);
    doc.add(INVITE, Person, "Invite someone", &[]);
    doc.add(RESEND_INVITATION, Person, "Send an invitation again (a new link)", &[]);
    doc.add(REVOKE_INVITATION, Person, "Withdraw an invitation", &[]);
    doc.add(CHANGE_ROLE, Person, "Change a member's role", &[]);
    doc.add(DEACTIVATE, Person, "Deactivate a member", &[]);
    doc.add(PEEK_INVITATION, Anyone, "What an invitation link is for", &[]);
    doc.add(ACCEPT_INVITATION, Anyone, "Accept an invitation, and sign in", &[]);

    // API tokens and webhooks (tokens.rs, webhooks.rs).
    doc.add(TOKENS, Person, "The workspace's API tokens", &[]);
    doc.add(CREATE_TOKEN, Person, "Create an API token (its secret shown once)", &[]);
    doc.add(REVOKE_TOKEN, Person, "Revoke an API token", &[]);
    doc.add(WEBHOOKS, Person, "The workspace's webhook endpoints", &[]);
    doc.add(CREATE_WEBHOOK, Person, "Add an endpoint (its signing secret shown once)", &[]);
    doc.add(SAVE_WEBHOOK, Person, "Change an endpoint, or turn it off or on", &[]);
    doc.add(DELETE_WEBHOOK, Person, "Delete an endpoint and its log", &[]);
    let rotate = "A new signing secret (the old one signs 24 h more)";
    doc.add(ROTATE_WEBHOOK_SECRET, Person, rotate, &[]);
    doc.add(PING_WEBHOOK, Person, "Send a test ping now", &[]);
    doc.add(WEBHOOK_DELIVERIES, Person, "The endpoint's last 100 attempts", &[]);
    doc.add(RESEND_DELIVERY, Person, "Send a logged message again now", &[]);
}
