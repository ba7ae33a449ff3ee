//! IPC commands. Each one passes its arguments to the console and converts the error.

use crate::launch::Startup;
use fluxdesk_core::Console;
use fluxdesk_types::{
    ApiError, ConnectionInfo, Diagnosis, EnvironmentKind, ImportReport, InstanceHealth, LaunchState,
    PendingWrite, ProfileDraft, ProfileEntry, RowPage, RowsRequest, SchemaSummary, StatementOutcome,
    TableSummary,
};
use std::path::PathBuf;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command(rename_all = "snake_case")]
pub async fn launch_state(console: State<'_, Console>, startup: State<'_, Startup>) -> Reply<LaunchState> {
    Ok(LaunchState {
        profiles: console.profiles().await?,
        connect_on_start: startup.connect_on_start.clone(),
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        startup_error: startup.error.clone(),
        keyring_error: console.keyring_status().await.err().map(ApiError::from),
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_profiles(console: State<'_, Console>) -> Reply<Vec<ProfileEntry>> {
    Ok(console.profiles().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_profile(console: State<'_, Console>, draft: ProfileDraft) -> Reply<ProfileEntry> {
    Ok(console.save_profile(draft).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_profile_from_url(
    console: State<'_, Console>,
    url: String,
    name: Option<String>,
    environment: Option<EnvironmentKind>,
) -> Reply<ProfileEntry> {
    Ok(console
        .create_from_url(&url, name.as_deref(), environment)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_profile(console: State<'_, Console>, profile_id: String) -> Reply<()> {
    console.delete_profile(&profile_id).await?;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn test_profile(
    console: State<'_, Console>,
    profile_id: String,
    password: Option<String>,
) -> Reply<Diagnosis> {
    Ok(console.test_profile(&profile_id, password).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn test_draft(console: State<'_, Console>, draft: ProfileDraft) -> Reply<Diagnosis> {
    Ok(console.test_draft(draft).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn connect_profile(
    console: State<'_, Console>,
    profile_id: String,
    password: Option<String>,
) -> Reply<ConnectionInfo> {
    Ok(console.connect(&profile_id, password).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn disconnect_profile(console: State<'_, Console>, profile_id: String) -> Reply<()> {
    console.disconnect(&profile_id).await;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn instance_health(console: State<'_, Console>, profile_id: String) -> Reply<InstanceHealth> {
    Ok(console.health(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn export_profiles(console: State<'_, Console>, path: PathBuf) -> Reply<usize> {
    Ok(console.export_profiles_to(&path)?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_profiles(console: State<'_, Console>, path: PathBuf) -> Reply<ImportReport> {
    Ok(console.import_profiles_from(&path).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_schemas(console: State<'_, Console>, profile_id: String) -> Reply<Vec<SchemaSummary>> {
    Ok(console.schemas(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_tables(
    console: State<'_, Console>,
    profile_id: String,
    schema: String,
) -> Reply<Vec<TableSummary>> {
    Ok(console.tables(&profile_id, &schema).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn fetch_rows(
    console: State<'_, Console>,
    profile_id: String,
    request: RowsRequest,
) -> Reply<RowPage> {
    Ok(console.rows(&profile_id, &request).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn run_statement(
    console: State<'_, Console>,
    profile_id: String,
    sql: String,
) -> Reply<StatementOutcome> {
    Ok(console.run_statement(&profile_id, &sql).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn commit_write(console: State<'_, Console>, pending_id: String) -> Reply<PendingWrite> {
    Ok(console.commit_write(&pending_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rollback_write(console: State<'_, Console>, pending_id: String) -> Reply<PendingWrite> {
    Ok(console.rollback_write(&pending_id).await?)
}

/// The native window title names the instance on display, so a production
/// window is recognisable in the taskbar and window switcher too.
#[tauri::command(rename_all = "snake_case")]
pub fn set_window_title(window: tauri::Window, title: String) -> Reply<()> {
    window.set_title(&title).map_err(|error| {
        ApiError::new(
            fluxdesk_types::ErrorCode::Internal,
            format!("Cannot set the window title: {error}"),
        )
    })
}
