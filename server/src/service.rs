//! Commands shared by the lead and agent routes: load what a rule needs, let the store record
//! the decision, publish what was committed.

use porch_domain::{effective_lead_options, ConversationState, DomainError, NewMessage};
use porch_protocol::{
    Actor, AuthorKind, ClosingNote, Conversation, ConversationId, Event, EventFrame, LeadOptions,
    Message, MessageId, WorkspaceId,
};
use porch_store::{AgentRecord, Decide, StoreError};

use crate::{ApiError, AppState};

impl AppState {
    /// Records a decision, with what it does to the auto-close deadline, and publishes its
    /// events (in this process's commit order) and deadline changes.
    pub async fn record(
        &self,
        workspace: &WorkspaceId,
        target: Option<&ConversationId>,
        actor: Actor,
        decide: Decide,
    ) -> Result<Vec<EventFrame>, StoreError> {
        let policy = self.auto_close_policy(workspace).await?;
        let order = self.order(workspace);
        let _ordered = order.lock().await;
        let now = self.clock.now();
        let decide = porch_store::with_timer(policy, now, decide);
        let started = std::time::Instant::now();
        let frames = self.store.record(workspace, target, actor, now, decide).await;
        self.metrics.command(started.elapsed());
        let frames = frames?;
        self.committed(workspace, &frames).await;
        Ok(frames)
    }

    /// [`AppState::record`] for several conversations of one workspace in one transaction;
    /// refused decisions and vanished conversations are skipped.
    pub async fn record_each(
        &self,
        workspace: &WorkspaceId,
        actor: Actor,
        items: Vec<(ConversationId, Decide)>,
    ) -> Result<Vec<EventFrame>, StoreError> {
        let policy = self.auto_close_policy(workspace).await?;
        let order = self.order(workspace);
        let _ordered = order.lock().await;
        let now = self.clock.now();
        let items = items
            .into_iter()
            .map(|(id, d)| (id, porch_store::with_timer(policy, now, d)))
            .collect();
        let started = std::time::Instant::now();
        let frames = self.store.record_each(workspace, actor, now, items).await;
        self.metrics.command(started.elapsed());
        let frames = frames?;
        self.committed(workspace, &frames).await;
        Ok(frames)
    }

    async fn auto_close_policy(
        &self,
        workspace: &WorkspaceId,
    ) -> Result<porch_protocol::AutoCloseSettings, StoreError> {
        Ok(self.store.workspace(workspace).await?.ok_or(StoreError::NotFound)?.settings.auto_close)
    }

