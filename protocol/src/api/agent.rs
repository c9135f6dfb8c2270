//! The members' endpoints (`/agent/…`): sessions, the workspace and its settings, install, the
//! team, API tokens, webhooks, conversations, contacts and reports.

use super::{Chart, Csv, Endpoint, Socket};
use crate::*;

// ---- Sessions and accounts ------------------------------------------------------------------

pub const LOGIN: Endpoint<Login, Me> = Endpoint::post("/agent/login");
pub const LOGOUT: Endpoint<(), ()> = Endpoint::post("/agent/logout").answers(204);
pub const ME: Endpoint<(), Me> = Endpoint::get("/agent/me");
pub const SWITCH_WORKSPACE: Endpoint<SwitchWorkspace, Me> =
    Endpoint::post("/agent/workspaces/switch");
pub const SET_PASSWORD_BY_LINK: Endpoint<SetPassword, Me> = Endpoint::post("/agent/password/link");
pub const CHANGE_PASSWORD: Endpoint<ChangePassword, ()> =
    Endpoint::put("/agent/password").answers(204);
pub const FORGOT_PASSWORD: Endpoint<ForgotPassword, ()> =
    Endpoint::post("/agent/password/forgot").answers(202);
pub const SIGNUP_STATUS: Endpoint<(), SignupStatus> = Endpoint::get("/agent/signup");
pub const SIGNUP: Endpoint<Signup, Me> = Endpoint::post("/agent/signup");

// ---- The workspace and its settings ---------------------------------------------------------

pub const WORKSPACE: Endpoint<(), WorkspaceView> = Endpoint::get("/agent/workspace");
pub const SET_CLOSING_NOTES: Endpoint<ClosingNotesSettings, WorkspaceSettings> =
    Endpoint::put("/agent/settings/closing-notes");
pub const SET_AUTO_CLOSE: Endpoint<ChangeAutoClose, WorkspaceSettings> =
    Endpoint::put("/agent/settings/auto-close");
pub const PREVIEW_AUTO_CLOSE: Endpoint<AutoCloseSettings, AutoClosePreview> =
    Endpoint::post("/agent/settings/auto-close/preview");
pub const SET_LEAD_OPTIONS: Endpoint<LeadOptions, WorkspaceView> =
    Endpoint::put("/agent/settings/lead-options");
pub const SET_BOT: Endpoint<BotSettings, WorkspaceSettings> = Endpoint::put("/agent/settings/bot");
pub const SET_CANNED_REPLIES: Endpoint<Vec<CannedReply>, WorkspaceSettings> =
    Endpoint::put("/agent/settings/canned-replies");
pub const SET_WIDGET: Endpoint<WidgetSettings, WorkspaceSettings> =
    Endpoint::put("/agent/settings/widget");
pub const SET_REPORTS: Endpoint<ReportSettings, WorkspaceSettings> =
    Endpoint::put("/agent/settings/reports");
pub const SET_ASK_EMAIL: Endpoint<ChangeAskEmail, WorkspaceSettings> =
    Endpoint::put("/agent/settings/ask-email");
pub const RENAME: Endpoint<Rename, WorkspaceView> = Endpoint::put("/agent/settings/name");
pub const SET_TIME_ZONE: Endpoint<ChangeTimeZone, WorkspaceSettings> =
    Endpoint::put("/agent/settings/time-zone");
pub const SET_OFFICE_HOURS: Endpoint<OfficeHours, WorkspaceSettings> =
    Endpoint::put("/agent/settings/office-hours");
/// The members' live socket; resume with `?after=<seq>`.
pub const SOCKET: Endpoint<(), Socket<ServerFrame>> = Endpoint::get("/agent/ws").answers(101);

// ---- Install ----------------------------------------------------------------------------------

pub const INSTALL: Endpoint<(), InstallView> = Endpoint::get("/agent/install");
pub const SET_ALLOWED_ORIGINS: Endpoint<SetAllowedOrigins, InstallView> =
    Endpoint::put("/agent/install/allowed-origins");
pub const ROTATE_KEY: Endpoint<(), InstallView> = Endpoint::post("/agent/install/rotate-key");

// ---- The team ---------------------------------------------------------------------------------

pub const TEAM: Endpoint<(), TeamView> = Endpoint::get("/agent/team");
pub const INVITE: Endpoint<Invite, Invited> =
    Endpoint::post("/agent/team/invitations").answers(201);
pub const RESEND_INVITATION: Endpoint<(), Invited> =
    Endpoint::post("/agent/team/invitations/{invitation}/resend");
pub const REVOKE_INVITATION: Endpoint<(), ()> =
    Endpoint::delete("/agent/team/invitations/{invitation}").answers(204);
pub const CHANGE_ROLE: Endpoint<ChangeRole, TeamView> =
    Endpoint::put("/agent/team/members/{member}/role");
pub const DEACTIVATE: Endpoint<(), TeamView> =
    Endpoint::post("/agent/team/members/{member}/deactivate");
pub const PEEK_INVITATION: Endpoint<InvitationToken, InvitationInfo> =
    Endpoint::post("/agent/invitations/peek");
pub const ACCEPT_INVITATION: Endpoint<AcceptInvitation, Me> =
    Endpoint::post("/agent/invitations/accept");

// ---- API tokens and webhooks ------------------------------------------------------------------

