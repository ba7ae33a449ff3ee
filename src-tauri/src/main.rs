//! Fluxdesk's desktop shell: the window, the IPC commands and the app state.
//!
//! Everything of substance lives in `fluxdesk-core`; the commands here only
//! pass arguments through and convert errors to the IPC `{code, message}`.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod launch;

use fluxdesk_core::Fleet;
use fluxdesk_core::logging::{WorkerGuard, init_file_logging};
use std::sync::Mutex;
use tauri::Manager;

/// Keeps the log writer alive until the app exits, then flushes it.
struct LogFlush(Mutex<Option<WorkerGuard>>);

fn main() {
    let fleet = Fleet::new();
    let startup = launch::LaunchOptions::from_env_and_args().register_startup_instance(&fleet);

    let app = tauri::Builder::default()
        .manage(fleet)
        .setup(|app| {
            let log_dir = app.path().app_log_dir()?;
            let guard = init_file_logging(&log_dir, "fluxdesk")
                .inspect_err(|error| eprintln!("fluxdesk: logging to a file is off: {error}"))
                .ok();
            app.manage(LogFlush(Mutex::new(guard)));
            tracing::info!(version = env!("CARGO_PKG_VERSION"), log_dir = %log_dir.display(), "Fluxdesk started");
            if let Some(error) = &startup.error {
                tracing::warn!(message = %error.message, "the instance given at launch is unusable");
            }
            app.manage(startup);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::launch_state,
            commands::add_instance,
            commands::connect_instance,
            commands::disconnect_instance,
            commands::list_schemas,
            commands::list_tables,
            commands::fetch_rows,
        ])
        .build(tauri::generate_context!())
        .expect("Fluxdesk could not build its window");

    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            tracing::info!("Fluxdesk exiting");
            if let Some(flush) = handle.try_state::<LogFlush>() {
                drop(flush.0.lock().ok().and_then(|mut guard| guard.take()));
            }
        }
    });
}
