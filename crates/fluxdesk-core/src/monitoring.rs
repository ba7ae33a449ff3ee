//! One sampling round of an instance's health: sessions, backends,
//! connections, counters, statements, scans and sizes, read in one
//! read-only transaction so the numbers belong together.
//!
//! Every query reads statistics views or the catalog; none scans user data
//! except the counts of `auth.sessions` and `storage.objects`, which
//! Fluxbase keeps small and indexed.

use crate::admin_access::{AdminTables, act_as};
use crate::audit::{self, AuditContext, AuditEvent, Outcome};
use crate::error::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use fluxdesk_types::BackendStop;
use fluxdesk_types::{
    BackendActivity, BackendGroup, BucketUsage, DatabaseCounters, HealthSnapshot, PoolStatus, SchemaSize,
    ServerConnections, SessionCounts, StatementStat, StatementStats, StorageUsage, TableScans, TableSize,
};
use serde_json::json;
use sqlx::postgres::PgPool;
use sqlx::{PgConnection, Row};
use std::time::Instant;

/// Rows kept in each "top" list.
pub const TOP: i64 = 20;
/// Longest queries and idle transactions kept.
pub const LONGEST: i64 = 10;

/// What to say when `pg_stat_statements` cannot be read.
pub const HOW_TO_ENABLE_STATEMENTS: &str = "pg_stat_statements is not available here. To see the top queries, add it to \
     shared_preload_libraries in postgresql.conf (shared_preload_libraries = 'pg_stat_statements'), restart \
     PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database. Until then, the table scans below \
     show which tables are read by sequential scan.";

async fn exists(connection: &mut PgConnection, relation: &str) -> CoreResult<bool> {
    Ok(sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(relation)
        .fetch_one(connection)
        .await?)
}

async fn sessions(connection: &mut PgConnection, tables: Option<AdminTables>) -> CoreResult<SessionCounts> {
    let mut counts = SessionCounts::default();
    if exists(connection, "auth.sessions").await? {
        let (live, expired): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE expires_at > now()), count(*) FILTER (WHERE expires_at <= now()) \
             FROM auth.sessions",
        )
        .fetch_one(&mut *connection)
        .await?;
        counts.app_live = live;
        counts.app_expired = expired;
    }
    if let Some(tables) = tables {
        let sql = tables.sql("SELECT count(*) FROM dashboard.sessions WHERE expires_at > now()");
        if exists(connection, &tables.sql("dashboard.sessions")).await? {
            counts.admin_live = sqlx::query_scalar(&sql).fetch_one(&mut *connection).await?;
        }
    }
    Ok(counts)
}

/// `backend_start` in microseconds since the epoch, as `BackendActivity::started_us`.
const STARTED_US: &str = "(extract(epoch FROM backend_start) * 1000000)::int8";

async fn activity(
    connection: &mut PgConnection,
    idle_in_transaction: bool,
) -> CoreResult<Vec<BackendActivity>> {
    let (condition, since) = if idle_in_transaction {
        ("state LIKE 'idle in transaction%'", "state_change")
    } else {
        ("state = 'active'", "query_start")
    };
    let rows = sqlx::query(&format!(
        "SELECT pid, coalesce(usename::text, ''), coalesce(application_name, ''), coalesce(state, ''), \
                extract(epoch FROM clock_timestamp() - {since})::float8, left(coalesce(query, ''), 500), \
                {STARTED_US}, coalesce(datname::text, '') \
         FROM pg_stat_activity \
         WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND {condition} AND {since} IS NOT NULL \
         ORDER BY {since} LIMIT $1"
    ))
    .bind(LONGEST)
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| BackendActivity {
            pid: row.get(0),
            started_us: row.get(6),
            database: row.get(7),
            user: row.get(1),
            application: row.get(2),
            state: row.get(3),
            seconds: row.get(4),
            query: row.get(5),
        })
        .collect())
}

