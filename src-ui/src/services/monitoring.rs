//! The monitoring view's calls.

use super::ipc;
use fluxdesk_types::{ApiError, BackendStop, HealthSnapshot};
use serde::Serialize;

/// One sampling round of the instance's health.
pub async fn health_snapshot(profile_id: &str) -> Result<HealthSnapshot, ApiError> {
    ipc::invoke("health_snapshot", &super::ProfileArgs { profile_id }).await
}

/// Cancels a backend's query or ends its session, the one with this pid
/// and start time (a step-up on production).
pub async fn stop_backend(
    profile_id: &str,
    pid: i32,
    started_us: i64,
    how: BackendStop,
) -> Result<bool, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        pid: i32,
        started_us: i64,
        how: BackendStop,
    }
    ipc::invoke(
        "stop_backend",
        &Args {
            profile_id,
            pid,
            started_us,
            how,
        },
    )
    .await
}

/// Resets this database's `pg_stat_statements` (a step-up on production).
pub async fn reset_statement_stats(profile_id: &str) -> Result<(), ApiError> {
    ipc::invoke("reset_statement_stats", &super::ProfileArgs { profile_id }).await
}

/// Saves a chart's SVG as `.svg` or `.png` (a bare name lands in Downloads); returns the path.
pub async fn save_chart(path: &str, svg: &str) -> Result<String, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        path: &'a str,
        svg: &'a str,
    }
    ipc::invoke("save_chart", &Args { path, svg }).await
}
