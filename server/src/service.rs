//! Commands shared by the lead and agent routes: load what a rule needs, let the store record
//! the decision, publish what was committed.

use porch_domain::{effective_lead_options, ConversationState, DomainError, NewMessage};
use porch_protocol::{
    Actor, AuthorKind, ClosingNote, Conversation, ConversationId, Event, EventFrame, LeadOptions,
    Message, MessageId, WorkspaceId, WorkspaceSettings,
};
use porch_store::{with_timer, AgentRecord, Command, Context, Decision, StoreError, Take};

use crate::{ApiError, AppState};

impl AppState {
    /// Records a decision, with what it does to the auto-close deadline, and publishes its
    /// events (in commit order) and deadline changes; see [`crate::writer`].
    pub async fn record(
        &self,
        workspace: &WorkspaceId,
        target: Option<&ConversationId>,
        actor: Actor,
        decide: Decision,
    ) -> Result<Vec<EventFrame>, StoreError> {
        let command = Command::new(workspace.clone(), target.cloned(), actor, with_timer(decide));
        self.record_command(command).await
    }

    /// [`AppState::record`] for a command made by the caller (a message retry, say). A lead's
    /// command reaches only their own conversation.
    pub async fn record_command(
        &self,
        mut command: Command,
    ) -> Result<Vec<EventFrame>, StoreError> {
        if let Actor::Contact(lead) = &command.actor {
            command.owner = Some(lead.clone());
        }
        let mut answers = self.submit(vec![command]).await?;
        answers.pop().unwrap_or(Err(StoreError::Corrupt("no answer recorded".into())))
    }

    /// [`AppState::record`] for several conversations of one workspace in one transaction;
    /// refused decisions and vanished conversations are skipped.
    pub async fn record_each(
        &self,
        workspace: &WorkspaceId,
        actor: Actor,
        items: Vec<(ConversationId, Decision)>,
    ) -> Result<Vec<EventFrame>, StoreError> {
        let commands = items
            .into_iter()
            .map(|(id, d)| Command::new(workspace.clone(), Some(id), actor.clone(), with_timer(d)))
            .collect();
        porch_store::skip_refused(self.submit(commands).await?)
    }

    /// The lock that keeps record-then-publish in commit order within this process.
    pub(crate) fn order(&self, workspace: &WorkspaceId) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.workspace_locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(workspace.clone()).or_default().clone()
    }

    /// After a commit: deadline changes to the scheduler, events to the sockets.
    pub(crate) async fn committed(&self, workspace: &WorkspaceId, frames: &[EventFrame]) {
        for change in frames.iter().flat_map(|f| crate::scheduler::changes(workspace, f)) {
            // The loop only stops at shutdown; a change sent after that is moot.
            let _ = self.scheduler.tx.send(change);
        }
        self.hand_over(workspace, frames).await;
        self.webhooks.wake();
    }

    /// Records a change of the workspace's settings: the change applies to the settings as
    /// committed when it is decided, so two owners saving different parts at once both keep
    /// theirs. Answers the settings as saved.
    pub async fn change_settings(
        &self,
        workspace: &WorkspaceId,
        actor: Actor,
        change: impl FnOnce(&mut WorkspaceSettings) + Send + 'static,
    ) -> Result<WorkspaceSettings, ApiError> {
        let decide: Decision = Box::new(move |context, _| {
            let mut settings = context.workspace.settings.clone();
            change(&mut settings);
            Ok(vec![Event::SettingsChanged { settings }])
        });
        let frames = self.record(workspace, None, actor, decide).await?;
        frames
            .into_iter()
            .find_map(|f| match f.event {
                Event::SettingsChanged { settings } => Some(settings),
                _ => None,
            })
            .ok_or(ApiError::Internal("no settings recorded".into()))
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
        decide: impl FnOnce(&Context<'_>, &ConversationState) -> Result<Vec<Event>, DomainError>
            + Send
            + 'static,
    ) -> Result<Conversation, ApiError> {
        let actor = agent.actor();
        let decide = on_target(decide);
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

    /// Posts a message, taking `takes` (rate-limit tokens) with it; a retry carrying a
    /// `client_id` already stored returns the stored message.
    pub async fn post_message(
        &self,
        workspace: &WorkspaceId,
        conversation: &ConversationId,
        actor: Actor,
        message: NewMessage,
        takes: Vec<Take>,
    ) -> Result<Message, ApiError> {
        check_client_id(message.client_id.as_deref())?;
        let sender = (message.author_id.clone(), message.client_id.clone());
        let from_lead = message.author_kind == AuthorKind::Contact;
        let decide: Decision = Box::new(move |context, state| {
            let Some(state) = state else { return Ok(Vec::new()) };
            let ws = context.workspace;
            let options = match from_lead {
                true => effective_lead_options(ws.plan, &ws.lead_options),
                false => LeadOptions::default(),
            };
            porch_domain::post_message(state, message, &options, context.now)
        });
        let mut command =
            Command::new(workspace.clone(), Some(conversation.clone()), actor, with_timer(decide));
        if let (Some(author), Some(client_id)) = &sender {
            command.retry_of = Some((author.clone(), client_id.clone()));
        }
        command.takes = takes;
        match self.record_command(command).await {
            Ok(frames) => posted(&frames),
            // A retry: the message was stored before (or by a copy of this request).
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

/// A decision on a command's target conversation; a target not found decides nothing (the
/// store answers it as not found).
pub fn on_target(
    decide: impl FnOnce(&Context<'_>, &ConversationState) -> Result<Vec<Event>, DomainError>
        + Send
        + 'static,
) -> Decision {
    Box::new(move |context, state| state.map_or(Ok(Vec::new()), |s| decide(context, s)))
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
