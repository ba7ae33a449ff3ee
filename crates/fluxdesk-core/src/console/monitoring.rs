//! The console's side of monitoring: a sampling round on a connected instance.

use super::Console;
use crate::admin_access::AdminTables;
use crate::error::CoreError;
use crate::error::CoreResult;
use fluxdesk_types::{BackendStop, HealthSnapshot, Protection, RESET_STATEMENTS, STOP_BACKEND};

impl Console {
    /// One sampling round of the instance's health, with Fluxdesk's own pools.
    pub async fn health_snapshot(&self, id: &str) -> CoreResult<HealthSnapshot> {
        let instance = self.instance(id)?;
        let tables = AdminTables::of(instance.info().layout);
        crate::monitoring::snapshot(instance.pool(), tables, instance.pool_statuses()).await
    }

    /// Cancels a backend's query or ends its session (the one with this pid
    /// and start time): a signed-in admin, not on a read-only profile, a
    /// step-up on production; audited.
    pub async fn stop_backend(
        &self,
        id: &str,
        pid: i32,
        started_us: i64,
        how: BackendStop,
    ) -> CoreResult<bool> {
        let (_, context, instance, clock) = self.access_for(id)?;
        self.refuse_read_only(id, "cancel or end other sessions")?;
        self.consume_step_up_on_production(id, STOP_BACKEND)?;
        crate::monitoring::stop_backend(instance.pool(), &context, pid, started_us, how, clock.now()).await
    }

    /// Resets `pg_stat_statements` for this database: a signed-in admin, not
    /// on a read-only profile, a step-up on production; audited.
    pub async fn reset_statement_stats(&self, id: &str) -> CoreResult<()> {
        let (_, context, instance, clock) = self.access_for(id)?;
        self.refuse_read_only(id, "reset the server's query statistics")?;
        self.consume_step_up_on_production(id, RESET_STATEMENTS)?;
        crate::monitoring::reset_statements(instance.pool(), &context, clock.now()).await
    }

    fn refuse_read_only(&self, id: &str, what: &str) -> CoreResult<()> {
        if self.profile(id)?.protection == Protection::ReadOnly {
            return Err(CoreError::PermissionDenied(format!(
                "This profile is read-only: it does not {what}."
            )));
        }
        Ok(())
    }
}
