//! Pages of rows for the grid, fetched by keyset.

use crate::editing::ColumnEditing;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A schema-qualified relation name, both parts unquoted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TableRef {
    /// Schema name, unquoted.
    pub schema: String,
    /// Relation name, unquoted.
    pub name: String,
}

impl TableRef {
    /// Builds a reference from its two unquoted parts.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        TableRef {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for TableRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// The position after the last row of a page: the full text of its key columns
/// (primary key, or the physical row location for tables without one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeysetCursor(pub Vec<String>);

/// Ask for one page of a relation's rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowsRequest {
    /// The relation to read.
    pub table: TableRef,
    /// Maximum number of rows in the page (1..=1000).
    pub limit: u32,
    /// Continue after this position; `None` for the first page.
    pub after: Option<KeysetCursor>,
    /// Send every value whole instead of cutting long ones to a preview.
    /// The grid leaves this off; exports and scripts turn it on.
    #[serde(default)]
    pub full_values: bool,
    /// Which rows: per-column conditions and a quick search, run on the server.
    #[serde(default)]
    pub filter: RowFilter,
    /// Order by these columns first (then by key); empty means key order.
    #[serde(default)]
    pub sort: Vec<SortKey>,
    /// Read backwards: the page that ends just before this position (its
    /// rows still come in view order). Exclusive with `after`.
    #[serde(default)]
    pub before: Option<KeysetCursor>,
    /// Start near this point of the view instead of at a cursor, in
    /// millionths (0: the first row; 1,000,000: the last page). For jumping
    /// the scrollbar; the server finds the row from a small sample, never
    /// by OFFSET. Used only without `after` and `before`.
    #[serde(default)]
    pub position: Option<u32>,
}

/// `position` of a [`RowsRequest`] that asks for the last page.
pub const POSITION_END: u32 = 1_000_000;

/// One column of a multi-column sort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortKey {
    /// Column name, unquoted.
    pub column: String,
    /// Largest first (NULLs first, as PostgreSQL orders them descending).
    #[serde(default)]
    pub descending: bool,
}

/// Which rows a page holds. Empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowFilter {
    /// The per-column conditions.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Whether every condition must hold (AND) or any one (OR).
    #[serde(default)]
    pub join: Join,
    /// Text searched for, case-insensitively, across the text columns.
    #[serde(default)]
    pub search: Option<String>,
}

impl RowFilter {
    /// Whether it keeps every row.
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty() && self.search.as_deref().is_none_or(|s| s.trim().is_empty())
    }
}

/// How conditions combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Join {
    /// All must hold (AND).
    #[default]
    All,
    /// Any one must hold (OR).
    Any,
}

/// One condition on one column. Values are text, cast by the server to the
/// column's type, and always sent as bound parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// Column name, unquoted.
    pub column: String,
    /// The comparison.
    pub op: FilterOp,
    /// The value compared with (for `in`: the list); none for `is_null` and `is_not_null`.
    #[serde(default)]
    pub values: Vec<String>,
}

/// A comparison in a [`Condition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    /// `=`.
    Eq,
    /// `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// Contains the text, ignoring case.
    Contains,
    /// Starts with the text, ignoring case.
    StartsWith,
    /// Is NULL.
    IsNull,
    /// Is not NULL.
    IsNotNull,
    /// Equals one of the values.
    In,
    /// A jsonb value matches the SQL/JSON path (`jsonb_path_exists`).
    JsonPath,
}

impl FilterOp {
    /// Every operator, in menu order.
    pub const ALL: [FilterOp; 12] = [
        FilterOp::Eq,
        FilterOp::Ne,
        FilterOp::Lt,
        FilterOp::Le,
        FilterOp::Gt,
        FilterOp::Ge,
        FilterOp::Contains,
        FilterOp::StartsWith,
        FilterOp::IsNull,
        FilterOp::IsNotNull,
        FilterOp::In,
        FilterOp::JsonPath,
    ];

    /// The wire name (also the CLI's).
    pub fn as_str(self) -> &'static str {
        match self {
            FilterOp::Eq => "eq",
            FilterOp::Ne => "ne",
            FilterOp::Lt => "lt",
            FilterOp::Le => "le",
            FilterOp::Gt => "gt",
            FilterOp::Ge => "ge",
            FilterOp::Contains => "contains",
            FilterOp::StartsWith => "starts_with",
            FilterOp::IsNull => "is_null",
            FilterOp::IsNotNull => "is_not_null",
            FilterOp::In => "in",
            FilterOp::JsonPath => "json_path",
        }
    }

    /// How many values it takes: none, one, or a list.
    pub fn arity(self) -> Arity {
        match self {
            FilterOp::IsNull | FilterOp::IsNotNull => Arity::None,
            FilterOp::In => Arity::List,
            _ => Arity::One,
        }
    }
}

