//! The console's side of impersonation: started by a signed-in admin after
//! a step-up, one per instance, ended with the admin's session, and every
//! statement run under it audited.

use super::Console;
use crate::audit::{self, AuditContext, AuditEvent, Outcome};
use crate::error::{CoreError, CoreResult};
use crate::impersonation::{self, Identity, Impersonation};
use fluxdesk_types::{
    ActiveImpersonation, AppUserMatch, ImpersonationRequest, ImpersonationTarget, RlsInsight, TableRef,
};
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

pub use fluxdesk_types::impersonation::{
    COMMIT_AS_IDENTITY as COMMIT_PURPOSE, START_IMPERSONATION as START_PURPOSE,
};

impl Console {
    /// App users whose email contains `text`, or whose id is `text`.
    pub async fn search_app_users(&self, id: &str, text: &str, limit: u32) -> CoreResult<Vec<AppUserMatch>> {
        self.require_admin(id)?;
        impersonation::search_users(self.dashboard_instance(id)?.pool(), text, limit).await
    }

    /// Starts acting as a user, anon or the service role on instance `id`:
    /// only for a signed-in admin, after a step-up, with a reason. Any
    /// earlier impersonation of this console on the instance ends first.
    pub async fn start_impersonation(
        &self,
        id: &str,
        request: &ImpersonationRequest,
    ) -> CoreResult<ActiveImpersonation> {
        let (admin, context) = self.require_admin(id).map_err(|_| {
            CoreError::SignInRequired(
                "Impersonation acts on behalf of a signed-in Fluxbase admin: sign in first.".to_owned(),
            )
        })?;
        let instance = self.dashboard_instance(id)?;
        if request.reason.trim().is_empty() {
            return Err(CoreError::InvalidInput(
                "Give a reason for the impersonation: it is recorded with it.".to_owned(),
            ));
        }
        let identity = match &request.target {
            ImpersonationTarget::User { user_id } => {
                let user_id = Uuid::parse_str(user_id.trim()).map_err(|_| {
                    CoreError::InvalidInput(format!("\"{user_id}\" is not a user id (a UUID)."))
                })?;
                impersonation::user_identity(instance.pool(), user_id).await?
            }
            ImpersonationTarget::Anon => Identity::Anon,
            ImpersonationTarget::Service => Identity::Service,
        };
        self.consume_step_up(id, START_PURPOSE)?;
        self.end_impersonation(id, "replaced by a new impersonation")
            .await;
        let started = impersonation::start(
            instance.pool(),
            &context,
            admin.admin_id,
            identity,
            &request.reason,
            self.now(),
            None,
        )
        .await?;
        let summary = started.summary();
        tracing::info!(kind = %summary.kind, session = %summary.session_id, "impersonation started");
        instance.set_impersonation(Some(Arc::new(started)));
        Ok(summary)
    }

    /// Stops the impersonation on `id`. Returns whether one was in force.
    pub async fn stop_impersonation(&self, id: &str) -> CoreResult<bool> {
        let active = self.instance(id)?.impersonation().is_some();
        self.end_impersonation(id, "stopped").await;
        Ok(active)
    }

    /// The impersonation in force on `id`, if any.
    pub fn impersonation(&self, id: &str) -> Option<ActiveImpersonation> {
        let instance = self.instance(id).ok()?;
        instance.impersonation().map(|acting| acting.summary())
    }

    /// What the impersonated identity sees of `table` against the admin.
    pub async fn rls_insight(&self, id: &str, table: &TableRef) -> CoreResult<RlsInsight> {
        self.require_admin(id)?;
        let instance = self.instance(id)?;
        let Some(acting) = instance.impersonation() else {
            return Err(CoreError::InvalidInput(
                "Start an impersonation to compare what it sees with what you see.".to_owned(),
            ));
        };
        impersonation::rls_insight(&instance, &acting, table).await
    }

    /// Ends the impersonation on `id` (if any), recording why. Never fails:
    /// it runs while signing out and disconnecting.
    pub(super) async fn end_impersonation(&self, id: &str, why: &str) {
        let Ok(instance) = self.instance(id) else {
            return;
        };
        let Some(acting) = instance.set_impersonation(None) else {
            return;
        };
        let admin = self.signed_in_admin(id);
        let ended = match self.audit_context(id, admin.as_deref()) {
            Ok(context) => impersonation::stop(instance.pool(), &context, &acting, self.now(), why).await,
            Err(error) => Err(error),
        };
        if let Err(error) = ended {
            tracing::warn!(%error, "the impersonation's row could not be ended");
        }
    }

    /// Records a statement run while impersonating that the data change
    /// itself did not record: reads, dry runs and refusals.
    pub(super) async fn audit_impersonated(
        &self,
        id: &str,
        context: Option<&AuditContext>,
        action: &str,
        details: Value,
        failure: Option<&CoreError>,
    ) -> CoreResult<()> {
        let (Some(context), Ok(instance)) = (context, self.instance(id)) else {
            return Ok(());
        };
        let Some(acting) = instance.impersonation() else {
            return Ok(());
        };
        audit::append_alone(
            instance.pool(),
            context,
            &impersonated_event(&acting, action, details, failure, self.now()),
        )
        .await?;
        Ok(())
    }
}

fn impersonated_event(
    acting: &Impersonation,
    action: &str,
    mut details: Value,
    failure: Option<&CoreError>,
    now: chrono::DateTime<chrono::Utc>,
) -> AuditEvent {
    details["impersonation"] = acting.audit_tag();
    let outcome = match failure {
        Some(error) => {
            details["error"] = json!(error.to_string());
            Outcome::Failure
        }
        None => Outcome::Success,
    };
    AuditEvent::new(now, action, outcome)
        .target(acting.email())
        .details(details)
}
