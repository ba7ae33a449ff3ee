//! Rendering results as text tables or as the documented JSON shapes.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use fluxdesk_core::CoreError;
use fluxdesk_types::{
    ActiveImpersonation, AdminSummary, Cell, Diagnosis, Invitation, KeysetCursor, PasswordReset,
    PasswordState, ProfileEntry, ResultSet, RowOrder, RowPage, SchemaSummary, SessionSummary, TableSummary,
};
use serde_json::{Map, Value, json};
use std::io::Write;

/// Prints one line on standard output.
pub fn emit_line(text: &str) -> Result<(), CoreError> {
    emit(text)
}

fn emit(text: &str) -> Result<(), CoreError> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}").map_err(|error| CoreError::io("Cannot write to standard output", error))
}

/// Prints a JSON document on standard output.
pub fn emit_json_value(value: &Value) -> Result<(), CoreError> {
    emit_json(value)
}

fn emit_json(value: &Value) -> Result<(), CoreError> {
    emit(&serde_json::to_string_pretty(value).expect("JSON values always serialize"))
}

pub fn text_table(header: Vec<&str>) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    table
}

pub fn schemas(schemas: &[SchemaSummary], json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json(&json!(schemas));
    }
    let mut table = text_table(vec!["schema", "tables and views"]);
    for schema in schemas {
        table.add_row(vec![schema.name.clone(), schema.relation_count.to_string()]);
    }
    emit(&table.to_string())
}

pub fn tables(tables: &[TableSummary], json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json(&json!(tables));
    }
    let mut table = text_table(vec![
        "schema",
        "name",
        "kind",
        "estimated rows",
        "size",
        "RLS",
        "realtime",
    ]);
    for summary in tables {
        let rls = match (summary.rls_enabled, summary.rls_forced) {
            (false, _) => "off".to_owned(),
            (true, forced) => format!(
                "on{}, {} policies",
                if forced { " (forced)" } else { "" },
                summary.policy_count
            ),
        };
        table.add_row(vec![
            summary.schema.clone(),
            summary.name.clone(),
            summary.kind.as_str().replace('_', " "),
            summary
                .estimated_rows
                .map_or_else(|| "unknown".to_owned(), |n| n.to_string()),
            summary
                .total_bytes
                .map_or_else(|| "-".to_owned(), |n| n.to_string()),
            rls,
            if summary.realtime {
                "on".into()
            } else {
                "off".into()
            },
        ]);
    }
    emit(&table.to_string())
}

pub fn rows(page: &RowPage, json: bool) -> Result<(), CoreError> {
    if json {
        let rows = rows_json(&page.columns, &page.rows);
        return emit_json(&json!({
            "table": page.table,
            "columns": page.columns,
            "rows": rows,
            "order": page.order,
            "next": page.next.as_ref().map(format_cursor),
        }));
    }
    let mut table = text_table(page.columns.iter().map(|c| c.name.as_str()).collect());
    for row in &page.rows {
        table.add_row(row.iter().map(Cell::display_text).collect::<Vec<_>>());
    }
    emit(&table.to_string())?;
    let count = page.rows.len();
    match (&page.next, page.order) {
        (Some(next), _) => emit(&format!(
            "{count} rows; more after --after '{}'",
            format_cursor(next)
        )),
        (None, RowOrder::Unordered) => emit(&format!(
            "{count} rows; first page only: a view has no stable order to page by"
        )),
        (None, _) => emit(&format!("{count} rows; end of table")),
    }
}

fn rows_json(columns: &[fluxdesk_types::ColumnInfo], rows: &[Vec<Cell>]) -> Vec<Value> {
    rows.iter()
        .map(|row| {
            let mut object = Map::new();
            for (column, cell) in columns.iter().zip(row) {
                object.insert(column.name.clone(), cell_json(cell, &column.data_type));
            }
            Value::Object(object)
        })
        .collect()
}

