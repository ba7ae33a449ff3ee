//! The console's side of audit bundles: exporting needs a signed-in admin
//! and a fresh step-up, is signed with this install's key from the OS
//! keyring, and is itself audited.

use super::Console;
use crate::audit::{self, AuditEvent, Outcome};
use crate::audit_bundle::InstanceIdentity;
use crate::audit_export::{AuditExport, AuditExportProgress, AuditExportSummary, export_bundle};
use crate::audit_log::AuditReader;
use crate::error::CoreResult;
use fluxdesk_types::EXPORT_AUDIT_LOG;
use fluxdesk_types::{AuditFilter, AuditLogPage, AuditLogRequest, Timeline};
use serde_json::json;
use tokio_util::sync::CancellationToken;

impl Console {
    /// One page of the merged audit log (Fluxdesk's chain and Fluxbase's sources).
    pub async fn audit_log(&self, id: &str, request: &AuditLogRequest) -> CoreResult<AuditLogPage> {
        let (admin, _, instance, _) = self.access_for(id)?;
        AuditReader {
            pool: instance.pool(),
            tables: super::admin_session::admin_tables(&instance),
            admin_id: admin.admin_id,
        }
        .page(request)
        .await
    }

    /// Events over time by action for the audit viewer's chart.
    pub async fn audit_timeline(&self, id: &str, filter: &AuditFilter) -> CoreResult<Timeline> {
        let (admin, _, instance, _) = self.access_for(id)?;
        AuditReader {
            pool: instance.pool(),
            tables: super::admin_session::admin_tables(&instance),
            admin_id: admin.admin_id,
        }
        .timeline(filter)
        .await
    }

    /// Exports the instance's audit chain to a signed bundle. Needs a step-up.
    pub async fn export_audit_bundle(
        &self,
        id: &str,
        request: &AuditExport,
        progress: &(dyn Fn(AuditExportProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> CoreResult<AuditExportSummary> {
        let (admin, context, instance, clock) = self.access_for(id)?;
        if !self.has_step_up(id, EXPORT_AUDIT_LOG) {
            // Refuses, in the same words as every step-up.
            self.consume_step_up(id, EXPORT_AUDIT_LOG)?;
        }
        // The keyring first: a step-up is not spent on an export that cannot sign.
        let signing_key = self.keyring.run(|keyring| keyring.audit_signing_key()).await?;
        self.consume_step_up(id, EXPORT_AUDIT_LOG)?;
        let profile = self.profile(id)?;
        // Readable only to superusers and pg_monitor members; the bundle says none otherwise.
        let system_identifier: Option<String> =
            sqlx::query_scalar("SELECT system_identifier::text FROM pg_control_system()")
                .fetch_optional(instance.pool())
                .await
                .ok()
                .flatten();
        let identity = InstanceIdentity {
            name: profile.name.clone(),
            address: format!("{}:{}/{}", profile.host, profile.port, profile.database),
            system_identifier,
            layout: format!("{:?}", instance.info().layout).to_lowercase(),
        };
        let summary = export_bundle(
            instance.pool(),
            identity,
            Some(admin.session.email.clone()),
            signing_key,
            request,
            progress,
            cancel,
        )
        .await;
        let (outcome, details) = match &summary {
            Ok(done) => (
                Outcome::Success,
                json!({ "events": done.events, "bytes": done.bytes, "public_key": done.public_key }),
            ),
            Err(error) => (Outcome::Failure, json!({ "error": error.to_string() })),
        };
        let file = request
            .path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        audit::append_alone(
            instance.pool(),
            &context,
            &AuditEvent::new(clock.now(), "audit.export", outcome)
                .target(file.unwrap_or_default())
                .details(json!({
                    "since": request.since.map(crate::clock::rfc3339),
                    "until": request.until.map(crate::clock::rfc3339),
                    "encrypted": request.passphrase.is_some(),
                    "result": details,
                })),
        )
        .await?;
        summary
    }
}
