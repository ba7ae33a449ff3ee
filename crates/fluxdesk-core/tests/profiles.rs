//! Profiles against the real OS keyring (Secret Service in the test command's
//! private D-Bus session) and a real PostgreSQL: secrets stay in the keyring,
//! connections are diagnosed, protection is enforced by the server.

use fluxdesk_core::profiles::profile_from_url;
use fluxdesk_core::{Console, Keyring, ProfileFile};
use fluxdesk_sandbox::{Seed, TestDatabase, fresh_database, read_only_demo_database, shared_cluster};
use fluxdesk_types::{
    ErrorCode, FluxbaseLayout, PasswordState, PasswordStorage, Problem, Profile, ProfileDraft, Protection,
    StatementOutcome, TlsMode,
};
use secrecy::ExposeSecret;
use std::process::Command;
use std::time::{Duration, Instant};

struct Fixture {
    console: Console,
    keyring: Keyring,
    service: String,
    _folder: tempfile::TempDir,
    store_path: std::path::PathBuf,
}

fn fixture() -> Fixture {
    let folder = tempfile::tempdir().unwrap();
    let store_path = folder.path().join("profiles.json");
    // A service of its own per test, so tests never see each other's entries.
    let service = format!("Fluxdesk test {}", uuid::Uuid::new_v4().simple());
    let keyring = Keyring::new(&service);
    keyring.check_available().expect(
        "these tests need a Secret Service: run them through scripts/test.sh (or scripts/with-keyring.sh)",
    );
    Fixture {
        console: Console::new(Box::new(ProfileFile::new(&store_path)), keyring.clone()),
        keyring,
        service,
        _folder: folder,
        store_path,
    }
}

/// A draft for `database` over TCP with the superuser's password.
fn tcp_draft(database: &TestDatabase, name: &str) -> ProfileDraft {
    let (mut profile, password) = profile_from_url(&database.tcp_url).unwrap();
    profile.name = name.to_owned();
    ProfileDraft {
        profile,
        password: password.map(|p| p.expose_secret().to_owned()),
    }
}

fn store_text(fixture: &Fixture) -> String {
    std::fs::read_to_string(&fixture.store_path).unwrap_or_default()
}

#[tokio::test]
async fn keyring_entries_round_trip_and_name_the_profile() {
    let fixture = fixture();
    let mut profile = profile_from_url("postgres://ops@db.example/app").unwrap().0;
    profile.id = "0123456789abcdef".into();
    profile.name = "Billing production".into();
    let password = secrecy::SecretString::from("correct horse battery staple");
    fixture.keyring.save(&profile, &password).unwrap();
    assert_eq!(
        fixture.keyring.load(&profile).unwrap().unwrap().expose_secret(),
        "correct horse battery staple"
    );

    // The OS keyring shows a readable name containing the profile's name.
    let listed = Command::new("secret-tool")
        .args(["search", "--all", "service", &fixture.service])
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    let listed =
        String::from_utf8_lossy(&listed.stdout).to_string() + &String::from_utf8_lossy(&listed.stderr);
    assert!(
        listed.contains("label = Billing production [01234567]"),
        "{listed}"
    );

    let renamed = Profile {
        name: "Billing".into(),
        ..profile.clone()
    };
    fixture.keyring.rename(&profile, &renamed).unwrap();
    assert!(
        fixture.keyring.load(&profile).unwrap().is_none(),
        "the old entry is gone"
    );
    assert!(
        fixture.keyring.load(&renamed).unwrap().is_some(),
        "the password moved with the name"
    );
    fixture.keyring.delete(&renamed).unwrap();
    assert!(fixture.keyring.load(&renamed).unwrap().is_none());
    fixture
        .keyring
        .delete(&renamed)
        .expect("deleting nothing is fine");
}

