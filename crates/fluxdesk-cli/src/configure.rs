//! `settings ...`, `realtime ...` and `buckets ...`: instance configuration
//! as the signed-in admin; every change is audited.

use crate::admin::{act_as_admin, step_up_if_production};
use crate::output;
use clap::Subcommand;
use fluxdesk_core::{Console, CoreError, ident};
use fluxdesk_types::{
    Bucket, CHANGE_REALTIME, CHANGE_SETTINGS, RealtimeRequest, RealtimeTable, Setting, SettingEdit,
};
use serde_json::json;

#[derive(Subcommand)]
pub enum SettingsVerb {
    /// The system-wide rows of app.settings, by category (secrets without values).
    List {
        /// Only this category (auth, system, storage, functions, realtime, custom).
        #[arg(long)]
        category: Option<String>,
    },
    /// One setting.
    Get {
        /// The key, such as app.realtime.enabled.
        key: String,
    },
    /// Change a setting: VALUE is checked against its type (string, number,
    /// true/false, JSON, JSON array) and its editable_by roles, then saved with
    /// updated_by and an audit event holding the values before and after.
    /// Secrets are refused: Fluxdesk does not have the instance's encryption key.
    Set {
        /// The key.
        key: String,
        /// The new value, as text.
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// Step-up code for production profiles (or FLUXDESK_ADMIN_PASSWORD without 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum RealtimeVerb {
    /// The tables in realtime.schema_registry and what is in place for each.
    List,
    /// Publish a table's changes as Fluxbase does: REPLICA IDENTITY FULL, the
    /// <table>_realtime_notify trigger and the registry row.
    Enable {
        /// The table, as schema.table (default schema: public).
        table: String,
        /// Only these events (INSERT, UPDATE, DELETE; default all), repeatable.
        #[arg(long = "event")]
        events: Vec<String>,
        /// Leave this column out of the payloads; repeatable.
        #[arg(long = "exclude")]
        excluded_columns: Vec<String>,
        /// Step-up code for production profiles (or FLUXDESK_ADMIN_PASSWORD without 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
    /// Stop publishing a table's changes. When Fluxdesk enabled it, puts back
    /// exactly what was there before; otherwise does what Fluxbase does.
    Disable {
        /// The table, as schema.table.
        table: String,
        /// Step-up code for production profiles (or FLUXDESK_ADMIN_PASSWORD without 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum BucketsVerb {
    /// Buckets with access, allowed types, size limit, objects and bytes.
    List,
}

/// Runs `verb` as the signed-in admin (or one signed in from the environment for this command).
async fn as_admin<F>(console: &Console, id: &str, verb: F) -> Result<(), CoreError>
where
    F: AsyncFnOnce() -> Result<(), CoreError>,
{
    let one_shot = act_as_admin(console, id).await?;
    let result = verb().await;
    if one_shot {
        let _ = console.sign_out(id).await;
    }
    result
}

fn setting_json(setting: &Setting) -> serde_json::Value {
    json!({
        "key": setting.key,
        "value": setting.value,
        "value_type": setting.value_type,
        "category": setting.category,
        "description": setting.description,
        "is_public": setting.is_public,
        "is_secret": setting.is_secret,
        "editable_by": setting.editable_by,
        "editable": setting.not_editable.is_none(),
        "not_editable": setting.not_editable,
        "updated_at": setting.updated_at,
        "updated_by": setting.updated_by,
    })
}

fn print_settings(settings: &[Setting], json: bool) -> Result<(), CoreError> {
    if json {
        return output::emit_json_value(&serde_json::Value::Array(
            settings.iter().map(setting_json).collect(),
        ));
    }
    let mut table = output::text_table(vec![
        "category",
        "key",
        "value",
        "type",
        "public",
        "editable by",
        "updated",
    ]);
    for setting in settings {
        table.add_row(vec![
            setting.category.clone(),
            setting.key.clone(),
            if setting.is_secret {
                "(secret, not shown)".to_owned()
            } else {
                setting.value.clone().unwrap_or_default()
            },
            setting.value_type.as_str().to_owned(),
            if setting.is_public { "yes" } else { "no" }.to_owned(),
            setting.editable_by.join(","),
            format!(
                "{} {}",
                setting.updated_at.clone().unwrap_or_default(),
                setting.updated_by.clone().unwrap_or_default()
            )
            .trim()
            .to_owned(),
        ]);
    }
    output::emit_line(&table.to_string())
}

/// `settings ...`.
pub async fn settings(console: &Console, id: &str, verb: &SettingsVerb, json: bool) -> Result<(), CoreError> {
    as_admin(console, id, async || match verb {
        SettingsVerb::List { category } => {
            let mut all = console.settings(id).await?;
            if let Some(category) = category {
                all.retain(|setting| setting.category.eq_ignore_ascii_case(category.trim()));
            }
            print_settings(&all, json)
        }
        SettingsVerb::Get { key } => {
            let setting = console.setting(id, key).await?;
            if json {
                output::emit_json_value(&setting_json(&setting))
            } else {
                print_settings(&[setting], false)
            }
        }
        SettingsVerb::Set { key, value, totp } => {
            step_up_if_production(console, id, totp.as_deref(), CHANGE_SETTINGS).await?;
            let edit = SettingEdit {
                key: key.clone(),
                seen: None,
                value: value.clone(),
            };
            let saved = console.save_settings(id, &[edit]).await?;
            match saved.changed.first() {
                Some(diff) => output::done(
                    json!({ "key": diff.key, "value_type": diff.value_type, "before": diff.before,
                            "after": diff.after, "changed": true }),
                    &format!("{}: {} -> {}", diff.key, diff.before, diff.after),
                    json,
                ),
                None => {
                    let setting = console.setting(id, key).await?;
                    let current = setting.value.unwrap_or_default();
                    output::done(
                        json!({ "key": setting.key, "value_type": setting.value_type, "before": current,
                                "after": current, "changed": false }),
                        &format!("{}: already {current}; nothing changed.", setting.key),
                        json,
                    )
                }
            }
        }
    })
    .await
}

fn realtime_json(entry: &RealtimeTable) -> serde_json::Value {
    json!({
        "schema": entry.table.schema,
        "table": entry.table.name,
        "enabled": entry.enabled,
        "events": entry.events,
        "excluded_columns": entry.excluded_columns,
        "table_exists": entry.table_exists,
        "trigger_installed": entry.trigger_installed,
        "replica_identity": entry.replica_identity,
        "restorable": entry.restorable,
        "updated_at": entry.updated_at,
    })
}

fn print_realtime(tables: &[RealtimeTable], json: bool) -> Result<(), CoreError> {
    if json {
        return output::emit_json_value(&serde_json::Value::Array(
            tables.iter().map(realtime_json).collect(),
        ));
    }
    let mut table = output::text_table(vec![
        "table",
        "enabled",
        "events",
        "left out",
        "trigger",
        "replica identity",
    ]);
    for entry in tables {
        table.add_row(vec![
            entry.table.to_string(),
            if entry.enabled { "yes" } else { "no" }.to_owned(),
            entry.events.join(","),
            entry.excluded_columns.join(","),
            if entry.trigger_installed {
                "installed"
            } else {
                "missing"
            }
            .to_owned(),
            entry.replica_identity.clone(),
        ]);
    }
    output::emit_line(&table.to_string())
}

/// `realtime ...`.
pub async fn realtime(console: &Console, id: &str, verb: &RealtimeVerb, json: bool) -> Result<(), CoreError> {
    as_admin(console, id, async || match verb {
        RealtimeVerb::List => print_realtime(&console.realtime_tables(id).await?, json),
        RealtimeVerb::Enable {
            table,
            events,
            excluded_columns,
            totp,
        } => {
            let request = RealtimeRequest {
                table: ident::parse_table_ref(table)?,
                events: events.clone(),
                excluded_columns: excluded_columns.clone(),
            };
            step_up_if_production(console, id, totp.as_deref(), CHANGE_REALTIME).await?;
            print_realtime(&[console.enable_realtime(id, &request).await?], json)
        }
        RealtimeVerb::Disable { table, totp } => {
            let table = ident::parse_table_ref(table)?;
            step_up_if_production(console, id, totp.as_deref(), CHANGE_REALTIME).await?;
            let disabled = console.disable_realtime(id, &table).await?;
            output::done(
                json!({ "schema": disabled.table.schema, "table": disabled.table.name,
                        "restored": disabled.restored, "note": disabled.note }),
                &disabled.note,
                json,
            )
        }
    })
    .await
}

fn bucket_json(bucket: &Bucket) -> serde_json::Value {
    json!({
        "id": bucket.id,
        "name": bucket.name,
        "public": bucket.public,
        "allowed_mime_types": bucket.allowed_mime_types,
        "max_file_size": bucket.max_file_size,
        "objects": bucket.objects,
        "bytes": bucket.bytes,
        "created_at": bucket.created_at,
        "updated_at": bucket.updated_at,
    })
}

/// `buckets ...`.
pub async fn buckets(console: &Console, id: &str, verb: &BucketsVerb, json: bool) -> Result<(), CoreError> {
    as_admin(console, id, async || match verb {
        BucketsVerb::List => {
            let buckets = console.buckets(id).await?;
            if json {
                return output::emit_json_value(&serde_json::Value::Array(
                    buckets.iter().map(bucket_json).collect(),
                ));
            }
            let mut table = output::text_table(vec![
                "bucket",
                "access",
                "allowed types",
                "max file size",
                "objects",
                "bytes",
            ]);
            for bucket in &buckets {
                table.add_row(vec![
                    bucket.name.clone(),
                    if bucket.public { "public" } else { "private" }.to_owned(),
                    bucket
                        .allowed_mime_types
                        .as_ref()
                        .map(|types| types.join(","))
                        .unwrap_or_else(|| "any".into()),
                    bucket
                        .max_file_size
                        .map(|size| size.to_string())
                        .unwrap_or_else(|| "no limit".into()),
                    bucket.objects.to_string(),
                    bucket.bytes.to_string(),
                ]);
            }
            output::emit_line(&table.to_string())
        }
    })
    .await
}
