//! Pages of a relation's rows, by keyset, never by OFFSET.
//!
//! Every value is read as text and, unless the request asks for whole values,
//! cut to a preview on the server, so a grid page stays small however wide
//! the values are.

use crate::error::{CoreError, CoreResult};
use crate::ident::{quote_ident, quote_table};
use crate::impersonation::explained;
use crate::instance::Instance;
use crate::statement::RunningQueries;
use fluxdesk_types::{
    Cell, ColumnEditing, ColumnInfo, EditorKind, FilterOp, Join, KeysetCursor, POSITION_END, RelationKind,
    RowDetail, RowFilter, RowOrder, RowPage, RowsRequest, TableRef,
};
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgRow};

/// Largest page a caller may ask for.
pub const MAX_PAGE_ROWS: u32 = 1000;

/// Characters of a value sent before it is cut short.
pub const CELL_PREVIEW_CHARS: usize = 500;

/// Largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_EXACT_JS_INTEGER: i64 = 9_007_199_254_740_991;

const RELATION_COLUMNS: &str = r#"
SELECT c.relkind::text,
       a.attname::text,
       format_type(a.atttypid, a.atttypmod),
       coalesce(base.typname, t.typname)::text,
       (array_position(pk.indkey::int2[], a.attnum) - array_lower(pk.indkey::int2[], 1) + 1)::int2,
       a.attnotnull OR coalesce(t.typnotnull, false),
       CASE WHEN a.attidentity <> '' THEN 'generated ' || CASE a.attidentity WHEN 'a' THEN 'always' ELSE 'by default' END || ' as identity'
            ELSE pg_get_expr(d.adbin, d.adrelid) END,
       a.attgenerated <> '' OR a.attidentity = 'a',
       coalesce(base.typcategory, t.typcategory)::text,
       CASE WHEN coalesce(base.typname, t.typname) IN ('varchar', 'bpchar')
            THEN nullif(CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END, -1) - 4 END,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e
             WHERE e.enumtypid = coalesce(base.oid, t.oid) ORDER BY e.enumsortorder),
       format_type(a.atttypid, NULL)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type base ON base.oid = t.typbasetype AND t.typtype = 'd'
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
LEFT JOIN pg_index pk ON pk.indrelid = c.oid AND pk.indisprimary
WHERE n.nspname = $1
  AND c.relname = $2
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
ORDER BY a.attnum
"#;

#[derive(Debug)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) data_type: String,
    pub(crate) base_type: String,
    pub(crate) primary_key_position: Option<i16>,
    /// The type without its modifier, which values written are cast to: an
    /// explicit cast to `varchar(n)` would silently cut a long value, while
    /// assigning to the column refuses it.
    pub(crate) write_type: String,
    /// How it is edited; `None` unless the relation is a table.
    pub(crate) editing: Option<ColumnEditing>,
}

/// One row of [`RELATION_COLUMNS`].
type ColumnRow = (
    String,
    String,
    String,
    String,
    Option<i16>,
    bool,
    Option<String>,
    bool,
    String,
    Option<i32>,
    Vec<String>,
    String,
);

/// The editor a column's base type (and type category) calls for.
fn editor_for(base_type: &str, category: &str) -> EditorKind {
    match (base_type, category) {
        (_, "A") => EditorKind::Array,
        (_, "E") => EditorKind::Enum,
        ("int2", _) => EditorKind::SmallInt,
        ("int4", _) => EditorKind::Integer,
        ("int8", _) => EditorKind::BigInt,
        ("numeric", _) => EditorKind::Numeric,
        ("float4" | "float8", _) => EditorKind::Float,
        ("bool", _) => EditorKind::Boolean,
        ("text" | "varchar" | "bpchar" | "citext" | "name", _) => EditorKind::Text,
        ("uuid", _) => EditorKind::Uuid,
        ("date", _) => EditorKind::Date,
        ("time" | "timetz", _) => EditorKind::Time,
        ("timestamp" | "timestamptz", _) => EditorKind::Timestamp,
        ("json" | "jsonb", _) => EditorKind::Json,
        _ => EditorKind::Other,
    }
}

/// The columns a page is ordered and continued by.
#[derive(Debug)]
pub(crate) struct Keyset {
    pub(crate) order: RowOrder,
    /// SQL expression and SQL type of each key part.
    pub(crate) parts: Vec<(String, String)>,
    /// Whether rows carry a version (`xmin`): tables do, views do not.
    pub(crate) versioned: bool,
}

