//! Keeps the profile book in tauri-plugin-store's `profiles.json`, the file
//! `fluxdesk-cli` reads and writes too. It never holds a password.

use fluxdesk_core::profiles::{PROFILES_FILE, PROFILES_KEY};
use fluxdesk_core::{CoreError, CoreResult, ProfileStorage};
use serde_json::Value;
use tauri::{AppHandle, Wry};
use tauri_plugin_store::{Store, StoreExt};

/// The profile book inside the app's store.
///
/// The store is opened for each read or write and closed after it: the
/// plugin saves every open store when the app exits, which would write back
/// a stale copy over profiles the CLI changed meanwhile.
pub struct StoredProfiles {
    app: AppHandle,
}

impl StoredProfiles {
    /// The book in `profiles.json` in the app's data folder.
    pub fn new(app: &AppHandle) -> Self {
        StoredProfiles { app: app.clone() }
    }

    fn with_store<T>(&self, work: impl FnOnce(&Store<Wry>) -> CoreResult<T>) -> CoreResult<T> {
        let store = self
            .app
            .store_builder(PROFILES_FILE)
            .disable_auto_save()
            .build()
            .map_err(|error| {
                CoreError::InvalidInput(format!(
                    "The saved profiles cannot be read ({error}); the file was left as it is."
                ))
            })?;
        let result = work(&store);
        store.close_resource();
        result
    }
}

impl std::fmt::Debug for StoredProfiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredProfiles")
    }
}

impl ProfileStorage for StoredProfiles {
    fn read(&self) -> CoreResult<Option<Value>> {
        self.with_store(|store| Ok(store.get(PROFILES_KEY)))
    }

    fn write(&self, book: Value) -> CoreResult<()> {
        self.with_store(|store| {
            store.set(PROFILES_KEY, book);
            store
                .save()
                .map_err(|error| CoreError::io("Cannot save the profiles", std::io::Error::other(error)))
        })
    }
}
