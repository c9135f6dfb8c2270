//! A real SMTP server for tests: aiosmtpd (which `cargo xtask test` installs from PyPI) in its
//! own process, keeping what it receives in a Maildir that Python's `email` package reads back.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use porch_store::testing::TempDir;
use serde_json::Value;

/// aiosmtpd on `port`, keeping what it receives in a Maildir.
pub struct SmtpServer {
    child: Child,
    maildir: TempDir,
}

impl SmtpServer {
    /// Plain SMTP on `port`.
    pub fn start(port: u16) -> Option<SmtpServer> {
        if !crate::python::installed("aiosmtpd") {
            return None;
        }
        let maildir = TempDir::new();
        let mut command = Command::new("python3");
        command
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.0.join("mail"));
        Some(SmtpServer::run(command, maildir, port))
    }

    /// SMTP on `port` that wants STARTTLS and then the login `porch` / `s3cret`, with a
    /// certificate for 127.0.0.1 signed by a test authority (made here with openssl); and that
    /// authority's PEM.
    pub fn start_tls(port: u16) -> Option<(SmtpServer, Vec<u8>)> {
        if !crate::python::installed("aiosmtpd") {
            return None;
        }
        let maildir = TempDir::new();
        let dir = maildir.0.clone();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl").args(args).current_dir(&dir).output();
            let out = out.expect("openssl runs");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        };
        // An authority, and a certificate for 127.0.0.1 it signs.
        let new_key = |subject: &str, out: &str, key: &str| {
            let mut args = vec!["req", "-newkey", "rsa:2048", "-nodes", "-subj", subject];
            if out == "ca.pem" {
                args.extend(["-x509", "-days", "2"]);
            }
            openssl(&[&args[..], &["-keyout", key, "-out", out]].concat());
        };
        new_key("/CN=Porch test CA", "ca.pem", "ca.key");
        new_key("/CN=127.0.0.1", "leaf.csr", "key.pem");
        let leaf =
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
        std::fs::write(dir.join("leaf.cnf"), leaf).unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "leaf.cnf",
            "-out",
            "cert.pem",
        ]);
        let script = r#"
import asyncio, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword
def login(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == b"porch" and data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)
tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(sys.argv[2] + "/cert.pem", sys.argv[2] + "/key.pem")
Controller(Mailbox(sys.argv[2] + "/mail"), hostname="127.0.0.1", port=int(sys.argv[1]),
           tls_context=tls, require_starttls=True, auth_required=True,
           authenticator=login).start()
asyncio.new_event_loop().run_forever()
"#;
        let mut command = Command::new("python3");
        command.args(["-c", script, &port.to_string()]).arg(&dir);
        let pem = std::fs::read(dir.join("ca.pem")).unwrap();
        Some((SmtpServer::run(command, maildir, port), pem))
    }

    fn run(mut command: Command, maildir: TempDir, port: u16) -> SmtpServer {
        let child = command
            .env("PYTHONPATH", crate::python::path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(15), "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpServer { child, maildir }
    }

    /// Each message received, as Python's `email` package reads it.
    pub fn messages(&self) -> Vec<Value> {
        let script = r#"
import email, email.policy, json, mailbox, sys
out = []
for msg in mailbox.Maildir(sys.argv[1], create=False):
    msg = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    html_part = msg.get_body(("html",))
    html = html_part.get_content() if html_part else ""
    images = [{"cid": p["Content-ID"], "type": p.get_content_type(), "png": p.get_content()[:8] == b"\x89PNG\r\n\x1a\n"}
              for p in msg.walk() if p.get_content_maintype() == "image"]
    out.append({"to": msg["To"], "subject": msg["Subject"], "html": html, "images": images,
                "text": msg.get_body(("plain",)).get_content()})
print(json.dumps(out))
"#;
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(self.maildir.0.join("mail"))
            .output()
            .expect("python3 runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("JSON")
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
