//! Impersonation through the console, as the app and the CLI use it: only
//! for a signed-in admin with a step-up and a reason, recorded as Fluxbase
//! records it, covering the grid, SQL and exports, with writes as dry runs.

use chrono::{TimeZone, Utc};
use fluxdesk_core::clock::ManualClock;
use fluxdesk_core::profiles::profile_from_url;
use fluxdesk_core::{Console, CoreError, Keyring, ProfileFile};
use fluxdesk_sandbox::{Seed, TestDatabase, fresh_database};
use fluxdesk_types::{
    ApiError, CellValue, ChangeOutcome, ChangeSet, Credentials, ErrorCode, ExportFormat, ExportRequest,
    ExportSource, ImpersonationRequest, ImpersonationTarget, RowChange, RowFilter, RowsRequest,
    StatementOutcome, TableRef,
};
use sqlx::{Connection, Executor, PgConnection};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

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

async fn desk() -> Desk {
    desk_on(fresh_database(Seed::Demo)).await
}

/// A console connected (sign-in required) to `database`, Fluxdesk's schema installed.
async fn desk_on(database: TestDatabase) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let console = Console::new(
        Box::new(ProfileFile::new(dir.path().join("profiles.json"))),
        Keyring::new("Fluxdesk tests (impersonation)"),
    );
    let start = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 15).unwrap();
    console.set_clock(Arc::new(ManualClock::starting_at(start)));
    console.require_sign_in(true);
    let (mut profile, password) = profile_from_url(&database.url).unwrap();
    profile.id = ID.into();
    profile.name = "impersonation".into();
    profile.protection = fluxdesk_types::Protection::Open;
    console.add_transient(profile, password).unwrap();
    console.connect(ID, None).await.unwrap();
    console.install_schema(ID).await.unwrap();
    Desk {
        console,
        database,
        _dir: dir,
    }
}

impl Desk {
    async fn sign_in(&self) {
        self.console
            .sign_in(
                ID,
                Credentials {
                    email: DEMO_ADMIN.into(),
                    password: DEMO_PASSWORD.into(),
                    code: None,
                },
            )
            .await
            .unwrap();
    }

    async fn sql(&self) -> PgConnection {
        PgConnection::connect(&self.database.url).await.unwrap()
    }

    async fn start(
        &self,
        target: ImpersonationTarget,
    ) -> Result<fluxdesk_types::ActiveImpersonation, CoreError> {
        self.console
            .start_impersonation(
                ID,
                &ImpersonationRequest {
                    target,
                    reason: "ticket 4411: cannot see their todos".into(),
                },
            )
            .await
    }

    async fn step_up(&self) {
        self.console
            .step_up(ID, DEMO_PASSWORD, "start an impersonation")
            .await
            .unwrap();
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&mut self.sql().await)
            .await
            .unwrap()
    }

    /// Audit events of `action`: their details, oldest first.
    async fn events(&self, action: &str) -> Vec<serde_json::Value> {
        sqlx::query_scalar("SELECT details FROM fluxdesk.audit_events WHERE action = $1 ORDER BY seq")
            .bind(action)
            .fetch_all(&mut self.sql().await)
            .await
            .unwrap()
    }
}

fn code(error: CoreError) -> ErrorCode {
    ApiError::from(error).code
}

fn bob() -> ImpersonationTarget {
    ImpersonationTarget::User { user_id: BOB.into() }
}

fn todos() -> TableRef {
    TableRef::new("public", "todos")
}

fn first_page(table: TableRef) -> RowsRequest {
    RowsRequest {
        table,
        limit: 1000,
        after: None,
        before: None,
        position: None,
        full_values: false,
        filter: RowFilter::default(),
        sort: Vec::new(),
    }
}

