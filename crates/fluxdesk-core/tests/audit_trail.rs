//! The audit trail: append-only, hash-chained, and never forked by
//! concurrent writers. Against a real database.

use chrono::Utc;
use fluxdesk_core::audit::{self, AuditContext, AuditEvent, Outcome};
use fluxdesk_core::fluxdesk_schema;
use fluxdesk_sandbox::{Seed, fresh_database};
use serde_json::json;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Instant;

const WRITERS: usize = 8;
const EVENTS_PER_WRITER: usize = 1000;

async fn pool(url: &str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .unwrap()
}

/// A fresh instance with Fluxdesk's schema and a chain of `events` events.
async fn chain_of(events: usize) -> PgPool {
    let database = fresh_database(Seed::FluxbaseSchema);
    let pool = pool(&database.url).await;
    fluxdesk_schema::install(&pool).await.unwrap();
    for n in 0..events {
        let event = AuditEvent::new(Utc::now(), "test.append", Outcome::Success).details(json!({ "n": n }));
        audit::append_alone(&pool, &context(0), &event).await.unwrap();
    }
    pool
}

fn context(writer: usize) -> AuditContext {
    AuditContext {
        admin_id: Some(uuid::Uuid::new_v4()),
        admin_email: Some(format!("writer{writer}@example.com")),
        instance: "test instance".into(),
        client_version: format!("fluxdesk-tests install-{writer}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_writers_append_a_thousand_events_each_without_fork_or_gap() {
    let database = fresh_database(Seed::FluxbaseSchema);
    let setup = pool(&database.url).await;
    fluxdesk_schema::install(&setup).await.unwrap();
    let started = Instant::now();
    let writers = (0..WRITERS).map(|writer| {
        let url = database.url.clone();
        tokio::spawn(async move {
            // Each writer is its own "install": its own pool, its own connections.
            let pool = pool(&url).await;
            let context = context(writer);
            for n in 0..EVENTS_PER_WRITER {
                let event = AuditEvent::new(Utc::now(), "test.append", Outcome::Success)
                    .target(format!("writer {writer}"))
                    .details(json!({ "n": n, "nested": { "b": 2, "a": [1, "x"] }, "unicode": "é✓" }));
                audit::append_alone(&pool, &context, &event).await.unwrap();
            }
        })
    });
    for writer in futures_util::future::join_all(writers).await {
        writer.unwrap();
    }
    let elapsed = started.elapsed();
    let verification = audit::verify_chain(&setup).await.unwrap();
    let total = (WRITERS * EVENTS_PER_WRITER) as u64;
    assert_eq!(verification.events, total);
    assert_eq!(verification.verified_up_to, total, "{verification:?}");
    assert_eq!(verification.broken_at, None);
    let (distinct_prev, max_seq): (i64, i64) =
        sqlx::query_as("SELECT count(DISTINCT prev_hash), max(seq) FROM fluxdesk.audit_events")
            .fetch_one(&setup)
            .await
            .unwrap();
    assert_eq!(
        (distinct_prev as u64, max_seq as u64),
        (total, total),
        "no two events share a predecessor; no gap"
    );
    eprintln!(
        "audit chain: {total} events from {WRITERS} concurrent writers in {:.2} s ({:.0} events/s)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
}

#[tokio::test]
async fn the_trail_is_append_only_and_tampering_is_detected() {
    let pool = chain_of(5).await;
    for statement in [
        "UPDATE fluxdesk.audit_events SET action = 'x' WHERE seq = 2",
        "DELETE FROM fluxdesk.audit_events WHERE seq = 5",
        "TRUNCATE fluxdesk.audit_events",
    ] {
        let error = sqlx::query(statement).execute(&pool).await.unwrap_err();
        assert!(error.to_string().contains("append-only"), "{statement}: {error}");
    }
    // A forked event is refused by the table itself, lock or no lock.
    let fork = sqlx::query(
        "INSERT INTO fluxdesk.audit_events (seq, occurred_at, instance, action, outcome, client_version, prev_hash, hash) \
         SELECT 99, now(), 'x', 'x', 'success', 'x', prev_hash, repeat('a', 64) FROM fluxdesk.audit_events WHERE seq = 3",
    )
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(fork.to_string().contains("audit_events_one_successor"), "{fork}");
    assert_eq!(audit::verify_chain(&pool).await.unwrap().verified_up_to, 5);

    // Someone with the power to disable triggers edits event 3: verification says where.
    sqlx::raw_sql(
        "ALTER TABLE fluxdesk.audit_events DISABLE TRIGGER audit_events_no_update; \
         UPDATE fluxdesk.audit_events SET details = '{\"n\": 42}' WHERE seq = 3; \
         ALTER TABLE fluxdesk.audit_events ENABLE TRIGGER audit_events_no_update;",
    )
    .execute(&pool)
    .await
    .unwrap();
    let verification = audit::verify_chain(&pool).await.unwrap();
    assert_eq!(
        (verification.verified_up_to, verification.broken_at),
        (2, Some(3))
    );
    assert!(verification.problem.unwrap().contains("altered"));

    // A deleted event shows as a gap.
    let pool = chain_of(4).await;
    sqlx::raw_sql(
        "ALTER TABLE fluxdesk.audit_events DISABLE TRIGGER audit_events_no_delete; \
         DELETE FROM fluxdesk.audit_events WHERE seq = 2;",
    )
    .execute(&pool)
    .await
    .unwrap();
    let verification = audit::verify_chain(&pool).await.unwrap();
    assert_eq!(
        (verification.verified_up_to, verification.broken_at),
        (1, Some(2))
    );
    assert!(verification.problem.unwrap().contains("missing"));
}
