//! Getting people in: a new workspace with its first owner, and the single-use links that set a
//! password (the owner's setup, resets). Used by the command line and the API alike.

use porch_protocol::{Agent, AgentId, LeadOptions, Millis, Plan, Role, WorkspaceId};
use porch_store::{NewAgent, NewWorkspace, PasswordLink, Store};
use serde::Serialize;

use crate::auth::{new_token, token_hash};
use crate::ApiError;

/// A setup link lasts a week; a reset link an hour.
pub const SETUP_MILLIS: Millis = 7 * 24 * 3_600_000;
pub const RESET_MILLIS: Millis = 3_600_000;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest workspace or person name.
pub const MAX_NAME_CHARS: usize = 100;

/// What `porch-server workspace create` prints, as one JSON line.
#[derive(Debug, Serialize)]
pub struct Created {
    pub workspace_id: WorkspaceId,
    pub widget_key: String,
    pub owner_id: AgentId,
    /// Where a new person sets their password; `None` when the owner has a Porch account
    /// already (a member of another workspace), who signs in with it.
    pub setup_url: Option<String>,
}

/// A workspace with its first owner, who sets their password at `setup_url` unless they have
/// one already.
pub async fn create_workspace(
    store: &dyn Store,
    name: &str,
    owner_email: &str,
    owner_name: Option<&str>,
    plan: Plan,
    public_url: &str,
    now: Millis,
) -> Result<Created, ApiError> {
    let name = check_name(name, "workspace name")?;
    let email = check_email(owner_email)?;
    let person = store.person(&email).await?;
    let owner_name = match (owner_name, &person) {
        (Some(name), _) => name,
        (None, Some(person)) => &person.name,
        (None, None) => local_part(&email),
    };
    let owner_name = check_name(owner_name, "owner name")?;
    let workspace = NewWorkspace {
        id: WorkspaceId(crate::service::new_id()),
        name,
        widget_key: new_token()?[..24].to_owned(),
        plan,
        lead_options: LeadOptions::default(),
        settings: Default::default(),
        created_at: now,
    };
    store.create_workspace(&workspace).await?;
    let owner =
        Agent { id: AgentId(crate::service::new_id()), name: owner_name, email, role: Role::Owner };
    // A new person has no password yet: nothing verifies against an empty hash.
    let new = NewAgent {
        workspace_id: workspace.id.clone(),
        agent: owner.clone(),
        password_hash: String::new(),
        created_at: now,
    };
    store.create_agent(&new).await?;
    let setup_url = match person {
        Some(_) => None,
        None => Some(password_link(store, &owner.id, PasswordLink::Setup, public_url, now).await?),
    };
    Ok(Created {
        workspace_id: workspace.id,
        widget_key: workspace.widget_key,
        owner_id: owner.id,
        setup_url,
    })
}

/// A fresh single-use link setting `agent`'s password: `{public_url}/app/#setup=…` or
/// `#reset=…`. The token sits in the fragment, which browsers never send to a server (nor to
/// proxies' logs).
pub async fn password_link(
    store: &dyn Store,
    agent: &AgentId,
    purpose: PasswordLink,
    public_url: &str,
    now: Millis,
) -> Result<String, ApiError> {
    let token = new_token()?;
    let (lasts, kind) = match purpose {
        PasswordLink::Setup => (SETUP_MILLIS, "setup"),
        PasswordLink::Reset => (RESET_MILLIS, "reset"),
    };
    store.create_password_link(&token_hash(&token), agent, purpose, now, now + lasts).await?;
    Ok(format!("{}/app/#{kind}={token}", public_url.trim_end_matches('/')))
}

/// A reset link for the agent with `email`, for an operator without SMTP.
pub async fn reset_link(
    store: &dyn Store,
    email: &str,
    public_url: &str,
    now: Millis,
) -> Result<String, ApiError> {
    let agent = store.membership(email, None).await?.ok_or(ApiError::NotFound("agent"))?;
    password_link(store, agent.id(), PasswordLink::Reset, public_url, now).await
}

/// A password long enough to resist guessing, short enough to hash.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS
        || password.len() > crate::password::MAX_PASSWORD_BYTES
    {
        return Err(ApiError::unprocessable(
            "weak_password",
            format!(
                "a password has at least {MIN_PASSWORD_CHARS} characters (and at most {} bytes)",
                crate::password::MAX_PASSWORD_BYTES
            ),
        ));
    }
    Ok(())
}

/// An address mail can go to: `local@domain.tld`, no spaces, at most 254 characters; answered
/// lower-cased.
pub fn check_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|label| !label.is_empty())
        });
    match valid {
        true => Ok(email),
        false => {
            Err(ApiError::unprocessable("invalid_email", "give an e-mail such as ann@shop.example"))
        }
    }
}

pub fn check_name(name: &str, what: &str) -> Result<String, ApiError> {
    let name = name.trim();
    match !name.is_empty() && name.chars().count() <= MAX_NAME_CHARS {
        true => Ok(name.to_owned()),
        false => Err(ApiError::unprocessable(
            "invalid_name",
            format!("a {what} has 1 to {MAX_NAME_CHARS} characters"),
        )),
    }
}

fn local_part(email: &str) -> &str {
    email.split('@').next().unwrap_or(email)
}

/// What the command line says of a failure: the detail, even of an internal one.
pub fn said(e: ApiError) -> String {
    match e {
        ApiError::Internal(detail) => detail,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_passwords_are_checked() {
        assert_eq!(check_email(" Ann@Shop.Example ").unwrap(), "ann@shop.example");
        for bad in
            ["", "ann", "ann@", "@shop.io", "ann@shop", "a b@shop.io", "a@b@c.io", "ann@shop..io"]
        {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
        assert!(check_email(&format!("{}@shop.io", "a".repeat(250))).is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("long enough, really").is_ok());
        assert!(check_password(&"x".repeat(2_000)).is_err());
    }
}
