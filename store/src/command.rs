//! What the write path records: commands, each a decision with its whole context.

use porch_domain::{ConversationState, DomainError};
use porch_protocol::{Actor, ContactId, ConversationId, Event, EventFrame, Millis, WorkspaceId};

use crate::{Result, StoreError, Take, Workspace};

/// The decision taken inside [`Store::record`]'s transaction: given the conversation as it is
/// now (if one was named), the events to record or a refusal.
pub type Decide =
    Box<dyn FnOnce(Option<&ConversationState>) -> Result<Vec<Event>, DomainError> + Send>;

/// What a [`Decision`] knows besides its conversation, read under the workspace's lock: the
/// workspace as the commands before it left it (settings, plan, lead options) and the one
/// reading of the clock its batch is decided at.
pub struct Context<'a> {
    pub now: Millis,
    pub workspace: &'a Workspace,
}

/// A decision with its whole context: see [`Store::record_batch`].
pub type Decision = Box<
    dyn FnOnce(&Context<'_>, Option<&ConversationState>) -> Result<Vec<Event>, DomainError> + Send,
>;

/// One command of a batch: a decision on one conversation of a workspace (or on none, for
/// workspace-wide events).
pub struct Command {
    pub workspace: WorkspaceId,
    pub target: Option<ConversationId>,
    pub actor: Actor,
    /// A message's (author id, client id): when that sender already stored that client id,
    /// the command records nothing and answers `Conflict("client_id")`.
    pub retry_of: Option<(String, String)>,
    /// A lead's command: their own conversation only (another's answers `NotFound`, as if it
    /// were not there).
    pub owner: Option<ContactId>,
    /// Rate-limit tokens the command takes before it is decided, in its batch's transaction;
    /// an empty bucket answers `Limited` and the command records nothing. Only buckets of the
    /// command's workspace (a lead's, a conversation's), which the batch takes from under that
    /// workspace's lock, and which [`crate::Store::take`] never takes from.
    pub takes: Vec<Take>,
    pub decide: Decision,
}

impl Command {
    pub fn new(
        workspace: WorkspaceId,
        target: Option<ConversationId>,
        actor: Actor,
        decide: Decision,
    ) -> Self {
        Self { workspace, target, actor, retry_of: None, owner: None, takes: Vec::new(), decide }
    }
}

/// Adds to a decision what its events do to the auto-close deadline (the rule is
/// `porch_domain::follow`), under the policy in its context: every write through the server
/// goes this way.
pub fn with_timer(decide: Decision) -> Decision {
    Box::new(move |context, state| {
        let mut events = decide(context, state)?;
        let policy = &context.workspace.settings.auto_close;
        events.extend(porch_domain::follow(policy, state, &events, context.now));
        Ok(events)
    })
}

/// The frames of a batch's answers, refusals and missing conversations skipped.
pub fn skip_refused(answers: Vec<Result<Vec<EventFrame>>>) -> Result<Vec<EventFrame>> {
    let mut frames = Vec::new();
    for answer in answers {
        match answer {
            Ok(recorded) => frames.extend(recorded),
            Err(StoreError::NotFound | StoreError::Domain(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(frames)
}
