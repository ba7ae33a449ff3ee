//! Admin sign-in, 2FA, sessions and admin management against a real
//! Fluxbase-compatible database, with a clock the tests move by hand.

use chrono::{TimeDelta, TimeZone, Utc};
use fluxdesk_core::admins::ResetMethod;
use fluxdesk_core::clock::ManualClock;
use fluxdesk_core::profiles::profile_from_url;
use fluxdesk_core::second_factor::Authenticator;
use fluxdesk_core::{Console, CoreError, Keyring, ProfileFile};
use fluxdesk_sandbox::{Seed, TestDatabase, fresh_database};
use fluxdesk_types::{
    AccessGate, ApiError, Credentials, EnvironmentKind, ErrorCode, FirstAdmin, InvitationFilter, LockReason,
    PasswordReset, SessionKind, SignInOutcome,
};
use sqlx::{Connection, PgConnection};
use std::sync::Arc;

const DEMO_ADMIN: &str = "admin@fluxdesk.demo";
const DEMO_PASSWORD: &str = "fluxdesk-demo-admin";
const ID: &str = "instance";

struct Desk {
    console: Console,
    clock: Arc<ManualClock>,
    database: TestDatabase,
    _dir: tempfile::TempDir,
}

fn start() -> chrono::DateTime<Utc> {
    // Mid-step, so one step of drift either way stays on the same side of "now".
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 15).unwrap()
}

async fn desk_on(database: TestDatabase, clock: Arc<ManualClock>) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let console = Console::new(
        Box::new(ProfileFile::new(dir.path().join("profiles.json"))),
        Keyring::new("Fluxdesk tests (admin access)"),
    );
    console.set_clock(clock.clone());
    console.set_client("fluxdesk-tests");
    console.require_sign_in(true);
    let (mut profile, password) = profile_from_url(&database.url).unwrap();
    profile.id = ID.into();
    profile.name = "test instance".into();
    console.add_transient(profile, password).unwrap();
    console.connect(ID, None).await.unwrap();
    Desk {
        console,
        clock,
        database,
        _dir: dir,
    }
}

async fn desk(seed: Seed) -> Desk {
    desk_on(fresh_database(seed), Arc::new(ManualClock::starting_at(start()))).await
}

/// A demo instance with Fluxdesk's schema installed.
async fn demo_desk() -> Desk {
    let desk = desk(Seed::Demo).await;
    desk.console.install_schema(ID).await.unwrap();
    desk
}

async fn sql(desk: &Desk) -> PgConnection {
    PgConnection::connect(&desk.database.url).await.unwrap()
}

fn code(error: CoreError) -> ErrorCode {
    ApiError::from(error).code
}

fn creds(email: &str, password: &str, code: Option<&str>) -> Credentials {
    Credentials {
        email: email.into(),
        password: password.into(),
        code: code.map(Into::into),
    }
}

async fn sign_in(desk: &Desk, code: Option<&str>) -> Result<SignInOutcome, CoreError> {
    desk.console
        .sign_in(ID, creds(DEMO_ADMIN, DEMO_PASSWORD, code))
        .await
}

/// Enrols the demo admin in 2FA; returns the authenticator and backup codes.
async fn enrol(desk: &Desk) -> (Authenticator, Vec<String>) {
    let enrolment = desk.console.begin_totp_enrolment(ID).await.unwrap();
    assert!(enrolment.otpauth_uri.starts_with("otpauth://totp/Fluxbase:"));
    let authenticator = Authenticator::from_base32(&enrolment.secret, DEMO_ADMIN).unwrap();
    let codes = desk
        .console
        .confirm_totp(ID, &authenticator.code_at(desk.clock.now_utc()))
        .await
        .unwrap();
    (authenticator, codes.codes)
}

trait Now {
    fn now_utc(&self) -> chrono::DateTime<Utc>;
}

impl Now for ManualClock {
    fn now_utc(&self) -> chrono::DateTime<Utc> {
        fluxdesk_core::clock::Clock::now(self)
    }
}

