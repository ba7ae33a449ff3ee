//! Exporting a table's current view, or a query's result, to a file.

use crate::rows::{RowFilter, SortKey, TableRef};
use serde::{Deserialize, Serialize};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// RFC 4180 CSV with a header line, as PostgreSQL's COPY writes it.
    Csv,
    /// A JSON array with one object per row, values typed as JSON.
    Json,
}

/// What is exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExportSource {
    /// A table or view, filtered and sorted as the grid shows it.
    View {
        /// The relation.
        table: TableRef,
        /// Which rows.
        #[serde(default)]
        filter: RowFilter,
        /// In which order (then by key).
        #[serde(default)]
        sort: Vec<SortKey>,
    },
    /// The rows of one query (run read-only).
    Query {
        /// The query.
        sql: String,
    },
}

/// Ask for an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRequest {
    /// What to export.
    pub source: ExportSource,
    /// The format.
    pub format: ExportFormat,
    /// The file written; it appears only once the export is complete.
    pub path: String,
}

/// How far an export has come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportProgress {
    /// Rows written so far.
    pub rows: u64,
    /// Bytes written so far.
    pub bytes: u64,
    /// Rows expected, when the catalog can estimate them.
    pub estimated_rows: Option<i64>,
}

/// A finished export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// The file written.
    pub path: String,
    /// Rows written.
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
    /// How long it took, in milliseconds.
    pub elapsed_ms: u64,
}
