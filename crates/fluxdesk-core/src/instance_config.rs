//! Instance configuration on behalf of a signed-in admin: `app.settings`,
//! the tables publishing realtime changes, and storage buckets.
//!
//! Every change runs in one transaction with its audit events, under the
//! admin's claims; read-only profiles leave that transaction read-only, so
//! their server refuses the change.

use crate::admin_access::{AdminTables, begin_as, begin_change_as};
use crate::audit::AuditContext;
use crate::clock::{Clock, to_database_precision};
use crate::error::CoreResult;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgPool;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

mod buckets;
mod realtime;
mod settings;

pub use buckets::{MAX_FILE_SIZE_LIMIT, validated_edit};
pub(crate) use settings::user_settings;
pub use settings::{display_value, parse_value, stored_value};

/// Configuration of one instance, changed by one signed-in admin.
#[derive(Debug)]
pub struct InstanceConfig<'a> {
    pool: &'a PgPool,
    clock: &'a dyn Clock,
    context: AuditContext,
    acting_admin: Uuid,
    /// The admin's `role` in the admin users table.
    admin_role: String,
    tables: AdminTables,
}

impl<'a> InstanceConfig<'a> {
    /// Configuration changed by `acting_admin`, whose role is `admin_role`.
    pub fn new(
        pool: &'a PgPool,
        clock: &'a dyn Clock,
        context: AuditContext,
        acting_admin: Uuid,
        admin_role: String,
        tables: AdminTables,
    ) -> Self {
        InstanceConfig {
            pool,
            clock,
            context,
            acting_admin,
            admin_role,
            tables,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        to_database_precision(self.clock.now())
    }

    /// A transaction under the admin's claims (storage and realtime are FORCE RLS).
    async fn read(&self) -> CoreResult<Transaction<'static, Postgres>> {
        begin_as(self.pool, self.tables.admin_role, self.acting_admin).await
    }

    /// A transaction for a change; a read-only profile's server refuses it.
    async fn write(&self) -> CoreResult<Transaction<'static, Postgres>> {
        begin_change_as(self.pool, self.tables.admin_role, self.acting_admin).await
    }
}
