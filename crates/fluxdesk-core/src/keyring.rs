//! Database passwords in the OS keyring: Keychain on macOS, Credential Manager
//! on Windows, Secret Service on Linux. Never in a file, never in a log.
//!
//! Every call blocks (the Secret Service is a D-Bus round trip), so async
//! callers go through [`Keyring::run`].

use crate::error::{CoreError, CoreResult};
use fluxdesk_types::Profile;
use secrecy::{ExposeSecret, SecretString};

/// The keyring entries of one Fluxdesk build.
#[derive(Debug, Clone)]
pub struct Keyring {
    service: String,
}

impl Keyring {
    /// Entries under `service` (what the OS keyring UI shows as the application).
    pub fn new(service: impl Into<String>) -> Self {
        Keyring {
            service: service.into(),
        }
    }

    /// The service name: development builds keep their entries apart from an
    /// installed release, so testing never touches real credentials.
    pub fn default_service() -> &'static str {
        if cfg!(debug_assertions) {
            "Fluxdesk (development build)"
        } else {
            "Fluxdesk"
        }
    }

    /// The account an entry is stored under: readable in the OS keyring UI
    /// (it names the profile) and unique (it ends with the profile's id).
    pub fn account(profile: &Profile) -> String {
        let short_id: String = profile.id.chars().take(8).collect();
        format!("{} [{short_id}]", profile.name)
    }

    fn entry(&self, profile: &Profile) -> CoreResult<keyring::Entry> {
        keyring::Entry::new(&self.service, &Self::account(profile)).map_err(unavailable)
    }

    /// Stores `password` for `profile`, replacing any earlier one.
    pub fn save(&self, profile: &Profile, password: &SecretString) -> CoreResult<()> {
        self.entry(profile)?
            .set_password(password.expose_secret())
            .map_err(unavailable)?;
        tracing::info!(profile = %profile.name, "password stored in the OS keyring");
        Ok(())
    }

    /// The password stored for `profile`, if any.
    pub fn load(&self, profile: &Profile) -> CoreResult<Option<SecretString>> {
        match self.entry(profile)?.get_password() {
            Ok(password) => Ok(Some(SecretString::from(password))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(unavailable(error)),
        }
    }

    /// Deletes the password stored for `profile`; nothing stored is fine.
    pub fn delete(&self, profile: &Profile) -> CoreResult<()> {
        match self.entry(profile)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(unavailable(error)),
        }
    }

    /// The CLI's admin session token for `profile`, kept between runs.
    fn session_entry(&self, profile: &Profile) -> CoreResult<keyring::Entry> {
        keyring::Entry::new(
            &self.service,
            &format!("{} admin session", Self::account(profile)),
        )
        .map_err(unavailable)
    }

    /// Keeps the CLI's admin session token for `profile`.
    pub fn save_session(&self, profile: &Profile, token: &SecretString) -> CoreResult<()> {
        self.session_entry(profile)?
            .set_password(token.expose_secret())
            .map_err(unavailable)
    }

    /// The CLI's admin session token for `profile`, if it signed in.
    pub fn load_session(&self, profile: &Profile) -> CoreResult<Option<SecretString>> {
        match self.session_entry(profile)?.get_password() {
            Ok(token) => Ok(Some(SecretString::from(token))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(unavailable(error)),
        }
    }

    /// Forgets the CLI's admin session token for `profile`.
    pub fn delete_session(&self, profile: &Profile) -> CoreResult<()> {
        match self.session_entry(profile)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(unavailable(error)),
        }
    }

    /// This install's audit-bundle signing key (an Ed25519 seed, base64),
    /// made on first use and kept only in the keyring.
    pub fn audit_signing_key(&self) -> CoreResult<ed25519_dalek::SigningKey> {
        let entry = keyring::Entry::new(&self.service, "audit bundle signing key").map_err(unavailable)?;
        match entry.get_password() {
            Ok(seed) => {
                let bytes = data_encoding::BASE64
                    .decode(seed.trim().as_bytes())
                    .ok()
                    .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
                    .ok_or_else(|| {
                        CoreError::KeyringUnavailable(
                            "the audit signing key in the keyring is damaged; delete the entry \"audit bundle signing key\" to make a new one".into(),
                        )
                    })?;
                Ok(ed25519_dalek::SigningKey::from_bytes(&bytes))
            }
            Err(keyring::Error::NoEntry) => {
                let key = crate::audit_bundle::new_signing_key();
                entry
                    .set_password(&data_encoding::BASE64.encode(&key.to_bytes()))
                    .map_err(unavailable)?;
                Ok(key)
            }
            Err(error) => Err(unavailable(error)),
        }
    }

    /// Moves the password when a profile is renamed (its account names it).
    pub fn rename(&self, before: &Profile, after: &Profile) -> CoreResult<()> {
        if Self::account(before) == Self::account(after) {
            return Ok(());
        }
        if let Some(password) = self.load(before)? {
            self.save(after, &password)?;
            self.delete(before)?;
        }
        Ok(())
    }

    /// Whether a keyring answers at all: `Err` says why not.
    pub fn check_available(&self) -> CoreResult<()> {
        let probe = keyring::Entry::new(&self.service, "availability probe").map_err(unavailable)?;
        match probe.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(unavailable(error)),
        }
    }

    /// Runs a blocking keyring call off the async runtime's threads.
    pub async fn run<T, F>(&self, call: F) -> CoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Keyring) -> CoreResult<T> + Send + 'static,
    {
        let keyring = self.clone();
        tokio::task::spawn_blocking(move || call(&keyring))
            .await
            .map_err(|error| {
                CoreError::KeyringUnavailable(format!("the keyring call failed to run: {error}"))
            })?
    }
}

fn unavailable(error: keyring::Error) -> CoreError {
    let reason = match &error {
        keyring::Error::NoStorageAccess(inner) => {
            format!("access was refused or the keyring is locked ({inner})")
        }
        keyring::Error::PlatformFailure(inner) => format!("no keyring service answered ({inner})"),
        other => other.to_string(),
    };
    CoreError::KeyringUnavailable(reason)
}