#[tokio::test]
async fn starting_needs_a_signed_in_admin_a_reason_and_a_step_up_and_is_recorded_as_fluxbase_does() {
    let desk = desk().await;
    let refused = desk.start(bob()).await.unwrap_err();
    assert_eq!(code(refused), ErrorCode::SignInRequired, "no admin signed in");

    desk.sign_in().await;
    let no_reason = desk
        .console
        .start_impersonation(
            ID,
            &ImpersonationRequest {
                target: bob(),
                reason: "  ".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(no_reason), ErrorCode::InvalidInput);

    // The switcher's search runs on the server, by email or by id.
    let by_email = desk.console.search_app_users(ID, "BOB@", 20).await.unwrap();
    assert_eq!(by_email[0].email, "bob@example.com");
    let by_id = desk.console.search_app_users(ID, BOB, 20).await.unwrap();
    assert_eq!(
        (by_id.len(), by_id[0].id.as_str(), by_id[0].role.as_str()),
        (1, BOB, "user")
    );

    // The fresh sign-in is the step-up for the first start.
    let acting = desk.start(bob()).await.unwrap();
    assert_eq!(
        (
            acting.kind.as_str(),
            acting.email.as_str(),
            acting.app_role.as_str(),
            acting.database_role.as_str()
        ),
        ("user", "bob@example.com", "user", "authenticated")
    );
    let row: (String, Option<String>, String, String, String, String, bool, bool) = sqlx::query_as(
        "SELECT s.admin_user_id::text, s.target_user_id::text, s.target_role, s.impersonation_type, s.reason, \
                s.user_agent, s.is_active, s.ended_at IS NULL \
         FROM auth.impersonation_sessions s WHERE s.id = $1::uuid",
    )
    .bind(&acting.session_id)
    .fetch_one(&mut desk.sql().await)
    .await
    .unwrap();
    let admin_id: String = sqlx::query_scalar("SELECT id::text FROM dashboard.users WHERE email = $1")
        .bind(DEMO_ADMIN)
        .fetch_one(&mut desk.sql().await)
        .await
        .unwrap();
    assert_eq!(row.0, admin_id, "admin_user_id is the signed-in admin");
    assert_eq!(row.1.as_deref(), Some(BOB));
    assert_eq!((row.2.as_str(), row.3.as_str()), ("user", "user"));
    assert_eq!(row.4, "ticket 4411: cannot see their todos");
    assert_eq!(row.5, format!("Fluxdesk {}", env!("CARGO_PKG_VERSION")));
    assert!(row.6 && row.7, "active, not ended");

    // The next start needs a step-up of its own, and ends the first.
    let again = desk.start(ImpersonationTarget::Anon).await.unwrap_err();
    assert_eq!(code(again), ErrorCode::StepUpRequired);
    assert_eq!(
        desk.console.impersonation(ID).unwrap().session_id,
        acting.session_id,
        "still bob"
    );
    desk.step_up().await;
    let anon = desk.start(ImpersonationTarget::Anon).await.unwrap();
    assert_eq!(
        (anon.kind.as_str(), anon.database_role.as_str()),
        ("anon", "anon")
    );
    let states: Vec<(String, Option<String>, String, bool)> = sqlx::query_as(
        "SELECT impersonation_type, target_user_id::text, target_role, is_active FROM auth.impersonation_sessions \
         WHERE admin_user_id = $1::uuid AND user_agent LIKE 'Fluxdesk %' ORDER BY started_at, is_active",
    )
    .bind(&admin_id)
    .fetch_all(&mut desk.sql().await)
    .await
    .unwrap();
    assert_eq!(
        states,
        vec![
            ("user".into(), Some(BOB.into()), "user".into(), false),
            ("anon".into(), None, "anon".into(), true)
        ]
    );

    desk.step_up().await;
    let service = desk.start(ImpersonationTarget::Service).await.unwrap();
    assert_eq!(service.database_role, "service_role");
    assert!(desk.console.stop_impersonation(ID).await.unwrap());
    assert!(desk.console.impersonation(ID).is_none());
    assert_eq!(
        desk.count("SELECT count(*) FROM auth.impersonation_sessions WHERE is_active AND user_agent LIKE 'Fluxdesk %'")
            .await,
        0,
        "stopping ends the row"
    );
    let target_role: String =
        sqlx::query_scalar("SELECT target_role FROM auth.impersonation_sessions WHERE id = $1::uuid")
            .bind(&service.session_id)
            .fetch_one(&mut desk.sql().await)
            .await
            .unwrap();
    assert_eq!(target_role, "service", "as Fluxbase writes it");

    let starts = desk.events("impersonation.start").await;
    let stops = desk.events("impersonation.stop").await;
    assert_eq!(starts.len(), 3);
    assert_eq!(starts[0]["reason"], "ticket 4411: cannot see their todos");
    assert_eq!(starts[0]["impersonation"]["email"], "bob@example.com");
    let why: Vec<&str> = stops.iter().map(|e| e["why"].as_str().unwrap()).collect();
    assert_eq!(
        why,
        [
            "replaced by a new impersonation",
            "replaced by a new impersonation",
            "stopped"
        ]
    );

    // Self-impersonation is refused: the admin is not an app user, so a
    // made-up id is simply not found.
    desk.step_up().await;
    let missing = desk
        .start(ImpersonationTarget::User {
            user_id: "b0000000-0000-4000-8000-000000000000".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(code(missing), ErrorCode::NotFound);
}

#[tokio::test]
async fn the_grid_sql_and_exports_see_exactly_what_the_identity_may_and_the_insight_explains_it() {
    let desk = desk().await;
    desk.sign_in().await;
    let everyone = desk.count("SELECT count(*) FROM public.todos").await;
    let bobs = desk
        .count(&format!(
            "SELECT count(*) FROM public.todos WHERE user_id = '{BOB}'"
        ))
        .await;
    assert!(bobs > 0 && everyone > bobs);

    let acting = desk.start(bob()).await.unwrap();
    let page = desk.console.rows(ID, &first_page(todos())).await.unwrap();
    let owner = page.columns.iter().position(|c| c.name == "user_id").unwrap();
    assert_eq!(page.rows.len() as i64, bobs, "the grid shows bob's todos only");
    assert!(page.rows.iter().all(|row| row[owner].display_text() == BOB));
    assert_eq!(desk.console.exact_count(ID, &todos(), None).await.unwrap(), bobs);
    // A filter runs as the identity too: bob's done todos, none of anyone else's.
    let done = RowsRequest {
        filter: RowFilter {
            conditions: vec![fluxdesk_types::Condition {
                column: "done".into(),
                op: fluxdesk_types::FilterOp::Eq,
                values: vec!["true".into()],
            }],
            ..RowFilter::default()
        },
        ..first_page(todos())
    };
    let filtered = desk.console.rows(ID, &done).await.unwrap();
    let bobs_done = desk
        .count(&format!(
            "SELECT count(*) FROM public.todos WHERE user_id = '{BOB}' AND done"
        ))
        .await;
    assert!(bobs_done > 0, "bob has done todos to filter on");
    assert_eq!(filtered.rows.len() as i64, bobs_done);
    assert!(filtered.rows.iter().all(|row| row[owner].display_text() == BOB));
    let StatementOutcome::Done { result, .. } = desk
        .console
        .run_statement(ID, "SELECT count(*), auth.uid()::text FROM public.todos")
        .await
        .unwrap()
    else {
        panic!("a read is done");
    };
    let counted = &result.unwrap().rows[0];
    assert_eq!(counted[0].display_text(), bobs.to_string());
    assert_eq!(counted[1].display_text(), BOB);

    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("todos.csv");
    let summary = desk
        .console
        .export(
            ID,
            &ExportRequest {
                source: ExportSource::Query {
                    sql: "SELECT id, user_id FROM public.todos".into(),
                },
                format: ExportFormat::Csv,
                path: path.display().to_string(),
            },
            &|_| {},
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(summary.rows as i64, bobs, "exports run as the identity too");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.lines().skip(1).all(|line| line.ends_with(BOB)));

    let insight = desk.console.rls_insight(ID, &todos()).await.unwrap();
    assert_eq!(insight.admin_rows.rows, everyone);
    assert_eq!(insight.identity_rows.map(|c| c.rows), Some(bobs));
    assert!(insight.rls_enabled && insight.grants.select && insight.grants.insert);
    let owner_policy = insight
        .policies
        .iter()
        .find(|p| p.name == "todos_owner_all")
        .unwrap();
    assert!(owner_policy.applies);
    assert!(owner_policy.using.as_deref().unwrap().contains("auth.uid()"));
    assert!(owner_policy.with_check.as_deref().unwrap().contains("auth.uid()"));

    // Anon has no GRANT on todos: a clear explanation, not a bare error.
    desk.step_up().await;
    desk.start(ImpersonationTarget::Anon).await.unwrap();
    let denied = desk.console.rows(ID, &first_page(todos())).await.unwrap_err();
    let api = ApiError::from(denied);
    assert_eq!(api.code, ErrorCode::PermissionDenied);
    assert!(
        api.message.contains("GRANT SELECT ON todos TO anon") && api.message.contains("only to service_role"),
        "{}",
        api.message
    );
    let insight = desk.console.rls_insight(ID, &todos()).await.unwrap();
    assert_eq!(insight.identity_rows, None);
    assert!(!insight.grants.select);
    assert!(
        insight.explanation.contains("no SELECT grant"),
        "{}",
        insight.explanation
    );
    // anon may read public projects only.
    let projects = desk
        .console
        .rows(ID, &first_page(TableRef::new("public", "projects")))
        .await
        .unwrap();
    let public = desk
        .count("SELECT count(*) FROM public.projects WHERE is_public")
        .await;
    assert_eq!(projects.rows.len() as i64, public);

    desk.console.stop_impersonation(ID).await.unwrap();
    let all = desk.console.rows(ID, &first_page(todos())).await.unwrap();
    assert_eq!(
        all.rows.len() as i64,
        everyone.min(1000),
        "stopped: the admin sees every row again"
    );

    let reads = desk.events("impersonation.read").await;
    assert!(
        reads.iter().any(|e| e["table"] == "public.todos"
            && e["impersonation"]["session_id"] == acting.session_id.as_str())
    );
    let statements = desk.events("impersonation.statement").await;
    assert!(
        statements
            .iter()
            .any(|e| e["ran_as"] == "read" && e["sql"].as_str().unwrap().contains("auth.uid()"))
    );
    let exports = desk.events("data.export").await;
    assert_eq!(exports[0]["impersonation"]["email"], "bob@example.com");
}

#[tokio::test]
async fn writes_are_dry_runs_unless_confirmed_with_a_step_up_and_committed_ones_obey_with_check() {
    let desk = desk().await;
    desk.sign_in().await;
    let before: String =
        sqlx::query_scalar("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.todos t")
            .fetch_one(&mut desk.sql().await)
            .await
            .unwrap();
    let bobs = desk
        .count(&format!(
            "SELECT count(*) FROM public.todos WHERE user_id = '{BOB}'"
        ))
        .await;
    let acting = desk.start(bob()).await.unwrap();

    // A write through SQL: it runs, reports its rows, and is rolled back.
    let outcome = desk
        .console
        .run_statement(ID, "UPDATE public.todos SET title = 'dry run' RETURNING id")
        .await
        .unwrap();
    let StatementOutcome::DryRun { rows_affected, .. } = outcome else {
        panic!("a dry run: {outcome:?}");
    };
    assert_eq!(rows_affected as i64, bobs, "only bob's rows would change");
    // A staged grid edit: the same.
    let page = desk.console.rows(ID, &first_page(todos())).await.unwrap();
    let edit = ChangeSet {
        table: todos(),
        changes: vec![RowChange::Update {
            key: page.keys[0].clone(),
            version: page.versions[0].clone(),
            values: vec![CellValue {
                column: "title".into(),
                value: Some("grid dry run".into()),
            }],
        }],
    };
    assert_eq!(
        desk.console
            .commit_changes(ID, &edit, Some(&acting.session_id))
            .await
            .unwrap(),
        ChangeOutcome::DryRun { affected: 1 }
    );
    // WITH CHECK refuses a row for someone else, with RLS named.
    let foreign = format!("INSERT INTO public.todos (user_id, title) VALUES ('{ALICE}', 'for alice')");
    let refused = ApiError::from(desk.console.run_statement(ID, &foreign).await.unwrap_err());
    assert_eq!(refused.code, ErrorCode::PermissionDenied);
    assert!(
        refused.message.contains("Row level security refused"),
        "{}",
        refused.message
    );
    // Leaving the identity, however written, is refused before anything runs.
    for escape in [
        "RESET ROLE; UPDATE public.todos SET title = 'escaped'",
        "DO $$ BEGIN RESET ROLE; UPDATE public.todos SET title = 'escaped'; SET LOCAL ROLE authenticated; END $$",
        "SELECT set_config('role', session_user, true); UPDATE public.todos SET title = 'escaped'",
        "SELECT set_config('request.jwt.claims', '{\"sub\":\"a0000000-0000-4000-8000-000000000001\"}', false)",
    ] {
        let refused = desk.console.run_statement(ID, escape).await.unwrap_err();
        assert!(
            refused.to_string().contains("may not change the role"),
            "{escape}: {refused}"
        );
    }
    let after: String =
        sqlx::query_scalar("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.todos t")
            .fetch_one(&mut desk.sql().await)
            .await
            .unwrap();
    assert_eq!(before, after, "dry runs leave no trace in the data");

    // Committing needs a step-up (the sign-in's went to starting).
    let update_one = format!(
        "UPDATE public.todos SET title = 'committed as bob' WHERE id = {}",
        page.keys[0].0[0]
    );
    let unconfirmed = desk
        .console
        .run_committing_as_identity(ID, &update_one, None, &acting.session_id)
        .await
        .unwrap_err();
    assert_eq!(code(unconfirmed), ErrorCode::StepUpRequired);
    desk.console
        .step_up(ID, DEMO_PASSWORD, "commit a write as the impersonated identity")
        .await
        .unwrap();
    let committed = desk
        .console
        .run_committing_as_identity(ID, &update_one, None, &acting.session_id)
        .await
        .unwrap();
    assert!(matches!(
        committed,
        StatementOutcome::Done {
            wrote: true,
            rows_affected: 1,
            ..
        }
    ));
    assert_eq!(
        desk.count("SELECT count(*) FROM public.todos WHERE title = 'committed as bob'")
            .await,
        1
    );
    // A committed write still obeys WITH CHECK.
    desk.console
        .step_up(ID, DEMO_PASSWORD, "commit a write as the impersonated identity")
        .await
        .unwrap();
    let refused = desk
        .console
        .run_committing_as_identity(ID, &foreign, None, &acting.session_id)
        .await
        .unwrap_err();
    assert_eq!(code(refused), ErrorCode::PermissionDenied);
    assert_eq!(
        desk.count("SELECT count(*) FROM public.todos WHERE title = 'for alice'")
            .await,
        0
    );
    // So does a committed grid edit that hands a todo to alice.
    desk.console
        .step_up(ID, DEMO_PASSWORD, "commit a write as the impersonated identity")
        .await
        .unwrap();
    let page = desk.console.rows(ID, &first_page(todos())).await.unwrap();
    let give_away = ChangeSet {
        table: todos(),
        changes: vec![RowChange::Update {
            key: page.keys[1].clone(),
            version: page.versions[1].clone(),
            values: vec![CellValue {
                column: "user_id".into(),
                value: Some(ALICE.into()),
            }],
        }],
    };
    let outcome = desk
        .console
        .commit_changes_as_identity(ID, &give_away, &acting.session_id)
        .await
        .unwrap();
    let ChangeOutcome::Rejected {
        change: 0, message, ..
    } = outcome
    else {
        panic!("WITH CHECK refuses it: {outcome:?}");
    };
    assert!(message.contains("Row level security refused"), "{message}");

    let writes = desk.events("sql.write").await;
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0]["impersonation"]["email"], "bob@example.com");
    let dry: Vec<serde_json::Value> = desk.events("impersonation.statement").await;
    assert!(
        dry.iter()
            .any(|e| e["ran_as"] == "dry_run" && e["rows_affected"] == bobs)
    );
    assert!(
        dry.iter()
            .any(|e| e["ran_as"] == "refused" && e["error"].as_str().unwrap().contains("Row level security"))
    );
    let changes = desk.events("impersonation.changes").await;
    assert!(changes.iter().any(|e| e["ran_as"] == "dry_run"));
    assert!(changes.iter().any(|e| e["ran_as"] == "rejected"));

    // A window that shows nobody while bob is in force gets nothing run.
    let unshown = desk
        .console
        .run_cancellable(ID, "SELECT count(*) FROM public.todos", None, Some(""))
        .await
        .unwrap_err();
    assert!(unshown.to_string().contains("impersonation changed"), "{unshown}");

    // A window that still shows bob after the impersonation ended gets
    // nothing run, not a plain commit as the admin.
    desk.console.stop_impersonation(ID).await.unwrap();
    let stale = desk
        .console
        .run_cancellable(
            ID,
            "UPDATE public.todos SET title = 'oops'",
            None,
            Some(&acting.session_id),
        )
        .await
        .unwrap_err();
    assert!(stale.to_string().contains("impersonation changed"), "{stale}");
    let stale_edit = desk
        .console
        .commit_changes(ID, &edit, Some(&acting.session_id))
        .await
        .unwrap_err();
    assert_eq!(code(stale_edit), ErrorCode::InvalidInput);
    assert_eq!(
        desk.count("SELECT count(*) FROM public.todos WHERE title IN ('oops', 'grid dry run')")
            .await,
        0
    );

    // One ended elsewhere (another Fluxdesk, the web dashboard) ends here too.
    desk.console
        .step_up(ID, DEMO_PASSWORD, "start an impersonation")
        .await
        .unwrap();
    let again = desk.start(bob()).await.unwrap();
    desk.sql()
        .await
        .execute(
            sqlx::query("UPDATE auth.impersonation_sessions SET is_active = false, ended_at = now() WHERE id = $1::uuid")
                .bind(&again.session_id),
        )
        .await
        .unwrap();
    assert_eq!(desk.console.current_impersonation(ID).await.unwrap(), None);
    assert!(desk.console.impersonation(ID).is_none());
    desk.console
        .step_up(ID, DEMO_PASSWORD, "start an impersonation")
        .await
        .unwrap();
    desk.start(bob()).await.unwrap();

    // Signing out ends the impersonation and its row.
    desk.console.sign_out(ID).await.unwrap();
    assert!(desk.console.impersonation(ID).is_none());
    assert_eq!(
        desk.count("SELECT count(*) FROM auth.impersonation_sessions WHERE is_active AND user_agent LIKE 'Fluxdesk %'")
            .await,
        0
    );
}

#[tokio::test]
async fn on_the_2026_3_7_layout_an_instance_admin_signs_in_and_impersonation_carries_the_users_tenant() {
    let database = fluxdesk_sandbox::fresh_platform_database();
    let acme = "ac3e0000-0000-4000-8000-000000000000";
    fluxdesk_sandbox::shared_cluster()
        .psql(
            &database.name,
            &format!(
                "INSERT INTO platform.tenants (id, slug, name) VALUES ('{acme}', 'acme', 'Acme'); \
                 UPDATE auth.users SET tenant_id = '{acme}' WHERE id = '{BOB}';"
            ),
        )
        .unwrap();
    let desk = desk_on(database).await;
    let console = &desk.console;
    assert_eq!(
        console.health(ID).await.unwrap().diagnosis.layout,
        Some(fluxdesk_types::FluxbaseLayout::Platform)
    );
    let mut sql = desk.sql().await;
    let sessions_before: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.sessions")
        .fetch_one(&mut sql)
        .await
        .unwrap();

    // Only instance admins administer a 2026.3.7 instance.
    let support = console
        .sign_in(
            ID,
            Credentials {
                email: "support@fluxdesk.demo".into(),
                password: "fluxdesk-demo-support".into(),
                code: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(support), ErrorCode::AuthenticationFailed);
    desk.sign_in().await;
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.sessions")
        .fetch_one(&mut sql)
        .await
        .unwrap();
    assert_eq!(
        sessions,
        sessions_before + 1,
        "the session row is in platform.sessions"
    );
    assert_eq!(console.admins(ID).await.unwrap().len(), 2);

    let acting = console
        .start_impersonation(
            ID,
            &ImpersonationRequest {
                target: bob(),
                reason: "tenant check".into(),
            },
        )
        .await
        .unwrap();
    let StatementOutcome::Done { result, .. } = console
        .run_statement(
            ID,
            "SELECT current_setting('app.current_tenant_id'), count(*) FROM public.todos",
        )
        .await
        .unwrap()
    else {
        panic!("a read is done");
    };
    let row = &result.unwrap().rows[0];
    assert_eq!(row[0].display_text(), acme, "bob's own tenant");
    let bobs: i64 = sqlx::query_scalar("SELECT count(*) FROM public.todos WHERE user_id = $1::uuid")
        .bind(BOB)
        .fetch_one(&mut sql)
        .await
        .unwrap();
    assert_eq!(row[1].display_text(), bobs.to_string());
    let recorded: (String, bool) = sqlx::query_as(
        "SELECT s.admin_user_id::text = u.id::text AND s.target_user_id = $2::uuid, s.is_active \
         FROM auth.impersonation_sessions s, platform.users u WHERE s.id = $1::uuid AND u.email = $3",
    )
    .bind(&acting.session_id)
    .bind(BOB)
    .bind(DEMO_ADMIN)
    .fetch_one(&mut sql)
    .await
    .map(|(same, active): (bool, bool)| (same.to_string(), active))
    .unwrap();
    assert_eq!(recorded, ("true".to_owned(), true));

    console.sign_out(ID).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.sessions")
        .fetch_one(&mut sql)
        .await
        .unwrap();
    assert_eq!(left, sessions_before, "signing out deletes the session row");
    let active: bool =
        sqlx::query_scalar("SELECT is_active FROM auth.impersonation_sessions WHERE id = $1::uuid")
            .bind(&acting.session_id)
            .fetch_one(&mut sql)
            .await
            .unwrap();
    assert!(!active, "and ends the impersonation");
}