/// Reads one page of `request.table`: the first, the one after or before a
/// cursor, or one near a point of the view (`position`).
pub async fn fetch_page(instance: &Instance, request: &RowsRequest) -> CoreResult<RowPage> {
    if request.limit == 0 || request.limit > MAX_PAGE_ROWS {
        return Err(CoreError::InvalidInput(format!(
            "A page holds 1 to {MAX_PAGE_ROWS} rows; {} was asked for.",
            request.limit
        )));
    }
    if request.after.is_some() && request.before.is_some() {
        return Err(CoreError::InvalidInput(
            "A page starts after a row or ends before one, not both.".to_owned(),
        ));
    }
    let (kind, columns) = describe_relation(instance, &request.table).await?;
    let keyset = keyset_for(kind, &columns);
    let moves =
        request.after.is_some() || request.before.is_some() || request.position.is_some_and(|p| p > 0);
    if keyset.order == RowOrder::Unordered && moves {
        return Err(CoreError::InvalidInput(format!(
            "{} has no stable row order, so only its first page can be read.",
            request.table
        )));
    }
    let sort = sort_columns(request, &columns)?;
    for cursor in [&request.after, &request.before].into_iter().flatten() {
        if cursor.0.len() != sort.len() + keyset.parts.len() {
            return Err(CoreError::InvalidInput(format!(
                "The page cursor has {} values but {} is paged by {} (is it from another sort?).",
                cursor.0.len(),
                request.table,
                sort.len() + keyset.parts.len()
            )));
        }
    }

    // Every read of the page in one transaction: as the impersonated
    // identity while one is in force.
    let (mut reading, acting) = instance.begin_data().await?;
    let explained = |error: CoreError| explained(acting.as_deref(), error);
    // Where the page starts, and in which direction it is read.
    let (cursor, backward) = match (&request.after, &request.before, request.position) {
        (Some(after), _, _) => (Some(after.clone()), false),
        (None, Some(before), _) => (Some(before.clone()), true),
        (None, None, Some(position)) if position >= POSITION_END => (None, true),
        (None, None, Some(position)) if position > 0 => (
            position_cursor(&mut reading, request, &columns, &keyset, &sort, position)
                .await
                .map_err(explained)?,
            false,
        ),
        _ => (None, false),
    };

    let (sql, params) = page_sql(request, &columns, &keyset, &sort, cursor.as_ref(), backward)?;
    let mut query = sqlx::query(&sql);
    if let Some(cursor) = &cursor {
        // A NULL sort value has no parameter: the SQL tests IS NULL instead.
        for value in cursor.0.iter().filter(|v| v.as_str() != NULL_IN_CURSOR) {
            query = query.bind(value);
        }
    }
    query = bind_params(query, params);
    let mut fetched = query
        .bind(i64::from(request.limit) + 1)
        .fetch_all(&mut *reading)
        .await
        .map_err(|error| explained(error.into()))?;

    let has_more = fetched.len() > request.limit as usize;
    fetched.truncate(request.limit as usize);
    if backward {
        fetched.reverse();
    }
    let mut rows = Vec::with_capacity(fetched.len());
    let mut keys = Vec::new();
    let mut cursors = Vec::new();
    let mut versions = Vec::new();
    for row in &fetched {
        let cells = decode_cells(row, &columns, request.full_values)?;
        let mut key = Vec::with_capacity(keyset.parts.len());
        for index in 0..keyset.parts.len() {
            let value: Option<String> = row.try_get(columns.len() + index)?;
            key.push(value.unwrap_or_default());
        }
        if keyset.order != RowOrder::Unordered {
            keys.push(KeysetCursor(key.clone()));
        }
        let mut position = Vec::with_capacity(sort.len() + key.len());
        for index in 0..sort.len() {
            let value: Option<String> = row.try_get(columns.len() + keyset.parts.len() + index)?;
            position.push(value.unwrap_or_else(|| NULL_IN_CURSOR.to_owned()));
        }
        position.extend(key);
        if keyset.versioned {
            versions.push(row.try_get(columns.len() + keyset.parts.len() + sort.len())?);
        }
        cursors.push(KeysetCursor(position));
        rows.push(cells);
    }

    let first_page = request.after.is_none() && request.before.is_none() && request.position.is_none();
    let estimated_total = if first_page && !request.filter.is_empty() {
        filtered_estimate(&mut reading, request, &columns)
            .await
            .map_err(explained)?
    } else {
        None
    };
    reading.rollback().await?;
    let ordered = keyset.order != RowOrder::Unordered;
    // Forward: more rows follow if the page overflowed; rows precede it if it
    // started after a cursor. Backward: the reverse.
    let (more_after, more_before) = if backward {
        (request.before.is_some(), has_more)
    } else {
        (has_more, cursor.is_some())
    };
    let next = (ordered && more_after).then(|| cursors.last().cloned()).flatten();
    let previous = (ordered && more_before)
        .then(|| cursors.first().cloned())
        .flatten();
    Ok(RowPage {
        table: request.table.clone(),
        columns: column_infos(columns),
        rows,
        order: keyset.order,
        next,
        previous,
        keys,
        cursors: if sort.is_empty() { Vec::new() } else { cursors },
        versions,
        estimated_total,
    })
}

/// The planner's estimate of the rows a filter keeps (`EXPLAIN`, which runs nothing).
async fn filtered_estimate(
    reading: &mut PgConnection,
    request: &RowsRequest,
    columns: &[Column],
) -> CoreResult<Option<i64>> {
    let (Some(condition), params) = filter_sql(&request.filter, columns, 1)? else {
        return Ok(None);
    };
    let sql = format!(
        "EXPLAIN SELECT 1 FROM {} AS {RELATION_ALIAS} WHERE {condition}",
        quote_table(&request.table)
    );
    let plan = bind_params(sqlx::query(&sql), params)
        .fetch_all(&mut *reading)
        .await?;
    // The top plan line ends like "(cost=0.00..25.00 rows=1234 width=0)".
    let top: Option<String> = plan.first().map(|row| row.try_get(0)).transpose()?;
    Ok(top.and_then(|line| {
        let rows = line.split(" rows=").nth(1)?;
        rows.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
    }))
}

