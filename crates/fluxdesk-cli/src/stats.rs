//! `stats`: one sampling round of the instance's health, once or every N seconds.

use crate::output;
use fluxdesk_core::{Console, CoreError};
use fluxdesk_types::{HealthSnapshot, StatementStats};
use std::time::Duration;

/// Prints a snapshot, or one every `watch` seconds until Ctrl+C.
pub async fn stats(console: &Console, id: &str, watch: Option<u64>, json: bool) -> Result<(), CoreError> {
    let Some(seconds) = watch else {
        return print(&console.health_snapshot(id).await?, json);
    };
    if seconds == 0 {
        return Err(CoreError::InvalidInput("--watch needs at least 1 second.".into()));
    }
    let (cancel, interrupt) = crate::cancel_on_ctrl_c();
    let mut ticks = tokio::time::interval(Duration::from_secs(seconds));
    // A round slower than the interval delays the next; rounds never pile up.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !cancel.is_cancelled() {
        tokio::select! {
            _ = ticks.tick() => match console.health_snapshot(id).await {
                Ok(health) => print(&health, json)?,
                // A watch outlives a failed round (a restart, a network blip).
                Err(error) => eprintln!("fluxdesk-cli: this round failed ({}); trying again in {seconds} s", error),
            },
            _ = cancel.cancelled() => break,
        }
    }
    interrupt.abort();
    Ok(())
}

fn mib(bytes: i64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
}

fn print(health: &HealthSnapshot, json: bool) -> Result<(), CoreError> {
    if json {
        // One line per snapshot, so --watch output is JSON Lines.
        return output::emit_line(&serde_json::to_string(health).expect("snapshots serialize"));
    }
    let mut text = format!(
        "{}  connections {}/{} ({} reserved)  app sessions {} live, {} expired  admin sessions {}  round {:.1} ms\n",
        health.taken_at,
        health.connections.in_use,
        health.connections.max,
        health.connections.reserved,
        health.sessions.app_live,
        health.sessions.app_expired,
        health.sessions.admin_live,
        health.round_ms
    );
    let database = &health.database;
    text.push_str(&format!(
        "commits {}  rollbacks {}  deadlocks {}  temp files {} ({})  cache hit {}\n",
        database.commits,
        database.rollbacks,
        database.deadlocks,
        database.temp_files,
        mib(database.temp_bytes),
        database
            .cache_hit_ratio
            .map(|ratio| format!("{:.2}%", ratio * 100.0))
            .unwrap_or_else(|| "-".into())
    ));
    let mut backends = output::text_table(vec!["state", "user", "application", "backends"]);
    for group in &health.backends {
        backends.add_row(vec![
            group.state.clone(),
            group.user.clone(),
            group.application.clone(),
            group.count.to_string(),
        ]);
    }
    text.push_str(&format!("{backends}\n"));
    for (title, list) in [
        ("Longest-running queries", &health.longest_queries),
        ("Longest idle transactions", &health.idle_in_transaction),
    ] {
        if list.is_empty() {
            continue;
        }
        let mut table = output::text_table(vec!["pid", "user", "seconds", "query"]);
        for backend in list {
            table.add_row(vec![
                backend.pid.to_string(),
                backend.user.clone(),
                format!("{:.1}", backend.seconds),
                backend.query.chars().take(80).collect(),
            ]);
        }
        text.push_str(&format!("{title}:\n{table}\n"));
    }
    match &health.statements {
        StatementStats::Available { top } => {
            let mut table = output::text_table(vec!["total ms", "mean ms", "calls", "rows", "query"]);
            for statement in top.iter().take(10) {
                table.add_row(vec![
                    format!("{:.1}", statement.total_ms),
                    format!("{:.2}", statement.mean_ms),
                    statement.calls.to_string(),
                    statement.rows.to_string(),
                    statement.query.chars().take(80).collect(),
                ]);
            }
            text.push_str(&format!("Top statements:\n{table}\n"));
        }
        StatementStats::Unavailable { how_to_enable } => text.push_str(&format!("{how_to_enable}\n")),
    }
    let mut sizes = output::text_table(vec!["table", "heap", "indexes", "toast"]);
    for table in health.storage.largest_tables.iter().take(10) {
        sizes.add_row(vec![
            format!("{}.{}", table.schema, table.table),
            mib(table.heap_bytes),
            mib(table.index_bytes),
            mib(table.toast_bytes),
        ]);
    }
    text.push_str(&format!(
        "Database {}; largest tables:\n{sizes}",
        mib(health.storage.database_bytes)
    ));
    if !health.storage.buckets.is_empty() {
        let mut buckets = output::text_table(vec!["bucket", "objects", "bytes"]);
        for bucket in &health.storage.buckets {
            buckets.add_row(vec![
                bucket.bucket.clone(),
                bucket.objects.to_string(),
                mib(bucket.bytes),
            ]);
        }
        text.push_str(&format!("\nBuckets:\n{buckets}"));
    }
    output::emit_line(&text)
}
