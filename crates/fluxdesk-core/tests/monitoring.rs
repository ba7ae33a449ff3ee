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
