//! Settings → Team (owners): invite by e-mail with a single-use link (a week; resend, revoke),
//! change roles, deactivate members; and the invitee's side: see the invitation, accept it with
//! a name and a password, or with the password of the account they have in another workspace.
//! A workspace always keeps an active owner.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Router;
use porch_protocol::{self as wire, api, AgentId, ConversationStatus, Permission};
use porch_store::{AgentRecord, ConversationFilter, NewInvitation, StoreError};

use super::Endpoints;
use crate::auth::{new_token, require, token_hash, AgentSession};
use crate::error::Json;
use crate::limits::{self, ClientIp};
use crate::{setup, throttle, ApiError, AppState};

/// An invitation link lasts a week.
pub const INVITATION_MILLIS: i64 = 7 * 24 * 3_600_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::agent::TEAM, team)
        .endpoint(api::agent::INVITE, invite)
        .endpoint(api::agent::RESEND_INVITATION, resend)
        .endpoint(api::agent::REVOKE_INVITATION, revoke)
        .endpoint(api::agent::CHANGE_ROLE, change_role)
        .endpoint(api::agent::DEACTIVATE, deactivate)
        .endpoint(api::agent::PEEK_INVITATION, peek)
        .endpoint(api::agent::ACCEPT_INVITATION, accept)
}

async fn team(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
) -> Result<Json<wire::TeamView>, ApiError> {
    require(&owner, Permission::Team)?;
    let workspace = &owner.workspace_id;
    Ok(Json(wire::TeamView {
        members: state.store.members(workspace, state.clock.now()).await?,
        invitations: state.store.invitations(workspace).await?,
    }))
}

async fn invite(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Json(req): Json<wire::Invite>,
) -> Result<(StatusCode, Json<wire::Invited>), ApiError> {
    require(&owner, Permission::Team)?;
    let now = state.clock.now();
    let workspace = owner.workspace_id.as_str();
    state.limit(&limits::INVITATIONS_PER_WORKSPACE, workspace).await?;
    let email = setup::check_email(&req.email)?;
    if state.store.membership(&email, Some(&owner.workspace_id)).await?.is_some() {
        return Err(already_a_member());
    }
    let token = new_token()?;
    let invitation = wire::Invitation {
        id: crate::service::new_id(),
        email,
        role: req.role,
        invited_by: owner.agent.id.clone(),
        created_at: now,
        expires_at: now + INVITATION_MILLIS,
    };
    let new = NewInvitation {
        invitation: invitation.clone(),
        workspace_id: owner.workspace_id.clone(),
        token_hash: token_hash(&token),
    };
    state.store.create_invitation(&new).await?;
    let link = deliver(&state, &owner, &invitation, &token).await?;
    Ok((StatusCode::CREATED, Json(wire::Invited { invitation, link })))
}

async fn resend(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path(id): Path<String>,
) -> Result<Json<wire::Invited>, ApiError> {
    require(&owner, Permission::Team)?;
    let now = state.clock.now();
    let workspace = owner.workspace_id.as_str();
    state.limit(&limits::INVITATIONS_PER_WORKSPACE, workspace).await?;
    let token = new_token()?;
    let expires_at = now + INVITATION_MILLIS;
    let hash = token_hash(&token);
    let renewed = state.store.renew_invitation(&owner.workspace_id, &id, &hash, expires_at).await?;
    let invitation = renewed.ok_or(ApiError::NotFound("invitation"))?;
    let link = deliver(&state, &owner, &invitation, &token).await?;
    Ok(Json(wire::Invited { invitation, link }))
}

/// E-mails the invitation when SMTP is configured; otherwise answers the link, for the owner
/// to pass on.
async fn deliver(
    state: &AppState,
    owner: &AgentRecord,
    invitation: &wire::Invitation,
    token: &str,
) -> Result<Option<String>, ApiError> {
    let link = format!("{}/app/#invite={token}", state.public_url.trim_end_matches('/'));
    let Some(mailer) = state.mailer.clone() else { return Ok(Some(link)) };
    let workspace = state.workspace(&owner.workspace_id).await?.name;
    let (to, inviter) = (invitation.email.clone(), owner.agent.name.clone());
    tokio::spawn(async move {
        let body = format!(
            "{inviter} invites you to answer {workspace}'s customers on Porch. To join, open this \
             link within a week and choose your name and password (it works once):\n\n{link}\n"
        );
        let subject = format!("Join {workspace} on Porch");
        if let Err(e) = mailer.send_text(&to, &subject, body).await {
            tracing::warn!(error = %e, "sending an invitation");
        }
    });
    Ok(None)
}

async fn revoke(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&owner, Permission::Team)?;
    match state.store.revoke_invitation(&owner.workspace_id, &id, state.clock.now()).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound("invitation")),
    }
}

