//! Demo data for `cargo xtask run`: one workspace on the professional plan with an owner and an
//! agent, created once and found again on later starts.

use porch_protocol::{
    Agent, AgentId, AutoCloseSettings, BotSettings, CannedReply, ClosingNotesMode,
    ClosingNotesSettings, LeadOptions, Plan, QuickAnswer, ReportSettings, Role, WorkspaceId,
    WorkspaceSettings,
};
use porch_store::{NewAgent, NewWorkspace, Store, StoreError};

use crate::auth::hash_password;
use crate::service::new_id;
use crate::{ApiError, Clock};

pub const WIDGET_KEY: &str = "demo";
pub const OWNER: (&str, &str, &str) = ("Olivia Owner", "owner@demo.porch", "porch-owner");
pub const AGENT: (&str, &str, &str) = ("Sam Seller", "agent@demo.porch", "porch-agent");

/// Creates the demo workspace unless it exists; returns its widget key.
pub async fn seed(store: &dyn Store, clock: &dyn Clock) -> Result<String, ApiError> {
    if store.workspace_by_key(WIDGET_KEY).await?.is_some() {
        return Ok(WIDGET_KEY.to_owned());
    }
    let workspace = WorkspaceId(new_id());
    store
        .create_workspace(&NewWorkspace {
            id: workspace.clone(),
            name: "Demo Shop".into(),
            widget_key: WIDGET_KEY.into(),
            plan: Plan::Professional,
            lead_options: LeadOptions {
                hide_closed: false,
                disable_input_on_close: true,
                notify_on_close: true,
                notification_text:
                    "This conversation has been closed. Thanks for chatting with us!".into(),
            },
            settings: WorkspaceSettings {
                closing_notes: ClosingNotesSettings {
                    mode: ClosingNotesMode::Optional,
                    categories: vec![
                        "Order issue".into(),
                        "Payment issue".into(),
                        "Product inquiry".into(),
                    ],
                },
                auto_close: AutoCloseSettings {
                    enabled: true,
                    generate_notes: true,
                    ..AutoCloseSettings::default()
                },
                // Off, so the demo's first message reaches a person; owners switch it on in
                // Settings.
                bot: BotSettings {
                    enabled: false,
                    quick_answers: vec![
                        QuickAnswer {
                            question: "When will my order arrive?".into(),
                            answer: "Orders ship within a day and arrive in 2 to 4 days.".into(),
                        },
                        QuickAnswer {
                            question: "How do I return an item?".into(),
                            answer: "Returns are free within 30 days: reply RETURN in your order e-mail.".into(),
                        },
                    ],
                    ..BotSettings::default()
                },
                reports: ReportSettings::default(),
                install: Default::default(),
                ask_email: Default::default(),
                time_zone: Default::default(),
                office_hours: Default::default(),
                widget: Default::default(),
                canned_replies: vec![
                    CannedReply {
                        shortcut: "thanks".into(),
                        text: "Thank you for waiting! Let me check that for you.".into(),
                    },
                    CannedReply {
                        shortcut: "refund".into(),
                        text: "Refunds reach your card within five working days.".into(),
                    },
                ],
            },
            created_at: clock.now(),
        })
        .await?;
    for ((name, email, password), role) in [(OWNER, Role::Owner), (AGENT, Role::Agent)] {
        let agent = Agent { id: AgentId(new_id()), name: name.into(), email: email.into(), role };
        let new = NewAgent {
            workspace_id: workspace.clone(),
            agent,
            password_hash: hash_password(password)?,
            created_at: clock.now(),
        };
        match store.create_agent(&new).await {
            Ok(()) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(WIDGET_KEY.to_owned())
}

/// Fills the demo workspace with `conversations` conversations of realistic random history over
/// the last 14 days (once: only while the workspace's log is empty), for the report pages.
/// The bot takes part in the history even though it is off for live visitors.
pub async fn history(
    store: &dyn Store,
    clock: &dyn Clock,
    conversations: u64,
) -> Result<Option<porch_store::generate::Generated>, ApiError> {
    let Some(mut workspace) = store.workspace_by_key(WIDGET_KEY).await? else {
        return Ok(None);
    };
    if conversations == 0 || store.last_seq(&workspace.id).await? > 0 {
        return Ok(None);
    }
    workspace.settings.bot.enabled = true;
    let agents = store.agents(&workspace.id).await?.into_iter().map(|a| (a.id, a.name)).collect();
    let days = 14;
    let plan = porch_store::generate::HistoryPlan {
        conversations,
        start: clock.now() - i64::from(days) * porch_domain::reports::DAY,
        days,
        seed: 42,
        agents,
    };
    Ok(Some(porch_store::generate::history(store, &workspace, &plan).await?))
}
