//! Exports in flight, by the id the UI gave them: their latest progress, to
//! poll, and their cancellation token.

use fluxdesk_core::audit_export::AuditExportProgress;
use fluxdesk_types::ExportProgress;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Each export's latest progress and its cancellation token, by id.
type Board = HashMap<String, (Option<ExportProgress>, CancellationToken)>;

/// The app's running exports.
#[derive(Clone, Default)]
pub struct RunningExports {
    entries: Arc<Mutex<Board>>,
}

impl RunningExports {
    /// Registers export `id`; returns its cancellation token.
    pub fn begin(&self, id: &str) -> CancellationToken {
        // A Cancel that arrived first has already left its token, cancelled.
        self.lock()
            .entry(id.to_owned())
            .or_insert_with(|| (None, CancellationToken::new()))
            .1
            .clone()
    }

    /// Records how far export `id` has come.
    pub fn report(&self, id: &str, progress: ExportProgress) {
        if let Some(entry) = self.lock().get_mut(id) {
            entry.0 = Some(progress);
        }
    }

    /// The latest progress of export `id`.
    pub fn progress(&self, id: &str) -> Option<ExportProgress> {
        self.lock().get(id).and_then(|entry| entry.0.clone())
    }

    /// Cancels export `id`, even if its start has not reached us yet.
    pub fn cancel(&self, id: &str) {
        self.lock()
            .entry(id.to_owned())
            .or_insert_with(|| (None, CancellationToken::new()))
            .1
            .cancel();
    }

    /// Forgets export `id`.
    pub fn finish(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (Option<ExportProgress>, CancellationToken)>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Where a file name typed in the app goes: relative names land in the
/// user's Downloads folder (or home), never in the app's working directory.
pub fn resolve_path(path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        return path.to_owned();
    }
    dirs::download_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_default()
        .join(path)
}

/// An audit export's progress on the same board as row exports: events as rows.
pub fn events_progress(progress: AuditExportProgress) -> ExportProgress {
    ExportProgress {
        rows: progress.events,
        bytes: 0,
        estimated_rows: i64::try_from(progress.total).ok(),
    }
}

/// Opening a bundle, on the same board: events read as rows.
pub fn read_progress(events: u64) -> ExportProgress {
    ExportProgress {
        rows: events,
        bytes: 0,
        estimated_rows: None,
    }
}
