//! Settings → Install, for owners: the snippet with the widget key, the origins allowed to
//! embed the widget, where it was last seen booting, and rotating the key.

use axum::extract::State;
use axum::Router;
use porch_protocol::{self as wire, api, Permission};

use super::Endpoints;
use crate::auth::{require, AgentSession};
use crate::error::Json;
use crate::{ApiError, AppState};

/// Most origins a workspace may allow.
pub const MAX_ORIGINS: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::agent::INSTALL, read)
        .endpoint(api::agent::SET_ALLOWED_ORIGINS, set_allowed_origins)
        .endpoint(api::agent::ROTATE_KEY, rotate_key)
}

async fn read(
    State(state): State<AppState>,
    AgentSession(member): AgentSession,
) -> Result<Json<wire::InstallView>, ApiError> {
    require(&member, Permission::Install)?;
    let workspace = state.workspace(&member.workspace_id).await?;
    let seen = state.store.widget_origins(&workspace.id).await?;
    Ok(Json(wire::InstallView {
        snippet: snippet(&state.public_url, &workspace.widget_key),
        widget_key: workspace.widget_key,
        allowed_origins: workspace.settings.install.allowed_origins,
        seen: seen
            .into_iter()
            .map(|(origin, last_seen_at)| wire::SeenOrigin { origin, last_seen_at })
            .collect(),
    }))
}

/// What the owner pastes into their pages.
pub fn snippet(public_url: &str, key: &str) -> String {
    format!(
        r#"<script src="{}/widget.js" data-workspace="{key}" async></script>"#,
        public_url.trim_end_matches('/')
    )
}

/// Only these origins may embed the widget (none: any may).
async fn set_allowed_origins(
    State(state): State<AppState>,
    AgentSession(member): AgentSession,
    Json(req): Json<wire::SetAllowedOrigins>,
) -> Result<Json<wire::InstallView>, ApiError> {
    require(&member, Permission::Install)?;
    let origins = check_origins(&req.allowed_origins)?;
    let actor = member.actor();
    let change = move |s: &mut wire::WorkspaceSettings| s.install.allowed_origins = origins;
    state.change_settings(&member.workspace_id, actor, change).await?;
    read(State(state), AgentSession(member)).await
}

/// A new widget key; pages with the old one stop getting a widget.
async fn rotate_key(
    State(state): State<AppState>,
    AgentSession(member): AgentSession,
) -> Result<Json<wire::InstallView>, ApiError> {
    require(&member, Permission::Install)?;
    let key = crate::auth::new_token()?[..24].to_owned();
    state.store.rotate_widget_key(&member.workspace_id, &key).await?;
    read(State(state), AgentSession(member)).await
}

/// Each entry as an origin — `https://shop.example` or `http://localhost:3000`: a scheme, a
/// host, perhaps a port, nothing else — lower-cased, without duplicates.
pub fn check_origins(given: &[String]) -> Result<Vec<String>, ApiError> {
    if given.len() > MAX_ORIGINS {
        return Err(ApiError::unprocessable(
            "invalid_origin",
            format!("at most {MAX_ORIGINS} origins"),
        ));
    }
    let mut origins: Vec<String> = Vec::new();
    for entry in given {
        let origin = origin_of(entry).ok_or_else(|| {
            ApiError::unprocessable(
                "invalid_origin",
                format!("{entry:?} is not an origin such as https://shop.example"),
            )
        })?;
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}

/// `scheme://host[:port]`, normalised, or `None`.
pub fn origin_of(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches('/').to_lowercase();
    let (scheme, rest) = text.split_once("://")?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.len() > 253 {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.contains(']') || host.ends_with(']') => (host, Some(port)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    (host_ok && port_ok).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_normalised() {
        assert_eq!(origin_of("https://Shop.Example/"), Some("https://shop.example".into()));
        assert_eq!(origin_of("http://localhost:3000"), Some("http://localhost:3000".into()));
        for bad in [
            "shop.example",
            "ftp://shop.example",
            "https://",
            "https://shop.example/path",
            "https://shop.example:99999",
            "https://a b",
            "https://shop.example:0",
            "javascript://x",
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
        let many: Vec<String> =
            (0..=MAX_ORIGINS).map(|i| format!("https://s{i}.example")).collect();
        assert!(check_origins(&many).is_err());
        let twice = vec!["https://a.example".into(), "https://A.example/".into()];
        assert_eq!(check_origins(&twice).unwrap(), ["https://a.example"]);
    }
}
