//! `app.settings`: system-wide rows, edited by type, checked against
//! `editable_by`, and saved together with one audit event per change.

use super::InstanceConfig;
use crate::admin_access::AdminTables;
use crate::audit::{self, AuditEvent, Outcome};
use crate::clock::rfc3339;
use crate::error::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use fluxdesk_types::{DiffLine, DiffTag, Setting, SettingDiff, SettingEdit, SettingType, SettingsSaved};
use serde_json::{Value, json};
use sqlx::PgConnection;
use std::collections::BTreeSet;
use uuid::Uuid;

/// Why no secret is ever edited here.
const SECRET_REFUSAL: &str = "This setting is a secret: Fluxbase encrypts it with the instance's \
                              FLUXBASE_ENCRYPTION_KEY, which Fluxdesk does not have, so Fluxdesk neither shows nor \
                              changes it. Change it through Fluxbase's dashboard or API.";

#[derive(sqlx::FromRow)]
struct SettingRow {
    id: Uuid,
    key: String,
    /// NULL for secrets: their stored value never leaves the server.
    value: Option<Value>,
    value_type: String,
    category: String,
    description: Option<String>,
    is_public: bool,
    is_secret: bool,
    editable_by: Vec<String>,
    updated_at: Option<DateTime<Utc>>,
    updated_by: Option<Uuid>,
    updated_by_email: Option<String>,
    user_id: Option<Uuid>,
}

/// Rows of `app.settings` with who last changed them; `{where}` filters `s`.
fn select_sql(tables: AdminTables, condition: &str) -> String {
    tables.sql(&format!(
        "SELECT s.id, s.key, CASE WHEN COALESCE(s.is_secret, false) THEN NULL ELSE s.value END AS value, \
                s.value_type, s.category, s.description, COALESCE(s.is_public, false) AS is_public, \
                COALESCE(s.is_secret, false) AS is_secret, s.editable_by, s.updated_at, s.updated_by, \
                u.email AS updated_by_email, s.user_id \
         FROM app.settings s LEFT JOIN dashboard.users u ON u.id = s.updated_by \
         WHERE {condition} ORDER BY s.category, s.key"
    ))
}

fn setting_type(name: &str) -> SettingType {
    match name {
        "number" => SettingType::Number,
        "boolean" => SettingType::Boolean,
        "json" => SettingType::Json,
        "array" => SettingType::Array,
        _ => SettingType::String,
    }
}

/// The value inside a stored one: Fluxbase wraps values as `{"value": X}`,
/// but a few rows (from older migrations) hold the bare value.
fn inner_value(stored: &Value) -> &Value {
    match stored {
        Value::Object(fields) if fields.contains_key("value") => &fields["value"],
        other => other,
    }
}

/// Whether a stored value is of the declared type; editing one that is not
/// would replace what Fluxbase reads with something else.
fn holds_type(value_type: SettingType, value: &Value) -> bool {
    matches!(
        (value_type, value),
        (_, Value::Null)
            | (SettingType::Json, _)
            | (SettingType::String, Value::String(_))
            | (SettingType::Number, Value::Number(_))
            | (SettingType::Boolean, Value::Bool(_))
            | (SettingType::Array, Value::Array(_))
    )
}

/// A value as its editor shows it.
pub fn display_value(value_type: SettingType, value: &Value) -> String {
    match (value_type, value) {
        (SettingType::String, Value::String(text)) => text.clone(),
        (SettingType::Json | SettingType::Array, document) => {
            serde_json::to_string_pretty(document).unwrap_or_else(|_| document.to_string())
        }
        (_, other) => other.to_string(),
    }
}

/// The value an editor's text stands for, or why it is not one of `value_type`.
pub fn parse_value(value_type: SettingType, text: &str) -> Result<Value, String> {
    let trimmed = text.trim();
    match value_type {
        SettingType::String => Ok(Value::String(text.to_owned())),
        SettingType::Number => match serde_json::from_str::<Value>(trimmed) {
            Ok(number @ Value::Number(_)) => Ok(number),
            _ => Err(format!("\"{trimmed}\" is not a number (write it as 42 or 2.5).")),
        },
        SettingType::Boolean => match trimmed.to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("A boolean setting is true or false, not \"{trimmed}\".")),
        },
        SettingType::Json => {
            serde_json::from_str(trimmed).map_err(|error| format!("This is not valid JSON: {error}."))
        }
        SettingType::Array => match serde_json::from_str::<Value>(trimmed) {
            Ok(array @ Value::Array(_)) => Ok(array),
            Ok(_) => Err("An array setting needs a JSON array, such as [\"a\", \"b\"].".to_owned()),
            Err(error) => Err(format!("This is not a JSON array: {error}.")),
        },
    }
}

