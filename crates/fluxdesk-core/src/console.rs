//! The console: profiles, their passwords, the connected instances and the
//! writes awaiting confirmation. The app and the CLI each hold one, so their
//! commands are a line or two.

use crate::catalog;
use crate::diagnosis::{self, diagnose, diagnosis_of_error};
use crate::error::{CoreError, CoreResult};
use crate::fleet::Fleet;
use crate::instance::Instance;
use crate::keyring::Keyring;
use crate::profiles::{ProfileBook, ProfileStorage, default_protection, profile_from_url, validate};
use crate::rows;
use crate::statement::{self, PendingWrites};
use crate::target::ConnectionTarget;
use fluxdesk_types::{
    ConnectionInfo, Diagnosis, Environment, EnvironmentKind, ImportReport, InstanceHealth, PasswordState,
    PasswordStorage, PendingWrite, Profile, ProfileDraft, ProfileEntry, ProfileExport, RowPage, RowsRequest,
    SchemaSummary, StatementOutcome, TableSummary,
};
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Profiles, keyring, connections and pending writes of one app or CLI run.
#[derive(Debug)]
pub struct Console {
    storage: Box<dyn ProfileStorage>,
    keyring: Keyring,
    fleet: Fleet,
    pending: PendingWrites,
    /// Instances given at launch (`--dsn`), known for this run only.
    transient: Mutex<BTreeMap<String, (Profile, Option<SecretString>)>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Console {
    /// A console keeping profiles in `storage` and passwords in `keyring`.
    pub fn new(storage: Box<dyn ProfileStorage>, keyring: Keyring) -> Self {
        Console {
            storage,
            keyring,
            fleet: Fleet::default(),
            pending: PendingWrites::default(),
            transient: Mutex::new(BTreeMap::new()),
        }
    }

    fn book(&self) -> CoreResult<ProfileBook> {
        ProfileBook::load(self.storage.as_ref())
    }

    /// Adds an instance known only for this run (e.g. `--dsn`): never saved,
    /// its password kept in memory only.
    pub fn add_transient(&self, profile: Profile, password: Option<SecretString>) -> CoreResult<()> {
        validate(&profile)?;
        lock(&self.transient).insert(profile.id.clone(), (profile, password));
        Ok(())
    }

    /// The profile with `id`, saved or transient.
    pub fn profile(&self, id: &str) -> CoreResult<Profile> {
        if let Some((profile, _)) = lock(&self.transient).get(id) {
            return Ok(profile.clone());
        }
        self.book()?.get(id).cloned()
    }

    /// The saved profile called `name` (case-insensitive).
    pub fn profile_named(&self, name: &str) -> CoreResult<Profile> {
        self.book()?.by_name(name).cloned()
    }

    /// Every profile, with its password state and whether it is connected.
    pub async fn profiles(&self) -> CoreResult<Vec<ProfileEntry>> {
        let saved = self.book()?.profiles().to_vec();
        let states = self
            .keyring
            .run(move |keyring| {
                Ok(saved
                    .into_iter()
                    .map(|p| (password_state(keyring, &p), p))
                    .collect::<Vec<_>>())
            })
            .await?;
        let mut entries: Vec<ProfileEntry> = lock(&self.transient)
            .values()
            .map(|(profile, _)| ProfileEntry {
                profile: profile.clone(),
                password: PasswordState::AskEveryTime,
                connected: self.fleet.is_connected(&profile.id),
                saved: false,
            })
            .collect();
        entries.extend(states.into_iter().map(|(password, profile)| ProfileEntry {
            connected: self.fleet.is_connected(&profile.id),
            profile,
            password,
            saved: true,
        }));
        Ok(entries)
    }

    /// Creates or updates a profile. The book is changed in memory, then the
    /// keyring, then the book is written: a keyring failure saves nothing, and
    /// the form that sent the draft keeps its data.
    pub async fn save_profile(&self, draft: ProfileDraft) -> CoreResult<ProfileEntry> {
        let mut book = self.book()?;
        let ProfileDraft { profile, password } = draft;
        let previous = book.get(&profile.id).ok().cloned();
        let stored = match &previous {
            Some(_) => {
                book.update(profile.clone())?;
                profile
            }
            None => book.add(profile)?,
        };
        let password = password.filter(|p| !p.is_empty()).map(SecretString::from);
        let keyring_work = (previous, stored.clone(), password);
        self.keyring
            .run(move |keyring| {
                let (previous, stored, password) = keyring_work;
                match stored.password_storage {
                    PasswordStorage::Keyring => {
                        if let Some(previous) = &previous {
                            keyring.rename(previous, &stored)?;
                        }
                        if let Some(password) = &password {
                            keyring.save(&stored, password)?;
                        }
                    }
                    PasswordStorage::AskEveryTime => {
                        // Not keeping a password means not keeping one anywhere.
                        if let Some(previous) = &previous {
                            let _ = keyring.delete(previous);
                        }
                        let _ = keyring.delete(&stored);
                    }
                }
                Ok(())
            })
            .await?;
        book.save(self.storage.as_ref())?;
        // New settings take effect on the next connection.
        self.disconnect(&stored.id).await;
        tracing::info!(profile = %stored.name, "profile saved");
        self.entry(stored).await
    }

    async fn entry(&self, profile: Profile) -> CoreResult<ProfileEntry> {
        let lookup = profile.clone();
        let password = self
            .keyring
            .run(move |keyring| Ok(password_state(keyring, &lookup)))
            .await?;
        Ok(ProfileEntry {
            connected: self.fleet.is_connected(&profile.id),
            profile,
            password,
            saved: true,
        })
    }

    /// Creates a profile from a `postgres://` URL, its password going to the
    /// keyring. `environment` overrides the guess from the names (and brings
    /// that environment's default protection).
    pub async fn create_from_url(
        &self,
        url: &str,
        name: Option<&str>,
        environment: Option<EnvironmentKind>,
    ) -> CoreResult<ProfileEntry> {
        let (mut profile, password) = profile_from_url(url)?;
        if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
            profile.name = name.to_owned();
        }
        if let Some(kind) = environment {
            profile.environment = Environment::of_kind(kind);
            profile.protection = default_protection(kind);
        }
        use secrecy::ExposeSecret;
        self.save_profile(ProfileDraft {
            profile,
            password: password.map(|p| p.expose_secret().to_owned()),
        })
        .await
    }

