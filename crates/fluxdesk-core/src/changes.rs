//! Staged row changes: planned into SQL once, shown for review exactly as
//! planned, and applied together in one transaction.
//!
//! - Values are bound parameters cast by the server (`$n::text::type`), so
//!   the server, not Fluxdesk, decides what is a valid value of each type.
//! - Optimistic concurrency: each updated or deleted row is locked and its
//!   version (`xmin`) compared with the one it was read at. Any difference
//!   is a conflict; nothing is applied and the current row is returned.
//! - A constraint or data error names the change (and, where it can be found,
//!   the column) it came from; nothing is applied.
//! - Each applied change is audited with the table, the key, and the row
//!   before and after (credential-like columns redacted).

use crate::audit::{self, AuditContext, AuditEvent, Outcome};
use crate::error::{CoreError, CoreResult};
use crate::ident::{quote_ident, quote_table};
use crate::impersonation::ImpersonatedWrite;
use crate::instance::Instance;
use crate::rows::{
    Column, Keyset, RELATION_ALIAS, column_infos, decode_cells, describe_relation, key_condition, keyset_for,
    select_list,
};
use crate::statement::{PENDING_WRITE_TTL, PendingWrites, is_credential_name, table_changes};
use fluxdesk_types::{
    CellValue, ChangeOutcome, ChangeSet, Conflict, KeysetCursor, PendingWrite, Protection, RowChange,
    TableRef,
};
use serde_json::Value;
use sqlx::postgres::PgDatabaseError;
use sqlx::{Executor, Row};

/// Most changes one commit may hold.
pub const MAX_CHANGES: usize = 10_000;

/// One statement of a change set, with the values it binds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Planned {
    /// Index of its change in the set.
    change: usize,
    /// `insert`, `update` or `delete`: the audit action's last word.
    action: &'static str,
    sql: String,
    params: Vec<Option<String>>,
    /// For updates and deletes: the key and the version the row was read at.
    expects: Option<(KeysetCursor, String)>,
}

/// The SQL a change set runs, one statement per change, with the values
/// written in as literals so a person can read it.
pub async fn review(instance: &Instance, changes: &ChangeSet) -> CoreResult<Vec<String>> {
    let (columns, keyset) = editable_table(instance, &changes.table).await?;
    Ok(plan(&changes.table, &columns, &keyset, changes)?
        .iter()
        .map(readable_sql)
        .collect())
}

