//! Leads: contacts, the visitor tokens their browsers hold (each with a sliding lifetime), and
//! the identities owners' sites vouch for.

use porch_protocol::{ContactId, Millis, WorkspaceId};
use sqlx::{AnyPool, Row};

use super::unique_violation;
use crate::{ContactDetails, ContactRecord, Identity, NewContact, Result};

async fn add_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    token_hash: &str,
    contact: &ContactId,
    now: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO visitor_tokens (token_hash, contact_id, created_at, last_used_at)
         VALUES ($1, $2, $3, $3)",
    )
    .bind(token_hash)
    .bind(contact.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| unique_violation(e, "visitor_token"))?;
    Ok(())
}

pub async fn create_contact(pool: &AnyPool, new: &NewContact) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO contacts (id, workspace_id, token_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(new.id.as_str())
    .bind(new.workspace_id.as_str())
    .bind(&new.token_hash)
    .bind(new.created_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_violation(e, "visitor_token"))?;
    add_token(&mut tx, &new.token_hash, &new.id, new.created_at).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_visitor_token(
    pool: &AnyPool,
    token_hash: &str,
    contact: &ContactId,
    now: Millis,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    add_token(&mut tx, token_hash, contact, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_visitor_token(pool: &AnyPool, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM visitor_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn touch_visitor_token(pool: &AnyPool, token_hash: &str, now: Millis) -> Result<()> {
    sqlx::query("UPDATE visitor_tokens SET last_used_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn contact_by_token(
    pool: &AnyPool,
    token_hash: &str,
    used_since: Millis,
) -> Result<Option<(ContactRecord, Millis)>> {
    let row = sqlx::query(
        "SELECT c.id, c.workspace_id, c.blocked, c.email, c.name, t.last_used_at
         FROM visitor_tokens t
         JOIN contacts c ON c.id = t.contact_id
         WHERE t.token_hash = $1 AND t.last_used_at >= $2",
    )
    .bind(token_hash)
    .bind(used_since)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        let contact = ContactRecord {
            id: ContactId(r.try_get("id")?),
            workspace_id: WorkspaceId(r.try_get("workspace_id")?),
            blocked: r.try_get::<i64, _>("blocked")? != 0,
            email: r.try_get("email")?,
            name: r.try_get("name")?,
        };
        Ok((contact, r.try_get("last_used_at")?))
    })
    .transpose()
}

pub async fn identify_contact(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    contact: &ContactId,
    identity: &Identity,
) -> Result<ContactId> {
    let mut tx = pool.begin().await?;
    let known: Option<String> =
        sqlx::query_scalar("SELECT id FROM contacts WHERE workspace_id = $1 AND external_id = $2")
            .bind(workspace.as_str())
            .bind(&identity.external_id)
            .fetch_optional(&mut *tx)
            .await?;
    let owner = known.map(ContactId).unwrap_or_else(|| contact.clone());
    sqlx::query(
        "UPDATE contacts SET external_id = $3, name = $4, email = $5
         WHERE id = $1 AND workspace_id = $2",
    )
    .bind(owner.as_str())
    .bind(workspace.as_str())
    .bind(&identity.external_id)
    .bind(identity.name.clone())
    .bind(identity.email.clone())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_violation(e, "external_id"))?;
    tx.commit().await?;
    Ok(owner)
}

pub async fn contact_seen(
    pool: &AnyPool,
    contact: &ContactId,
    page: Option<&str>,
    browser: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE contacts SET last_page = COALESCE($2, last_page), browser = COALESCE($3, browser)
         WHERE id = $1",
    )
    .bind(contact.as_str())
    .bind(page)
    .bind(browser)
    .execute(pool)
    .await?;
    Ok(())
}

/// A contact of `workspace`: (name, email, first seen, last page, browser, blocked).
pub async fn contact(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    contact: &ContactId,
) -> Result<Option<ContactDetails>> {
    let row = sqlx::query(
        "SELECT name, email, created_at, last_page, browser, blocked FROM contacts
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(workspace.as_str())
    .bind(contact.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(ContactDetails {
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            first_seen: r.try_get("created_at")?,
            last_page: r.try_get("last_page")?,
            browser: r.try_get("browser")?,
            blocked: r.try_get::<i64, _>("blocked")? != 0,
        })
    })
    .transpose()
}