pub fn query(
    outcome: &str,
    wrote: bool,
    rows_affected: u64,
    result: Option<&ResultSet>,
    json: bool,
) -> Result<(), CoreError> {
    if json {
        return emit_json(&query_json(outcome, wrote, rows_affected, result));
    }
    if let Some(set) = result {
        let mut table = text_table(set.columns.iter().map(|c| c.name.as_str()).collect());
        for row in &set.rows {
            table.add_row(row.iter().map(Cell::display_text).collect::<Vec<_>>());
        }
        emit(&table.to_string())?;
        if set.truncated {
            emit("(more rows not shown)")?;
        }
    }
    emit(&format!("{outcome}; {rows_affected} rows affected"))
}

fn query_json(
    outcome: &str,
    wrote: bool,
    rows_affected: u64,
    result: Option<&ResultSet>,
) -> serde_json::Value {
    let (columns, rows, truncated) = match result {
        Some(set) => (
            json!(set.columns),
            rows_json(&set.columns, &set.rows),
            set.truncated,
        ),
        None => (json!([]), Vec::new(), false),
    };
    json!({
        "outcome": outcome,
        "wrote": wrote,
        "rows_affected": rows_affected,
        "columns": columns,
        "rows": rows,
        "truncated": truncated,
    })
}

/// `impersonate ... query`: the query's result, and as whom it ran.
pub fn impersonated(
    acting: &ActiveImpersonation,
    outcome: &str,
    wrote: bool,
    rows_affected: u64,
    result: Option<&ResultSet>,
    json: bool,
) -> Result<(), CoreError> {
    if json {
        let mut reply = query_json(outcome, wrote, rows_affected, result);
        reply["impersonation"] = json!(acting);
        return emit_json(&reply);
    }
    emit(&format!(
        "As {} ({}, database role {}), because: {}",
        acting.email, acting.app_role, acting.database_role, acting.reason
    ))?;
    let said = if wrote { "dry run, rolled back" } else { "done" };
    query(said, false, rows_affected, result, false)
}

fn password_label(state: PasswordState) -> &'static str {
    match state {
        PasswordState::Saved => "in keyring",
        PasswordState::Missing => "none saved",
        PasswordState::AskEveryTime => "asked each time",
        PasswordState::KeyringUnavailable => "keyring unavailable",
        PasswordState::ThisRunOnly => "this run only",
    }
}

pub fn profiles(entries: &[ProfileEntry], json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json(&json!(entries));
    }
    let mut table = text_table(vec![
        "name",
        "environment",
        "target",
        "protection",
        "tls",
        "password",
    ]);
    for entry in entries.iter().filter(|entry| entry.saved) {
        let profile = &entry.profile;
        table.add_row(vec![
            profile.name.clone(),
            profile.environment.label.clone(),
            format!(
                "{}@{}:{}/{}",
                profile.user, profile.host, profile.port, profile.database
            ),
            profile.protection.label().to_owned(),
            profile.tls_mode.as_str().to_owned(),
            password_label(entry.password).to_owned(),
        ]);
    }
    emit(&table.to_string())
}

pub fn profile_added(entry: &ProfileEntry, json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json(&json!(entry));
    }
    emit(&format!(
        "saved profile \"{}\" ({}); password {}",
        entry.profile.name,
        entry.profile.environment.label,
        password_label(entry.password)
    ))
}

pub fn profile_removed(name: &str, json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json(&json!({ "removed": name }));
    }
    emit(&format!("removed profile \"{name}\" and its keyring entry"))
}

pub fn exported(summary: &fluxdesk_types::ExportSummary, json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json_value(&json!({
            "path": summary.path,
            "rows": summary.rows,
            "bytes": summary.bytes,
            "elapsed_ms": summary.elapsed_ms,
        }));
    }
    emit_line(&format!(
        "Exported {} rows ({} bytes) to {} in {:.1} s",
        summary.rows,
        summary.bytes,
        summary.path,
        summary.elapsed_ms as f64 / 1000.0
    ))
}

pub fn diagnosis(diagnosis: &Diagnosis, json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json(&json!(diagnosis));
    }
    emit(&format!("{} ({} ms)", diagnosis.message, diagnosis.elapsed_ms))
}

