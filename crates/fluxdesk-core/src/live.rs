//! Live changes. Fluxbase's realtime trigger (`notify_realtime_change`)
//! notifies `fluxbase_changes` with every change to a realtime-enabled table.
//! One listener per instance, started on first use, keeps the recent ones
//! for the grid to pick up by sequence number.

use crate::error::CoreResult;
use crate::instance::Instance;
use crate::rows::describe_relation;
use fluxdesk_types::{KeysetCursor, LiveChange, LiveChanges, TableRef};
use serde_json::Value;
use sqlx::postgres::{PgListener, PgPool};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// The channel Fluxbase's realtime trigger notifies.
pub const CHANNEL: &str = "fluxbase_changes";

/// Notifications kept; older ones are dropped (and callers told they missed some).
const KEPT: usize = 10_000;

#[derive(Debug)]
struct Notice {
    seq: u64,
    schema: String,
    table: String,
    kind: String,
    record: Option<Value>,
}

#[derive(Debug, Default)]
struct Recent {
    next_seq: u64,
    notices: VecDeque<Notice>,
    /// Sequence numbers below this may have been missed (dropped, or lost
    /// while the listener reconnected).
    missed_before: u64,
}

/// The listener of one instance and what it heard.
#[derive(Debug)]
pub struct LiveFeed {
    recent: Arc<Mutex<Recent>>,
    task: JoinHandle<()>,
}

impl Drop for LiveFeed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl LiveFeed {
    /// Starts listening on [`CHANNEL`] with a connection of `pool` (the
    /// instance's control pool, so it never takes a connection from browsing).
    pub(crate) async fn start(pool: &PgPool) -> CoreResult<LiveFeed> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        let recent = Arc::new(Mutex::new(Recent {
            next_seq: 1,
            ..Recent::default()
        }));
        let shared = recent.clone();
        let pool = pool.clone();
        let task = tokio::spawn(async move {
            loop {
                // recv reconnects by itself after a lost connection; what was
                // sent meanwhile is gone, so mark it missed.
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        let parsed: Value =
                            serde_json::from_str(notification.payload()).unwrap_or(Value::Null);
                        let text = |name: &str| parsed[name].as_str().unwrap_or_default().to_owned();
                        let kind = text("type").to_lowercase();
                        let record = match kind.as_str() {
                            "delete" => parsed.get("old_record").cloned(),
                            _ => parsed.get("record").cloned(),
                        }
                        .filter(|r| !r.is_null());
                        let mut recent = shared.lock().unwrap_or_else(|p| p.into_inner());
                        let seq = recent.next_seq;
                        recent.next_seq += 1;
                        recent.notices.push_back(Notice {
                            seq,
                            schema: text("schema"),
                            table: text("table"),
                            kind,
                            record,
                        });
                        if recent.notices.len() > KEPT
                            && let Some(dropped) = recent.notices.pop_front()
                        {
                            recent.missed_before = dropped.seq + 1;
                        }
                    }
                    Ok(None) => mark_missed(&shared),
                    Err(error) => {
                        if pool.is_closed() {
                            return;
                        }
                        mark_missed(&shared);
                        tracing::warn!(%error, "live changes: listening failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(LiveFeed { recent, task })
    }
}

/// Notes that notifications were lost (the connection dropped): a gap in the
/// sequence numbers, which every caller then sees as missed.
fn mark_missed(recent: &Mutex<Recent>) {
    let mut recent = recent.lock().unwrap_or_else(|p| p.into_inner());
    recent.next_seq += 1;
    recent.missed_before = recent.next_seq;
}

/// The changes to `table` heard after `since` (`None`: just the current
/// sequence number, to start from).
pub async fn changes(instance: &Instance, table: &TableRef, since: Option<u64>) -> CoreResult<LiveChanges> {
    let feed = instance.live_feed().await?;
    let (_, columns) = describe_relation(instance, table).await?;
    let mut key_columns: Vec<(i16, &str)> = columns
        .iter()
        .filter_map(|c| c.primary_key_position.map(|p| (p, c.name.as_str())))
        .collect();
    key_columns.sort();
    let recent = feed.recent.lock().unwrap_or_else(|p| p.into_inner());
    let latest = recent.next_seq - 1;
    let Some(since) = since else {
        return Ok(LiveChanges {
            seq: latest,
            changes: Vec::new(),
            missed: false,
        });
    };
    let changes = recent
        .notices
        .iter()
        .filter(|n| n.seq > since && n.schema == table.schema && n.table == table.name)
        .map(|notice| LiveChange {
            kind: notice.kind.clone(),
            key: notice.record.as_ref().and_then(|record| {
                if key_columns.is_empty() {
                    return None;
                }
                key_columns
                    .iter()
                    .map(|(_, name)| match record.get(*name)? {
                        Value::Null => None,
                        Value::String(text) => Some(text.clone()),
                        other => Some(other.to_string()),
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(KeysetCursor)
            }),
        })
        .collect();
    Ok(LiveChanges {
        seq: latest,
        changes,
        missed: since + 1 < recent.missed_before,
    })
}
