//! Finding and, when missing, installing the tools the commands need. Versions are pinned here
//! and checked on every run; a present tool of the right version costs one `--version` call.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{root, sh, Result};

const TRUNK: &str = "0.21.14";
/// Debian's binaryen (108) breaks current wasm-bindgen output; npm's 132 works (TOOLCHAIN.md).
const BINARYEN: &str = "132";
/// Injected into pages by the accessibility tests.
const AXE_CORE: &str = "4";
/// The API reference page (`/api/docs`): its files are copied into `dist/docs`.
const SWAGGER_UI: &str = "5";
/// Minifies the wasm-bindgen glue, which Trunk's own minifier cannot parse.
const TERSER: &str = "5";
/// From PyPI, into the tools folder's `python/`: the SMTP server the e-mail tests start, the
/// independent verifier of webhook signatures, and the OpenAPI-driven API tester.
const PYTHON_PACKAGES: [(&str, &str); 3] =
    [("aiosmtpd", "1.4.6"), ("standardwebhooks", "1.1.0"), ("schemathesis", "4.32.5")];

pub struct Tools {
    /// Prepended to PATH for every tool command: npm's wasm-opt, cargo-installed binaries.
    path: String,
    tools_dir: PathBuf,
}

impl Tools {
    /// Installs what is missing; `browser` adds Chromium and chromedriver (tests only).
    pub fn ensure(browser: bool) -> Result<Tools> {
        let tools_dir = std::env::var_os("PORCH_TOOLS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| home().join(".cache/porch/tools"));
        let cargo_bin = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home().join(".cargo"))
            .join("bin");
        let path = format!(
            "{}:{}:{}",
            tools_dir.join("node_modules/.bin").display(),
            cargo_bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let tools = Tools { path, tools_dir };
        tools.wasm_target()?;
        tools.cargo_tool("trunk", "trunk", TRUNK, &["--locked"])?;
        tools.cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &wasm_bindgen_version()?, &[])?;
        tools.npm_tools()?;
        if browser {
            tools.chromium()?;
            tools.python_tools()?;
        }
        Ok(tools)
    }

