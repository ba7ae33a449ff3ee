//! Which tables publish their changes on `fluxbase_changes`: enabled the way
//! Fluxbase does it, and disabled by putting back exactly what was there.

use super::InstanceConfig;
use crate::audit::{self, AuditEvent, Outcome};
use crate::clock::rfc3339;
use crate::error::{CoreError, CoreResult};
use crate::ident::{quote_ident, quote_table};
use chrono::{DateTime, Utc};
use fluxdesk_types::{REALTIME_EVENTS, RealtimeDisabled, RealtimeRequest, RealtimeTable, TableRef};
use serde_json::{Value, json};
use sqlx::PgConnection;

/// Schemas Fluxbase refuses to publish.
const REFUSED_SCHEMAS: [&str; 5] = [
    "pg_catalog",
    "information_schema",
    "dashboard",
    "auth",
    "realtime",
];
/// PostgreSQL cuts identifiers to this many bytes.
const NAME_BYTES: usize = 63;

/// `<table>_realtime_notify`, as PostgreSQL names it (cut to 63 bytes).
fn trigger_name(table: &str) -> String {
    let mut name = format!("{table}_realtime_notify");
    if name.len() > NAME_BYTES {
        let mut end = NAME_BYTES;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    name
}

fn identity_name(code: &str) -> &'static str {
    match code {
        "d" => "default",
        "n" => "nothing",
        "f" => "full",
        "i" => "index",
        _ => "unknown",
    }
}

#[derive(sqlx::FromRow)]
struct RegistryRow {
    schema_name: String,
    table_name: String,
    enabled: bool,
    events: Vec<String>,
    excluded_columns: Vec<String>,
    updated_at: Option<DateTime<Utc>>,
    replica_identity: Option<String>,
    triggers: Vec<String>,
    restorable: bool,
}

const LIST_SQL: &str = "SELECT r.schema_name, r.table_name, COALESCE(r.realtime_enabled, false) AS enabled, \
        COALESCE(r.events, '{}') AS events, COALESCE(r.excluded_columns, '{}') AS excluded_columns, r.updated_at, \
        c.relreplident::text AS replica_identity, \
        COALESCE((SELECT array_agg(t.tgname::text) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid \
                  WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND p.proname = 'notify_realtime_change'), '{}') AS triggers, \
        EXISTS (SELECT 1 FROM fluxdesk.realtime_enablements e \
                WHERE e.schema_name = r.schema_name AND e.table_name = r.table_name) AS restorable \
     FROM realtime.schema_registry r \
     LEFT JOIN pg_namespace n ON n.nspname = r.schema_name \
     LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = r.table_name";

fn realtime_table(row: RegistryRow) -> RealtimeTable {
    RealtimeTable {
        trigger_installed: row.triggers.contains(&trigger_name(&row.table_name)),
        table: TableRef::new(row.schema_name, row.table_name),
        enabled: row.enabled,
        events: row.events,
        excluded_columns: row.excluded_columns,
        table_exists: row.replica_identity.is_some(),
        replica_identity: row
            .replica_identity
            .as_deref()
            .map(identity_name)
            .unwrap_or("—")
            .to_owned(),
        restorable: row.restorable,
        updated_at: row.updated_at.map(rfc3339),
    }
}

/// The table's oid and replica identity; refuses what Fluxbase would not publish.
async fn publishable_table(connection: &mut PgConnection, table: &TableRef) -> CoreResult<(u32, String)> {
    if REFUSED_SCHEMAS.contains(&table.schema.as_str()) {
        return Err(CoreError::InvalidInput(format!(
            "Fluxbase does not publish tables of the {} schema.",
            table.schema
        )));
    }
    let found: Option<(sqlx::postgres::types::Oid, String, String)> = sqlx::query_as(
        "SELECT c.oid, c.relkind::text, c.relreplident::text FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
    )
    .bind(&table.schema)
    .bind(&table.name)
    .fetch_optional(&mut *connection)
    .await?;
    match found {
        Some((oid, kind, identity)) if kind == "r" || kind == "p" => Ok((oid.0, identity)),
        Some(_) => Err(CoreError::InvalidInput(format!(
            "{table} is not a table; only tables can publish changes."
        ))),
        None => Err(CoreError::NotFound(format!("There is no table {table}."))),
    }
}

/// Events in upper case, each once, in Fluxbase's order; all three when none are given.
fn normalized_events(events: &[String]) -> CoreResult<Vec<String>> {
    let wanted: Vec<String> = events.iter().map(|event| event.trim().to_uppercase()).collect();
    if let Some(unknown) = wanted
        .iter()
        .find(|event| !REALTIME_EVENTS.contains(&event.as_str()))
    {
        return Err(CoreError::InvalidInput(format!(
            "\"{unknown}\" is not a change event; use INSERT, UPDATE or DELETE."
        )));
    }
    Ok(REALTIME_EVENTS
        .iter()
        .filter(|event| wanted.is_empty() || wanted.iter().any(|w| w == *event))
        .map(|event| (*event).to_owned())
        .collect())
}