/// The ORDER BY terms of a view: its sort columns, then the key.
fn view_order(sort: &[(String, String, bool)], keyset: &Keyset) -> Vec<String> {
    let mut order: Vec<String> = sort
        .iter()
        .map(|(expr, _, descending)| format!("{expr}{}", if *descending { " DESC" } else { "" }))
        .collect();
    order.extend(
        keyset
            .parts
            .iter()
            .map(|(expr, _)| format!("{RELATION_ALIAS}.{expr}")),
    );
    order
}

/// Rows sampled to find a point of the view: enough for a position within
/// a few percent (blocks are sampled, not rows), few enough to read in milliseconds.
const POSITION_SAMPLE_ROWS: f64 = 20_000.0;

/// The cursor just before `position` millionths of the view, estimated from
/// a block sample of the table (`TABLESAMPLE SYSTEM`), so jumping into the
/// middle of a huge table reads a sample, never skips rows with OFFSET.
async fn position_cursor(
    reading: &mut PgConnection,
    request: &RowsRequest,
    columns: &[Column],
    keyset: &Keyset,
    sort: &[(String, String, bool)],
    position: u32,
) -> CoreResult<Option<KeysetCursor>> {
    let estimate: f64 = sqlx::query_scalar(
        "SELECT greatest(coalesce(sum(greatest(c.reltuples, 0)), 0), 1)::float8 FROM pg_class c \
         WHERE c.oid = to_regclass($1) OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass($1))",
    )
    .bind(quote_table(&request.table))
    .fetch_one(&mut *reading)
    .await?;
    let percent = (POSITION_SAMPLE_ROWS / estimate * 100.0).clamp(0.000_1, 100.0);
    let mut outputs: Vec<String> = sort.iter().map(|(expr, _, _)| format!("{expr}::text")).collect();
    outputs.extend(
        keyset
            .parts
            .iter()
            .map(|(expr, _)| format!("{RELATION_ALIAS}.{expr}::text")),
    );
    let (filter, params) = filter_sql(&request.filter, columns, 2)?;
    let mut sql = format!(
        "SELECT {} FROM {} AS {RELATION_ALIAS} TABLESAMPLE SYSTEM ($1)",
        outputs.join(", "),
        quote_table(&request.table)
    );
    if let Some(filter) = filter {
        sql.push_str(&format!(" WHERE {filter}"));
    }
    let order = view_order(sort, keyset);
    sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
    let sample = bind_params(sqlx::query(&sql).bind(percent), params)
        .fetch_all(&mut *reading)
        .await?;
    let index = (sample.len() as f64 * f64::from(position) / f64::from(POSITION_END)).floor() as usize;
    if index == 0 || sample.is_empty() {
        return Ok(None);
    }
    let row = &sample[index.min(sample.len()) - 1];
    let mut cursor = Vec::with_capacity(outputs.len());
    for index in 0..outputs.len() {
        let value: Option<String> = row.try_get(index)?;
        cursor.push(value.unwrap_or_else(|| NULL_IN_CURSOR.to_owned()));
    }
    Ok(Some(KeysetCursor(cursor)))
}

/// One row, found by its key (as a page gave it), with every value whole.
pub async fn fetch_row(instance: &Instance, table: &TableRef, key: &KeysetCursor) -> CoreResult<RowDetail> {
    let (kind, columns) = describe_relation(instance, table).await?;
    let keyset = keyset_for(kind, &columns);
    if keyset.parts.is_empty() || key.0.len() != keyset.parts.len() {
        return Err(CoreError::InvalidInput(format!(
            "{table} has no key to find a single row by."
        )));
    }
    let mut select = select_list(&columns, true);
    if keyset.versioned {
        select.push(format!("{RELATION_ALIAS}.xmin::text AS v"));
    }
    let sql = format!(
        "SELECT {} FROM {} AS {RELATION_ALIAS} WHERE {} LIMIT 1",
        select.join(", "),
        quote_table(table),
        key_condition(&keyset, 1)
    );
    let mut query = sqlx::query(&sql);
    for value in &key.0 {
        query = query.bind(value);
    }
    let (mut reading, acting) = instance.begin_data().await?;
    let found = query.fetch_optional(&mut *reading).await;
    reading.rollback().await?;
    let found = found.map_err(|error| explained(acting.as_deref(), error))?;
    let row = found.ok_or_else(|| {
        CoreError::NotFound(format!(
            "That row of {table} is gone: it was deleted or its key changed."
        ))
    })?;
    Ok(RowDetail {
        table: table.clone(),
        values: decode_cells(&row, &columns, true)?,
        version: if keyset.versioned {
            row.try_get(columns.len())?
        } else {
            None
        },
        columns: column_infos(columns),
    })
}

