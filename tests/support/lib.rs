//! Support for the end-to-end tests: launching the real app under tauri-driver
//! and talking to its webview over WebDriver.

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace's target folder (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The app binary under test: `$FLUXDESK_APP_BINARY` (e.g. an installed
/// package) or the debug build.
pub fn app_binary() -> PathBuf {
    let binary = std::env::var_os("FLUXDESK_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/fluxdesk"));
    assert!(
        binary.exists(),
        "the app binary {} does not exist: build it with `scripts/build-ui.sh && cargo build -p fluxdesk`",
        binary.display()
    );
    binary.canonicalize().expect("app binary path")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running tauri-driver, stopped when dropped.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    port: u16,
    /// HOME of the app under test, so it never touches the real user's files.
    pub home: tempfile::TempDir,
}

impl Driver {
    /// Starts `tauri-driver` (from `$TAURI_DRIVER` or PATH) on free ports.
    pub fn start() -> Driver {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the end-to-end tests under xvfb-run (scripts/test.sh does)"
        );
        let program = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".to_owned());
        let port = free_port();
        let native_port = std::iter::repeat_with(free_port)
            .find(|candidate| *candidate != port)
            .expect("two distinct free ports");
        let home = tempfile::tempdir().unwrap();
        let child = Command::new(&program)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env_remove("FLUXDESK_DSN")
            .env_remove("FLUXDESK_INSTANCE_NAME")
            // Its own process group, so dropping the driver also ends
            // WebKitWebDriver and the app it started.
            .process_group(0)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start {program} (install it with scripts/setup.sh): {error}")
            });
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "tauri-driver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // tauri-driver starts WebKitWebDriver itself; a session asked for
        // before that listens fails with "client error (Connect)".
        while TcpStream::connect(("127.0.0.1", native_port)).is_err()
            && started.elapsed() < Duration::from_secs(20)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, port, home }
    }

    /// Launches the app with `args` and opens a WebDriver session on its window.
    pub async fn launch(&self, args: &[&str]) -> Client {
        self.launch_program(&app_binary(), args).await
    }

    /// Launches another Tauri program (the empty app of the launch
    /// benchmark) with `args` and opens a WebDriver session on its window.
    pub async fn launch_program(&self, program: &std::path::Path, args: &[&str]) -> Client {
        self.wait_for_previous_app();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "wry".into());
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": program, "args": args }),
        );
        // A loaded machine can still lose the first session to a driver that
        // is not quite ready: ask again, a few times.
        let mut attempt = 1;
        loop {
            match ClientBuilder::native()
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => return client,
                Err(error) if attempt < 3 => {
                    eprintln!("no WebDriver session yet ({error}); asking again");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(error) => panic!("no WebDriver session on the app window: {error}"),
            }
        }
    }
}

impl Driver {
    /// Starts the app once more, outside WebDriver, in `folder`, as the same
    /// user (this driver's HOME), and waits up to `timeout` for it to exit; `None` if it
    /// was still running (it is then killed).
    pub fn launch_again(
        &self,
        args: &[&str],
        folder: &std::path::Path,
        timeout: Duration,
    ) -> Option<std::process::ExitStatus> {
        let home = self.home.path();
        let mut child = Command::new(app_binary())
            .args(args)
            .current_dir(folder)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env_remove("FLUXDESK_DSN")
            .stdin(Stdio::null())
            .spawn()
            .expect("the app starts a second time");
        let started = Instant::now();
        while started.elapsed() < timeout {
            if let Some(status) = child.try_wait().expect("the second launch's status") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// Resident memory of the app under test, in KiB: every process the
    /// driver's process group holds (the app, its WebKit web and network
    /// processes) except the driver and WebKitWebDriver themselves.
    pub fn app_memory_kib(&self) -> u64 {
        self.app_processes()
            .iter()
            .map(|process| {
                std::fs::read_to_string(process.join("status"))
                    .unwrap_or_default()
                    .lines()
                    .find(|line| line.starts_with("VmRSS:"))
                    .and_then(|line| line.split_whitespace().nth(1))
                    .and_then(|kib| kib.parse::<u64>().ok())
                    .unwrap_or(0)
            })
            .sum()
    }

    /// The `/proc` folders of the app's processes (see `app_memory_kib`).
    fn app_processes(&self) -> Vec<PathBuf> {
        let group = self.child.id().to_string();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
                continue;
            };
            // pid (comm) state ppid pgrp ...; comm may hold spaces.
            let Some((comm, rest)) = stat.rsplit_once(") ") else {
                continue;
            };
            let name = comm.split_once('(').map(|(_, name)| name).unwrap_or("");
            let mut fields = rest.split_whitespace();
            let state = fields.next().unwrap_or("");
            let pgrp = fields.nth(1).unwrap_or("");
            // A zombie has exited; it only waits to be reaped.
            if pgrp != group
                || state == "Z"
                || name.contains("tauri-driver")
                || name.contains("WebKitWebDrive")
            {
                continue;
            }
            found.push(path);
        }
        found
    }

