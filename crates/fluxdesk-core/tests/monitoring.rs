//! A sampling round against the real cluster and a known workload: idle
//! backends the test opens, a transaction it leaves idle, a table of known
//! size, and the demo's sessions and storage objects.

use fluxdesk_core::admin_access::AdminTables;
use fluxdesk_core::monitoring::snapshot;
use fluxdesk_sandbox::{Seed, fresh_database};
use fluxdesk_types::StatementStats;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor};
use std::str::FromStr;

#[tokio::test]
async fn a_round_reports_the_workload_the_test_made() {
    let database = fresh_database(Seed::Demo);
    let options = PgConnectOptions::from_str(&database.url).unwrap();
    let idle_name = format!("fluxdesk-test-idle-{}", &database.name[5..13]);
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(
            options
                .clone()
                .application_name(&idle_name)
                .connect()
                .await
                .unwrap(),
        );
    }
    let mut waiting = options
        .clone()
        .application_name("fluxdesk-test-idle-in-transaction")
        .connect()
        .await
        .unwrap();
    waiting.execute("BEGIN; SELECT 1;").await.unwrap();
    let waiting_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut waiting)
        .await
        .unwrap();
    database.psql(
        "CREATE TABLE public.sized (id int PRIMARY KEY, body text); \
         INSERT INTO public.sized SELECT g, repeat('x', 200) FROM generate_series(1, 10000) g; ANALYZE public.sized",
    );
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&database.url)
        .await
        .unwrap();
    let health = snapshot(&pool, Some(AdminTables::DASHBOARD), Vec::new())
        .await
        .unwrap();

    let idle_group = health
        .backends
        .iter()
        .find(|group| group.application == idle_name)
        .expect("the idle backends, grouped");
    assert_eq!((idle_group.state.as_str(), idle_group.count), ("idle", 3));
    let stuck = health
        .idle_in_transaction
        .iter()
        .find(|backend| backend.pid == waiting_pid)
        .expect("the transaction left idle");
    assert!(stuck.seconds >= 0.0 && stuck.state.starts_with("idle in transaction"));
    assert_eq!(
        health.connections.max,
        database.psql("SHOW max_connections").parse::<i64>().unwrap()
    );
    assert!(health.connections.in_use >= 5, "{:?}", health.connections);
    assert!(health.connections.reserved >= 3);

    let sized = health
        .storage
        .largest_tables
        .iter()
        .find(|table| table.schema == "public" && table.table == "sized")
        .expect("the sized table among the largest");
    let heap: i64 = database.psql("SELECT pg_relation_size('public.sized') + pg_relation_size('public.sized', 'fsm') + pg_relation_size('public.sized', 'vm')").parse().unwrap();
    assert_eq!(sized.heap_bytes, heap);
    assert_eq!(
        sized.index_bytes,
        database
            .psql("SELECT pg_indexes_size('public.sized')")
            .parse::<i64>()
            .unwrap()
    );
    assert!(health.storage.database_bytes > heap, "the database has a size");
    let public = health
        .storage
        .schemas
        .iter()
        .find(|schema| schema.schema == "public")
        .unwrap();
    assert!(public.bytes >= heap);
    let buckets: Vec<(String, i64, i64)> = health
        .storage
        .buckets
        .iter()
        .map(|bucket| (bucket.bucket.clone(), bucket.objects, bucket.bytes))
        .collect();
    let expected = database.psql(
        "SELECT string_agg(coalesce(bucket_id, '(no bucket)') || ':' || n || ':' || bytes, ',' ORDER BY bytes DESC, bucket_id) \
         FROM (SELECT bucket_id, count(*) n, coalesce(sum(size), 0) bytes FROM storage.objects GROUP BY 1) b",
    );
    assert_eq!(
        buckets
            .iter()
            .map(|(bucket, n, bytes)| format!("{bucket}:{n}:{bytes}"))
            .collect::<Vec<_>>()
            .join(","),
        expected
    );
    assert_eq!(
        health.sessions.app_live,
        database
            .psql("SELECT count(*) FROM auth.sessions WHERE expires_at > now()")
            .parse::<i64>()
            .unwrap()
    );
    assert_eq!(
        health.sessions.admin_live,
        database
            .psql("SELECT count(*) FROM dashboard.sessions WHERE expires_at > now()")
            .parse::<i64>()
            .unwrap()
    );
    assert!(health.database.commits > 0);
    assert!(
        health
            .database
            .cache_hit_ratio
            .is_some_and(|ratio| (0.0..=1.0).contains(&ratio))
    );
    // The cluster preloads pg_stat_statements, but this database has not
    // created the extension: the round says how to enable it.
    match &health.statements {
        StatementStats::Unavailable { how_to_enable } => {
            assert!(
                how_to_enable.contains("CREATE EXTENSION pg_stat_statements"),
                "{how_to_enable}"
            )
        }
        other => panic!("no extension yet, but {other:?}"),
    }
    assert!(health.round_ms > 0.0);

    // With the extension, a statement run a known number of times is counted.
    database.psql("CREATE EXTENSION pg_stat_statements");
    for _ in 0..7 {
        database
            .psql("SELECT count(*) AS fluxdesk_known_workload FROM public.sized a, generate_series(1, 20) g");
    }
    let health = snapshot(&pool, Some(AdminTables::DASHBOARD), Vec::new())
        .await
        .unwrap();
    let StatementStats::Available { top } = &health.statements else {
        panic!("statements: {:?}", health.statements);
    };
    let known = top
        .iter()
        .find(|statement| statement.query.contains("fluxdesk_known_workload"))
        .expect("the known statement among the top ones");
    assert_eq!(known.calls, 7);
    assert_eq!(known.rows, 7);
    assert!(known.total_ms >= known.mean_ms && known.mean_ms > 0.0);
    waiting.execute("ROLLBACK").await.unwrap();
    for connection in idle {
        connection.close().await.unwrap();
    }
}