#[tokio::test]
async fn saved_profiles_keep_their_password_in_the_keyring_only() {
    let fixture = fixture();
    let database = read_only_demo_database();
    let entry = fixture
        .console
        .save_profile(tcp_draft(database, "Demo over TCP"))
        .await
        .unwrap();
    assert_eq!(entry.password, PasswordState::Saved);
    assert!(!entry.profile.id.is_empty());
    let stored = store_text(&fixture);
    assert!(
        stored.contains("Demo over TCP"),
        "the profile is in the store file"
    );
    assert!(
        !stored.contains(&database.password),
        "the password is not:\n{stored}"
    );
    assert_eq!(
        fixture
            .keyring
            .load(&entry.profile)
            .unwrap()
            .unwrap()
            .expose_secret(),
        database.password
    );

    let info = fixture
        .console
        .connect(&entry.profile.id, None)
        .await
        .expect("the keyring's password connects");
    assert_eq!(info.database, database.name);

    // Renaming moves the secret; deleting the profile deletes it.
    let renamed = ProfileDraft {
        profile: Profile {
            name: "Demo renamed".into(),
            ..entry.profile.clone()
        },
        password: None,
    };
    let renamed = fixture.console.save_profile(renamed).await.unwrap();
    assert_eq!(
        renamed.password,
        PasswordState::Saved,
        "the password followed the rename"
    );
    fixture.console.delete_profile(&renamed.profile.id).await.unwrap();
    assert!(
        fixture.keyring.load(&renamed.profile).unwrap().is_none(),
        "deleting a profile deletes its secret"
    );
    assert!(!store_text(&fixture).contains("Demo renamed"));
}

#[tokio::test]
async fn profiles_that_ask_every_time_keep_no_password() {
    let fixture = fixture();
    let database = read_only_demo_database();
    let mut draft = tcp_draft(database, "Ask me");
    draft.profile.password_storage = PasswordStorage::AskEveryTime;
    let entry = fixture.console.save_profile(draft).await.unwrap();
    assert_eq!(entry.password, PasswordState::AskEveryTime);
    assert!(
        fixture.keyring.load(&entry.profile).unwrap().is_none(),
        "nothing went to the keyring"
    );

    let refused = fixture
        .console
        .connect(&entry.profile.id, None)
        .await
        .unwrap_err();
    assert_eq!(
        fluxdesk_types::ApiError::from(refused).code,
        ErrorCode::PasswordNeeded
    );
    fixture
        .console
        .connect(&entry.profile.id, Some(database.password.clone()))
        .await
        .expect("the typed password connects");
}

async fn diagnose_url(
    fixture: &Fixture,
    url: &str,
    timeout_secs: u32,
    tls: Option<(TlsMode, Option<String>)>,
) -> fluxdesk_types::Diagnosis {
    let (mut profile, password) = profile_from_url(url).unwrap();
    profile.connect_timeout_secs = timeout_secs;
    if let Some((mode, ca_file)) = tls {
        profile.tls_mode = mode;
        profile.ca_file = ca_file;
    }
    fixture
        .console
        .test_draft(ProfileDraft {
            profile,
            password: password.map(|p| p.expose_secret().to_owned()),
        })
        .await
}