async fn statements(connection: &mut PgConnection) -> CoreResult<StatementStats> {
    let schema: Option<String> = sqlx::query_scalar(
        "SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
         WHERE e.extname = 'pg_stat_statements'",
    )
    .fetch_optional(&mut *connection)
    .await?;
    let Some(schema) = schema else {
        return Ok(StatementStats::Unavailable {
            how_to_enable: HOW_TO_ENABLE_STATEMENTS.into(),
        });
    };
    // Installed but not preloaded fails; a savepoint keeps the round going.
    sqlx::query("SAVEPOINT statements")
        .execute(&mut *connection)
        .await?;
    let top = sqlx::query(&format!(
        // The top of each measure, so any column can be sorted in the window.
        "SELECT left(query, 500), calls, total_exec_time, mean_exec_time, rows FROM ( \
           SELECT query, calls, total_exec_time, mean_exec_time, rows, \
                  rank() OVER (ORDER BY total_exec_time DESC) AS by_total, \
                  rank() OVER (ORDER BY mean_exec_time DESC) AS by_mean, \
                  rank() OVER (ORDER BY calls DESC) AS by_calls, \
                  rank() OVER (ORDER BY rows DESC) AS by_rows \
           FROM {}.pg_stat_statements \
           WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())) ranked \
         WHERE by_total <= $1 OR by_mean <= $1 OR by_calls <= $1 OR by_rows <= $1 \
         ORDER BY total_exec_time DESC",
        crate::ident::quote_ident(&schema)
    ))
    .bind(TOP)
    .fetch_all(&mut *connection)
    .await;
    match top {
        Ok(rows) => {
            sqlx::query("RELEASE SAVEPOINT statements")
                .execute(&mut *connection)
                .await?;
            Ok(StatementStats::Available {
                top: rows
                    .into_iter()
                    .map(|row| StatementStat {
                        query: row.get(0),
                        calls: row.get(1),
                        total_ms: row.get(2),
                        mean_ms: row.get(3),
                        rows: row.get(4),
                    })
                    .collect(),
            })
        }
        Err(error) => {
            sqlx::query("ROLLBACK TO SAVEPOINT statements")
                .execute(&mut *connection)
                .await?;
            Ok(StatementStats::Unavailable {
                how_to_enable: format!("{HOW_TO_ENABLE_STATEMENTS} (PostgreSQL said: {error})"),
            })
        }
    }
}

async fn storage(connection: &mut PgConnection) -> CoreResult<StorageUsage> {
    let database_bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&mut *connection)
        .await?;
    let user_relations = "c.relkind IN ('r', 'm') \
         AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' \
         AND n.nspname NOT LIKE 'pg_temp%'";
    let schemas = sqlx::query(&format!(
        // The size functions give NULL for a relation dropped meanwhile.
        "SELECT n.nspname::text, coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {user_relations} \
         GROUP BY 1 ORDER BY 2 DESC"
    ))
    .fetch_all(&mut *connection)
    .await?
    .into_iter()
    .map(|row| SchemaSize {
        schema: row.get(0),
        bytes: row.get(1),
    })
    .collect();
    let largest_tables = sqlx::query(&format!(
        "SELECT n.nspname::text, c.relname::text, \
                coalesce(pg_table_size(c.oid) - coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0), 0), \
                coalesce(pg_indexes_size(c.oid), 0), coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {user_relations} \
         ORDER BY pg_total_relation_size(c.oid) DESC NULLS LAST LIMIT $1"
    ))
    .bind(TOP)
    .fetch_all(&mut *connection)
    .await?
    .into_iter()
    .map(|row| TableSize {
        schema: row.get(0),
        table: row.get(1),
        heap_bytes: row.get(2),
        index_bytes: row.get(3),
        toast_bytes: row.get(4),
    })
    .collect();
    let buckets = if exists(connection, "storage.objects").await? {
        sqlx::query(
            "SELECT coalesce(bucket_id, '(no bucket)'), count(*), coalesce(sum(size), 0)::bigint \
             FROM storage.objects GROUP BY 1 ORDER BY 3 DESC, 1",
        )
        .fetch_all(&mut *connection)
        .await?
        .into_iter()
        .map(|row| BucketUsage {
            bucket: row.get(0),
            objects: row.get(1),
            bytes: row.get(2),
        })
        .collect()
    } else {
        Vec::new()
    };
    Ok(StorageUsage {
        database_bytes,
        schemas,
        largest_tables,
        buckets,
    })
}

