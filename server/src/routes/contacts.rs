//! The contact panel: who a lead is, where they were, and everything else they asked.

use axum::extract::{Path, State};
use axum::Router;
use porch_protocol::{self as wire, api, ContactId};
use porch_store::ConversationFilter;

use super::Endpoints;
use crate::auth::AgentSession;
use crate::error::Json;
use crate::{ApiError, AppState};

/// Longest page address and browser name kept for a lead.
pub const MAX_PAGE_CHARS: usize = 500;
pub const MAX_BROWSER_CHARS: usize = 300;

pub fn router() -> Router<AppState> {
    Router::new().endpoint(api::agent::CONTACT, read)
}

async fn read(
    State(state): State<AppState>,
    AgentSession(member): AgentSession,
    Path(contact): Path<String>,
) -> Result<Json<wire::ContactView>, ApiError> {
    let (workspace, id) = (&member.workspace_id, ContactId(contact));
    let details =
        state.store.contact(workspace, &id).await?.ok_or(ApiError::NotFound("contact"))?;
    let filter = ConversationFilter { contact: Some(id.clone()), ..Default::default() };
    let conversations = state.store.conversations(workspace, &filter).await?;
    let label = details
        .name
        .clone()
        .or_else(|| details.email.clone())
        .unwrap_or_else(|| wire::visitor_label(&id));
    Ok(Json(wire::ContactView {
        id,
        label,
        name: details.name,
        email: details.email,
        first_seen: details.first_seen,
        last_page: details.last_page,
        browser: details.browser,
        blocked: details.blocked,
        conversations,
    }))
}

/// `text` cut to `max` characters, or `None` when empty.
pub fn bounded(text: Option<&str>, max: usize) -> Option<String> {
    let text = text?.trim();
    (!text.is_empty()).then(|| text.chars().take(max).collect())
}

/// A page address without its query or fragment (they may hold the host site's secrets).
pub fn page_of(address: Option<&str>) -> Option<String> {
    let address = address?.split(['?', '#']).next()?;
    let ok = address.starts_with("https://") || address.starts_with("http://");
    bounded(Some(address).filter(|_| ok), MAX_PAGE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_lose_their_query_and_stay_bounded() {
        let page = page_of(Some("https://shop.example/cart?token=s3cret#pay"));
        assert_eq!(page.as_deref(), Some("https://shop.example/cart"));
        assert_eq!(page_of(Some("javascript:alert(1)")), None);
        assert_eq!(page_of(Some("")), None);
        let long = format!("https://shop.example/{}", "a".repeat(1_000));
        assert_eq!(page_of(Some(&long)).unwrap().chars().count(), MAX_PAGE_CHARS);
        assert_eq!(bounded(Some("  "), 10), None);
    }
}
