//! App-user management through the console, against the real cluster: the
//! list (every sort by key, search, filters), the detail pane, and every
//! action, each audited, with Fluxbase's own rules (the app_metadata guard,
//! cascades) and read-only and production profiles honoured.

use chrono::{TimeDelta, Utc};
use fluxdesk_core::app_users::{SEARCH_INDEX, token_hash};
use fluxdesk_core::clock::ManualClock;
use fluxdesk_core::credentials::verify_password;
use fluxdesk_core::profiles::profile_from_url;
use fluxdesk_core::{Console, CoreError, Keyring, ProfileFile};
use fluxdesk_sandbox::{Seed, TestDatabase, fresh_database, fresh_platform_database};
use fluxdesk_types::{
    ApiError, BulkAction, BulkRequest, CredentialKind, Credentials, Environment, EnvironmentKind, ErrorCode,
    MetadataKind, Protection, UserCredential, UserFilters, UserInvite, UserListRequest, UserSort,
};
use sqlx::{Connection, PgConnection};
use std::collections::HashSet;
use std::sync::Arc;

const ID: &str = "instance";
const DEMO_ADMIN: &str = "admin@fluxdesk.demo";
const DEMO_PASSWORD: &str = "fluxdesk-demo-admin";
const ALICE: &str = "a0000000-0000-4000-8000-000000000001";
const BOB: &str = "a0000000-0000-4000-8000-000000000002";

struct Desk {
    console: Console,
    database: TestDatabase,
    _dir: tempfile::TempDir,
}

async fn desk_with(
    database: TestDatabase,
    protection: Protection,
    environment: EnvironmentKind,
    admin: &str,
) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let console = Console::new(
        Box::new(ProfileFile::new(dir.path().join("profiles.json"))),
        Keyring::new("Fluxdesk tests (app users)"),
    );
    let start = Utc::now();
    console.set_clock(Arc::new(ManualClock::starting_at(start)));
    console.require_sign_in(true);
    let (mut profile, password) = profile_from_url(&database.url).unwrap();
    profile.id = ID.into();
    profile.name = "app users".into();
    profile.environment = Environment::of_kind(environment);
    profile.protection = protection;
    console.add_transient(profile, password).unwrap();
    console.connect(ID, None).await.unwrap();
    if protection != Protection::ReadOnly {
        console.install_schema(ID).await.unwrap();
    }
    console
        .sign_in(
            ID,
            Credentials {
                email: admin.into(),
                password: DEMO_PASSWORD.into(),
                code: None,
            },
        )
        .await
        .unwrap();
    Desk {
        console,
        database,
        _dir: dir,
    }
}

async fn desk() -> Desk {
    desk_with(
        fresh_database(Seed::Demo),
        Protection::Open,
        EnvironmentKind::Development,
        DEMO_ADMIN,
    )
    .await
}

impl Desk {
    fn sql(&self, sql: &str) -> String {
        self.database.psql(sql)
    }

    fn number(&self, sql: &str) -> i64 {
        self.sql(sql)
            .parse()
            .unwrap_or_else(|_| panic!("not a number from {sql}"))
    }

    async fn connection(&self) -> PgConnection {
        PgConnection::connect(&self.database.url).await.unwrap()
    }

    fn events(&self, action: &str) -> Vec<serde_json::Value> {
        self.sql(&format!(
            "SELECT coalesce(json_agg(json_build_object('target', target, 'details', details) ORDER BY seq), '[]') \
             FROM fluxdesk.audit_events WHERE action = '{action}'"
        ))
        .parse::<serde_json::Value>()
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
    }

    /// Every id of a list, walked page by page.
    async fn walk(&self, mut request: UserListRequest) -> Vec<fluxdesk_types::AppUserSummary> {
        let mut users = Vec::new();
        loop {
            let page = self.console.app_users(ID, &request).await.unwrap();
            users.extend(page.users);
            match page.next {
                Some(next) => request.after = Some(next),
                None => return users,
            }
        }
    }
}

fn code(error: CoreError) -> ErrorCode {
    ApiError::from(error).code
}

fn listing(sort: UserSort, descending: bool) -> UserListRequest {
    UserListRequest {
        sort,
        descending,
        limit: 97,
        ..UserListRequest::default()
    }
}

