//! Fluxdesk's own schema (`fluxdesk`) in each instance: the SQL in the
//! repository's `migrations/`, embedded at build time and applied only when
//! the admin agrees. The migration ledger lives in the `fluxdesk` schema.

use crate::error::{CoreError, CoreResult};
use fluxdesk_types::SchemaStatus;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::collections::BTreeSet;

/// Every migration this build knows.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// What is applied and what this build would apply.
pub async fn status(pool: &PgPool) -> CoreResult<SchemaStatus> {
    let has_ledger: bool = sqlx::query_scalar("SELECT to_regclass('fluxdesk._sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await?;
    let applied: Vec<i64> = if has_ledger {
        sqlx::query_scalar("SELECT version FROM fluxdesk._sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(pool)
            .await?
    } else {
        Vec::new()
    };
    let done: BTreeSet<i64> = applied.iter().copied().collect();
    let pending: Vec<String> = MIGRATOR
        .iter()
        .filter(|migration| !done.contains(&migration.version))
        .map(|migration| format!("{} {}", migration.version, migration.description))
        .collect();
    Ok(SchemaStatus {
        up_to_date: pending.is_empty(),
        applied,
        pending,
    })
}

/// Applies the pending migrations with the ledger in `fluxdesk`.
pub async fn install(pool: &PgPool) -> CoreResult<SchemaStatus> {
    // Profiles may be read-only by default; installing was explicitly agreed to.
    let options = (*pool.connect_options()).clone().options([
        ("default_transaction_read_only", "off"),
        ("search_path", "fluxdesk"),
    ]);
    // One connection of its own (never a pooled one: its settings must not leak).
    let migration_pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let result = async {
        sqlx::query("CREATE SCHEMA IF NOT EXISTS fluxdesk")
            .execute(&migration_pool)
            .await?;
        MIGRATOR.run(&migration_pool).await.map_err(|error| match error {
            sqlx::migrate::MigrateError::Execute(source) => CoreError::Query(source),
            other => CoreError::InvalidInput(format!("Installing Fluxdesk's schema failed: {other}.")),
        })
    }
    .await;
    migration_pool.close().await;
    result?;
    tracing::info!("fluxdesk schema installed or up to date");
    status(pool).await
}

/// Refuses to go on when the schema is missing or behind this build.
pub async fn require_installed(pool: &PgPool) -> CoreResult<()> {
    let status = status(pool).await?;
    if status.up_to_date {
        Ok(())
    } else {
        Err(CoreError::SchemaNotInstalled(format!(
            "Fluxdesk's schema is not installed in this instance (pending: {}). Install it to sign in; it keeps the audit trail.",
            status.pending.join(", ")
        )))
    }
}