    /// Waits (up to 15 s) until the app launched before has exited: a new
    /// launch while it still holds its single-instance name would hand over
    /// to it and exit.
    fn wait_for_previous_app(&self) {
        let started = Instant::now();
        while !self.app_processes().is_empty() && started.elapsed() < Duration::from_secs(15) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits up to `timeout` for an element matching `css`.
pub async fn element(client: &Client, css: &str, timeout: Duration) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(timeout)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no element {css} within {timeout:?}: {error}"))
}

/// Waits for an element matching `css` and clicks it. A re-render can replace
/// the element between finding and clicking it, so a stale one is found again.
pub async fn click(client: &Client, css: &str, timeout: Duration) {
    let started = Instant::now();
    loop {
        let error = match element(client, css, timeout).await.click().await {
            Ok(_) => return,
            Err(error) => error,
        };
        let stale = is_stale(&error);
        assert!(
            stale && started.elapsed() < timeout,
            "cannot click {css}: {error}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether WebDriver refused because the element left the page.
pub fn is_stale(error: &fantoccini::error::CmdError) -> bool {
    let message = error.to_string();
    message.contains("stale") || message.contains("was not found")
}

/// Polls `read` until it returns `Some`, or panics after `timeout` with `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut read: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = read().await {
            return value;
        }
        assert!(
            started.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of `css` once it is there, asked again if a re-render replaced it.
/// On a timeout it saves a screenshot and says what the page showed instead.
pub async fn text_of(client: &Client, css: &str, timeout: Duration) -> String {
    let started = Instant::now();
    loop {
        let found = match client.find(Locator::Css(css)).await {
            Ok(found) => found.prop("textContent").await.map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        match found {
            Ok(text) => return text.unwrap_or_default(),
            Err(error) if started.elapsed() >= timeout => {
                let name = format!(
                    "timeout-{}",
                    css.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                );
                let picture = match client.screenshot().await {
                    Ok(png) => {
                        let path = target_dir().join("e2e").join(format!("{name}.png"));
                        let _ = std::fs::create_dir_all(target_dir().join("e2e"));
                        let _ = std::fs::write(&path, png);
                        path.display().to_string()
                    }
                    Err(error) => format!("no screenshot: {error}"),
                };
                let page = client
                    .execute(
                        "return document.body ? document.body.innerText.slice(0, 600) : '';",
                        vec![],
                    )
                    .await
                    .map(|text| text.to_string())
                    .unwrap_or_else(|error| format!("(the page did not answer: {error})"));
                panic!(
                    "timed out after {timeout:?} waiting for {css} ({error}); {picture}; the page showed: {page}"
                );
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Saves a PNG screenshot of the window under `target/e2e/`.
pub async fn save_screenshot(client: &Client, name: &str) -> PathBuf {
    let png = client.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
    let folder = target_dir().join("e2e");
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    path
}

/// The demo instance's dashboard admin (see `crates/fluxdesk-sandbox/sql/demo/demo.sql`).
pub const DEMO_ADMIN: (&str, &str) = ("admin@fluxdesk.demo", "fluxdesk-demo-admin");

/// Clears an input and types `value` into it.
pub async fn type_into(client: &Client, css: &str, value: &str, timeout: Duration) {
    let input = element(client, css, timeout).await;
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

/// Passes the admin gate of the instance just opened: agrees to install
/// Fluxdesk's schema when asked, then signs in with `email` and `password`.
pub async fn sign_in(client: &Client, email: &str, password: &str, timeout: Duration) {
    loop {
        let gate = eventually("the admin gate", timeout, || async {
            for (css, state) in [
                ("#admin-bar", "signed-in"),
                ("#install-schema", "install"),
                ("#sign-in-email", "sign-in"),
            ] {
                if client.find(Locator::Css(css)).await.is_ok() {
                    return Some(state);
                }
            }
            None
        })
        .await;
        match gate {
            "signed-in" => return,
            "install" => {
                click(client, "#install-schema", timeout).await;
                eventually("the schema installed", timeout, || async {
                    client
                        .find(Locator::Css("#install-schema"))
                        .await
                        .is_err()
                        .then_some(())
                })
                .await;
            }
            _ => {
                // A re-render while keys arrive can drop some: type again
                // until both fields hold exactly what was meant.
                for _ in 0..3 {
                    type_into(client, "#sign-in-email", email, timeout).await;
                    type_into(client, "#sign-in-password", password, timeout).await;
                    if field_value(client, "#sign-in-email").await == email
                        && field_value(client, "#sign-in-password").await == password
                    {
                        break;
                    }
                }
                click(client, "#sign-in-submit", timeout).await;
                text_of(client, "#admin-bar", timeout).await;
                return;
            }
        }
    }
}

/// An input's current value, `""` when it is not there.
async fn field_value(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(field) => field.prop("value").await.ok().flatten().unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// How long the field helpers below wait for their element.
const FIELD_PATIENCE: Duration = Duration::from_secs(30);

/// Replaces a textarea's text as typing would (uncontrolled inputs keep it).
pub async fn set_textarea(client: &Client, css: &str, value: &str) {
    set_input(client, css, value).await;
}

/// Sets an input's (or textarea's) value as typing would, firing `input`.
pub async fn set_input(client: &Client, css: &str, value: &str) {
    element(client, css, FIELD_PATIENCE).await;
    client
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![css.into(), value.into()],
        )
        .await
        .unwrap();
}

/// Double-clicks a cell of grid row `row` to open its editor.
pub async fn edit_cell(client: &Client, row: usize, column: &str) {
    let css = format!(".grid-row[data-row-index='{row}'] .cell-slot[data-column='{column}'] .grid-cell");
    element(client, &css, FIELD_PATIENCE).await;
    client
        .execute(
            "document.querySelector(arguments[0]).dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));",
            vec![css.into()],
        )
        .await
        .unwrap();
    element(client, ".cell-editor", FIELD_PATIENCE).await;
}

/// Types `value` into the editor of row `row`'s `column` and stages it.
pub async fn stage_edit(client: &Client, row: usize, column: &str, value: &str) {
    edit_cell(client, row, column).await;
    set_input(client, ".cell-editor", value).await;
    click(client, ".stage-cell", FIELD_PATIENCE).await;
}
