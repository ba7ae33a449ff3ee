//! Impersonation: the switcher's search, start and stop, what the identity
//! sees of a table, and committing a dry run as the identity.

use super::ipc;
use fluxdesk_types::{
    ActiveImpersonation, ApiError, AppUserMatch, ChangeOutcome, ChangeSet, ImpersonationRequest, RlsInsight,
    StatementOutcome, TableRef,
};
use serde::Serialize;

#[derive(Serialize)]
struct ProfileArgs<'a> {
    profile_id: &'a str,
}

/// App users whose email contains `text`, or whose id is `text` (on the server).
pub async fn search_app_users(profile_id: &str, text: &str) -> Result<Vec<AppUserMatch>, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        text: &'a str,
    }
    ipc::invoke("search_app_users", &Args { profile_id, text }).await
}

/// Starts acting as a user, anon or the service role (needs a step-up).
pub async fn start_impersonation(
    profile_id: &str,
    request: &ImpersonationRequest,
) -> Result<ActiveImpersonation, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        request: &'a ImpersonationRequest,
    }
    ipc::invoke("start_impersonation", &Args { profile_id, request }).await
}

/// Stops the impersonation; returns whether one was in force.
pub async fn stop_impersonation(profile_id: &str) -> Result<bool, ApiError> {
    ipc::invoke("stop_impersonation", &ProfileArgs { profile_id }).await
}

/// The impersonation in force on an instance, if any.
pub async fn active_impersonation(profile_id: &str) -> Result<Option<ActiveImpersonation>, ApiError> {
    ipc::invoke("active_impersonation", &ProfileArgs { profile_id }).await
}

/// What the impersonated identity sees of a table, against the admin.
pub async fn rls_insight(profile_id: &str, table: &TableRef) -> Result<RlsInsight, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        table: &'a TableRef,
    }
    ipc::invoke("rls_insight", &Args { profile_id, table }).await
}

/// Runs a statement again as impersonation `acting_as` and commits it
/// (after a step-up); refused if another impersonation is in force.
pub async fn commit_statement_as_identity(
    profile_id: &str,
    sql: &str,
    run_id: Option<&str>,
    acting_as: &str,
) -> Result<StatementOutcome, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        sql: &'a str,
        run_id: Option<&'a str>,
        acting_as: &'a str,
    }
    ipc::invoke(
        "commit_statement_as_identity",
        &Args {
            profile_id,
            sql,
            run_id,
            acting_as,
        },
    )
    .await
}

/// Applies staged changes as impersonation `acting_as` and commits them
/// (after a step-up); refused if another impersonation is in force.
pub async fn commit_changes_as_identity(
    profile_id: &str,
    changes: &ChangeSet,
    acting_as: &str,
) -> Result<ChangeOutcome, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        changes: &'a ChangeSet,
        acting_as: &'a str,
    }
    ipc::invoke(
        "commit_changes_as_identity",
        &Args {
            profile_id,
            changes,
            acting_as,
        },
    )
    .await
}
