//! The audit viewer and offline bundle review: their calls, and the desktop
//! events that bring a bundle to the window.

use super::ipc;
use fluxdesk_types::{
    ApiError, AuditFilter, AuditLogPage, AuditLogRequest, AuditSummary, BundleExportRequest, BundleExported,
    BundleOpenRequest, BundleReview, ImpersonationReview, ReviewCsvRequest, ReviewPage, ReviewRequest,
    Timeline,
};
use serde::Serialize;

#[derive(Serialize)]
struct FilterArgs<'a> {
    profile_id: &'a str,
    filter: &'a AuditFilter,
}

#[derive(Serialize)]
struct ReviewFilterArgs<'a> {
    review_id: &'a str,
    filter: &'a AuditFilter,
}

#[derive(Serialize)]
struct ReviewArgs<'a> {
    review_id: &'a str,
}

/// One page of the merged audit log, newest first.
pub async fn audit_log(profile_id: &str, request: &AuditLogRequest) -> Result<AuditLogPage, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        request: &'a AuditLogRequest,
    }
    ipc::invoke("audit_log", &Args { profile_id, request }).await
}

/// Checks the instance's hash chain.
pub async fn verify_audit_chain(profile_id: &str) -> Result<fluxdesk_types::ChainVerification, ApiError> {
    ipc::invoke("verify_audit_chain", &super::ProfileArgs { profile_id }).await
}

/// Events over time by action, on the instance.
pub async fn audit_timeline(profile_id: &str, filter: &AuditFilter) -> Result<Timeline, ApiError> {
    ipc::invoke("audit_timeline", &FilterArgs { profile_id, filter }).await
}

/// Exports the audit chain to a signed bundle (needs a step-up).
pub async fn export_audit_bundle(
    profile_id: &str,
    export_id: &str,
    request: &BundleExportRequest,
) -> Result<BundleExported, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        export_id: &'a str,
        request: &'a BundleExportRequest,
    }
    ipc::invoke(
        "export_audit_bundle",
        &Args {
            profile_id,
            export_id,
            request,
        },
    )
    .await
}

/// Opens and verifies a bundle; its progress is polled as export `open_id`.
pub async fn open_audit_bundle(open_id: &str, request: &BundleOpenRequest) -> Result<BundleReview, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        open_id: &'a str,
        request: &'a BundleOpenRequest,
    }
    ipc::invoke("open_audit_bundle", &Args { open_id, request }).await
}

/// One page of an open bundle.
pub async fn review_page(request: &ReviewRequest) -> Result<ReviewPage, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        request: &'a ReviewRequest,
    }
    ipc::invoke("review_page", &Args { request }).await
}

/// The open bundle's timeline.
pub async fn review_timeline(review_id: &str, filter: &AuditFilter) -> Result<Timeline, ApiError> {
    ipc::invoke("review_timeline", &ReviewFilterArgs { review_id, filter }).await
}

/// Per-admin and per-action counts of the open bundle's view.
pub async fn review_summary(review_id: &str, filter: &AuditFilter) -> Result<AuditSummary, ApiError> {
    ipc::invoke("review_summary", &ReviewFilterArgs { review_id, filter }).await
}

/// The impersonations the open bundle records.
pub async fn review_impersonations(review_id: &str) -> Result<Vec<ImpersonationReview>, ApiError> {
    ipc::invoke("review_impersonations", &ReviewArgs { review_id }).await
}

/// Writes the view to CSV; returns the rows written.
pub async fn review_csv(request: &ReviewCsvRequest) -> Result<u64, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        request: &'a ReviewCsvRequest,
    }
    ipc::invoke("review_csv", &Args { request }).await
}

/// Frees an open bundle.
pub async fn close_review(review_id: &str) -> Result<(), ApiError> {
    ipc::invoke("close_review", &ReviewArgs { review_id }).await
}

/// The native Open dialog for bundles; none when cancelled.
pub async fn pick_audit_bundle() -> Result<Option<String>, ApiError> {
    ipc::invoke("pick_audit_bundle", &()).await
}

/// Calls `on_path` with each bundle (`.fxaudit`) the user drops on the
/// window or picks from the File menu, for the life of the window.
pub fn on_bundle_arrival(on_path: yew::Callback<String>) {
    let dropped = on_path.clone();
    ipc::listen("tauri://drag-drop", move |payload| {
        // Tauri's payload: { paths: [...], position: {...} }.
        if let Some(path) = payload
            .get("paths")
            .and_then(|paths| paths.as_array())
            .and_then(|paths| {
                // Other files dropped by mistake must not take the window away from its work.
                paths.iter().filter_map(|path| path.as_str()).find(|path| {
                    path.to_lowercase()
                        .ends_with(&format!(".{}", fluxdesk_types::BUNDLE_EXTENSION))
                })
            })
        {
            dropped.emit(path.to_owned());
        }
    });
    ipc::listen("fluxdesk://bundle-chosen", move |payload| {
        if let Some(path) = payload.as_str() {
            on_path.emit(path.to_owned());
        }
    });
}
