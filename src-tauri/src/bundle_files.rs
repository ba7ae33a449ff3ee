//! Audit bundles reaching the app from the desktop: File → Open (a native
//! dialog) and the native menu. Drops on the window arrive in the UI as
//! Tauri's own `tauri://drag-drop` event, and a bundle the OS opens with
//! Fluxdesk arrives on the command line (`launch.rs`).

use fluxdesk_types::BUNDLE_EXTENSION;
use tauri::menu::{Menu, MenuItemBuilder, MenuItemKind, PredefinedMenuItem, SubmenuBuilder};
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

/// The platform's default menu (Edit keeps copy and paste working, macOS
/// keeps its app menu) with Open Audit Bundle… (Ctrl/Cmd+O) first in File;
/// Linux's default has no File menu, so one is added there.
pub fn install_menu<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItemBuilder::with_id(OPEN_BUNDLE, "Open Audit Bundle…")
        .accelerator("CmdOrCtrl+O")
        .build(app)?;
    let menu = Menu::default(app)?;
    let file = menu.items()?.into_iter().find_map(|item| match item {
        MenuItemKind::Submenu(submenu) if submenu.text().is_ok_and(|text| text == "File") => Some(submenu),
        _ => None,
    });
    match file {
        Some(file) => file.prepend_items(&[&open, &PredefinedMenuItem::separator(app)?])?,
        None => menu.prepend(
            &SubmenuBuilder::new(app, "File")
                .item(&open)
                .separator()
                .quit()
                .build()?,
        )?,
    }
    app.set_menu(menu)?;
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
