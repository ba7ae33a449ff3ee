//! `fluxdesk-cli profiles ...`, `--profile`, and `query` under each
//! protection, with the real OS keyring (the test command's private Secret
//! Service) and a real PostgreSQL.

use fluxdesk_sandbox::{Seed, TestDatabase, fresh_database, read_only_demo_database, shared_cluster};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Profiles {
    _folder: tempfile::TempDir,
    file: PathBuf,
}

impl Profiles {
    fn new() -> Self {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("profiles.json");
        Profiles {
            _folder: folder,
            file,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_fluxdesk-cli"));
        command
            .args(args)
            .env("FLUXDESK_PROFILES_FILE", &self.file)
            .env_remove("FLUXDESK_DSN")
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("fluxdesk-cli runs")
    }

    fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    fn stored(&self) -> String {
        std::fs::read_to_string(&self.file).unwrap_or_default()
    }
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON document")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn add(profiles: &Profiles, database: &TestDatabase, name: &str, extra: &[&str]) -> Value {
    let mut args = vec!["profiles", "add", &database.tcp_url, "--name", name, "--json"];
    args.extend_from_slice(extra);
    json(&profiles.run(&args))
}

/// What the Secret Service lists for the CLI's (debug build) entries.
fn keyring_listing() -> String {
    let listed = Command::new("secret-tool")
        .args(["search", "--all", "service", "Fluxdesk (development build)"])
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    String::from_utf8_lossy(&listed.stdout).to_string() + &String::from_utf8_lossy(&listed.stderr)
}

fn psql(database: &TestDatabase, sql: &str) -> String {
    shared_cluster().psql(&database.name, sql).unwrap()
}

#[test]
fn profiles_are_added_used_tested_and_removed_with_their_secret() {
    let profiles = Profiles::new();
    let database = read_only_demo_database();
    let entry = add(&profiles, database, "CLI staging", &["--env", "staging"]);
    assert_eq!(
        entry["password"], "saved",
        "the URL's password went to the keyring"
    );
    assert_eq!(entry["profile"]["environment"]["kind"], "staging");
    assert_eq!(
        entry["profile"]["protection"], "confirm_writes",
        "staging confirms writes by default"
    );
    let stored = profiles.stored();
    assert!(stored.contains("CLI staging"));
    assert!(
        !stored.contains(&database.password),
        "no password in the profiles file:\n{stored}"
    );

    let listed = json(&profiles.run(&["profiles", "list", "--json"]));
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["profile"]["name"] == "CLI staging")
    );

    let tables = json(&profiles.run(&["--profile", "cli staging", "tables", "public", "--json"]));
    assert!(
        tables.as_array().unwrap().iter().any(|t| t["name"] == "todos"),
        "--profile works on every verb"
    );

    let diagnosis = json(&profiles.run(&["profiles", "test", "CLI staging", "--json"]));
    assert_eq!(diagnosis["connected"], true);
    assert_eq!(diagnosis["layout"], "dashboard");

    assert!(
        keyring_listing().contains("label = CLI staging ["),
        "the keyring holds an entry named after the profile"
    );
    let removed = json(&profiles.run(&["profiles", "remove", "CLI staging", "--json"]));
    assert_eq!(removed["removed"], "CLI staging");
    assert!(!profiles.stored().contains("CLI staging"));
    let keyring = Command::new("secret-tool")
        .args(["search", "--all", "service", "Fluxdesk (development build)"])
        .output()
        .unwrap();
    let keyring =
        String::from_utf8_lossy(&keyring.stdout).to_string() + &String::from_utf8_lossy(&keyring.stderr);
    assert!(
        !keyring.contains("CLI staging"),
        "removing the profile removed its secret:\n{keyring}"
    );
    let gone = profiles.run(&["--profile", "CLI staging", "tables"]);
    assert_eq!(gone.status.code(), Some(4));
}