/// Reads one snapshot. `tables` names the admin tables (none on plain
/// PostgreSQL); `pools` are Fluxdesk's own, as the caller sees them.
pub async fn snapshot(
    pool: &PgPool,
    tables: Option<AdminTables>,
    pools: Vec<PoolStatus>,
) -> CoreResult<HealthSnapshot> {
    let started = Instant::now();
    let mut transaction = pool.begin().await?;
    sqlx::query("SET TRANSACTION READ ONLY")
        .execute(&mut *transaction)
        .await?;
    // Sessions and objects sit behind FORCE RLS that admits the service role.
    act_as(&mut transaction, "service_role", None).await?;
    let taken_at: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT now()")
        .fetch_one(&mut *transaction)
        .await?;
    let sessions = sessions(&mut transaction, tables).await?;
    let backends = sqlx::query(
        "SELECT coalesce(state, 'unknown'), coalesce(usename::text, ''), coalesce(application_name, ''), count(*) \
         FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3",
    )
    .fetch_all(&mut *transaction)
    .await?
    .into_iter()
    .map(|row| BackendGroup {
        state: row.get(0),
        user: row.get(1),
        application: row.get(2),
        count: row.get(3),
    })
    .collect();
    let longest_queries = activity(&mut transaction, false).await?;
    let idle_in_transaction = activity(&mut transaction, true).await?;
    let (in_use, max, reserved): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), \
                current_setting('max_connections')::bigint, \
                current_setting('superuser_reserved_connections')::bigint \
                  + coalesce(current_setting('reserved_connections', true)::bigint, 0)",
    )
    .fetch_one(&mut *transaction)
    .await?;
    let counters = sqlx::query(
        "SELECT xact_commit, xact_rollback, deadlocks, temp_files, temp_bytes, blks_hit, blks_read \
         FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(&mut *transaction)
    .await?;
    let (blocks_hit, blocks_read): (i64, i64) = (counters.get(5), counters.get(6));
    let database = DatabaseCounters {
        commits: counters.get(0),
        rollbacks: counters.get(1),
        deadlocks: counters.get(2),
        temp_files: counters.get(3),
        temp_bytes: counters.get(4),
        blocks_hit,
        blocks_read,
        cache_hit_ratio: (blocks_hit + blocks_read > 0)
            .then(|| blocks_hit as f64 / (blocks_hit + blocks_read) as f64),
    };
    let statements = statements(&mut transaction).await?;
    let table_scans = sqlx::query(
        "SELECT schemaname::text, relname::text, coalesce(seq_scan, 0), coalesce(idx_scan, 0), coalesce(n_live_tup, 0) \
         FROM pg_stat_user_tables ORDER BY coalesce(seq_scan, 0) + coalesce(idx_scan, 0) DESC, 1, 2 LIMIT $1",
    )
    .bind(TOP)
    .fetch_all(&mut *transaction)
    .await?
    .into_iter()
    .map(|row| TableScans {
        schema: row.get(0),
        table: row.get(1),
        seq_scans: row.get(2),
        index_scans: row.get(3),
        live_rows: row.get(4),
    })
    .collect();
    let storage = storage(&mut transaction).await?;
    // Commit, not roll back: sampling must not inflate the rollback counter it reports.
    transaction.commit().await?;
    Ok(HealthSnapshot {
        taken_at: crate::clock::rfc3339(taken_at),
        sessions,
        backends,
        longest_queries,
        idle_in_transaction,
        connections: ServerConnections {
            in_use,
            max,
            reserved,
        },
        pools,
        database,
        statements,
        table_scans,
        storage,
        round_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// Cancels a backend's query or ends its session, and records it in the
/// audit trail. Only the client backend with this pid *and* start time
/// qualifies, so a reused pid is never signalled; Fluxdesk's own connection
/// for this call is refused. The event is written before the signal (a
/// failed write sends nothing) and commits after it; a signal PostgreSQL
/// refuses is recorded as a failure.
pub async fn stop_backend(
    pool: &PgPool,
    context: &AuditContext,
    pid: i32,
    started_us: i64,
    how: BackendStop,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    let mut transaction = crate::admin_access::begin_write(pool).await?;
    let target = sqlx::query(&format!(
        "SELECT coalesce(usename::text, ''), coalesce(application_name, ''), coalesce(state, ''), \
                left(coalesce(query, ''), 500), pid = pg_backend_pid(), coalesce(datname::text, '') \
         FROM pg_stat_activity WHERE pid = $1 AND {STARTED_US} = $2 AND backend_type = 'client backend'"
    ))
    .bind(pid)
    .bind(started_us)
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or_else(|| {
        CoreError::NotFound(format!(
            "Backend {pid} has ended (or its pid now belongs to another session); nothing was signalled."
        ))
    })?;
    if target.get::<bool, _>(4) {
        return Err(CoreError::InvalidInput(
            "That backend is this very request.".into(),
        ));
    }
    let (function, action) = match how {
        BackendStop::Cancel => ("pg_cancel_backend", "monitoring.cancel_backend"),
        BackendStop::Terminate => ("pg_terminate_backend", "monitoring.terminate_backend"),
    };
    let details = json!({
        "database": target.get::<String, _>(5),
        "user": target.get::<String, _>(0),
        "application": target.get::<String, _>(1),
        "state": target.get::<String, _>(2),
        "query": target.get::<String, _>(3),
    });
    let event = |outcome, details| {
        AuditEvent::new(now, action, outcome)
            .target(format!("pid {pid}"))
            .details(details)
    };
    audit::append(
        &mut transaction,
        context,
        &event(Outcome::Success, details.clone()),
    )
    .await?;
    let signalled: Result<bool, sqlx::Error> = sqlx::query_scalar(&format!("SELECT {function}($1)"))
        .bind(pid)
        .fetch_one(&mut *transaction)
        .await;
    match signalled {
        Ok(true) => {
            transaction.commit().await?;
            Ok(true)
        }
        // Not signalled (it ended meanwhile) or refused (not our role's to
        // signal): the success event rolls back and a failure is recorded.
        outcome => {
            transaction.rollback().await?;
            let mut details = details;
            details["error"] = json!(match &outcome {
                Ok(_) => "PostgreSQL did not signal it (it may have just ended)".to_owned(),
                Err(error) => error.to_string(),
            });
            audit::append_alone(pool, context, &event(Outcome::Failure, details)).await?;
            outcome.map_err(CoreError::from)
        }
    }
}

/// Resets `pg_stat_statements` for this database, audited.
pub async fn reset_statements(pool: &PgPool, context: &AuditContext, now: DateTime<Utc>) -> CoreResult<()> {
    let mut transaction = crate::admin_access::begin_write(pool).await?;
    let schema: Option<String> = sqlx::query_scalar(
        "SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
         WHERE e.extname = 'pg_stat_statements'",
    )
    .fetch_optional(&mut *transaction)
    .await?;
    let schema = schema.ok_or_else(|| CoreError::InvalidInput(HOW_TO_ENABLE_STATEMENTS.into()))?;
    // This database's statements only: other databases on the server are not ours to reset.
    sqlx::query(&format!(
        "SELECT {}.pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)",
        crate::ident::quote_ident(&schema)
    ))
    .execute(&mut *transaction)
    .await?;
    let event = AuditEvent::new(now, "monitoring.reset_statements", Outcome::Success);
    audit::append_and_commit(transaction, context, &event).await?;
    Ok(())
}
