//! Audit bundles at 1,000,000 events, for BENCHMARKS.md, each against a
//! baseline from the same run:
//!
//! - export (`export_bundle`: stream, re-encode, sign; plain and encrypted)
//!   against `COPY (SELECT … ORDER BY seq) TO STDOUT` of the same rows into a
//!   file: moving the bytes and nothing else;
//! - verify (every hash, link and the signature) against reading the same
//!   file line by line and parsing each line as JSON;
//! - opening for review (verify and keep every event, compactly) against
//!   verifying alone.
//!
//! Memory is each step's peak resident set above what the process held
//! before it (`/proc/self/clear_refs` resets the peak between steps).
//!
//! Run with `scripts/bench.sh` (release build, one throwaway cluster).

use fluxdesk_core::audit::{ChainedEvent, GENESIS_HASH};
use fluxdesk_core::audit_bundle::{BundleReader, InstanceIdentity, new_signing_key, verify};
use fluxdesk_core::audit_export::{AuditExport, export_bundle};
use fluxdesk_core::audit_review::open_bundle;
use fluxdesk_sandbox::{Seed, fresh_database};
use serde_json::json;
use sqlx::postgres::PgPoolOptions;
use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const EVENTS: i64 = 1_000_000;

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// Resets the peak RSS and returns the current RSS (KiB).
fn memory_mark() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    status_kib("VmRSS:")
}