/// What to store for `value`, keeping the stored shape: wrapped values stay
/// wrapped (other fields kept), bare ones stay bare, so Fluxbase reads them as before.
pub fn stored_value(before: &Value, value: Value) -> Value {
    match before {
        Value::Object(fields) if fields.contains_key("value") => {
            let mut fields = fields.clone();
            fields.insert("value".to_owned(), value);
            Value::Object(fields)
        }
        _ => value,
    }
}

fn diff_lines(before: &str, after: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(before, after)
        .iter_all_changes()
        .map(|change| DiffLine {
            tag: match change.tag() {
                similar::ChangeTag::Equal => DiffTag::Same,
                similar::ChangeTag::Delete => DiffTag::Removed,
                similar::ChangeTag::Insert => DiffTag::Added,
            },
            text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
        })
        .collect()
}

/// One staged change, checked against the row as it is now.
struct Planned {
    id: Uuid,
    category: String,
    before: Value,
    after: Value,
    stored: Value,
    diff: SettingDiff,
}

impl InstanceConfig<'_> {
    /// The roles that count for `editable_by`: the admin's own, and on
    /// 2026.3.7, which renamed dashboard_admin to instance_admin but left
    /// `app.settings` alone, the old name for instance admins too.
    fn editing_roles(&self) -> Vec<&str> {
        let mut roles = vec![self.admin_role.as_str()];
        if self.admin_role == self.tables.admin_role && self.tables != AdminTables::DASHBOARD {
            roles.push(AdminTables::DASHBOARD.admin_role);
        }
        roles
    }

    fn refusal(&self, row: &SettingRow) -> Option<String> {
        if row.user_id.is_some() {
            return Some(
                "This setting belongs to one user; it is shown on their page and changed by them.".into(),
            );
        }
        if row.is_secret {
            return Some(SECRET_REFUSAL.into());
        }
        let value_type = setting_type(&row.value_type);
        if let Some(stored) = &row.value
            && !holds_type(value_type, inner_value(stored))
        {
            return Some(format!(
                "Its stored value is not a {} (Fluxbase keeps its own state here), so Fluxdesk leaves it alone.",
                value_type.as_str()
            ));
        }
        let roles = self.editing_roles();
        if row.editable_by.iter().any(|role| roles.contains(&role.as_str())) {
            None
        } else {
            Some(format!(
                "Only {} may change {}; you are {}.",
                if row.editable_by.is_empty() {
                    "nobody".to_owned()
                } else {
                    row.editable_by.join(", ")
                },
                row.key,
                self.admin_role
            ))
        }
    }

    fn setting_of(&self, row: SettingRow) -> Setting {
        let not_editable = self.refusal(&row);
        setting_from(row, not_editable)
    }

    /// The system-wide settings, by category and key.
    pub async fn settings(&self) -> CoreResult<Vec<Setting>> {
        let mut transaction = self.read().await?;
        let rows: Vec<SettingRow> = sqlx::query_as(&select_sql(self.tables, "s.user_id IS NULL"))
            .fetch_all(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(rows.into_iter().map(|row| self.setting_of(row)).collect())
    }

    /// One system-wide setting.
    pub async fn setting(&self, key: &str) -> CoreResult<Setting> {
        let mut transaction = self.read().await?;
        let row: Option<SettingRow> =
            sqlx::query_as(&select_sql(self.tables, "s.user_id IS NULL AND s.key = $1"))
                .bind(key.trim())
                .fetch_optional(&mut *transaction)
                .await?;
        transaction.commit().await?;
        row.map(|row| self.setting_of(row))
            .ok_or_else(|| CoreError::NotFound(format!("There is no setting \"{}\".", key.trim())))
    }

    /// Checks staged changes against the rows as they are (locked when
    /// `lock`); changes that would change nothing are left out.
    async fn plan(
        &self,
        connection: &mut PgConnection,
        edits: &[SettingEdit],
        lock: bool,
    ) -> CoreResult<Vec<Planned>> {
        let mut seen_keys = BTreeSet::new();
        let mut planned = Vec::new();
        for edit in edits {
            let key = edit.key.trim();
            if !seen_keys.insert(key.to_owned()) {
                return Err(CoreError::InvalidInput(format!(
                    "{key} is staged twice; keep one value."
                )));
            }
            let mut sql = select_sql(self.tables, "s.user_id IS NULL AND s.key = $1");
            if lock {
                sql.push_str(" FOR UPDATE OF s");
            }
            let row: SettingRow = sqlx::query_as(&sql)
                .bind(key)
                .fetch_optional(&mut *connection)
                .await?
                .ok_or_else(|| CoreError::NotFound(format!("There is no setting \"{key}\".")))?;
            if let Some(reason) = self.refusal(&row) {
                return Err(CoreError::PermissionDenied(format!("{key}: {reason}")));
            }
            let value_type = setting_type(&row.value_type);
            let stored_before = row.value.clone().unwrap_or(Value::Null);
            let before = inner_value(&stored_before).clone();
            let before_text = display_value(value_type, &before);
            if let Some(seen) = &edit.seen
                && *seen != before_text
            {
                return Err(CoreError::InvalidInput(format!(
                    "{key} was changed by someone else since you loaded it (it is now {before_text}). \
                     Reload the settings; your staged values are kept."
                )));
            }
            let after = parse_value(value_type, &edit.value)
                .map_err(|reason| CoreError::InvalidInput(format!("{key}: {reason}")))?;
            let after_text = display_value(value_type, &after);
            if after == before {
                continue;
            }
            planned.push(Planned {
                id: row.id,
                category: row.category,
                stored: stored_value(&stored_before, after.clone()),
                diff: SettingDiff {
                    key: row.key,
                    value_type,
                    lines: diff_lines(&before_text, &after_text),
                    before: before_text,
                    after: after_text,
                },
                before,
                after,
            });
        }
        Ok(planned)
    }

    /// What saving these staged changes would do; refuses what saving would refuse.
    pub async fn preview_settings(&self, edits: &[SettingEdit]) -> CoreResult<Vec<SettingDiff>> {
        let mut transaction = self.read().await?;
        let planned = self.plan(&mut transaction, edits, false).await?;
        transaction.commit().await?;
        Ok(planned.into_iter().map(|plan| plan.diff).collect())
    }

    /// Applies staged changes in one transaction: all of them or none, each
    /// with `updated_by`, `updated_at` and an audit event holding the values
    /// before and after. A refusal by `editable_by` is audited too.
    pub async fn save_settings(&self, edits: &[SettingEdit]) -> CoreResult<SettingsSaved> {
        let now = self.now();
        let mut transaction = self.write().await?;
        let planned = match self.plan(&mut transaction, edits, true).await {
            Ok(planned) => planned,
            Err(CoreError::PermissionDenied(reason)) => {
                drop(transaction);
                let keys: Vec<&str> = edits.iter().map(|edit| edit.key.trim()).collect();
                audit::append_alone(
                    self.pool,
                    &self.context,
                    &AuditEvent::new(now, "setting.update", Outcome::Denied)
                        .target(keys.join(", "))
                        .details(json!({ "keys": keys, "reason": reason })),
                )
                .await?;
                return Err(CoreError::PermissionDenied(reason));
            }
            Err(other) => return Err(other),
        };
        for plan in &planned {
            let updated = sqlx::query(
                "UPDATE app.settings SET value = $2, updated_by = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(plan.id)
            .bind(&plan.stored)
            .bind(self.acting_admin)
            .bind(now)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            // Row-level security may hide the row from this connection's role.
            if updated != 1 {
                return Err(CoreError::PermissionDenied(format!(
                    "The server did not let this connection change {}; nothing was saved.",
                    plan.diff.key
                )));
            }
            audit::append(
                &mut transaction,
                &self.context,
                &AuditEvent::new(now, "setting.update", Outcome::Success)
                    .target(plan.diff.key.clone())
                    .details(json!({
                        "key": plan.diff.key,
                        "category": plan.category,
                        "value_type": plan.diff.value_type.as_str(),
                        "before": plan.before,
                        "after": plan.after,
                    })),
            )
            .await?;
        }
        transaction.commit().await?;
        Ok(SettingsSaved {
            changed: planned.into_iter().map(|plan| plan.diff).collect(),
        })
    }
}

/// A user's own rows of `app.settings`, for their detail page; secrets without values.
pub(crate) async fn user_settings(
    connection: &mut PgConnection,
    tables: AdminTables,
    user_id: Uuid,
) -> CoreResult<Vec<Setting>> {
    let rows: Vec<SettingRow> = sqlx::query_as(&select_sql(tables, "s.user_id = $1"))
        .bind(user_id)
        .fetch_all(&mut *connection)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            setting_from(
                row,
                Some("A user's own setting: they change it themselves.".into()),
            )
        })
        .collect())
}

