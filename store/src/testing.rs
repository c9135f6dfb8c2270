//! Fresh databases for tests: a SQLite file in a temporary folder, or a new PostgreSQL database
//! on the server named by `PORCH_TEST_POSTGRES_URL`, dropped by [`TestDatabase::drop_database`].

use sqlx::{Connection, Executor};

/// The variable naming a PostgreSQL server tests may create databases on.
pub const POSTGRES_ENV: &str = "PORCH_TEST_POSTGRES_URL";

pub struct TestDatabase {
    pub url: String,
    admin_url: Option<String>,
    name: String,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    pub fn sqlite() -> TestDatabase {
        let dir = TempDir::new();
        let url = format!("sqlite://{}/porch.db", dir.0.display());
        TestDatabase { url, admin_url: None, name: String::new(), _dir: Some(dir) }
    }

    /// `None` when no PostgreSQL server is configured; under `CI=true` its absence is an error,
    /// so CI can never pass with the PostgreSQL half of a suite silently skipped.
    pub async fn postgres() -> Option<TestDatabase> {
        let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
            assert!(
                std::env::var("CI").is_err(),
                "{POSTGRES_ENV} must be set in CI so PostgreSQL is tested"
            );
            eprintln!("{POSTGRES_ENV} is not set: skipping the PostgreSQL half of this test");
            return None;
        };
        let name = format!("porch_t_{}", uuid::Uuid::new_v4().simple());
        let mut admin =
            sqlx::PgConnection::connect(&admin_url).await.expect("connect to PostgreSQL");
        admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
        let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin_url);
        Some(TestDatabase {
            url: format!("{base}/{name}"),
            admin_url: Some(admin_url),
            name,
            _dir: None,
        })
    }

    /// Drops a PostgreSQL test database (closing any connection still open to it).
    pub async fn drop_database(self) {
        if let Some(admin_url) = &self.admin_url {
            let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("connect");
            admin
                .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
                .await
                .expect("drop database");
        }
    }
}

/// A folder under the system's temporary directory, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let path = std::env::temp_dir().join(format!("porch-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("create temporary folder");
        TempDir(path)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        TempDir::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// For the reports benchmark: copies every report row of `workspace` (and its contacts) once,
/// `shift` milliseconds later (a whole number of days), with ids ending in `suffix` (new for
/// each call), doubling the data the report queries run over. The write path would need hours to produce
/// a million conversations; the queries only read these tables.
pub async fn double_report_rows(
    url: &str,
    workspace: &porch_protocol::WorkspaceId,
    shift: porch_protocol::Millis,
    suffix: &str,
) -> Result<(), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await?;
    let statements = [
        "INSERT INTO report_cycles (workspace_id, conversation_id, cycle, contact_id, started_at,
             start_flow, live, first_lead_at, handoff_at, response_due_from, first_response_at,
             first_responder, last_human_at, waiting_since, wait_total, wait_runs, messages,
             lead_messages, human_messages, assignee, closed_at, closing_source, closed_by,
             outcome, category, summary)
         SELECT workspace_id, conversation_id || $3, cycle, contact_id || $3, started_at + $2,
             start_flow, live, first_lead_at + $2, handoff_at + $2, response_due_from + $2,
             first_response_at + $2, first_responder, last_human_at + $2, waiting_since + $2,
             wait_total, wait_runs, messages, lead_messages, human_messages, assignee,
             closed_at + $2, closing_source, closed_by, outcome, category, summary
         FROM report_cycles WHERE workspace_id = $1",
        "INSERT INTO report_minutes (workspace_id, minute, messages, lead_messages)
         SELECT workspace_id, minute + $2, messages, lead_messages FROM report_minutes
         WHERE workspace_id = $1
         ON CONFLICT (workspace_id, minute) DO UPDATE
         SET messages = report_minutes.messages + excluded.messages,
             lead_messages = report_minutes.lead_messages + excluded.lead_messages",
        "INSERT INTO report_contact_days (workspace_id, day, contact_id)
         SELECT workspace_id, day + $2, contact_id || $3 FROM report_contact_days
         WHERE workspace_id = $1",
        "INSERT INTO report_languages (workspace_id, day, language, messages)
         SELECT workspace_id, day + $2, language, messages FROM report_languages
         WHERE workspace_id = $1
         ON CONFLICT (workspace_id, day, language) DO UPDATE
         SET messages = report_languages.messages + excluded.messages",
        "INSERT INTO report_intents (workspace_id, conversation_id, cycle, intent, at)
         SELECT workspace_id, conversation_id || $3, cycle, intent, at + $2 FROM report_intents
         WHERE workspace_id = $1",
        "INSERT INTO report_assignments (workspace_id, conversation_id, agent_id, at)
         SELECT workspace_id, conversation_id || $3, agent_id, at + $2 FROM report_assignments
         WHERE workspace_id = $1",
        "INSERT INTO report_agent_spans (workspace_id, conversation_id, agent_id, first_at, last_at)
         SELECT workspace_id, conversation_id || $3, agent_id, first_at + $2, last_at + $2
         FROM report_agent_spans WHERE workspace_id = $1",
        "INSERT INTO agent_presence (id, workspace_id, agent_id, started_at, seen_at)
         SELECT id || $3, workspace_id, agent_id, started_at + $2, seen_at + $2
         FROM agent_presence WHERE workspace_id = $1",
        "INSERT INTO contacts (id, workspace_id, token_hash, blocked, created_at)
         SELECT id || $3, workspace_id, token_hash || $3, blocked, created_at + $2
         FROM contacts WHERE workspace_id = $1",
    ];
    // The roll-ups, shifted by whole days: copies that land on a day add to it.
    let rollups = [
        "INSERT INTO report_days (workspace_id, day, cycles, responded, first_response, closed,
             resolution, active_resolution, wait_total, wait_runs, messages, incoming, busiest)
         SELECT workspace_id, day + $2, cycles, responded, first_response, closed, resolution,
             active_resolution, wait_total, wait_runs, messages, incoming, busiest
         FROM report_days WHERE workspace_id = $1
         ON CONFLICT (workspace_id, day) DO UPDATE
         SET cycles = report_days.cycles + excluded.cycles,
             responded = report_days.responded + excluded.responded,
             first_response = report_days.first_response + excluded.first_response,
             closed = report_days.closed + excluded.closed,
             resolution = report_days.resolution + excluded.resolution,
             active_resolution = report_days.active_resolution + excluded.active_resolution,
             wait_total = report_days.wait_total + excluded.wait_total,
             wait_runs = report_days.wait_runs + excluded.wait_runs,
             messages = report_days.messages + excluded.messages,
             incoming = report_days.incoming + excluded.incoming",
        "INSERT INTO report_agent_days (workspace_id, day, agent_id, assignments, conversation_ms)
         SELECT workspace_id, day + $2, agent_id, assignments, conversation_ms
         FROM report_agent_days WHERE workspace_id = $1
         ON CONFLICT (workspace_id, day, agent_id) DO UPDATE
         SET assignments = report_agent_days.assignments + excluded.assignments,
             conversation_ms = report_agent_days.conversation_ms + excluded.conversation_ms",
        "INSERT INTO report_returns (workspace_id, day, previous_day, n)
         SELECT workspace_id, day + $2, CASE WHEN previous_day = -1 THEN -1 ELSE previous_day + $2 END,
             n
         FROM report_returns WHERE workspace_id = $1
         ON CONFLICT (workspace_id, day, previous_day) DO UPDATE
         SET n = report_returns.n + excluded.n",
        "INSERT INTO report_day_counts (workspace_id, day, kind, label, n)
         SELECT workspace_id, day + $2, kind, label, n FROM report_day_counts
         WHERE workspace_id = $1
         ON CONFLICT (workspace_id, day, kind, label) DO UPDATE
         SET n = report_day_counts.n + excluded.n",
    ];
    // Minutes that landed on each other were added: each day's busiest is read again.
    let busiest = "UPDATE report_days SET busiest = (
             SELECT COALESCE(MAX(m.messages), 0) FROM report_minutes m
             WHERE m.workspace_id = report_days.workspace_id AND m.minute >= report_days.day
               AND m.minute < report_days.day + 86400000)
         WHERE workspace_id = $1";
    let mut tx = pool.begin().await?;
    for sql in statements {
        sqlx::query(sql)
            .bind(workspace.as_str())
            .bind(shift)
            .bind(suffix)
            .execute(&mut *tx)
            .await?;
    }
    for sql in rollups {
        sqlx::query(sql).bind(workspace.as_str()).bind(shift).execute(&mut *tx).await?;
    }
    sqlx::query(busiest).bind(workspace.as_str()).execute(&mut *tx).await?;
    tx.commit().await?;
    pool.close().await;
    Ok(())
}