#[tokio::test]
async fn test_connection_tells_the_problems_apart() {
    let fixture = fixture();
    let address = shared_cluster().address();
    let port = address.port;

    let unknown = diagnose_url(&fixture, "postgres://x@no-such-host.invalid/db", 5, None).await;
    assert!(
        matches!(
            unknown.problem,
            Some(Problem::UnknownHost) | Some(Problem::Timeout)
        ),
        "{unknown:?}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = diagnose_url(&fixture, &format!("postgres://x@127.0.0.1:{closed}/db"), 5, None).await;
    assert_eq!(refused.problem, Some(Problem::Refused), "{refused:?}");

    // Nothing answers (a stalled proxy): the verdict comes within the connect
    // timeout. The truly unroutable host is tested in the CLI tests, from a
    // network namespace whose gateway drops every packet.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let started = Instant::now();
    let stalled = diagnose_url(
        &fixture,
        &format!("postgres://x@127.0.0.1:{silent_port}/db"),
        2,
        None,
    )
    .await;
    assert_eq!(stalled.problem, Some(Problem::Timeout), "{stalled:?}");
    assert!(
        started.elapsed() < Duration::from_millis(2_900),
        "reported after {:?}",
        started.elapsed()
    );

    let wrong = diagnose_url(
        &fixture,
        &format!("postgres://postgres:wrong@127.0.0.1:{port}/postgres"),
        5,
        None,
    )
    .await;
    assert_eq!(wrong.problem, Some(Problem::BadCredentials), "{wrong:?}");
    assert!(!wrong.message.contains("wrong@"), "{}", wrong.message);

    let missing = diagnose_url(&fixture, &address.tcp_url("no_such_database"), 5, None).await;
    assert_eq!(missing.problem, Some(Problem::DatabaseMissing), "{missing:?}");

    let plain = diagnose_url(&fixture, &address.url("postgres"), 5, None).await;
    assert!(plain.connected);
    assert_eq!(plain.problem, Some(Problem::NotFluxbase));
    assert_eq!(plain.layout, Some(FluxbaseLayout::NotFluxbase));
    assert!(
        plain
            .server_version
            .as_deref()
            .unwrap_or_default()
            .starts_with(char::is_numeric)
    );
    assert!(plain.message.contains("plain PostgreSQL"), "{}", plain.message);

    let fluxbase = diagnose_url(&fixture, &read_only_demo_database().url, 5, None).await;
    assert!(fluxbase.connected && fluxbase.problem.is_none(), "{fluxbase:?}");
    assert_eq!(fluxbase.layout, Some(FluxbaseLayout::Dashboard));

    let platform = fresh_database(Seed::FluxbaseSchema);
    shared_cluster()
        .psql(
            &platform.name,
            "CREATE SCHEMA platform; CREATE TABLE platform.users (id uuid PRIMARY KEY)",
        )
        .unwrap();
    let rc = diagnose_url(&fixture, &platform.url, 5, None).await;
    assert_eq!(rc.layout, Some(FluxbaseLayout::Platform), "{rc:?}");
}

#[tokio::test]
async fn verify_full_needs_the_ca_that_signed_the_certificate() {
    let fixture = fixture();
    let address = shared_cluster().address();
    let url = address.tcp_url("postgres");

    let untrusted = diagnose_url(&fixture, &url, 5, Some((TlsMode::VerifyFull, None))).await;
    assert!(!untrusted.connected);
    assert_eq!(untrusted.problem, Some(Problem::TlsFailure), "{untrusted:?}");
    assert!(
        untrusted.message.contains("CA file"),
        "the message says what to do: {}",
        untrusted.message
    );

    let ca_file = address.ca_file.display().to_string();
    let trusted = diagnose_url(&fixture, &url, 5, Some((TlsMode::VerifyFull, Some(ca_file)))).await;
    assert!(trusted.connected, "{trusted:?}");

    let encrypted_only = diagnose_url(&fixture, &url, 5, Some((TlsMode::Require, None))).await;
    assert!(
        encrypted_only.connected,
        "require encrypts without verifying: {encrypted_only:?}"
    );
}

async fn connected_profile(fixture: &Fixture, database: &TestDatabase, protection: Protection) -> String {
    let mut draft = tcp_draft(database, &format!("{protection:?} instance"));
    draft.profile.protection = protection;
    let entry = fixture.console.save_profile(draft).await.unwrap();
    fixture.console.connect(&entry.profile.id, None).await.unwrap();
    entry.profile.id
}

fn count(database: &TestDatabase, sql: &str) -> String {
    shared_cluster().psql(&database.name, sql).unwrap()
}

#[tokio::test]
async fn read_only_profiles_are_enforced_by_the_server() {
    let fixture = fixture();
    let database = fresh_database(Seed::Demo);
    let id = connected_profile(&fixture, &database, Protection::ReadOnly).await;
    let before = count(
        &database,
        "SELECT count(*) || '/' || count(*) FILTER (WHERE done) FROM public.todos",
    );

    let writes = [
        "INSERT INTO public.projects (owner_id, name) SELECT id, 'sneaky' FROM auth.users LIMIT 1",
        "UPDATE public.todos SET done = true",
        "DELETE FROM public.todos",
        "TRUNCATE public.todos CASCADE",
        "CREATE TABLE public.sneaky (id int)",
        "DO $$ BEGIN UPDATE public.todos SET done = true; END $$",
    ];
    for sql in writes {
        let error = fixture.console.run_statement(&id, sql).await.unwrap_err();
        let error = fluxdesk_types::ApiError::from(error);
        assert_eq!(error.code, ErrorCode::ReadOnly, "{sql}: {error:?}");
        assert!(error.message.contains("read-only"), "{sql}: {}", error.message);
    }
    // Statements that try to switch the session back leave nothing behind:
    // the next write is refused just the same.
    for escape in [
        "SET default_transaction_read_only = off",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        "SELECT set_config('transaction_read_only', 'off', false)",
        "COMMIT",
    ] {
        let _ = fixture.console.run_statement(&id, escape).await;
        let error = fixture
            .console
            .run_statement(&id, "UPDATE public.todos SET done = true")
            .await
            .unwrap_err();
        assert_eq!(
            fluxdesk_types::ApiError::from(error).code,
            ErrorCode::ReadOnly,
            "after {escape}"
        );
    }
    // A script runs in the one read-only transaction: switching the default
    // does not reach it, and ending it early is refused outright.
    let several = fixture
        .console
        .run_statement(
            &id,
            "SET default_transaction_read_only = off; UPDATE public.todos SET done = true",
        )
        .await
        .unwrap_err();
    let several = fluxdesk_types::ApiError::from(several);
    assert_eq!(several.code, ErrorCode::ReadOnly, "{several:?}");
    assert!(
        several.message.starts_with("Statement 2 of 2 failed"),
        "{}",
        several.message
    );
    let escape = fixture
        .console
        .run_statement(&id, "COMMIT; UPDATE public.todos SET done = true")
        .await
        .unwrap_err();
    assert!(
        escape
            .to_string()
            .contains("Leave out BEGIN, COMMIT and ROLLBACK"),
        "{escape}"
    );

    // Reads still work.
    match fixture
        .console
        .run_statement(&id, "SELECT count(*) AS n FROM public.todos")
        .await
        .unwrap()
    {
        StatementOutcome::Done {
            result: Some(result),
            wrote,
            ..
        } => {
            assert!(!wrote);
            assert_eq!(result.rows[0][0], fluxdesk_types::Cell::Int(250));
        }
        other => panic!("a read returns rows: {other:?}"),
    }
    assert_eq!(
        count(
            &database,
            "SELECT count(*) || '/' || count(*) FILTER (WHERE done) FROM public.todos"
        ),
        before,
        "nothing changed"
    );
    assert_eq!(
        count(
            &database,
            "SELECT count(*) FROM public.projects WHERE name = 'sneaky'"
        ),
        "0"
    );
    assert_eq!(
        count(&database, "SELECT to_regclass('public.sneaky') IS NULL"),
        "t"
    );
}

#[tokio::test]
async fn confirm_writes_show_the_affected_rows_before_committing() {
    let fixture = fixture();
    let database = fresh_database(Seed::Demo);
    let id = connected_profile(&fixture, &database, Protection::ConfirmWrites).await;
    let alice_open = "SELECT count(*) FROM public.todos WHERE user_id = 'a0000000-0000-4000-8000-000000000001' AND NOT done";
    let before = count(&database, alice_open);

    let sql = "UPDATE public.todos SET done = true WHERE user_id = 'a0000000-0000-4000-8000-000000000001' AND NOT done";
    let pending = match fixture.console.run_statement(&id, sql).await.unwrap() {
        StatementOutcome::AwaitingConfirmation { pending, .. } => pending,
        other => panic!("a write waits for confirmation: {other:?}"),
    };
    assert_eq!(pending.sql, sql);
    assert_eq!(
        pending.rows_affected.to_string(),
        before,
        "the affected rows are counted inside the transaction"
    );
    assert_eq!(
        count(&database, alice_open),
        before,
        "nothing is visible before commit"
    );
    fixture.console.commit_write(&pending.id).await.unwrap();
    assert_eq!(count(&database, alice_open), "0", "committed");
    assert!(
        fixture.console.commit_write(&pending.id).await.is_err(),
        "a write commits once"
    );

    let delete = match fixture
        .console
        .run_statement(&id, "DELETE FROM public.projects")
        .await
        .unwrap()
    {
        StatementOutcome::AwaitingConfirmation { pending, .. } => pending,
        other => panic!("{other:?}"),
    };
    assert_eq!(delete.rows_affected, 7);
    fixture.console.rollback_write(&delete.id).await.unwrap();
    assert_eq!(
        count(&database, "SELECT count(*) FROM public.projects"),
        "7",
        "rolled back"
    );

    // The database says whether a statement wrote: a read needs no confirmation,
    // and a DDL statement does.
    assert!(matches!(
        fixture.console.run_statement(&id, "SELECT 1").await.unwrap(),
        StatementOutcome::Done { wrote: false, .. }
    ));
    assert!(matches!(
        fixture
            .console
            .run_statement(&id, "CREATE TABLE public.t (id int)")
            .await
            .unwrap(),
        StatementOutcome::AwaitingConfirmation { .. }
    ));
    fixture.console.disconnect(&id).await;
    assert_eq!(
        count(&database, "SELECT to_regclass('public.t') IS NULL"),
        "t",
        "disconnecting rolls back what waited"
    );
}

#[tokio::test]
async fn open_profiles_commit_at_once() {
    let fixture = fixture();
    let database = fresh_database(Seed::Demo);
    let id = connected_profile(&fixture, &database, Protection::Open).await;
    match fixture
        .console
        .run_statement(&id, "DELETE FROM public.todos WHERE id <= 10")
        .await
        .unwrap()
    {
        StatementOutcome::Done {
            rows_affected, wrote, ..
        } => {
            assert_eq!(rows_affected, 10);
            assert!(wrote);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&database, "SELECT count(*) FROM public.todos"), "240");
}

#[tokio::test]
async fn the_fleet_is_measured_concurrently_and_a_dead_instance_blocks_nothing() {
    let fixture = fixture();
    let good = fixture
        .console
        .save_profile(tcp_draft(read_only_demo_database(), "Reachable"))
        .await
        .unwrap();
    // Two servers that accept connections and never answer, 2 s timeout each:
    // measured one after the other they would take over 4 s.
    let silent: Vec<std::net::TcpListener> = (0..2)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    for (index, listener) in silent.iter().enumerate() {
        let port = listener.local_addr().unwrap().port();
        let (mut dead, _) = profile_from_url(&format!("postgres://x@127.0.0.1:{port}/db")).unwrap();
        dead.name = format!("Hung {index}");
        dead.connect_timeout_secs = 2;
        fixture
            .console
            .save_profile(ProfileDraft {
                profile: dead,
                password: None,
            })
            .await
            .unwrap();
    }

    let started = Instant::now();
    let health = fixture.console.fleet_health().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(health.len(), 3);
    let reachable = health.iter().find(|h| h.profile_id == good.profile.id).unwrap();
    assert!(reachable.diagnosis.connected);
    assert!(
        reachable.database_size_bytes.unwrap() > 100_000_000,
        "the demo holds a million rows"
    );
    let in_use = reachable.connections_in_use.unwrap();
    assert!(in_use >= 1 && in_use < reachable.max_connections.unwrap());
    assert!(
        reachable.transactions.unwrap() > 0,
        "commits so far, for the rate"
    );
    let live: i64 = fluxdesk_sandbox::shared_cluster()
        .psql(
            &read_only_demo_database().name,
            "SELECT count(*) FROM auth.sessions WHERE expires_at > now()",
        )
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(reachable.app_sessions_live, Some(live));
    assert!(
        health
            .iter()
            .filter(|h| !h.diagnosis.connected)
            .all(|h| h.transactions.is_none())
    );
    for hung in health.iter().filter(|h| h.profile_id != good.profile.id) {
        assert!(!hung.diagnosis.connected);
        assert_eq!(
            hung.diagnosis.problem,
            Some(Problem::Timeout),
            "{:?}",
            hung.diagnosis
        );
    }
    assert!(
        elapsed < Duration::from_millis(3_800),
        "measured together, not one after the other: {elapsed:?}"
    );
}

#[tokio::test]
async fn exports_hold_no_password_and_import_elsewhere() {
    let fixture = fixture();
    let database = read_only_demo_database();
    fixture
        .console
        .save_profile(tcp_draft(database, "Exported"))
        .await
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("profiles-export.json");
    assert_eq!(fixture.console.export_profiles_to(&file).unwrap(), 1);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"fluxdesk-profiles\"") && text.contains("Exported"));
    assert!(
        !text.contains(&database.password),
        "no password in an export:\n{text}"
    );

    let elsewhere = fixture_with_store(folder.path().join("other-store.json"));
    elsewhere
        .console
        .save_profile(tcp_draft(database, "Exported"))
        .await
        .unwrap();
    let report = elsewhere.console.import_profiles_from(&file).await.unwrap();
    assert_eq!(report.added, vec!["Exported (2)".to_owned()]);
    let entries = elsewhere.console.profiles().await.unwrap();
    let imported = entries.iter().find(|e| e.profile.name == "Exported (2)").unwrap();
    assert_eq!(
        imported.password,
        PasswordState::Missing,
        "passwords are entered again after an import"
    );
}