#[test]
fn read_only_profiles_refuse_every_write_from_the_cli() {
    let profiles = Profiles::new();
    let database = fresh_database(Seed::Demo);
    add(
        &profiles,
        &database,
        "CLI read-only",
        &["--protection", "read-only"],
    );
    let before = psql(&database, "SELECT count(*) FROM public.todos WHERE done");
    for sql in [
        "UPDATE public.todos SET done = true",
        "DELETE FROM public.todos",
        "INSERT INTO public.projects (owner_id, name) SELECT id, 'x' FROM auth.users LIMIT 1",
        "DROP TABLE public.events",
    ] {
        let output = profiles.run(&["--profile", "CLI read-only", "query", sql, "--yes"]);
        assert_eq!(output.status.code(), Some(5), "{sql}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("read-only"),
            "{sql}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output).trim_end().lines().count(), 1);
    }
    assert_eq!(
        psql(&database, "SELECT count(*) FROM public.todos WHERE done"),
        before
    );
    assert_eq!(
        psql(&database, "SELECT to_regclass('public.events') IS NOT NULL"),
        "t"
    );
    let read = json(&profiles.run(&[
        "--profile",
        "CLI read-only",
        "query",
        "SELECT count(*) AS n FROM public.todos",
        "--json",
    ]));
    assert_eq!(read["rows"][0]["n"], 250);
    assert_eq!(read["outcome"], "done");
}

#[test]
fn confirm_writes_profiles_commit_only_when_told() {
    let profiles = Profiles::new();
    let database = fresh_database(Seed::Demo);
    add(
        &profiles,
        &database,
        "CLI confirm",
        &["--protection", "confirm-writes"],
    );
    let sql = "UPDATE public.todos SET done = true WHERE NOT done";
    let open_before = psql(&database, "SELECT count(*) FROM public.todos WHERE NOT done");

    // No terminal to ask, no --yes: rolled back, and the script is told.
    let refused = profiles.run(&["--profile", "CLI confirm", "query", sql]);
    assert_eq!(refused.status.code(), Some(6), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains(&format!("would affect {open_before} rows")),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        psql(&database, "SELECT count(*) FROM public.todos WHERE NOT done"),
        open_before
    );

    let committed = json(&profiles.run(&["--profile", "CLI confirm", "query", sql, "--yes", "--json"]));
    assert_eq!(committed["outcome"], "committed");
    assert_eq!(committed["rows_affected"].to_string(), open_before);
    assert_eq!(
        psql(&database, "SELECT count(*) FROM public.todos WHERE NOT done"),
        "0"
    );
}

#[test]
fn asking_profiles_read_the_password_from_stdin() {
    let profiles = Profiles::new();
    let database = read_only_demo_database();
    let entry = add(&profiles, database, "CLI ask", &["--ask-password"]);
    assert_eq!(entry["password"], "ask_every_time");
    let without = profiles.run(&["--profile", "CLI ask", "schemas"]);
    assert_eq!(without.status.code(), Some(2), "{}", stderr(&without));
    assert!(
        stderr(&without).contains("asks for its password"),
        "{}",
        stderr(&without)
    );
    let with = profiles.run_with_stdin(
        &["--profile", "CLI ask", "--password-stdin", "schemas", "--json"],
        &format!("{}\n", database.password),
    );
    assert!(
        json(&with)
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "auth")
    );
}

#[test]
fn without_a_keyring_nothing_is_saved_and_the_user_is_told() {
    let profiles = Profiles::new();
    let database = read_only_demo_database();
    let output = profiles
        .command(&["profiles", "add", &database.tcp_url, "--name", "No keyring"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("keyring is not available"), "{message}");
    assert!(
        message.contains("ask for the password every time"),
        "the way out is offered: {message}"
    );
    assert!(
        !profiles.stored().contains("No keyring"),
        "no profile without its password, and no file fallback"
    );
    assert!(!profiles.stored().contains(&database.password));

    let asking = profiles
        .command(&[
            "profiles",
            "add",
            &database.tcp_url,
            "--name",
            "No keyring",
            "--ask-password",
            "--json",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert_eq!(json(&asking)["password"], "ask_every_time");
}

/// A network namespace whose only route leads into a link that drops every
/// packet: connecting from it to any address hangs, as to an unroutable host.
struct Blackhole {
    name: String,
    link: String,
}

/// `ip` as root: directly when we are root, else through `sudo -n` (as the
/// test command's set-up does for apt).
fn privileged(program: &str) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false);
    if root {
        Command::new(program)
    } else {
        let mut command = Command::new("sudo");
        command.args(["-n", program]);
        command
    }
}

fn ip(args: &[&str]) {
    let status = privileged("ip")
        .args(args)
        .status()
        .expect("iproute2 is installed");
    assert!(
        status.success(),
        "ip {args:?} failed: the unroutable-host test needs root or passwordless sudo"
    );
}

impl Blackhole {
    fn new() -> Self {
        let tag = format!(
            "{:x}",
            (std::process::id() as u128
                ^ std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos())
                & 0xff_ffff
        );
        let name = format!("fluxdesk-blackhole-{tag}");
        let link = format!("fdbh{tag}");
        let peer = format!("{link}p");
        // Leftovers of a crashed run under the same names would make `add` fail.
        let _ = privileged("ip").args(["netns", "del", &name]).status();
        let _ = privileged("ip").args(["link", "del", &peer]).status();
        ip(&["netns", "add", &name]);
        let hole = Blackhole {
            name: name.clone(),
            link: link.clone(),
        };
        ip(&["link", "add", &link, "type", "veth", "peer", "name", &peer]);
        ip(&["link", "set", &link, "netns", &name]);
        ip(&["link", "set", &peer, "up"]);
        ip(&["netns", "exec", &name, "ip", "link", "set", "lo", "up"]);
        ip(&[
            "netns",
            "exec",
            &name,
            "ip",
            "addr",
            "add",
            "10.254.0.1/30",
            "dev",
            &link,
        ]);
        ip(&["netns", "exec", &name, "ip", "link", "set", &link, "up"]);
        // A gateway that exists only as a permanent neighbour entry: packets
        // leave, reach the peer (which has no address) and are dropped.
        ip(&[
            "netns",
            "exec",
            &name,
            "ip",
            "neigh",
            "add",
            "10.254.0.2",
            "lladdr",
            "02:00:00:00:00:01",
            "dev",
            &link,
            "nud",
            "permanent",
        ]);
        ip(&[
            "netns",
            "exec",
            &name,
            "ip",
            "route",
            "add",
            "default",
            "via",
            "10.254.0.2",
        ]);
        hole
    }
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        let _ = privileged("ip").args(["netns", "del", &self.name]).status();
        let _ = privileged("ip")
            .args(["link", "del", &format!("{}p", self.link)])
            .status();
    }
}

