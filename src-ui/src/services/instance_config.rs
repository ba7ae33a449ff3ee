//! The settings screen's calls: app.settings, realtime tables and buckets.

use super::ipc;
use fluxdesk_types::{
    ApiError, Bucket, BucketEdit, ObjectListRequest, ObjectPage, RealtimeDisabled, RealtimeRequest,
    RealtimeTable, Setting, SettingDiff, SettingEdit, SettingsSaved, TableRef,
};
use serde::Serialize;

#[derive(Serialize)]
struct EditsArgs<'a> {
    profile_id: &'a str,
    edits: &'a [SettingEdit],
}

/// The system-wide rows of `app.settings`.
pub async fn settings(profile_id: &str) -> Result<Vec<Setting>, ApiError> {
    ipc::invoke("settings", &super::ProfileArgs { profile_id }).await
}

/// What saving the staged changes would do, or why it would be refused.
pub async fn preview_settings(profile_id: &str, edits: &[SettingEdit]) -> Result<Vec<SettingDiff>, ApiError> {
    ipc::invoke("preview_settings", &EditsArgs { profile_id, edits }).await
}

/// Saves the staged changes in one transaction (a step-up on production).
pub async fn save_settings(profile_id: &str, edits: &[SettingEdit]) -> Result<SettingsSaved, ApiError> {
    ipc::invoke("save_settings", &EditsArgs { profile_id, edits }).await
}

/// The tables in `realtime.schema_registry`.
pub async fn realtime_tables(profile_id: &str) -> Result<Vec<RealtimeTable>, ApiError> {
    ipc::invoke("realtime_tables", &super::ProfileArgs { profile_id }).await
}

/// Enables realtime on a table (a step-up on production).
pub async fn enable_realtime(profile_id: &str, request: &RealtimeRequest) -> Result<RealtimeTable, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        request: &'a RealtimeRequest,
    }
    ipc::invoke("enable_realtime", &Args { profile_id, request }).await
}

/// Disables realtime on a table (a step-up on production).
pub async fn disable_realtime(profile_id: &str, table: &TableRef) -> Result<RealtimeDisabled, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        table: &'a TableRef,
    }
    ipc::invoke("disable_realtime", &Args { profile_id, table }).await
}

/// Storage buckets with what they hold.
pub async fn buckets(profile_id: &str) -> Result<Vec<Bucket>, ApiError> {
    ipc::invoke("buckets", &super::ProfileArgs { profile_id }).await
}

/// Changes a bucket's settings (a step-up on production to make it public).
pub async fn update_bucket(profile_id: &str, edit: &BucketEdit) -> Result<Bucket, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        edit: &'a BucketEdit,
    }
    ipc::invoke("update_bucket", &Args { profile_id, edit }).await
}

/// One page of a bucket's objects.
pub async fn bucket_objects(profile_id: &str, request: &ObjectListRequest) -> Result<ObjectPage, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        request: &'a ObjectListRequest,
    }
    ipc::invoke("bucket_objects", &Args { profile_id, request }).await
}