/// Applies a change set in one transaction under `protection`. While an
/// impersonation is in force it runs as that identity and is rolled back (a
/// dry run) unless `impersonated.commit`, which the caller grants only
/// after an explicit confirmation and a step-up.
pub async fn apply(
    instance: &Instance,
    instance_id: &str,
    protection: Protection,
    changes: &ChangeSet,
    pending: &PendingWrites,
    audit: Option<&AuditContext>,
    impersonated: ImpersonatedWrite,
) -> CoreResult<ChangeOutcome> {
    if pending.holds_instance(instance_id) {
        return Err(CoreError::InvalidInput(
            "A write is waiting for confirmation on this instance; commit or roll it back first.".to_owned(),
        ));
    }
    let (columns, keyset) = editable_table(instance, &changes.table).await?;
    let planned = plan(&changes.table, &columns, &keyset, changes)?;

    let (mut transaction, acting) = instance.begin_data().await?;
    impersonated.check(acting.as_deref())?;
    let explained = |error: sqlx::Error| crate::impersonation::explained(acting.as_deref(), error);
    if protection == Protection::ReadOnly {
        // The server refuses the first write (or row lock): read-only is its rule, not ours.
        transaction.execute("SET TRANSACTION READ ONLY").await?;
    }

    // Lock every row about to change and compare versions before anything runs.
    let lock_sql = format!(
        "SELECT {}, {RELATION_ALIAS}.xmin::text, to_jsonb({RELATION_ALIAS})::text FROM {} AS {RELATION_ALIAS} WHERE {} FOR UPDATE",
        select_list(&columns, true).join(", "),
        quote_table(&changes.table),
        key_condition(&keyset, 1)
    );
    let mut before = vec![None; changes.changes.len()];
    let mut conflicts = Vec::new();
    for step in &planned {
        let Some((key, version)) = &step.expects else {
            continue;
        };
        let mut query = sqlx::query(&lock_sql);
        for value in &key.0 {
            query = query.bind(value);
        }
        let row = match (query.fetch_optional(&mut *transaction).await, &acting) {
            (Ok(row), _) => row,
            (Err(error), Some(acting))
                if error.as_database_error().and_then(|e| e.code()).as_deref() == Some("42501") =>
            {
                // Locking needs UPDATE: the identity's refusal, for that change.
                transaction.rollback().await?;
                return Ok(ChangeOutcome::Rejected {
                    change: step.change,
                    column: None,
                    message: acting.explain(error.into()).to_string(),
                });
            }
            (Err(error), _) => return Err(explained(error)),
        };
        if let (None, Some(acting)) = (&row, &acting) {
            // RLS hides the row from the identity: it could not change it either.
            transaction.rollback().await?;
            return Ok(ChangeOutcome::Rejected {
                change: step.change,
                column: None,
                message: format!(
                    "{} cannot see this row (no USING expression of the table's policies lets it), so it cannot change or delete it either.",
                    acting.who()
                ),
            });
        }
        match row {
            None => conflicts.push(Conflict {
                change: step.change,
                theirs: None,
                version: None,
            }),
            Some(row) => {
                let current: String = row.try_get(columns.len())?;
                if &current != version {
                    conflicts.push(Conflict {
                        change: step.change,
                        theirs: Some(decode_cells(&row, &columns, true)?),
                        version: Some(current),
                    });
                } else {
                    before[step.change] = Some(row.try_get::<String, _>(columns.len() + 1)?);
                }
            }
        }
    }
    if !conflicts.is_empty() {
        transaction.rollback().await?;
        return Ok(ChangeOutcome::Conflicts {
            conflicts,
            columns: column_infos(columns),
        });
    }

    let mut affected = 0_u64;
    let mut events = Vec::with_capacity(planned.len());
    for step in &planned {
        let mut query = sqlx::query(&step.sql);
        for param in &step.params {
            query = query.bind(param);
        }
        let after: Option<String> = match query.fetch_optional(&mut *transaction).await {
            Ok(row) => match row {
                Some(row) => row.try_get(0)?,
                None => {
                    // The copied row is gone (locked rows cannot vanish).
                    transaction.rollback().await?;
                    return Ok(ChangeOutcome::Conflicts {
                        conflicts: vec![Conflict {
                            change: step.change,
                            theirs: None,
                            version: None,
                        }],
                        columns: column_infos(columns),
                    });
                }
            },
            Err(error) => {
                transaction.rollback().await?;
                if let Some(acting) = &acting
                    && error.as_database_error().and_then(|e| e.code()).as_deref() == Some("42501")
                {
                    // RLS WITH CHECK or a missing grant: the identity's refusal, for that change.
                    return Ok(ChangeOutcome::Rejected {
                        change: step.change,
                        column: None,
                        message: acting.explain(error.into()).to_string(),
                    });
                }
                return rejection(instance, &changes.table, &columns, changes, step.change, error).await;
            }
        };
        affected += 1;
        events.push(change_event(
            &changes.table,
            step,
            &changes.changes[step.change],
            before[step.change].as_deref(),
            after.as_deref(),
            protection == Protection::ConfirmWrites,
        ));
    }

    if let Some(acting) = &acting {
        // Deferred constraints and triggers answer too, as the identity.
        if let Err(error) = transaction.execute("SET CONSTRAINTS ALL IMMEDIATE").await {
            transaction.rollback().await?;
            return Err(explained(error));
        }
        if !impersonated.commit {
            transaction.rollback().await?;
            return Ok(ChangeOutcome::DryRun { affected });
        }
        // Confirmed as the identity: the audit trail is written as the login
        // role, in the same transaction, each event naming the impersonation.
        crate::impersonation::leave_before_commit(&mut transaction).await?;
        for event in &mut events {
            event.details["impersonation"] = acting.audit_tag();
        }
        if let Some(context) = audit {
            for event in &events {
                audit::append(&mut transaction, context, event).await?;
            }
        }
        transaction.commit().await?;
        return Ok(ChangeOutcome::Committed { affected });
    }
    if protection == Protection::ConfirmWrites {
        let summary = PendingWrite {
            id: uuid::Uuid::new_v4().to_string(),
            sql: planned.iter().map(readable_sql).collect::<Vec<_>>().join(";\n") + ";",
            rows_affected: affected,
            changes: table_changes(&mut transaction).await?,
            expires_in_secs: PENDING_WRITE_TTL.as_secs(),
        };
        pending.hold_transaction(
            instance_id,
            transaction,
            summary.clone(),
            audit.map(|context| (context, events)),
        );
        return Ok(ChangeOutcome::AwaitingConfirmation { pending: summary });
    }
    if let Some(context) = audit {
        for event in &events {
            audit::append(&mut transaction, context, event).await?;
        }
    }
    transaction.commit().await?;
    tracing::info!(table = %changes.table, rows = affected, "staged changes committed");
    Ok(ChangeOutcome::Committed { affected })
}