#[tokio::test]
async fn every_sort_pages_by_key_through_every_user_once_in_order() {
    let desk = desk().await;
    let total = desk.number("SELECT count(*) FROM auth.users") as usize;
    for sort in UserSort::ALL {
        for descending in [false, true] {
            let users = desk.walk(listing(sort, descending)).await;
            let ids: HashSet<_> = users.iter().map(|user| user.id.clone()).collect();
            assert_eq!(ids.len(), total, "{sort:?} desc={descending}: every user once");
            assert_eq!(users.len(), total, "{sort:?} desc={descending}: no user twice");
            // The server's order, checked against the same key computed by psql.
            let expected = desk.sql(&format!(
                "SELECT string_agg(id::text, ',' ORDER BY k {d}, id {d}) FROM ( \
                   SELECT u.id, {key} AS k FROM auth.users u \
                   LEFT JOIN (SELECT user_id, max(created_at) AS last_sign_in, count(*) FILTER (WHERE expires_at > now()) AS active \
                              FROM auth.sessions GROUP BY user_id) st ON st.user_id = u.id \
                   LEFT JOIN (SELECT user_id, string_agg(DISTINCT provider, ',' ORDER BY provider) AS providers \
                              FROM auth.oauth_links GROUP BY user_id) ol ON ol.user_id = u.id) keyed",
                d = if descending { "DESC" } else { "ASC" },
                key = psql_key(sort),
            ));
            let got: Vec<_> = users.iter().map(|user| user.id.as_str()).collect();
            assert_eq!(got.join(","), expected, "{sort:?} desc={descending}: the order");
        }
    }
    // A cursor holds its list: another direction, search or a made-up key is refused.
    let page = desk
        .console
        .app_users(ID, &listing(UserSort::CreatedAt, true))
        .await
        .unwrap();
    let next = page.next.unwrap();
    for request in [
        UserListRequest {
            after: Some(next.clone()),
            ..listing(UserSort::CreatedAt, false)
        },
        UserListRequest {
            after: Some(next.clone()),
            search: "bob".into(),
            ..listing(UserSort::CreatedAt, true)
        },
        UserListRequest {
            after: Some(next.clone()),
            filters: UserFilters {
                verified: Some(true),
                ..UserFilters::default()
            },
            ..listing(UserSort::CreatedAt, true)
        },
        UserListRequest {
            after: Some(next.replace("\"key\":\"", "\"key\":\"x")),
            ..listing(UserSort::CreatedAt, true)
        },
    ] {
        let error = desk.console.app_users(ID, &request).await.unwrap_err();
        assert!(
            error.to_string().contains("first page") || error.to_string().contains("not one Fluxdesk made"),
            "{error}"
        );
        assert_eq!(code(error), ErrorCode::InvalidInput);
    }
    // Enrichment: Alice has a password and Google, sessions, and a newest session.
    let alice = desk.console.app_user(ID, "ALICE@example.com").await.unwrap();
    assert_eq!(alice.id, ALICE);
    assert_eq!(alice.providers, vec!["password", "google"]);
    assert_eq!(
        alice.active_sessions,
        desk.number(&format!(
            "SELECT count(*) FROM auth.sessions WHERE user_id = '{ALICE}' AND expires_at > now()"
        ))
    );
    assert!(alice.last_sign_in_at.is_some());
    let dave = desk.console.app_user(ID, "dave@example.com").await.unwrap();
    assert!(dave.locked && dave.locked_until.is_some(), "{dave:?}");
    let frank = desk.console.app_user(ID, "frank@example.com").await.unwrap();
    assert_eq!(frank.providers, vec!["github"], "no password: OAuth only");
}

fn psql_key(sort: UserSort) -> &'static str {
    match sort {
        UserSort::Email => "u.email",
        UserSort::Id => "u.id",
        UserSort::Role => "COALESCE(u.role, '')",
        UserSort::EmailVerified => "COALESCE(u.email_verified, false)",
        UserSort::CreatedAt => "COALESCE(u.created_at, '-infinity')",
        UserSort::LastSignIn => "COALESCE(st.last_sign_in, '-infinity')",
        UserSort::ActiveSessions => "COALESCE(st.active, 0)",
        UserSort::Provider => {
            "concat_ws(',', CASE WHEN u.password_hash IS NOT NULL THEN 'password' END, ol.providers)"
        }
        UserSort::TwoFactor => "COALESCE(u.totp_enabled, false)",
        UserSort::Locked => {
            "CASE WHEN COALESCE(u.is_locked, false) AND (u.locked_until IS NULL OR u.locked_until > now()) \
             THEN COALESCE(u.locked_until, 'infinity') ELSE '-infinity' END"
        }
        UserSort::UserMetadata => "COALESCE(u.user_metadata, '{}')",
        UserSort::AppMetadata => "COALESCE(u.app_metadata, '{}')",
    }
}

