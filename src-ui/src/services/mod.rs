//! The UI's only door to the backend: one async function per IPC command.

mod ipc;

use fluxdesk_types::{
    ApiError, ConnectionInfo, InstanceSummary, LaunchState, RowPage, RowsRequest, SchemaSummary, TableSummary,
};
use serde::Serialize;

/// What the app was started with.
pub async fn launch_state() -> Result<LaunchState, ApiError> {
    ipc::invoke("launch_state", &()).await
}

#[derive(Serialize)]
struct InstanceArgs<'a> {
    instance_id: &'a str,
}

/// Adds an instance from a connection URL.
pub async fn add_instance(name: &str, url: &str) -> Result<InstanceSummary, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        name: &'a str,
        url: &'a str,
    }
    ipc::invoke("add_instance", &Args { name, url }).await
}

/// Opens (or reuses) the connection to an instance.
pub async fn connect_instance(instance_id: &str) -> Result<ConnectionInfo, ApiError> {
    ipc::invoke("connect_instance", &InstanceArgs { instance_id }).await
}

/// Closes the connection to an instance.
pub async fn disconnect_instance(instance_id: &str) -> Result<(), ApiError> {
    ipc::invoke("disconnect_instance", &InstanceArgs { instance_id }).await
}

/// Schemas of a connected instance.
pub async fn list_schemas(instance_id: &str) -> Result<Vec<SchemaSummary>, ApiError> {
    ipc::invoke("list_schemas", &InstanceArgs { instance_id }).await
}

/// Relations of one schema, with row estimates.
pub async fn list_tables(instance_id: &str, schema: &str) -> Result<Vec<TableSummary>, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        instance_id: &'a str,
        schema: &'a str,
    }
    ipc::invoke("list_tables", &Args { instance_id, schema }).await
}

/// One page of rows.
pub async fn fetch_rows(instance_id: &str, request: &RowsRequest) -> Result<RowPage, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        instance_id: &'a str,
        request: &'a RowsRequest,
    }
    ipc::invoke("fetch_rows", &Args { instance_id, request }).await
}
