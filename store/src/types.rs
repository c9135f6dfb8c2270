use porch_protocol::{
    Agent, AgentId, ContactId, ConversationStatus, LeadOptions, Millis, Plan, WorkspaceId,
    WorkspaceSettings,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWorkspace {
    pub id: WorkspaceId,
    pub name: String,
    pub widget_key: String,
    pub plan: Plan,
    pub lead_options: LeadOptions,
    pub settings: WorkspaceSettings,
    pub created_at: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    pub widget_key: String,
    pub plan: Plan,
    /// As saved by the owner; see `porch_domain::effective_lead_options` for what applies.
    pub lead_options: LeadOptions,
    pub settings: WorkspaceSettings,
    /// Signs lead identities (HMAC-SHA256 of the lead's id); empty on workspaces made before
    /// identities existed, which then refuse every identity.
    pub identity_secret: String,
}

#[derive(Clone, Debug)]
pub struct NewAgent {
    pub workspace_id: WorkspaceId,
    pub agent: Agent,
    pub password_hash: String,
    pub created_at: Millis,
}

/// An agent as authenticated requests see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentRecord {
    pub workspace_id: WorkspaceId,
    pub agent: Agent,
    /// Set when the caller is an API token: `agent` then stands for the token (its id and
    /// name, the manager's role), and the token is the actor of what it does.
    pub token: Option<porch_protocol::TokenScope>,
}

/// A person who can sign in: one e-mail and one password across their workspaces.
#[derive(Clone, Debug)]
pub struct Person {
    /// The name of their newest membership, for a new one.
    pub name: String,
    /// Empty until they first set a password (a new owner's setup link).
    pub password_hash: String,
}

#[derive(Clone, Debug)]
pub struct NewContact {
    pub id: ContactId,
    pub workspace_id: WorkspaceId,
    pub token_hash: String,
    pub created_at: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRecord {
    pub id: ContactId,
    pub workspace_id: WorkspaceId,
    pub blocked: bool,
    /// From `Porch.identify` or the lead themselves.
    pub email: Option<String>,
    /// From `Porch.identify`.
    pub name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConversationFilter {
    pub status: Option<ConversationStatus>,
    pub contact: Option<ContactId>,
    /// Text found, case-insensitively, in a message or the contact's name or e-mail.
    pub text: Option<String>,
    /// Only those after this one in the list's order (newest activity first): its
    /// `last_activity_at` and id, from the last row of the previous page.
    pub after: Option<(porch_protocol::Millis, porch_protocol::ConversationId)>,
    /// At most [`MAX_CONVERSATIONS`] (the default).
    pub limit: Option<u32>,
}

/// Most conversations one read returns; page with [`ConversationFilter::after`].
pub const MAX_CONVERSATIONS: u32 = 500;

impl AgentRecord {
    pub fn id(&self) -> &AgentId {
        &self.agent.id
    }

    /// Who the event log names for what this caller does.
    pub fn actor(&self) -> porch_protocol::Actor {
        match self.token {
            Some(_) => {
                porch_protocol::Actor::Token(porch_protocol::TokenId(self.agent.id.0.clone()))
            }
            None => porch_protocol::Actor::Agent(self.agent.id.clone()),
        }
    }
}

/// A deadline stored on a conversation that something must happen at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timer {
    pub workspace: WorkspaceId,
    pub conversation: porch_protocol::ConversationId,
    pub kind: TimerKind,
    pub at: Millis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimerKind {
    AutoClose,
    SnoozeEnd,
}

/// Who an identified lead is, as the owner's site says (and signs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// How sign-in attempts under one key are slowed: the first `free` failures within `window`
/// cost nothing; each later one must wait `first_wait`, doubling, at most `max_wait`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInPolicy {
    pub free: u32,
    pub first_wait: Millis,
    pub max_wait: Millis,
    /// Failures older than this (since the key's last attempt) are forgotten.
    pub window: Millis,
}

impl SignInPolicy {
    /// The wait after the `failures`th failure.
    pub fn wait_after(&self, failures: u32) -> Millis {
        match failures.checked_sub(self.free) {
            None => 0,
            Some(beyond) => {
                let factor = 1_i64.checked_shl(beyond.min(40)).unwrap_or(i64::MAX);
                self.first_wait.saturating_mul(factor).min(self.max_wait)
            }
        }
    }
}

/// A request rate limit: `burst` at once, then one more every `every` milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// What is limited, as a person reads it ("messages"); also names the limit's buckets.
    pub what: &'static str,
    pub burst: u32,
    pub every: Millis,
}

/// One token of `limit` for `key`, taken from the bucket every server shares
/// ([`crate::Store::take`], or a [`crate::Command`]'s `takes` inside its batch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Take {
    pub limit: RateLimit,
    /// Names the bucket within its limit; the store keeps it as given (hash what is private).
    pub key: String,
}

/// Why a password link was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordLink {
    /// A new workspace's first owner sets their password.
    Setup,
    /// An agent forgot theirs.
    Reset,
}

/// An invitation to store.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    pub invitation: porch_protocol::Invitation,
    pub workspace_id: WorkspaceId,
    pub token_hash: String,
}

/// What the contact panel shows of a lead, besides their conversations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactDetails {
    pub name: Option<String>,
    pub email: Option<String>,
    pub first_seen: Millis,
    pub last_page: Option<String>,
    pub browser: Option<String>,
    pub blocked: bool,
}

/// What a server hears of commits made by any server on the same database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Commit {
    /// The workspace's events up to `seq` are committed; those after `from` by this commit
    /// (when the notification says), which moved deadlines if `deadlines`.
    Committed {
        workspace: porch_protocol::WorkspaceId,
        seq: u64,
        from: Option<u64>,
        deadlines: bool,
    },
    /// Notifications may have been missed (the listening connection was lost and is back).
    Resync,
    /// A fleeting signal a server broadcast ([`crate::Store::broadcast`]), as it was sent.
    Signal(String),
}