async fn signed_in_console(
    url: &str,
    protection: fluxdesk_types::Protection,
    environment: fluxdesk_types::EnvironmentKind,
) -> (fluxdesk_core::Console, tempfile::TempDir) {
    let folder = tempfile::tempdir().unwrap();
    let console = fluxdesk_core::Console::new(
        Box::new(fluxdesk_core::ProfileFile::new(
            folder.path().join("profiles.json"),
        )),
        fluxdesk_core::Keyring::new("Fluxdesk tests (monitoring)"),
    );
    console.require_sign_in(true);
    let (mut profile, password) = fluxdesk_core::profiles::profile_from_url(url).unwrap();
    profile.id = "instance".into();
    profile.protection = protection;
    profile.environment.kind = environment;
    console.add_transient(profile, password).unwrap();
    console.connect("instance", None).await.unwrap();
    console.install_schema("instance").await.unwrap();
    console
        .sign_in(
            "instance",
            fluxdesk_types::Credentials {
                email: "admin@fluxdesk.demo".into(),
                password: "fluxdesk-demo-admin".into(),
                code: None,
            },
        )
        .await
        .unwrap();
    (console, folder)
}

#[tokio::test]
async fn backends_are_cancelled_and_terminated_with_an_audit_event_and_the_rules_hold() {
    use fluxdesk_types::{BackendStop, EnvironmentKind, Protection, STOP_BACKEND};
    let database = fresh_database(Seed::Demo);
    let (console, _folder) =
        signed_in_console(&database.url, Protection::Open, EnvironmentKind::Development).await;
    let options = PgConnectOptions::from_str(&database.url).unwrap();
    let mut sleeper = options
        .clone()
        .application_name("fluxdesk-test-sleeper")
        .connect()
        .await
        .unwrap();
    let sleeper_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut sleeper)
        .await
        .unwrap();
    let sleeping = tokio::spawn(async move {
        let outcome = sqlx::query("SELECT pg_sleep(60)").execute(&mut sleeper).await;
        (outcome.map(|_| ()).map_err(|error| error.to_string()), sleeper)
    });
    let started = |pid: i32| -> i64 {
        database
            .psql(&format!(
                "SELECT (extract(epoch FROM backend_start) * 1000000)::int8 FROM pg_stat_activity WHERE pid = {pid}"
            ))
            .parse()
            .unwrap()
    };
    let sleeper_started = started(sleeper_pid);
    // Wait until it is running.
    for _ in 0..100 {
        if database.psql(&format!(
            "SELECT state FROM pg_stat_activity WHERE pid = {sleeper_pid}"
        )) == "active"
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The pid with another start time is another session (a reused pid):
    // nothing is signalled.
    let reused = console
        .stop_backend(
            "instance",
            sleeper_pid,
            sleeper_started + 1,
            BackendStop::Terminate,
        )
        .await
        .unwrap_err();
    assert!(reused.to_string().contains("nothing was signalled"), "{reused}");
    assert_eq!(
        database.psql(&format!(
            "SELECT state FROM pg_stat_activity WHERE pid = {sleeper_pid}"
        )),
        "active"
    );
    assert!(
        console
            .stop_backend("instance", sleeper_pid, sleeper_started, BackendStop::Cancel)
            .await
            .unwrap()
    );
    let (outcome, sleeper) = sleeping.await.unwrap();
    assert!(
        outcome
            .unwrap_err()
            .contains("canceling statement due to user request")
    );
    assert_eq!(
        database.psql("SELECT action || ' ' || target FROM fluxdesk.audit_events ORDER BY seq DESC LIMIT 1"),
        format!("monitoring.cancel_backend pid {sleeper_pid}")
    );
    // The session survived the cancel; terminating ends it.
    assert!(
        console
            .stop_backend("instance", sleeper_pid, sleeper_started, BackendStop::Terminate)
            .await
            .unwrap()
    );
    let mut sleeper = sleeper;
    assert!(
        sqlx::query("SELECT 1").execute(&mut sleeper).await.is_err(),
        "the session is gone"
    );
    assert_eq!(
        database.psql("SELECT action FROM fluxdesk.audit_events ORDER BY seq DESC LIMIT 1"),
        "monitoring.terminate_backend"
    );
    let missing = console
        .stop_backend("instance", 999_999, 0, BackendStop::Cancel)
        .await
        .unwrap_err();
    assert!(
        missing.to_string().contains("Backend 999999 has ended"),
        "{missing}"
    );

    // Read-only profiles refuse; production ones ask for a step-up first.
    let (read_only, _folder) =
        signed_in_console(&database.url, Protection::ReadOnly, EnvironmentKind::Development).await;
    let refused = read_only
        .stop_backend("instance", 999_999, 0, BackendStop::Cancel)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("read-only"), "{refused}");
    let refused = read_only.reset_statement_stats("instance").await.unwrap_err();
    assert!(refused.to_string().contains("read-only"), "{refused}");
    let (production, _folder) =
        signed_in_console(&database.url, Protection::Open, EnvironmentKind::Production).await;
    let idle = options
        .clone()
        .application_name("fluxdesk-test-idle-victim")
        .connect()
        .await
        .unwrap();
    let idle_pid: i32 = database
        .psql("SELECT pid FROM pg_stat_activity WHERE application_name = 'fluxdesk-test-idle-victim'")
        .parse()
        .unwrap();
    let idle_started = started(idle_pid);
    // The sign-in's grant is spent on the first action; the next needs a step-up.
    production
        .stop_backend("instance", idle_pid, idle_started, BackendStop::Cancel)
        .await
        .unwrap();
    let needs = production
        .stop_backend("instance", idle_pid, idle_started, BackendStop::Terminate)
        .await
        .unwrap_err();
    assert!(
        matches!(needs, fluxdesk_core::CoreError::StepUpRequired(_)),
        "{needs}"
    );
    production
        .step_up("instance", "fluxdesk-demo-admin", STOP_BACKEND)
        .await
        .unwrap();
    assert!(
        production
            .stop_backend("instance", idle_pid, idle_started, BackendStop::Terminate)
            .await
            .unwrap()
    );
    drop(idle);
    let needs = production.reset_statement_stats("instance").await.unwrap_err();
    assert!(
        matches!(needs, fluxdesk_core::CoreError::StepUpRequired(_)),
        "resetting the statistics on production needs a step-up: {needs}"
    );

    // Resetting pg_stat_statements is audited; without the extension it says how to enable it.
    let unavailable = console.reset_statement_stats("instance").await.unwrap_err();
    assert!(
        unavailable.to_string().contains("shared_preload_libraries"),
        "{unavailable}"
    );
    database.psql("CREATE EXTENSION pg_stat_statements");
    console.reset_statement_stats("instance").await.unwrap();
    assert_eq!(
        database.psql("SELECT action FROM fluxdesk.audit_events ORDER BY seq DESC LIMIT 1"),
        "monitoring.reset_statements"
    );
}

