//! The sellers' workspace view and settings, and their live socket, used by the inbox with the
//! session cookie.

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;
use axum::Router;
use porch_protocol::{self as wire, api, Permission};

use super::Endpoints;
use super::Resume;
use crate::auth::{self, AgentSession};
use crate::error::{Json, Query};
use crate::hub::Audience;
use crate::{ApiError, AppState};
use porch_store::{AgentRecord, Decision};

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::agent::WORKSPACE, workspace)
        .endpoint(api::agent::SET_CLOSING_NOTES, set_closing_notes)
        .endpoint(api::agent::SET_AUTO_CLOSE, set_auto_close)
        .endpoint(api::agent::SET_LEAD_OPTIONS, set_lead_options)
        .endpoint(api::agent::SET_BOT, set_bot)
        .endpoint(api::agent::SET_CANNED_REPLIES, set_canned_replies)
        .endpoint(api::agent::SET_WIDGET, set_widget)
        .endpoint(api::agent::SET_REPORTS, set_reports)
        .endpoint(api::agent::SET_ASK_EMAIL, set_ask_email)
        .endpoint(api::agent::RENAME, rename)
        .endpoint(api::agent::SET_TIME_ZONE, set_time_zone)
        .endpoint(api::agent::SET_OFFICE_HOURS, set_office_hours)
        .endpoint(api::agent::PREVIEW_AUTO_CLOSE, preview_auto_close)
        .endpoint(api::agent::SOCKET, socket)
}

/// Plan, settings and the team, for the inbox's dropdowns and dialogs.
async fn workspace(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
) -> Result<Json<wire::WorkspaceView>, ApiError> {
    let workspace = state.workspace(&session.workspace_id).await?;
    let agents = state.store.agents(&session.workspace_id).await?;
    Ok(Json(wire::WorkspaceView {
        name: workspace.name,
        plan: workspace.plan,
        settings: workspace.settings,
        lead_options: workspace.lead_options,
        agents,
        identity_secret: session
            .agent
            .role
            .may(Permission::IdentitySecret)
            .then_some(workspace.identity_secret),
    }))
}

/// Owners choose what a closing does to the lead; the plan gates it.
async fn set_lead_options(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::LeadOptions>,
) -> Result<Json<wire::WorkspaceView>, ApiError> {
    auth::require(&session, Permission::Settings)?;
    let actor = session.actor();
    let decide: Decision =
        Box::new(move |c, _| porch_domain::save_lead_options(c.workspace.plan, req));
    state.record(&session.workspace_id, None, actor, decide).await?;
    workspace(State(state), AgentSession(session)).await
}

/// Records a change of the workspace's settings, made by an owner.
async fn change_settings(
    state: &AppState,
    session: &AgentRecord,
    change: impl FnOnce(&mut wire::WorkspaceSettings) + Send + 'static,
) -> Result<wire::WorkspaceSettings, ApiError> {
    auth::require(session, Permission::Settings)?;
    let actor = session.actor();
    state.change_settings(&session.workspace_id, actor, change).await
}

/// Owners set how closing notes are asked for.
async fn set_closing_notes(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::ClosingNotesSettings>,
) -> Result<Json<wire::WorkspaceSettings>, ApiError> {
    let closing_notes = porch_domain::validate_closing_notes(req)?;
    Ok(Json(change_settings(&state, &session, |s| s.closing_notes = closing_notes).await?))
}

/// Owners set the bot's greeting and quick answers, or turn it off.
async fn set_bot(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::BotSettings>,
) -> Result<Json<wire::WorkspaceSettings>, ApiError> {
    let bot = porch_domain::validate_bot(req)?;
    Ok(Json(change_settings(&state, &session, |s| s.bot = bot).await?))
}

/// Owners save the team's canned replies (the whole list at once).
async fn set_canned_replies(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<Vec<wire::CannedReply>>,
) -> Result<Json<wire::WorkspaceSettings>, ApiError> {
    let replies = porch_domain::validate_canned_replies(req)?;
    Ok(Json(change_settings(&state, &session, |s| s.canned_replies = replies).await?))
}

/// Owners set the widget's colour, place, texts and language, and whether leads may end
/// their conversations.
async fn set_widget(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::WidgetSettings>,
) -> Result<Json<wire::WorkspaceSettings>, ApiError> {
    let widget = porch_domain::validate_widget(req)?;
    Ok(Json(change_settings(&state, &session, |s| s.widget = widget).await?))
}

/// Owners rename their workspace.
async fn rename(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::Rename>,
) -> Result<Json<wire::WorkspaceView>, ApiError> {
    auth::require(&session, Permission::Settings)?;
    let name = crate::setup::check_name(&req.name, "workspace name")?;
    state.store.rename_workspace(&session.workspace_id, &name).await?;
    workspace(State(state), AgentSession(session)).await
}

/// Owners set the time zone whose days the reports and the e-mailed report count in (the
/// roll-ups are folded again in it in the background).
async fn set_time_zone(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::ChangeTimeZone>,
) -> Result<Json<wire::WorkspaceSettings>, ApiError> {
    let calendar = porch_domain::Calendar::named(req.time_zone.trim())?;
    let zone = wire::TimeZoneName(calendar.name().to_owned());
    Ok(Json(change_settings(&state, &session, |s| s.time_zone = zone).await?))
}

/// Owners set office hours (in the workspace's time zone); outside them the widget says when
/// the team is back.
async fn set_office_hours(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::OfficeHours>,
) -> Result<Json<wire::WorkspaceSettings>, ApiError> {
    let hours = porch_domain::validate_office_hours(req)?;
    Ok(Json(change_settings(&state, &session, |s| s.office_hours = hours).await?))
}

