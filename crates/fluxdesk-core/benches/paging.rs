//! Paging figures for BENCHMARKS.md, each against a baseline from the same run.
//!
//! - Keyset pages of the million-row `public.events` at several depths,
//!   against `OFFSET` pages of the same rows and columns (what peer tools do).
//! - The JSON size of a page of previews against the same page with whole values.
//!
//! Run with `scripts/bench.sh` (release build, one throwaway cluster).

use fluxdesk_core::{ConnectionTarget, Instance, rows};
use fluxdesk_sandbox::read_only_demo_database;
use fluxdesk_types::{KeysetCursor, RowsRequest, TableRef};
use std::time::{Duration, Instant};

const PAGE: u32 = 200;
const ROUNDS: usize = 15;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

// The baseline reads the same columns the same way core does (text, previews
// for long values), only positioned by OFFSET instead of by key.
const OFFSET_PAGE: &str = "SELECT src.id::text, src.occurred_at::text, left(src.user_id::text, 501), \
     left(src.kind, 501), left(src.path, 501), src.duration_ms::text, left(src.amount::text, 501), \
     left(src.payload::text, 501), src.id::text FROM public.events AS src ORDER BY src.id OFFSET $1 LIMIT $2";

#[tokio::main]
async fn main() {
    let database = read_only_demo_database();
    let target = ConnectionTarget::from_url(&database.url).unwrap();
    let instance = Instance::connect("bench", &target).await.unwrap();
    let baseline_pool = sqlx::PgPool::connect(&database.url).await.unwrap();

    println!(
        "## Keyset paging vs OFFSET, public.events (1,000,000 rows), {PAGE} rows per page, median of {ROUNDS}"
    );
    println!("| depth (rows skipped) | keyset | OFFSET baseline | keyset time / baseline |");
    println!("|---|---|---|---|");
    for depth in [0_i64, 10_000, 100_000, 500_000, 999_800] {
        let request = RowsRequest {
            before: None,
            position: None,
            sort: Vec::new(),
            filter: Default::default(),
            table: TableRef::new("public", "events"),
            limit: PAGE,
            after: (depth > 0).then(|| KeysetCursor(vec![depth.to_string()])),
            full_values: false,
        };
        let mut keyset = Vec::new();
        let mut offset = Vec::new();
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let page = rows::fetch_page(&instance, &request).await.unwrap();
            keyset.push(started.elapsed());
            assert_eq!(page.rows.len(), PAGE as usize);

            let started = Instant::now();
            let baseline = sqlx::query(OFFSET_PAGE)
                .bind(depth)
                .bind(i64::from(PAGE))
                .fetch_all(&baseline_pool)
                .await
                .unwrap();
            offset.push(started.elapsed());
            assert_eq!(baseline.len(), PAGE as usize);
        }
        let (keyset, offset) = (median(keyset), median(offset));
        println!(
            "| {depth} | {:.2} ms | {:.2} ms | {:.3} |",
            millis(keyset),
            millis(offset),
            keyset.as_secs_f64() / offset.as_secs_f64()
        );
    }

    println!();
    println!("## IPC payload of one page, public.todos, {PAGE} rows (JSON as sent to the webview)");
    println!("| page | previews (grid) | whole values (baseline) | previews / whole |");
    println!("|---|---|---|---|");
    let mut request = RowsRequest {
        before: None,
        position: None,
        sort: Vec::new(),
        filter: Default::default(),
        table: TableRef::new("public", "todos"),
        limit: PAGE,
        after: None,
        full_values: false,
    };
    let previews = serde_json::to_vec(&rows::fetch_page(&instance, &request).await.unwrap()).unwrap();
    request.full_values = true;
    let whole = serde_json::to_vec(&rows::fetch_page(&instance, &request).await.unwrap()).unwrap();
    println!(
        "| first {PAGE} todos | {} bytes | {} bytes | {:.3} |",
        previews.len(),
        whole.len(),
        previews.len() as f64 / whole.len() as f64
    );
    instance.close().await;
}
