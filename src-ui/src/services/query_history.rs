//! The SQL tab's history: every statement run, with when, how long, how many
//! rows and how it ended, kept per instance in the webview's local storage.

use serde::{Deserialize, Serialize};

/// Entries kept per instance; the oldest go first.
pub const HISTORY_LIMIT: usize = 500;

/// One statement that was run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The statement.
    pub sql: String,
    /// When it ran, in milliseconds since the epoch.
    pub at_ms: f64,
    /// How long it took, in milliseconds.
    pub duration_ms: f64,
    /// Rows returned or affected.
    pub rows: u64,
    /// `done`, `committed`, `awaiting confirmation` or the error code.
    pub outcome: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn key(profile_id: &str) -> String {
    format!(
        "fluxdesk.history.{}",
        serde_json::to_string(profile_id).unwrap_or_default()
    )
}

/// The instance's history, newest first.
pub fn load(profile_id: &str) -> Vec<HistoryEntry> {
    storage()
        .and_then(|s| s.get_item(&key(profile_id)).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Adds an entry (newest first), keeping at most [`HISTORY_LIMIT`].
pub fn record(profile_id: &str, entry: HistoryEntry) -> Vec<HistoryEntry> {
    let mut entries = load(profile_id);
    entries.insert(0, entry);
    entries.truncate(HISTORY_LIMIT);
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&entries)) {
        let _ = storage.set_item(&key(profile_id), &text);
    }
    entries
}

/// Entries whose statement contains `search`, ignoring case.
pub fn matching<'a>(entries: &'a [HistoryEntry], search: &str) -> Vec<&'a HistoryEntry> {
    let needle = search.trim().to_lowercase();
    entries
        .iter()
        .filter(|entry| needle.is_empty() || entry.sql.to_lowercase().contains(&needle))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(sql: &str) -> HistoryEntry {
        HistoryEntry {
            sql: sql.into(),
            at_ms: 0.0,
            duration_ms: 1.0,
            rows: 1,
            outcome: "done".into(),
        }
    }

    #[test]
    fn search_ignores_case_and_blank_shows_all() {
        let entries = vec![entry("SELECT * FROM todos"), entry("update projects set x = 1")];
        assert_eq!(matching(&entries, "TODOS").len(), 1);
        assert_eq!(matching(&entries, "  ").len(), 2);
        assert_eq!(matching(&entries, "nothing").len(), 0);
    }
}