#[tokio::test]
async fn first_time_setup_installs_the_schema_then_creates_the_admin_as_fluxbase_does() {
    let desk = desk(Seed::FluxbaseSchema).await;
    let console = &desk.console;
    assert!(matches!(
        console.access_gate(ID).await.unwrap(),
        AccessGate::InstallSchema { .. }
    ));
    let refused = console.schemas(ID).await.unwrap_err();
    assert_eq!(
        code(refused),
        ErrorCode::SignInRequired,
        "nothing is browsable before sign-in"
    );

    let status = console.install_schema(ID).await.unwrap();
    assert!(status.up_to_date && !status.applied.is_empty());
    let mut db = sql(&desk).await;
    let (ledger_in_fluxdesk, ledger_in_public): (bool, bool) = sqlx::query_as(
        "SELECT to_regclass('fluxdesk._sqlx_migrations') IS NOT NULL, to_regclass('public._sqlx_migrations') IS NOT NULL",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(
        ledger_in_fluxdesk && !ledger_in_public,
        "the migration ledger lives in the fluxdesk schema"
    );
    assert_eq!(console.access_gate(ID).await.unwrap(), AccessGate::FirstTimeSetup);

    let weak = FirstAdmin {
        email: "Owner@Example.com".into(),
        full_name: "Owner".into(),
        password: "password1234".into(),
    };
    let error = console.create_first_admin(ID, weak.clone()).await.unwrap_err();
    assert_eq!(
        code(CoreError::InvalidInput(error.to_string())),
        ErrorCode::InvalidInput
    );
    assert!(error.to_string().contains("Too easy to guess"), "{error}");
    let short = FirstAdmin {
        password: "Xy7#short".into(),
        ..weak.clone()
    };
    assert!(
        console
            .create_first_admin(ID, short)
            .await
            .unwrap_err()
            .to_string()
            .contains("12 characters")
    );

    let strong = FirstAdmin {
        password: "plum-orbit-kettle-93-sandstone".into(),
        ..weak
    };
    let session = console.create_first_admin(ID, strong.clone()).await.unwrap();
    assert_eq!(session.email, "owner@example.com");
    assert_eq!(session.role, "dashboard_admin");
    assert!(matches!(
        console.access_gate(ID).await.unwrap(),
        AccessGate::SignedIn { .. }
    ));
    assert!(console.schemas(ID).await.is_ok(), "signed in, the explorer opens");

    let (hash, role, verified, pgcrypto_agrees): (String, String, bool, bool) = sqlx::query_as(
        "SELECT password_hash, role, email_verified, crypt($1, password_hash) = password_hash FROM dashboard.users",
    )
    .bind(&strong.password)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(
        hash.starts_with("$2a$10$") && hash.len() == 60,
        "Go's bcrypt format at cost 10: {hash}"
    );
    assert!(
        pgcrypto_agrees,
        "another bcrypt implementation (pgcrypto) verifies Fluxdesk's hash"
    );
    assert_eq!((role.as_str(), verified), ("dashboard_admin", true));
    let (value, description, category): (serde_json::Value, String, String) =
        sqlx::query_as("SELECT value, description, category FROM app.settings WHERE key = 'setup_completed'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(value["completed"], true);
    assert_eq!(value["first_admin_email"], "owner@example.com");
    assert_eq!(value["first_admin_id"], session.admin_id.as_str());
    assert!(
        value["completed_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-24T09:00:15")
    );
    assert_eq!(
        (description.as_str(), category.as_str()),
        ("Tracks initial setup completion", "system")
    );
    let sessions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM dashboard.sessions WHERE user_id = $1::uuid")
            .bind(&session.admin_id)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(sessions, 1, "the new admin is signed in with a session row");

    // Setup happens once.
    let again = FirstAdmin {
        email: "second@example.com".into(),
        ..strong
    };
    assert!(
        console
            .create_first_admin(ID, again)
            .await
            .unwrap_err()
            .to_string()
            .contains("already has an admin")
    );
}

#[tokio::test]
async fn a_bcrypt_hash_made_elsewhere_verifies_and_sign_in_writes_a_session_and_activity() {
    let desk = demo_desk().await;
    assert_eq!(desk.console.access_gate(ID).await.unwrap(), AccessGate::SignIn);
    // The demo admin's hash comes from pgcrypto's crypt(..., gen_salt('bf', 10)): $2a$.
    let mut db = sql(&desk).await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM dashboard.users WHERE email = $1")
        .bind(DEMO_ADMIN)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(hash.starts_with("$2a$10$"));
    let SignInOutcome::SignedIn { session } = sign_in(&desk, None).await.unwrap() else {
        panic!("no 2FA on the demo admin");
    };
    let (token, expires_at): (String, chrono::DateTime<Utc>) =
        sqlx::query_as("SELECT token, expires_at FROM dashboard.sessions WHERE id = $1::uuid")
            .bind(&session.session_id)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert!(
        token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit()),
        "hex SHA-256: {token}"
    );
    assert_eq!(
        expires_at,
        start() + TimeDelta::hours(8),
        "the absolute timeout bounds the row"
    );
    let logins: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM dashboard.activity_log WHERE action = 'login' AND user_agent LIKE 'fluxdesk-tests%'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        logins, 1,
        "the sign-in is mirrored where the web dashboard shows it"
    );

    desk.console.sign_out(ID).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM dashboard.sessions WHERE id = $1::uuid")
        .bind(&session.session_id)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(left, 0, "signing out deletes the row");
    assert_eq!(desk.console.access_gate(ID).await.unwrap(), AccessGate::SignIn);
}

