//! The team: invitations (single-use links), members with their activity, roles and
//! deactivation. A workspace keeps at least one active owner: the statements that could take
//! the last one away check it themselves, so two owners demoting each other at once cannot
//! both succeed.

use porch_protocol::{AgentId, Invitation, Member, Millis, Role, WorkspaceId};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::rows::{self, enum_text, parse_enum};
use super::unique_violation;
use crate::{AgentRecord, NewInvitation, Result, StoreError};

/// A member is online when their inbox marked its presence within this long.
const ONLINE_MILLIS: Millis = 90_000;

const INVITATION_COLUMNS: &str = "id, email, role, invited_by, created_at, expires_at";

/// "This member is not the last active owner", for `$1` = workspace, `$2` = agent.
const NOT_LAST_OWNER: &str = "(role <> 'owner' OR active = 0 OR (SELECT COUNT(*) FROM agents o
     WHERE o.workspace_id = $1 AND o.role = 'owner' AND o.active = 1) > 1)";

fn invitation(row: &AnyRow) -> Result<Invitation> {
    Ok(Invitation {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: parse_enum(row.try_get("role")?)?,
        invited_by: AgentId(row.try_get("invited_by")?),
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

pub async fn create_invitation(pool: &AnyPool, new: &NewInvitation) -> Result<()> {
    let i = &new.invitation;
    sqlx::query(
        "INSERT INTO invitations
             (id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&i.id)
    .bind(new.workspace_id.as_str())
    .bind(i.email.to_lowercase())
    .bind(enum_text(&i.role))
    .bind(&new.token_hash)
    .bind(i.invited_by.as_str())
    .bind(i.created_at)
    .bind(i.expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Invitations neither accepted nor revoked, newest first.
pub async fn invitations(pool: &AnyPool, workspace: &WorkspaceId) -> Result<Vec<Invitation>> {
    sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations
         WHERE workspace_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
         ORDER BY created_at DESC, id"
    ))
    .bind(workspace.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(invitation)
    .collect()
}

/// A usable invitation by its token's hash, with its workspace's id and name.
pub async fn invitation_by_token(
    pool: &AnyPool,
    token_hash: &str,
    now: Millis,
) -> Result<Option<(Invitation, WorkspaceId, String)>> {
    let row = sqlx::query(
        "SELECT i.id, i.email, i.role, i.invited_by, i.created_at, i.expires_at,
                w.id AS workspace_id, w.name AS workspace_name
         FROM invitations i JOIN workspaces w ON w.id = i.workspace_id
         WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
           AND i.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok((invitation(&r)?, WorkspaceId(r.try_get("workspace_id")?), r.try_get("workspace_name")?))
    })
    .transpose()
}

/// A fresh link (and expiry) for a pending invitation; the old link stops working.
pub async fn renew_invitation(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    id: &str,
    token_hash: &str,
    expires_at: Millis,
) -> Result<Option<Invitation>> {
    sqlx::query(&format!(
        "UPDATE invitations SET token_hash = $3, expires_at = $4
         WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL
         RETURNING {INVITATION_COLUMNS}"
    ))
    .bind(workspace.as_str())
    .bind(id)
    .bind(token_hash)
    .bind(expires_at)
    .fetch_optional(pool)
    .await?
    .map(|r| invitation(&r))
    .transpose()
}

/// Whether a pending invitation was revoked.
pub async fn revoke_invitation(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    id: &str,
    now: Millis,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $3
         WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(workspace.as_str())
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Claims a usable invitation and makes its member (`agent`'s id and name; e-mail and role
/// from the invitation), in one transaction. `new_password`: the hash of a new person's
/// password (`Conflict("email")` if the address has one meanwhile); `None` for a person who has
/// one (`Conflict("person")` if they do not). A deactivated member comes back with the
/// invitation's role; an active one is `Conflict("member")`. `None`: unknown, used, revoked or
/// expired. Nothing changes on any refusal.
pub async fn accept_invitation(
    pool: &AnyPool,
    token_hash: &str,
    agent: (&AgentId, &str),
    new_password: Option<&str>,
    now: Millis,
) -> Result<Option<AgentRecord>> {
    let mut tx = pool.begin().await?;
    let claimed = sqlx::query(
        "UPDATE invitations SET accepted_at = $2
         WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2
         RETURNING workspace_id, email, role",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(claimed) = claimed else {
        tx.commit().await?;
        return Ok(None);
    };
    let email: String = claimed.try_get("email")?;
    match new_password {
        Some(hash) => {
            sqlx::query(
                "INSERT INTO people (email, password_hash, created_at) VALUES ($1, $2, $3)",
            )
            .bind(&email)
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| unique_violation(e, "email"))?;
        }
        None => {
            let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM people WHERE email = $1")
                .bind(&email)
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(StoreError::Conflict("person"));
            }
        }
    }
    let joined = sqlx::query(
        "INSERT INTO agents (id, workspace_id, name, email, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (workspace_id, email) DO UPDATE SET active = 1, role = excluded.role
         WHERE agents.active = 0
         RETURNING id, workspace_id, name, email, role",
    )
    .bind(agent.0.as_str())
    .bind(claimed.try_get::<String, _>("workspace_id")?)
    .bind(agent.1)
    .bind(&email)
    .bind(claimed.try_get::<String, _>("role")?)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let record = rows::agent(&joined.ok_or(StoreError::Conflict("member"))?)?;
    tx.commit().await?;
    Ok(Some(record))
}

/// Every member, active ones first, by name; with when their inbox was last open.
pub async fn members(pool: &AnyPool, workspace: &WorkspaceId, now: Millis) -> Result<Vec<Member>> {
    let rows = sqlx::query(
        "SELECT a.id, a.workspace_id, a.name, a.email, a.role, a.active,
                (SELECT MAX(p.seen_at) FROM agent_presence p
                 WHERE p.workspace_id = a.workspace_id AND p.agent_id = a.id) AS last_seen_at
         FROM agents a WHERE a.workspace_id = $1
         ORDER BY a.active DESC, a.name, a.id",
    )
    .bind(workspace.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let last_seen_at: Option<Millis> = r.try_get("last_seen_at")?;
            Ok(Member {
                agent: rows::agent(r)?.agent,
                active: r.try_get::<i64, _>("active")? != 0,
                last_seen_at,
                online: last_seen_at.is_some_and(|at| at >= now - ONLINE_MILLIS),
            })
        })
        .collect()
}

/// Changes a member's role, unless that leaves no active owner (`Conflict("last_owner")`).
pub async fn set_role(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    agent: &AgentId,
    role: porch_protocol::Role,
) -> Result<()> {
    let keeps_an_owner = if role == Role::Owner { "1 = 1" } else { NOT_LAST_OWNER };
    let done = sqlx::query(&format!(
        "UPDATE agents SET role = $3 WHERE workspace_id = $1 AND id = $2 AND {keeps_an_owner}"
    ))
    .bind(workspace.as_str())
    .bind(agent.as_str())
    .bind(enum_text(&role))
    .execute(pool)
    .await?;
    refused_why(pool, workspace, agent, done.rows_affected()).await
}

/// Deactivates a member (their sessions and password links end), unless they are the last
/// active owner.
pub async fn deactivate(pool: &AnyPool, workspace: &WorkspaceId, agent: &AgentId) -> Result<()> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(&format!(
        "UPDATE agents SET active = 0 WHERE workspace_id = $1 AND id = $2 AND {NOT_LAST_OWNER}"
    ))
    .bind(workspace.as_str())
    .bind(agent.as_str())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() > 0 {
        for table in ["agent_sessions", "password_links"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE agent_id = $1"))
                .bind(agent.as_str())
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    refused_why(pool, workspace, agent, done.rows_affected()).await
}

/// After a guarded update: fine, not found, or refused because of the last owner.
async fn refused_why(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    agent: &AgentId,
    changed: u64,
) -> Result<()> {
    if changed > 0 {
        return Ok(());
    }
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM agents WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.as_str())
            .bind(agent.as_str())
            .fetch_optional(pool)
            .await?;
    match exists {
        Some(_) => Err(StoreError::Conflict("last_owner")),
        None => Err(StoreError::NotFound),
    }
}
