//! The SQL implementation of [`Store`], written once for SQLite and PostgreSQL through sqlx's
//! `Any` driver: queries use `$n` placeholders and portable SQL, which both accept; what differs
//! (connection pragmas, migrations) is chosen by [`Backend`].

mod agents;
mod checkpoint;
mod connect;
mod contacts;
mod conversations;
mod integrations;
mod limits;
mod listen;
mod migrate;
mod passwords;
mod pending;
mod prefetch;
mod project;
mod reads;
mod record;
mod reports;
mod rows;
mod team;
mod throttle;
mod tokens;
mod webhooks;
mod workspaces;

pub use connect::{sqlite_file, Backend, SqlStore};
pub use reports::ListedCycle;

use connect::unique_violation;

use porch_protocol::{
    Agent, AgentId, ContactId, Conversation, ConversationId, EventFrame, Invitation, Member,
    Membership, Message, Millis, Plan, Role, WorkspaceId,
};

use crate::{
    AgentRecord, Commit, ContactDetails, ContactRecord, ConversationFilter, Identity, NewAgent,
    NewContact, NewInvitation, NewWorkspace, PasswordLink, Person, Result, SignInPolicy, Store,
    Take, Timer, Workspace,
};
use porch_domain::ConversationState;

#[async_trait::async_trait]
impl Store for SqlStore {
    async fn create_workspace(&self, new: &NewWorkspace) -> Result<Workspace> {
        workspaces::create_workspace(&self.pool, new).await
    }

    async fn workspace(&self, id: &WorkspaceId) -> Result<Option<Workspace>> {
        workspaces::workspace(&self.pool, id).await
    }

    async fn workspace_by_key(&self, widget_key: &str) -> Result<Option<Workspace>> {
        workspaces::workspace_by_key(&self.pool, widget_key).await
    }

    async fn set_plan(&self, id: &WorkspaceId, plan: Plan) -> Result<()> {
        workspaces::set_plan(&self.pool, id, plan).await
    }

    async fn rename_workspace(&self, id: &WorkspaceId, name: &str) -> Result<()> {
        workspaces::rename_workspace(&self.pool, id, name).await
    }

    async fn rotate_widget_key(&self, id: &WorkspaceId, widget_key: &str) -> Result<()> {
        workspaces::rotate_widget_key(&self.pool, id, widget_key).await
    }

    async fn widget_seen(&self, id: &WorkspaceId, origin: &str, now: Millis) -> Result<()> {
        workspaces::widget_seen(&self.pool, id, origin, now).await
    }

    async fn widget_origins(&self, id: &WorkspaceId) -> Result<Vec<(String, Millis)>> {
        workspaces::widget_origins(&self.pool, id).await
    }

    async fn create_agent(&self, new: &NewAgent) -> Result<()> {
        agents::create_agent(&self.pool, new).await
    }

    async fn person(&self, email: &str) -> Result<Option<Person>> {
        agents::person(&self.pool, email).await
    }

    async fn membership(
        &self,
        email: &str,
        workspace: Option<&WorkspaceId>,
    ) -> Result<Option<AgentRecord>> {
        agents::membership(&self.pool, email, workspace).await
    }

    async fn memberships(&self, email: &str) -> Result<Vec<Membership>> {
        agents::memberships(&self.pool, email).await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        agent: &AgentRecord,
        expires_at: Millis,
    ) -> Result<()> {
        agents::create_session(&self.pool, token_hash, agent, expires_at).await
    }

    async fn session_agent(&self, token_hash: &str, now: Millis) -> Result<Option<AgentRecord>> {
        agents::session_agent(&self.pool, token_hash, now).await
    }

    async fn create_password_link(
        &self,
        token_hash: &str,
        agent: &AgentId,
        purpose: PasswordLink,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()> {
        passwords::create_link(&self.pool, token_hash, agent, purpose, now, expires_at).await
    }

    async fn use_password_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Millis,
    ) -> Result<Option<AgentRecord>> {
        passwords::use_link(&self.pool, token_hash, password_hash, now).await
    }

    async fn set_password(
        &self,
        agent: &AgentId,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        passwords::set_password(&self.pool, agent, password_hash, keep_session).await
    }

    async fn create_invitation(&self, new: &NewInvitation) -> Result<()> {
        team::create_invitation(&self.pool, new).await
    }

    async fn invitations(&self, workspace: &WorkspaceId) -> Result<Vec<Invitation>> {
        team::invitations(&self.pool, workspace).await
    }