/// Owners choose whether the widget asks leads for an e-mail.
async fn set_ask_email(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::ChangeAskEmail>,
) -> Result<Json<wire::WorkspaceSettings>, ApiError> {
    Ok(Json(change_settings(&state, &session, move |s| s.ask_email = req.ask_email).await?))
}

/// Owners set the missed threshold the reports count with.
async fn set_reports(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::ReportSettings>,
) -> Result<Json<wire::WorkspaceSettings>, ApiError> {
    let reports = porch_domain::reports::validate_report_settings(req)?;
    Ok(Json(change_settings(&state, &session, |s| s.reports = reports).await?))
}

/// Owners set auto-close; with `apply_to_open`, every open conversation gets the
/// deadline the new rule gives it (possibly due at once), each move recorded.
async fn set_auto_close(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::ChangeAutoClose>,
) -> Result<Json<wire::WorkspaceSettings>, ApiError> {
    let policy = porch_domain::validate_auto_close(req.settings)?;
    let settings = change_settings(&state, &session, move |s| s.auto_close = policy).await?;
    if req.apply_to_open {
        let actor = session.actor();
        let open = state.store.open_conversation_states(&session.workspace_id).await?;
        // Batched like the scheduler's firings; conversations closed or gone meanwhile are
        // skipped by `record_each`.
        for batch in open.chunks(crate::scheduler::BATCH) {
            let items = batch
                .iter()
                .map(|c| {
                    // The policy in force when this is decided: a later save wins.
                    let decide: Decision = Box::new(move |c, s| {
                        let policy = &c.workspace.settings.auto_close;
                        Ok(s.and_then(|s| porch_domain::reschedule(policy, s, c.now))
                            .into_iter()
                            .collect())
                    });
                    (c.id.clone(), decide)
                })
                .collect();
            state.record_each(&session.workspace_id, actor.clone(), items).await?;
        }
    }
    Ok(Json(settings))
}

/// How many open conversations a proposed setting would close at once and within 24 hours,
/// if applied to them.
async fn preview_auto_close(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::AutoCloseSettings>,
) -> Result<Json<wire::AutoClosePreview>, ApiError> {
    auth::require(&session, Permission::Settings)?;
    let policy = porch_domain::validate_auto_close(req)?;
    let now = state.clock.now();
    let mut preview = wire::AutoClosePreview { close_now: 0, close_within_24h: 0 };
    for open in state.store.open_conversation_states(&session.workspace_id).await? {
        match porch_domain::deadline_under(&policy, &open, now) {
            Some(at) if at <= now => preview.close_now += 1,
            Some(at) if at <= now + 24 * 3_600_000 => preview.close_within_24h += 1,
            _ => {}
        }
    }
    Ok(Json(preview))
}

async fn socket(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    headers: axum::http::HeaderMap,
    Query(resume): Query<Resume>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let token = auth::cookie(&headers, auth::SESSION_COOKIE).map(auth::token_hash);
    Ok(crate::ws::limited(upgrade)?.on_upgrade(move |socket| async move {
        let workspace = session.workspace_id.clone();
        let registered =
            state.session_sockets.register(token.as_deref().unwrap_or_default(), &session.agent.id);
        let presence = std::sync::Arc::new(Presence {
            id: crate::service::new_id(),
            state: state.clone(),
            session,
        });
        presence.mark().await;
        let heartbeat = tokio::spawn({
            let presence = presence.clone();
            async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
                every.tick().await;
                loop {
                    every.tick().await;
                    presence.mark().await;
                }
            }
        });
        // Expiry, or a logout on another server, ends the socket within one recheck: every
        // `session_recheck` of real time, or of the server's clock when that moves faster (a
        // dev clock jumping past the expiry).
        let recheck = tokio::spawn({
            let (state, ended, token) = (state.clone(), registered.ended.clone(), token.clone());
            async move {
                let mut every = tokio::time::interval(state.session_recheck);
                let period = i64::try_from(state.session_recheck.as_millis()).unwrap_or(i64::MAX);
                // The next check on the clock counts from the time the last one checked at, so
                // a clock moved while a check runs triggers the next one at once.
                let mut checked_at = state.clock.now();
                loop {
                    let on_the_clock = state.clock.sleep_until(checked_at.saturating_add(period));
                    tokio::select! {
                        _ = every.tick() => {}
                        _ = on_the_clock => {}
                    }
                    checked_at = state.clock.now();
                    let hash = token.as_deref().unwrap_or_default();
                    if let Ok(None) = state.store.session_agent(hash, checked_at).await {
                        ended.cancel();
                        return;
                    }
                }
            }
        });
        let ended = registered.ended.clone();
        crate::ws::serve(socket, state, workspace, Audience::Agents, resume.after, ended).await;
        heartbeat.abort();
        recheck.abort();
        drop(registered);
        presence.mark().await;
    }))
}

/// An agent's open socket: the reports' connection time. Marked when it opens, every minute
/// while it stays open, and when it closes, so a crash loses at most a minute.
struct Presence {
    id: String,
    state: AppState,
    session: AgentRecord,
}

impl Presence {
    async fn mark(&self) {
        let (workspace, agent) = (&self.session.workspace_id, &self.session.agent.id);
        let at = self.state.clock.now();
        if let Err(e) = self.state.store.agent_present(&self.id, workspace, agent, at).await {
            tracing::warn!(error = %e, "recording agent presence");
        }
    }
}
