//! IPC commands. Each one passes its arguments to core and converts the error.

use fluxdesk_core::{Fleet, catalog, rows};
use fluxdesk_types::{
    ApiError, ConnectionInfo, InstanceSummary, LaunchState, RowPage, RowsRequest, SchemaSummary, TableSummary,
};
use tauri::State;

use crate::launch::Startup;

type Reply<T> = Result<T, ApiError>;

#[tauri::command(rename_all = "snake_case")]
pub fn launch_state(fleet: State<'_, Fleet>, startup: State<'_, Startup>) -> LaunchState {
    LaunchState {
        instances: fleet.summaries(),
        connect_on_start: startup.connect_on_start.clone(),
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        startup_error: startup.error.clone(),
    }
}

#[tauri::command(rename_all = "snake_case")]
pub fn add_instance(fleet: State<'_, Fleet>, name: String, url: String) -> Reply<InstanceSummary> {
    Ok(fleet.add_url(&name, &url)?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn connect_instance(fleet: State<'_, Fleet>, instance_id: String) -> Reply<ConnectionInfo> {
    Ok(fleet.connect(&instance_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn disconnect_instance(fleet: State<'_, Fleet>, instance_id: String) -> Reply<()> {
    fleet.disconnect(&instance_id).await;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_schemas(fleet: State<'_, Fleet>, instance_id: String) -> Reply<Vec<SchemaSummary>> {
    Ok(catalog::list_schemas(&*fleet.instance(&instance_id)?).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_tables(
    fleet: State<'_, Fleet>,
    instance_id: String,
    schema: String,
) -> Reply<Vec<TableSummary>> {
    Ok(catalog::list_tables(&*fleet.instance(&instance_id)?, &schema).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn fetch_rows(
    fleet: State<'_, Fleet>,
    instance_id: String,
    request: RowsRequest,
) -> Reply<RowPage> {
    Ok(rows::fetch_page(&*fleet.instance(&instance_id)?, &request).await?)
}
