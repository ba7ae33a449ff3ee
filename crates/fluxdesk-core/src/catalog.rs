//! Schemas and relations for the explorer tree, read from `pg_catalog`.
//!
//! Both queries read only catalog rows (never user tables), so they stay quick
//! with thousands of tables; the tree loads one schema's relations at a time.

use crate::error::{CoreError, CoreResult};
use crate::instance::Instance;
use fluxdesk_types::{RelationKind, SchemaSummary, TablePage, TableSummary};

const LIST_SCHEMAS: &str = r#"
SELECT n.nspname::text AS name,
       count(c.oid) AS relation_count
FROM pg_namespace n
LEFT JOIN pg_class c
       ON c.relnamespace = n.oid
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND NOT c.relispartition
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
GROUP BY n.nspname
ORDER BY n.nspname
"#;

// reltuples is -1 until the first VACUUM/ANALYZE (PostgreSQL 14+); that means
// "unknown", not zero. A partitioned parent stores nothing, so sum its leaves.
// The inner query picks the relations (by name filter and limit, with their
// total); sizes, policies and triggers are looked up for those only, so the
// first page of a schema with 10,000 tables costs what a page costs.
const LIST_TABLES: &str = r#"
SELECT m.name,
       m.kind,
       CASE
         WHEN m.kind = 'p' THEN (
           SELECT sum(leaf.reltuples) FILTER (WHERE leaf.reltuples >= 0)::bigint
           FROM pg_partition_tree(m.oid) tree
           JOIN pg_class leaf ON leaf.oid = tree.relid
           WHERE tree.isleaf)
         WHEN m.kind IN ('r', 'm') AND m.reltuples >= 0 THEN m.reltuples::bigint
         ELSE NULL
       END AS estimated_rows,
       CASE
         WHEN m.kind = 'p' THEN (
           SELECT sum(pg_total_relation_size(tree.relid))::bigint
           FROM pg_partition_tree(m.oid) tree)
         WHEN m.kind IN ('r', 'm') THEN pg_total_relation_size(m.oid)
         ELSE NULL
       END AS total_bytes,
       m.rls_enabled,
       m.rls_forced,
       (SELECT count(*) FROM pg_policy pol WHERE pol.polrelid = m.oid) AS policy_count,
       EXISTS (
         SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
         WHERE t.tgrelid = m.oid AND NOT t.tgisinternal AND t.tgenabled <> 'D'
           AND p.proname = 'notify_realtime_change') AS realtime,
       m.total
FROM (
  SELECT c.oid, c.relname::text AS name, c.relkind::text AS kind, c.reltuples,
         c.relrowsecurity AS rls_enabled, c.relforcerowsecurity AS rls_forced,
         count(*) OVER () AS total
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND NOT c.relispartition
    AND c.relname ILIKE $2
  ORDER BY c.relname
  LIMIT $3
) m
ORDER BY m.name
"#;

const SCHEMA_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)";

/// Every user-visible schema with the number of browsable relations in it.
pub async fn list_schemas(instance: &Instance) -> CoreResult<Vec<SchemaSummary>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(LIST_SCHEMAS).fetch_all(instance.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|(name, relation_count)| SchemaSummary { name, relation_count })
        .collect())
}

/// The relations of one schema with their estimated row counts.
pub async fn list_tables(instance: &Instance, schema: &str) -> CoreResult<Vec<TableSummary>> {
    Ok(list_tables_page(instance, schema, "", None).await?.tables)
}

/// The first `limit` relations of a schema (all with `None`) whose names
/// contain `filter`, ignoring case, with how many match in all.
pub async fn list_tables_page(
    instance: &Instance,
    schema: &str,
    filter: &str,
    limit: Option<u32>,
) -> CoreResult<TablePage> {
    type Row = (
        String,
        String,
        Option<i64>,
        Option<i64>,
        bool,
        bool,
        i64,
        bool,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(LIST_TABLES)
        .bind(schema)
        .bind(format!("%{}%", crate::rows::like_literal(filter.trim())))
        .bind(limit.map(i64::from))
        .fetch_all(instance.pool())
        .await?;
    if rows.is_empty() {
        let exists: bool = sqlx::query_scalar(SCHEMA_EXISTS)
            .bind(schema)
            .fetch_one(instance.pool())
            .await?;
        if !exists {
            return Err(CoreError::NotFound(format!("There is no schema \"{schema}\".")));
        }
    }
    let total = rows.first().map_or(0, |row| row.8);
    Ok(TablePage {
        tables: rows
            .into_iter()
            .map(
                |(
                    name,
                    kind,
                    estimated_rows,
                    total_bytes,
                    rls_enabled,
                    rls_forced,
                    policy_count,
                    realtime,
                    _,
                )| {
                    TableSummary {
                        schema: schema.to_owned(),
                        name,
                        kind: relation_kind(&kind),
                        estimated_rows,
                        total_bytes,
                        rls_enabled,
                        rls_forced,
                        policy_count,
                        realtime,
                    }
                },
            )
            .collect(),
        total,
        filter: filter.to_owned(),
    })
}

pub(crate) fn relation_kind(relkind: &str) -> RelationKind {
    match relkind {
        "p" => RelationKind::PartitionedTable,
        "v" => RelationKind::View,
        "m" => RelationKind::MaterializedView,
        "f" => RelationKind::ForeignTable,
        _ => RelationKind::Table,
    }
}
