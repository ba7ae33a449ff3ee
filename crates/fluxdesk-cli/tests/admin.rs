//! `fluxdesk-cli login`, `schema`, `admin ...` and `logout` against a real
//! PostgreSQL, with the session token in the real OS keyring.

use fluxdesk_core::second_factor::Authenticator;
use fluxdesk_sandbox::{Seed, TestDatabase, fresh_database};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const ADMIN: &str = "admin@fluxdesk.demo";
const PASSWORD: &str = "fluxdesk-demo-admin";

struct Cli {
    _folder: tempfile::TempDir,
    file: PathBuf,
    profile: String,
    database: TestDatabase,
}

impl Cli {
    /// A saved profile for a fresh demo database, with Fluxdesk's schema installed.
    fn new() -> Self {
        Self::in_environment("development")
    }

    fn in_environment(environment: &str) -> Self {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("profiles.json");
        let database = fresh_database(Seed::Demo);
        let profile = format!("cli-admin-{}", &database.name[5..13]);
        let cli = Cli {
            _folder: folder,
            file,
            profile,
            database,
        };
        let url = cli.database.url.clone();
        let added = cli.bare(&[
            "profiles",
            "add",
            &url,
            "--name",
            &cli.profile,
            "--env",
            environment,
        ]);
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
        cli
    }

    /// The CLI with this test's profiles file and no instance or admin from the environment.
    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_fluxdesk-cli"));
        command
            .env("FLUXDESK_PROFILES_FILE", &self.file)
            .stdin(Stdio::null());
        for variable in [
            "FLUXDESK_DSN",
            "FLUXDESK_ADMIN_EMAIL",
            "FLUXDESK_ADMIN_PASSWORD",
            "FLUXDESK_ADMIN_TOTP",
        ] {
            command.env_remove(variable);
        }
        command
    }

    fn bare(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("fluxdesk-cli runs")
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.command();
        command.arg("--profile").arg(&self.profile).args(args);
        command.envs(env.iter().copied());
        command.output().expect("fluxdesk-cli runs")
    }

    fn json(&self, args: &[&str], env: &[(&str, &str)]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let output = self.run(&args, env);
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    fn psql(&self, sql: &str) -> String {
        fluxdesk_sandbox::shared_cluster()
            .psql(&self.database.name, sql)
            .unwrap()
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        // Leave no session token behind in the keyring.
        let _ = self.run(&["logout"], &[]);
        let _ = self.bare(&["profiles", "remove", &self.profile]);
    }
}

