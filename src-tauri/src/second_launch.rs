//! A second launch hands over to the running app and exits: the running
//! window comes to the front, and an audit bundle the second launch was given
//! (the OS passes it when the user opens a `.fxaudit` file) opens there.

use std::hash::{Hash, Hasher};
use std::path::Path;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};

/// The single-instance plugin; register it before every other plugin.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_name())
        .callback(|app, argv, cwd| handed_over(app, &argv, Path::new(&cwd)))
        .build()
}

/// The D-Bus name (Linux) of the running app, one per data folder: two
/// users, or two test runs with their own HOME, never hand over to each other.
fn instance_name() -> String {
    let data = dirs::data_dir().unwrap_or_default();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut hasher);
    format!("dev.fluxdesk.app.h{:016x}", hasher.finish())
}

fn handed_over<R: Runtime>(app: &AppHandle<R>, argv: &[String], cwd: &Path) {
    tracing::info!("a second launch handed over to this window");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Some(bundle) = crate::launch::bundle_in(argv, cwd) {
        crate::bundle_files::opened(app, vec![bundle]);
    }
}
