//! Audit bundles reaching the app from the desktop: File → Open Audit
//! Bundle… runs the native dialog here. Drops on the window arrive in the UI
//! as Tauri's own `tauri://drag-drop` event; a bundle the OS opens with
//! Fluxdesk arrives on the command line (`launch.rs`), from a second launch
//! (`second_launch.rs`), or on macOS as an event (`opened`).

use fluxdesk_types::BUNDLE_EXTENSION;
use tauri::{AppHandle, Emitter, Runtime};
use tauri_plugin_dialog::DialogExt;

/// The event telling the UI which bundle the user chose from the menu.
pub const BUNDLE_CHOSEN: &str = "fluxdesk://bundle-chosen";

/// The native Open dialog, filtered to audit bundles.
pub async fn pick<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Open an audit bundle")
        .add_filter("Fluxdesk audit bundle", &[BUNDLE_EXTENSION])
        .pick_file(move |chosen| {
            let _ = sender.send(chosen.and_then(|path| path.into_path().ok()));
        });
    receiver
        .await
        .ok()
        .flatten()
        .map(|path| path.display().to_string())
}

/// The native Save dialog, suggesting `suggested` and filtered to `extension`;
/// none when the user cancels.
pub async fn pick_save<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    suggested: &str,
    extension: &str,
) -> Option<String> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title(title)
        .set_file_name(suggested)
        .add_filter(extension.to_uppercase(), &[extension])
        .save_file(move |chosen| {
            let _ = sender.send(chosen.and_then(|path| path.into_path().ok()));
        });
    receiver
        .await
        .ok()
        .flatten()
        .map(|path| path.display().to_string())
}

/// Runs the native Open dialog and passes the chosen bundle to the window
/// (File → Open Audit Bundle…).
pub fn choose<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(path) = pick(&app).await
            && let Err(error) = app.emit(BUNDLE_CHOSEN, path)
        {
            tracing::warn!(%error, "the chosen bundle could not be passed to the window");
        }
    });
}

/// A bundle the OS handed over before the window could listen (macOS sends
/// opened files as an event, not on the command line), kept for the launch state.
#[derive(Default)]
pub struct ArrivedBundle(std::sync::Mutex<Option<String>>);

impl ArrivedBundle {
    /// Takes the bundle waiting, if any.
    pub fn take(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }
}

/// Hands files the OS opened with Fluxdesk to the window, and keeps the
/// last one for a window that is not listening yet.
// Linux and Windows pass opened files on the command line instead.
#[cfg_attr(not(any(target_os = "macos", target_os = "ios")), allow(dead_code))]
pub fn opened<R: Runtime>(app: &AppHandle<R>, paths: Vec<std::path::PathBuf>) {
    for path in paths {
        let path = path.display().to_string();
        if let Some(arrived) = tauri::Manager::try_state::<ArrivedBundle>(app) {
            *arrived.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(path.clone());
        }
        if let Err(error) = app.emit(BUNDLE_CHOSEN, path) {
            tracing::warn!(%error, "the opened bundle could not be passed to the window");
        }
    }
}