fn fixture_with_store(path: std::path::PathBuf) -> Fixture {
    let mut fixture = fixture();
    fixture.console = Console::new(Box::new(ProfileFile::new(&path)), fixture.keyring.clone());
    fixture.store_path = path;
    fixture
}

#[tokio::test]
async fn a_missing_password_is_asked_for_and_a_retargeted_profile_forgets_its_own() {
    let fixture = fixture();
    let database = read_only_demo_database();
    let mut draft = tcp_draft(database, "No password yet");
    draft.password = None;
    let entry = fixture.console.save_profile(draft).await.unwrap();
    assert_eq!(entry.password, PasswordState::Missing);
    let needed = fixture
        .console
        .connect(&entry.profile.id, None)
        .await
        .unwrap_err();
    let needed = fluxdesk_types::ApiError::from(needed);
    assert_eq!(needed.code, ErrorCode::PasswordNeeded, "{}", needed.message);
    assert!(
        needed.message.contains("no password is saved"),
        "{}",
        needed.message
    );

    // Saved with a password, then pointed at another host: the password stays behind.
    let saved = fixture
        .console
        .save_profile(tcp_draft(database, "Retargeted"))
        .await
        .unwrap();
    assert_eq!(saved.password, PasswordState::Saved);
    let elsewhere = Profile {
        host: "localhost".into(),
        ..saved.profile.clone()
    };
    let diagnosis = fixture
        .console
        .test_draft(ProfileDraft {
            profile: elsewhere.clone(),
            password: None,
        })
        .await;
    assert_eq!(diagnosis.problem, Some(Problem::PasswordNeeded), "{diagnosis:?}");
    assert!(
        diagnosis.message.contains("points somewhere else"),
        "{}",
        diagnosis.message
    );
    let moved = fixture
        .console
        .save_profile(ProfileDraft {
            profile: elsewhere,
            password: None,
        })
        .await
        .unwrap();
    assert_eq!(
        moved.password,
        PasswordState::Missing,
        "the saved password does not follow a new host"
    );
    assert!(fixture.keyring.load(&moved.profile).unwrap().is_none());
}