/// The table's columns and key, refusing relations that cannot be edited.
async fn editable_table(instance: &Instance, table: &TableRef) -> CoreResult<(Vec<Column>, Keyset)> {
    let (kind, columns) = describe_relation(instance, table).await?;
    let keyset = keyset_for(kind, &columns);
    if !keyset.versioned || keyset.parts.is_empty() {
        return Err(CoreError::InvalidInput(format!(
            "{table} is not a table, so its rows cannot be edited here; use the SQL tab."
        )));
    }
    Ok((columns, keyset))
}

/// Turns each change into its statement, checking names, keys and values' shape.
fn plan(
    table: &TableRef,
    columns: &[Column],
    keyset: &Keyset,
    changes: &ChangeSet,
) -> CoreResult<Vec<Planned>> {
    if changes.changes.is_empty() {
        return Err(CoreError::InvalidInput(
            "There are no changes to apply.".to_owned(),
        ));
    }
    if changes.changes.len() > MAX_CHANGES {
        return Err(CoreError::InvalidInput(format!(
            "One commit holds at most {MAX_CHANGES} changes; {} were staged.",
            changes.changes.len()
        )));
    }
    let target = quote_table(table);
    let check_key = |key: &KeysetCursor| -> CoreResult<()> {
        if key.0.len() == keyset.parts.len() {
            Ok(())
        } else {
            Err(CoreError::InvalidInput(format!(
                "A row key of {table} has {} values, but its key has {}.",
                key.0.len(),
                keyset.parts.len()
            )))
        }
    };
    // A row is edited or deleted once per commit: each is checked against the
    // version it was read at, which its own earlier change would move on.
    let mut touched = std::collections::HashSet::new();
    for change in &changes.changes {
        if let RowChange::Update { key, .. } | RowChange::Delete { key, .. } = change
            && !touched.insert(key)
        {
            return Err(CoreError::InvalidInput(format!(
                "The row with key ({}) is both edited and deleted, or edited twice; stage one change per row.",
                key.0.join(", ")
            )));
        }
    }
    let mut planned = Vec::with_capacity(changes.changes.len());
    for (index, change) in changes.changes.iter().enumerate() {
        let step = match change {
            RowChange::Update { key, version, values } => {
                check_key(key)?;
                if values.is_empty() {
                    return Err(CoreError::InvalidInput(
                        "An update must set at least one column.".to_owned(),
                    ));
                }
                let mut params: Vec<Option<String>> = key.0.iter().cloned().map(Some).collect();
                let assignments = values
                    .iter()
                    .map(|value| {
                        let column = writable(columns, table, value)?;
                        params.push(value.value.clone());
                        Ok(format!(
                            "{} = ${}::text::{}",
                            quote_ident(&column.name),
                            params.len(),
                            column.write_type
                        ))
                    })
                    .collect::<CoreResult<Vec<_>>>()?;
                params.push(Some(version.clone()));
                Planned {
                    change: index,
                    action: "update",
                    sql: format!(
                        "UPDATE {target} AS {RELATION_ALIAS} SET {} WHERE {} AND {RELATION_ALIAS}.xmin = ${}::text::xid RETURNING to_jsonb({RELATION_ALIAS})::text",
                        assignments.join(", "),
                        key_condition(keyset, 1),
                        params.len()
                    ),
                    params,
                    expects: Some((key.clone(), version.clone())),
                }
            }
            RowChange::Delete { key, version } => {
                check_key(key)?;
                let mut params: Vec<Option<String>> = key.0.iter().cloned().map(Some).collect();
                params.push(Some(version.clone()));
                Planned {
                    change: index,
                    action: "delete",
                    sql: format!(
                        "DELETE FROM {target} AS {RELATION_ALIAS} WHERE {} AND {RELATION_ALIAS}.xmin = ${}::text::xid RETURNING NULL::text",
                        key_condition(keyset, 1),
                        params.len()
                    ),
                    params,
                    expects: Some((key.clone(), version.clone())),
                }
            }
            RowChange::Insert { values } => {
                let mut names = Vec::with_capacity(values.len());
                let mut placeholders = Vec::with_capacity(values.len());
                let mut params = Vec::with_capacity(values.len());
                for value in values {
                    let column = writable(columns, table, value)?;
                    if names.contains(&quote_ident(&column.name)) {
                        return Err(CoreError::InvalidInput(format!(
                            "A new row sets \"{}\" twice.",
                            column.name
                        )));
                    }
                    params.push(value.value.clone());
                    names.push(quote_ident(&column.name));
                    placeholders.push(format!("${}::text::{}", params.len(), column.write_type));
                }
                let body = if names.is_empty() {
                    "DEFAULT VALUES".to_owned()
                } else {
                    format!("({}) VALUES ({})", names.join(", "), placeholders.join(", "))
                };
                Planned {
                    change: index,
                    action: "insert",
                    sql: format!(
                        "INSERT INTO {target} AS {RELATION_ALIAS} {body} RETURNING to_jsonb({RELATION_ALIAS})::text"
                    ),
                    params,
                    expects: None,
                }
            }
            RowChange::Duplicate { key } => {
                check_key(key)?;
                // A key the server fills in (serial, identity, default) gets a
                // fresh value; a key without one is copied, and the server
                // reports the duplicate key.
                let copied: Vec<String> = columns
                    .iter()
                    .filter(|c| {
                        let editing = c.editing.as_ref();
                        let generated = editing.is_some_and(|e| e.generated);
                        let filled_key =
                            c.primary_key_position.is_some() && editing.is_some_and(|e| e.default.is_some());
                        !generated && !filled_key
                    })
                    .map(|c| quote_ident(&c.name))
                    .collect();
                if copied.is_empty() {
                    return Err(CoreError::InvalidInput(format!(
                        "{table} has no columns that a copy could take."
                    )));
                }
                let list = copied.join(", ");
                let source: Vec<String> = copied.iter().map(|c| format!("{RELATION_ALIAS}.{c}")).collect();
                Planned {
                    change: index,
                    action: "insert",
                    sql: format!(
                        "INSERT INTO {target} AS copy ({list}) SELECT {} FROM {target} AS {RELATION_ALIAS} WHERE {} RETURNING to_jsonb(copy)::text",
                        source.join(", "),
                        key_condition(keyset, 1)
                    ),
                    params: key.0.iter().cloned().map(Some).collect(),
                    expects: None,
                }
            }
        };
        planned.push(step);
    }
    Ok(planned)
}

