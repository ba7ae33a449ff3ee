//! What the About dialog reports about this installation.

use fluxdesk_types::Diagnostics;
use tauri::{AppHandle, Manager, Runtime};

/// Versions, platform and folders; nothing from the profiles or the keyring.
pub fn diagnostics<R: Runtime>(app: &AppHandle<R>) -> Diagnostics {
    let folder = |path: tauri::Result<std::path::PathBuf>| {
        path.map(|path| path.display().to_string())
            .unwrap_or_else(|error| format!("unknown ({error})"))
    };
    Diagnostics {
        app_version: app.package_info().version.to_string(),
        tauri_version: tauri::VERSION.to_owned(),
        webview_version: tauri::webview_version().unwrap_or_else(|error| format!("unknown ({error})")),
        platform: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        log_dir: folder(app.path().app_log_dir()),
        data_dir: folder(app.path().app_data_dir()),
    }
}