#[derive(serde::Deserialize)]
struct PreviousRegistry {
    realtime_enabled: Option<bool>,
    events: Option<Vec<String>>,
    excluded_columns: Option<Vec<String>>,
}

impl InstanceConfig<'_> {
    /// The tables in `realtime.schema_registry`, with what is in place for each.
    pub async fn realtime_tables(&self) -> CoreResult<Vec<RealtimeTable>> {
        let mut transaction = self.read().await?;
        let rows: Vec<RegistryRow> =
            sqlx::query_as(&format!("{LIST_SQL} ORDER BY r.schema_name, r.table_name"))
                .fetch_all(&mut *transaction)
                .await?;
        transaction.commit().await?;
        Ok(rows.into_iter().map(realtime_table).collect())
    }

    async fn realtime_table_of(
        &self,
        connection: &mut PgConnection,
        table: &TableRef,
    ) -> CoreResult<RealtimeTable> {
        let row: RegistryRow = sqlx::query_as(&format!(
            "{LIST_SQL} WHERE r.schema_name = $1 AND r.table_name = $2"
        ))
        .bind(&table.schema)
        .bind(&table.name)
        .fetch_one(&mut *connection)
        .await?;
        Ok(realtime_table(row))
    }

    /// Enables realtime as Fluxbase does: `REPLICA IDENTITY FULL`, the
    /// `<table>_realtime_notify` trigger, and the registry row with its events
    /// and excluded columns. The first time, what was there before is kept in
    /// `fluxdesk.realtime_enablements` for [`Self::disable_realtime`].
    pub async fn enable_realtime(&self, request: &RealtimeRequest) -> CoreResult<RealtimeTable> {
        let now = self.now();
        let table = &request.table;
        let events = normalized_events(&request.events)?;
        let mut transaction = self.write().await?;
        let (oid, identity) = publishable_table(&mut transaction, table).await?;
        let columns: Vec<String> = sqlx::query_scalar(
            "SELECT attname::text FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped",
        )
        .bind(sqlx::postgres::types::Oid(oid))
        .fetch_all(&mut *transaction)
        .await?;
        let mut excluded: Vec<String> = Vec::new();
        for column in &request.excluded_columns {
            let column = column.trim();
            if !columns.iter().any(|known| known == column) {
                return Err(CoreError::InvalidInput(format!(
                    "{table} has no column \"{column}\" to exclude."
                )));
            }
            if !excluded.iter().any(|known| known == column) {
                excluded.push(column.to_owned());
            }
        }
        let trigger = trigger_name(&table.name);
        let index: Option<String> = sqlx::query_scalar(
            "SELECT ic.relname::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
             WHERE i.indrelid = $1 AND i.indisreplident",
        )
        .bind(sqlx::postgres::types::Oid(oid))
        .fetch_optional(&mut *transaction)
        .await?;
        let previous: Option<(String, String)> = sqlx::query_as(
            "SELECT pg_get_triggerdef(oid), tgenabled::text FROM pg_trigger \
             WHERE tgrelid = $1 AND tgname = $2 AND NOT tgisinternal",
        )
        .bind(sqlx::postgres::types::Oid(oid))
        .bind(&trigger)
        .fetch_optional(&mut *transaction)
        .await?;
        let (previous_trigger, previous_trigger_enabled) = previous.unzip();
        let previous_registry: Option<Value> = sqlx::query_scalar(
            "SELECT to_jsonb(r) FROM realtime.schema_registry r WHERE r.schema_name = $1 AND r.table_name = $2",
        )
        .bind(&table.schema)
        .bind(&table.name)
        .fetch_optional(&mut *transaction)
        .await?;
        // Already published the Fluxbase way: enabling only changes events or
        // columns, and disabling must then turn it off as Fluxbase does, so
        // there is no "before" to put back.
        let already_published = identity == "f"
            && previous_trigger
                .as_deref()
                .is_some_and(|definition| definition.contains("notify_realtime_change"))
            && previous_registry
                .as_ref()
                .is_some_and(|row| row["realtime_enabled"] == Value::Bool(true));
        // Enabling again keeps the first record: that is what "before" means.
        if !already_published {
            sqlx::query(
            "INSERT INTO fluxdesk.realtime_enablements (schema_name, table_name, previous_replica_identity, \
                previous_replica_index, previous_trigger, previous_trigger_enabled, previous_registry, enabled_at, \
                enabled_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        )
        .bind(&table.schema)
        .bind(&table.name)
        .bind(&identity)
        .bind(&index)
        .bind(&previous_trigger)
        .bind(&previous_trigger_enabled)
        .bind(&previous_registry)
        .bind(now)
        .bind(self.acting_admin)
        .execute(&mut *transaction)
        .await?;
        }
        let quoted = quote_table(table);
        for statement in [
            format!("ALTER TABLE {quoted} REPLICA IDENTITY FULL"),
            format!("DROP TRIGGER IF EXISTS {} ON {quoted}", quote_ident(&trigger)),
            format!(
                "CREATE TRIGGER {} AFTER INSERT OR UPDATE OR DELETE ON {quoted} \
                 FOR EACH ROW EXECUTE FUNCTION public.notify_realtime_change()",
                quote_ident(&trigger)
            ),
        ] {
            sqlx::query(&statement).execute(&mut *transaction).await?;
        }
        sqlx::query(
            "INSERT INTO realtime.schema_registry (schema_name, table_name, realtime_enabled, events, excluded_columns) \
             VALUES ($1, $2, true, $3, $4) ON CONFLICT (schema_name, table_name) DO UPDATE \
             SET realtime_enabled = true, events = EXCLUDED.events, excluded_columns = EXCLUDED.excluded_columns",
        )
        .bind(&table.schema)
        .bind(&table.name)
        .bind(&events)
        .bind(&excluded)
        .execute(&mut *transaction)
        .await?;
        audit::append(
            &mut transaction,
            &self.context,
            &AuditEvent::new(now, "realtime.enable", Outcome::Success)
                .target(table.to_string())
                .details(json!({
                    "schema": table.schema,
                    "table": table.name,
                    "events": events,
                    "excluded_columns": excluded,
                    "before": {
                        "replica_identity": identity_name(&identity),
                        "replica_index": index,
                        "trigger": previous_trigger,
                        "registry": previous_registry,
                    },
                })),
        )
        .await?;
        let enabled = self.realtime_table_of(&mut transaction, table).await?;
        transaction.commit().await?;
        Ok(enabled)
    }

    /// Disables realtime. When Fluxdesk enabled it, puts back exactly what
    /// was there before; otherwise does what Fluxbase does (drops the trigger
    /// and marks the registry row disabled) and says what it left.
    pub async fn disable_realtime(&self, table: &TableRef) -> CoreResult<RealtimeDisabled> {
        let now = self.now();
        let mut transaction = self.write().await?;
        type Record = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<Value>,
        );
        let record: Option<Record> = sqlx::query_as(
            "SELECT previous_replica_identity, previous_replica_index, previous_trigger, previous_trigger_enabled, \
                    previous_registry \
             FROM fluxdesk.realtime_enablements WHERE schema_name = $1 AND table_name = $2 FOR UPDATE",
        )
        .bind(&table.schema)
        .bind(&table.name)
        .fetch_optional(&mut *transaction)
        .await?;
        let registered: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM realtime.schema_registry WHERE schema_name = $1 AND table_name = $2)",
        )
        .bind(&table.schema)
        .bind(&table.name)
        .fetch_one(&mut *transaction)
        .await?;
        if record.is_none() && !registered {
            return Err(CoreError::NotFound(format!(
                "Realtime is not enabled on {table}."
            )));
        }
        let (_, identity) = publishable_table(&mut transaction, table).await?;
        let quoted = quote_table(table);
        let trigger = quote_ident(&trigger_name(&table.name));
        sqlx::query(&format!("DROP TRIGGER IF EXISTS {trigger} ON {quoted}"))
            .execute(&mut *transaction)
            .await?;
        let (restored, note, details) = match record {
            Some((
                previous_identity,
                previous_index,
                previous_trigger,
                previous_enabled,
                previous_registry,
            )) => {
                if let Some(definition) = &previous_trigger {
                    sqlx::query(definition).execute(&mut *transaction).await?;
                    // The definition says nothing of whether the trigger fired.
                    let firing = match previous_enabled.as_deref() {
                        Some("D") => Some("DISABLE TRIGGER"),
                        Some("R") => Some("ENABLE REPLICA TRIGGER"),
                        Some("A") => Some("ENABLE ALWAYS TRIGGER"),
                        _ => None,
                    };
                    if let Some(firing) = firing {
                        sqlx::query(&format!("ALTER TABLE {quoted} {firing} {trigger}"))
                            .execute(&mut *transaction)
                            .await?;
                    }
                }
                // The index may have gone since (dropped or recreated outside Fluxdesk).
                let index_left = match &previous_index {
                    Some(index) => sqlx::query_scalar::<_, bool>(
                        "SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = 'i' \
                         AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $2))",
                    )
                    .bind(index)
                    .bind(&table.schema)
                    .fetch_one(&mut *transaction)
                    .await?
                    .then_some(index),
                    None => None,
                };
                let identity_sql = match (previous_identity.as_str(), index_left) {
                    ("n", _) => "NOTHING".to_owned(),
                    ("f", _) => "FULL".to_owned(),
                    ("i", Some(index)) => format!("USING INDEX {}", quote_ident(index)),
                    _ => "DEFAULT".to_owned(),
                };
                sqlx::query(&format!("ALTER TABLE {quoted} REPLICA IDENTITY {identity_sql}"))
                    .execute(&mut *transaction)
                    .await?;
                match &previous_registry {
                    None => {
                        sqlx::query(
                            "DELETE FROM realtime.schema_registry WHERE schema_name = $1 AND table_name = $2",
                        )
                        .bind(&table.schema)
                        .bind(&table.name)
                        .execute(&mut *transaction)
                        .await?;
                    }
                    Some(row) => {
                        let previous: PreviousRegistry =
                            serde_json::from_value(row.clone()).map_err(|error| {
                                CoreError::InvalidInput(format!(
                                    "The registry row Fluxdesk kept for {table} cannot be read back: {error}."
                                ))
                            })?;
                        let restored_rows = sqlx::query(
                            "UPDATE realtime.schema_registry SET realtime_enabled = $3, events = $4, excluded_columns = $5 \
                             WHERE schema_name = $1 AND table_name = $2",
                        )
                        .bind(&table.schema)
                        .bind(&table.name)
                        .bind(previous.realtime_enabled)
                        .bind(previous.events)
                        .bind(previous.excluded_columns)
                        .execute(&mut *transaction)
                        .await?
                        .rows_affected();
                        if restored_rows != 1 {
                            return Err(CoreError::PermissionDenied(format!(
                                "The registry row of {table} could not be put back (row-level security or a \
                                 concurrent change); nothing was changed."
                            )));
                        }
                    }
                }
                sqlx::query(
                    "DELETE FROM fluxdesk.realtime_enablements WHERE schema_name = $1 AND table_name = $2",
                )
                .bind(&table.schema)
                .bind(&table.name)
                .execute(&mut *transaction)
                .await?;
                let note = format!(
                    "Put back what {table} had before: replica identity {}, {}, and {}.",
                    identity_name(&previous_identity),
                    if previous_trigger.is_some() {
                        "the trigger of that name it had"
                    } else {
                        "no notify trigger"
                    },
                    if previous_registry.is_some() {
                        "its earlier registry row"
                    } else {
                        "no registry row"
                    }
                );
                let details = json!({
                    "replica_identity": identity_name(&previous_identity),
                    "trigger_restored": previous_trigger.is_some(),
                    "registry_row_removed": previous_registry.is_none(),
                });
                (true, note, details)
            }
            None => {
                sqlx::query(
                    "UPDATE realtime.schema_registry SET realtime_enabled = false WHERE schema_name = $1 AND table_name = $2",
                )
                .bind(&table.schema)
                .bind(&table.name)
                .execute(&mut *transaction)
                .await?;
                let note = format!(
                    "Fluxdesk did not enable realtime on {table}, so it did what Fluxbase does: dropped the notify \
                     trigger and marked the registry row disabled. Replica identity stays {}, since what it was \
                     before is not known.",
                    identity_name(&identity)
                );
                (
                    false,
                    note,
                    json!({ "replica_identity": identity_name(&identity), "registry_row_removed": false }),
                )
            }
        };
        audit::append(
            &mut transaction,
            &self.context,
            &AuditEvent::new(now, "realtime.disable", Outcome::Success)
                .target(table.to_string())
                .details(json!({ "schema": table.schema, "table": table.name, "restored": restored, "after": details })),
        )
        .await?;
        transaction.commit().await?;
        Ok(RealtimeDisabled {
            table: table.clone(),
            restored,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_names_are_cut_as_postgres_cuts_them() {
        assert_eq!(trigger_name("todos"), "todos_realtime_notify");
        let long = "é".repeat(40);
        let name = trigger_name(&long);
        assert!(name.len() <= NAME_BYTES);
        assert!(long.starts_with(&name));
    }

    #[test]
    fn events_are_checked_and_ordered() {
        assert_eq!(normalized_events(&[]).unwrap(), ["INSERT", "UPDATE", "DELETE"]);
        assert_eq!(
            normalized_events(&["delete".into(), " insert ".into(), "DELETE".into()]).unwrap(),
            ["INSERT", "DELETE"]
        );
        assert!(normalized_events(&["TRUNCATE".into()]).is_err());
    }
}
