//! Porch's persistence: one [`Store`] trait, with SQLite and PostgreSQL behind it, chosen by the
//! database URL's scheme ([`connect`]).
//!
//! Every write to conversations goes through [`Store::record_batch`]: in one transaction it
//! locks the batch's workspaces, hands each command's current state to a pure decision (the
//! domain), appends the resulting events with each workspace's next sequence numbers, and
//! updates the read tables. Nothing here decides a rule; nothing here knows HTTP.

mod command;
mod error;
pub mod generate;
mod integrations;
mod reads;
mod sql;
pub mod testing;
mod types;

use std::sync::Arc;

use porch_domain::reports::ReportData;
use porch_domain::ConversationState;
use porch_protocol::{
    Actor, Agent, AgentId, ContactId, Conversation, ConversationId, Event, EventFrame, Invitation,
    Member, Membership, Message, Millis, Plan, ReportQuery, Role, WorkspaceId,
};

pub use command::*;
pub use error::*;
pub use integrations::*;
pub use reads::*;
pub use sql::{sqlite_file, ListedCycle, SqlStore};
pub use types::*;

#[async_trait::async_trait]
pub trait Store: Integrations + Reads + Send + Sync + 'static {
    // ---- workspaces and people ----
    async fn create_workspace(&self, new: &NewWorkspace) -> Result<Workspace>;
    async fn workspace(&self, id: &WorkspaceId) -> Result<Option<Workspace>>;
    async fn workspace_by_key(&self, widget_key: &str) -> Result<Option<Workspace>>;
    async fn set_plan(&self, id: &WorkspaceId, plan: Plan) -> Result<()>;
    /// Renames a workspace.
    async fn rename_workspace(&self, id: &WorkspaceId, name: &str) -> Result<()>;
    /// A new widget key; the old one finds nothing any more.
    async fn rotate_widget_key(&self, id: &WorkspaceId, widget_key: &str) -> Result<()>;
    /// The widget booted on a page of `origin` at `now`.
    async fn widget_seen(&self, id: &WorkspaceId, origin: &str, now: Millis) -> Result<()>;
    /// The origins the widget booted on, most recent first, with when (at most 20).
    async fn widget_origins(&self, id: &WorkspaceId) -> Result<Vec<(String, Millis)>>;
    /// Adds a member to a workspace; their person (e-mail) is made with `new.password_hash`
    /// unless it exists, whose password stays. `Conflict("email")` when the e-mail is a member
    /// of that workspace already.
    async fn create_agent(&self, new: &NewAgent) -> Result<()>;
    /// A person by e-mail (any case, spaces around ignored).
    async fn person(&self, email: &str) -> Result<Option<Person>>;
    /// The person's active membership in `workspace`, or their first one for `None`.
    async fn membership(
        &self,
        email: &str,
        workspace: Option<&WorkspaceId>,
    ) -> Result<Option<AgentRecord>>;
    /// Every workspace the person is an active member of, by name.
    async fn memberships(&self, email: &str) -> Result<Vec<Membership>>;
    async fn create_session(
        &self,
        token_hash: &str,
        agent: &AgentRecord,
        expires_at: Millis,
    ) -> Result<()>;
    /// The agent behind an unexpired session.
    async fn session_agent(&self, token_hash: &str, now: Millis) -> Result<Option<AgentRecord>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    // ---- the team ----
    async fn create_invitation(&self, new: &NewInvitation) -> Result<()>;
    /// Invitations neither accepted nor revoked, newest first.
    async fn invitations(&self, workspace: &WorkspaceId) -> Result<Vec<Invitation>>;
    /// A usable invitation (pending, unexpired) by its token's hash, with its workspace's id
    /// and name.
    async fn invitation_by_token(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<(Invitation, WorkspaceId, String)>>;
    /// A new link and expiry for a pending invitation of `workspace`; the old link dies.
    async fn renew_invitation(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        token_hash: &str,
        expires_at: Millis,
    ) -> Result<Option<Invitation>>;
    /// Whether a pending invitation of `workspace` was revoked.
    async fn revoke_invitation(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        now: Millis,
    ) -> Result<bool>;
    /// Claims a usable invitation and makes its member (id and name given; e-mail and role the
    /// invitation's) in one transaction: `None` when the link is not usable. `new_password`
    /// is a new person's hash (`Conflict("email")` when the address has a password already);
    /// `None` joins an existing person (`Conflict("person")` when there is none). A
    /// deactivated member comes back; an active one is `Conflict("member")`. Nothing changes
    /// on a refusal.
    async fn accept_invitation(
        &self,
        token_hash: &str,
        agent: (&AgentId, &str),
        new_password: Option<&str>,
        now: Millis,
    ) -> Result<Option<AgentRecord>>;
    /// Every member of `workspace`, active first, with their last presence.
    async fn members(&self, workspace: &WorkspaceId, now: Millis) -> Result<Vec<Member>>;
    /// `NotFound` outside `workspace`; `Conflict("last_owner")` when no active owner would
    /// remain.
    async fn set_role(&self, workspace: &WorkspaceId, agent: &AgentId, role: Role) -> Result<()>;
    /// Deactivates a member: no sign-in, sessions and password links end. Errors as
    /// [`Store::set_role`].
    async fn deactivate(&self, workspace: &WorkspaceId, agent: &AgentId) -> Result<()>;
    /// A single-use link setting `agent`'s password, valid until `expires_at`.
    async fn create_password_link(
        &self,
        token_hash: &str,
        agent: &AgentId,
        purpose: PasswordLink,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()>;
    /// Uses a link at `now`: the agent gets `password_hash`, every session of theirs and every
    /// other link ends. `None` when the link is unknown, used or expired (nothing changes).
    async fn use_password_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Millis,
    ) -> Result<Option<AgentRecord>>;
    /// The agent changed their password: every other session of theirs ends.
    async fn set_password(
        &self,
        agent: &AgentId,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()>;
    /// Forgets sessions expired at `now`; returns how many.
    async fn purge_expired_sessions(&self, now: Millis) -> Result<u64>;
    /// The workspace's agents, by name.
    async fn agents(&self, workspace: &WorkspaceId) -> Result<Vec<Agent>>;
    async fn create_contact(&self, new: &NewContact) -> Result<()>;
    /// The lead behind a visitor token last used at or after `used_since` (older ones have
    /// expired), and when the token was last used.
    async fn contact_by_token(
        &self,
        token_hash: &str,
        used_since: Millis,
    ) -> Result<Option<(ContactRecord, Millis)>>;
    /// Where the lead is now: the page they opened the widget on, their browser (`None` keeps
    /// what is stored).
    async fn contact_seen(
        &self,
        contact: &ContactId,
        page: Option<&str>,
        browser: Option<&str>,
    ) -> Result<()>;
    /// A contact of `workspace` as the contact panel shows them.
    async fn contact(
        &self,
        workspace: &WorkspaceId,
        contact: &ContactId,
    ) -> Result<Option<ContactDetails>>;
    /// Forgets one browser's token (`Porch.shutdown()`).
    async fn delete_visitor_token(&self, token_hash: &str) -> Result<()>;
    /// The token was used at `now`: its lifetime starts again.
    async fn touch_visitor_token(&self, token_hash: &str, now: Millis) -> Result<()>;
    /// Reserves a sign-in attempt under `key` before the password is checked, atomically
    /// across servers: `Ok(())` to go ahead (it counts as a failure until
    /// [`Store::sign_in_succeeded`]), or `Err(until)` while the key must wait.
    async fn reserve_sign_in(
        &self,
        key: &str,
        policy: &SignInPolicy,
        now: Millis,
    ) -> Result<std::result::Result<(), Millis>>;
    /// The attempt reserved under `key` succeeded: its failures are forgotten (`forget`), or
    /// one fewer; either way it need not wait.
    async fn sign_in_succeeded(&self, key: &str, forget: bool) -> Result<()>;
    /// Forgets the attempts of keys last used before `before`; returns how many.
    async fn purge_sign_ins(&self, before: Millis) -> Result<u64>;
    /// Takes one token of a rate limit from the bucket every server shares, or answers
    /// `Limited` with how long until one is back.
    async fn take(&self, take: &Take, now: Millis) -> Result<()>;
    /// Forgets at most `at_most` rate-limit buckets that are full again at `now`; returns how
    /// many.
    async fn purge_rate_limits(&self, now: Millis, at_most: u32) -> Result<u64>;
    /// Another browser of the same lead.
    async fn add_visitor_token(
        &self,
        token_hash: &str,
        contact: &ContactId,
        now: Millis,
    ) -> Result<()>;
    /// Records who `contact` is; when another contact of the workspace already has that
    /// identity, that one is the lead: its id is returned and `contact` is left as it was.
    async fn identify_contact(
        &self,
        workspace: &WorkspaceId,
        contact: &ContactId,
        identity: &Identity,
    ) -> Result<ContactId>;

    // ---- conversations: reads ----
    async fn conversation(
        &self,
        workspace: &WorkspaceId,
        id: &ConversationId,
    ) -> Result<Option<Conversation>>;
    /// Newest activity first.
    async fn conversations(
        &self,
        workspace: &WorkspaceId,
        filter: &ConversationFilter,
    ) -> Result<Vec<Conversation>>;
    /// Oldest first; none when the conversation is not `workspace`'s.
    async fn messages(
        &self,
        workspace: &WorkspaceId,
        conversation: &ConversationId,
    ) -> Result<Vec<Message>>;
    /// The message a sender (`author_id`: a contact's or an agent's id) sent with
    /// `client_id`, in any conversation of `workspace`: what a retry names.
    async fn message_by_client_id(
        &self,
        workspace: &WorkspaceId,
        author_id: &str,
        client_id: &str,
    ) -> Result<Option<Message>>;

    /// A conversation's part of the log, oldest first: its timeline.
    async fn conversation_events(
        &self,
        workspace: &WorkspaceId,
        conversation: &ConversationId,
    ) -> Result<Vec<EventFrame>>;

    /// The rule-facing state of every open conversation of a workspace (previews and
    /// rescheduling when settings change).
    async fn open_conversation_states(
        &self,
        workspace: &WorkspaceId,
    ) -> Result<Vec<ConversationState>>;
    /// Every pending deadline of every workspace: what the scheduler rebuilds at start.
    async fn timers(&self) -> Result<Vec<Timer>>;
    /// Pending deadlines due at or before `before`, at most `limit`: those another server
    /// armed and never fired (it stopped).
    async fn overdue_timers(&self, before: Millis, limit: u32) -> Result<Vec<Timer>>;

    // ---- the log ----
    async fn last_seq(&self, workspace: &WorkspaceId) -> Result<u64>;
    /// Events after `after`, oldest first, at most `limit`; for one lead when `contact` is given
    /// (their own events and workspace-wide ones).
    async fn events_after(
        &self,
        workspace: &WorkspaceId,
        after: u64,
        contact: Option<&ContactId>,
        limit: u32,
    ) -> Result<Vec<EventFrame>>;
    /// The one write path for conversations; see the crate docs. Commands (of any
    /// workspaces) are decided in order and committed in one transaction: each is decided on
    /// the state the ones before it left, under the lock of its workspace, and answers on its
    /// own (`NotFound` when its workspace or target is not there, the domain's refusal, a
    /// `Conflict`), recording nothing when it fails. The outer error is the transaction's.
    async fn record_batch(
        &self,
        now: Millis,
        commands: Vec<Command>,
    ) -> Result<Vec<Result<Vec<EventFrame>>>>;
    /// One decision in its own transaction; `target` names the conversation the decision needs
    /// (`NotFound` if it is not in this workspace).
    async fn record(
        &self,
        workspace: &WorkspaceId,
        target: Option<&ConversationId>,
        actor: Actor,
        now: Millis,
        decide: Decide,
    ) -> Result<Vec<EventFrame>> {
        let decide: Decision = Box::new(move |_, state| decide(state));
        let command = Command::new(workspace.clone(), target.cloned(), actor, decide);
        let mut answers = self.record_batch(now, vec![command]).await?;
        answers.pop().unwrap_or(Err(StoreError::Corrupt("no answer recorded".into())))
    }
    /// Several decisions on conversations of one workspace in one transaction (deadlines due
    /// together). Refused decisions and missing conversations are skipped, not errors.
    async fn record_each(
        &self,
        workspace: &WorkspaceId,
        actor: Actor,
        now: Millis,
        items: Vec<(ConversationId, Decide)>,
    ) -> Result<Vec<EventFrame>> {
        let commands = items
            .into_iter()
            .map(|(id, decide)| {
                let decide: Decision = Box::new(move |_, state| decide(state));
                Command::new(workspace.clone(), Some(id), actor.clone(), decide)
            })
            .collect();
        skip_refused(self.record_batch(now, commands).await?)
    }
    /// Appends workspace-wide events that change no conversation (settings, plan).
    async fn record_workspace_event(
        &self,
        workspace: &WorkspaceId,
        actor: Actor,
        now: Millis,
        event: Event,
    ) -> Result<EventFrame> {
        let frames =
            self.record(workspace, None, actor, now, Box::new(|_| Ok(vec![event]))).await?;
        frames.into_iter().next().ok_or(StoreError::Corrupt("no event recorded".into()))
    }

    // ---- reports ----
    /// Folds the workspace's events not yet in the report tables into them; returns how many.
    async fn catch_up_reports(&self, workspace: &WorkspaceId) -> Result<u64>;
    /// The `parts` of what the report pages aggregate for `range` = `[from, to)` (after a
    /// catch-up), cycles counted missed against `missed_after` at `now`.
    async fn report_data(
        &self,
        workspace: &WorkspaceId,
        range: (Millis, Millis),
        parts: porch_domain::reports::ReportParts,
        missed_after: Millis,
        now: Millis,
    ) -> Result<ReportData>;
    /// One page of the conversation list and the number of cycles matching its filters.
    async fn report_list(
        &self,
        workspace: &WorkspaceId,
        query: &ReportQuery,
        missed_after: Millis,
        now: Millis,
    ) -> Result<(Vec<ListedCycle>, u64)>;
    /// Every workspace (for the report deliveries).
    async fn workspaces(&self) -> Result<Vec<Workspace>>;
    /// Whether any workspace exists yet (a fresh server's first run has none).
    async fn has_workspaces(&self) -> Result<bool>;
    /// Commits made by every server on this database, as they land (PostgreSQL); `None` where
    /// one server is the only writer (SQLite).
    async fn listen_commits(&self) -> Result<Option<tokio::sync::mpsc::Receiver<Commit>>>;

    /// Passes `payload` to every server listening ([`Commit::Signal`]), this one included:
    /// `false` where there is no one else to tell (SQLite). Nothing is kept.
    async fn broadcast(&self, payload: &str) -> Result<bool>;
    /// Claims the e-mailed report of `period` for sending at `now`: the attempt's number, or
    /// `None` when it was sent, is being sent (claimed in the last 10 minutes) or waits for its
    /// next retry. A period is thereby sent at most once, across restarts and servers.
    async fn claim_delivery(
        &self,
        workspace: &WorkspaceId,
        period: (Millis, Millis),
        now: Millis,
    ) -> Result<Option<u32>>;
    /// Records how a claimed delivery went: sent at, or the error and when to retry.
    async fn finish_delivery(
        &self,
        workspace: &WorkspaceId,
        period_start: Millis,
        outcome: std::result::Result<Millis, (String, Millis)>,
    ) -> Result<()>;
    /// An agent's socket opened (`presence` names it) or is still open at `at`.
    async fn agent_present(
        &self,
        presence: &str,
        workspace: &WorkspaceId,
        agent: &AgentId,
        at: Millis,
    ) -> Result<()>;
}

/// Opens the database named by `url` (`sqlite://path` or `postgres://…`) and brings its schema
/// up to date.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(SqlStore::connect(url).await?))
}

/// [`connect`] with at most `pool` connections (PostgreSQL: several servers share the
/// database's `max_connections`; each also keeps one more to hear the others' commits).
pub async fn connect_pooled(url: &str, pool: Option<u32>) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(SqlStore::connect_pooled(url, pool).await?))
}
