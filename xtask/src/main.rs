//! `cargo xtask run | test | bench`: the README's commands. Each installs what it needs that is
//! missing (wasm32 target, Trunk, wasm-bindgen CLI, wasm-opt, Chromium and chromedriver) and is
//! quick when everything is already there. Standard library only, so it builds in seconds.

mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use tools::Tools;

const USAGE: &str = "usage: cargo xtask <run | dist | test | bench>
  run    build the widget and inbox, start Porch on 127.0.0.1:8080 with SQLite and demo data
  dist   build what a deployment needs: target/release/porch-server and dist/ (widget, inbox)
  test   fmt, clippy, unit, store conformance, API + WebSocket, widget (Chromium) and e2e tests
  bench  loader and widget sizes (raw, gzip, brotli); click → interactive in both apps with
         Chromium's CPU slowed 4×; intent matching (accuracy per language, matches/s);
         auto-close memory and firing lateness;
         report pages, summaries and charts over 1,000,000 conversations (SQLite, PostgreSQL);
         RSS under wrong-login floods and 1,000 sockets; a lead's latency during a flood;
         RSS per idle socket at 10,000 and close → lead frame p99, beside nats-server;
         durable messages/s and post p99 vs raw one-row transactions (SQLite; PostgreSQL,
         100,000 sockets over 7 servers and push latency across two servers with
         PORCH_TEST_POSTGRES_URL)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("dist") => dist(),
        Some("test") => test(),
        Some("bench") => bench(),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (xtask's parent folder).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_owned()
}

/// Runs a command to completion, failing with its name when it fails.
pub fn sh(command: &mut Command) -> Result {
    let shown = format!("{command:?}");
    let status = command.status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root());
    command
}

/// Builds the widget (`dist/widget`) and the inbox (`dist/app`) in release with Trunk, offline,
/// minifies their JavaScript, copies the API reference's files (`dist/docs`), with brotli and
/// gzip copies of each file for the server to send.
fn build_ui(tools: &Tools) -> Result {
    for dir in [root(), root().join("inbox")] {
        sh(tools.command("trunk").args(["build", "--release", "--offline"]).current_dir(dir))?;
    }
    let docs = root().join("dist/docs");
    std::fs::create_dir_all(&docs).map_err(|e| format!("{}: {e}", docs.display()))?;
    for file in ["swagger-ui-bundle.js", "swagger-ui.css"] {
        let from = tools.swagger_ui().join(file);
        std::fs::copy(&from, docs.join(file)).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    let apps = [root().join("dist/widget"), root().join("dist/app")];
    tools::minify(tools, &apps)?;
    tools::precompress(tools, &[&apps[..], &[docs]].concat())
}

fn run(args: &[String]) -> Result {
    let tools = Tools::ensure(false)?;
    build_ui(&tools)?;
    let mut server = cargo();
    server.args(["run", "--quiet", "-p", "porch-server", "--", "serve", "--demo"]);
    server.args(["--assets-dir", &root().join("dist").display().to_string()]);
    if std::env::var_os("PORCH_DATABASE_URL").is_none() {
        server.args(["--database-url", "sqlite://data/porch.db"]);
    }
    sh(server.args(args))
}

/// The release server binary and the built UI, as README's Deploy section ships them.
fn dist() -> Result {
    let tools = Tools::ensure(false)?;
    build_ui(&tools)?;
    sh(cargo().args(["build", "--release", "-p", "porch-server", "--bin", "porch-server"]))?;
    println!("\nxtask dist: built");
    println!("  server: {}", release_server().display());
    println!("  assets: {} (pass as --assets-dir)", root().join("dist").display());
    Ok(())
}

/// Where `cargo build --release` puts the server binary.
fn release_server() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    root().join(target).join("release/porch-server")
}

struct Step {
    name: &'static str,
    seconds: f64,
}

