//! Monitoring: one sampling round of an instance's health.

use serde::{Deserialize, Serialize};

/// Everything one sampling round reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthSnapshot {
    /// When it was taken (RFC 3339, the server's clock).
    pub taken_at: String,
    /// App-user and admin sessions.
    pub sessions: SessionCounts,
    /// Database backends grouped by state, user and application.
    pub backends: Vec<BackendGroup>,
    /// The longest-running active queries, longest first.
    pub longest_queries: Vec<BackendActivity>,
    /// The transactions idle the longest, longest first.
    pub idle_in_transaction: Vec<BackendActivity>,
    /// Connections against the server's limit.
    pub connections: ServerConnections,
    /// Fluxdesk's own pools for this instance.
    pub pools: Vec<PoolStatus>,
    /// Database-wide counters since the statistics were reset.
    pub database: DatabaseCounters,
    /// Top statements, or why there are none.
    pub statements: StatementStats,
    /// Sequential and index scans per table, busiest first.
    pub table_scans: Vec<TableScans>,
    /// Sizes.
    pub storage: StorageUsage,
    /// How long this round's queries took, as the client saw them, in ms.
    pub round_ms: f64,
}

/// Sessions by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCounts {
    /// `auth.sessions` not yet expired.
    pub app_live: i64,
    /// `auth.sessions` expired but still stored.
    pub app_expired: i64,
    /// Admin sessions (`dashboard.sessions` / `platform.sessions`) not yet expired.
    pub admin_live: i64,
}

/// Backends sharing a state, user and application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendGroup {
    /// `active`, `idle`, `idle in transaction`, …
    pub state: String,
    /// The role.
    pub user: String,
    /// `application_name`.
    pub application: String,
    /// How many.
    pub count: i64,
}

/// One backend's current work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendActivity {
    /// Its process id (for cancel and terminate).
    pub pid: i32,
    /// When its session began, in microseconds since the Unix epoch: with
    /// the pid, it names this session even after the pid is reused.
    pub started_us: i64,
    /// The database it is connected to.
    pub database: String,
    /// The role.
    pub user: String,
    /// `application_name`.
    pub application: String,
    /// Its state.
    pub state: String,
    /// Seconds in this query (active) or this state (idle in transaction).
    pub seconds: f64,
    /// The query, cut to 500 characters.
    pub query: String,
}

/// Connections in use against `max_connections`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerConnections {
    /// Client backends now.
    pub in_use: i64,
    /// `max_connections`.
    pub max: i64,
    /// Kept for superusers and `pg_use_reserved_connections` (`superuser_reserved_connections` + `reserved_connections`).
    pub reserved: i64,
}

/// One of Fluxdesk's pools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolStatus {
    /// What it is for.
    pub name: String,
    /// Connections open.
    pub size: u32,
    /// Of which idle.
    pub idle: u32,
    /// The most it opens.
    pub max: u32,
    /// Requests since connecting that found every connection busy and
    /// queued for one.
    pub waits: u64,
}

/// Counters from `pg_stat_database` for the current database.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseCounters {
    /// Committed transactions.
    pub commits: i64,
    /// Rolled-back transactions.
    pub rollbacks: i64,
    /// Deadlocks.
    pub deadlocks: i64,
    /// Temporary files written.
    pub temp_files: i64,
    /// Bytes in them.
    pub temp_bytes: i64,
    /// Blocks found in shared buffers.
    pub blocks_hit: i64,
    /// Blocks read from disk or the OS cache.
    pub blocks_read: i64,
    /// `blocks_hit / (blocks_hit + blocks_read)`, none before any read.
    pub cache_hit_ratio: Option<f64>,
}

/// `pg_stat_statements`, when installed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StatementStats {
    /// The top statements by each of total time, mean time, calls and rows.
    Available {
        /// The union of the four top lists, by total time.
        top: Vec<StatementStat>,
    },
    /// Not installed here; how to enable it.
    Unavailable {
        /// What to do, for a person.
        how_to_enable: String,
    },
}

/// One normalized statement's totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementStat {
    /// The statement, cut to 500 characters.
    pub query: String,
    /// Calls.
    pub calls: i64,
    /// Total execution time, ms.
    pub total_ms: f64,
    /// Mean execution time, ms.
    pub mean_ms: f64,
    /// Rows returned or affected.
    pub rows: i64,
}

/// Scans of one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableScans {
    /// Schema.
    pub schema: String,
    /// Table.
    pub table: String,
    /// Sequential scans.
    pub seq_scans: i64,
    /// Index scans.
    pub index_scans: i64,
    /// Estimated live rows.
    pub live_rows: i64,
}

/// Where the bytes are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageUsage {
    /// The whole database.
    pub database_bytes: i64,
    /// Per schema, largest first.
    pub schemas: Vec<SchemaSize>,
    /// The largest tables, split.
    pub largest_tables: Vec<TableSize>,
    /// `storage.objects` per bucket; empty without Fluxbase storage.
    pub buckets: Vec<BucketUsage>,
}

/// One schema's size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaSize {
    /// Schema.
    pub schema: String,
    /// Bytes, indexes and TOAST included.
    pub bytes: i64,
}

/// One table's size, split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSize {
    /// Schema.
    pub schema: String,
    /// Table.
    pub table: String,
    /// The heap (main fork and its maps).
    pub heap_bytes: i64,
    /// All its indexes.
    pub index_bytes: i64,
    /// Its TOAST table and index.
    pub toast_bytes: i64,
}

/// One bucket's objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketUsage {
    /// The bucket.
    pub bucket: String,
    /// Objects.
    pub objects: i64,
    /// Their declared sizes, summed.
    pub bytes: i64,
}

/// Step-up purpose for cancelling or terminating a backend on production.
pub const STOP_BACKEND: &str = "cancel or terminate a database backend";

/// The step-up purpose for resetting `pg_stat_statements`.
pub const RESET_STATEMENTS: &str = "reset the query statistics";

/// How to stop a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendStop {
    /// Cancel its current query (`pg_cancel_backend`); the session stays.
    Cancel,
    /// End its session (`pg_terminate_backend`), rolling back its transaction.
    Terminate,
}