/// How many values a [`FilterOp`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// None.
    None,
    /// Exactly one.
    One,
    /// One or more.
    List,
}

/// A column of a page, in table order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// Column name, unquoted.
    pub name: String,
    /// The SQL type as PostgreSQL formats it, e.g. `timestamp with time zone`.
    pub data_type: String,
    /// Position in the primary key (1-based), if part of it.
    pub primary_key_position: Option<u16>,
    /// How its cells are edited; `None` where they cannot be (views, query results).
    #[serde(default)]
    pub editing: Option<ColumnEditing>,
}

/// How pages of a relation are ordered, which decides whether paging is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOrder {
    /// By primary key: stable and indexed.
    PrimaryKey,
    /// By physical location (`ctid`) for tables without a primary key.
    PhysicalLocation,
    /// No stable order exists (views); only the first page is available.
    Unordered,
}

/// One cell as the grid shows it.
///
/// On the wire this is plain JSON: `null`, `true`, a number, a string, or
/// `{"prefix": "..."}` for a value cut short. Integers outside the range a
/// JavaScript number holds exactly (±2^53−1) travel as strings, as do NaN and
/// infinities, so no value is silently changed on its way to the webview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer that a JavaScript number holds exactly.
    Int(i64),
    /// A finite floating-point number.
    Float(f64),
    /// The value's text form, in full.
    Text(String),
    /// The start of a long value's text form; ask with `full_values` for the rest.
    Truncated {
        /// The first characters of the value.
        prefix: String,
    },
}

impl Cell {
    /// The text a grid cell shows.
    pub fn display_text(&self) -> String {
        match self {
            Cell::Null => "NULL".to_owned(),
            Cell::Bool(value) => value.to_string(),
            Cell::Int(value) => value.to_string(),
            Cell::Float(value) => value.to_string(),
            Cell::Text(value) => value.clone(),
            Cell::Truncated { prefix } => format!("{prefix}…"),
        }
    }
}

/// One page of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowPage {
    /// The relation the rows come from.
    pub table: TableRef,
    /// The columns, in table order.
    pub columns: Vec<ColumnInfo>,
    /// The rows; each has one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// How the rows are ordered.
    pub order: RowOrder,
    /// Where the next page starts, or `None` when this is the last page.
    pub next: Option<KeysetCursor>,
    /// Each row's key, to open it whole; empty when rows have no stable key (views).
    #[serde(default)]
    pub keys: Vec<KeysetCursor>,
    /// Each row's full position (sort values, then key), to continue from
    /// any row; empty when the view is unsorted (the keys are the positions).
    #[serde(default)]
    pub cursors: Vec<KeysetCursor>,
    /// Where the page before starts, when rows come before this page.
    #[serde(default)]
    pub previous: Option<KeysetCursor>,
    /// The planner's estimate of the rows the filter keeps, on a filtered
    /// view's first page (the tree's estimate covers unfiltered ones).
    #[serde(default)]
    pub estimated_total: Option<i64>,
    /// Each row's version (`xmin`) when it was read, to detect conflicting
    /// edits; empty when rows cannot be edited (views).
    #[serde(default)]
    pub versions: Vec<String>,
}

/// One row with every value whole, for the row panel (form view).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowDetail {
    /// The relation.
    pub table: TableRef,
    /// The columns, in table order.
    pub columns: Vec<ColumnInfo>,
    /// One whole value per column.
    pub values: Vec<Cell>,
    /// The row's version (`xmin`) when read; `None` for views.
    #[serde(default)]
    pub version: Option<String>,
}

/// Changes to one table that arrived on Fluxbase's realtime channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveChanges {
    /// Pass this as `since` next time.
    pub seq: u64,
    /// The changes since the last call, oldest first.
    pub changes: Vec<LiveChange>,
    /// Changes were missed (too many at once, or the listener reconnected):
    /// reload rather than trust the list.
    pub missed: bool,
}

/// One change to a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveChange {
    /// `insert`, `update` or `delete`.
    pub kind: String,
    /// The row's key, when the notification carries it.
    pub key: Option<KeysetCursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_plain_json_values() {
        let row = vec![
            Cell::Null,
            Cell::Bool(true),
            Cell::Int(42),
            Cell::Float(1.5),
            Cell::Text("héllo".into()),
            Cell::Truncated { prefix: "abc".into() },
        ];
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(json, r#"[null,true,42,1.5,"héllo",{"prefix":"abc"}]"#);
        let back: Vec<Cell> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, row, "every cell kind must survive the round trip");
    }

    #[test]
    fn cursor_is_a_bare_array_of_strings() {
        let cursor = KeysetCursor(vec!["7".into(), "a\"b".into()]);
        assert_eq!(serde_json::to_string(&cursor).unwrap(), r#"["7","a\"b"]"#);
    }
}
