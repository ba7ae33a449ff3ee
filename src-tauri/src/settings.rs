//! App settings that are not profiles, in tauri-plugin-store's `settings.json`:
//! the session timeouts and the colour theme.

use fluxdesk_types::{SessionPolicy, ThemeChoice};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tauri::{AppHandle, Manager, Runtime, Theme};
use tauri_plugin_store::StoreExt;

const SETTINGS_FILE: &str = "settings.json";
const SESSION_POLICY_KEY: &str = "session_policy";
const THEME_KEY: &str = "theme";

/// The value saved under `key`, or the default when there is none or it is unreadable.
fn load<R: Runtime, T: DeserializeOwned + Default>(app: &AppHandle<R>, key: &str) -> T {
    let Ok(store) = app.store_builder(SETTINGS_FILE).disable_auto_save().build() else {
        return T::default();
    };
    let value = store
        .get(key)
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default();
    store.close_resource();
    value
}

/// Saves `value` under `key`; a failure is logged, and the value still applies to this run.
fn save<R: Runtime, T: Serialize>(app: &AppHandle<R>, key: &str, value: &T) {
    let saved = app
        .store_builder(SETTINGS_FILE)
        .disable_auto_save()
        .build()
        .and_then(|store| {
            store.set(key, serde_json::json!(value));
            let result = store.save();
            store.close_resource();
            result
        });
    if let Err(error) = saved {
        tracing::warn!(%error, key, "a setting could not be saved");
    }
}

/// The saved timeouts, or the defaults (15 minutes idle, 8 hours absolute).
pub fn load_session_policy(app: &AppHandle) -> SessionPolicy {
    load(app, SESSION_POLICY_KEY)
}

/// Saves the timeouts.
pub fn save_session_policy(app: &AppHandle, policy: SessionPolicy) {
    save(app, SESSION_POLICY_KEY, &policy);
}

/// The saved theme, or following the system.
pub fn load_theme<R: Runtime>(app: &AppHandle<R>) -> ThemeChoice {
    load(app, THEME_KEY)
}

/// Saves the theme and gives it to the native window too, so its title bar
/// and dialogs match the page.
pub fn save_theme<R: Runtime>(app: &AppHandle<R>, choice: ThemeChoice) {
    save(app, THEME_KEY, &choice);
    apply_theme(app, choice);
}

/// Sets the native theme of every window; `None` follows the system.
pub fn apply_theme<R: Runtime>(app: &AppHandle<R>, choice: ThemeChoice) {
    let theme = match choice {
        ThemeChoice::System => None,
        ThemeChoice::Light => Some(Theme::Light),
        ThemeChoice::Dark => Some(Theme::Dark),
    };
    for window in app.webview_windows().values() {
        if let Err(error) = window.set_theme(theme) {
            tracing::warn!(%error, "the window theme could not be set");
        }
    }
}
