//! What impersonation costs per query, for BENCHMARKS.md: the same work run
//! plainly and as an identity, through the console the app uses, in the
//! same run on the demo database.
//!
//! - Mechanics: a transaction running `SELECT 1`, begun plainly or with
//!   `SET LOCAL ROLE` and transaction-local claims (`begin_as`).
//! - Grid: a 200-row page of `public.events` after a cursor, plainly and as
//!   the service role (the same rows, so only the overhead differs).
//! - SQL tab: one statement, plainly and as the service role; impersonated,
//!   each statement is also written to the audit trail.
//!
//! Run with `scripts/bench.sh`.

use fluxdesk_core::impersonation::{Identity, begin_as};
use fluxdesk_sandbox::{Seed, fresh_database};
use fluxdesk_types::{
    ImpersonationRequest, ImpersonationTarget, KeysetCursor, RowFilter, RowsRequest, StatementOutcome,
    TableRef,
};
use sqlx::postgres::PgPoolOptions;
use std::time::{Duration, Instant};

const ROUNDS: usize = 300;
mod support;
use support::ID;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn row(name: &str, ours: Duration, plain: Duration) {
    println!(
        "| {name} | {:.3} ms | {:.3} ms | {:.2} |",
        millis(ours),
        millis(plain),
        ours.as_secs_f64() / plain.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let database = fresh_database(Seed::Demo);
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&database.url)
        .await
        .unwrap();
    let (console, _folder) = support::signed_in_console(&database.url).await;

    println!("## Impersonation overhead per query, median of {ROUNDS}, same run");
    println!("| work | impersonated | plain | impersonated / plain |");
    println!("|---|---|---|---|");

    // Mechanics: BEGIN; [SET LOCAL ROLE; set_config(claims)]; SELECT 1; ROLLBACK.
    let identity = Identity::Service;
    let (mut acting, mut plain) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let mut transaction = begin_as(&pool, &identity, None, None).await.unwrap();
        let _: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut *transaction)
            .await
            .unwrap();
        transaction.rollback().await.unwrap();
        acting.push(started.elapsed());
        let started = Instant::now();
        let mut transaction = pool.begin().await.unwrap();
        let _: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut *transaction)
            .await
            .unwrap();
        transaction.rollback().await.unwrap();
        plain.push(started.elapsed());
    }
    row("transaction with `SELECT 1`", median(acting), median(plain));

    let page = RowsRequest {
        table: TableRef::new("public", "events"),
        limit: 200,
        after: Some(KeysetCursor(vec!["500000".into()])),
        before: None,
        position: None,
        full_values: false,
        filter: RowFilter::default(),
        sort: Vec::new(),
    };
    let sql = "SELECT kind, count(*) FROM public.todos t JOIN public.events e ON e.id = t.id GROUP BY kind";
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for round in 0..ROUNDS * 2 {
        let as_service = round % 2 == 1;
        if as_service && console.impersonation(ID).is_none() {
            console
                .step_up(ID, "fluxdesk-demo-admin", "start an impersonation")
                .await
                .unwrap();
            console
                .start_impersonation(
                    ID,
                    &ImpersonationRequest {
                        target: ImpersonationTarget::Service,
                        reason: "benchmark".into(),
                    },
                )
                .await
                .unwrap();
        } else if !as_service && console.impersonation(ID).is_some() {
            console.stop_impersonation(ID).await.unwrap();
        }
        let started = Instant::now();
        let rows = console.rows(ID, &page).await.unwrap();
        samples[usize::from(as_service)].push(started.elapsed());
        assert_eq!(rows.rows.len(), 200);
        let started = Instant::now();
        let outcome = console.run_statement(ID, sql).await.unwrap();
        samples[2 + usize::from(as_service)].push(started.elapsed());
        assert!(matches!(outcome, StatementOutcome::Done { wrote: false, .. }));
    }
    let [grid_plain, grid_acting, sql_plain, sql_acting] = samples.map(median);
    row(
        "grid page of `public.events` after a cursor (200 rows)",
        grid_acting,
        grid_plain,
    );
    row(
        "SQL tab statement (impersonated: audited too)",
        sql_acting,
        sql_plain,
    );
}