    /// A command that finds the tools first on its PATH.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path);
        if program == "cargo" || program == "trunk" {
            command.env("CHROMEDRIVER", chromedriver());
            command.env("PORCH_AXE_JS", self.tools_dir.join("node_modules/axe-core/axe.min.js"));
        }
        command
    }

    fn version_of(&self, program: &str) -> Option<String> {
        let out = self.command(program).arg("--version").output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    fn wasm_target(&self) -> Result {
        let out = Command::new("rustup")
            .args(["target", "list", "--installed"])
            .output()
            .map_err(|e| format!("rustup: {e}"))?;
        if !String::from_utf8_lossy(&out.stdout).lines().any(|l| l == "wasm32-unknown-unknown") {
            sh(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
        }
        Ok(())
    }

    fn cargo_tool(&self, program: &str, krate: &str, version: &str, extra: &[&str]) -> Result {
        let found = self.version_of(program).unwrap_or_default();
        if found.split_whitespace().nth(1) == Some(version) {
            return Ok(());
        }
        println!("xtask: installing {krate} {version} (found {found:?}); this takes minutes once");
        sh(self
            .command("cargo")
            .args(["install", krate, "--version", &format!("={version}")])
            .args(extra))
    }

    fn npm_tools(&self) -> Result {
        let has_binaryen =
            self.version_of("wasm-opt").is_some_and(|v| v.contains(&format!("version {BINARYEN}")));
        let has_axe = self.tools_dir.join("node_modules/axe-core/axe.min.js").exists();
        let has_swagger = self.swagger_ui().join("swagger-ui-bundle.js").exists();
        let has_terser = self.tools_dir.join("node_modules/terser/package.json").exists();
        if has_binaryen && has_axe && has_swagger && has_terser {
            return Ok(());
        }
        std::fs::create_dir_all(&self.tools_dir)
            .map_err(|e| format!("{}: {e}", self.tools_dir.display()))?;
        println!(
            "xtask: installing binaryen@{BINARYEN} (wasm-opt), axe-core, swagger-ui-dist, terser"
        );
        sh(self
            .command("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&self.tools_dir)
            .args([
                format!("binaryen@{BINARYEN}"),
                format!("axe-core@{AXE_CORE}"),
                format!("swagger-ui-dist@{SWAGGER_UI}"),
                format!("terser@{TERSER}"),
            ]))
    }

    /// npm's `swagger-ui-dist`: the files of the API reference page.
    pub fn swagger_ui(&self) -> PathBuf {
        self.tools_dir.join("node_modules/swagger-ui-dist")
    }

    fn python_tools(&self) -> Result {
        let dir = self.tools_dir.join("python");
        let missing: Vec<String> = PYTHON_PACKAGES
            .iter()
            .filter(|(name, _)| !dir.join(name).exists())
            .map(|(name, version)| format!("{name}=={version}"))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        println!("xtask: installing {} from PyPI", missing.join(" "));
        // Each into the same folder: pip replaces what is there (`--upgrade`) without asking.
        sh(Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade"])
            .arg("--target")
            .arg(&dir)
            .args(&missing))
    }

    fn chromium(&self) -> Result {
        if Path::new(&chromium()).exists() && Path::new(&chromedriver()).exists() {
            return Ok(());
        }
        println!("xtask: installing Debian's chromium and chromium-driver");
        sh(Command::new("apt-get").arg("update"))?;
        sh(Command::new("apt-get").env("DEBIAN_FRONTEND", "noninteractive").args([
            "install",
            "-y",
            "chromium",
            "chromium-driver",
        ]))
    }
}

fn home() -> PathBuf {
    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/root"))
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

/// The wasm-bindgen CLI must match the library exactly; the lock file says which that is.
fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == r#"name = "wasm-bindgen""# {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = ")) {
                return Ok(version.trim_matches('"').to_owned());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

/// Minifies the JavaScript Trunk left unminified, keeping the pages' integrity digests true
/// (`xtask/minify.js`).
pub fn minify(tools: &Tools, dirs: &[PathBuf]) -> Result {
    let script = crate::root().join("xtask/minify.js");
    sh(tools
        .command("node")
        .arg(script)
        .args(dirs)
        .env("NODE_PATH", tools.tools_dir.join("node_modules")))
}

/// Brotli and gzip copies beside the built files of `dirs` (`xtask/precompress.js`).
pub fn precompress(tools: &Tools, dirs: &[PathBuf]) -> Result {
    let script = crate::root().join("xtask/precompress.js");
    sh(tools.command("node").arg(script).args(dirs))
}

/// Prints one row: raw, gzip and brotli sizes of the files, each compressed on its own (as a
/// browser downloads them) and summed (node's zlib does both).
pub fn print_sizes(tools: &Tools, label: &str, files: &[PathBuf]) -> Result {
    const SCRIPT: &str = "const fs=require('fs'),z=require('zlib');let n=0,g=0,r=0;\
        for(const f of process.argv.slice(1)){const b=fs.readFileSync(f);n+=b.length;\
        g+=z.gzipSync(b,{level:9}).length;\
        r+=z.brotliCompressSync(b,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length;}\
        console.log(n+' '+g+' '+r)";
    let out = tools
        .command("node")
        .arg("-e")
        .arg(SCRIPT)
        .args(files)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !out.status.success() {
        return Err(format!("measuring {label}: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let sizes: Vec<&str> = text.split_whitespace().collect();
    if let [raw, gzip, brotli] = sizes.as_slice() {
        println!("{label:<48} {raw:>9} {gzip:>9} {brotli:>9}");
        Ok(())
    } else {
        Err(format!("unexpected size output {text:?}"))
    }
}
