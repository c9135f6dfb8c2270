//! Command line and `PORCH_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, clap::Parser)]
#[command(name = "porch-server", version, about = "Porch: embeddable customer chat server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve the API, WebSockets, widget and inbox.
    Serve(ServeConfig),
    /// Operator commands on a workspace's plan.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Workspaces: create one with its first owner.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Team members: a password reset link, for an operator without SMTP.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// A consistent copy of a SQLite database, taken while Porch serves (PostgreSQL: use
    /// pg_dump).
    Backup {
        /// The new file to write (it must not exist).
        #[arg(long)]
        to: PathBuf,
        #[arg(long, env = "PORCH_DATABASE_URL", default_value = "sqlite://data/porch.db")]
        database_url: String,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum PlanCommand {
    /// Moves WORKSPACE (its id or widget key) to PLAN: free, starter, professional, enterprise.
    Set {
        workspace: String,
        #[arg(value_parser = parse_plan)]
        plan: porch_protocol::Plan,
        #[arg(long, env = "PORCH_DATABASE_URL", default_value = "sqlite://data/porch.db")]
        database_url: String,
    },
}

/// Where people reach Porch: the base of every link it prints or e-mails.
#[derive(Clone, Debug, clap::Args)]
pub struct PublicUrl {
    #[arg(long = "public-url", env = "PORCH_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
}

#[derive(Debug, clap::Subcommand)]
pub enum WorkspaceCommand {
    /// Creates a workspace and its first owner; prints one JSON line with `workspace_id`,
    /// `widget_key`, `owner_id` and `setup_url` (single use, a week), where the owner sets a
    /// password; `setup_url` is null when the owner's e-mail has a Porch account already
    /// (they sign in with it and find the new workspace in their switcher).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        owner_email: String,
        /// Defaults to the part of the e-mail before the @.
        #[arg(long)]
        owner_name: Option<String>,
        #[arg(long, value_parser = parse_plan, default_value = "free")]
        plan: porch_protocol::Plan,
        #[arg(long, env = "PORCH_DATABASE_URL", default_value = "sqlite://data/porch.db")]
        database_url: String,
        #[command(flatten)]
        public_url: PublicUrl,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum AgentCommand {
    /// Prints a single-use link (valid an hour) where the member with EMAIL sets a new password.
    ResetPassword {
        email: String,
        #[arg(long, env = "PORCH_DATABASE_URL", default_value = "sqlite://data/porch.db")]
        database_url: String,
        #[command(flatten)]
        public_url: PublicUrl,
    },
}

fn parse_plan(s: &str) -> Result<porch_protocol::Plan, String> {
    porch_protocol::Plan::parse(s)
        .ok_or_else(|| format!("{s:?} is not a plan: free, starter, professional, enterprise"))
}

#[derive(Clone, clap::Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "PORCH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// `sqlite://path/to/file.db` (default) or `postgres://user@host/db`.
    #[arg(long, env = "PORCH_DATABASE_URL", default_value = "sqlite://data/porch.db")]
    pub database_url: String,
    /// Folder holding the built UI: `widget/` and `app/`.
    #[arg(long, env = "PORCH_ASSETS_DIR", default_value = "dist")]
    pub assets_dir: PathBuf,
    /// Create the demo workspace, owner and agent (once) and serve `/demo`.
    #[arg(long, env = "PORCH_DEMO")]
    pub demo: bool,
    /// With `--demo`, on a fresh database: fill the demo workspace with this many conversations
    /// of random history over the last 14 days, for the report pages.
    #[arg(long, env = "PORCH_DEMO_HISTORY", default_value_t = 0)]
    pub demo_history: u64,
    /// Where the e-mailed reports go out: `smtp://host:port` (plain SMTP to a relay),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS and login) or
    /// `smtps://user:password@host:465`. Without it no report is e-mailed.
    #[arg(long, env = "PORCH_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// A PEM certificate authority to trust for the SMTP server besides the public ones (a
    /// private relay's).
    #[arg(long, env = "PORCH_SMTP_CA")]
    pub smtp_ca: Option<PathBuf>,
    /// The reports' sender.
    #[arg(long, env = "PORCH_MAIL_FROM", default_value = "Porch <reports@localhost>")]
    pub mail_from: String,
    /// Run on a manual clock that `POST /api/v1/dev/clock/advance` moves. For tests and demos
    /// only: refused unless listening on a loopback address.
    #[arg(long, env = "PORCH_DEV_CLOCK")]
    pub dev_clock: bool,
    /// Behind a reverse proxy: take the client's address (for rate limits and sign-in
    /// throttling) from the last `X-Forwarded-For` entry, which the proxy adds. Without a proxy
    /// that sets it, leave this off: clients could then choose their own address.
    #[arg(long, env = "PORCH_TRUST_FORWARDED")]
    pub trust_forwarded: bool,
    /// The bearer token of the operator API (`PUT /api/v1/operator/workspaces/{id}/plan`, for a
    /// billing system); without one that API is off. At least 32 characters.
    #[arg(long, env = "PORCH_OPERATOR_TOKEN", hide_env_values = true)]
    pub operator_token: Option<String>,
    /// When set, `GET /metrics` asks for it as a bearer token (set it when /metrics is
    /// reachable from outside).
    #[arg(long, env = "PORCH_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    #[command(flatten)]
    pub public_url: PublicUrl,
    /// `open`: anyone may create a workspace (on the free plan) from the app's sign-up page;
    /// `closed`: only the operator (`workspace create`). A fresh server with no workspace at
    /// all lets the first visitor of the app create one either way.
    #[arg(long, env = "PORCH_SIGNUP", default_value = "closed", value_parser = ["open", "closed"])]
    pub signup: String,
    /// Lifts the rate limits on leads (widget sessions, conversation starts, messages), so a
    /// benchmark can measure the write path. Off by default; never in production: one visitor
    /// could then write as fast as the disk allows.
    #[arg(long, env = "PORCH_LIFT_LEAD_LIMITS")]
    pub lift_lead_limits: bool,
    /// Webhook endpoints may be on loopback, private and link-local addresses, and use plain
    /// HTTP. Off by default, so a workspace owner cannot make this server probe the network
    /// it runs in.
    #[arg(long, env = "PORCH_WEBHOOKS_ALLOW_PRIVATE")]
    pub webhooks_allow_private: bool,
    /// Seconds a webhook receiver has to answer.
    #[arg(long, env = "PORCH_WEBHOOK_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub webhook_timeout: u64,
    /// Database connections this server opens at most (default 8 on SQLite, 16 on
    /// PostgreSQL). Several servers share PostgreSQL's `max_connections` (100 by default):
    /// each takes this many plus one that listens for the others' commits.
    #[arg(long, env = "PORCH_DATABASE_POOL", value_parser = clap::value_parser!(u32).range(2..=1000))]
    pub database_pool: Option<u32>,
    /// `text` (colour only at a terminal) or `json` (one object a line, for a log collector).
    /// Either way each request has an access-log line (target `access`).
    #[arg(long, env = "PORCH_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}

impl ServeConfig {
    pub fn check(&self) -> Result<(), String> {
        if self.operator_token.as_ref().is_some_and(|t| t.len() < 32) {
            return Err("--operator-token must have at least 32 characters".into());
        }
        if self.dev_clock && !self.listen.ip().is_loopback() {
            return Err(format!(
                "--dev-clock lets anyone move the server's time; refused on {} (use a loopback \
                 address such as 127.0.0.1)",
                self.listen
            ));
        }
        Ok(())
    }
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("listen", &self.listen)
            .field("database_url", &redact(&self.database_url))
            .field("assets_dir", &self.assets_dir)
            .field("demo", &self.demo)
            .field("demo_history", &self.demo_history)
            .field("dev_clock", &self.dev_clock)
            .field("trust_forwarded", &self.trust_forwarded)
            .field("public_url", &self.public_url.url)
            .field("signup", &self.signup)
            .field("operator_token", &self.operator_token.as_ref().map(|_| "***"))
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("smtp_url", &self.smtp_url.as_deref().map(redact))
            .field("smtp_ca", &self.smtp_ca)
            .field("lift_lead_limits", &self.lift_lead_limits)
            .field("webhooks_allow_private", &self.webhooks_allow_private)
            .field("webhook_timeout", &self.webhook_timeout)
            .field("database_pool", &self.database_pool)
            .field("log_format", &self.log_format)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(redact("postgres://me:pw@db/porch"), "postgres://me:***@db/porch");
        assert_eq!(redact("postgres://me@db/porch"), "postgres://me@db/porch");
        assert_eq!(redact("sqlite://data/porch.db"), "sqlite://data/porch.db");
    }
}
