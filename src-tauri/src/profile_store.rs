//! Keeps the profile book in tauri-plugin-store's `profiles.json`, the file
//! `fluxdesk-cli` reads and writes too. It never holds a password.

use fluxdesk_core::profiles::{PROFILES_FILE, PROFILES_KEY};
use fluxdesk_core::{CoreError, CoreResult, ProfileStorage};
use serde_json::Value;
use std::sync::Arc;
use tauri::{AppHandle, Wry};
use tauri_plugin_store::{Store, StoreExt};

/// The profile book inside the app's store.
pub struct StoredProfiles {
    store: Arc<Store<Wry>>,
}

impl StoredProfiles {
    /// Opens `profiles.json` in the app's data folder.
    pub fn open(app: &AppHandle) -> Result<Self, tauri_plugin_store::Error> {
        let store = app.store_builder(PROFILES_FILE).disable_auto_save().build()?;
        Ok(StoredProfiles { store })
    }
}

impl std::fmt::Debug for StoredProfiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredProfiles")
    }
}

impl ProfileStorage for StoredProfiles {
    fn read(&self) -> CoreResult<Option<Value>> {
        // fluxdesk-cli may have changed the file since it was loaded.
        match self.store.reload_ignore_defaults() {
            Ok(()) => {}
            Err(tauri_plugin_store::Error::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(CoreError::InvalidInput(format!(
                    "The saved profiles cannot be read ({error}); the file was left as it is."
                )));
            }
        }
        Ok(self.store.get(PROFILES_KEY))
    }

    fn write(&self, book: Value) -> CoreResult<()> {
        self.store.set(PROFILES_KEY, book);
        self.store
            .save()
            .map_err(|error| CoreError::io("Cannot save the profiles", std::io::Error::other(error)))
    }
}