/// Peak RSS above `mark`, in MiB.
fn peak_above(mark: u64) -> f64 {
    status_kib("VmHWM:").saturating_sub(mark) as f64 / 1024.0
}

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// A million events as the console writes them: a mix of actions, details
/// of a realistic size, one admin in three signing in.
fn chain_csv(path: &std::path::Path) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    let mut previous = GENESIS_HASH.to_owned();
    let actions = [
        "admin.sign_in",
        "sql.write",
        "user.lock",
        "impersonation.read",
        "data.export",
        "user.set_role",
    ];
    for seq in 1..=EVENTS {
        let mut event = ChainedEvent {
            seq,
            occurred_at: format!(
                "2026-{:02}-{:02}T{:02}:{:02}:{:02}.000000Z",
                1 + seq / 100_000,
                1 + (seq / 4_000) % 25,
                (seq / 170) % 24,
                (seq / 3) % 60,
                seq % 60
            ),
            admin_id: Some(format!("d0000000-0000-4000-8000-{:012}", seq % 7)),
            admin_email: Some(format!("admin{}@fluxdesk.demo", seq % 7)),
            instance: "bench (postgres@localhost:5432/bench)".into(),
            action: actions[(seq % 6) as usize].into(),
            target: Some(format!("user{}@example.com", seq % 5_000)),
            details: json!({
                "n": seq,
                "sql": "UPDATE public.todos SET done = true WHERE id = 7",
                "rows_affected": 1,
                "table": "public.todos"
            }),
            outcome: if seq % 13 == 0 { "denied" } else { "success" }.into(),
            client_version: "fluxdesk-bench 0.1.0".into(),
            prev_hash: previous.clone(),
            hash: String::new(),
        };
        event.hash = event.recomputed_hash().unwrap();
        previous = event.hash.clone();
        writer
            .write_record([
                event.seq.to_string(),
                event.occurred_at,
                event.admin_id.unwrap(),
                event.admin_email.unwrap(),
                event.instance,
                event.action,
                event.target.unwrap(),
                event.details.to_string(),
                event.outcome,
                event.client_version,
                event.prev_hash,
                event.hash,
            ])
            .unwrap();
    }
    writer.flush().unwrap();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let database = fresh_database(Seed::FluxbaseSchema);
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&database.url)
        .await
        .unwrap();
    fluxdesk_core::fluxdesk_schema::install(&pool).await.unwrap();
    let folder = tempfile::tempdir().unwrap();
    let rows = folder.path().join("chain.csv");
    let started = Instant::now();
    chain_csv(&rows);
    let mut connection = pool.acquire().await.unwrap();
    let mut copy = connection
        .copy_in_raw(
            "COPY fluxdesk.audit_events (seq, occurred_at, admin_id, admin_email, instance, action, target, details, outcome, client_version, prev_hash, hash) FROM STDIN WITH (FORMAT csv)",
        )
        .await
        .unwrap();
    copy.read_from(tokio::fs::File::open(&rows).await.unwrap())
        .await
        .unwrap();
    copy.finish().await.unwrap();
    drop(connection);
    sqlx::query("ANALYZE fluxdesk.audit_events")
        .execute(&pool)
        .await
        .unwrap();
    eprintln!(
        "set-up: {EVENTS} chained events in {:.1} s",
        seconds(started.elapsed())
    );

    let identity = InstanceIdentity {
        name: "bench".into(),
        address: "localhost/bench".into(),
        system_identifier: None,
        layout: "dashboard".into(),
    };
    let key = new_signing_key();
    let mut figures = Vec::new();

    // Baseline: the same rows, straight to a file.
    let raw = folder.path().join("raw.copy");
    let mark = memory_mark();
    let started = Instant::now();
    {
        let mut connection = pool.acquire().await.unwrap();
        let mut out = std::io::BufWriter::new(std::fs::File::create(&raw).unwrap());
        let mut stream = connection
            .copy_out_raw(
                "COPY (SELECT seq, occurred_at, admin_id, admin_email, instance, action, target, details, outcome, client_version, prev_hash, hash \
                 FROM fluxdesk.audit_events ORDER BY seq) TO STDOUT",
            )
            .await
            .unwrap();
        use futures_util::StreamExt;
        while let Some(chunk) = stream.next().await {
            out.write_all(&chunk.unwrap()).unwrap();
        }
        out.flush().unwrap();
    }
    let copy_time = started.elapsed();
    let copy_memory = peak_above(mark);
    let raw_bytes = std::fs::metadata(&raw).unwrap().len();

    for passphrase in [None, Some("a passphrase for the reviewers")] {
        let path = folder
            .path()
            .join(format!("bundle-{}.fxaudit", passphrase.is_some()));
        let mark = memory_mark();
        let started = Instant::now();
        let summary = export_bundle(
            &pool,
            identity.clone(),
            Some("bench@fluxdesk.demo".into()),
            key.clone(),
            &AuditExport {
                path: path.clone(),
                since: None,
                until: None,
                passphrase: passphrase.map(str::to_owned),
            },
            &|_| {},
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        let time = started.elapsed();
        assert_eq!(summary.events, EVENTS as u64);
        figures.push(format!(
            "| export, {} ({:.0} MiB) | {:.2} s, peak +{:.0} MiB | {:.2} s, peak +{:.0} MiB (`COPY … TO STDOUT` into a file, {:.0} MiB) | {:.2} |",
            if passphrase.is_some() { "encrypted" } else { "plain" },
            summary.bytes as f64 / 1_048_576.0,
            seconds(time),
            peak_above(mark),
            seconds(copy_time),
            copy_memory,
            raw_bytes as f64 / 1_048_576.0,
            seconds(time) / seconds(copy_time)
        ));
    }

    let plain = folder.path().join("bundle-false.fxaudit");
    // Baseline: read and parse every line, check nothing.
    let started = Instant::now();
    let mut lines = 0u64;
    for line in BufReader::new(std::fs::File::open(&plain).unwrap()).lines() {
        let line = line.unwrap();
        let _: serde_json::Value = serde_json::from_str(&line).unwrap_or(serde_json::Value::Null);
        lines += 1;
    }
    let parse_time = started.elapsed();
    assert!(lines > EVENTS as u64);
    for (what, path, passphrase) in [
        ("plain", plain.clone(), None),
        (
            "encrypted",
            folder.path().join("bundle-true.fxaudit"),
            Some("a passphrase for the reviewers"),
        ),
    ] {
        let mark = memory_mark();
        let started = Instant::now();
        let verification = verify(
            BundleReader::open(std::fs::File::open(&path).unwrap(), passphrase).unwrap(),
            &[],
        )
        .unwrap();
        let time = started.elapsed();
        assert!(verification.is_intact(), "{verification:?}");
        figures.push(format!(
            "| verify, {what} | {:.2} s = {:.0} events/s, peak +{:.0} MiB | {:.2} s = {:.0} lines/s (read and parse each line as JSON, plain file) | {:.2} |",
            seconds(time),
            EVENTS as f64 / seconds(time),
            peak_above(mark),
            seconds(parse_time),
            lines as f64 / seconds(parse_time),
            seconds(time) / seconds(parse_time)
        ));
    }

    let mark = memory_mark();
    let started = Instant::now();
    let verify_only = verify(
        BundleReader::open(std::fs::File::open(&plain).unwrap(), None).unwrap(),
        &[],
    )
    .unwrap();
    let verify_time = started.elapsed();
    let verify_memory = peak_above(mark);
    assert!(verify_only.is_intact());
    let mark = memory_mark();
    let started = Instant::now();
    let review = open_bundle(
        &plain,
        None,
        None,
        "bench".into(),
        &|_| {},
        &CancellationToken::new(),
    )
    .unwrap();
    let open_time = started.elapsed();
    let open_memory = peak_above(mark);
    assert_eq!(review.len(), EVENTS as usize);
    figures.push(format!(
        "| open for review (verify and keep every event) | {:.2} s, peak +{:.0} MiB | {:.2} s, peak +{:.0} MiB (verify alone) | {:.2} |",
        seconds(open_time),
        open_memory,
        seconds(verify_time),
        verify_memory,
        seconds(open_time) / seconds(verify_time)
    ));
    // Browsing the open bundle: a filtered page and the chart's counts.
    let filter = fluxdesk_types::AuditFilter {
        action: Some("user.lock".into()),
        outcome: Some("denied".into()),
        ..Default::default()
    };
    let started = Instant::now();
    let page = review
        .page(&filter, fluxdesk_types::ReviewSort::NewestFirst, 0, 100)
        .unwrap();
    let filter_time = started.elapsed();
    let started = Instant::now();
    let first = review
        .page(
            &fluxdesk_types::AuditFilter::default(),
            fluxdesk_types::ReviewSort::NewestFirst,
            0,
            100,
        )
        .unwrap();
    let first_time = started.elapsed();
    let started = Instant::now();
    let timeline = review.timeline(&filter).unwrap();
    let timeline_time = started.elapsed();
    assert_eq!(first.entries.len(), 100);
    assert!(page.matching > 0 && !timeline.starts.is_empty());
    figures.push(format!(
        "| filtered page (`user.lock`, denied: {} of 1,000,000) then its timeline | {:.0} ms + {:.0} ms | {:.0} ms (first page, no filter) | {:.2} |",
        page.matching,
        filter_time.as_secs_f64() * 1000.0,
        timeline_time.as_secs_f64() * 1000.0,
        first_time.as_secs_f64() * 1000.0,
        (filter_time + timeline_time).as_secs_f64() / first_time.as_secs_f64()
    ));

    println!("| work, 1,000,000 events | Fluxdesk | baseline | Fluxdesk / baseline |");
    println!("|---|---|---|---|");
    for figure in figures {
        println!("{figure}");
    }
}
