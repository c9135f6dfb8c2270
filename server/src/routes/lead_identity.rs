//! Who a lead is: `Porch.identify` (signed by the owner's backend) and the e-mail the widget
//! asks for. Each change is a `contact_updated` event, so the team's open inboxes name the lead
//! at once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Router;
use porch_protocol::{self as wire, api, Actor};

use super::Endpoints;
use crate::auth::{new_token, token_hash, Lead};
use crate::error::Json;
use crate::limits;
use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::widget::IDENTIFY, identify)
        .endpoint(api::widget::GIVE_EMAIL, give_email)
}

/// Longest external id, name or e-mail accepted from `Porch.identify`.
const MAX_IDENTITY_CHARS: usize = 200;

/// The owner's site says who the lead is, signed with the workspace's secret. A lead already
/// known under that identity (from another browser) takes this browser over, history and all.
async fn identify(
    State(state): State<AppState>,
    lead: Lead,
    headers: axum::http::HeaderMap,
    Json(req): Json<wire::Identify>,
) -> Result<Json<wire::Identified>, ApiError> {
    let fields = [Some(&req.id), req.name.as_ref(), req.email.as_ref()];
    if req.id.trim().is_empty()
        || fields.iter().flatten().any(|f| f.chars().count() > MAX_IDENTITY_CHARS)
    {
        return Err(ApiError::BadRequest {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_identity",
            message: format!("an identity needs an id; id, name and e-mail have at most {MAX_IDENTITY_CHARS} characters"),
        });
    }
    let workspace = state.workspace(&lead.0.workspace_id).await?;
    if !crate::auth::verify_identity(&workspace.identity_secret, &req.id, &req.hash) {
        return Err(ApiError::BadRequest {
            status: StatusCode::FORBIDDEN,
            code: "invalid_identity",
            message: "the identity's hash does not match; sign the id with the workspace's secret"
                .into(),
        });
    }
    let identity = porch_store::Identity { external_id: req.id, name: req.name, email: req.email };
    let owner = state.store.identify_contact(&workspace.id, &lead.0.id, &identity).await?;
    let who = porch_store::ContactRecord { id: owner.clone(), ..lead.0.clone() };
    let unchanged = owner == lead.0.id
        && (identity.name.is_none() || identity.name == lead.0.name)
        && (identity.email.is_none() || identity.email == lead.0.email);
    if !unchanged {
        // Each change is an event in the log: limited like messages.
        let now = state.clock.now();
        let take = state.limits.take(&limits::MESSAGES_PER_LEAD, lead.0.id.as_str(), now)?;
        contact_updated(&state, &who, identity.name.clone(), identity.email.clone(), take).await?;
    }
    let current = crate::auth::bearer(&headers).unwrap_or_default().to_owned();
    if owner == lead.0.id {
        return Ok(Json(wire::Identified {
            visitor_token: current,
            contact_id: owner,
            switched: false,
        }));
    }
    let token = new_token()?;
    state.store.add_visitor_token(&token_hash(&token), &owner, state.clock.now()).await?;
    Ok(Json(wire::Identified { visitor_token: token, contact_id: owner, switched: true }))
}

/// The lead gives their e-mail, so the team can reply if they leave.
async fn give_email(
    State(state): State<AppState>,
    lead: Lead,
    Json(req): Json<wire::LeadEmail>,
) -> Result<StatusCode, ApiError> {
    let email = crate::setup::check_email(&req.email)?;
    if lead.0.email.as_deref() == Some(email.as_str()) {
        return Ok(StatusCode::NO_CONTENT);
    }
    // Each change is an event in the log: limited like messages.
    let now = state.clock.now();
    let take = state.limits.take(&limits::MESSAGES_PER_LEAD, lead.0.id.as_str(), now)?;
    contact_updated(&state, &lead.0, None, Some(email), take).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records who a lead is now, so the team's open inboxes name them at once (a change is an
/// event in the log: it takes a token of the lead's message limit, `take`).
async fn contact_updated(
    state: &AppState,
    contact: &porch_store::ContactRecord,
    name: Option<String>,
    email: Option<String>,
    take: Option<porch_store::Take>,
) -> Result<(), ApiError> {
    if name.is_none() && email.is_none() {
        return Ok(());
    }
    let event = wire::Event::ContactUpdated { contact_id: contact.id.clone(), name, email };
    let actor = Actor::Contact(contact.id.clone());
    let decide: porch_store::Decision = Box::new(move |_, _| Ok(vec![event]));
    let workspace = contact.workspace_id.clone();
    let mut command =
        porch_store::Command::new(workspace, None, actor, porch_store::with_timer(decide));
    command.takes.extend(take);
    state.record_command(command).await?;
    Ok(())
}
