//! Running one SQL statement under the profile's protection.

use crate::rows::{Cell, ColumnInfo};
use serde::{Deserialize, Serialize};

/// The rows a statement returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultSet {
    /// Columns, in order; `data_type` is the type's name.
    pub columns: Vec<ColumnInfo>,
    /// Rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// Whether more rows existed than were kept.
    pub truncated: bool,
}

/// Rows a transaction changed in one table, as the server counted them
/// (`pg_stat_xact_user_tables`, so trigger writes count too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableChange {
    /// `schema.table`.
    pub table: String,
    /// Rows inserted.
    pub inserted: i64,
    /// Rows updated.
    pub updated: i64,
    /// Rows deleted.
    pub deleted: i64,
}

/// A write held open in its transaction until the user decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingWrite {
    /// Id to commit or roll back with.
    pub id: String,
    /// The statement, exactly as it ran.
    pub sql: String,
    /// Rows the statement reported (its command tag).
    pub rows_affected: u64,
    /// Rows changed per table inside the transaction, which also catches
    /// changes a statement's own count does not show (CTEs, triggers).
    pub changes: Vec<TableChange>,
    /// Seconds left before it is rolled back by itself.
    pub expires_in_secs: u64,
}

/// One statement of a script and what it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementResult {
    /// The statement, as split from the script.
    pub sql: String,
    /// Rows it affected (or returned).
    pub rows_affected: u64,
    /// Rows it returned, if any.
    pub result: Option<ResultSet>,
    /// How long it ran, in milliseconds.
    pub elapsed_ms: u64,
}

/// What running a statement did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StatementOutcome {
    /// It finished (and, if it wrote, committed).
    Done {
        /// Rows affected, for statements that change rows.
        rows_affected: u64,
        /// Rows returned, if any.
        result: Option<ResultSet>,
        /// Whether it wrote anything (the database assigned a transaction id).
        wrote: bool,
        /// Each statement of the script, in order.
        #[serde(default)]
        statements: Vec<StatementResult>,
    },
    /// It wrote on a confirm-writes instance; nothing is committed yet.
    AwaitingConfirmation {
        /// The open write.
        pending: PendingWrite,
        /// Rows returned (e.g. by RETURNING), if any.
        result: Option<ResultSet>,
        /// Each statement of the script, in order.
        #[serde(default)]
        statements: Vec<StatementResult>,
    },
    /// It wrote while impersonating and was rolled back: a dry run. The
    /// rows and counts are what it would have done.
    DryRun {
        /// Rows it would have affected.
        rows_affected: u64,
        /// Rows returned (e.g. by RETURNING), if any.
        result: Option<ResultSet>,
        /// Each statement of the script, in order.
        #[serde(default)]
        statements: Vec<StatementResult>,
    },
}