#[test]
fn an_unroutable_host_times_out_within_the_connect_timeout() {
    let hole = Blackhole::new();
    let binary = Path::new(env!("CARGO_BIN_EXE_fluxdesk-cli"));
    let started = Instant::now();
    let output = privileged("ip")
        .args(["netns", "exec", &hole.name])
        .arg(binary)
        .args([
            "--dsn",
            "postgres://x@10.255.255.1:5432/db",
            "--connect-timeout",
            "2",
            "schemas",
        ])
        .env_remove("FLUXDESK_DSN")
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("timed out after 2 s"),
        "{}",
        stderr(&output)
    );
    assert!(
        elapsed < Duration::from_millis(3_500),
        "reported after {elapsed:?} for a 2 s limit"
    );
}

#[test]
fn passwords_come_from_the_keyring_or_stdin_never_from_pgpassword() {
    let profiles = Profiles::new();
    let database = read_only_demo_database();
    // Saved without a password: $PGPASSWORD holds the right one, and must not be used.
    let url_without_password = database
        .tcp_url
        .replacen(&format!(":{}@", database.password), "@", 1);
    assert_ne!(url_without_password, database.tcp_url);
    let entry = json(&profiles.run(&[
        "profiles",
        "add",
        &url_without_password,
        "--name",
        "CLI no password",
        "--json",
    ]));
    assert_eq!(entry["password"], "missing");
    let output = profiles
        .command(&["--profile", "CLI no password", "schemas"])
        .env("PGPASSWORD", &database.password)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no password is saved"),
        "{}",
        stderr(&output)
    );

    // --password-stdin keeps the password out of the command line and into the keyring.
    let added = profiles.run_with_stdin(
        &[
            "profiles",
            "add",
            &url_without_password,
            "--name",
            "CLI stdin",
            "--password-stdin",
            "--json",
        ],
        &format!("{}\n", database.password),
    );
    assert_eq!(json(&added)["password"], "saved");
    let tables = profiles.run(&["--profile", "CLI stdin", "schemas", "--json"]);
    assert!(
        json(&tables)
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "auth")
    );
    assert!(!profiles.stored().contains(&database.password));
}

#[test]
fn a_profile_whose_password_cannot_be_removed_is_kept() {
    let profiles = Profiles::new();
    let database = read_only_demo_database();
    add(&profiles, database, "CLI keep me", &[]);
    let output = profiles
        .command(&["profiles", "remove", "CLI keep me"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        profiles.stored().contains("CLI keep me"),
        "no orphaned secret: the profile stays"
    );
    // With the keyring back, it goes, secret and all.
    assert!(
        profiles
            .run(&["profiles", "remove", "CLI keep me"])
            .status
            .success()
    );
    assert!(!keyring_listing().contains("CLI keep me"));
}

#[test]
fn usage_errors_never_repeat_a_password() {
    let output = Command::new(env!("CARGO_BIN_EXE_fluxdesk-cli"))
        .args(["schemas", "postgres://ops:hunter2-secret@db.example/app"])
        .env_remove("FLUXDESK_DSN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("postgres://ops:***@db.example/app"), "{message}");
    assert!(!message.contains("hunter2-secret"), "{message}");
}