/// The column a value is written to, refusing unknown and generated ones.
fn writable<'a>(columns: &'a [Column], table: &TableRef, value: &CellValue) -> CoreResult<&'a Column> {
    let column = columns
        .iter()
        .find(|c| c.name == value.column)
        .ok_or_else(|| CoreError::InvalidInput(format!("{table} has no column \"{}\".", value.column)))?;
    if column.editing.as_ref().is_some_and(|e| e.generated) {
        return Err(CoreError::InvalidInput(format!(
            "\"{}\" is computed by the server and cannot be written.",
            column.name
        )));
    }
    Ok(column)
}

/// `sql` with each `$n` replaced by its value as an SQL literal.
fn readable_sql(step: &Planned) -> String {
    let literals: Vec<String> = step
        .params
        .iter()
        .map(|value| match value {
            Some(value) => format!("'{}'", value.replace('\'', "''")),
            None => "NULL".to_owned(),
        })
        .collect();
    crate::ident::inline_parameters(&step.sql, &literals)
}

/// The outcome for a statement the server refused: a constraint or data error
/// is a rejection naming the change (and column); anything else is an error.
async fn rejection(
    instance: &Instance,
    table: &TableRef,
    columns: &[Column],
    changes: &ChangeSet,
    change: usize,
    error: sqlx::Error,
) -> CoreResult<ChangeOutcome> {
    let Some(database) = error.as_database_error() else {
        return Err(error.into());
    };
    let code = database.code().map(|c| c.into_owned()).unwrap_or_default();
    // Class 23: integrity constraints; class 22: bad data (a value that is not of its type).
    if !(code.starts_with("23") || code.starts_with("22")) {
        return Err(error.into());
    }
    let postgres = database.try_downcast_ref::<PgDatabaseError>();
    let mut message = database.message().to_owned();
    if let Some(detail) = postgres.and_then(|e| e.detail()) {
        message = format!("{message}. {detail}");
    }
    let mut column = postgres.and_then(|e| e.column()).map(str::to_owned);
    if column.is_none()
        && let Some(constraint) = postgres.and_then(|e| e.constraint())
    {
        column = constraint_column(instance, table, constraint).await?;
    }
    if column.is_none() && code.starts_with("22") {
        column = unparsable_column(instance, columns, &changes.changes[change]).await;
    }
    Ok(ChangeOutcome::Rejected {
        change,
        column,
        message,
    })
}

