//! The explorer against psql, for BENCHMARKS.md: the same work on the demo's
//! million-row `public.events`, in the same run.
//!
//! - Fluxdesk: `rows::fetch_page` (catalog lookup, keyset SQL, decoding,
//!   and the JSON the webview receives) and `export::export` (COPY to a file).
//! - Baseline: one psql session kept open (so no process start or connect
//!   is counted), running the equivalent SQL, its output read to the end.
//!
//! Run with `scripts/bench.sh`.

use fluxdesk_core::{ConnectionTarget, Instance, export, rows};
use fluxdesk_sandbox::{read_only_demo_database, shared_cluster};
use fluxdesk_types::{
    Condition, ExportFormat, ExportRequest, ExportSource, FilterOp, KeysetCursor, RowFilter, RowsRequest,
    SortKey, TableRef,
};
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const PAGE: u32 = 200;
const ROUNDS: usize = 15;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// One psql session; each query's output is read up to a marker line.
struct PsqlSession {
    child: std::process::Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Drop for PsqlSession {
    fn drop(&mut self) {
        let _ = writeln!(self.input, "\\q");
        let _ = self.child.wait();
    }
}

impl PsqlSession {
    fn open(database: &str) -> Self {
        let mut child = shared_cluster()
            .psql_session(database)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("psql starts");
        let mut session = PsqlSession {
            input: child.stdin.take().unwrap(),
            output: BufReader::new(child.stdout.take().unwrap()),
            child,
        };
        session.run("SELECT 1;");
        session
    }

    /// Runs `sql`; returns the lines it printed and the time it took.
    fn run(&mut self, sql: &str) -> (usize, Duration) {
        let started = Instant::now();
        writeln!(self.input, "{sql}\n\\echo __done__").unwrap();
        self.input.flush().unwrap();
        let mut lines = 0;
        let mut line = String::new();
        loop {
            line.clear();
            assert!(self.output.read_line(&mut line).unwrap() > 0, "psql ended");
            if line.trim_end() == "__done__" {
                return (lines, started.elapsed());
            }
            lines += 1;
        }
    }
}

fn request(after: Option<&str>, filter: RowFilter, sort: Vec<SortKey>) -> RowsRequest {
    RowsRequest {
        table: TableRef::new("public", "events"),
        limit: PAGE,
        after: after.map(|a| KeysetCursor(vec![a.to_owned()])),
        before: None,
        position: None,
        full_values: false,
        filter,
        sort,
    }
}

/// Peak resident memory of this process so far, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let database = read_only_demo_database();
    let instance = Instance::connect("bench", &ConnectionTarget::from_url(&database.url).unwrap())
        .await
        .unwrap();
    let mut psql = PsqlSession::open(&database.name);

    let filter = RowFilter {
        conditions: vec![
            Condition {
                column: "kind".into(),
                op: FilterOp::Eq,
                values: vec!["purchase".into()],
            },
            Condition {
                column: "duration_ms".into(),
                op: FilterOp::Ge,
                values: vec!["1500".into()],
            },
        ],
        ..RowFilter::default()
    };
    let newest_first = vec![SortKey {
        column: "occurred_at".into(),
        descending: true,
    }];
    let cases: Vec<(&str, RowsRequest, String)> = vec![
        (
            "first page",
            request(None, RowFilter::default(), Vec::new()),
            "SELECT * FROM public.events ORDER BY id LIMIT 200;".to_owned(),
        ),
        (
            "page near the end (after id 999,700)",
            request(Some("999700"), RowFilter::default(), Vec::new()),
            "SELECT * FROM public.events WHERE id > 999700 ORDER BY id LIMIT 200;".to_owned(),
        ),
        (
            "filtered page (kind = purchase, duration ≥ 1500, newest first)",
            request(None, filter, newest_first),
            "SELECT * FROM public.events WHERE kind = 'purchase' AND duration_ms >= 1500 \
             ORDER BY occurred_at DESC, id LIMIT 200;"
                .to_owned(),
        ),
    ];

