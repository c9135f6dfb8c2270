//! Every storage behaviour, written once, run on SQLite always and on PostgreSQL when
//! `PORCH_TEST_POSTGRES_URL` names a server (a fresh database per test, dropped after).

use std::sync::Arc;

use porch_domain::{
    assign, change_outcome, close, hand_to_bot, post_message, reopen, set_blocked, snooze, start,
    ConversationState, DomainError, NewMessage,
};
use porch_protocol::*;
use porch_store::*;

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {$(
            #[tokio::test]
            async fn $name() {
                let db = porch_store::testing::TestDatabase::sqlite();
                super::$name(porch_store::connect(&db.url).await.unwrap()).await;
            }
        )*}
        mod postgres {$(
            #[tokio::test]
            async fn $name() {
                let Some(db) = porch_store::testing::TestDatabase::postgres().await else { return };
                super::$name(porch_store::connect(&db.url).await.unwrap()).await;
                db.drop_database().await;
            }
        )*}
    };
}

conformance!(
    workspaces_are_found_by_id_and_key,
    agents_sessions_and_contacts,
    starting_a_conversation_appends_numbered_events_and_projects_them,
    refusals_and_conflicts_record_nothing,
    close_and_lead_reopen_update_the_read_model,
    sequences_are_per_workspace_and_gapless_under_concurrency,
    leads_resume_only_their_own_events,
    a_foreign_workspace_cannot_reach_a_conversation,
    lifecycle_events_project_onto_the_conversation,
    blocking_and_handing_to_the_bot,
    settings_and_agents,
    deadlines_are_stored_and_listed_for_the_scheduler,
    identities_join_browsers_to_one_lead,
    batches_record_what_applies_and_skip_the_rest,
    reports_fold_the_log_as_the_domain_defines,
    report_days_are_the_workspace_days,
    active_users_count_each_lead_once,
    missed_waits_are_online_within_half_open_presence,
    concurrent_sign_in_attempts_are_counted_exactly,
    sign_in_waits_grow_and_a_success_forgets,
    a_client_id_names_one_message_of_its_sender,
    a_password_link_works_once_before_it_expires,
    changing_a_password_ends_the_other_sessions,
    widget_origins_and_keys,
    an_invitation_is_accepted_once_renewed_or_revoked,
    a_workspace_keeps_an_active_owner,
    one_person_belongs_to_several_workspaces,
    a_batch_commits_what_is_decided_and_answers_each_refusal,
    a_batch_decides_on_what_its_earlier_commands_changed,
    a_batch_projects_its_messages_onto_their_conversations,
    a_rate_limit_grants_its_burst_then_one_per_period,
    concurrent_takes_are_counted_exactly,
    a_command_over_its_limit_records_nothing,
    api_tokens_are_found_live_and_revoked_in_their_workspace,
    webhook_endpoints_are_leased_advanced_and_logged,
    conversations_are_found_by_text_and_paged,
    unread_counts_follow_each_members_read_marks,
);

#[path = "conformance/basics.rs"]
mod basics;
use basics::*;
#[path = "conformance/batch.rs"]
mod batch;
use batch::*;
#[path = "conformance/hardening.rs"]
mod hardening;
use hardening::*;
#[path = "conformance/limits.rs"]
mod limits;
use limits::*;
#[path = "conformance/tokens.rs"]
mod tokens;
use tokens::*;
#[path = "conformance/webhooks.rs"]
mod webhooks;
use webhooks::*;
#[path = "conformance/lifecycle.rs"]
mod lifecycle;
use lifecycle::*;
#[path = "conformance/report_counts.rs"]
mod report_counts;
use report_counts::*;
#[path = "conformance/reports.rs"]
mod reports;
use reports::*;
#[path = "conformance/reads.rs"]
mod reads;
use reads::*;
#[path = "conformance/team.rs"]
mod team;
use team::*;

