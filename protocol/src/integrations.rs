//! What other systems use: workspace API tokens (Settings → API).

use serde::{Deserialize, Serialize};

use crate::{AgentId, Millis, TokenId};

/// What a token may do: `read` lists and reads (conversations, contacts, reports); `write`
/// also acts on conversations as a manager may. Neither manages the team, settings or tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    Read,
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }
}

/// A token as the owner sees it: never its secret, which is shown once, at creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    pub scope: TokenScope,
    /// The secret's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: Millis,
    pub created_by: AgentId,
    /// When the token last authorised a request (to the minute).
    pub last_used_at: Option<Millis>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CreateToken {
    pub name: String,
    pub scope: TokenScope,
}

/// A new token and its secret: `Authorization: Bearer <secret>`. Shown this once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: String,
}

/// Live tokens a workspace may hold.
pub const MAX_TOKENS: usize = 50;
