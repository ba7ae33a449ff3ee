//! Views (filter and sort) saved per table, in the webview's local storage:
//! a preference of this window, not data of the instance.

use fluxdesk_types::{ApiError, ErrorCode, RowFilter, SortKey, TableRef};
use serde::{Deserialize, Serialize};

/// A table's saved filter and sort.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedView {
    /// The filter.
    pub filter: RowFilter,
    /// The sort.
    pub sort: Vec<SortKey>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn key(profile_id: &str, table: &TableRef) -> String {
    // JSON keeps names with dots or quotes apart.
    format!(
        "fluxdesk.view.{}",
        serde_json::to_string(&(profile_id, &table.schema, &table.name)).unwrap_or_default()
    )
}

/// The view saved for `table` of `profile_id`, if any (an unreadable one is ignored).
pub fn load(profile_id: &str, table: &TableRef) -> Option<SavedView> {
    let text = storage()?.get_item(&key(profile_id, table)).ok()??;
    serde_json::from_str(&text).ok()
}

/// Saves the view for `table` of `profile_id`.
pub fn save(profile_id: &str, table: &TableRef, view: &SavedView) -> Result<(), ApiError> {
    let text = serde_json::to_string(view).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    storage()
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                "This window has no local storage to save views in.",
            )
        })?
        .set_item(&key(profile_id, table), &text)
        .map_err(|_| {
            ApiError::new(
                ErrorCode::Internal,
                "The view could not be saved (local storage is full or off).",
            )
        })
}

/// Forgets the view saved for `table` of `profile_id`.
pub fn forget(profile_id: &str, table: &TableRef) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(profile_id, table));
    }
}
