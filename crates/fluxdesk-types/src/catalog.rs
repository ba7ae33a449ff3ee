//! Schemas and relations as the explorer tree shows them.

use serde::{Deserialize, Serialize};

/// One schema in the explorer tree. Its relations are loaded lazily.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaSummary {
    /// Schema name, unquoted.
    pub name: String,
    /// Number of tables, views and other browsable relations (partitions excluded).
    pub relation_count: i64,
}

/// The kind of a browsable relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// An ordinary table.
    Table,
    /// A partitioned table; its rows live in partitions.
    PartitionedTable,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A foreign table.
    ForeignTable,
}

impl RelationKind {
    /// The wire name, as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Table => "table",
            RelationKind::PartitionedTable => "partitioned_table",
            RelationKind::View => "view",
            RelationKind::MaterializedView => "materialized_view",
            RelationKind::ForeignTable => "foreign_table",
        }
    }
}

/// The first relations of a schema whose names match a filter, for the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePage {
    /// The relations, by name, at most the limit asked for.
    pub tables: Vec<TableSummary>,
    /// How many relations match the filter in all.
    pub total: i64,
    /// The filter, as asked (empty: every relation).
    pub filter: String,
}

/// One relation in a schema, with the planner's row estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSummary {
    /// Schema name, unquoted.
    pub schema: String,
    /// Relation name, unquoted.
    pub name: String,
    /// What kind of relation this is.
    pub kind: RelationKind,
    /// The planner's estimate (`pg_class.reltuples`); `None` when the relation
    /// was never analyzed or has no storage (views).
    pub estimated_rows: Option<i64>,
    /// Bytes on disk with indexes and TOAST (partitions summed); `None` for views.
    pub total_bytes: Option<i64>,
    /// Whether row-level security is enabled.
    pub rls_enabled: bool,
    /// Whether it is forced on the table's owner too.
    pub rls_forced: bool,
    /// Number of RLS policies on it.
    pub policy_count: i64,
    /// Whether Fluxbase realtime publishes its changes (a trigger calling
    /// `notify_realtime_change` is enabled on it).
    pub realtime: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_kinds_serialize_to_their_wire_names() {
        for kind in [
            RelationKind::Table,
            RelationKind::PartitionedTable,
            RelationKind::View,
            RelationKind::MaterializedView,
            RelationKind::ForeignTable,
        ] {
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
    }
}