#[tokio::test]
async fn fluxdesk_pools_report_use_and_the_requests_that_queued() {
    use fluxdesk_types::{EnvironmentKind, Protection};
    let database = fresh_database(Seed::Demo);
    let (console, _folder) =
        signed_in_console(&database.url, Protection::Open, EnvironmentKind::Development).await;
    let browsing = |health: &fluxdesk_types::HealthSnapshot| {
        health
            .pools
            .iter()
            .find(|pool| pool.name == "browsing and writes")
            .cloned()
            .expect("the browsing pool is listed")
    };
    let before = browsing(&console.health_snapshot("instance").await.unwrap());
    assert_eq!(before.max, fluxdesk_core::instance::MAX_POOL_CONNECTIONS);
    assert!(before.size <= before.max);
    assert_eq!(before.waits, 0, "nothing has queued yet: {before:?}");

    // Eight statements at once on a pool of four: at least four queue.
    let sleeping = (0..8).map(|_| console.run_statement("instance", "SELECT pg_sleep(0.4)"));
    for outcome in futures_util::future::join_all(sleeping).await {
        outcome.expect("each statement runs, after waiting if it must");
    }
    // sqlx hands a finished statement's connection back to the pool from a
    // task of its own: give those returns a moment before reading.
    let mut after = browsing(&console.health_snapshot("instance").await.unwrap());
    for _ in 0..30 {
        if after.idle >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = browsing(&console.health_snapshot("instance").await.unwrap());
    }
    assert_eq!(
        after.size, after.max,
        "the burst opened every connection: {after:?}"
    );
    assert!(
        after.idle >= 1,
        "the snapshot's own connection went back: {after:?}"
    );
    assert!(after.waits >= 4, "the queued statements are counted: {after:?}");
    // The server agrees on how many of them Fluxdesk holds open.
    let open = database.psql(&format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND application_name = 'fluxdesk'",
        database.name
    ));
    assert!(open.parse::<u32>().unwrap() >= after.size, "server sees {open}");
}