    /// Deletes a profile and the password stored for it.
    pub async fn delete_profile(&self, id: &str) -> CoreResult<Profile> {
        let mut book = self.book()?;
        let profile = book.get(id)?.clone();
        let doomed = profile.clone();
        self.keyring.run(move |keyring| keyring.delete(&doomed)).await?;
        book.remove(id)?;
        book.save(self.storage.as_ref())?;
        self.disconnect(id).await;
        tracing::info!(profile = %profile.name, "profile deleted with its keyring entry");
        Ok(profile)
    }

    /// The password to connect `profile` with: the one typed, the one given
    /// at launch, or the keyring's.
    async fn password_for(
        &self,
        profile: &Profile,
        typed: Option<String>,
    ) -> CoreResult<Option<SecretString>> {
        if let Some(password) = typed.filter(|p| !p.is_empty()) {
            return Ok(Some(SecretString::from(password)));
        }
        if let Some((_, password)) = lock(&self.transient).get(&profile.id) {
            return Ok(password.clone());
        }
        match profile.password_storage {
            PasswordStorage::AskEveryTime => Err(CoreError::PasswordNeeded {
                profile: profile.name.clone(),
            }),
            PasswordStorage::Keyring => {
                let lookup = profile.clone();
                self.keyring.run(move |keyring| keyring.load(&lookup)).await
            }
        }
    }

    async fn target(&self, profile: Profile, typed: Option<String>) -> CoreResult<ConnectionTarget> {
        let password = self.password_for(&profile, typed).await?;
        Ok(ConnectionTarget::from_profile(profile, password))
    }

    /// "Test connection" for a saved profile.
    pub async fn test_profile(&self, id: &str, password: Option<String>) -> Diagnosis {
        let started = Instant::now();
        let target = match self.profile(id) {
            Ok(profile) => self.target(profile, password).await,
            Err(error) => Err(error),
        };
        match target {
            Ok(target) => diagnose(&target).await,
            Err(error) => diagnosis_of_error(error, started),
        }
    }

    /// "Test connection" for a profile being edited, before it is saved. With
    /// no password typed, an edited saved profile uses its stored one.
    pub async fn test_draft(&self, draft: ProfileDraft) -> Diagnosis {
        let started = Instant::now();
        if let Err(error) = validate(&draft.profile) {
            return diagnosis_of_error(error, started);
        }
        let password = match self.profile(&draft.profile.id) {
            Ok(saved) => self.password_for(&saved, draft.password).await,
            Err(_) => Ok(draft.password.filter(|p| !p.is_empty()).map(SecretString::from)),
        };
        match password {
            Ok(password) => diagnose(&ConnectionTarget::from_profile(draft.profile, password)).await,
            Err(error) => diagnosis_of_error(error, started),
        }
    }

    /// Connects a profile; `password` is needed when it asks every time.
    pub async fn connect(&self, id: &str, password: Option<String>) -> CoreResult<ConnectionInfo> {
        let profile = self.profile(id)?;
        let name = profile.name.clone();
        let target = self.target(profile, password).await?;
        let info = self.fleet.connect(id, &target).await?;
        tracing::info!(profile = %name, "profile connected");
        Ok(info)
    }

    /// Disconnects a profile, rolling back any write still awaiting confirmation.
    pub async fn disconnect(&self, id: &str) {
        self.pending.rollback_instance(id).await;
        self.fleet.disconnect(id).await;
    }

    fn instance(&self, id: &str) -> CoreResult<Arc<Instance>> {
        let name = self.profile(id).map(|p| p.name).unwrap_or_else(|_| id.to_owned());
        self.fleet.instance(id, &name)
    }

