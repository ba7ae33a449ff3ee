//! App settings that are not profiles, in tauri-plugin-store's `settings.json`:
//! for now the session timeouts.

use fluxdesk_types::SessionPolicy;
use tauri::AppHandle;
use tauri_plugin_store::StoreExt;

const SETTINGS_FILE: &str = "settings.json";
const SESSION_POLICY_KEY: &str = "session_policy";

/// The saved timeouts, or the defaults (15 minutes idle, 8 hours absolute).
pub fn load_session_policy(app: &AppHandle) -> SessionPolicy {
    let Ok(store) = app.store_builder(SETTINGS_FILE).disable_auto_save().build() else {
        return SessionPolicy::default();
    };
    let policy = store
        .get(SESSION_POLICY_KEY)
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default();
    store.close_resource();
    policy
}

/// Saves the timeouts; a failure is logged, and the new values still apply to this run.
pub fn save_session_policy(app: &AppHandle, policy: SessionPolicy) {
    let saved = app
        .store_builder(SETTINGS_FILE)
        .disable_auto_save()
        .build()
        .and_then(|store| {
            store.set(SESSION_POLICY_KEY, serde_json::json!(policy));
            let result = store.save();
            store.close_resource();
            result
        });
    if let Err(error) = saved {
        tracing::warn!(%error, "the session timeouts could not be saved");
    }
}
