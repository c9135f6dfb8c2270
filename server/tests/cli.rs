//! The `porch-server` binary as an operator runs it: a backup of a live SQLite database, a
//! clean stop on SIGTERM (what systemd sends), a plain-text log when not at a terminal.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_porch-server");

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("porch-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(30), "{what} within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn backup_copies_a_database_in_use_and_sigterm_stops_cleanly() {
    let dir = scratch("backup");
    let url = format!("sqlite://{}/porch.db", dir.display());
    let port = free_port();
    let mut server = Command::new(BINARY)
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--database-url", &url])
        .arg("--assets-dir")
        .arg(&dir)
        .stdout(std::fs::File::create(dir.join("log")).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the server to listen", || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());

    // A second server on the same SQLite file is refused with a clear message.
    let second = Command::new(BINARY)
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port()), "--database-url", &url])
        .output()
        .unwrap();
    assert!(!second.status.success());
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains("another Porch server is serving this SQLite database"), "{said}");

    // While it serves: a copy, which opens as a Porch database with the demo workspace.
    let copy = dir.join("copy.db");
    let backup = Command::new(BINARY)
        .args(["backup", "--database-url", &url, "--to"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    let set = Command::new(BINARY)
        .args(["plan", "set", "demo", "free", "--database-url"])
        .arg(format!("sqlite://{}", copy.display()))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&set.stdout);
    let logged = String::from_utf8_lossy(&set.stderr);
    assert!(set.status.success() && said.contains("was professional"), "{said}\n{logged}");
    // A second backup to the same file is refused, not overwritten.
    let again = Command::new(BINARY)
        .args(["backup", "--database-url", &url, "--to"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // SIGTERM: the server finishes and exits 0 instead of being killed.
    let term = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(term.success());
    let mut status = None;
    wait_for("the server to stop", || {
        status = server.try_wait().unwrap();
        status.is_some()
    });
    assert!(status.unwrap().success(), "{status:?}");
    // Its log, written to a file, is plain text: no terminal colour codes.
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    assert!(log.contains("stopping: finishing requests in flight"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_operator_creates_a_workspace_and_prints_reset_links() {
    let dir = scratch("workspace");
    let url = format!("sqlite://{}/porch.db", dir.display());
    // Every log on: a one-shot command's stdout must still be its output alone.
    let run = |args: &[&str]| {
        Command::new(BINARY)
            .args(args)
            .args(["--database-url", &url, "--public-url", "https://chat.example.com/"])
            .env("RUST_LOG", "debug")
            .output()
            .unwrap()
    };
    let created =
        run(&["workspace", "create", "--name", "Tea Shop", "--owner-email", "ann@tea.example"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let line: serde_json::Value = serde_json::from_slice(&created.stdout).expect("one JSON line");
    assert!(line["workspace_id"].is_string() && line["widget_key"].is_string(), "{line}");
    let setup = line["setup_url"].as_str().unwrap();
    assert!(setup.starts_with("https://chat.example.com/app/#setup="), "{setup}");

    // The same person owns a second workspace: she has a password (or a link) already.
    let again =
        run(&["workspace", "create", "--name", "Other", "--owner-email", "ann@tea.example"]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let line: serde_json::Value = serde_json::from_slice(&again.stdout).expect("one JSON line");
    assert!(line["setup_url"].is_null() && line["workspace_id"].is_string(), "{line}");
    let bad = run(&["workspace", "create", "--name", "Other", "--owner-email", "nope"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("e-mail"), "a clear error");

    let reset = run(&["agent", "reset-password", "ann@tea.example"]);
    let link = String::from_utf8_lossy(&reset.stdout);
    assert!(link.trim().starts_with("https://chat.example.com/app/#reset="), "{link}");
    let unknown = run(&["agent", "reset-password", "bob@tea.example"]);
    assert!(!unknown.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends a request on a held connection and reads the head of the answer (or says it hung).
fn ask(stream: &mut std::net::TcpStream) -> String {
    use std::io::{Read, Write};
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: porch\r\n\r\n");
    let mut answer = [0u8; 512];
    match stream.read(&mut answer) {
        Ok(n) => String::from_utf8_lossy(&answer[..n]).into_owned(),
        Err(e) => format!("no answer: {e}"),
    }
}

#[test]
fn out_of_descriptors_new_connections_are_refused_not_left_hanging() {
    let dir = scratch("descriptors");
    let port = free_port();
    let log = std::fs::File::create(dir.join("log")).unwrap();
    // The process may hold 64 descriptors; each connection kept open here takes one.
    let mut server = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 64 && exec {BINARY} serve --listen 127.0.0.1:{port} --database-url \
             sqlite://{}/porch.db --assets-dir {}",
            dir.display(),
            dir.display()
        ))
        .stdout(log)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let address = format!("127.0.0.1:{port}");
    wait_for("the server to listen", || std::net::TcpStream::connect(&address).is_ok());
    let mut held = Vec::new();
    let mut refused = None;
    for _ in 0..100 {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        let answer = ask(&mut stream);
        if answer.starts_with("HTTP/1.1 503") {
            refused = Some(answer);
            break;
        }
        assert!(answer.starts_with("HTTP/1.1 200"), "every connection is answered: {answer}");
        held.push(stream);
    }
    let refused = refused.expect("a refusal once the descriptors ran out");
    assert!(refused.contains("Retry-After: 5") && refused.contains("overloaded"), "{refused}");
    // With connections closed, the server serves again and has counted the refusal.
    drop(held);
    let mut metrics = String::new();
    wait_for("the server to serve again", || {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        use std::io::{Read, Write};
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ =
            stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: porch\r\nConnection: close\r\n\r\n");
        metrics.clear();
        let _ = stream.read_to_string(&mut metrics);
        metrics.starts_with("HTTP/1.1 200")
    });
    let counted = metrics
        .lines()
        .find_map(|l| l.strip_prefix("porch_descriptors_exhausted_total "))
        .and_then(|v| v.parse::<f64>().ok());
    assert!(counted.is_some_and(|n| n >= 1.0), "{metrics}");
    let _ = server.kill();
    let _ = server.wait();
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    assert!(log.contains("out of file descriptors"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_logs_have_an_access_line_per_request_without_secrets() {
    use std::io::{Read, Write};
    let dir = scratch("json-log");
    let port = free_port();
    let mut server = Command::new(BINARY)
        .args(["serve", "--log-format", "json", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--database-url")
        .arg(format!("sqlite://{}/porch.db", dir.display()))
        .arg("--assets-dir")
        .arg(&dir)
        .stdout(std::fs::File::create(dir.join("log")).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let address = format!("127.0.0.1:{port}");
    wait_for("the server to listen", || std::net::TcpStream::connect(&address).is_ok());
    for path in [
        "/api/v1/agent/conversations/SECRET-ID?email=ann%40secret.example",
        "/api/v1/nothing/SECRET-TOKEN/x",
    ] {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: porch\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
    }
    let _ = server.kill();
    let _ = server.wait();
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let access: Vec<_> = lines.iter().filter(|l| l["target"] == "access").collect();
    let routes: Vec<_> = access.iter().map(|l| l["fields"]["route"].as_str().unwrap()).collect();
    assert_eq!(routes, ["/api/v1/agent/conversations/{id}", "/api/v1/nothing/…"], "{log}");
    assert!(access.iter().all(|l| l["fields"]["method"] == "GET"), "{log}");
    assert_eq!(access[0]["fields"]["status"], 401, "{log}");
    assert!(!log.contains("SECRET-TOKEN") && !log.contains("secret.example"), "{log}");
    assert!(!log.contains('\u{1b}'), "no colour codes");
    let _ = std::fs::remove_dir_all(&dir);
}