    /// The fleet-overview line of a profile: reachable or not, layout,
    /// version, size and connections. Bounded by the profile's connect timeout.
    pub async fn health(&self, id: &str) -> CoreResult<InstanceHealth> {
        let started = Instant::now();
        if let Ok(instance) = self.instance(id) {
            return diagnosis::health_of_instance(id, &instance, started).await;
        }
        let profile = self.profile(id)?;
        let target = match self.target(profile, None).await {
            Ok(target) => target,
            Err(error) => {
                return Ok(diagnosis::health_of_failure(
                    id,
                    diagnosis_of_error(error, started),
                ));
            }
        };
        let timeout = target.connect_timeout();
        let probe = async {
            let instance = Instance::connect(id, &target).await?;
            let health = diagnosis::health_of_instance(id, &instance, started).await;
            instance.close().await;
            health
        };
        match tokio::time::timeout(timeout * 2, probe).await {
            Ok(Ok(health)) => Ok(health),
            Ok(Err(error)) => Ok(diagnosis::health_of_failure(
                id,
                diagnosis_of_error(error, started),
            )),
            Err(_) => Ok(diagnosis::health_of_failure(
                id,
                diagnosis_of_error(
                    CoreError::ConnectTimeout {
                        target: target.display().to_owned(),
                        seconds: timeout.as_secs() * 2,
                    },
                    started,
                ),
            )),
        }
    }

    /// Every saved profile's health, measured concurrently.
    pub async fn fleet_health(&self) -> CoreResult<Vec<InstanceHealth>> {
        let ids: Vec<String> = self.book()?.profiles().iter().map(|p| p.id.clone()).collect();
        let checks = ids.iter().map(|id| self.health(id));
        futures_util::future::join_all(checks).await.into_iter().collect()
    }

    /// The export document: every saved profile, without passwords.
    pub fn export_profiles(&self) -> CoreResult<ProfileExport> {
        Ok(self.book()?.export())
    }

    /// Imports an export document's profiles (without passwords).
    pub fn import_profiles(&self, export: ProfileExport) -> CoreResult<ImportReport> {
        let mut book = self.book()?;
        let report = book.import(export)?;
        book.save(self.storage.as_ref())?;
        Ok(report)
    }

    /// Writes every saved profile, without passwords, to `path`.
    pub fn export_profiles_to(&self, path: &std::path::Path) -> CoreResult<usize> {
        let export = self.export_profiles()?;
        let text = serde_json::to_vec_pretty(&export).expect("profiles always serialize");
        std::fs::write(path, text)
            .map_err(|error| CoreError::io(format!("Cannot write {}", path.display()), error))?;
        Ok(export.profiles.len())
    }

    /// Imports the profiles of the export file at `path`.
    pub fn import_profiles_from(&self, path: &std::path::Path) -> CoreResult<ImportReport> {
        let bytes = std::fs::read(path)
            .map_err(|error| CoreError::io(format!("Cannot read {}", path.display()), error))?;
        let export: ProfileExport = serde_json::from_slice(&bytes).map_err(|error| {
            CoreError::InvalidInput(format!(
                "{} is not a Fluxdesk profile export ({error}).",
                path.display()
            ))
        })?;
        self.import_profiles(export)
    }

    /// Schemas of a connected instance.
    pub async fn schemas(&self, id: &str) -> CoreResult<Vec<SchemaSummary>> {
        catalog::list_schemas(&*self.instance(id)?).await
    }

    /// Tables of a schema of a connected instance.
    pub async fn tables(&self, id: &str, schema: &str) -> CoreResult<Vec<TableSummary>> {
        catalog::list_tables(&*self.instance(id)?, schema).await
    }

    /// A page of rows of a connected instance.
    pub async fn rows(&self, id: &str, request: &RowsRequest) -> CoreResult<RowPage> {
        rows::fetch_page(&*self.instance(id)?, request).await
    }

    /// Runs one statement under the profile's protection.
    pub async fn run_statement(&self, id: &str, sql: &str) -> CoreResult<StatementOutcome> {
        let protection = self.profile(id)?.protection;
        statement::run(&*self.instance(id)?, id, protection, sql, &self.pending).await
    }

    /// Commits a write that awaited confirmation.
    pub async fn commit_write(&self, pending_id: &str) -> CoreResult<PendingWrite> {
        self.pending.commit(pending_id).await
    }

    /// Rolls back a write that awaited confirmation.
    pub async fn rollback_write(&self, pending_id: &str) -> CoreResult<PendingWrite> {
        self.pending.rollback(pending_id).await
    }

    /// Whether an OS keyring answers; `Err` explains why not.
    pub async fn keyring_status(&self) -> CoreResult<()> {
        self.keyring.run(|keyring| keyring.check_available()).await
    }
}

fn password_state(keyring: &Keyring, profile: &Profile) -> PasswordState {
    match profile.password_storage {
        PasswordStorage::AskEveryTime => PasswordState::AskEveryTime,
        PasswordStorage::Keyring => match keyring.load(profile) {
            Ok(Some(_)) => PasswordState::Saved,
            Ok(None) => PasswordState::Missing,
            Err(_) => PasswordState::KeyringUnavailable,
        },
    }
}