pub const TOKENS: Endpoint<(), Vec<ApiToken>> = Endpoint::get("/agent/tokens");
pub const CREATE_TOKEN: Endpoint<CreateToken, CreatedToken> =
    Endpoint::post("/agent/tokens").answers(201);
pub const REVOKE_TOKEN: Endpoint<(), ()> = Endpoint::delete("/agent/tokens/{token}").answers(204);
pub const WEBHOOKS: Endpoint<(), Vec<WebhookEndpoint>> = Endpoint::get("/agent/webhooks");
pub const CREATE_WEBHOOK: Endpoint<SaveWebhook, WebhookWithSecret> =
    Endpoint::post("/agent/webhooks").answers(201);
pub const SAVE_WEBHOOK: Endpoint<SaveWebhook, WebhookEndpoint> =
    Endpoint::put("/agent/webhooks/{webhook}");
pub const DELETE_WEBHOOK: Endpoint<(), ()> =
    Endpoint::delete("/agent/webhooks/{webhook}").answers(204);
pub const ROTATE_WEBHOOK_SECRET: Endpoint<(), WebhookWithSecret> =
    Endpoint::post("/agent/webhooks/{webhook}/rotate-secret");
pub const PING_WEBHOOK: Endpoint<(), WebhookDelivery> =
    Endpoint::post("/agent/webhooks/{webhook}/ping");
pub const WEBHOOK_DELIVERIES: Endpoint<(), Vec<WebhookDelivery>> =
    Endpoint::get("/agent/webhooks/{webhook}/deliveries");
pub const RESEND_DELIVERY: Endpoint<(), WebhookDelivery> =
    Endpoint::post("/agent/webhooks/{webhook}/deliveries/{delivery}/resend");

// ---- Conversations and contacts ---------------------------------------------------------------

/// `?status=open|closed`.
pub const CONVERSATIONS: Endpoint<(), Vec<Conversation>> = Endpoint::get("/agent/conversations");
pub const CONVERSATION: Endpoint<(), ConversationDetail> =
    Endpoint::get("/agent/conversations/{id}");
pub const REPLY: Endpoint<PostMessage, Message> =
    Endpoint::post("/agent/conversations/{id}/messages").answers(201);
pub const NOTE: Endpoint<PostNote, Note> =
    Endpoint::post("/agent/conversations/{id}/notes").answers(201);
/// The caller's unread messages, per open conversation that has any.
pub const UNREAD: Endpoint<(), Vec<UnreadCount>> = Endpoint::get("/agent/unread");
/// The member is writing a reply: the lead sees it for a few seconds.
pub const TYPING: Endpoint<(), ()> =
    Endpoint::post("/agent/conversations/{id}/typing").answers(204);
pub const MARK_READ: Endpoint<MarkRead, ()> =
    Endpoint::post("/agent/conversations/{id}/read").answers(204);
pub const CLOSE_MANY: Endpoint<BulkClose, BulkClosed> =
    Endpoint::post("/agent/conversations/close");
pub const CLOSE: Endpoint<CloseConversation, Conversation> =
    Endpoint::post("/agent/conversations/{id}/close");
pub const REOPEN: Endpoint<(), Conversation> = Endpoint::post("/agent/conversations/{id}/reopen");
pub const CHANGE_OUTCOME: Endpoint<ChangeOutcome, Conversation> =
    Endpoint::post("/agent/conversations/{id}/outcome");
pub const ASSIGN: Endpoint<Assign, Conversation> =
    Endpoint::post("/agent/conversations/{id}/assign");
pub const SNOOZE: Endpoint<Snooze, Conversation> =
    Endpoint::post("/agent/conversations/{id}/snooze");
pub const UNSNOOZE: Endpoint<(), Conversation> =
    Endpoint::post("/agent/conversations/{id}/unsnooze");
pub const BLOCK: Endpoint<(), Conversation> = Endpoint::post("/agent/conversations/{id}/block");
pub const UNBLOCK: Endpoint<(), Conversation> = Endpoint::post("/agent/conversations/{id}/unblock");
pub const HAND_TO_BOT: Endpoint<(), Conversation> =
    Endpoint::post("/agent/conversations/{id}/hand-to-bot");
pub const SUMMARIZE: Endpoint<(), Summary> = Endpoint::post("/agent/conversations/{id}/summarize");
pub const CONTACT: Endpoint<(), ContactView> = Endpoint::get("/agent/contacts/{contact}");

// ---- Reports (each takes the report query: from, to, agent, category, …) ------------------

pub const REPORT_CONVERSATIONS: Endpoint<(), ReportList> =
    Endpoint::get("/agent/reports/conversations");
pub const REPORT_CSV: Endpoint<(), Csv> = Endpoint::get("/agent/reports/conversations.csv");
pub const CLOSING_REPORT: Endpoint<(), ClosingReport> = Endpoint::get("/agent/reports/closing");
pub const CONTACT_CENTRE_REPORT: Endpoint<(), ContactCentreReport> =
    Endpoint::get("/agent/reports/contact-centre");
pub const ACTIVITY_REPORT: Endpoint<(), ActivityReport> = Endpoint::get("/agent/reports/activity");
pub const CHATBOT_REPORT: Endpoint<(), ChatbotReport> = Endpoint::get("/agent/reports/chatbot");
/// `?format=svg|png` besides the report query.
pub const REPORT_CHART: Endpoint<(), Chart> = Endpoint::get("/agent/reports/charts/{name}");