fn error(output: &Output) -> Value {
    serde_json::from_slice(output.stderr.trim_ascii()).unwrap_or_else(|_| {
        panic!(
            "stderr is one JSON error: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn login_is_refused_until_the_schema_is_installed_then_admin_verbs_act_as_the_admin() {
    let cli = Cli::new();
    let refused = cli.run(
        &["login", "--email", ADMIN, "--json"],
        &[("FLUXDESK_ADMIN_PASSWORD", PASSWORD)],
    );
    assert_eq!(refused.status.code(), Some(7));
    assert_eq!(error(&refused)["code"], "schema_not_installed");

    let not_agreed = cli.run(&["schema", "install"], &[]);
    assert_eq!(
        not_agreed.status.code(),
        Some(2),
        "no terminal and no --yes: nothing installed"
    );
    let installed = cli.json(&["schema", "install", "--yes"], &[]);
    assert_eq!(installed["up_to_date"], true);

    let before_login = cli.run(&["admin", "users", "list", "--json"], &[]);
    assert_eq!(before_login.status.code(), Some(7));
    assert_eq!(error(&before_login)["code"], "sign_in_required");

    let wrong = cli.run(
        &["login", "--email", ADMIN, "--json"],
        &[("FLUXDESK_ADMIN_PASSWORD", "nope")],
    );
    assert_eq!(wrong.status.code(), Some(7));
    assert_eq!(error(&wrong)["code"], "authentication_failed");

    let session = cli.json(
        &["login", "--email", ADMIN],
        &[("FLUXDESK_ADMIN_PASSWORD", PASSWORD)],
    );
    assert_eq!(session["email"], ADMIN);
    let admins = cli.json(&["admin", "users", "list"], &[]);
    assert_eq!(admins.as_array().unwrap().len(), 2);
    let support = cli.json(&["admin", "users", "get", "support@fluxdesk.demo"], &[]);
    assert_eq!(support[0]["role"], "dashboard_user");

    let invited = cli.json(
        &[
            "admin",
            "users",
            "invite",
            "--email",
            "new@example.com",
            "--role",
            "dashboard_admin",
        ],
        &[],
    );
    let token = invited[0]["token"].as_str().unwrap().to_owned();
    assert_eq!(invited[0]["status"], "pending");
    let pending = cli.json(&["admin", "invitations", "list"], &[]);
    assert!(
        pending
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["token"] == token.as_str())
    );
    cli.psql("UPDATE dashboard.invitation_tokens SET expires_at = now() - interval '1 minute'");
    let pending = cli.json(&["admin", "invitations", "list"], &[]);
    assert!(
        pending.as_array().unwrap().is_empty(),
        "an expired invitation is not pending"
    );
    let all = cli.json(&["admin", "invitations", "list", "--include-expired"], &[]);
    assert_eq!(all[0]["status"], "expired");
    assert_eq!(
        cli.json(&["admin", "invitations", "revoke", &token], &[])["revoked"],
        token.as_str()
    );

    let app_sessions = cli.json(&["admin", "sessions", "list"], &[]);
    let first = &app_sessions[0];
    assert_eq!(first["kind"], "app");
    let revoked = cli.json(
        &[
            "admin",
            "sessions",
            "revoke",
            first["id"].as_str().unwrap(),
            "--token-id",
            "jti-cli",
        ],
        &[],
    );
    assert_eq!(
        (revoked["kind"].as_str(), revoked["token_blacklisted"].as_bool()),
        (Some("app"), Some(true))
    );
    assert_eq!(
        cli.psql("SELECT count(*) FROM auth.token_blacklist WHERE token_jti = 'jti-cli'")
            .trim(),
        "1"
    );
    let all_revoked = cli.json(
        &[
            "admin",
            "sessions",
            "revoke-all",
            first["user_id"].as_str().unwrap(),
        ],
        &[],
    );
    assert!(all_revoked["revoked"].as_u64().is_some());

    let admin_sessions = cli.json(&["admin", "sessions", "list", "--admin"], &[]);
    assert!(
        admin_sessions
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["current"] == true)
    );

    let reset = cli.json(
        &["admin", "password-reset", "--email", "support@fluxdesk.demo"],
        &[],
    );
    assert_eq!(reset["kind"], "reset_token");
    let temporary = cli.json(
        &[
            "admin",
            "password-reset",
            "--email",
            "support@fluxdesk.demo",
            "--temporary-password",
        ],
        &[],
    );
    let temporary_password = temporary["password"].as_str().unwrap();
    assert_eq!(temporary_password.len(), 16);

    let not_confirmed = cli.run(&["admin", "users", "delete", "support@fluxdesk.demo"], &[]);
    assert_eq!(not_confirmed.status.code(), Some(2));
    let deleted = cli.json(
        &["admin", "users", "delete", "support@fluxdesk.demo", "--yes"],
        &[],
    );
    assert_eq!(deleted[0]["email"], "support@fluxdesk.demo");

    let actions = cli.psql("SELECT string_agg(DISTINCT action, ',') FROM fluxdesk.audit_events WHERE client_version LIKE 'fluxdesk-cli %'");
    for action in [
        "admin.sign_in",
        "admin.invite",
        "admin.invitation.revoke",
        "session.revoke",
        "session.revoke_all",
        "admin.password_reset",
        "admin.delete",
    ] {
        assert!(actions.contains(action), "{action} audited: {actions}");
    }

    // Revoked elsewhere: the kept token stops working.
    cli.psql("DELETE FROM dashboard.sessions WHERE user_agent LIKE 'fluxdesk-cli %'");
    let revoked = cli.run(&["admin", "users", "list", "--json"], &[]);
    assert_eq!(revoked.status.code(), Some(7));
    assert_eq!(error(&revoked)["code"], "sign_in_required");
}

#[test]
fn login_with_totp_and_logout_deletes_the_session_row() {
    let cli = Cli::new();
    cli.json(&["schema", "install", "--yes"], &[]);
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    cli.psql(&format!(
        "UPDATE dashboard.users SET totp_enabled = true, totp_secret = '{secret}' WHERE email = '{ADMIN}'"
    ));
    let env = [("FLUXDESK_ADMIN_PASSWORD", PASSWORD)];
    let without_code = cli.run(&["login", "--email", ADMIN, "--json"], &env);
    assert_eq!(without_code.status.code(), Some(7));
    assert!(
        error(&without_code)["message"]
            .as_str()
            .unwrap()
            .contains("--totp")
    );
    let code = Authenticator::from_base32(secret, ADMIN)
        .unwrap()
        .code_at(chrono::Utc::now());
    let session = cli.json(&["login", "--email", ADMIN, "--totp", &code], &env);
    assert_eq!(session["totp_enabled"], true);
    let replay = cli.run(&["login", "--email", ADMIN, "--totp", &code, "--json"], &env);
    assert_eq!(
        error(&replay)["code"],
        "authentication_failed",
        "a code works once"
    );
    let rows = cli.psql(&format!(
        "SELECT count(*) FROM dashboard.sessions WHERE id = '{}'",
        session["session_id"].as_str().unwrap()
    ));
    assert_eq!(rows.trim(), "1");
    assert_eq!(cli.json(&["logout"], &[])["signed_out"], true);
    let rows = cli.psql(&format!(
        "SELECT count(*) FROM dashboard.sessions WHERE id = '{}'",
        session["session_id"].as_str().unwrap()
    ));
    assert_eq!(rows.trim(), "0", "logout deletes the row");
    assert_eq!(cli.json(&["logout"], &[])["signed_out"], false);
}

#[test]
fn production_admin_changes_need_a_step_up_unless_just_signed_in() {
    let cli = Cli::in_environment("production");
    cli.json(&["schema", "install", "--yes"], &[]);
    let env = [("FLUXDESK_ADMIN_PASSWORD", PASSWORD)];
    cli.json(&["login", "--email", ADMIN], &env);
    // A later command resumes the kept session: it must confirm first.
    let refused = cli.run(
        &[
            "admin",
            "users",
            "delete",
            "support@fluxdesk.demo",
            "--yes",
            "--json",
        ],
        &[],
    );
    assert_eq!(refused.status.code(), Some(7));
    assert_eq!(error(&refused)["code"], "step_up_required");
    assert_eq!(
        cli.psql("SELECT count(*) FROM dashboard.users WHERE deleted_at IS NULL")
            .trim(),
        "2"
    );
    let wrong = cli.run(
        &[
            "admin",
            "users",
            "delete",
            "support@fluxdesk.demo",
            "--yes",
            "--json",
        ],
        &[("FLUXDESK_ADMIN_PASSWORD", "nope")],
    );
    assert_eq!(error(&wrong)["code"], "authentication_failed");
    let deleted = cli.json(
        &["admin", "users", "delete", "support@fluxdesk.demo", "--yes"],
        &env,
    );
    assert_eq!(deleted[0]["email"], "support@fluxdesk.demo");
    // Signed in by the command itself (one-shot), the sign-in is the step-up.
    cli.json(&["logout"], &[]);
    let one_shot = cli.json(
        &[
            "admin",
            "sessions",
            "revoke-all",
            "d0000000-0000-4000-8000-000000000001",
        ],
        &[
            ("FLUXDESK_ADMIN_EMAIL", ADMIN),
            ("FLUXDESK_ADMIN_PASSWORD", PASSWORD),
        ],
    );
    assert!(one_shot["revoked"].as_u64().unwrap() >= 1);
}

#[test]
fn impersonate_runs_a_query_as_a_user_anon_or_the_service_role_and_writes_are_dry_runs() {
    let cli = Cli::new();
    cli.json(&["schema", "install", "--yes"], &[]);
    let one_shot = [
        ("FLUXDESK_ADMIN_EMAIL", ADMIN),
        ("FLUXDESK_ADMIN_PASSWORD", PASSWORD),
    ];
    // Without an admin it is refused, and nothing is recorded.
    let refused = cli.run(
        &[
            "impersonate",
            "--anon",
            "--reason",
            "x",
            "query",
            "SELECT 1",
            "--json",
        ],
        &[],
    );
    assert_eq!(refused.status.code(), Some(7));
    assert_eq!(error(&refused)["code"], "sign_in_required");

    let bobs =
        cli.psql("SELECT count(*) FROM public.todos WHERE user_id = 'a0000000-0000-4000-8000-000000000002'");
    let as_bob = cli.json(
        &[
            "impersonate",
            "--user",
            "BOB@example.com",
            "--reason",
            "ticket 4411",
            "query",
            "SELECT count(*) AS seen, auth.uid() AS uid FROM public.todos",
        ],
        &one_shot,
    );
    assert_eq!(as_bob["outcome"], "done");
    assert_eq!(as_bob["impersonation"]["email"], "bob@example.com");
    assert_eq!(as_bob["impersonation"]["database_role"], "authenticated");
    assert_eq!(as_bob["rows"][0]["seen"].to_string(), bobs.trim());
    assert_eq!(as_bob["rows"][0]["uid"], "a0000000-0000-4000-8000-000000000002");

    // A write is a dry run: its count is reported, nothing changes.
    let before = cli.psql("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.todos t");
    let dry = cli.json(
        &[
            "impersonate",
            "--user-id",
            "a0000000-0000-4000-8000-000000000002",
            "--reason",
            "try the fix",
            "query",
            "UPDATE public.todos SET done = NOT done",
        ],
        &one_shot,
    );
    assert_eq!(dry["outcome"], "dry_run");
    assert_eq!(dry["rows_affected"].to_string(), bobs.trim());
    assert_eq!(
        cli.psql("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.todos t"),
        before
    );

    // anon lacks the GRANT: exit 5 with the reason.
    let denied = cli.run(
        &[
            "impersonate",
            "--anon",
            "--reason",
            "public view",
            "query",
            "SELECT * FROM public.todos",
            "--json",
        ],
        &one_shot,
    );
    assert_eq!(denied.status.code(), Some(5));
    let denial = error(&denied);
    assert_eq!(denial["code"], "permission_denied");
    assert!(denial["message"].as_str().unwrap().contains("GRANT SELECT"));

    let service = cli.json(
        &[
            "impersonate",
            "--service",
            "--reason",
            "compare",
            "query",
            "SELECT count(*) AS seen FROM public.todos",
        ],
        &one_shot,
    );
    assert_eq!(
        service["rows"][0]["seen"].to_string(),
        cli.psql("SELECT count(*) FROM public.todos").trim()
    );

    // Every run was recorded, and ended when the command ended.
    assert_eq!(
        cli.psql(
            "SELECT string_agg(impersonation_type || ':' || is_active::text, ',' ORDER BY started_at) \
             FROM auth.impersonation_sessions WHERE user_agent LIKE 'Fluxdesk %'"
        )
        .trim(),
        "user:false,user:false,anon:false,service:false"
    );
    assert_eq!(
        cli.psql("SELECT count(*) FROM fluxdesk.audit_events WHERE action = 'impersonation.statement'")
            .trim(),
        "4"
    );
}

#[test]
fn users_verbs_list_page_and_change_app_users_as_the_admin_with_stable_json() {
    let cli = Cli::new();
    cli.json(&["schema", "install", "--yes"], &[]);
    let env = [
        ("FLUXDESK_ADMIN_EMAIL", ADMIN),
        ("FLUXDESK_ADMIN_PASSWORD", PASSWORD),
    ];
    let refused = cli.run(&["users", "list", "--json"], &[]);
    assert_eq!(refused.status.code(), Some(7), "needs a signed-in admin");

    // Pages by key: three pages of 400 hold every one of the demo's 1,010 users once.
    let mut pages = vec![cli.json(&["users", "list", "--sort", "email", "--limit", "400"], &env)];
    while let Some(next) = pages.last().unwrap()["next"].as_str().map(str::to_owned) {
        pages.push(cli.json(
            &[
                "users", "list", "--sort", "email", "--limit", "400", "--after", &next,
            ],
            &env,
        ));
    }
    assert_eq!(pages.len(), 3);
    let first = &pages[0];
    let mut emails: Vec<String> = pages
        .iter()
        .flat_map(|page| page["users"].as_array().unwrap().clone())
        .map(|user| user["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(emails.len(), 1010);
    let listed = emails.clone();
    emails.sort();
    assert_eq!(listed, emails, "sorted by email");
    let user = &first["users"][0];
    for field in [
        "id",
        "email",
        "role",
        "email_verified",
        "created_at",
        "last_sign_in_at",
        "active_sessions",
        "providers",
        "totp_enabled",
        "locked",
        "locked_until",
        "user_metadata",
        "app_metadata",
    ] {
        assert!(user.get(field).is_some(), "{field} in {user}");
    }
    let admins = cli.json(
        &["users", "list", "--role", "admin", "--search", "demo user 1"],
        &env,
    );
    assert!(
        admins["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["role"] == "admin")
    );
    let expected: i64 = cli
        .psql("SELECT count(*) FROM auth.users WHERE role = 'admin' AND user_metadata->>'full_name' ILIKE '%demo user 1%'")
        .parse()
        .unwrap();
    assert!(expected > 0);
    assert_eq!(admins["matching"]["count"], expected);

    let invited = cli.json(&["users", "invite", "--email", "cli.person@example.com"], &env);
    assert_eq!(invited["user"]["role"], "user");
    assert_eq!(invited["credential"]["kind"], "temporary_password");
    let taken = cli.run(
        &["users", "invite", "--email", "cli.person@example.com", "--json"],
        &env,
    );
    assert_eq!(taken.status.code(), Some(2));
    assert!(
        error(&taken)["message"]
            .as_str()
            .unwrap()
            .contains("already a user")
    );

    let bob = cli.json(&["users", "set-role", "bob@example.com", "support"], &env);
    assert_eq!(bob["role"], "support");
    let bad = cli.run(
        &[
            "users",
            "set-metadata",
            "bob@example.com",
            "{oops",
            "--app",
            "--json",
        ],
        &env,
    );
    assert_eq!(bad.status.code(), Some(2));
    cli.json(
        &[
            "users",
            "set-metadata",
            "bob@example.com",
            r#"{"plan":"team"}"#,
            "--app",
        ],
        &env,
    );
    assert_eq!(
        cli.psql("SELECT app_metadata->>'plan' FROM auth.users WHERE email = 'bob@example.com'"),
        "team"
    );

    let reset = cli.json(&["users", "reset-password", "bob@example.com", "--token"], &env);
    assert_eq!(reset["credential"]["kind"], "token");
    assert!(reset["sessions_revoked"].as_u64().unwrap() > 0);
    assert_eq!(cli.psql("SELECT count(*) FROM auth.sessions s JOIN auth.users u ON u.id = s.user_id WHERE u.email = 'bob@example.com'"), "0");

    let locked = cli.json(&["users", "lock", "carol@example.com", "--until", "2h"], &env);
    assert_eq!(locked["user"]["locked"], true);
    let unlocked = cli.json(&["users", "unlock", "carol@example.com"], &env);
    assert_eq!(unlocked["locked"], false);
    let revoked = cli.json(&["users", "revoke-sessions", "alice@example.com"], &env);
    assert!(revoked["revoked"].as_u64().unwrap() > 0);

    let detail = cli.json(&["users", "get", "alice@example.com"], &env);
    assert!(
        detail["cascades"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["table"] == "auth.oauth_links" && c["rows"] == 1)
    );
    assert!(
        detail["audit_events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "user.sessions.revoke_all")
    );

    let no_terminal = cli.run(&["users", "delete", "alice@example.com"], &env);
    assert_eq!(
        no_terminal.status.code(),
        Some(2),
        "no terminal and no --yes: not deleted"
    );
    let deleted = cli.json(&["users", "delete", "alice@example.com", "--yes"], &env);
    assert_eq!(deleted["deleted"]["email"], "alice@example.com");
    assert_eq!(
        cli.psql("SELECT count(*) FROM auth.users WHERE email = 'alice@example.com'"),
        "0"
    );

    let ids = cli.psql("SELECT string_agg(id::text, ' ') FROM auth.users WHERE email IN ('ivan@example.com', 'judy@example.com')");
    let mut args = vec!["users", "bulk", "revoke-sessions"];
    args.extend(ids.split(' '));
    args.push("--yes");
    let bulk = cli.json(&args, &env);
    assert_eq!(bulk["users"], 2);
    assert_eq!(
        cli.psql("SELECT count(*) FROM fluxdesk.audit_events WHERE action = 'user.bulk'"),
        "1"
    );
}

#[test]
fn audit_verbs_list_the_merged_log_export_a_bundle_and_verify_and_show_it_offline() {
    let cli = Cli::new();
    cli.json(&["schema", "install", "--yes"], &[]);
    let env = [
        ("FLUXDESK_ADMIN_EMAIL", ADMIN),
        ("FLUXDESK_ADMIN_PASSWORD", PASSWORD),
    ];
    let refused = cli.run(&["audit", "list", "--json"], &[]);
    assert_eq!(refused.status.code(), Some(7), "needs a signed-in admin");

    let page = cli.json(&["audit", "list", "--limit", "500"], &env);
    let sources: std::collections::HashSet<&str> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["source"].as_str().unwrap())
        .collect();
    for source in ["fluxdesk", "activity_log", "impersonation", "security"] {
        assert!(sources.contains(source), "{source} in {sources:?}");
    }
    let failures = cli.json(
        &[
            "audit",
            "list",
            "--source",
            "security",
            "--outcome",
            "failure",
            "--limit",
            "500",
        ],
        &env,
    );
    let failures = failures["entries"].as_array().unwrap();
    assert!(!failures.is_empty());
    assert!(
        failures
            .iter()
            .all(|entry| entry["source"] == "security" && entry["outcome"] == "failure")
    );
    let typo = cli.run(&["audit", "list", "--source", "sekurity", "--json"], &env);
    assert_eq!(typo.status.code(), Some(2));

    // Export: signing in from the environment counts as the step-up.
    let folder = tempfile::tempdir().unwrap();
    let bundle = folder.path().join("audit.fxaudit");
    let exported = cli.json(&["audit", "export", "--out", bundle.to_str().unwrap()], &env);
    let events = exported["events"].as_u64().unwrap();
    let key = exported["public_key"].as_str().unwrap().to_owned();
    assert!(events >= 2 && bundle.exists());
    assert_eq!(
        cli.database
            .psql("SELECT string_agg(action, ',' ORDER BY seq) FROM (SELECT action, seq FROM fluxdesk.audit_events ORDER BY seq DESC LIMIT 2) last"),
        "audit.export,admin.sign_out",
        "the export is audited, then the one-command session ends"
    );

    // Offline: no --profile, no instance.
    let verify = |file: &std::path::Path, key: &str| {
        let output = cli.bare(&[
            "audit",
            "verify",
            file.to_str().unwrap(),
            "--public-key",
            key,
            "--json",
        ]);
        let review: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        (output.status.code(), review)
    };
    let (status, review) = verify(&bundle, &key);
    assert_eq!(status, Some(0), "{review}");
    assert_eq!(review["key_pinned"], true);
    assert_eq!(review["events"].as_u64(), Some(events));
    let other_key = "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=";
    let (status, review) = verify(&bundle, other_key);
    assert_eq!(status, Some(8));
    assert_eq!(review["key_pinned"], false);

    let text = std::fs::read_to_string(&bundle).unwrap();
    let tampered = folder.path().join("tampered.fxaudit");
    std::fs::write(
        &tampered,
        text.replacen("\"outcome\":\"success\"", "\"outcome\":\"failure\"", 1),
    )
    .unwrap();
    let (status, review) = verify(&tampered, &key);
    assert_eq!(status, Some(8));
    assert_eq!(review["first_problem"]["position"], 1, "{review}");

    let csv = folder.path().join("sign-ins.csv");
    let shown = cli.bare(&[
        "audit",
        "show",
        bundle.to_str().unwrap(),
        "--action",
        "admin.sign_in",
        "--summary",
        "--impersonations",
        "--csv",
        csv.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    let matching = shown["matching"].as_u64().unwrap();
    assert!(matching >= 1);
    assert!(
        shown["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|entry| entry["action"] == "admin.sign_in")
    );
    assert_eq!(shown["summary"]["by_action"][0]["key"], "admin.sign_in");
    assert_eq!(shown["csv_rows"].as_u64(), Some(matching));
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap().lines().count() as u64,
        matching + 1
    );

    // Encrypted: the passphrase comes from the environment.
    let sealed = folder.path().join("sealed.fxaudit");
    let passphrase = [("FLUXDESK_BUNDLE_PASSPHRASE", "a passphrase for reviewers")];
    let with_passphrase: Vec<(&str, &str)> = env.iter().chain(passphrase.iter()).copied().collect();
    cli.json(
        &["audit", "export", "--out", sealed.to_str().unwrap(), "--encrypt"],
        &with_passphrase,
    );
    let mut verify_sealed = cli.command();
    verify_sealed.args(["audit", "verify", sealed.to_str().unwrap()]);
    let no_passphrase = verify_sealed.output().unwrap();
    assert_eq!(no_passphrase.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_passphrase.stderr).contains("passphrase"));
    let mut wrong = cli.command();
    wrong
        .args(["audit", "verify", sealed.to_str().unwrap()])
        .env("FLUXDESK_BUNDLE_PASSPHRASE", "not it");
    let wrong = wrong.output().unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("Wrong passphrase"));
    let mut right = cli.command();
    right
        .args(["audit", "verify", sealed.to_str().unwrap()])
        .envs(passphrase);
    assert_eq!(right.output().unwrap().status.code(), Some(0));
}

#[test]
fn settings_realtime_and_buckets_verbs_change_the_instance_with_stable_json() {
    let cli = Cli::new();
    cli.json(&["schema", "install", "--yes"], &[]);
    let env = [
        ("FLUXDESK_ADMIN_EMAIL", ADMIN),
        ("FLUXDESK_ADMIN_PASSWORD", PASSWORD),
    ];
    let refused = cli.run(&["settings", "list", "--json"], &[]);
    assert_eq!(refused.status.code(), Some(7), "needs a signed-in admin");

    let settings = cli.json(&["settings", "list"], &env);
    let settings = settings.as_array().unwrap();
    let secret = settings
        .iter()
        .find(|s| s["key"] == "app.email.smtp_password")
        .unwrap();
    assert_eq!(
        (secret["is_secret"].clone(), secret["value"].clone()),
        (Value::Bool(true), Value::Null)
    );
    assert_eq!(secret["editable"], false);
    let auth = cli.json(&["settings", "list", "--category", "auth"], &env);
    assert!(auth.as_array().unwrap().iter().all(|s| s["category"] == "auth"));

    let limit = "app.ai.default_rate_limit_per_minute";
    let got = cli.json(&["settings", "get", limit], &env);
    assert_eq!(
        (got["value"].clone(), got["value_type"].clone()),
        ("20".into(), "number".into())
    );
    let set = cli.json(&["settings", "set", limit, "25"], &env);
    assert_eq!(
        set,
        serde_json::json!({"key": limit, "value_type": "number", "before": "20", "after": "25", "changed": true})
    );
    assert_eq!(
        cli.psql(&format!("SELECT value FROM app.settings WHERE key = '{limit}'"))
            .trim(),
        "{\"value\": 25}"
    );
    let again = cli.json(&["settings", "set", limit, "25"], &env);
    assert_eq!(again["changed"], false);
    let bad = cli.run(&["settings", "set", limit, "many", "--json"], &env);
    assert_eq!(bad.status.code(), Some(2));
    assert!(error(&bad)["message"].as_str().unwrap().contains("not a number"));
    let locked = cli.run(
        &[
            "settings",
            "set",
            "app.functions.max_timeout_seconds",
            "5",
            "--json",
        ],
        &env,
    );
    assert_eq!(locked.status.code(), Some(5));
    assert_eq!(
        cli.psql("SELECT count(*) FROM fluxdesk.audit_events WHERE action = 'setting.update'")
            .trim(),
        "2",
        "one change and one refusal"
    );

    let enabled = cli.json(
        &[
            "realtime",
            "enable",
            "public.projects",
            "--event",
            "insert",
            "--exclude",
            "description",
        ],
        &env,
    );
    assert_eq!(enabled[0]["events"], serde_json::json!(["INSERT"]));
    assert_eq!(enabled[0]["replica_identity"], "full");
    let listed = cli.json(&["realtime", "list"], &env);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["table"] == "projects" && t["restorable"] == true)
    );
    let disabled = cli.json(&["realtime", "disable", "public.projects"], &env);
    assert_eq!(disabled["restored"], true);
    assert_eq!(
        cli.psql("SELECT relreplident FROM pg_class WHERE oid = 'public.projects'::regclass")
            .trim(),
        "d"
    );

    let buckets = cli.json(&["buckets", "list"], &env);
    let uploads = buckets
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "user-uploads")
        .unwrap();
    assert_eq!(
        uploads["objects"].to_string(),
        cli.psql("SELECT count(*) FROM storage.objects WHERE bucket_id = 'user-uploads'")
            .trim()
    );
    assert_eq!(uploads["public"], false);
}
