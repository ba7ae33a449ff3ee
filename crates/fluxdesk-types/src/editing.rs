//! Staged changes to a table's rows: what the grid queues, reviews and commits.

use crate::rows::Cell;
use crate::rows::{ColumnInfo, KeysetCursor, TableRef};
use crate::statement::PendingWrite;
use serde::{Deserialize, Serialize};

/// What an editor needs to know about a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnEditing {
    /// Which editor a cell gets.
    pub editor: EditorKind,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The column's default expression, as the catalog prints it.
    #[serde(default)]
    pub default: Option<String>,
    /// Most characters a value may hold (`varchar(n)`, `char(n)`).
    #[serde(default)]
    pub max_length: Option<u32>,
    /// The labels of an enum type, in order.
    #[serde(default)]
    pub enum_values: Vec<String>,
    /// Computed by the server (generated columns): never written.
    #[serde(default)]
    pub generated: bool,
}

/// The kind of inline editor a column's cells get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditorKind {
    /// `smallint`.
    SmallInt,
    /// `integer`.
    Integer,
    /// `bigint`.
    BigInt,
    /// `numeric`/`decimal`.
    Numeric,
    /// `real`/`double precision`.
    Float,
    /// `boolean`.
    Boolean,
    /// Text of any kind.
    Text,
    /// `uuid`.
    Uuid,
    /// `date`.
    Date,
    /// `time`, with or without time zone.
    Time,
    /// `timestamp`, with or without time zone.
    Timestamp,
    /// `json`/`jsonb`.
    Json,
    /// An array, in PostgreSQL's `{...}` form.
    Array,
    /// An enum: one of its labels.
    Enum,
    /// Anything else, as PostgreSQL's text form.
    Other,
}

/// A value to write: its text form, which the server casts to the column's
/// type, or `None` for NULL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellValue {
    /// Column name, unquoted.
    pub column: String,
    /// The text form, or `None` for NULL.
    pub value: Option<String>,
}

/// One staged change to one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowChange {
    /// Set some columns of a row that was read at `version`.
    Update {
        /// The row's key, as its page gave it.
        key: KeysetCursor,
        /// The row version it was read at; a different one is a conflict.
        version: String,
        /// The new values.
        values: Vec<CellValue>,
    },
    /// A new row; columns not given take their defaults.
    Insert {
        /// The values given.
        values: Vec<CellValue>,
    },
    /// Delete a row that was read at `version`.
    Delete {
        /// The row's key.
        key: KeysetCursor,
        /// The row version it was read at.
        version: String,
    },
    /// Insert a copy of a row; generated, identity and defaulted key columns
    /// take their defaults.
    Duplicate {
        /// The key of the row copied.
        key: KeysetCursor,
    },
}

/// Staged changes to one table, applied all together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSet {
    /// The table changed.
    pub table: TableRef,
    /// The changes, in the order they run.
    pub changes: Vec<RowChange>,
}

/// A staged change whose row someone else changed (or deleted) since it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// Index of the change in its [`ChangeSet`].
    pub change: usize,
    /// The row as it is now, or `None` when it was deleted.
    pub theirs: Option<Vec<Cell>>,
    /// The row's version now; staging again with it overwrites theirs.
    pub version: Option<String>,
}

/// What committing a change set did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ChangeOutcome {
    /// Everything was applied in one transaction.
    Committed {
        /// Rows inserted, updated and deleted, as the server counted them.
        affected: u64,
    },
    /// Applied in a transaction held open on a confirm-writes profile.
    AwaitingConfirmation {
        /// Commit or roll it back by its id.
        pending: PendingWrite,
    },
    /// Applied while impersonating, then rolled back: a dry run that
    /// passed RLS and every constraint.
    DryRun {
        /// Rows it would have inserted, updated and deleted.
        affected: u64,
    },
    /// Nothing was applied: these rows changed since they were read.
    Conflicts {
        /// One per conflicting change.
        conflicts: Vec<Conflict>,
        /// The columns the `theirs` cells follow.
        columns: Vec<ColumnInfo>,
    },
    /// Nothing was applied: the server refused one change.
    Rejected {
        /// Index of the change it refused.
        change: usize,
        /// The column it names, when it names one.
        column: Option<String>,
        /// The server's reason, for a person.
        message: String,
    },
}
