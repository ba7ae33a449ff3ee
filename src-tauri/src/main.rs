//! Fluxdesk's desktop shell: the window, the IPC commands and the app state.
//!
//! Everything of substance lives in `fluxdesk-core`; the commands here only
//! pass arguments through and convert errors to the IPC `{code, message}`.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod launch;

use fluxdesk_core::Fleet;
use std::sync::Mutex;
use tauri::Manager;

/// Keeps the log writer alive until the app exits, then flushes it.
struct LogFlush(Mutex<Option<fluxdesk_core::logging::WorkerGuard>>);

fn main() {
    let launch = launch::LaunchOptions::from_env_and_args();
    let fleet = Fleet::new();
    let connect_on_start = launch.register_startup_instance(&fleet);

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .manage(fleet)
        .manage(commands::Startup { connect_on_start })
        .setup(|app| {
            let log_dir = app.path().app_log_dir()?;
            let guard = fluxdesk_core::logging::init_file_logging(&log_dir, "fluxdesk").ok();
            app.manage(LogFlush(Mutex::new(guard)));
            tracing::info!(version = env!("CARGO_PKG_VERSION"), log_dir = %log_dir.display(), "Fluxdesk started");
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