#[tokio::test]
async fn wrong_unknown_deleted_and_inactive_admins_are_refused_and_audited() {
    let desk = demo_desk().await;
    let wrong = desk
        .console
        .sign_in(ID, creds(DEMO_ADMIN, "not-the-password", None))
        .await
        .unwrap_err();
    assert_eq!(code(wrong), ErrorCode::AuthenticationFailed);
    let unknown = desk
        .console
        .sign_in(ID, creds("nobody@example.com", "x", None))
        .await
        .unwrap_err();
    assert_eq!(unknown.to_string(), "Wrong email or password.");
    let mut db = sql(&desk).await;
    sqlx::query("UPDATE dashboard.users SET is_active = false WHERE email = 'support@fluxdesk.demo'")
        .execute(&mut db)
        .await
        .unwrap();
    let inactive = desk
        .console
        .sign_in(ID, creds("support@fluxdesk.demo", "fluxdesk-demo-support", None))
        .await
        .unwrap_err();
    assert!(inactive.to_string().contains("deactivated"), "{inactive}");
    sqlx::query("UPDATE dashboard.users SET is_active = true, deleted_at = now() WHERE email = 'support@fluxdesk.demo'")
        .execute(&mut db)
        .await
        .unwrap();
    let deleted = desk
        .console
        .sign_in(ID, creds("support@fluxdesk.demo", "fluxdesk-demo-support", None))
        .await
        .unwrap_err();
    assert_eq!(deleted.to_string(), "Wrong email or password.");
    let attempts: Vec<(String, String)> = sqlx::query_as(
        "SELECT outcome, details->>'reason' FROM fluxdesk.audit_events WHERE action = 'admin.sign_in' ORDER BY seq",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let expected = [
        ("failure", "wrong_password"),
        ("failure", "unknown_email"),
        ("denied", "inactive"),
        ("failure", "unknown_email"),
    ];
    assert_eq!(
        attempts,
        expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>(),
        "every failed attempt is in the audit trail"
    );
}

#[tokio::test]
async fn five_failures_lock_for_fifteen_minutes_then_the_lock_expires() {
    let desk = demo_desk().await;
    for attempt in 1..=4 {
        let error = desk
            .console
            .sign_in(ID, creds(DEMO_ADMIN, "wrong", None))
            .await
            .unwrap_err();
        assert_eq!(code(error), ErrorCode::AuthenticationFailed, "attempt {attempt}");
    }
    let fifth = desk
        .console
        .sign_in(ID, creds(DEMO_ADMIN, "wrong", None))
        .await
        .unwrap_err();
    assert_eq!(code(fifth), ErrorCode::AccountLocked);
    let mut db = sql(&desk).await;
    let (attempts, locked, until): (i32, bool, chrono::DateTime<Utc>) = sqlx::query_as(
        "SELECT failed_login_attempts, is_locked, locked_until FROM dashboard.users WHERE email = $1",
    )
    .bind(DEMO_ADMIN)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((attempts, locked), (5, true));
    assert_eq!(
        until,
        start() + TimeDelta::minutes(15),
        "locked_until = now + 15 min on Fluxdesk's clock"
    );

    desk.clock.advance(TimeDelta::minutes(14));
    let still = sign_in(&desk, None).await.unwrap_err();
    assert_eq!(
        code(still),
        ErrorCode::AccountLocked,
        "the right password does not open a locked account"
    );
    let kept: i32 = sqlx::query_scalar("SELECT failed_login_attempts FROM dashboard.users WHERE email = $1")
        .bind(DEMO_ADMIN)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(
        kept, 5,
        "attempts while locked do not count, and the count is kept"
    );

    desk.clock.advance(TimeDelta::minutes(1) + TimeDelta::seconds(1));
    assert!(matches!(
        sign_in(&desk, None).await.unwrap(),
        SignInOutcome::SignedIn { .. }
    ));
    let (attempts, locked, until): (i32, bool, Option<chrono::DateTime<Utc>>) = sqlx::query_as(
        "SELECT failed_login_attempts, is_locked, locked_until FROM dashboard.users WHERE email = $1",
    )
    .bind(DEMO_ADMIN)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        (attempts, locked, until),
        (0, false, None),
        "success clears the lock"
    );
}

