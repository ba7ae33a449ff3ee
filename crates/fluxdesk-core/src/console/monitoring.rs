//! The console's side of monitoring: a sampling round on a connected instance.

use super::Console;
use crate::admin_access::AdminTables;
use crate::error::CoreResult;
use fluxdesk_types::{BackendStop, HealthSnapshot, Protection, STOP_BACKEND};

impl Console {
    /// One sampling round of the instance's health, with Fluxdesk's own pools.
    pub async fn health_snapshot(&self, id: &str) -> CoreResult<HealthSnapshot> {
        let instance = self.instance(id)?;
        let tables = AdminTables::of(instance.info().layout);
        crate::monitoring::snapshot(instance.pool(), tables, instance.pool_statuses()).await
    }

    /// Cancels a backend's query or ends its session: a signed-in admin, not
    /// on a read-only profile, a step-up on production; audited.
    pub async fn stop_backend(&self, id: &str, pid: i32, how: BackendStop) -> CoreResult<bool> {
        let (_, context, instance, clock) = self.access_for(id)?;
        if self.profile(id)?.protection == Protection::ReadOnly {
            return Err(crate::error::CoreError::PermissionDenied(
                "This profile is read-only: it does not cancel or end other sessions.".into(),
            ));
        }
        self.consume_step_up_on_production(id, STOP_BACKEND)?;
        crate::monitoring::stop_backend(instance.pool(), &context, pid, how, clock.now()).await
    }

    /// Resets `pg_stat_statements` for this database (a signed-in admin; audited).
    pub async fn reset_statement_stats(&self, id: &str) -> CoreResult<()> {
        let (_, context, instance, clock) = self.access_for(id)?;
        crate::monitoring::reset_statements(instance.pool(), &context, clock.now()).await
    }
}