/// "Is the row with this key", its values bound from `$first_param` on.
pub(crate) fn key_condition(keyset: &Keyset, first_param: usize) -> String {
    keyset
        .parts
        .iter()
        .enumerate()
        .map(|(index, (expr, sql_type))| {
            format!(
                "{RELATION_ALIAS}.{expr} = ${}::text::{sql_type}",
                first_param + index
            )
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The first `columns.len()` outputs of a row, decoded into cells.
pub(crate) fn decode_cells(row: &PgRow, columns: &[Column], full_values: bool) -> CoreResult<Vec<Cell>> {
    columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let text: Option<String> = row.try_get(index)?;
            Ok(decode_cell(&column.base_type, text, full_values))
        })
        .collect()
}

/// The columns as the UI and the CLI see them.
pub(crate) fn column_infos(columns: Vec<Column>) -> Vec<ColumnInfo> {
    columns
        .into_iter()
        .map(|column| ColumnInfo {
            name: column.name,
            data_type: column.data_type,
            primary_key_position: column.primary_key_position.and_then(|p| u16::try_from(p).ok()),
            editing: column.editing,
        })
        .collect()
}

/// Every column as text (`c0`, `c1`, ...), previews unless `full_values`.
pub(crate) fn select_list(columns: &[Column], full_values: bool) -> Vec<String> {
    columns
        .iter()
        .enumerate()
        .map(|(index, column)| format!("{} AS c{index}", preview_expression(column, full_values)))
        .collect()
}

/// The exact number of rows of a table or view: `count(*)`, on request only
/// (it reads the whole table), in a read-only transaction under the
/// profile's statement timeout.
pub async fn exact_count(instance: &Instance, table: &TableRef) -> CoreResult<i64> {
    exact_count_as_run(instance, table, None).await
}

/// [`exact_count`], registered as run `run_id` so that it can be cancelled
/// (`RunningQueries::cancel`) while it reads.
pub async fn exact_count_as_run(
    instance: &Instance,
    table: &TableRef,
    running: Option<(&RunningQueries, &str)>,
) -> CoreResult<i64> {
    // Refuses an unknown relation with the explorer's own message.
    describe_relation(instance, table).await?;
    let (mut transaction, acting) = instance.begin_data().await?;
    sqlx::query("SET TRANSACTION READ ONLY")
        .execute(&mut *transaction)
        .await?;
    let backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *transaction)
        .await?;
    let _running =
        running.map(|(queries, run_id)| queries.start(run_id, instance.control_pool_handle(), backend));
    let cancelled = || running.is_some_and(|(queries, run_id)| queries.was_cancelled(run_id));
    if cancelled() {
        return Err(CoreError::Cancelled("Counting was cancelled.".to_owned()));
    }
    let count = sqlx::query_scalar(&format!("SELECT count(*) FROM {}", quote_table(table)))
        .fetch_one(&mut *transaction)
        .await;
    if cancelled() {
        return Err(CoreError::Cancelled("Counting was cancelled.".to_owned()));
    }
    let count: i64 = count.map_err(|error| explained(acting.as_deref(), error))?;
    transaction.rollback().await?;
    Ok(count)
}

pub(crate) async fn describe_relation(
    instance: &Instance,
    table: &TableRef,
) -> CoreResult<(RelationKind, Vec<Column>)> {
    let found: Vec<ColumnRow> = sqlx::query_as(RELATION_COLUMNS)
        .bind(&table.schema)
        .bind(&table.name)
        .fetch_all(instance.pool())
        .await?;
    let Some(first) = found.first() else {
        return Err(CoreError::NotFound(format!(
            "There is no table or view {} (or it has no columns).",
            table
        )));
    };
    let kind = crate::catalog::relation_kind(&first.0);
    let editable = matches!(kind, RelationKind::Table | RelationKind::PartitionedTable);
    let columns = found
        .into_iter()
        .map(
            |(
                _,
                name,
                data_type,
                base_type,
                primary_key_position,
                not_null,
                default,
                generated,
                category,
                max_length,
                enum_values,
                write_type,
            )| Column {
                write_type,
                editing: editable.then(|| ColumnEditing {
                    editor: editor_for(&base_type, &category),
                    nullable: !not_null,
                    default,
                    max_length: max_length.and_then(|n| u32::try_from(n).ok()),
                    enum_values,
                    generated,
                }),
                name,
                data_type,
                base_type,
                primary_key_position,
            },
        )
        .collect();
    Ok((kind, columns))
}

pub(crate) fn keyset_for(kind: RelationKind, columns: &[Column]) -> Keyset {
    let versioned = matches!(kind, RelationKind::Table | RelationKind::PartitionedTable);
    let mut key_columns: Vec<&Column> = columns
        .iter()
        .filter(|c| c.primary_key_position.is_some())
        .collect();
    key_columns.sort_by_key(|c| c.primary_key_position);
    if !key_columns.is_empty() {
        return Keyset {
            versioned,
            order: RowOrder::PrimaryKey,
            parts: key_columns
                .into_iter()
                .map(|c| (quote_ident(&c.name), c.data_type.clone()))
                .collect(),
        };
    }
    match kind {
        // Only plain tables and materialized views have one ctid per row.
        RelationKind::Table | RelationKind::MaterializedView => Keyset {
            versioned,
            order: RowOrder::PhysicalLocation,
            parts: vec![("ctid".to_owned(), "tid".to_owned())],
        },
        _ => Keyset {
            versioned: false,
            order: RowOrder::Unordered,
            parts: Vec::new(),
        },
    }
}

/// Alias of the relation in page queries.
pub(crate) const RELATION_ALIAS: &str = "src";

