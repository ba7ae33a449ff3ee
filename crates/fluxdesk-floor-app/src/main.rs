//! The empty Tauri app: one window, one static page, nothing else. Fluxdesk's
//! launch time, idle memory and bundle size are measured against it.

// No console window next to the app on Windows release builds, as Fluxdesk.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the empty app could not start");
}