#[tokio::test]
async fn pending_writes_show_what_the_database_counted_and_one_waits_at_a_time() {
    let fixture = fixture();
    let database = fresh_database(Seed::Demo);
    let id = connected_profile(&fixture, &database, Protection::ConfirmWrites).await;

    // The statement's own count says 1; the transaction deleted 7 projects.
    let sneaky = "WITH gone AS (DELETE FROM public.projects RETURNING 1) SELECT count(*) FROM gone";
    let pending = match fixture.console.run_statement(&id, sneaky).await.unwrap() {
        StatementOutcome::AwaitingConfirmation { pending, .. } => pending,
        other => panic!("{other:?}"),
    };
    let projects = pending
        .changes
        .iter()
        .find(|change| change.table == "public.projects")
        .unwrap_or_else(|| panic!("{:?}", pending.changes));
    assert_eq!(projects.deleted, 7, "the server's count, not the statement's");

    let second = fixture
        .console
        .run_statement(&id, "DELETE FROM public.todos")
        .await
        .unwrap_err();
    assert!(
        second.to_string().contains("waiting for confirmation"),
        "{second}"
    );
    fixture.console.rollback_write(&pending.id).await.unwrap();
    assert_eq!(count(&database, "SELECT count(*) FROM public.projects"), "7");

    // Statements that refuse transactions cannot wait for confirmation...
    let vacuum = fixture
        .console
        .run_statement(&id, "VACUUM public.todos")
        .await
        .unwrap_err();
    assert!(
        vacuum.to_string().contains("cannot run inside a transaction"),
        "{vacuum}"
    );
    // ...and run at once on an open profile.
    let open = connected_profile(&fixture, &database, Protection::Open).await;
    assert!(matches!(
        fixture
            .console
            .run_statement(&open, "VACUUM public.todos")
            .await
            .unwrap(),
        StatementOutcome::Done { .. }
    ));
}

#[tokio::test]
async fn read_only_superuser_connections_are_told_what_read_only_cannot_stop() {
    let fixture = fixture();
    let mut draft = tcp_draft(read_only_demo_database(), "Read-only superuser");
    draft.profile.protection = Protection::ReadOnly;
    let diagnosis = fixture.console.test_draft(draft).await;
    assert!(diagnosis.connected);
    assert!(
        diagnosis.message.contains("superuser-only functions"),
        "{}",
        diagnosis.message
    );
}