/// After a bulk load (such as [`double_report_rows`]): what PostgreSQL's autovacuum would do
/// in time (planner statistics, and the visibility map that index-only scans need), and
/// SQLite's planner statistics.
pub async fn settle(url: &str) -> Result<(), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await?;
    let sql = if url.starts_with("postgres") { "VACUUM (ANALYZE)" } else { "ANALYZE" };
    sqlx::query(sql).execute(&pool).await?;
    pool.close().await;
    Ok(())
}

/// A workspace with the bot (quick answers) and auto-close on, and one agent per name: what
/// the report tests and the reports benchmark generate histories in.
pub async fn busy_workspace(
    store: &dyn crate::Store,
    names: &[&str],
) -> crate::Result<(crate::Workspace, Vec<(porch_protocol::AgentId, String)>)> {
    use porch_protocol::{Agent, AgentId, BotSettings, Plan, QuickAnswer, Role, WorkspaceId};
    let new_id = || uuid::Uuid::new_v4().to_string();
    let mut settings = porch_protocol::WorkspaceSettings::default();
    settings.auto_close.enabled = true;
    settings.closing_notes = porch_protocol::ClosingNotesSettings {
        mode: porch_protocol::ClosingNotesMode::Optional,
        categories: ["Order issue", "Billing", "Returns", "Other"].map(String::from).to_vec(),
    };
    settings.bot = BotSettings {
        enabled: true,
        greeting: "Hi! Pick a question or talk to a person.".into(),
        quick_answers: [
            "When will my order arrive?",
            "How do I return an item?",
            "Shipping costs?",
        ]
        .map(|q| QuickAnswer { question: q.into(), answer: "See our help page.".into() })
        .to_vec(),
    };
    let ws = store
        .create_workspace(&crate::NewWorkspace {
            id: WorkspaceId(new_id()),
            name: "Busy".into(),
            widget_key: new_id(),
            plan: Plan::Professional,
            lead_options: porch_protocol::LeadOptions::default(),
            settings,
            created_at: 0,
        })
        .await?;
    let mut agents = Vec::new();
    for name in names {
        let agent = Agent {
            id: AgentId(new_id()),
            name: (*name).into(),
            email: format!("{}@example.com", new_id()),
            role: Role::Agent,
        };
        let new = crate::NewAgent {
            workspace_id: ws.id.clone(),
            agent: agent.clone(),
            password_hash: "not a hash".into(),
            created_at: 0,
        };
        store.create_agent(&new).await?;
        agents.push((agent.id, agent.name));
    }
    Ok((ws, agents))
}