    /// The lock that keeps record-then-publish in commit order within this process.
    pub(crate) fn order(&self, workspace: &WorkspaceId) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.workspace_locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(workspace.clone()).or_default().clone()
    }

    /// After a commit: deadline changes to the scheduler, events to the sockets.
    async fn committed(&self, workspace: &WorkspaceId, frames: &[EventFrame]) {
        for change in frames.iter().flat_map(|f| crate::scheduler::changes(workspace, f)) {
            // The loop only stops at shutdown; a change sent after that is moot.
            let _ = self.scheduler.tx.send(change);
        }
        self.hand_over(workspace, frames).await;
    }

    /// The closing note auto-close writes, when the owner asked for generated notes.
    pub async fn auto_close_note(
        &self,
        workspace: &WorkspaceId,
        settings: &porch_protocol::WorkspaceSettings,
        conversation: &ConversationId,
    ) -> Option<ClosingNote> {
        if !settings.auto_close.generate_notes {
            return None;
        }
        let messages = self.store.messages(workspace, conversation).await.ok()?;
        let recent = &messages[messages.len().saturating_sub(crate::summarizer::MAX_MESSAGES)..];
        let summary = self.summarizer.summarize(recent).await;
        let category = self.summarizer.categorize(recent, &settings.closing_notes.categories).await;
        (summary.is_some() || category.is_some()).then_some(ClosingNote {
            category,
            summary,
            generated: true,
        })
    }

    /// An agent's decision on one conversation of their workspace; answers the conversation as
    /// it is afterwards.
    pub async fn act(
        &self,
        agent: &AgentRecord,
        id: &ConversationId,
        decide: impl FnOnce(&ConversationState) -> Result<Vec<Event>, DomainError> + Send + 'static,
    ) -> Result<Conversation, ApiError> {
        let decide: Decide = Box::new(move |state| state.map_or(Ok(Vec::new()), decide));
        let actor = Actor::Agent(agent.id().clone());
        self.record(&agent.workspace_id, Some(id), actor, decide).await?;
        self.conversation(&agent.workspace_id, id).await
    }

    /// A workspace, or 404.
    pub async fn workspace(&self, id: &WorkspaceId) -> Result<porch_store::Workspace, ApiError> {
        self.store.workspace(id).await?.ok_or(ApiError::NotFound("workspace"))
    }

    /// A conversation of `workspace`, or 404 (also when it belongs to another workspace).
    pub async fn conversation(
        &self,
        workspace: &WorkspaceId,
        id: &ConversationId,
    ) -> Result<Conversation, ApiError> {
        self.store.conversation(workspace, id).await?.ok_or(ApiError::NotFound("conversation"))
    }

    /// The lead-facing options in effect for a workspace.
    pub async fn lead_options(&self, workspace: &WorkspaceId) -> Result<LeadOptions, ApiError> {
        let ws = self.workspace(workspace).await?;
        Ok(effective_lead_options(ws.plan, &ws.lead_options))
    }

    /// Posts a message; a retry carrying a `client_id` already stored returns the stored message.
    pub async fn post_message(
        &self,
        workspace: &WorkspaceId,
        conversation: &ConversationId,
        actor: Actor,
        message: NewMessage,
    ) -> Result<Message, ApiError> {
        check_client_id(message.client_id.as_deref())?;
        let sender = (message.author_id.clone(), message.client_id.clone());
        if let Some(stored) = self.sent_before(workspace, &sender).await? {
            return same_conversation(stored, conversation);
        }
        let options = match message.author_kind {
            AuthorKind::Contact => self.lead_options(workspace).await?,
            _ => LeadOptions::default(),
        };
        let now = self.clock.now();
        let decide: Decide = Box::new(move |state| {
            state.map_or(Ok(Vec::new()), |s| porch_domain::post_message(s, message, &options, now))
        });
        match self.record(workspace, Some(conversation), actor, decide).await {
            Ok(frames) => posted(&frames),
            // Two copies of one retry raced; the other one was stored.
            Err(StoreError::Conflict("client_id")) => {
                let stored = self.sent_before(workspace, &sender).await?;
                same_conversation(stored.ok_or(ApiError::Conflict("client_id"))?, conversation)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The message a sender already stored under a `client_id`: (author id, client id).
    pub async fn sent_before(
        &self,
        workspace: &WorkspaceId,
        (author, client_id): &(Option<String>, Option<String>),
    ) -> Result<Option<Message>, ApiError> {
        match (author, client_id) {
            (Some(author), Some(client_id)) => {
                Ok(self.store.message_by_client_id(workspace, author, client_id).await?)
            }
            _ => Ok(None),
        }
    }
}

/// A retry names the message it retries: the same `client_id` in another conversation is
/// another message, refused.
fn same_conversation(stored: Message, conversation: &ConversationId) -> Result<Message, ApiError> {
    match &stored.conversation_id == conversation {
        true => Ok(stored),
        false => Err(ApiError::Conflict("client_id")),
    }
}

/// A `client_id` is the sender's name for one message, for retries: at most
/// [`wire::MAX_CLIENT_ID_CHARS`] letters, digits, `-`, `_`, `.` or `:`.
pub fn check_client_id(client_id: Option<&str>) -> Result<(), ApiError> {
    let ok = client_id.is_none_or(|id| {
        !id.is_empty()
            && id.len() <= porch_protocol::MAX_CLIENT_ID_CHARS
            && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
    });
    match ok {
        true => Ok(()),
        false => Err(ApiError::unprocessable(
            "invalid_client_id",
            format!(
                "a client_id has 1 to {} letters, digits, '-', '_', '.' or ':'",
                porch_protocol::MAX_CLIENT_ID_CHARS
            ),
        )),
    }
}

/// A fresh id for a new row.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn new_message_id() -> MessageId {
    MessageId(new_id())
}

fn posted(frames: &[EventFrame]) -> Result<Message, ApiError> {
    frames
        .iter()
        .find_map(|f| match &f.event {
            porch_protocol::Event::MessagePosted { message } => Some(message.clone()),
            _ => None,
        })
        .ok_or(ApiError::Internal("no message recorded".into()))
}