#[tokio::test]
async fn after_a_lock_expires_the_count_starts_again_as_in_fluxbase() {
    let desk = demo_desk().await;
    for _ in 0..5 {
        let _ = desk.console.sign_in(ID, creds(DEMO_ADMIN, "wrong", None)).await;
    }
    desk.clock.advance(TimeDelta::minutes(15) + TimeDelta::seconds(1));
    let next = desk
        .console
        .sign_in(ID, creds(DEMO_ADMIN, "wrong", None))
        .await
        .unwrap_err();
    assert_eq!(
        code(next),
        ErrorCode::AuthenticationFailed,
        "one more mistake does not lock again at once"
    );
    let mut db = sql(&desk).await;
    let (attempts, locked): (i32, bool) =
        sqlx::query_as("SELECT failed_login_attempts, is_locked FROM dashboard.users WHERE email = $1")
            .bind(DEMO_ADMIN)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!((attempts, locked), (1, false));
}

#[tokio::test]
async fn step_up_guesses_count_towards_the_lockout_and_a_grant_fits_one_purpose() {
    let desk = demo_desk().await;
    sign_in(&desk, None).await.unwrap();
    desk.clock.advance(TimeDelta::minutes(3));
    desk.console.touch(ID);
    for _ in 0..4 {
        let error = desk
            .console
            .step_up(ID, "wrong", "delete an admin")
            .await
            .unwrap_err();
        assert_eq!(code(error), ErrorCode::AuthenticationFailed);
    }
    let fifth = desk
        .console
        .step_up(ID, "wrong", "delete an admin")
        .await
        .unwrap_err();
    assert_eq!(
        code(fifth),
        ErrorCode::AccountLocked,
        "guessing at an open window locks the account too"
    );
    let mut db = sql(&desk).await;
    sqlx::query(
        "UPDATE dashboard.users SET failed_login_attempts = 0, is_locked = false, locked_until = NULL",
    )
    .execute(&mut db)
    .await
    .unwrap();
    desk.console
        .step_up(ID, DEMO_PASSWORD, "reset an admin's password")
        .await
        .unwrap();
    assert_eq!(
        code(desk.console.consume_step_up(ID, "delete an admin").unwrap_err()),
        ErrorCode::StepUpRequired,
        "a step-up for one action does not open another"
    );
    desk.console
        .consume_step_up(ID, "reset an admin's password")
        .unwrap();
    assert!(
        desk.console
            .consume_step_up(ID, "reset an admin's password")
            .is_err(),
        "and it is used up"
    );
}

#[tokio::test]
async fn setup_and_sign_in_work_for_a_role_without_superuser_under_force_rls() {
    let database = fresh_database(Seed::FluxbaseSchema);
    let cluster = fluxdesk_sandbox::shared_cluster();
    let role = format!("ops_{}", &database.name[5..17]);
    // Fluxbase's `authenticated` privileges: RLS applies (no BYPASSRLS), FORCE on dashboard.*.
    cluster
        .psql(
            &database.name,
            &format!(
                "CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE authenticated; \
                 GRANT CREATE ON DATABASE \"{}\" TO {role};",
                database.name
            ),
        )
        .unwrap();
    let superuser = format!("postgres://{}@", cluster.address().user);
    let url = database
        .url
        .replacen(&superuser, &format!("postgres://{role}@"), 1);
    assert_ne!(url, database.url, "connects as the new role");
    let ops = TestDatabase {
        url,
        ..database.clone()
    };
    let desk = desk_on(ops, Arc::new(ManualClock::starting_at(start()))).await;
    desk.console
        .install_schema(ID)
        .await
        .expect("the role owns what it installs");
    assert_eq!(
        desk.console.access_gate(ID).await.unwrap(),
        AccessGate::FirstTimeSetup
    );
    let first = FirstAdmin {
        email: "owner@example.com".into(),
        full_name: "Owner".into(),
        password: "plum-orbit-kettle-93-sandstone".into(),
    };
    desk.console
        .create_first_admin(ID, first)
        .await
        .expect("setup passes FORCE RLS with claims");
    let (authenticator, codes) = enrol(&desk).await;
    assert_eq!(codes.len(), 10);
    desk.console.sign_out(ID).await.unwrap();
    desk.clock.advance(TimeDelta::seconds(30));
    let code_now = authenticator.code_at(desk.clock.now_utc());
    let outcome = desk
        .console
        .sign_in(
            ID,
            creds(
                "owner@example.com",
                "plum-orbit-kettle-93-sandstone",
                Some(&code_now),
            ),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, SignInOutcome::SignedIn { .. }));
    assert_eq!(desk.console.admins(ID).await.unwrap().len(), 1);
    let mut db = PgConnection::connect(&database.url).await.unwrap();
    let mirrored: i64 = sqlx::query_scalar("SELECT count(*) FROM dashboard.activity_log")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(
        mirrored, 3,
        "two sign-ins and the 2FA change reach activity_log under its service_role policy"
    );
}

