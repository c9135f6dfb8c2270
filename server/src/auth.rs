//! Who is calling: agents by an `HttpOnly; SameSite=Strict` session cookie, leads by the visitor
//! token their widget keeps. Only hashes of either token are stored.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap};
use blake2::{Blake2b512, Digest};
use porch_protocol::Millis;
use porch_store::{AgentRecord, ContactRecord};

use crate::visitors::{Visitor, FRESH_MILLIS};
use crate::{ApiError, AppState};

pub const SESSION_COOKIE: &str = "porch_session";
/// Agent sessions last 30 days.
pub const SESSION_MILLIS: i64 = 30 * 24 * 60 * 60 * 1000;

/// A fresh 256-bit token, hex encoded.
pub fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("random: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// How a token is stored: a fast hash is enough for 256 random bits.
pub fn token_hash(token: &str) -> String {
    Blake2b512::digest(token.as_bytes()).iter().take(32).map(|b| format!("{b:02x}")).collect()
}

/// A password's hash, on this thread (seeding, tests); requests use [`AppState::passwords`],
/// which bounds how many run at once.
///
/// [`AppState::passwords`]: crate::AppState::passwords
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    crate::password::hash_with(password, &mut Vec::new())
}

/// A visitor token expires after this long unused; every widget session renews it.
pub const VISITOR_TOKEN_MILLIS: i64 = 30 * 24 * 60 * 60 * 1000;

/// `Secure` too: browsers treat localhost and 127.0.0.1 as secure, so local demos work, and
/// anywhere else Porch must be served over HTTPS.
pub fn session_cookie(token: &str, max_age_secs: i64) -> String {
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={max_age_secs}"
    )
}

/// The token of `Authorization: Bearer <token>`.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    Some(value.strip_prefix("Bearer ")?.trim())
}

/// Whether the request's bearer token is `token`. Hashes are compared, so the comparison's
/// time says nothing about the token.
pub fn bearer_is(headers: &HeaderMap, token: &str) -> bool {
    bearer(headers).is_some_and(|given| token_hash(given) == token_hash(token))
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A signed-in agent (from the session cookie).
pub struct AgentSession(pub AgentRecord);

/// 403 unless the member's role allows `what` (the table is `Role::may`).
pub fn require(member: &AgentRecord, what: porch_protocol::Permission) -> Result<(), ApiError> {
    match member.agent.role.may(what) {
        true => Ok(()),
        false => Err(ApiError::Forbidden),
    }
}

impl FromRequestParts<AppState> for AgentSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            let agent = state.store.session_agent(&token_hash(token), state.clock.now()).await?;
            return agent.map(AgentSession).ok_or(ApiError::Unauthorized);
        }
        match bearer(&parts.headers) {
            Some(secret) if secret.starts_with(API_TOKEN_PREFIX) => {
                crate::tokens::caller(state, secret, &parts.method, parts.uri.path()).await
            }
            _ => Err(ApiError::Unauthorized),
        }
    }
}

/// How every API token's secret starts (and nothing else Porch issues does).
pub const API_TOKEN_PREFIX: &str = "porch_";

/// A lead, from `Authorization: Bearer <visitor token>`.
pub struct Lead(pub ContactRecord);

impl Lead {
    pub async fn from_token(state: &AppState, token: &str) -> Result<Lead, ApiError> {
        Lead::from_hash(state, &token_hash(token)).await
    }

    async fn from_hash(state: &AppState, hash: &str) -> Result<Lead, ApiError> {
        let (contact, _) = verified(state, hash, state.clock.now()).await?;
        Ok(Lead(contact))
    }
}

/// The lead behind an unexpired visitor token, and when the token was last used.
async fn verified(
    state: &AppState,
    hash: &str,
    now: Millis,
) -> Result<(ContactRecord, Millis), ApiError> {
    let used_since = now.saturating_sub(VISITOR_TOKEN_MILLIS);
    let found = state.store.contact_by_token(hash, used_since).await?;
    found.ok_or(ApiError::Unauthorized)
}

/// A lead by their visitor token, for the routes that need only who and where (a message: the
/// store refuses it for a blocked lead or another lead's conversation). Believed for a few
/// seconds after the store verified it ([`crate::visitors`]).
impl FromRequestParts<AppState> for Visitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let hash = token_hash(bearer(&parts.headers).ok_or(ApiError::Unauthorized)?);
        let now = state.clock.now();
        if let Some(visitor) = state.visitors.get(&hash, now) {
            return Ok(visitor);
        }
        let (contact, used_at) = verified(state, &hash, now).await?;
        let visitor = Visitor { id: contact.id, workspace_id: contact.workspace_id };
        // Believed for the next few seconds only if it stays unexpired that long.
        let lasting = now.saturating_add(FRESH_MILLIS).saturating_sub(VISITOR_TOKEN_MILLIS);
        if used_at >= lasting {
            state.visitors.verified(hash, visitor.clone(), now);
        }
        Ok(visitor)
    }
}

impl FromRequestParts<AppState> for Lead {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or(ApiError::Unauthorized)?;
        Lead::from_token(state, token).await
    }
}

/// Whether `hash` is hex(HMAC-SHA256(secret, id)), compared in constant time. An empty secret
/// (a workspace without one) verifies nothing.
pub fn verify_identity(secret: &str, id: &str, hash: &str) -> bool {
    use hmac::Mac;
    let Some(expected) = from_hex(hash.trim()) else { return false };
    if secret.is_empty() {
        return false;
    }
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(id.as_bytes());
    mac.verify_slice(&expected).is_ok()
}

/// hex(HMAC-SHA256(secret, id)): what an owner's backend computes (tests sign with it too).
pub fn sign_identity(secret: &str, id: &str) -> String {
    use hmac::Mac;
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(id.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_signature_verifies() {
        let hash = sign_identity("s3cret", "user-42");
        assert!(verify_identity("s3cret", "user-42", &hash));
        assert!(verify_identity("s3cret", "user-42", &hash.to_uppercase()));
        assert!(!verify_identity("s3cret", "user-43", &hash));
        assert!(!verify_identity("other", "user-42", &hash));
        assert!(!verify_identity("", "user-42", &sign_identity("", "user-42")), "no secret");
        for junk in ["", "zz", "abc", &hash[..10], "é1"] {
            assert!(!verify_identity("s3cret", "user-42", junk), "{junk:?}");
        }
    }
}
