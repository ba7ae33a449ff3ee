//! Fluxdesk's desktop shell: the window, the IPC commands and the app state.
//!
//! Everything of substance lives in `fluxdesk-core`; the commands here only
//! pass arguments through and convert errors to the IPC `{code, message}`.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bundle_files;
mod commands;
#[cfg(unix)]
mod demo;
mod desktop_info;
mod exports;
mod finished_work;
mod launch;
mod menu;
mod profile_store;
mod second_launch;
mod settings;
mod window_memory;

use fluxdesk_core::logging::{WorkerGuard, init_file_logging};
use fluxdesk_core::{Console, Keyring};
use std::sync::Mutex;
use tauri::Manager;

/// Keeps the log writer alive until the app exits, then flushes it.
struct LogFlush(Mutex<Option<WorkerGuard>>);

fn main() {
    let launch = launch::LaunchOptions::from_env_and_args();

    let moves = window_memory::WindowMoves::default();
    let app = tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(second_launch::plugin())
        .plugin(window_memory::plugin())
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_notification::init())
        .on_window_event(move |window, event| window_memory::on_window_event(window, event, &moves))
        .setup(move |app| {
            let log_dir = app.path().app_log_dir()?;
            let guard = init_file_logging(&log_dir, "fluxdesk")
                .inspect_err(|error| eprintln!("fluxdesk: logging to a file is off: {error}"))
                .ok();
            app.manage(LogFlush(Mutex::new(guard)));
            tracing::info!(version = env!("CARGO_PKG_VERSION"), log_dir = %log_dir.display(), "Fluxdesk started");

            let profiles = profile_store::StoredProfiles::new(app.handle());
            let console = Console::new(Box::new(profiles), Keyring::new(Keyring::default_service()));
            console.set_client("fluxdesk-app");
            // The app acts as a named admin: no browsing before sign-in.
            console.require_sign_in(true);
            let policy = launch.session_policy(settings::load_session_policy(app.handle()));
            if let Err(error) = console.set_session_policy(policy) {
                tracing::warn!(%error, "ignoring an invalid session policy");
            }
            let startup = launch.register(&console);
            if let Some(error) = &startup.error {
                tracing::warn!(message = %error.message, "the instance given at launch is unusable");
            }
            app.manage(console);
            app.manage(exports::RunningExports::default());
            app.manage(fluxdesk_core::audit_review::OpenReviews::default());
            app.manage(bundle_files::ArrivedBundle::default());
            #[cfg(unix)]
            app.manage(demo::RunningDemo::default());
            menu::install(app.handle())?;
            app.manage(startup);
            settings::apply_theme(app.handle(), settings::load_theme(app.handle()));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::launch_state,
            commands::app_users,
            commands::app_user_detail,
            commands::app_roles,
            commands::create_user_search_index,
            commands::invite_app_user,
            commands::set_app_user_role,
            commands::set_app_user_metadata,
            commands::reset_app_user_password,
            commands::lock_app_user,
            commands::unlock_app_user,
            commands::revoke_app_user_session,
            commands::revoke_app_user_sessions,
            commands::delete_app_user,
            commands::preview_app_user_batch,
            commands::apply_app_user_batch,
            commands::list_profiles,
            commands::save_profile,
            commands::create_profile_from_url,
            commands::delete_profile,
            commands::test_profile,
            commands::test_draft,
            commands::connect_profile,
            commands::disconnect_profile,
            commands::instance_health,
            commands::export_profiles,
            commands::import_profiles,
            commands::list_schemas,
            commands::list_tables,
            commands::fetch_rows,
            commands::count_rows,
            commands::explain_statement,
            commands::fetch_row,
            commands::run_statement,
            commands::list_table_page,
            commands::live_changes,
            commands::cancel_query,
            commands::export_rows,
            commands::export_progress,
            commands::cancel_export,
            commands::review_changes,
            commands::commit_changes,
            commands::commit_write,
            commands::rollback_write,
            commands::set_window_title,
            commands::access_gate,
            commands::install_schema,
            commands::password_strength,
            commands::create_first_admin,
            commands::sign_in,
            commands::sign_out,
            commands::touch_session,
            commands::step_up,
            commands::begin_totp_enrolment,
            commands::confirm_totp,
            commands::disable_totp,
            commands::session_policy,
            commands::set_session_policy,
            commands::theme,
            commands::diagnostics,
            commands::open_demo,
            commands::copy_to_clipboard,
            commands::set_theme,
            commands::list_admins,
            commands::delete_admin,
            commands::unlock_admin,
            commands::reset_admin_password,
            commands::invite_admin,
            commands::list_invitations,
            commands::revoke_invitation,
            commands::list_sessions,
            commands::revoke_session,
            commands::revoke_all_sessions,
            commands::verify_audit_chain,
            commands::search_app_users,
            commands::start_impersonation,
            commands::stop_impersonation,
            commands::active_impersonation,
            commands::rls_insight,
            commands::commit_statement_as_identity,
            commands::commit_changes_as_identity,
            commands::audit_log,
            commands::audit_timeline,
            commands::export_audit_bundle,
            commands::open_audit_bundle,
            commands::review_page,
            commands::review_timeline,
            commands::review_summary,
            commands::review_impersonations,
            commands::review_csv,
            commands::close_review,
            commands::pick_audit_bundle,
            commands::pick_save_path,
            commands::health_snapshot,
            commands::stop_backend,
            commands::reset_statement_stats,
            commands::save_chart,
            commands::settings,
            commands::preview_settings,
            commands::save_settings,
            commands::realtime_tables,
            commands::enable_realtime,
            commands::disable_realtime,
            commands::buckets,
            commands::update_bucket,
            commands::bucket_objects,
        ])
        .build(tauri::generate_context!())
        .expect("Fluxdesk could not build its window");

    app.run(|handle, event| {
        // macOS hands files opened with the app over as an event.
        #[cfg(any(target_os = "macos", target_os = "ios"))]
        if let tauri::RunEvent::Opened { urls } = &event {
            let paths = urls.iter().filter_map(|url| url.to_file_path().ok()).collect();
            bundle_files::opened(handle, paths);
        }
        if let tauri::RunEvent::Exit = event {
            tracing::info!("Fluxdesk exiting");
            // End the desktop sessions: their rows are deleted, not left to expire.
            if let Some(console) = handle.try_state::<Console>() {
                tauri::async_runtime::block_on(console.sign_out_everywhere());
            }
            #[cfg(unix)]
            if let Some(demo) = handle.try_state::<demo::RunningDemo>() {
                demo.stop();
            }
            if let Some(flush) = handle.try_state::<LogFlush>() {
                drop(flush.0.lock().ok().and_then(|mut guard| guard.take()));
            }
        }
    });
}