#[tokio::test]
async fn an_admin_unlocks_a_locked_admin() {
    let desk = demo_desk().await;
    for _ in 0..5 {
        let _ = desk
            .console
            .sign_in(ID, creds("support@fluxdesk.demo", "wrong", None))
            .await;
    }
    sign_in(&desk, None).await.unwrap();
    let admins = desk.console.admins(ID).await.unwrap();
    let support = admins
        .iter()
        .find(|a| a.email == "support@fluxdesk.demo")
        .unwrap();
    assert!(support.locked_until.is_some() && support.failed_login_attempts == 5);
    let unlocked = desk
        .console
        .unlock_admin(ID, "support@fluxdesk.demo")
        .await
        .unwrap();
    assert_eq!((unlocked.locked_until, unlocked.failed_login_attempts), (None, 0));
    let other = desk_on(desk.database.clone(), desk.clock.clone()).await;
    let outcome = other
        .console
        .sign_in(ID, creds("support@fluxdesk.demo", "fluxdesk-demo-support", None))
        .await
        .unwrap();
    assert!(matches!(outcome, SignInOutcome::SignedIn { .. }));
}

#[tokio::test]
async fn totp_enrolment_sign_in_with_a_code_and_replays_refused_across_installs() {
    let desk = demo_desk().await;
    sign_in(&desk, None).await.unwrap();
    let (authenticator, backup_codes) = enrol(&desk).await;
    assert_eq!(backup_codes.len(), 10);
    let mut db = sql(&desk).await;
    let (enabled, secret, stored_codes): (bool, String, Vec<String>) = sqlx::query_as(
        "SELECT totp_enabled, totp_secret, backup_codes FROM dashboard.users WHERE email = $1",
    )
    .bind(DEMO_ADMIN)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(enabled);
    assert_eq!(secret.len(), 32, "base32 without padding, as Fluxbase stores it");
    assert!(
        stored_codes.iter().all(|h| h.starts_with("$2a$10$")),
        "backup codes are stored bcrypt-hashed"
    );
    let enabled_activity: i64 =
        sqlx::query_scalar("SELECT count(*) FROM dashboard.activity_log WHERE action = '2fa_enable'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(enabled_activity, 1);
    desk.console.sign_out(ID).await.unwrap();

    // The password alone is not enough any more.
    assert!(matches!(
        sign_in(&desk, None).await.unwrap(),
        SignInOutcome::SecondFactorNeeded
    ));
    // The code that confirmed enrolment is spent: same time step.
    let spent = authenticator.code_at(desk.clock.now_utc());
    let replay = sign_in(&desk, Some(&spent)).await.unwrap_err();
    assert!(replay.to_string().contains("already used"), "{replay}");

    // The next step's code works once, from whichever install uses it first.
    desk.clock.advance(TimeDelta::seconds(30));
    let fresh = authenticator.code_at(desk.clock.now_utc());
    let other = desk_on(desk.database.clone(), desk.clock.clone()).await;
    let (here, there) = tokio::join!(sign_in(&desk, Some(&fresh)), sign_in(&other, Some(&fresh)));
    let accepted = [here.is_ok(), there.is_ok()].iter().filter(|ok| **ok).count();
    assert_eq!(
        accepted, 1,
        "two installs racing with one code: exactly one is accepted"
    );
    let refused = here.err().or(there.err()).unwrap();
    assert!(refused.to_string().contains("already used"), "{refused}");
    let wrong = sign_in(&desk, Some("000000")).await;
    assert!(wrong.is_err());
}

#[tokio::test]
async fn a_backup_code_works_once_and_disabling_needs_password_and_code() {
    let desk = demo_desk().await;
    sign_in(&desk, None).await.unwrap();
    let (authenticator, backup_codes) = enrol(&desk).await;
    desk.console.sign_out(ID).await.unwrap();
    let backup = &backup_codes[3];
    assert!(matches!(
        sign_in(&desk, Some(backup)).await.unwrap(),
        SignInOutcome::SignedIn { .. }
    ));
    let mut db = sql(&desk).await;
    let left: i32 =
        sqlx::query_scalar("SELECT cardinality(backup_codes) FROM dashboard.users WHERE email = $1")
            .bind(DEMO_ADMIN)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(left, 9, "a used backup code is removed");
    desk.console.sign_out(ID).await.unwrap();
    let again = sign_in(&desk, Some(backup)).await.unwrap_err();
    assert_eq!(
        code(again),
        ErrorCode::AuthenticationFailed,
        "a backup code works once"
    );
    // Lowercase with a dash, as people type it, is fine.
    let typed = format!("{}-{}", &backup_codes[5][..4], &backup_codes[5][4..]).to_lowercase();
    sign_in(&desk, Some(&typed)).await.unwrap();

    desk.clock.advance(TimeDelta::seconds(30));
    let now_code = authenticator.code_at(desk.clock.now_utc());
    let no_password = desk
        .console
        .disable_totp(ID, "wrong", &now_code)
        .await
        .unwrap_err();
    assert!(no_password.to_string().contains("Wrong password"));
    desk.console
        .disable_totp(ID, DEMO_PASSWORD, &now_code)
        .await
        .unwrap();
    let (enabled, secret): (bool, Option<String>) =
        sqlx::query_as("SELECT totp_enabled, totp_secret FROM dashboard.users WHERE email = $1")
            .bind(DEMO_ADMIN)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!((enabled, secret), (false, None));
    let disabled: i64 =
        sqlx::query_scalar("SELECT count(*) FROM dashboard.activity_log WHERE action = '2fa_disable'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(disabled, 1);
}

#[tokio::test]
async fn idle_and_absolute_timeouts_lock_and_signing_in_again_unlocks() {
    let desk = demo_desk().await;
    sign_in(&desk, None).await.unwrap();
    desk.clock.advance(TimeDelta::minutes(14));
    desk.console.touch(ID);
    desk.clock.advance(TimeDelta::minutes(14));
    assert!(
        matches!(
            desk.console.access_gate(ID).await.unwrap(),
            AccessGate::SignedIn { .. }
        ),
        "activity keeps it open"
    );
    desk.clock.advance(TimeDelta::minutes(1) + TimeDelta::seconds(1));
    assert_eq!(
        desk.console.access_gate(ID).await.unwrap(),
        AccessGate::Locked {
            reason: LockReason::Idle,
            email: DEMO_ADMIN.into()
        }
    );
    assert_eq!(
        code(desk.console.schemas(ID).await.unwrap_err()),
        ErrorCode::SignInRequired
    );
    desk.console.touch(ID);
    assert!(
        matches!(
            desk.console.access_gate(ID).await.unwrap(),
            AccessGate::Locked { .. }
        ),
        "activity does not unlock"
    );

    sign_in(&desk, None).await.unwrap();
    for _ in 0..47 {
        desk.clock.advance(TimeDelta::minutes(10));
        desk.console.touch(ID);
    }
    assert!(matches!(
        desk.console.access_gate(ID).await.unwrap(),
        AccessGate::SignedIn { .. }
    ));
    desk.clock.advance(TimeDelta::minutes(10));
    assert_eq!(
        desk.console.access_gate(ID).await.unwrap(),
        AccessGate::Locked {
            reason: LockReason::Expired,
            email: DEMO_ADMIN.into()
        },
        "8 hours after signing in, it locks however active"
    );
}

#[tokio::test]
async fn a_session_revoked_elsewhere_locks_the_console() {
    let desk = demo_desk().await;
    let SignInOutcome::SignedIn { session } = sign_in(&desk, None).await.unwrap() else {
        panic!()
    };
    let mut db = sql(&desk).await;
    sqlx::query("DELETE FROM dashboard.sessions WHERE id = $1::uuid")
        .bind(&session.session_id)
        .execute(&mut db)
        .await
        .unwrap();
    desk.clock.advance(TimeDelta::seconds(11));
    assert_eq!(
        desk.console.access_gate(ID).await.unwrap(),
        AccessGate::Locked {
            reason: LockReason::Revoked,
            email: DEMO_ADMIN.into()
        }
    );
    assert_eq!(code(desk.console.rows(ID, &serde_json::from_value(serde_json::json!({
        "table": {"schema": "public", "name": "todos"}, "limit": 10, "after": null, "full_values": false
    })).unwrap()).await.unwrap_err()), ErrorCode::SignInRequired);
}

#[tokio::test]
async fn invitations_expire_after_seven_days_and_can_be_revoked() {
    let desk = demo_desk().await;
    sign_in(&desk, None).await.unwrap();
    let invitation = desk
        .console
        .invite_admin(ID, "new.admin@example.com", "dashboard_admin")
        .await
        .unwrap();
    assert_eq!(invitation.token.len(), 43, "32 random bytes, base64url");
    assert_eq!(invitation.invited_by.as_deref(), Some(DEMO_ADMIN));
    assert!(
        desk.console
            .invite_admin(ID, "x@example.com", "superuser")
            .await
            .is_err()
    );
    assert!(
        desk.console
            .invite_admin(ID, DEMO_ADMIN, "dashboard_user")
            .await
            .is_err(),
        "already an admin"
    );
    let pending = desk
        .console
        .invitations(ID, InvitationFilter::default())
        .await
        .unwrap();
    assert!(
        pending
            .iter()
            .any(|i| i.token == invitation.token && i.status == "pending")
    );

    desk.clock.advance(TimeDelta::days(7) + TimeDelta::seconds(1));
    desk.console.touch(ID);
    let later = desk_on(desk.database.clone(), desk.clock.clone()).await;
    sign_in(&later, None).await.unwrap();
    let pending = later
        .console
        .invitations(ID, InvitationFilter::default())
        .await
        .unwrap();
    assert!(
        !pending.iter().any(|i| i.token == invitation.token),
        "expired invitations are not pending"
    );
    let all = later
        .console
        .invitations(
            ID,
            InvitationFilter {
                include_expired: true,
                include_accepted: false,
            },
        )
        .await
        .unwrap();
    let expired = all.iter().find(|i| i.token == invitation.token).unwrap();
    assert_eq!(expired.status, "expired");
    later
        .console
        .revoke_invitation(ID, &invitation.token)
        .await
        .unwrap();
    assert_eq!(
        code(
            later
                .console
                .revoke_invitation(ID, &invitation.token)
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn password_reset_revokes_sessions_and_the_temporary_password_signs_in() {
    let desk = demo_desk().await;
    let support = desk_on(desk.database.clone(), desk.clock.clone()).await;
    support
        .console
        .sign_in(ID, creds("support@fluxdesk.demo", "fluxdesk-demo-support", None))
        .await
        .unwrap();
    sign_in(&desk, None).await.unwrap();
    let PasswordReset::TemporaryPassword {
        password,
        sessions_revoked,
    } = desk
        .console
        .reset_admin_password(ID, "support@fluxdesk.demo", ResetMethod::TemporaryPassword)
        .await
        .unwrap()
    else {
        panic!("asked for a temporary password")
    };
    assert_eq!(sessions_revoked, 1, "the session support just opened");
    support.clock.advance(TimeDelta::seconds(11));
    assert!(matches!(
        support.console.access_gate(ID).await.unwrap(),
        AccessGate::Locked {
            reason: LockReason::Revoked,
            ..
        }
    ));
    assert!(
        support
            .console
            .sign_in(ID, creds("support@fluxdesk.demo", &password, None))
            .await
            .is_ok()
    );

    let PasswordReset::ResetToken { token, .. } = desk
        .console
        .reset_admin_password(ID, "support@fluxdesk.demo", ResetMethod::ResetToken)
        .await
        .unwrap()
    else {
        panic!("asked for a token")
    };
    let mut db = sql(&desk).await;
    let (stored, expires): (String, chrono::DateTime<Utc>) = sqlx::query_as(
        "SELECT token, expires_at FROM dashboard.password_reset_tokens ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        stored,
        fluxdesk_core::credentials::sha256_hex(&token),
        "stored as hex SHA-256, never in plaintext"
    );
    assert_eq!(expires, desk.clock.now_utc() + TimeDelta::hours(1));
}

#[tokio::test]
async fn admins_list_delete_and_sessions_revoke_with_blacklisting() {
    let desk = demo_desk().await;
    sign_in(&desk, None).await.unwrap();
    let admins = desk.console.admins(ID).await.unwrap();
    assert_eq!(admins.len(), 2);
    let me = admins.iter().find(|a| a.email == DEMO_ADMIN).unwrap();
    assert!(me.active_sessions >= 1 && me.last_sign_in_at.is_some());
    assert!(
        desk.console
            .delete_admin(ID, DEMO_ADMIN)
            .await
            .unwrap_err()
            .to_string()
            .contains("own")
    );

    let app_sessions = desk.console.sessions(ID, SessionKind::App).await.unwrap();
    let victim = app_sessions.first().expect("the demo has app sessions");
    desk.console
        .revoke_session(ID, &victim.id, Some("jti-123"))
        .await
        .unwrap();
    let mut db = sql(&desk).await;
    let (blacklisted, reason): (i64, Option<String>) =
        sqlx::query_as("SELECT count(*), max(reason) FROM auth.token_blacklist WHERE token_jti = 'jti-123'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(blacklisted, 1);
    assert!(reason.unwrap().contains(DEMO_ADMIN));
    let revoked_all = desk
        .console
        .revoke_all_sessions(ID, &victim.user_id)
        .await
        .unwrap();
    let remaining: i64 = sqlx::query_scalar("SELECT count(*) FROM auth.sessions WHERE user_id = $1::uuid")
        .bind(&victim.user_id)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(remaining, 0, "revoked {revoked_all}");

    let admin_sessions = desk.console.sessions(ID, SessionKind::Admin).await.unwrap();
    assert!(admin_sessions.iter().any(|s| s.current));
    let deleted = desk
        .console
        .delete_admin(ID, "support@fluxdesk.demo")
        .await
        .unwrap();
    assert_eq!(deleted.email, "support@fluxdesk.demo");
    assert_eq!(
        desk.console.admins(ID).await.unwrap().len(),
        1,
        "soft-deleted admins are not listed"
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM fluxdesk.audit_events WHERE admin_email = $1 ORDER BY seq")
            .bind(DEMO_ADMIN)
            .fetch_all(&mut db)
            .await
            .unwrap();
    for expected in [
        "admin.sign_in",
        "session.revoke",
        "session.revoke_all",
        "admin.delete",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} audited: {actions:?}"
        );
    }
}

#[tokio::test]
async fn production_needs_a_step_up_before_destructive_actions() {
    let database = fresh_database(Seed::Demo);
    let clock = Arc::new(ManualClock::starting_at(start()));
    let desk = desk_on(database, clock).await;
    let mut profile = desk.console.profile(ID).unwrap();
    profile.environment = fluxdesk_types::Environment::of_kind(EnvironmentKind::Production);
    // Production defaults to read-only; this one lets writes through after confirmation.
    profile.protection = fluxdesk_types::Protection::ConfirmWrites;
    desk.console.add_transient(profile, None).unwrap();
    desk.console.install_schema(ID).await.unwrap();
    sign_in(&desk, None).await.unwrap();
    // Signing in counts as a step-up for two minutes; after that, ask again.
    desk.clock.advance(TimeDelta::minutes(3));
    desk.console.touch(ID);
    let refused = desk
        .console
        .delete_admin(ID, "support@fluxdesk.demo")
        .await
        .unwrap_err();
    assert_eq!(code(refused), ErrorCode::StepUpRequired);
    assert!(
        desk.console
            .step_up(ID, "wrong", "delete an admin")
            .await
            .is_err()
    );
    desk.console
        .step_up(ID, DEMO_PASSWORD, "delete an admin")
        .await
        .unwrap();
    desk.console
        .delete_admin(ID, "support@fluxdesk.demo")
        .await
        .unwrap();
    let outcome = desk
        .console
        .run_statement(
            ID,
            "UPDATE public.todos SET title = title WHERE id = (SELECT min(id) FROM public.todos)",
        )
        .await
        .unwrap();
    let fluxdesk_types::StatementOutcome::AwaitingConfirmation { pending, .. } = outcome else {
        panic!("production confirms writes")
    };
    assert_eq!(
        code(desk.console.commit_write(&pending.id).await.unwrap_err()),
        ErrorCode::StepUpRequired
    );
    desk.console
        .step_up(ID, DEMO_PASSWORD, "commit a write on production")
        .await
        .unwrap();
    desk.console.commit_write(&pending.id).await.unwrap();
    let mut db = sql(&desk).await;
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM fluxdesk.audit_events WHERE action = 'sql.write' AND details->>'confirmed' = 'true' AND admin_email = $1",
    )
    .bind(DEMO_ADMIN)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        audited, 1,
        "the committed write is in the audit trail, attributed"
    );
}

#[tokio::test]
async fn disconnecting_signs_out_and_deletes_the_session_row() {
    let desk = demo_desk().await;
    let SignInOutcome::SignedIn { session } = sign_in(&desk, None).await.unwrap() else {
        panic!()
    };
    desk.console.disconnect(ID).await;
    let mut db = sql(&desk).await;
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM dashboard.sessions WHERE id = $1::uuid")
        .bind(&session.session_id)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    desk.console.connect(ID, None).await.unwrap();
    assert_eq!(desk.console.access_gate(ID).await.unwrap(), AccessGate::SignIn);
}
