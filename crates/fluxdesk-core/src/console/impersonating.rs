//! The console's side of impersonation: started by a signed-in admin after
//! a step-up, one per instance, ended with the admin's session, and every
//! statement run under it audited.

use super::Console;
use crate::audit::{self, AuditContext, AuditEvent, Outcome};
use crate::error::{CoreError, CoreResult};
use crate::impersonation::{self, Identity, ImpersonatedWrite, Impersonation, Shown};
use fluxdesk_types::{
    ActiveImpersonation, AppUserMatch, FluxbaseLayout, ImpersonationRequest, ImpersonationTarget, Protection,
    RlsInsight, TableRef,
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
        // The 2026.3.7 layout scopes requests to a tenant; 2026.3.6 has none.
        let tenant = match instance.info().layout {
            FluxbaseLayout::Platform => impersonation::tenant_of(instance.pool(), &identity).await?,
            _ => None,
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
            tenant,
        )
        .await?;
        let summary = started.summary();
        tracing::info!(kind = %summary.kind, session = %summary.session_id, "impersonation started");
        if let Some(replaced) = instance.set_impersonation(Some(Arc::new(started))) {
            // Two starts raced: the row of the one replaced must end too.
            let stopped =
                impersonation::stop(instance.pool(), &context, &replaced, self.now(), "replaced").await;
            if let Err(error) = stopped {
                tracing::warn!(%error, "the replaced impersonation's row could not be ended");
            }
        }
        // Signed out, or another admin signed in, while this started: it must
        // not outlive the admin who asked for it.
        if self.signed_in_admin(id).map(|signed_in| signed_in.admin_id) != Some(admin.admin_id) {
            self.end_impersonation(id, "the admin signed out while it started")
                .await;
            return Err(CoreError::SignInRequired(
                "The admin signed out while the impersonation started, so it was ended.".to_owned(),
            ));
        }
        Ok(summary)
    }

    /// Stops the impersonation on `id`. Returns whether one was in force.
    pub async fn stop_impersonation(&self, id: &str) -> CoreResult<bool> {
        let active = self.instance(id)?.impersonation().is_some();
        self.end_impersonation(id, "stopped").await;
        Ok(active)
    }

    /// The impersonation in force on `id`, checked against its row: one
    /// ended elsewhere (another Fluxdesk or the web dashboard ends an admin's
    /// sessions when it starts one) ends here too.
    pub async fn current_impersonation(&self, id: &str) -> CoreResult<Option<ActiveImpersonation>> {
        let instance = self.instance(id)?;
        let Some(acting) = instance.impersonation() else {
            return Ok(None);
        };
        if impersonation::still_active(instance.pool(), acting.session_id).await? {
            return Ok(Some(acting.summary()));
        }
        if instance
            .impersonation()
            .is_some_and(|now| now.session_id == acting.session_id)
        {
            self.end_impersonation(id, "ended elsewhere").await;
        }
        Ok(None)
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
    /// `acting` is the impersonation that was in force when the work began.
    pub(super) async fn audit_impersonated(
        &self,
        id: &str,
        acting: Option<&Impersonation>,
        context: Option<&AuditContext>,
        action: &str,
        details: Value,
        failure: Option<&CoreError>,
    ) -> CoreResult<()> {
        let (Some(acting), Some(context), Ok(instance)) = (acting, context, self.instance(id)) else {
            return Ok(());
        };
        audit::append_alone(
            instance.pool(),
            context,
            &impersonated_event(acting, action, details, failure, self.now()),
        )
        .await?;
        Ok(())
    }

    /// Before committing as the identity: the impersonation the window
    /// shows is still the one in force, and a fresh step-up is at hand.
    pub(super) async fn confirm_commit_as_identity(
        &self,
        id: &str,
        acting_as: &str,
    ) -> CoreResult<ImpersonatedWrite> {
        let Shown::Session(expected) = shown(Some(acting_as))? else {
            return Err(CoreError::InvalidInput(
                "Name the impersonation to commit as; none is shown.".to_owned(),
            ));
        };
        self.gate_data(id).await?;
        if self.profile(id)?.protection == Protection::ReadOnly {
            return Err(CoreError::InvalidInput(
                "This profile is read-only: the server refuses every write, as any identity.".to_owned(),
            ));
        }
        let impersonated = ImpersonatedWrite {
            expected: Shown::Session(expected),
            commit: true,
        };
        impersonated.check(self.instance(id)?.impersonation().as_deref())?;
        self.consume_step_up(id, COMMIT_PURPOSE)?;
        Ok(impersonated)
    }
}

/// What the window shows as in force: nothing said (`None`), nobody (an
/// empty string), or an impersonation session id.
pub(super) fn shown(acting_as: Option<&str>) -> CoreResult<Shown> {
    match acting_as.map(str::trim) {
        None => Ok(Shown::Unknown),
        Some("") => Ok(Shown::Nothing),
        Some(text) => Uuid::parse_str(text)
            .map(Shown::Session)
            .map_err(|_| CoreError::InvalidInput(format!("\"{text}\" is not an impersonation session id."))),
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
