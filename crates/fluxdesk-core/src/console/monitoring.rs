//! The console's side of monitoring: a sampling round on a connected instance.

use super::Console;
use crate::admin_access::AdminTables;
use crate::error::CoreResult;
use fluxdesk_types::HealthSnapshot;

impl Console {
    /// One sampling round of the instance's health, with Fluxdesk's own pools.
    pub async fn health_snapshot(&self, id: &str) -> CoreResult<HealthSnapshot> {
        let instance = self.instance(id)?;
        let tables = AdminTables::of(instance.info().layout);
        crate::monitoring::snapshot(instance.pool(), tables, instance.pool_statuses()).await
    }
}