#[tokio::test]
async fn counters_scans_toast_and_active_queries_follow_a_known_workload() {
    let database = fresh_database(Seed::Demo);
    database.psql(
        "CREATE TABLE public.counted (id int PRIMARY KEY, body text); \
         INSERT INTO public.counted SELECT g, 'small' FROM generate_series(1, 1000) g; \
         INSERT INTO public.counted SELECT 0, string_agg(md5(random()::text), '') FROM generate_series(1, 2000); \
         ANALYZE public.counted; \
         CREATE TABLE public.crossed (id int PRIMARY KEY, body text); \
         INSERT INTO public.crossed VALUES (1, ''), (2, '')",
    );
    let options = PgConnectOptions::from_str(&database.url).unwrap();
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&database.url)
        .await
        .unwrap();
    let round = || async {
        snapshot(&pool, Some(AdminTables::DASHBOARD), Vec::new())
            .await
            .unwrap()
    };
    let scans_of = |health: &fluxdesk_types::HealthSnapshot| {
        let counted = health
            .table_scans
            .iter()
            .find(|scans| scans.schema == "public" && scans.table == "counted")
            .expect("the counted table's scans");
        (counted.seq_scans, counted.index_scans)
    };
    // Statistics reach the server's counters when a backend goes idle; a
    // closed connection has flushed them.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let before = round().await;

    let mut worker = options.clone().connect().await.unwrap();
    for _ in 0..5 {
        worker.execute("BEGIN; SELECT 1; ROLLBACK;").await.unwrap();
    }
    worker
        .execute("SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off")
        .await
        .unwrap();
    for _ in 0..3 {
        worker
            .execute("SELECT count(*) FROM public.counted")
            .await
            .unwrap();
    }
    worker
        .execute("SET enable_seqscan = off; SET enable_indexscan = on")
        .await
        .unwrap();
    for _ in 0..4 {
        worker
            .execute("SELECT body FROM public.counted WHERE id = 7")
            .await
            .unwrap();
    }
    // A sort bigger than work_mem spills to a temporary file.
    worker
        .execute(
            "SET work_mem = '64kB'; \
             SELECT count(*) FROM (SELECT g FROM generate_series(1, 300000) g ORDER BY g DESC OFFSET 0) sorted",
        )
        .await
        .unwrap();
    worker.close().await.unwrap();

    // One deadlock, on another table: each holds a row the other then wants.
    let mut first = options.clone().connect().await.unwrap();
    let mut second = options.clone().connect().await.unwrap();
    first
        .execute("BEGIN; UPDATE public.crossed SET body = 'first' WHERE id = 1")
        .await
        .unwrap();
    second
        .execute("BEGIN; UPDATE public.crossed SET body = 'second' WHERE id = 2")
        .await
        .unwrap();
    let crossing = tokio::spawn(async move {
        let outcome = first
            .execute("UPDATE public.crossed SET body = 'first' WHERE id = 2")
            .await
            .map(|_| ());
        (outcome, first)
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let second_outcome = second
        .execute("UPDATE public.crossed SET body = 'second' WHERE id = 1")
        .await
        .map(|_| ());
    let (first_outcome, mut first) = crossing.await.unwrap();
    let deadlocked = [&first_outcome, &second_outcome]
        .iter()
        .filter(|outcome| {
            outcome
                .as_ref()
                .err()
                .and_then(|error| error.as_database_error()?.code())
                .is_some_and(|code| code == "40P01")
        })
        .count();
    assert_eq!(deadlocked, 1, "{first_outcome:?} {second_outcome:?}");
    first.execute("ROLLBACK").await.unwrap();
    second.execute("ROLLBACK").await.unwrap();
    first.close().await.unwrap();
    second.close().await.unwrap();

    // An active query, found among the longest-running ones.
    let mut sleeper = options
        .clone()
        .application_name("fluxdesk-test-active")
        .connect()
        .await
        .unwrap();
    let sleeper_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut sleeper)
        .await
        .unwrap();
    let sleeping =
        tokio::spawn(async move { sqlx::query("SELECT pg_sleep(30)").execute(&mut sleeper).await });

    // Wait for the closed connections' statistics: 5 rollbacks, and the two
    // deadlocked transactions rolled back.
    let mut after = round().await;
    for _ in 0..50 {
        let active = after
            .longest_queries
            .iter()
            .any(|backend| backend.pid == sleeper_pid);
        if after.database.rollbacks - before.database.rollbacks >= 7 && active {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        after = round().await;
    }
    assert_eq!(
        after.database.rollbacks - before.database.rollbacks,
        7,
        "{:?}",
        after.database
    );
    assert_eq!(after.database.deadlocks - before.database.deadlocks, 1);
    assert!(
        after.database.temp_files > before.database.temp_files,
        "{:?}",
        after.database
    );
    assert!(after.database.temp_bytes > before.database.temp_bytes);
    let (seq_before, index_before) = scans_of(&before);
    let (seq_after, index_after) = scans_of(&after);
    assert_eq!((seq_after - seq_before, index_after - index_before), (3, 4));
    assert!(
        after.database.blocks_hit > before.database.blocks_hit,
        "the workload read blocks"
    );

    let longest = after
        .longest_queries
        .iter()
        .find(|backend| backend.pid == sleeper_pid)
        .expect("the sleeping query among the longest-running");
    assert_eq!(
        (
            longest.state.as_str(),
            longest.application.as_str(),
            longest.database.as_str()
        ),
        ("active", "fluxdesk-test-active", database.name.as_str())
    );
    assert!(longest.query.contains("pg_sleep(30)") && longest.seconds >= 0.0);
    assert_eq!(
        longest.started_us,
        database
            .psql(&format!(
                "SELECT (extract(epoch FROM backend_start) * 1000000)::int8 FROM pg_stat_activity WHERE pid = {sleeper_pid}"
            ))
            .parse::<i64>()
            .unwrap()
    );
    database.psql(&format!("SELECT pg_cancel_backend({sleeper_pid})"));
    assert!(sleeping.await.unwrap().is_err(), "the sleep was cancelled");

    // The random 64,000-character body is stored out of line, in TOAST.
    let counted = after
        .storage
        .largest_tables
        .iter()
        .find(|table| table.table == "counted")
        .expect("the counted table among the largest");
    let toast: i64 = database
        .psql("SELECT pg_total_relation_size(reltoastrelid) FROM pg_class WHERE oid = 'public.counted'::regclass")
        .parse()
        .unwrap();
    assert!(toast > 0);
    assert_eq!(counted.toast_bytes, toast);
    assert_eq!(
        after.sessions.app_expired,
        database
            .psql("SELECT count(*) FROM auth.sessions WHERE expires_at <= now()")
            .parse::<i64>()
            .unwrap()
    );
}