    async fn invitation_by_token(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<(Invitation, WorkspaceId, String)>> {
        team::invitation_by_token(&self.pool, token_hash, now).await
    }

    async fn renew_invitation(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        token_hash: &str,
        expires_at: Millis,
    ) -> Result<Option<Invitation>> {
        team::renew_invitation(&self.pool, workspace, id, token_hash, expires_at).await
    }

    async fn revoke_invitation(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        now: Millis,
    ) -> Result<bool> {
        team::revoke_invitation(&self.pool, workspace, id, now).await
    }

    async fn accept_invitation(
        &self,
        token_hash: &str,
        agent: (&AgentId, &str),
        new_password: Option<&str>,
        now: Millis,
    ) -> Result<Option<AgentRecord>> {
        team::accept_invitation(&self.pool, token_hash, agent, new_password, now).await
    }

    async fn members(&self, workspace: &WorkspaceId, now: Millis) -> Result<Vec<Member>> {
        team::members(&self.pool, workspace, now).await
    }

    async fn set_role(&self, workspace: &WorkspaceId, agent: &AgentId, role: Role) -> Result<()> {
        team::set_role(&self.pool, workspace, agent, role).await
    }

    async fn deactivate(&self, workspace: &WorkspaceId, agent: &AgentId) -> Result<()> {
        team::deactivate(&self.pool, workspace, agent).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        agents::delete_session(&self.pool, token_hash).await
    }

    async fn agents(&self, workspace: &WorkspaceId) -> Result<Vec<Agent>> {
        agents::agents(&self.pool, workspace).await
    }

    async fn purge_expired_sessions(&self, now: Millis) -> Result<u64> {
        agents::purge_expired_sessions(&self.pool, now).await
    }

    async fn contact_seen(
        &self,
        contact: &ContactId,
        page: Option<&str>,
        browser: Option<&str>,
    ) -> Result<()> {
        contacts::contact_seen(&self.pool, contact, page, browser).await
    }

    async fn contact(
        &self,
        workspace: &WorkspaceId,
        contact: &ContactId,
    ) -> Result<Option<ContactDetails>> {
        contacts::contact(&self.pool, workspace, contact).await
    }

    async fn delete_visitor_token(&self, token_hash: &str) -> Result<()> {
        contacts::delete_visitor_token(&self.pool, token_hash).await
    }

    async fn touch_visitor_token(&self, token_hash: &str, now: Millis) -> Result<()> {
        contacts::touch_visitor_token(&self.pool, token_hash, now).await
    }

    async fn reserve_sign_in(
        &self,
        key: &str,
        policy: &SignInPolicy,
        now: Millis,
    ) -> Result<std::result::Result<(), Millis>> {
        throttle::reserve(&self.pool, key, policy, now).await
    }

    async fn sign_in_succeeded(&self, key: &str, forget: bool) -> Result<()> {
        throttle::succeeded(&self.pool, key, forget).await
    }

    async fn purge_sign_ins(&self, before: Millis) -> Result<u64> {
        throttle::purge(&self.pool, before).await
    }

    async fn take(&self, take: &Take, now: Millis) -> Result<()> {
        limits::take(&self.pool, take, now).await
    }

    async fn purge_rate_limits(&self, now: Millis, at_most: u32) -> Result<u64> {
        limits::purge(&self.pool, now, at_most).await
    }

    async fn create_contact(&self, new: &NewContact) -> Result<()> {
        contacts::create_contact(&self.pool, new).await
    }

    async fn add_visitor_token(
        &self,
        token_hash: &str,
        contact: &ContactId,
        now: Millis,
    ) -> Result<()> {
        contacts::add_visitor_token(&self.pool, token_hash, contact, now).await
    }

    async fn contact_by_token(
        &self,
        token_hash: &str,
        used_since: Millis,
    ) -> Result<Option<(ContactRecord, Millis)>> {
        contacts::contact_by_token(&self.pool, token_hash, used_since).await
    }

    async fn identify_contact(
        &self,
        workspace: &WorkspaceId,
        contact: &ContactId,
        identity: &Identity,
    ) -> Result<ContactId> {
        contacts::identify_contact(&self.pool, workspace, contact, identity).await
    }

    async fn conversation(
        &self,
        workspace: &WorkspaceId,
        id: &ConversationId,
    ) -> Result<Option<Conversation>> {
        conversations::conversation(&self.pool, workspace, id).await
    }

    async fn conversations(
        &self,
        workspace: &WorkspaceId,
        filter: &ConversationFilter,
    ) -> Result<Vec<Conversation>> {
        conversations::conversations(&self.pool, workspace, filter).await
    }

    async fn messages(
        &self,
        workspace: &WorkspaceId,
        conversation: &ConversationId,
    ) -> Result<Vec<Message>> {
        conversations::messages(&self.pool, workspace, conversation).await
    }

    async fn message_by_client_id(
        &self,
        workspace: &WorkspaceId,
        author_id: &str,
        client_id: &str,
    ) -> Result<Option<Message>> {
        conversations::message_by_client_id(&self.pool, workspace, author_id, client_id).await
    }

    async fn conversation_events(
        &self,
        workspace: &WorkspaceId,
        conversation: &ConversationId,
    ) -> Result<Vec<EventFrame>> {
        conversations::conversation_events(&self.pool, workspace, conversation).await
    }

    async fn open_conversation_states(
        &self,
        workspace: &WorkspaceId,
    ) -> Result<Vec<ConversationState>> {
        conversations::open_conversation_states(&self.pool, workspace).await
    }

    async fn timers(&self) -> Result<Vec<Timer>> {
        conversations::timers(&self.pool, None).await
    }

    async fn overdue_timers(&self, before: Millis, limit: u32) -> Result<Vec<Timer>> {
        conversations::timers(&self.pool, Some((before, limit))).await
    }

    async fn last_seq(&self, workspace: &WorkspaceId) -> Result<u64> {
        conversations::last_seq(&self.pool, workspace).await
    }

    async fn events_after(
        &self,
        workspace: &WorkspaceId,
        after: u64,
        contact: Option<&ContactId>,
        limit: u32,
    ) -> Result<Vec<EventFrame>> {
        conversations::events_after(&self.pool, workspace, after, contact, limit).await
    }

    async fn record_batch(
        &self,
        now: Millis,
        commands: Vec<crate::Command>,
    ) -> Result<Vec<Result<Vec<EventFrame>>>> {
        record::record_batch(&self.writer, now, commands).await
    }

    async fn catch_up_reports(&self, workspace: &WorkspaceId) -> Result<u64> {
        reports::catch_up(&self.pool, workspace).await
    }

    async fn report_data(
        &self,
        workspace: &WorkspaceId,
        range: (Millis, Millis),
        parts: porch_domain::reports::ReportParts,
        missed_after: Millis,
        now: Millis,
    ) -> Result<porch_domain::reports::ReportData> {
        let agents = self.agents(workspace).await?;
        let calendar = reports::calendar(&self.pool, workspace).await?;
        let pool = (&self.pool, &calendar);
        reports::data(pool, workspace, range, (missed_after, now), parts, agents).await
    }

    async fn report_list(
        &self,
        workspace: &WorkspaceId,
        query: &porch_protocol::ReportQuery,
        missed_after: Millis,
        now: Millis,
    ) -> Result<(Vec<ListedCycle>, u64)> {
        reports::list(&self.pool, workspace, query, missed_after, now).await
    }

    async fn agent_present(
        &self,
        presence: &str,
        workspace: &WorkspaceId,
        agent: &porch_protocol::AgentId,
        at: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO agent_presence (id, workspace_id, agent_id, started_at, seen_at)
             VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(presence)
        .bind(workspace.as_str())
        .bind(agent.as_str())
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn has_workspaces(&self) -> Result<bool> {
        workspaces::has_workspaces(&self.pool).await
    }

    async fn listen_commits(&self) -> Result<Option<tokio::sync::mpsc::Receiver<Commit>>> {
        match self.backend {
            Backend::Postgres => Ok(Some(listen::listen(&self.url).await?)),
            Backend::Sqlite => Ok(None),
        }
    }

    async fn broadcast(&self, payload: &str) -> Result<bool> {
        match self.backend {
            Backend::Postgres => listen::broadcast(&self.pool, payload).await.map(|()| true),
            Backend::Sqlite => Ok(false),
        }
    }

    async fn workspaces(&self) -> Result<Vec<Workspace>> {
        workspaces::workspaces(&self.pool).await
    }

    async fn claim_delivery(
        &self,
        workspace: &WorkspaceId,
        period: (Millis, Millis),
        now: Millis,
    ) -> Result<Option<u32>> {
        reports::claim_delivery(&self.pool, workspace, period, now).await
    }

    async fn finish_delivery(
        &self,
        workspace: &WorkspaceId,
        period_start: Millis,
        outcome: std::result::Result<Millis, (String, Millis)>,
    ) -> Result<()> {
        reports::finish_delivery(&self.pool, workspace, period_start, outcome).await
    }
}
