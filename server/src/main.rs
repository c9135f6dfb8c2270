use std::sync::Arc;

use clap::Parser;
use porch_server::config::{
    AgentCommand, Cli, Command, PlanCommand, ServeConfig, WorkspaceCommand,
};
use porch_server::{demo, AppState, Clock, ManualClock, SystemClock};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let filter = || {
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "porch_server=info,access=info,warn".into())
    };
    match &cli.command {
        Command::Serve(config) if config.log_format == "json" => {
            tracing_subscriber::fmt().json().with_env_filter(filter()).init()
        }
        // Colour only for a person at a terminal, not into files and journals.
        Command::Serve(_) => tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .init(),
        // A one-shot command's output (JSON, a link) is its stdout: its logs go to stderr.
        _ => tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(std::io::stderr)
            .init(),
    }
    match cli.command {
        Command::Serve(config) => serve(config).await,
        Command::Plan(PlanCommand::Set { workspace, plan, database_url }) => {
            set_plan(&workspace, plan, &database_url).await
        }
        Command::Workspace(WorkspaceCommand::Create {
            name,
            owner_email,
            owner_name,
            plan,
            database_url,
            public_url,
        }) => {
            let store = porch_store::connect(&database_url).await?;
            let created = porch_server::setup::create_workspace(
                store.as_ref(),
                &name,
                &owner_email,
                owner_name.as_deref(),
                plan,
                &public_url.url,
                SystemClock.now(),
            )
            .await
            .map_err(porch_server::setup::said)?;
            println!("{}", serde_json::to_string(&created)?);
            Ok(())
        }
        Command::Agent(AgentCommand::ResetPassword { email, database_url, public_url }) => {
            let store = porch_store::connect(&database_url).await?;
            let now = SystemClock.now();
            let link =
                porch_server::setup::reset_link(store.as_ref(), &email, &public_url.url, now)
                    .await
                    .map_err(porch_server::setup::said)?;
            println!("{link}");
            Ok(())
        }
        Command::Backup { to, database_url } => {
            porch_store::SqlStore::connect(&database_url).await?.backup(&to).await?;
            println!(
                "backed up {} to {}",
                porch_server::config::redact(&database_url),
                to.display()
            );
            Ok(())
        }
    }
}

async fn set_plan(
    workspace: &str,
    plan: porch_protocol::Plan,
    database_url: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let store = porch_store::connect(database_url).await?;
    let message =
        porch_server::operator::set_plan(store.as_ref(), workspace, plan, SystemClock.now())
            .await?;
    println!("{message}");
    Ok(())
}

/// On SQLite, an exclusive lock on `<file>.serve-lock` for as long as the server runs: a second
/// server on the same file is refused at once (commands such as `backup` still run beside it).
fn only_server(database_url: &str) -> Result<Option<std::fs::File>, String> {
    let Some(file) = porch_store::sqlite_file(database_url) else { return Ok(None) };
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut name = file.into_os_string();
    name.push(".serve-lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&name)
        .map_err(|e| format!("{}: {e}", name.to_string_lossy()))?;
    match lock.try_lock() {
        Ok(()) => Ok(Some(lock)),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "another Porch server is serving this SQLite database ({}); SQLite takes one \
             server: stop it, or use PostgreSQL for several",
            porch_server::config::redact(database_url)
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("{}: {e}", name.to_string_lossy())),
    }
}

async fn serve(config: ServeConfig) -> Result<(), Box<dyn std::error::Error>> {
    tracing::info!(?config, "starting");
    config.check()?;
    // Held while serving: SQLite has one writer process, so one server per file.
    let _only_server = only_server(&config.database_url)?;
    let store = porch_store::connect_pooled(&config.database_url, config.database_pool).await?;
    let clock: Arc<dyn Clock> = if config.dev_clock {
        Arc::new(ManualClock::starting_now())
    } else {
        Arc::new(SystemClock)
    };
    let mut state = AppState::new(store, clock, config.assets_dir.clone());
    state.dev_clock = config.dev_clock;
    state.trust_forwarded = config.trust_forwarded;
    state.operator_token = config.operator_token.clone();
    state.metrics_token = config.metrics_token.clone();
    if config.lift_lead_limits {
        tracing::warn!("--lift-lead-limits: leads are not rate-limited (for benchmarks only)");
        state.limits.lift_lead_limits();
    }
    state.webhooks = Arc::new(porch_server::webhooks::Webhooks::new(
        config.webhooks_allow_private,
        std::time::Duration::from_secs(config.webhook_timeout),
        std::time::Duration::from_secs(1),
    ));
    state.public_url = config.public_url.url.clone();
    state.signup_open = config.signup == "open";
    if let Some(url) = &config.smtp_url {
        let ca = match &config.smtp_ca {
            Some(path) => Some(std::fs::read(path).map_err(|e| format!("--smtp-ca: {e}"))?),
            None => None,
        };
        let mailer = porch_server::mailer::Mailer::new(url, ca.as_deref(), &config.mail_from)?;
        state.mailer = Some(Arc::new(mailer));
    }
    if config.demo {
        state.demo_key = Some(demo::seed(state.store.as_ref(), state.clock.as_ref()).await?);
        let (store, clock) = (state.store.as_ref(), state.clock.as_ref());
        if let Some(made) = demo::history(store, clock, config.demo_history).await? {
            println!(
                "demo history: {} conversations, {} messages, {} leads",
                made.conversations, made.messages, made.contacts
            );
        }
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("Porch is listening on {base}");
    println!("  inbox (live chat app): {base}/app/");
    if config.demo {
        println!("  demo customer site:    {base}/demo");
        for (label, (_, email, password)) in [("owner", demo::OWNER), ("agent", demo::AGENT)] {
            println!("  demo {label} login:      {email} / {password}");
        }
    }
    let shutdown = state.shutdown.clone();
    tokio::spawn(async move {
        stopped().await;
        tracing::info!("stopping: finishing requests in flight");
        shutdown.cancel();
    });
    // Requests still running this long after the signal are cut: the stop is bounded.
    let stopping = state.shutdown.clone();
    let bound = async move {
        stopping.cancelled().await;
        tokio::time::sleep(std::time::Duration::from_secs(20)).await;
    };
    tokio::select! {
        served = porch_server::run(listener, state) => served?,
        _ = bound => tracing::warn!("stopping: requests still in flight after 20 s were cut"),
    }
    Ok(())
}

/// Ctrl-C, or SIGTERM (what systemd and container runtimes send to stop a service).
async fn stopped() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| tracing::warn!(error = %e, "cannot listen for SIGTERM"))
        .ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match terminate.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
    }
}