#[tokio::test]
async fn search_runs_on_the_server_over_email_id_and_metadata_with_a_trigram_index_once_created() {
    let desk = desk().await;
    let search = |text: &str| UserListRequest {
        search: text.into(),
        limit: 500,
        ..UserListRequest::default()
    };
    let emails = |users: Vec<fluxdesk_types::AppUserSummary>| {
        let mut emails: Vec<_> = users.into_iter().map(|user| user.email).collect();
        emails.sort();
        emails
    };
    let page = desk.console.app_users(ID, &search("IVAN@")).await.unwrap();
    assert_eq!(emails(page.users), vec!["ivan@example.com"]);
    assert!(!page.search_index.in_place && page.search_index.can_create);
    assert!(
        page.search_index.message.contains("no trigram index"),
        "{}",
        page.search_index.message
    );
    // Metadata text and an id fragment.
    let page = desk.console.app_users(ID, &search("Demo User 17")).await.unwrap();
    assert_eq!(page.matching.unwrap().count, 11, "17 and 170..179");
    let page = desk
        .console
        .app_users(ID, &search("000-00000000000a"))
        .await
        .unwrap();
    assert_eq!(emails(page.users), vec!["judy@example.com"]);
    // LIKE wildcards are literal.
    assert!(
        desk.console
            .app_users(ID, &search("%"))
            .await
            .unwrap()
            .users
            .is_empty()
    );

    let index = desk.console.create_user_search_index(ID).await.unwrap();
    assert!(index.in_place, "{index:?}");
    assert_eq!(
        desk.sql(&format!(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'auth.{SEARCH_INDEX}'::regclass"
        )),
        "t"
    );
    assert_eq!(desk.events("user.search_index.create").len(), 1);
    // The planner uses it for the list's own search expression.
    let plan = desk.sql(
        "SET enable_seqscan = off; EXPLAIN SELECT u.id FROM auth.users u WHERE \
         lower(u.email || ' ' || u.id::text || ' ' || COALESCE(u.user_metadata::text, '') || ' ' || COALESCE(u.app_metadata::text, '')) LIKE '%ivan%'",
    );
    assert!(plan.contains(SEARCH_INDEX), "{plan}");
    let page = desk.console.app_users(ID, &search("ivan@")).await.unwrap();
    assert_eq!(emails(page.users), vec!["ivan@example.com"]);
    assert!(page.search_index.in_place);

    // Without pg_trgm, search still works and says why it is slower.
    desk.sql(&format!(
        "DROP INDEX auth.{SEARCH_INDEX}; DROP EXTENSION pg_trgm CASCADE"
    ));
    let page = desk.console.app_users(ID, &search("ivan@")).await.unwrap();
    assert_eq!(emails(page.users), vec!["ivan@example.com"]);
    assert!(
        page.search_index.message.contains("pg_trgm is not installed"),
        "{}",
        page.search_index.message
    );
}

#[tokio::test]
async fn filters_narrow_the_list_on_the_server_and_count_the_matches() {
    let desk = desk().await;
    let filtered = |filters: UserFilters| UserListRequest {
        filters,
        limit: 500,
        ..UserListRequest::default()
    };
    let cases = [
        (
            UserFilters {
                role: Some("admin".into()),
                ..UserFilters::default()
            },
            "SELECT count(*) FROM auth.users WHERE role = 'admin'",
        ),
        (
            UserFilters {
                verified: Some(false),
                ..UserFilters::default()
            },
            "SELECT count(*) FROM auth.users WHERE NOT COALESCE(email_verified, false)",
        ),
        (
            UserFilters {
                locked: Some(true),
                ..UserFilters::default()
            },
            "SELECT count(*) FROM auth.users WHERE is_locked AND (locked_until IS NULL OR locked_until > now())",
        ),
        (
            UserFilters {
                two_factor: Some(true),
                ..UserFilters::default()
            },
            "SELECT count(*) FROM auth.users WHERE totp_enabled",
        ),
        (
            UserFilters {
                has_sessions: Some(true),
                role: Some("user".into()),
                ..UserFilters::default()
            },
            "SELECT count(*) FROM auth.users u WHERE role = 'user' AND EXISTS (SELECT 1 FROM auth.sessions s WHERE s.user_id = u.id AND s.expires_at > now())",
        ),
    ];
    for (filters, sql) in cases {
        let expected = desk.number(sql);
        assert!(expected > 0, "{sql} finds someone");
        let users = desk.walk(filtered(filters.clone())).await;
        assert_eq!(users.len() as i64, expected, "{filters:?}");
        let page = desk
            .console
            .app_users(ID, &filtered(filters.clone()))
            .await
            .unwrap();
        let matching = page.matching.unwrap();
        assert_eq!(
            (matching.count, matching.capped, matching.estimated),
            (expected, false, false)
        );
    }
    let unfiltered = desk
        .console
        .app_users(ID, &listing(UserSort::Email, false))
        .await
        .unwrap();
    assert!(
        unfiltered.matching.unwrap().estimated,
        "no filter: the planner's estimate"
    );
    let roles = desk.console.app_roles(ID).await.unwrap();
    assert_eq!(roles[0].role, "authenticated", "{roles:?}");
    assert!(
        roles
            .iter()
            .any(|role| role.role == "admin" && role.users == 20 + 1),
        "{roles:?}"
    );
}