fn preview_expression(column: &Column, full_values: bool) -> String {
    let quoted = format!("{RELATION_ALIAS}.{}", quote_ident(&column.name));
    if full_values || is_short_scalar(&column.base_type) {
        format!("{quoted}::text")
    } else {
        format!("left({quoted}::text, {})", CELL_PREVIEW_CHARS + 1)
    }
}

fn is_short_scalar(base_type: &str) -> bool {
    matches!(
        base_type,
        "bool" | "int2" | "int4" | "int8" | "float4" | "float8" | "oid"
    )
}

/// Stands for NULL in a page cursor: PostgreSQL text can never hold a NUL.
const NULL_IN_CURSOR: &str = "\u{0}";

/// The sort keys, checked against the columns: (expression, SQL type, descending).
fn sort_columns(request: &RowsRequest, columns: &[Column]) -> CoreResult<Vec<(String, String, bool)>> {
    request
        .sort
        .iter()
        .map(|key| {
            let column = columns.iter().find(|c| c.name == key.column).ok_or_else(|| {
                CoreError::InvalidInput(format!("There is no column \"{}\" to sort by.", key.column))
            })?;
            Ok((
                format!("{RELATION_ALIAS}.{}", quote_ident(&column.name)),
                column.data_type.clone(),
                key.descending,
            ))
        })
        .collect()
}

/// "Comes after the cursor" for a sort followed by the key, NULL-aware:
/// ascending puts NULLs last and descending first, as PostgreSQL does.
/// Returns the condition and the number of parameters it used.
fn after_condition(
    sort: &[(String, String, bool)],
    keys: &[(String, String)],
    cursor: &[String],
    first_param: usize,
    keys_descending: bool,
) -> (String, usize) {
    let mut next = first_param;
    let mut parts: Vec<(String, Option<String>, bool)> = Vec::new();
    for (index, (expr, sql_type, descending)) in sort.iter().enumerate() {
        let value = (cursor[index] != NULL_IN_CURSOR).then(|| {
            let param = format!("${next}::text::{sql_type}");
            next += 1;
            param
        });
        parts.push((expr.clone(), value, *descending));
    }
    for (expr, sql_type) in keys {
        let param = format!("${next}::text::{sql_type}");
        next += 1;
        parts.push((expr.clone(), Some(param), keys_descending));
    }
    let mut alternatives = Vec::new();
    for (position, (expr, value, descending)) in parts.iter().enumerate() {
        let beyond = match (value, descending) {
            (Some(value), false) => Some(format!("({expr} > {value} OR {expr} IS NULL)")),
            (None, false) => None,
            (Some(value), true) => Some(format!("{expr} < {value}")),
            (None, true) => Some(format!("{expr} IS NOT NULL")),
        };
        let Some(beyond) = beyond else { continue };
        let mut all = parts[..position]
            .iter()
            .map(|(expr, value, _)| match value {
                Some(value) => format!("{expr} = {value}"),
                None => format!("{expr} IS NULL"),
            })
            .collect::<Vec<_>>();
        all.push(beyond);
        alternatives.push(format!("({})", all.join(" AND ")));
    }
    if alternatives.is_empty() {
        ("false".to_owned(), next - first_param)
    } else {
        (format!("({})", alternatives.join(" OR ")), next - first_param)
    }
}

/// A bound parameter of a filter: one text value, or a list (for `in`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Param {
    Text(String),
    List(Vec<String>),
}

/// Binds a filter's parameters, in order, after those already bound.
fn bind_params<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    params: Vec<Param>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for param in params {
        query = match param {
            Param::Text(text) => query.bind(text),
            Param::List(list) => query.bind(list),
        };
    }
    query
}

/// Escapes `%`, `_` and `\` so user text matches literally inside ILIKE.
pub(crate) fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Types whose text a quick search looks into.
fn is_searchable(base_type: &str) -> bool {
    matches!(
        base_type,
        "text" | "varchar" | "bpchar" | "citext" | "name" | "uuid"
    )
}

