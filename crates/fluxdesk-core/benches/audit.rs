//! Audit-trail figures for BENCHMARKS.md, each against a baseline from the same run.
//!
//! - Appending hash-chained events (advisory lock, head read, SHA-256 of the
//!   canonical form, unique checks, append-only triggers), one writer and eight,
//!   against plain INSERTs of the same rows into a table with none of that.
//! - Verifying the chain against merely reading the same rows.
//!
//! Run with `scripts/bench.sh` (release build, one throwaway cluster).

use chrono::Utc;
use fluxdesk_core::audit::{self, AuditContext, AuditEvent, Outcome};
use fluxdesk_core::fluxdesk_schema;
use fluxdesk_sandbox::{Seed, fresh_database};
use serde_json::json;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::{Duration, Instant};

const SERIAL_EVENTS: usize = 2000;
const WRITERS: usize = 8;
const EVENTS_PER_WRITER: usize = 500;

fn context() -> AuditContext {
    AuditContext {
        admin_id: Some(uuid::Uuid::new_v4()),
        admin_email: Some("bench@example.com".into()),
        instance: "bench (postgres@localhost:5432/bench)".into(),
        client_version: "fluxdesk-bench 0.1.0".into(),
    }
}

fn event(n: usize) -> AuditEvent {
    AuditEvent::new(Utc::now(), "bench.append", Outcome::Success)
        .target(format!("row {n}"))
        .details(
            json!({ "n": n, "sql": "UPDATE public.todos SET done = true WHERE id = 7", "rows_affected": 1 }),
        )
}

async fn chained(pool: &PgPool, events: usize) {
    let context = context();
    for n in 0..events {
        audit::append_alone(pool, &context, &event(n)).await.unwrap();
    }
}

async fn plain(pool: &PgPool, events: usize) {
    let context = context();
    for n in 0..events {
        let event = event(n);
        let mut transaction = pool.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO bench_plain_events (occurred_at, admin_id, admin_email, instance, action, target, details, outcome, client_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(event.occurred_at)
        .bind(context.admin_id)
        .bind(&context.admin_email)
        .bind(&context.instance)
        .bind(&event.action)
        .bind(&event.target)
        .bind(&event.details)
        .bind(event.outcome.as_str())
        .bind(&context.client_version)
        .execute(&mut *transaction)
        .await
        .unwrap();
        transaction.commit().await.unwrap();
    }
}

async fn concurrently(url: &str, chain: bool) -> Duration {
    let started = Instant::now();
    let writers = (0..WRITERS).map(|_| {
        let url = url.to_owned();
        tokio::spawn(async move {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .unwrap();
            if chain {
                chained(&pool, EVENTS_PER_WRITER).await;
            } else {
                plain(&pool, EVENTS_PER_WRITER).await;
            }
        })
    });
    for writer in futures_util::future::join_all(writers).await {
        writer.unwrap();
    }
    started.elapsed()
}

fn per_second(events: usize, elapsed: Duration) -> f64 {
    events as f64 / elapsed.as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let database = fresh_database(Seed::FluxbaseSchema);
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&database.url)
        .await
        .unwrap();
    fluxdesk_schema::install(&pool).await.unwrap();
    sqlx::query(
        "CREATE TABLE bench_plain_events (seq bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL, admin_id uuid, \
         admin_email text, instance text NOT NULL, action text NOT NULL, target text, details jsonb NOT NULL, \
         outcome text NOT NULL, client_version text NOT NULL)",
    )
    .execute(&pool)
    .await
    .unwrap();

    let started = Instant::now();
    chained(&pool, SERIAL_EVENTS).await;
    let chained_serial = started.elapsed();
    let started = Instant::now();
    plain(&pool, SERIAL_EVENTS).await;
    let plain_serial = started.elapsed();

    let chained_parallel = concurrently(&database.url, true).await;
    let plain_parallel = concurrently(&database.url, false).await;
    let parallel_events = WRITERS * EVENTS_PER_WRITER;

    let started = Instant::now();
    let verification = audit::verify_chain(&pool).await.unwrap();
    let verify = started.elapsed();
    assert_eq!(verification.broken_at, None);
    let started = Instant::now();
    let read: Vec<(i64, serde_json::Value, String)> =
        sqlx::query_as("SELECT seq, details, hash FROM fluxdesk.audit_events ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
    let read_only = started.elapsed();
    assert_eq!(read.len() as u64, verification.events);

    println!("## Audit trail: appends and verification\n");
    println!("| operation | audit trail | baseline | audit / baseline |");
    println!("|---|---|---|---|");
    println!(
        "| append, 1 writer, {SERIAL_EVENTS} events (events/s) | {:.0} | {:.0} (plain INSERT) | {:.3} (time ratio {:.2}) |",
        per_second(SERIAL_EVENTS, chained_serial),
        per_second(SERIAL_EVENTS, plain_serial),
        per_second(SERIAL_EVENTS, chained_serial) / per_second(SERIAL_EVENTS, plain_serial),
        chained_serial.as_secs_f64() / plain_serial.as_secs_f64()
    );
    println!(
        "| append, {WRITERS} writers x {EVENTS_PER_WRITER} events (events/s) | {:.0} | {:.0} (plain INSERT) | {:.3} (time ratio {:.2}) |",
        per_second(parallel_events, chained_parallel),
        per_second(parallel_events, plain_parallel),
        per_second(parallel_events, chained_parallel) / per_second(parallel_events, plain_parallel),
        chained_parallel.as_secs_f64() / plain_parallel.as_secs_f64()
    );
    println!(
        "| verify {} events (events/s) | {:.0} | {:.0} (read the rows only) | {:.3} (time ratio {:.2}) |",
        verification.events,
        per_second(verification.events as usize, verify),
        per_second(read.len(), read_only),
        per_second(verification.events as usize, verify) / per_second(read.len(), read_only),
        verify.as_secs_f64() / read_only.as_secs_f64()
    );
}