/// The first column a constraint of `table` covers.
async fn constraint_column(
    instance: &Instance,
    table: &TableRef,
    constraint: &str,
) -> CoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT a.attname::text FROM pg_constraint co \
         JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1] \
         WHERE n.nspname = $1 AND c.relname = $2 AND co.conname = $3 LIMIT 1",
    )
    .bind(&table.schema)
    .bind(&table.name)
    .bind(constraint)
    .fetch_optional(instance.pool())
    .await?)
}

/// The first value of a change that its column's type refuses.
async fn unparsable_column(instance: &Instance, columns: &[Column], change: &RowChange) -> Option<String> {
    let values = match change {
        RowChange::Update { values, .. } | RowChange::Insert { values } => values,
        _ => return None,
    };
    for value in values {
        let column = columns.iter().find(|c| c.name == value.column)?;
        let limit = column.editing.as_ref().and_then(|e| e.max_length);
        let length = value.value.as_ref().map_or(0, |v| v.chars().count());
        if limit.is_some_and(|limit| length > limit as usize) {
            return Some(column.name.clone());
        }
        let cast = sqlx::query(&format!("SELECT $1::text::{}", column.write_type))
            .bind(&value.value)
            .execute(instance.pool())
            .await;
        if cast.is_err() {
            return Some(column.name.clone());
        }
    }
    None
}

/// The audit event of one applied change.
fn change_event(
    table: &TableRef,
    step: &Planned,
    change: &RowChange,
    before: Option<&str>,
    after: Option<&str>,
    confirmed: bool,
) -> AuditEvent {
    let key = match change {
        RowChange::Update { key, .. } | RowChange::Delete { key, .. } => Some(&key.0),
        _ => None,
    };
    let duplicated_from = match change {
        RowChange::Duplicate { key } => Some(&key.0),
        _ => None,
    };
    AuditEvent::new(
        chrono::Utc::now(),
        &format!("data.{}", step.action),
        Outcome::Success,
    )
    .target(table.to_string())
    .details(serde_json::json!({
        "table": table.to_string(),
        "key": key,
        "duplicated_from": duplicated_from,
        "before": before.map(redacted_row),
        "after": after.map(redacted_row),
        "confirmed": confirmed,
    }))
}