fn test() -> Result {
    let started = Instant::now();
    let tools = Tools::ensure(true)?;
    let mut done: Vec<Step> = Vec::new();
    let mut step = |name: &'static str, command: &mut Command| -> Result {
        println!("\n==> {name}");
        let at = Instant::now();
        sh(command)?;
        done.push(Step { name, seconds: at.elapsed().as_secs_f64() });
        Ok(())
    };
    let wasm_crates = ["-p", "porch-client", "-p", "porch-widget", "-p", "porch-inbox"];
    let native_only =
        ["--exclude", "porch-client", "--exclude", "porch-widget", "--exclude", "porch-inbox"];

    step("format", cargo().args(["fmt", "--all", "--check"]))?;
    step(
        "clippy (native)",
        cargo()
            .args(["clippy", "--workspace", "--all-targets"])
            .args(native_only)
            .args(["--", "-D", "warnings"]),
    )?;
    step(
        "clippy (browser)",
        cargo()
            .args(["clippy", "--target", "wasm32-unknown-unknown", "--all-targets"])
            .args(wasm_crates)
            .args(["--", "-D", "warnings"]),
    )?;
    match std::env::var("PORCH_TEST_POSTGRES_URL") {
        Ok(_) => println!(
            "\nPORCH_TEST_POSTGRES_URL is set: store conformance runs on SQLite and PostgreSQL"
        ),
        Err(_) => {
            println!("\nPORCH_TEST_POSTGRES_URL is not set: store conformance runs on SQLite only")
        }
    }
    step(
        "unit, store conformance, API and WebSocket tests",
        cargo().args(["test", "--workspace"]).args(native_only),
    )?;
    step(
        "widget and inbox tests (headless Chromium)",
        tools.command("cargo").current_dir(root()).args([
            "test",
            "-p",
            "porch-widget",
            "-p",
            "porch-inbox",
            "--target",
            "wasm32-unknown-unknown",
        ]),
    )?;
    println!("\n==> build the UI (Trunk, release)");
    build_ui(&tools)?;
    step(
        "browser end-to-end tests (Chromium)",
        tools.command("cargo").current_dir(root()).args([
            "test",
            "-p",
            "porch-tests",
            "--test",
            "e2e",
            "--",
            "--ignored",
        ]),
    )?;

    println!("\nxtask test: all steps passed in {:.0} s", started.elapsed().as_secs_f64());
    for s in done {
        println!("  {:>6.1} s  {}", s.seconds, s.name);
    }
    Ok(())
}

fn bench() -> Result {
    let tools = Tools::ensure(true)?;
    build_ui(&tools)?;
    let widget = root().join("dist/widget");
    let mut bundle: Vec<PathBuf> = std::fs::read_dir(&widget)
        .map_err(|e| format!("{}: {e}", widget.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("wasm" | "js" | "css")))
        .collect();
    bundle.sort();
    println!("\nSizes in bytes (gzip -9 and brotli q11, as a CDN would serve them):");
    println!("{:<48} {:>9} {:>9} {:>9}", "file", "raw", "gzip", "brotli");
    let loader = root().join("widget/loader.js");
    tools::print_sizes(&tools, "loader (/widget.js)", &[loader])?;
    for file in &bundle {
        let name = file.file_name().unwrap_or_default().to_string_lossy().into_owned();
        tools::print_sizes(&tools, &format!("widget: {name}"), std::slice::from_ref(file))?;
    }
    tools::print_sizes(&tools, "widget total (wasm + js + css)", &bundle)?;
    println!();
    let example = ["run", "--quiet", "--release", "-p", "porch-tests", "--example", "ui_timing"];
    sh(tools.command("cargo").current_dir(root()).args(example))?;

    println!("\nIntent matching on its labelled set (release build):");
    let intents =
        ["run", "--quiet", "--release", "-p", "porch-domain", "--example", "intent_bench"];
    sh(cargo().args(intents))?;

    for (title, example) in [
        ("Auto-close", "auto_close_bench"),
        ("Reports", "reports_bench"),
        ("Password checks under a flood of wrong logins", "abuse_bench"),
    ] {
        println!("\n{title} (release build):");
        sh(cargo().args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "porch-server",
            "--example",
            example,
        ]))?;
    }
    println!("\nSockets and floods (release build, the server in its own process):");
    sh(cargo().args([
        "build",
        "--quiet",
        "--release",
        "-p",
        "porch-server",
        "--bin",
        "porch-server",
    ]))?;
    // Each against the release server binary, in a process of its own.
    let against_server = |example: &str| {
        sh(cargo()
            .args(["run", "--quiet", "--release", "-p", "porch-tests", "--example", example, "--"])
            .arg(release_server()))
    };
    against_server("abuse_load")?;
    println!("\nIdle sockets and close latency, beside nats-server (release build):");
    against_server("socket_load")?;
    println!("\nDurable messages a second, against the disk's floor (release build):");
    against_server("write_load")?;
    let in_process = |example: &str| {
        sh(cargo().args(["run", "--quiet", "--release", "-p", "porch-tests", "--example", example]))
    };
    println!("\nLive push across two servers on one PostgreSQL database (release build):");
    in_process("relay_latency")?;
    println!("\nWebhook deliveries, SQLite, receivers on loopback (release build):");
    in_process("webhook_load")
}