/// A command of a batch, from a decision that ignores its context.
fn command(ws: &Workspace, target: Option<&ConversationId>, decide: Decide) -> Command {
    let decide: Decision = Box::new(move |_, state| decide(state));
    Command::new(ws.id.clone(), target.cloned(), Actor::System, decide)
}

/// Records one decision on a conversation, as `actor`, at `now`.
async fn act(
    store: &Arc<dyn Store>,
    ws: &Workspace,
    conversation: &ConversationId,
    now: Millis,
    decide: impl FnOnce(&ConversationState) -> Result<Vec<Event>, DomainError> + Send + 'static,
) -> Vec<EventFrame> {
    let decide: Decide = Box::new(move |state| decide(state.expect("target")));
    store.record(&ws.id, Some(conversation), Actor::System, now, decide).await.unwrap()
}

const NOW: Millis = 1_700_000_000_000;

/// Unique within the test process, so tests sharing nothing but a database never collide.
fn id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

async fn workspace(store: &Arc<dyn Store>) -> Workspace {
    store
        .create_workspace(&NewWorkspace {
            id: WorkspaceId(id("ws")),
            name: "Acme".into(),
            widget_key: id("key"),
            plan: Plan::Professional,
            lead_options: LeadOptions { disable_input_on_close: true, ..LeadOptions::default() },
            settings: WorkspaceSettings::default(),
            created_at: NOW,
        })
        .await
        .unwrap()
}

async fn contact(store: &Arc<dyn Store>, ws: &Workspace) -> ContactId {
    let contact = ContactId(id("contact"));
    store
        .create_contact(&NewContact {
            id: contact.clone(),
            workspace_id: ws.id.clone(),
            token_hash: id("token"),
            created_at: NOW,
        })
        .await
        .unwrap();
    contact
}

fn lead_message(contact: &ContactId, body: &str, client_id: Option<&str>) -> NewMessage {
    NewMessage {
        id: MessageId(id("msg")),
        author_kind: AuthorKind::Contact,
        author_id: Some(contact.0.clone()),
        author_name: None,
        body: body.into(),
        client_id: client_id.map(str::to_owned),
    }
}

/// A decision posting `message` as the lead would, with default (all off) lead options.
fn lead_posts(message: NewMessage, now: Millis) -> Decide {
    Box::new(move |state: Option<&ConversationState>| {
        post_message(state.expect("target"), message, &LeadOptions::default(), now)
    })
}

fn agent_closes(by: AgentId, outcome: Option<Outcome>) -> Decide {
    Box::new(move |state: Option<&ConversationState>| {
        close(state.expect("target"), &by, outcome, None, &ClosingNotesSettings::default())
    })
}

/// A member of `ws` with `role` (password hash "h"), signed in as session `session`.
async fn member(store: &Arc<dyn Store>, ws: &Workspace, role: Role, session: &str) -> AgentRecord {
    let agent = Agent {
        id: AgentId(id("agent")),
        name: format!("{role:?}"),
        email: format!("{}@example.com", id("m")),
        role,
    };
    let new = NewAgent {
        workspace_id: ws.id.clone(),
        agent: agent.clone(),
        password_hash: "h".into(),
        created_at: NOW,
    };
    store.create_agent(&new).await.unwrap();
    let record = AgentRecord { workspace_id: ws.id.clone(), agent, token: None };
    store.create_session(session, &record, NOW + 1_000_000).await.unwrap();
    record
}

async fn start_conversation(
    store: &Arc<dyn Store>,
    ws: &Workspace,
    contact: &ContactId,
    body: &str,
) -> (ConversationId, Vec<EventFrame>) {
    let conversation = ConversationId(id("conv"));
    let (c, first, cid) =
        (contact.clone(), lead_message(contact, body, None), conversation.clone());
    let frames = store
        .record(
            &ws.id,
            None,
            Actor::Contact(contact.clone()),
            NOW,
            Box::new(move |_| start(cid, c, false, ConversationKind::Live, Some(first), NOW)),
        )
        .await
        .unwrap();
    (conversation, frames)
}