async fn change_role(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<wire::ChangeRole>,
) -> Result<Json<wire::TeamView>, ApiError> {
    require(&owner, Permission::Team)?;
    let changed = state.store.set_role(&owner.workspace_id, &AgentId(id), req.role).await;
    changed.map_err(last_owner)?;
    team(State(state), AgentSession(owner)).await
}

/// Deactivates a member: their sessions and sockets end at once, and their open conversations
/// go back to Unassigned, each with its event.
async fn deactivate(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path(id): Path<String>,
) -> Result<Json<wire::TeamView>, ApiError> {
    require(&owner, Permission::Team)?;
    let (workspace, member) = (owner.workspace_id.clone(), AgentId(id));
    state.store.deactivate(&workspace, &member).await.map_err(last_owner)?;
    state.session_sockets.end_agent(&member);
    let open = ConversationFilter { status: Some(ConversationStatus::Open), ..Default::default() };
    let theirs: Vec<_> = state
        .store
        .conversations(&workspace, &open)
        .await?
        .into_iter()
        .filter(|c| c.assignee.as_ref() == Some(&member))
        .map(|c| {
            let decide: porch_store::Decision =
                Box::new(|_, s| Ok(s.map(|s| porch_domain::assign(s, None)).unwrap_or_default()));
            (c.id, decide)
        })
        .collect();
    if !theirs.is_empty() {
        state.record_each(&workspace, owner.actor(), theirs).await?;
    }
    team(State(state), AgentSession(owner)).await
}

fn last_owner(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict("last_owner") => ApiError::BadRequest {
            status: StatusCode::CONFLICT,
            code: "last_owner",
            message: "a workspace keeps at least one active owner: make someone else an owner \
                      first"
                .into(),
        },
        StoreError::NotFound => ApiError::NotFound("member"),
        other => other.into(),
    }
}

fn invalid_link() -> ApiError {
    ApiError::unprocessable(
        "invalid_link",
        "this invitation has expired, was used or was withdrawn; ask for a new one",
    )
}

/// What an invitation link invites to, for the page that accepts it.
async fn peek(
    State(state): State<AppState>,
    ClientIp(address): ClientIp,
    Json(req): Json<wire::InvitationToken>,
) -> Result<Json<wire::InvitationInfo>, ApiError> {
    let now = state.clock.now();
    state.limit(&limits::SIGN_INS_PER_ADDRESS, &address.to_string()).await?;
    let found = state.store.invitation_by_token(&token_hash(req.token.trim()), now).await?;
    let (invitation, _, workspace_name) = found.ok_or_else(invalid_link)?;
    let has_account = state.store.person(&invitation.email).await?.is_some();
    Ok(Json(wire::InvitationInfo {
        workspace_name,
        email: invitation.email,
        role: invitation.role,
        has_account,
    }))
}

/// The invitee joins and is signed in: a new person chooses a name and a password; someone
/// with an account elsewhere gives their password (checked like a sign-in) and keeps their
/// name.
async fn accept(
    State(state): State<AppState>,
    ClientIp(address): ClientIp,
    Json(req): Json<wire::AcceptInvitation>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    state.limit(&limits::SIGN_INS_PER_ADDRESS, &address.to_string()).await?;
    let token = token_hash(req.token.trim());
    let found = state.store.invitation_by_token(&token, now).await?;
    let (invitation, _, _) = found.ok_or_else(invalid_link)?;
    let (name, new_password) = match state.store.person(&invitation.email).await? {
        Some(person) => {
            let (email, stored) = (&invitation.email, Some(person.password_hash));
            if !throttle::verify(&state, email, address, req.password, stored).await? {
                return Err(ApiError::unprocessable(
                    "wrong_password",
                    "this is not the password of your Porch account",
                ));
            }
            (person.name, None)
        }
        None => {
            let name = setup::check_name(&req.name, "name")?;
            setup::check_password(&req.password)?;
            (name, Some(state.passwords.hash(req.password).await?))
        }
    };
    let id = AgentId(crate::service::new_id());
    let accepted =
        state.store.accept_invitation(&token, (&id, &name), new_password.as_deref(), now);
    let joined = match accepted.await {
        Ok(joined) => joined.ok_or_else(invalid_link)?,
        Err(StoreError::Conflict("member")) => return Err(already_a_member()),
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::BadRequest {
                status: StatusCode::CONFLICT,
                code: "account_changed",
                message: "an account for this e-mail was made meanwhile; open the link again"
                    .into(),
            })
        }
        Err(e) => return Err(e.into()),
    };
    super::session::sign_in(&state, joined).await
}

fn already_a_member() -> ApiError {
    ApiError::BadRequest {
        status: StatusCode::CONFLICT,
        code: "already_a_member",
        message: "this e-mail already belongs to a member of this workspace".into(),
    }
}
