//! The window comes back where it was left, at the size it had.
//!
//! tauri-plugin-window-state restores the window when it opens and saves it
//! when the app exits normally. An app that is killed, or a session that
//! ends with the machine, never exits normally, so the state is also saved
//! once the window has stayed still for a moment after a move or resize.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// How long the window must stay still before its state is saved.
const SETTLE: Duration = Duration::from_millis(600);

/// The window-state plugin.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_window_state::Builder::default().build()
}

/// Counts moves and resizes, so only the last one of a drag saves.
#[derive(Default, Clone)]
pub struct WindowMoves(Arc<AtomicU64>);

/// Saves the window state once a move or resize has settled.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent, moves: &WindowMoves) {
    if !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
        return;
    }
    let this_move = moves.0.fetch_add(1, Ordering::SeqCst) + 1;
    let counter = moves.0.clone();
    let app: AppHandle<R> = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if counter.load(Ordering::SeqCst) == this_move
            && let Err(error) = app.save_window_state(StateFlags::all())
        {
            tracing::warn!(%error, "the window position could not be saved");
        }
    });
}