#[tokio::test]
async fn invite_creates_a_user_with_a_temporary_password_or_a_token_and_refuses_bad_or_taken_emails() {
    let desk = desk().await;
    let invited = desk
        .console
        .invite_app_user(
            ID,
            &UserInvite {
                email: " New.Person@Example.com ".into(),
                role: String::new(),
                credential: CredentialKind::TemporaryPassword,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (invited.user.email.as_str(), invited.user.role.as_str()),
        ("new.person@example.com", "user")
    );
    assert!(!invited.user.email_verified);
    let UserCredential::TemporaryPassword { password } = &invited.credential else {
        panic!("{:?}", invited.credential)
    };
    assert_eq!(password.len(), 16);
    let hash = desk.sql("SELECT password_hash FROM auth.users WHERE email = 'new.person@example.com'");
    assert!(hash.starts_with("$2a$10$") && verify_password(password, &hash));
    assert!(
        !desk
            .sql("SELECT * FROM fluxdesk.audit_events")
            .contains(password.as_str()),
        "never recorded"
    );

    let invited = desk
        .console
        .invite_app_user(
            ID,
            &UserInvite {
                email: "token.person@example.com".into(),
                role: "editor".into(),
                credential: CredentialKind::Token,
            },
        )
        .await
        .unwrap();
    let UserCredential::Token { token, table, .. } = &invited.credential else {
        panic!("{:?}", invited.credential)
    };
    assert_eq!((table.as_str(), token.len()), ("auth.password_reset_tokens", 44));
    assert_eq!(
        desk.sql(&format!(
            "SELECT token_hash = '{}' AND expires_at > now() + interval '6 days' FROM auth.password_reset_tokens WHERE user_id = '{}'",
            token_hash(token),
            invited.user.id
        )),
        "t"
    );
    let events = desk.events("user.invite");
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["details"]["role"], "editor");

    for (email, words) in [
        ("not-an-email", "is not an email address"),
        ("bob@example.com", "already a user"),
        ("BOB@EXAMPLE.COM", "already a user"),
    ] {
        let error = desk
            .console
            .invite_app_user(
                ID,
                &UserInvite {
                    email: email.into(),
                    role: String::new(),
                    credential: CredentialKind::TemporaryPassword,
                },
            )
            .await
            .unwrap_err();
        assert!(error.to_string().contains(words), "{email}: {error}");
        assert_eq!(code(error), ErrorCode::InvalidInput);
    }
    assert_eq!(desk.events("user.invite").len(), 2, "refusals change nothing");
}

#[tokio::test]
async fn role_and_metadata_edits_are_audited_and_app_metadata_passes_fluxbases_guard() {
    let desk = desk().await;
    let bob = desk
        .console
        .set_app_user_role(ID, BOB, "  support-lead ")
        .await
        .unwrap();
    assert_eq!(bob.role, "support-lead");
    let events = desk.events("user.set_role");
    assert_eq!(events[0]["details"]["before"], "user");
    assert_eq!(events[0]["details"]["after"], "support-lead");
    assert!(desk.console.set_app_user_role(ID, BOB, "  ").await.is_err());

    // The guard is real: without an admin claim the same update fails.
    let mut plain = desk.connection().await;
    let refused = sqlx::query("UPDATE auth.users SET app_metadata = '{\"plan\": \"x\"}' WHERE id = $1::uuid")
        .bind(BOB)
        .execute(&mut plain)
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("Only admins can modify app_metadata"),
        "{refused}"
    );

    let bob = desk
        .console
        .set_app_user_metadata(
            ID,
            "bob@example.com",
            MetadataKind::App,
            r#"{"plan": "enterprise", "seats": 40}"#,
        )
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&bob.app_metadata).unwrap(),
        serde_json::json!({"plan": "enterprise", "seats": 40})
    );
    desk.console
        .set_app_user_metadata(ID, BOB, MetadataKind::User, r#"{"full_name": "Robert"}"#)
        .await
        .unwrap();
    assert_eq!(
        desk.sql(&format!(
            "SELECT user_metadata->>'full_name' FROM auth.users WHERE id = '{BOB}'"
        )),
        "Robert"
    );
    let events = desk.events("user.app_metadata");
    assert_eq!(events[0]["details"]["after"]["seats"], 40);
    assert_eq!(desk.events("user.user_metadata").len(), 1);

    for (text, words) in [
        (r#"{"plan": "#, "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ("plan=pro", "not valid JSON"),
    ] {
        let error = desk
            .console
            .set_app_user_metadata(ID, BOB, MetadataKind::App, text)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(words), "{text}: {error}");
        assert_eq!(code(error), ErrorCode::InvalidInput);
    }
    assert_eq!(
        desk.sql(&format!(
            "SELECT app_metadata->>'plan' FROM auth.users WHERE id = '{BOB}'"
        )),
        "enterprise"
    );
}

