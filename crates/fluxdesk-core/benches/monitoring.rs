//! What one monitoring round costs the server it watches, for BENCHMARKS.md:
//! the database time of a `monitoring::snapshot` round, as pg_stat_statements
//! measures it, against a trivial round trip (`SELECT 1`) from the same run,
//! on the demo (1,000,000 events, 1,010 users) with 20 idle backends open.
//!
//! Run with `scripts/bench.sh` (release build, one throwaway cluster).

use fluxdesk_core::admin_access::AdminTables;
use fluxdesk_core::monitoring::snapshot;
use fluxdesk_sandbox::{Seed, fresh_database};
use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::{Duration, Instant};

const ROUNDS: usize = 30;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let database = fresh_database(Seed::Demo);
    let options = PgConnectOptions::from_str(&database.url).unwrap();
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(
            options
                .clone()
                .application_name("bench-idle")
                .connect()
                .await
                .unwrap(),
        );
    }
    database.psql("CREATE EXTENSION pg_stat_statements");
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&database.url)
        .await
        .unwrap();
    // Warm: the first round reads the catalog cold.
    snapshot(&pool, Some(AdminTables::DASHBOARD), Vec::new())
        .await
        .unwrap();
    let mut trivial = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        sqlx::query("SELECT 1").execute(&pool).await.unwrap();
        trivial.push(started.elapsed());
    }
    database.psql("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)");
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        snapshot(&pool, Some(AdminTables::DASHBOARD), Vec::new())
            .await
            .unwrap();
        rounds.push(started.elapsed());
    }
    // Server time: every top-level statement this database ran since the
    // reset, which is the rounds' own statements (the reset itself is
    // excluded; nested ones are inside their callers' time), planning included.
    let server_ms: f64 = database
        .psql(
            "SELECT coalesce(sum(total_exec_time + total_plan_time), 0) FROM pg_stat_statements \
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel \
               AND query NOT LIKE '%pg_stat_statements_reset%'",
        )
        .parse()
        .unwrap();
    let per_round_server = server_ms / ROUNDS as f64;
    let round = median(rounds);
    let trivial = median(trivial);
    println!("| work, {ROUNDS} rounds | monitoring round | `SELECT 1` round trip | round / baseline |");
    println!("|---|---|---|---|");
    println!(
        "| wall time as the client sees it (median) | {:.2} ms | {:.3} ms | {:.1} |",
        round.as_secs_f64() * 1000.0,
        trivial.as_secs_f64() * 1000.0,
        round.as_secs_f64() / trivial.as_secs_f64()
    );
    println!(
        "| database time per round (pg_stat_statements, top-level, planning and execution; mean) | {per_round_server:.2} ms | | {:.2}% of one core at one round per 5 s |",
        per_round_server / 5000.0 * 100.0
    );
    drop(idle);
}