/// The WHERE part of a filter, with parameters numbered from `first_param`.
/// User text only ever becomes a bound parameter; names only ever appear
/// through `quote_ident`, and types only as the catalog spelled them.
fn filter_sql(
    filter: &RowFilter,
    columns: &[Column],
    first_param: usize,
) -> CoreResult<(Option<String>, Vec<Param>)> {
    let mut params = Vec::new();
    let mut next = first_param;
    let mut param = |value: Param| {
        params.push(value);
        let placeholder = format!("${next}");
        next += 1;
        placeholder
    };
    let mut conditions = Vec::new();
    for condition in &filter.conditions {
        let column = columns
            .iter()
            .find(|c| c.name == condition.column)
            .ok_or_else(|| {
                CoreError::InvalidInput(format!(
                    "There is no column \"{}\" to filter on.",
                    condition.column
                ))
            })?;
        let target = format!("{RELATION_ALIAS}.{}", quote_ident(&column.name));
        let sql_type = &column.data_type;
        let one = || -> CoreResult<String> {
            match condition.values.as_slice() {
                [value] => Ok(value.clone()),
                _ => Err(CoreError::InvalidInput(format!(
                    "The {} filter on \"{}\" takes exactly one value.",
                    condition.op.as_str(),
                    column.name
                ))),
            }
        };
        let sql = match condition.op {
            FilterOp::Eq | FilterOp::Ne | FilterOp::Lt | FilterOp::Le | FilterOp::Gt | FilterOp::Ge => {
                let operator = match condition.op {
                    FilterOp::Eq => "=",
                    FilterOp::Ne => "<>",
                    FilterOp::Lt => "<",
                    FilterOp::Le => "<=",
                    FilterOp::Gt => ">",
                    _ => ">=",
                };
                format!(
                    "{target} {operator} {}::text::{sql_type}",
                    param(Param::Text(one()?))
                )
            }
            FilterOp::Contains => format!(
                "{target}::text ILIKE '%' || {} || '%'",
                param(Param::Text(like_literal(&one()?)))
            ),
            FilterOp::StartsWith => format!(
                "{target}::text ILIKE {} || '%'",
                param(Param::Text(like_literal(&one()?)))
            ),
            FilterOp::IsNull => format!("{target} IS NULL"),
            FilterOp::IsNotNull => format!("{target} IS NOT NULL"),
            FilterOp::In => {
                if condition.values.is_empty() {
                    return Err(CoreError::InvalidInput(format!(
                        "The in filter on \"{}\" needs at least one value.",
                        column.name
                    )));
                }
                format!(
                    "{target} = ANY({}::text[]::{sql_type}[])",
                    param(Param::List(condition.values.clone()))
                )
            }
            FilterOp::JsonPath => {
                format!(
                    "jsonb_path_exists({target}::jsonb, {}::text::jsonpath)",
                    param(Param::Text(one()?))
                )
            }
        };
        conditions.push(sql);
    }
    let mut parts = Vec::new();
    if !conditions.is_empty() {
        let joiner = match filter.join {
            Join::All => " AND ",
            Join::Any => " OR ",
        };
        parts.push(format!("({})", conditions.join(joiner)));
    }
    if let Some(term) = filter.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let searched: Vec<&Column> = columns.iter().filter(|c| is_searchable(&c.base_type)).collect();
        if searched.is_empty() {
            return Err(CoreError::InvalidInput(
                "This table has no text columns to search.".into(),
            ));
        }
        let placeholder = param(Param::Text(format!("%{}%", like_literal(term))));
        let any: Vec<String> = searched
            .iter()
            .map(|c| {
                format!(
                    "{RELATION_ALIAS}.{}::text ILIKE {placeholder}",
                    quote_ident(&c.name)
                )
            })
            .collect();
        parts.push(format!("({})", any.join(" OR ")));
    }
    Ok(((!parts.is_empty()).then(|| parts.join(" AND ")), params))
}