#[tokio::test]
async fn on_fluxbase_2026_3_7_app_metadata_edits_carry_the_instance_admin_claim() {
    let desk = desk_with(
        fresh_platform_database(),
        Protection::Open,
        EnvironmentKind::Development,
        DEMO_ADMIN,
    )
    .await;
    let bob = desk
        .console
        .set_app_user_metadata(ID, BOB, MetadataKind::App, r#"{"tier": "gold"}"#)
        .await
        .unwrap();
    assert!(bob.app_metadata.contains("gold"));
    let users = desk.walk(listing(UserSort::LastSignIn, true)).await;
    assert_eq!(users.len() as i64, desk.number("SELECT count(*) FROM auth.users"));
    // Invited users land in the default tenant, as the 2026.3.7 server puts them.
    desk.console
        .invite_app_user(
            ID,
            &UserInvite {
                email: "tenant.person@example.com".into(),
                role: String::new(),
                credential: CredentialKind::TemporaryPassword,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        desk.sql("SELECT u.tenant_id = t.id FROM auth.users u, platform.tenants t WHERE t.is_default AND u.email = 'tenant.person@example.com'"),
        "t"
    );
}

#[tokio::test]
async fn a_password_reset_revokes_every_session_of_the_user() {
    let desk = desk().await;
    let sessions = |desk: &Desk| {
        desk.number(&format!(
            "SELECT count(*) FROM auth.sessions WHERE user_id = '{ALICE}'"
        ))
    };
    let before = sessions(&desk);
    assert!(before > 0);
    let reset = desk
        .console
        .reset_app_user_password(ID, ALICE, CredentialKind::TemporaryPassword)
        .await
        .unwrap();
    assert_eq!(reset.sessions_revoked, before as u64);
    assert_eq!(sessions(&desk), 0);
    let UserCredential::TemporaryPassword { password } = &reset.credential else {
        panic!()
    };
    assert!(verify_password(
        password,
        &desk.sql(&format!(
            "SELECT password_hash FROM auth.users WHERE id = '{ALICE}'"
        ))
    ));
    // A token reset keeps the password and revokes the sessions made since.
    desk.sql(&format!(
        "INSERT INTO auth.sessions (user_id, expires_at, access_token_hash) VALUES ('{ALICE}', now() + interval '1 day', 'fresh')"
    ));
    let reset = desk
        .console
        .reset_app_user_password(ID, "alice@example.com", CredentialKind::Token)
        .await
        .unwrap();
    assert_eq!(reset.sessions_revoked, 1);
    let UserCredential::Token {
        token, expires_at, ..
    } = &reset.credential
    else {
        panic!()
    };
    assert_eq!(
        desk.number(&format!(
            "SELECT count(*) FROM auth.password_reset_tokens WHERE token_hash = '{}' AND expires_at <= now() + interval '61 minutes'",
            token_hash(token)
        )),
        1,
        "{expires_at}"
    );
    let events = desk.events("user.password_reset");
    assert_eq!(
        events
            .iter()
            .map(|e| e["details"]["sessions_revoked"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![before, 1]
    );
}

#[tokio::test]
async fn lock_ends_sessions_until_a_time_and_unlock_clears_it_and_sessions_are_revoked_one_or_all() {
    let desk = desk().await;
    let until = (Utc::now() + TimeDelta::hours(2)).to_rfc3339();
    let (bob, revoked) = desk.console.lock_app_user(ID, BOB, Some(&until)).await.unwrap();
    assert!(bob.locked && bob.locked_until.is_some());
    assert!(revoked > 0);
    assert_eq!(
        desk.number(&format!(
            "SELECT count(*) FROM auth.sessions WHERE user_id = '{BOB}'"
        )),
        0
    );
    let past = (Utc::now() - TimeDelta::hours(1)).to_rfc3339();
    assert!(
        desk.console
            .lock_app_user(ID, BOB, Some(&past))
            .await
            .unwrap_err()
            .to_string()
            .contains("future")
    );
    assert!(
        desk.console
            .lock_app_user(ID, BOB, Some("tomorrow"))
            .await
            .unwrap_err()
            .to_string()
            .contains("not a time")
    );
    let bob = desk.console.unlock_app_user(ID, BOB).await.unwrap();
    assert!(!bob.locked);
    assert_eq!(
        desk.sql(&format!(
            "SELECT is_locked, locked_until IS NULL, failed_login_attempts FROM auth.users WHERE id = '{BOB}'"
        )),
        "f|t|0"
    );
    let (_, _) = desk.console.lock_app_user(ID, BOB, None).await.unwrap();
    assert_eq!(
        desk.sql(&format!(
            "SELECT is_locked, locked_until IS NULL FROM auth.users WHERE id = '{BOB}'"
        )),
        "t|t"
    );
    assert_eq!(desk.events("user.lock").len(), 2);
    assert_eq!(desk.events("user.unlock").len(), 1);

    let detail = desk.console.app_user_detail(ID, ALICE).await.unwrap();
    let first = detail.sessions[0].id.clone();
    let total = detail.sessions.len() as i64;
    desk.console
        .revoke_app_user_session(ID, ALICE, &first)
        .await
        .unwrap();
    assert_eq!(
        desk.number(&format!(
            "SELECT count(*) FROM auth.sessions WHERE user_id = '{ALICE}'"
        )),
        total - 1
    );
    // Another user's session is not this user's to revoke.
    assert_eq!(
        code(
            desk.console
                .revoke_app_user_session(ID, BOB, &detail.sessions[1].id)
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        desk.console.revoke_app_user_sessions(ID, ALICE).await.unwrap(),
        (total - 1) as u64
    );
    assert_eq!(desk.events("user.session.revoke").len(), 1);
    assert_eq!(desk.events("user.sessions.revoke_all").len(), 1);
}

#[tokio::test]
async fn the_detail_shows_sessions_links_impersonations_audit_events_and_what_a_delete_cascades_to() {
    let desk = desk().await;
    desk.console.set_app_user_role(ID, BOB, "user").await.unwrap();
    let detail = desk.console.app_user_detail(ID, "bob@example.com").await.unwrap();
    assert_eq!(
        detail.sessions.len() as i64,
        desk.number(&format!(
            "SELECT count(*) FROM auth.sessions WHERE user_id = '{BOB}'"
        ))
    );
    assert_eq!(detail.impersonations.len(), 1);
    assert_eq!(detail.impersonations[0].admin, DEMO_ADMIN);
    assert!(
        detail.impersonations[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("#1841")
    );
    assert_eq!(detail.audit_events[0].action, "user.set_role");
    let alice = desk.console.app_user_detail(ID, ALICE).await.unwrap();
    assert_eq!(alice.oauth_links[0].provider, "google");
    let cascade = |table: &str| {
        alice
            .cascades
            .iter()
            .find(|c| c.table == table)
            .unwrap_or_else(|| panic!("{table}: {:?}", alice.cascades))
            .clone()
    };
    assert_eq!(cascade("auth.sessions").action, "cascade");
    assert_eq!(cascade("auth.sessions").rows, alice.sessions.len() as i64);
    assert_eq!(cascade("auth.oauth_links").rows, 1);
    assert_eq!(cascade("storage.objects").action, "set null");
    let todos = cascade("public.todos");
    assert_eq!(
        todos.rows,
        desk.number(&format!(
            "SELECT count(*) FROM public.todos WHERE user_id = '{ALICE}'"
        ))
    );
    assert!(todos.rows > 0);
}

#[tokio::test]
async fn delete_needs_the_email_typed_and_takes_what_cascades_with_it() {
    let desk = desk().await;
    let error = desk
        .console
        .delete_app_user(ID, ALICE, "bob@example.com")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("alice@example.com"), "{error}");
    assert_eq!(
        desk.number(&format!("SELECT count(*) FROM auth.users WHERE id = '{ALICE}'")),
        1
    );
    let (alice, cascaded) = desk
        .console
        .delete_app_user(ID, ALICE, "Alice@Example.com")
        .await
        .unwrap();
    assert_eq!(alice.email, "alice@example.com");
    assert!(
        cascaded
            .iter()
            .any(|c| c.table == "auth.oauth_links" && c.rows == 1)
    );
    for table in [
        "auth.users WHERE id",
        "auth.sessions WHERE user_id",
        "auth.oauth_links WHERE user_id",
        "public.todos WHERE user_id",
    ] {
        assert_eq!(
            desk.number(&format!("SELECT count(*) FROM {table} = '{ALICE}'")),
            0,
            "{table}"
        );
    }
    let events = desk.events("user.delete");
    assert_eq!(events[0]["target"], "alice@example.com");
    assert_eq!(events[0]["details"]["cascades"]["auth.oauth_links.user_id"][1], 1);
}

#[tokio::test]
async fn a_batch_is_counted_first_and_applied_all_or_nothing() {
    let desk = desk().await;
    let ids: Vec<String> = desk
        .sql("SELECT string_agg(id::text, ',' ORDER BY email) FROM auth.users WHERE email IN ('carol@example.com', 'ivan@example.com', 'judy@example.com')")
        .split(',')
        .map(str::to_owned)
        .collect();
    // Judy is referred to by a row that forbids deleting her.
    desk.sql(&format!(
        "CREATE TABLE public.contracts (id int PRIMARY KEY, signer uuid REFERENCES auth.users (id) ON DELETE RESTRICT); \
         INSERT INTO public.contracts VALUES (1, '{}')",
        ids[2]
    ));
    let preview = desk
        .console
        .preview_app_user_batch(ID, &ids, &BulkAction::Delete)
        .await
        .unwrap();
    assert_eq!(preview.users, 3);
    assert!(
        preview
            .cascades
            .iter()
            .any(|c| c.table == "public.contracts" && c.action == "restrict" && c.rows == 1)
    );
    let sessions_before = desk.number("SELECT count(*) FROM auth.sessions");
    let error = desk
        .console
        .apply_app_user_batch(
            ID,
            &BulkRequest {
                user_ids: ids.clone(),
                action: BulkAction::Delete,
                expected_users: 3,
            },
        )
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("public.contracts") && error.to_string().contains("Nothing was deleted"),
        "{error}"
    );
    assert_eq!(desk.number("SELECT count(*) FROM auth.users WHERE email IN ('carol@example.com', 'ivan@example.com', 'judy@example.com')"), 3);
    assert_eq!(desk.number("SELECT count(*) FROM auth.sessions"), sessions_before);
    assert!(desk.events("user.delete").is_empty());

    // A count that no longer holds refuses the batch.
    let mut with_ghost = ids.clone();
    with_ghost.push("a0000000-0000-4000-8000-0000000000ff".into());
    let ghost = desk
        .console
        .preview_app_user_batch(ID, &with_ghost, &BulkAction::RevokeSessions)
        .await
        .unwrap();
    assert_eq!((ghost.users, ghost.missing.len()), (3, 1));
    assert!(
        desk.console
            .apply_app_user_batch(
                ID,
                &BulkRequest {
                    user_ids: with_ghost,
                    action: BulkAction::RevokeSessions,
                    expected_users: 3
                }
            )
            .await
            .is_err()
    );
    assert_eq!(desk.number("SELECT count(*) FROM auth.sessions"), sessions_before);

    let outcome = desk
        .console
        .apply_app_user_batch(
            ID,
            &BulkRequest {
                user_ids: ids.clone(),
                action: BulkAction::Lock { until: None },
                expected_users: 3,
            },
        )
        .await
        .unwrap();
    assert_eq!(outcome.users, 3);
    assert_eq!(desk.number("SELECT count(*) FROM auth.users WHERE is_locked AND email IN ('carol@example.com', 'ivan@example.com', 'judy@example.com')"), 3);
    assert_eq!(desk.events("user.lock").len(), 3);
    let bulk = desk.events("user.bulk");
    assert_eq!(bulk[0]["details"]["user_ids"].as_array().unwrap().len(), 3);
    // Each user's detail shows the batch.
    let carol = desk.console.app_user_detail(ID, &ids[0]).await.unwrap();
    assert!(carol.audit_events.iter().any(|event| event.action == "user.bulk"));

    desk.sql("DROP TABLE public.contracts");
    let outcome = desk
        .console
        .apply_app_user_batch(
            ID,
            &BulkRequest {
                user_ids: ids,
                action: BulkAction::Delete,
                expected_users: 3,
            },
        )
        .await
        .unwrap();
    assert_eq!(outcome.users, 3);
    assert_eq!(desk.events("user.delete").len(), 3);
}

#[tokio::test]
async fn a_read_only_profile_has_the_server_refuse_every_user_change() {
    let database = fresh_database(Seed::Demo);
    // The schema is installed by a writable console first.
    {
        let writable = desk_with(
            database.clone(),
            Protection::Open,
            EnvironmentKind::Development,
            DEMO_ADMIN,
        )
        .await;
        drop(writable.console);
    }
    let desk = desk_with(
        database,
        Protection::ReadOnly,
        EnvironmentKind::Development,
        DEMO_ADMIN,
    )
    .await;
    assert_eq!(
        code(
            desk.console
                .set_app_user_role(ID, BOB, "owner")
                .await
                .unwrap_err()
        ),
        ErrorCode::ReadOnly
    );
    assert_eq!(
        code(desk.console.revoke_app_user_sessions(ID, BOB).await.unwrap_err()),
        ErrorCode::ReadOnly
    );
    assert_eq!(
        code(
            desk.console
                .delete_app_user(ID, BOB, "bob@example.com")
                .await
                .unwrap_err()
        ),
        ErrorCode::ReadOnly
    );
    assert_eq!(
        desk.sql(&format!("SELECT role FROM auth.users WHERE id = '{BOB}'")),
        "user"
    );
    // Reading still works.
    assert_eq!(
        desk.console.app_user(ID, BOB).await.unwrap().email,
        "bob@example.com"
    );
}

#[tokio::test]
async fn on_production_deleting_resetting_and_batches_need_a_step_up() {
    let desk = desk_with(
        fresh_database(Seed::Demo),
        Protection::Open,
        EnvironmentKind::Production,
        DEMO_ADMIN,
    )
    .await;
    // A fresh sign-in counts as a step-up once; spend it.
    desk.console
        .revoke_app_user_sessions(ID, "carol@example.com")
        .await
        .unwrap();
    let error = desk
        .console
        .delete_app_user(ID, BOB, "bob@example.com")
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::StepUpRequired);
    let error = desk
        .console
        .reset_app_user_password(ID, BOB, CredentialKind::Token)
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::StepUpRequired);
    desk.console
        .step_up(ID, DEMO_PASSWORD, fluxdesk_types::DELETE_APP_USERS)
        .await
        .unwrap();
    desk.console
        .delete_app_user(ID, BOB, "bob@example.com")
        .await
        .unwrap();
    assert_eq!(
        desk.number(&format!("SELECT count(*) FROM auth.users WHERE id = '{BOB}'")),
        0
    );
    // A role whose requests bypass RLS needs one too.
    assert_eq!(
        code(
            desk.console
                .set_app_user_role(ID, ALICE, "service_role")
                .await
                .unwrap_err()
        ),
        ErrorCode::StepUpRequired
    );
    let elevated_invite = UserInvite {
        email: "root.person@example.com".into(),
        role: "service_role".into(),
        credential: CredentialKind::TemporaryPassword,
    };
    assert_eq!(
        code(
            desk.console
                .invite_app_user(ID, &elevated_invite)
                .await
                .unwrap_err()
        ),
        ErrorCode::StepUpRequired,
        "inviting with such a role is no way around it"
    );
    // Non-destructive changes need none.
    desk.console.set_app_user_role(ID, ALICE, "editor").await.unwrap();
    desk.console
        .unlock_app_user(ID, "dave@example.com")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_role_without_superuser_lists_users_with_their_oauth_providers_and_edits_them() {
    let database = fresh_database(Seed::Demo);
    let cluster = fluxdesk_sandbox::shared_cluster();
    let role = format!("ops_{}", &database.name[5..17]);
    // Fluxbase's `authenticated` privileges: RLS applies, FORCE on auth.oauth_links.
    database.psql(&format!(
        "CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE authenticated; \
         GRANT CREATE ON DATABASE \"{}\" TO {role};",
        database.name
    ));
    let superuser = format!("postgres://{}@", cluster.address().user);
    let url = database
        .url
        .replacen(&superuser, &format!("postgres://{role}@"), 1);
    assert_ne!(url, database.url, "connects as the new role");
    let desk = desk_with(
        TestDatabase {
            url,
            ..database.clone()
        },
        Protection::Open,
        EnvironmentKind::Development,
        DEMO_ADMIN,
    )
    .await;
    let users = desk.walk(listing(UserSort::Email, false)).await;
    assert_eq!(users.len() as i64, desk.number("SELECT count(*) FROM auth.users"));
    let alice = users.iter().find(|user| user.id == ALICE).unwrap();
    assert_eq!(
        alice.providers,
        vec!["password", "google"],
        "OAuth links read past FORCE RLS"
    );
    assert!(alice.active_sessions > 0);
    let detail = desk.console.app_user_detail(ID, BOB).await.unwrap();
    assert_eq!(detail.impersonations.len(), 1);
    // Tables this role may not read are named, their rows unknown, not an error.
    let hidden: Vec<_> = detail
        .cascades
        .iter()
        .filter(|c| !c.readable)
        .map(|c| c.table.as_str())
        .collect();
    assert!(hidden.contains(&"migrations.app"), "{hidden:?}");
    assert!(
        detail
            .cascades
            .iter()
            .any(|c| c.readable && c.table == "auth.sessions" && c.rows > 0)
    );
    desk.console
        .set_app_user_metadata(ID, BOB, MetadataKind::App, r#"{"plan": "team"}"#)
        .await
        .unwrap();
    assert_eq!(
        desk.sql(&format!(
            "SELECT app_metadata->>'plan' FROM auth.users WHERE id = '{BOB}'"
        )),
        "team"
    );
}