fn cell_json(cell: &Cell, data_type: &str) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Bool(value) => Value::Bool(*value),
        Cell::Int(value) => json!(value),
        Cell::Float(value) => json!(value),
        Cell::Text(text) if matches!(data_type, "json" | "jsonb") => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        Cell::Text(text) => Value::String(text.clone()),
        Cell::Truncated { prefix } => Value::String(prefix.clone()),
    }
}

/// A cursor travels through shells as one JSON array string, e.g. `["42"]`.
pub fn format_cursor(cursor: &KeysetCursor) -> String {
    serde_json::to_string(&cursor.0).expect("strings always serialize")
}

pub fn parse_cursor(text: &str) -> Result<KeysetCursor, CoreError> {
    serde_json::from_str::<Vec<String>>(text).map(KeysetCursor).map_err(|_| {
        CoreError::InvalidInput(format!(
            "--after expects the \"next\" value of a previous page, a JSON array of strings such as [\"42\"]; got {text}"
        ))
    })
}

fn or_dash(value: Option<&str>) -> String {
    value.unwrap_or("-").to_owned()
}

/// Prints admins: `[AdminSummary]` in JSON.
pub fn admins(admins: &[AdminSummary], json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json(&serde_json::to_value(admins).expect("admins serialize"));
    }
    let mut table = text_table(vec![
        "id",
        "email",
        "name",
        "role",
        "2FA",
        "locked until",
        "last sign-in",
        "sessions",
    ]);
    for admin in admins {
        table.add_row(vec![
            admin.id.clone(),
            admin.email.clone(),
            or_dash(admin.full_name.as_deref()),
            admin.role.clone(),
            if admin.totp_enabled {
                "on".into()
            } else {
                "off".into()
            },
            or_dash(admin.locked_until.as_deref()),
            or_dash(admin.last_sign_in_at.as_deref()),
            admin.active_sessions.to_string(),
        ]);
    }
    emit(&table.to_string())
}

/// Prints invitations: `[Invitation]` in JSON.
pub fn invitations(invitations: &[Invitation], json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json(&serde_json::to_value(invitations).expect("invitations serialize"));
    }
    let mut table = text_table(vec!["email", "role", "status", "expires", "invited by", "token"]);
    for invitation in invitations {
        table.add_row(vec![
            invitation.email.clone(),
            invitation.role.clone(),
            invitation.status.clone(),
            invitation.expires_at.clone(),
            or_dash(invitation.invited_by.as_deref()),
            invitation.token.clone(),
        ]);
    }
    emit(&table.to_string())
}

/// Prints sessions: `[SessionSummary]` in JSON.
pub fn sessions(sessions: &[SessionSummary], json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json(&serde_json::to_value(sessions).expect("sessions serialize"));
    }
    let mut table = text_table(vec!["id", "user id", "email", "created", "expires", "client"]);
    for session in sessions {
        table.add_row(vec![
            format!(
                "{}{}",
                session.id,
                if session.current { " (this one)" } else { "" }
            ),
            session.user_id.clone(),
            or_dash(session.email.as_deref()),
            or_dash(session.created_at.as_deref()),
            session.expires_at.clone(),
            or_dash(session.user_agent.as_deref()),
        ]);
    }
    emit(&table.to_string())
}

/// Prints a password reset; the secret is shown once.
pub fn password_reset(reset: &PasswordReset, json: bool) -> Result<(), CoreError> {
    if json {
        return emit_json(&serde_json::to_value(reset).expect("resets serialize"));
    }
    match reset {
        PasswordReset::TemporaryPassword {
            password,
            sessions_revoked,
        } => emit(&format!(
            "Temporary password (shown once): {password}\n{sessions_revoked} sessions revoked."
        )),
        PasswordReset::ResetToken {
            token,
            expires_at,
            sessions_revoked,
        } => emit(&format!(
            "Reset token (shown once, valid until {expires_at}): {token}\n{sessions_revoked} sessions revoked."
        )),
    }
}

/// Prints a small JSON document, or a sentence.
pub fn done(document: Value, sentence: &str, json: bool) -> Result<(), CoreError> {
    if json {
        emit_json(&document)
    } else {
        emit(sentence)
    }
}