fn setting_from(row: SettingRow, not_editable: Option<String>) -> Setting {
    let value_type = setting_type(&row.value_type);
    Setting {
        value: row
            .value
            .as_ref()
            .filter(|_| !row.is_secret)
            .map(|stored| display_value(value_type, inner_value(stored))),
        key: row.key,
        value_type,
        category: row.category,
        description: row.description,
        is_public: row.is_public,
        is_secret: row.is_secret,
        editable_by: row.editable_by,
        not_editable,
        updated_at: row.updated_at.map(rfc3339),
        updated_by: row
            .updated_by_email
            .or_else(|| row.updated_by.map(|id| id.to_string())),
        user_id: row.user_id.map(|id| id.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_parsed_by_type_with_a_reason() {
        assert_eq!(parse_value(SettingType::Number, " 20 "), Ok(json!(20)));
        assert_eq!(parse_value(SettingType::Number, "2.5"), Ok(json!(2.5)));
        assert!(
            parse_value(SettingType::Number, "twenty")
                .unwrap_err()
                .contains("not a number")
        );
        assert!(parse_value(SettingType::Number, "NaN").is_err());
        assert_eq!(parse_value(SettingType::Boolean, "False"), Ok(json!(false)));
        assert!(
            parse_value(SettingType::Boolean, "yes")
                .unwrap_err()
                .contains("true or false")
        );
        assert_eq!(
            parse_value(SettingType::Json, "{\"a\": [1]}"),
            Ok(json!({"a": [1]}))
        );
        assert!(
            parse_value(SettingType::Json, "{\"a\": ")
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert_eq!(parse_value(SettingType::Array, "[\"x\"]"), Ok(json!(["x"])));
        assert!(
            parse_value(SettingType::Array, "{}")
                .unwrap_err()
                .contains("JSON array")
        );
        assert_eq!(
            parse_value(SettingType::String, " kept as typed "),
            Ok(json!(" kept as typed "))
        );
    }

    #[test]
    fn the_stored_shape_is_kept() {
        let wrapped = json!({"value": 1, "note": "kept"});
        assert_eq!(
            stored_value(&wrapped, json!(2)),
            json!({"value": 2, "note": "kept"})
        );
        assert_eq!(stored_value(&json!(true), json!(false)), json!(false));
        assert_eq!(inner_value(&json!({"value": "x"})), &json!("x"));
        assert_eq!(inner_value(&json!(true)), &json!(true));
        // setup_completed: declared a string, holding Fluxbase's own object.
        assert!(!holds_type(SettingType::String, &json!({"completed": true})));
        assert!(holds_type(SettingType::Json, &json!([1])));
        assert!(holds_type(SettingType::Number, &json!(20)));
    }

    #[test]
    fn json_values_diff_by_line() {
        let lines = diff_lines("{\n  \"a\": 1\n}", "{\n  \"a\": 2\n}");
        let tags: Vec<DiffTag> = lines.iter().map(|line| line.tag).collect();
        assert_eq!(
            tags,
            [DiffTag::Same, DiffTag::Removed, DiffTag::Added, DiffTag::Same]
        );
        assert_eq!(lines[1].text, "  \"a\": 1");
    }
}