    println!("## Explorer vs psql, public.events (1,000,000 rows), {PAGE} rows per page, median of {ROUNDS}");
    println!("| work | Fluxdesk | psql (warm session) | Fluxdesk / psql |");
    println!("|---|---|---|---|");
    for (name, request, sql) in &cases {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let page = rows::fetch_page(&instance, request).await.unwrap();
            let payload = serde_json::to_vec(&page).unwrap();
            ours.push(started.elapsed());
            assert_eq!(page.rows.len(), PAGE as usize);
            assert!(!payload.is_empty());
            let (lines, took) = psql.run(sql);
            assert_eq!(lines, PAGE as usize, "{sql}");
            theirs.push(took);
        }
        let (ours, theirs) = (median(ours), median(theirs));
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {:.2} |",
            millis(ours),
            millis(theirs),
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    }

    // Jumping to the middle: a sample finds the spot, then a keyset page;
    // psql's way to show the middle of a table is OFFSET.
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let page = rows::fetch_page(
            &instance,
            &RowsRequest {
                position: Some(500_000),
                ..request(None, RowFilter::default(), Vec::new())
            },
        )
        .await
        .unwrap();
        ours.push(started.elapsed());
        assert_eq!(page.rows.len(), PAGE as usize);
        let (lines, took) = psql.run("SELECT * FROM public.events ORDER BY id OFFSET 500000 LIMIT 200;");
        assert_eq!(lines, PAGE as usize);
        theirs.push(took);
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!(
        "| jump to the middle (sample + keyset page) vs `OFFSET 500000` | {:.2} ms | {:.2} ms | {:.2} |",
        millis(ours),
        millis(theirs),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );

    let folder = tempfile::tempdir().unwrap();
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let rss_before = peak_rss_kib();
    let mut bytes = 0;
    for round in 0..3 {
        let path = folder.path().join(format!("ours-{round}.csv"));
        let started = Instant::now();
        let summary = export::export(
            &instance,
            &ExportRequest {
                source: ExportSource::View {
                    table: TableRef::new("public", "events"),
                    filter: RowFilter::default(),
                    sort: Vec::new(),
                },
                format: ExportFormat::Csv,
                path: path.display().to_string(),
            },
            &|_| {},
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        ours.push(started.elapsed());
        assert_eq!(summary.rows, 1_000_000);
        bytes = summary.bytes;
        let reference = folder.path().join(format!("psql-{round}.csv"));
        let (_, took) = psql.run(&format!(
            "\\copy (SELECT * FROM public.events ORDER BY id) TO '{}' WITH (FORMAT csv, HEADER true)",
            reference.display()
        ));
        theirs.push(took);
        assert_eq!(std::fs::metadata(&reference).unwrap().len(), summary.bytes);
        std::fs::remove_file(&path).unwrap();
        std::fs::remove_file(&reference).unwrap();
    }
    let rss_growth = peak_rss_kib().saturating_sub(rss_before);
    let (ours, theirs) = (median(ours), median(theirs));
    println!(
        "| export all 1,000,000 rows to CSV ({:.0} MiB), median of 3 | {:.0} ms | {:.0} ms | {:.2} |",
        bytes as f64 / 1_048_576.0,
        millis(ours),
        millis(theirs),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
    println!();
    println!(
        "Peak memory growth of the benchmark process across the exports: {:.1} MiB (file: {:.0} MiB).",
        rss_growth as f64 / 1024.0,
        bytes as f64 / 1_048_576.0
    );
    instance.close().await;

    // The tree with 10,000 tables in one schema: what opening that schema
    // costs (names, estimates, sizes, RLS and policies, realtime), against
    // psql listing the bare names.
    let many = fluxdesk_sandbox::fresh_database(fluxdesk_sandbox::Seed::FluxbaseSchema);
    let cluster = shared_cluster();
    cluster.psql(&many.name, "CREATE SCHEMA wide;").unwrap();
    for batch in 0..10 {
        cluster
            .psql(
                &many.name,
                &format!(
                    "DO $$ BEGIN FOR i IN {}..{} LOOP \
                       EXECUTE format('CREATE TABLE wide.t%s (id int PRIMARY KEY, n int)', i); \
                     END LOOP; END $$;",
                    batch * 1000 + 1,
                    batch * 1000 + 1000
                ),
            )
            .unwrap();
    }
    let instance = Instance::connect("many", &ConnectionTarget::from_url(&many.url).unwrap())
        .await
        .unwrap();
    let mut psql = PsqlSession::open(&many.name);
    let mut tree_page = Vec::new();
    let mut whole = Vec::new();
    let mut theirs = Vec::new();
    let (mut page_payload, mut whole_payload) = (0, 0);
    for _ in 0..5 {
        let started = Instant::now();
        let page = fluxdesk_core::catalog::list_tables_page(&instance, "wide", "", Some(300))
            .await
            .unwrap();
        page_payload = serde_json::to_vec(&page).unwrap().len();
        tree_page.push(started.elapsed());
        assert_eq!((page.tables.len(), page.total), (300, 10_000));
        let started = Instant::now();
        let tables = fluxdesk_core::catalog::list_tables(&instance, "wide")
            .await
            .unwrap();
        whole_payload = serde_json::to_vec(&tables).unwrap().len();
        whole.push(started.elapsed());
        assert_eq!(tables.len(), 10_000);
        let (lines, took) = psql.run(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'wide' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1;",
        );
        assert_eq!(lines, 10_000);
        theirs.push(took);
    }
    let (tree_page, whole, theirs) = (median(tree_page), median(whole), median(theirs));
    println!();
    println!("## The tree: one schema of 10,000 tables, median of 5");
    println!("| work | Fluxdesk | psql (all 10,000 names only) | Fluxdesk / psql |");
    println!("|---|---|---|---|");
    println!(
        "| open the schema in the tree: first 300 tables with estimates, sizes, RLS, policies, realtime, and the total ({:.0} KiB of JSON) | {:.1} ms | {:.1} ms | {:.2} |",
        page_payload as f64 / 1024.0,
        millis(tree_page),
        millis(theirs),
        tree_page.as_secs_f64() / theirs.as_secs_f64()
    );
    println!(
        "| all 10,000 tables with the same details (`fluxdesk-cli tables wide`, {:.0} KiB of JSON) | {:.1} ms | {:.1} ms | {:.2} |",
        whole_payload as f64 / 1024.0,
        millis(whole),
        millis(theirs),
        whole.as_secs_f64() / theirs.as_secs_f64()
    );
    instance.close().await;
}