/// A row's JSON with credential-like columns (passwords, secrets, tokens)
/// replaced: the trail is append-only, so a secret written there stays forever.
fn redacted_row(json: &str) -> Value {
    let mut value: Value = serde_json::from_str(json).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut value {
        for (name, field) in fields.iter_mut() {
            if !field.is_null() && is_credential_name(name) {
                *field = Value::String("<redacted>".to_owned());
            }
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::{ColumnEditing, EditorKind};

    fn column(name: &str, data_type: &str, key: Option<i16>, default: Option<&str>) -> Column {
        Column {
            name: name.to_owned(),
            data_type: data_type.to_owned(),
            base_type: data_type.to_owned(),
            write_type: data_type.to_owned(),
            primary_key_position: key,
            editing: Some(ColumnEditing {
                editor: EditorKind::Other,
                nullable: key.is_none(),
                default: default.map(str::to_owned),
                max_length: None,
                enum_values: Vec::new(),
                generated: false,
            }),
        }
    }

    #[test]
    fn review_shows_each_statement_with_its_values_and_version_check() {
        let table = TableRef::new("public", "we\"ird table");
        let columns = vec![
            column("id", "bigint", Some(1), Some("nextval('s')")),
            column("Title", "text", None, None),
        ];
        let keyset = keyset_for(fluxdesk_types::RelationKind::Table, &columns);
        let changes = ChangeSet {
            table: table.clone(),
            changes: vec![
                RowChange::Update {
                    key: KeysetCursor(vec!["7".into()]),
                    version: "901".into(),
                    values: vec![CellValue {
                        column: "Title".into(),
                        value: Some("it's; DROP TABLE x".into()),
                    }],
                },
                RowChange::Insert {
                    values: vec![CellValue {
                        column: "Title".into(),
                        value: None,
                    }],
                },
                RowChange::Delete {
                    key: KeysetCursor(vec!["8".into()]),
                    version: "902".into(),
                },
                RowChange::Duplicate {
                    key: KeysetCursor(vec!["9".into()]),
                },
            ],
        };
        let planned = plan(&table, &columns, &keyset, &changes).unwrap();
        let sql: Vec<String> = planned.iter().map(readable_sql).collect();
        assert_eq!(
            sql,
            vec![
                "UPDATE \"public\".\"we\"\"ird table\" AS src SET \"Title\" = 'it''s; DROP TABLE x'::text::text WHERE src.\"id\" = '7'::text::bigint AND src.xmin = '901'::text::xid RETURNING to_jsonb(src)::text",
                "INSERT INTO \"public\".\"we\"\"ird table\" AS src (\"Title\") VALUES (NULL::text::text) RETURNING to_jsonb(src)::text",
                "DELETE FROM \"public\".\"we\"\"ird table\" AS src WHERE src.\"id\" = '8'::text::bigint AND src.xmin = '902'::text::xid RETURNING NULL::text",
                "INSERT INTO \"public\".\"we\"\"ird table\" AS copy (\"Title\") SELECT src.\"Title\" FROM \"public\".\"we\"\"ird table\" AS src WHERE src.\"id\" = '9'::text::bigint RETURNING to_jsonb(copy)::text",
            ]
        );
        // What runs binds the value; only the review writes it in.
        assert!(!planned[0].sql.contains("DROP"));
        assert_eq!(planned[0].params.len(), 3);
    }

    #[test]
    fn unknown_columns_and_empty_updates_are_refused() {
        let table = TableRef::new("public", "t");
        let columns = vec![column("id", "int", Some(1), None)];
        let keyset = keyset_for(fluxdesk_types::RelationKind::Table, &columns);
        let unknown = ChangeSet {
            table: table.clone(),
            changes: vec![RowChange::Insert {
                values: vec![CellValue {
                    column: "nope".into(),
                    value: None,
                }],
            }],
        };
        assert!(plan(&table, &columns, &keyset, &unknown).is_err());
        let empty = ChangeSet {
            table: table.clone(),
            changes: vec![RowChange::Update {
                key: KeysetCursor(vec!["1".into()]),
                version: "1".into(),
                values: Vec::new(),
            }],
        };
        assert!(plan(&table, &columns, &keyset, &empty).is_err());
        let twice = ChangeSet {
            table: table.clone(),
            changes: vec![
                RowChange::Update {
                    key: KeysetCursor(vec!["1".into()]),
                    version: "1".into(),
                    values: vec![CellValue {
                        column: "id".into(),
                        value: Some("2".into()),
                    }],
                },
                RowChange::Delete {
                    key: KeysetCursor(vec!["1".into()]),
                    version: "1".into(),
                },
            ],
        };
        let refused = plan(&table, &columns, &keyset, &twice).unwrap_err().to_string();
        assert!(refused.contains("one change per row"), "{refused}");
    }

    #[test]
    fn credential_columns_are_redacted_in_audited_rows() {
        let row = redacted_row(r#"{"email":"a@b.c","encrypted_password":"$2a$10$x","recovery_token":null}"#);
        assert_eq!(
            row,
            serde_json::json!({"email": "a@b.c", "encrypted_password": "<redacted>", "recovery_token": null})
        );
    }
}
