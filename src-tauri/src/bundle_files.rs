//! Audit bundles reaching the app from the desktop: File → Open (a native
//! dialog) and the native menu. Drops on the window arrive in the UI as
//! Tauri's own `tauri://drag-drop` event, and a bundle the OS opens with
//! Fluxdesk arrives on the command line (`launch.rs`).

use fluxdesk_types::BUNDLE_EXTENSION;
use tauri::menu::{MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Runtime};
use tauri_plugin_dialog::DialogExt;

/// The menu item that opens a bundle.
const OPEN_BUNDLE: &str = "open-audit-bundle";
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

/// The File menu, with Open Audit Bundle… (Ctrl/Cmd+O) and Quit.
pub fn install_menu<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItemBuilder::with_id(OPEN_BUNDLE, "Open Audit Bundle…")
        .accelerator("CmdOrCtrl+O")
        .build(app)?;
    let file = SubmenuBuilder::new(app, "File")
        .item(&open)
        .separator()
        .quit()
        .build()?;
    app.set_menu(MenuBuilder::new(app).item(&file).build()?)?;
    app.on_menu_event(|app, event| {
        if event.id() == OPEN_BUNDLE {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                if let Some(path) = pick(&app).await
                    && let Err(error) = app.emit(BUNDLE_CHOSEN, path)
                {
                    tracing::warn!(%error, "the chosen bundle could not be passed to the window");
                }
            });
        }
    });
    Ok(())
}