fn page_sql(
    request: &RowsRequest,
    columns: &[Column],
    keyset: &Keyset,
    sort: &[(String, String, bool)],
    cursor: Option<&KeysetCursor>,
    backward: bool,
) -> CoreResult<(String, Vec<Param>)> {
    // Read backwards by flipping every direction (NULLs flip with them), then
    // the caller reverses the rows.
    let flipped: Vec<(String, String, bool)> = sort
        .iter()
        .map(|(expr, sql_type, descending)| (expr.clone(), sql_type.clone(), *descending != backward))
        .collect();
    let sort = flipped.as_slice();
    // Outputs get positional aliases and inputs are qualified with the
    // relation alias: a bare ORDER BY "id" would otherwise bind to the
    // text-cast output column and sort 1, 10, 100, 2.
    let mut select = select_list(columns, request.full_values);
    select.extend(
        keyset
            .parts
            .iter()
            .enumerate()
            .map(|(index, (expr, _))| format!("{RELATION_ALIAS}.{expr}::text AS k{index}")),
    );
    select.extend(
        sort.iter()
            .enumerate()
            .map(|(index, (expr, _, _))| format!("{expr}::text AS s{index}")),
    );
    if keyset.versioned {
        select.push(format!("{RELATION_ALIAS}.xmin::text AS v"));
    }
    let mut sql = format!(
        "SELECT {} FROM {} AS {RELATION_ALIAS}",
        select.join(", "),
        quote_table(&request.table)
    );
    let keys: Vec<String> = keyset
        .parts
        .iter()
        .map(|(expr, _)| format!("{RELATION_ALIAS}.{expr}"))
        .collect();
    let mut next_param = 1;
    let mut conditions = Vec::new();
    match cursor {
        Some(after) if !sort.is_empty() => {
            let qualified: Vec<(String, String)> = keyset
                .parts
                .iter()
                .map(|(expr, sql_type)| (format!("{RELATION_ALIAS}.{expr}"), sql_type.clone()))
                .collect();
            let (condition, used) = after_condition(sort, &qualified, &after.0, next_param, backward);
            next_param += used;
            conditions.push(condition);
        }
        Some(_) => {
            let params: Vec<String> = keyset
                .parts
                .iter()
                .map(|(_, sql_type)| {
                    let param = format!("${next_param}::text::{sql_type}");
                    next_param += 1;
                    param
                })
                .collect();
            let comparison = if backward { "<" } else { ">" };
            conditions.push(format!(
                "({}) {comparison} ({})",
                keys.join(", "),
                params.join(", ")
            ));
        }
        None => {}
    }
    let (filter, params) = filter_sql(&request.filter, columns, next_param)?;
    next_param += params.len();
    conditions.extend(filter);
    if !conditions.is_empty() {
        sql.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
    }
    let mut order: Vec<String> = sort
        .iter()
        .map(|(expr, _, descending)| format!("{expr}{}", if *descending { " DESC" } else { "" }))
        .collect();
    order.extend(
        keys.into_iter()
            .map(|key| if backward { format!("{key} DESC") } else { key }),
    );
    if !order.is_empty() {
        sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    sql.push_str(&format!(" LIMIT ${next_param}"));
    Ok((sql, params))
}

/// Every row of a relation's view (filter and sort, then key order) as one
/// query: `SELECT src.* ...` with its filter values as parameters from `$1`.
/// Exports stream it; it has no LIMIT and no cursor.
pub(crate) async fn view_query(
    instance: &Instance,
    table: &TableRef,
    filter: &RowFilter,
    sort: &[fluxdesk_types::SortKey],
) -> CoreResult<(String, Vec<Param>)> {
    let (kind, columns) = describe_relation(instance, table).await?;
    let keyset = keyset_for(kind, &columns);
    let request = RowsRequest {
        before: None,
        position: None,
        table: table.clone(),
        limit: 1,
        after: None,
        full_values: true,
        filter: filter.clone(),
        sort: sort.to_vec(),
    };
    let sort = sort_columns(&request, &columns)?;
    let mut sql = format!(
        "SELECT {RELATION_ALIAS}.* FROM {} AS {RELATION_ALIAS}",
        quote_table(table)
    );
    let (condition, params) = filter_sql(filter, &columns, 1)?;
    if let Some(condition) = condition {
        sql.push_str(&format!(" WHERE {condition}"));
    }
    let order = view_order(&sort, &keyset);
    if !order.is_empty() {
        sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    Ok((sql, params))
}

/// Turns a value's text form into the cell the grid shows.
pub(crate) fn decode_cell(base_type: &str, text: Option<String>, full_values: bool) -> Cell {
    let Some(text) = text else {
        return Cell::Null;
    };
    match base_type {
        // bool::text gives true/false; the bool output function gives t/f.
        "bool" => match text.as_str() {
            "true" | "t" => Cell::Bool(true),
            "false" | "f" => Cell::Bool(false),
            _ => Cell::Text(text),
        },
        "int2" | "int4" | "int8" | "oid" => match text.parse::<i64>() {
            Ok(value) if (-MAX_EXACT_JS_INTEGER..=MAX_EXACT_JS_INTEGER).contains(&value) => Cell::Int(value),
            _ => Cell::Text(text),
        },
        "float4" | "float8" => match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Cell::Float(value),
            _ => Cell::Text(text),
        },
        _ if full_values => Cell::Text(text),
        _ => {
            let mut chars = text.char_indices();
            match chars.nth(CELL_PREVIEW_CHARS) {
                Some((cut, _)) => Cell::Truncated {
                    prefix: text[..cut].to_owned(),
                },
                None => Cell::Text(text),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::TableRef;

    #[test]
    fn decodes_scalars_and_keeps_big_integers_exact() {
        assert_eq!(decode_cell("bool", Some("t".into()), false), Cell::Bool(true));
        assert_eq!(
            decode_cell("bool", Some("false".into()), false),
            Cell::Bool(false)
        );
        assert_eq!(decode_cell("int4", Some("-12".into()), false), Cell::Int(-12));
        assert_eq!(
            decode_cell("int8", Some("9223372036854775807".into()), false),
            Cell::Text("9223372036854775807".into()),
            "beyond 2^53 a JS number would round it"
        );
        assert_eq!(
            decode_cell("float8", Some("NaN".into()), false),
            Cell::Text("NaN".into())
        );
        assert_eq!(decode_cell("float8", Some("2.5".into()), false), Cell::Float(2.5));
        assert_eq!(decode_cell("text", None, false), Cell::Null);
    }

    #[test]
    fn long_values_are_cut_at_a_character_boundary() {
        let long = "é".repeat(CELL_PREVIEW_CHARS + 1);
        match decode_cell("text", Some(long.clone()), false) {
            Cell::Truncated { prefix } => assert_eq!(prefix.chars().count(), CELL_PREVIEW_CHARS),
            other => panic!("expected a truncated cell, got {other:?}"),
        }
        let exact = "x".repeat(CELL_PREVIEW_CHARS);
        assert_eq!(decode_cell("text", Some(exact.clone()), false), Cell::Text(exact));
        assert_eq!(
            decode_cell("text", Some(long.clone()), true),
            Cell::Text(long),
            "full values are never cut"
        );
    }

    #[test]
    fn page_sql_uses_keyset_and_quoted_names() {
        let columns = vec![
            Column {
                name: "Id".into(),
                data_type: "bigint".into(),
                base_type: "int8".into(),
                write_type: "bigint".into(),
                primary_key_position: Some(1),
                editing: None,
            },
            Column {
                name: "we\"ird".into(),
                data_type: "text".into(),
                base_type: "text".into(),
                write_type: "text".into(),
                primary_key_position: None,
                editing: None,
            },
        ];
        let keyset = keyset_for(RelationKind::Table, &columns);
        let request = RowsRequest {
            before: None,
            position: None,
            sort: Vec::new(),
            filter: Default::default(),
            table: TableRef::new("my schema", "t"),
            limit: 10,
            after: Some(KeysetCursor(vec!["5".into()])),
            full_values: false,
        };
        assert_eq!(
            page_sql(&request, &columns, &keyset, &[], request.after.as_ref(), false)
                .unwrap()
                .0,
            "SELECT src.\"Id\"::text AS c0, left(src.\"we\"\"ird\"::text, 501) AS c1, src.\"Id\"::text AS k0, \
             src.xmin::text AS v FROM \"my schema\".\"t\" AS src WHERE (src.\"Id\") > ($1::text::bigint) \
             ORDER BY src.\"Id\" LIMIT $2"
        );
        // Backwards: the comparison and the order flip.
        assert_eq!(
            page_sql(&request, &columns, &keyset, &[], request.after.as_ref(), true)
                .unwrap()
                .0
                .split(" FROM ")
                .nth(1),
            Some(
                "\"my schema\".\"t\" AS src WHERE (src.\"Id\") < ($1::text::bigint) ORDER BY src.\"Id\" DESC LIMIT $2"
            )
        );
    }
}

#[cfg(test)]
mod filter_properties {
    use super::*;
    use fluxdesk_types::Condition;
    use proptest::prelude::*;

    /// The SQL with every double-quoted identifier taken out.
    fn without_identifiers(sql: &str) -> String {
        let mut out = String::new();
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '"' {
                out.push(c);
                continue;
            }
            out.push_str("<id>");
            while let Some(inner) = chars.next() {
                if inner == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                    } else {
                        break;
                    }
                }
            }
        }
        out
    }

    fn columns(names: &[String]) -> Vec<Column> {
        let types = [
            ("text", "text"),
            ("bigint", "int8"),
            ("jsonb", "jsonb"),
            ("uuid", "uuid"),
        ];
        names
            .iter()
            .enumerate()
            .map(|(index, name)| Column {
                name: name.clone(),
                data_type: types[index % types.len()].0.to_owned(),
                base_type: types[index % types.len()].1.to_owned(),
                write_type: types[index % types.len()].0.to_owned(),
                primary_key_position: None,
                editing: None,
            })
            .collect()
    }

    fn filter(
        conditions: &[(usize, usize, Vec<String>)],
        names: &[String],
        any: bool,
        search: &Option<String>,
    ) -> RowFilter {
        RowFilter {
            conditions: conditions
                .iter()
                .map(|(column, op, values)| Condition {
                    column: names[column % names.len()].clone(),
                    op: FilterOp::ALL[op % FilterOp::ALL.len()],
                    values: values.clone(),
                })
                .collect(),
            join: if any { Join::Any } else { Join::All },
            search: search.clone(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the names and values, values only reach the server as
        /// parameters and names only inside quoted identifiers.
        #[test]
        fn user_text_never_leaves_parameters_or_quoted_identifiers(
            names in proptest::collection::hash_set(any::<String>(), 1..5),
            conditions in proptest::collection::vec((0usize..8, 0usize..12, proptest::collection::vec(any::<String>(), 0..3)), 0..5),
            other_values in proptest::collection::vec(any::<String>(), 0..3),
            any_join in any::<bool>(),
            search in proptest::option::of(any::<String>()),
        ) {
            let names: Vec<String> = names.into_iter().collect();
            let placeholders: Vec<String> = (0..names.len()).map(|i| format!("c{i}")).collect();
            let real = filter(&conditions, &names, any_join, &search);
            let Ok((sql, params)) = filter_sql(&real, &columns(&names), 1) else {
                return Ok(());
            };
            // Same shape with other values: the text does not depend on them.
            let swapped: Vec<(usize, usize, Vec<String>)> = conditions
                .iter()
                .map(|(c, o, values)| (*c, *o, values.iter().enumerate().map(|(i, _)| other_values.get(i).cloned().unwrap_or_default()).collect()))
                .collect();
            // (Blank searches are no search; keep them blank.)
            let other_search = search
                .as_ref()
                .map(|term| if term.trim().is_empty() { term.clone() } else { "x".to_owned() });
            let (swapped_sql, _) = filter_sql(&filter(&swapped, &names, any_join, &other_search), &columns(&names), 1)
                .expect("the same shape builds");
            prop_assert_eq!(&sql, &swapped_sql);
            // Same text with plain names, once identifiers are taken out.
            let (plain_sql, _) = filter_sql(&filter(&conditions, &placeholders, any_join, &search), &columns(&placeholders), 1)
                .expect("the same shape builds");
            prop_assert_eq!(without_identifiers(sql.as_deref().unwrap_or("")), without_identifiers(plain_sql.as_deref().unwrap_or("")));
            // Every placeholder is numbered, and there is one per parameter.
            let bare = without_identifiers(sql.as_deref().unwrap_or(""));
            let used = (1..=params.len()).all(|n| bare.contains(&format!("${n}")));
            prop_assert!(used);
            let beyond = format!("${}", params.len() + 1);
            let over = bare.contains(&beyond);
            prop_assert!(!over, "a placeholder without a parameter");
        }
    }

    #[test]
    fn like_wildcards_in_user_text_match_literally() {
        assert_eq!(like_literal(r"50%_off\"), r"50\%\_off\\");
    }
}
