//! The UI's only door to the backend: one async function per IPC command.

mod ipc;

use fluxdesk_types::{
    ApiError, ConnectionInfo, Diagnosis, EnvironmentKind, ImportReport, InstanceHealth, LaunchState,
    PendingWrite, ProfileDraft, ProfileEntry, RowPage, RowsRequest, SchemaSummary, StatementOutcome,
    TableSummary,
};
use serde::Serialize;

#[derive(Serialize)]
struct ProfileArgs<'a> {
    profile_id: &'a str,
}

#[derive(Serialize)]
struct ProfilePasswordArgs<'a> {
    profile_id: &'a str,
    password: Option<&'a str>,
}

#[derive(Serialize)]
struct DraftArgs<'a> {
    draft: &'a ProfileDraft,
}

#[derive(Serialize)]
struct PathArgs<'a> {
    path: &'a str,
}

#[derive(Serialize)]
struct PendingArgs<'a> {
    pending_id: &'a str,
}

/// What the app was started with, and every profile.
pub async fn launch_state() -> Result<LaunchState, ApiError> {
    ipc::invoke("launch_state", &()).await
}

/// Every profile, with password states and connections.
pub async fn list_profiles() -> Result<Vec<ProfileEntry>, ApiError> {
    ipc::invoke("list_profiles", &()).await
}

/// Creates or updates a profile; a password in the draft goes to the keyring.
pub async fn save_profile(draft: &ProfileDraft) -> Result<ProfileEntry, ApiError> {
    ipc::invoke("save_profile", &DraftArgs { draft }).await
}

/// Creates a profile from a `postgres://` URL; `environment` overrides the
/// guess from the host and database names.
pub async fn create_profile_from_url(
    url: &str,
    name: Option<&str>,
    environment: Option<EnvironmentKind>,
) -> Result<ProfileEntry, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        url: &'a str,
        name: Option<&'a str>,
        environment: Option<EnvironmentKind>,
    }
    ipc::invoke(
        "create_profile_from_url",
        &Args {
            url,
            name,
            environment,
        },
    )
    .await
}

/// Deletes a profile and its keyring entry.
pub async fn delete_profile(profile_id: &str) -> Result<(), ApiError> {
    ipc::invoke("delete_profile", &ProfileArgs { profile_id }).await
}

/// "Test connection" for a saved profile.
pub async fn test_profile(profile_id: &str, password: Option<&str>) -> Result<Diagnosis, ApiError> {
    ipc::invoke("test_profile", &ProfilePasswordArgs { profile_id, password }).await
}

/// "Test connection" for a profile being edited.
pub async fn test_draft(draft: &ProfileDraft) -> Result<Diagnosis, ApiError> {
    ipc::invoke("test_draft", &DraftArgs { draft }).await
}

/// Connects a profile; `password` for profiles that ask every time.
pub async fn connect_profile(profile_id: &str, password: Option<&str>) -> Result<ConnectionInfo, ApiError> {
    ipc::invoke("connect_profile", &ProfilePasswordArgs { profile_id, password }).await
}

/// Disconnects a profile.
pub async fn disconnect_profile(profile_id: &str) -> Result<(), ApiError> {
    ipc::invoke("disconnect_profile", &ProfileArgs { profile_id }).await
}

/// A profile's line in the fleet overview.
pub async fn instance_health(profile_id: &str) -> Result<InstanceHealth, ApiError> {
    ipc::invoke("instance_health", &ProfileArgs { profile_id }).await
}

/// Writes every saved profile, without passwords, to `path`.
pub async fn export_profiles(path: &str) -> Result<usize, ApiError> {
    ipc::invoke("export_profiles", &PathArgs { path }).await
}

/// Imports the profiles of an export file.
pub async fn import_profiles(path: &str) -> Result<ImportReport, ApiError> {
    ipc::invoke("import_profiles", &PathArgs { path }).await
}

/// Schemas of a connected instance.
pub async fn list_schemas(profile_id: &str) -> Result<Vec<SchemaSummary>, ApiError> {
    ipc::invoke("list_schemas", &ProfileArgs { profile_id }).await
}

/// Relations of one schema, with row estimates.
pub async fn list_tables(profile_id: &str, schema: &str) -> Result<Vec<TableSummary>, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        schema: &'a str,
    }
    ipc::invoke("list_tables", &Args { profile_id, schema }).await
}

/// One page of rows.
pub async fn fetch_rows(profile_id: &str, request: &RowsRequest) -> Result<RowPage, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        request: &'a RowsRequest,
    }
    ipc::invoke("fetch_rows", &Args { profile_id, request }).await
}

/// Runs one statement under the instance's protection.
pub async fn run_statement(profile_id: &str, sql: &str) -> Result<StatementOutcome, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        sql: &'a str,
    }
    ipc::invoke("run_statement", &Args { profile_id, sql }).await
}

/// Commits a write that awaited confirmation.
pub async fn commit_write(pending_id: &str) -> Result<PendingWrite, ApiError> {
    ipc::invoke("commit_write", &PendingArgs { pending_id }).await
}

/// Rolls back a write that awaited confirmation.
pub async fn rollback_write(pending_id: &str) -> Result<PendingWrite, ApiError> {
    ipc::invoke("rollback_write", &PendingArgs { pending_id }).await
}

/// Sets the native window title.
pub async fn set_window_title(title: &str) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        title: &'a str,
    }
    ipc::invoke("set_window_title", &Args { title }).await
}
