//! The operations, route by route: members' accounts, workspace, team and integrations here;
//! conversations, reports and the widget in [`super::chat`].

use porch_protocol as wire;
use utoipa::openapi::path::HttpMethod::{Delete, Get, Post, Put};

use super::{Answer, Doc, SchemaOf, Who};

/// Sessions, the workspace and its settings, install, team, API tokens and webhooks.
pub(super) fn add(doc: &mut Doc) {
    use Who::{Anyone, Member, Person};
    let me = doc.json::<wire::Me>();
    doc.op(
        Get,
        "/openapi.json",
        Anyone,
        "This document",
        None,
        Answer::Media(&["application/json"]),
        &[],
    );

    super::chat::add(doc);

    // Sessions and accounts (session.rs, password.rs, signup.rs).
    let body = Some(doc.schema::<wire::Login>());
    doc.op(Post, "/agent/login", Anyone, "Sign in: sets the session cookie", body, me, &[]);
    doc.op(Post, "/agent/logout", Anyone, "Sign out", None, Answer::Empty(204), &[]);
    let me = doc.json::<wire::Me>();
    doc.op(Get, "/agent/me", Person, "The signed-in member and their workspaces", None, me, &[]);
    let (body, me) = (Some(doc.schema::<wire::SwitchWorkspace>()), doc.json::<wire::Me>());
    doc.op(
        Post,
        "/agent/workspaces/switch",
        Person,
        "Switch to another workspace of the person",
        body,
        me,
        &[],
    );
    let (body, me) = (Some(doc.schema::<wire::SetPassword>()), doc.json::<wire::Me>());
    doc.op(
        Post,
        "/agent/password/link",
        Anyone,
        "Set a password from a reset or setup link, and sign in",
        body,
        me,
        &[],
    );
    let body = Some(doc.schema::<wire::ChangePassword>());
    doc.op(
        Put,
        "/agent/password",
        Person,
        "Change the password (ends other sessions)",
        body,
        Answer::Empty(204),
        &[],
    );
    let body = Some(doc.schema::<wire::ForgotPassword>());
    doc.op(
        Post,
        "/agent/password/forgot",
        Anyone,
        "E-mail a reset link (always 202)",
        body,
        Answer::Empty(202),
        &[],
    );
    let status = doc.json::<wire::SignupStatus>();
    doc.op(
        Get,
        "/agent/signup",
        Anyone,
        "Whether anyone may create a workspace here",
        None,
        status,
        &[],
    );
    let (body, me) = (Some(doc.schema::<wire::Signup>()), doc.json::<wire::Me>());
    doc.op(
        Post,
        "/agent/signup",
        Anyone,
        "Create a workspace and its owner, and sign in",
        body,
        me,
        &[],
    );

    // The workspace and its settings (agent.rs).
    let view = doc.json::<wire::WorkspaceView>();
    doc.op(Get, "/agent/workspace", Member, "Plan, settings and team", None, view, &[]);
    let settings: [(&str, &str, SchemaOf, bool); 9] = [
        (
            "/agent/settings/closing-notes",
            "How closing notes are asked for",
            |d| d.schema::<wire::ClosingNotesSettings>(),
            false,
        ),
        (
            "/agent/settings/auto-close",
            "Auto-close of idle conversations",
            |d| d.schema::<wire::ChangeAutoClose>(),
            false,
        ),
        (
            "/agent/settings/lead-options",
            "What a closing does to the lead (plan-gated)",
            |d| d.schema::<wire::LeadOptions>(),
            true,
        ),
        (
            "/agent/settings/bot",
            "The bot's greeting and quick answers",
            |d| d.schema::<wire::BotSettings>(),
            false,
        ),
        (
            "/agent/settings/reports",
            "Report settings and the e-mailed report",
            |d| d.schema::<wire::ReportSettings>(),
            false,
        ),
        (
            "/agent/settings/ask-email",
            "Whether the widget asks for an e-mail",
            |d| d.schema::<wire::ChangeAskEmail>(),
            false,
        ),
        ("/agent/settings/name", "Rename the workspace", |d| d.schema::<wire::Rename>(), true),
        (
            "/agent/settings/time-zone",
            "The workspace's time zone",
            |d| d.schema::<wire::ChangeTimeZone>(),
            false,
        ),
        (
            "/agent/settings/office-hours",
            "The team's office hours",
            |d| d.schema::<wire::OfficeHours>(),
            false,
        ),
    ];
    for (path, summary, body, answers_view) in settings {
        let body = Some(body(doc));
        let answer = if answers_view {
            doc.json::<wire::WorkspaceView>()
        } else {
            doc.json::<wire::WorkspaceSettings>()
        };
        doc.op(Put, path, Person, summary, body, answer, &[]);
    }
    let (body, preview) =
        (Some(doc.schema::<wire::AutoCloseSettings>()), doc.json::<wire::AutoClosePreview>());
    doc.op(
        Post,
        "/agent/settings/auto-close/preview",
        Person,
        "What saving auto-close would close",
        body,
        preview,
        &[],
    );
    let frames = doc.schema::<wire::ServerFrame>();
    doc.op(
        Get,
        "/agent/ws",
        Person,
        "The members' live socket (resume with after)",
        None,
        Answer::Socket(frames),
        &[("after", "the last seq applied")],
    );

    // Install (install.rs).
    let view = doc.json::<wire::InstallView>();
    doc.op(
        Get,
        "/agent/install",
        Person,
        "The snippet, allowed sites, where the widget was seen",
        None,
        view,
        &[],
    );
    let (body, view) =
        (Some(doc.schema::<wire::SetAllowedOrigins>()), doc.json::<wire::InstallView>());
    doc.op(
        Put,
        "/agent/install/allowed-origins",
        Person,
        "The sites allowed to embed the widget",
        body,
        view,
        &[],
    );
    let view = doc.json::<wire::InstallView>();
    doc.op(Post, "/agent/install/rotate-key", Person, "A new widget key", None, view, &[]);

    // Team (team.rs).
    let team = doc.json::<wire::TeamView>();
    doc.op(Get, "/agent/team", Person, "Members and invitations", None, team, &[]);
    let (body, invited) =
        (Some(doc.schema::<wire::Invite>()), Answer::Json(201, doc.schema::<wire::Invited>()));
    doc.op(Post, "/agent/team/invitations", Person, "Invite someone", body, invited, &[]);
    let invited = doc.json::<wire::Invited>();
    doc.op(
        Post,
        "/agent/team/invitations/{invitation}/resend",
        Person,
        "Send an invitation again (a new link)",
        None,
        invited,
        &[],
    );
    doc.op(
        Delete,
        "/agent/team/invitations/{invitation}",
        Person,
        "Withdraw an invitation",
        None,
        Answer::Empty(204),
        &[],
    );
    let (body, team) = (Some(doc.schema::<wire::ChangeRole>()), doc.json::<wire::TeamView>());
    doc.op(
        Put,
        "/agent/team/members/{member}/role",
        Person,
        "Change a member's role",
        body,
        team,
        &[],
    );
    let team = doc.json::<wire::TeamView>();
    doc.op(
        Post,
        "/agent/team/members/{member}/deactivate",
        Person,
        "Deactivate a member",
        None,
        team,
        &[],
    );
    let (body, info) =
        (Some(doc.schema::<wire::InvitationToken>()), doc.json::<wire::InvitationInfo>());
    doc.op(
        Post,
        "/agent/invitations/peek",
        Anyone,
        "What an invitation link is for",
        body,
        info,
        &[],
    );
    let (body, me) = (Some(doc.schema::<wire::AcceptInvitation>()), doc.json::<wire::Me>());
    doc.op(
        Post,
        "/agent/invitations/accept",
        Anyone,
        "Accept an invitation, and sign in",
        body,
        me,
        &[],
    );

    // API tokens and webhooks (tokens.rs, webhooks.rs).
    let tokens = Answer::Json(200, doc.list::<wire::ApiToken>());
    doc.op(Get, "/agent/tokens", Person, "The workspace's API tokens", None, tokens, &[]);
    let (body, created) = (
        Some(doc.schema::<wire::CreateToken>()),
        Answer::Json(201, doc.schema::<wire::CreatedToken>()),
    );
    doc.op(
        Post,
        "/agent/tokens",
        Person,
        "Create an API token (its secret shown once)",
        body,
        created,
        &[],
    );
    doc.op(
        Delete,
        "/agent/tokens/{token}",
        Person,
        "Revoke an API token",
        None,
        Answer::Empty(204),
        &[],
    );
    let hooks = Answer::Json(200, doc.list::<wire::WebhookEndpoint>());
    doc.op(Get, "/agent/webhooks", Person, "The workspace's webhook endpoints", None, hooks, &[]);
    let (body, created) = (
        Some(doc.schema::<wire::SaveWebhook>()),
        Answer::Json(201, doc.schema::<wire::WebhookWithSecret>()),
    );
    doc.op(
        Post,
        "/agent/webhooks",
        Person,
        "Add an endpoint (its signing secret shown once)",
        body,
        created,
        &[],
    );
    let (body, saved) =
        (Some(doc.schema::<wire::SaveWebhook>()), doc.json::<wire::WebhookEndpoint>());
    doc.op(
        Put,
        "/agent/webhooks/{webhook}",
        Person,
        "Change an endpoint, or turn it off or on",
        body,
        saved,
        &[],
    );
    doc.op(
        Delete,
        "/agent/webhooks/{webhook}",
        Person,
        "Delete an endpoint and its log",
        None,
        Answer::Empty(204),
        &[],
    );
    let rotated = doc.json::<wire::WebhookWithSecret>();
    doc.op(
        Post,
        "/agent/webhooks/{webhook}/rotate-secret",
        Person,
        "A new signing secret (the old one signs 24 h more)",
        None,
        rotated,
        &[],
    );
    let sent = doc.json::<wire::WebhookDelivery>();
    doc.op(Post, "/agent/webhooks/{webhook}/ping", Person, "Send a test ping now", None, sent, &[]);
    let log = Answer::Json(200, doc.list::<wire::WebhookDelivery>());
    doc.op(
        Get,
        "/agent/webhooks/{webhook}/deliveries",
        Person,
        "The endpoint's last 100 attempts",
        None,
        log,
        &[],
    );
    let sent = doc.json::<wire::WebhookDelivery>();
    doc.op(
        Post,
        "/agent/webhooks/{webhook}/deliveries/{delivery}/resend",
        Person,
        "Send a logged message again now",
        None,
        sent,
        &[],
    );
}
