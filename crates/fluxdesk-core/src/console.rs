//! The console: profiles, their passwords, the connected instances and the
//! writes awaiting confirmation. The app and the CLI each hold one, so their
//! commands are a line or two.

use crate::audit::{self, AuditEvent, Outcome};
use crate::catalog;
use crate::changes;
use crate::diagnosis::{self, diagnose_with, diagnosis_of_error};
use crate::error::{CoreError, CoreResult};
use crate::export;
use crate::fleet::Fleet;
use crate::impersonation::ImpersonatedWrite;
use crate::instance::Instance;
use crate::keyring::Keyring;
use crate::profiles::{ProfileBook, ProfileStorage, profile_from_url, validate};
use crate::rows;
use crate::statement::{self, PendingWrites, RunningQueries};
use crate::target::ConnectionTarget;
use fluxdesk_types::{
    ChangeOutcome, ChangeSet, ConnectionInfo, Diagnosis, Environment, EnvironmentKind, ExportProgress,
    ExportRequest, ExportSource, ExportSummary, ImportReport, InstanceHealth, KeysetCursor, LiveChanges,
    PasswordState, PasswordStorage, PendingWrite, Profile, ProfileDraft, ProfileEntry, ProfileExport,
    RowDetail, RowPage, RowsRequest, SchemaSummary, StatementOutcome, TablePage, TableRef, TableSummary,
};
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Profiles, keyring, connections and pending writes of one app or CLI run.
#[derive(Debug)]
pub struct Console {
    storage: Box<dyn ProfileStorage>,
    keyring: Keyring,
    fleet: Fleet,
    pending: PendingWrites,
    running: RunningQueries,
    /// Instances given at launch (`--dsn`), known for this run only.
    transient: Mutex<BTreeMap<String, (Profile, Option<SecretString>)>>,
    /// Serializes read-change-write of the profile book within this process.
    book_writes: tokio::sync::Mutex<()>,
    /// Signed-in admins, per instance.
    desk: admin_session::Desk,
}

mod admin_session;
mod app_users;
mod auditing;
pub mod impersonating;
mod instance_config;
mod monitoring;
pub use admin_session::DesktopSession;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether `after` points somewhere `before`'s saved password must not follow
/// unasked: another host, port, user or database, or other TLS settings.
fn points_elsewhere(before: &Profile, after: &Profile) -> bool {
    before.host != after.host
        || before.port != after.port
        || before.user != after.user
        || before.database != after.database
        || before.tls_mode != after.tls_mode
        || before.ca_file != after.ca_file
}

/// Whether a failed connection was the server asking for a password it did not get.
fn refused_for_password(error: &CoreError) -> bool {
    match error {
        CoreError::Connect { source, .. } => match source {
            sqlx::Error::Database(db_error) => db_error.code().as_deref() == Some("28P01"),
            sqlx::Error::Protocol(message) => message.contains("password"),
            _ => false,
        },
        _ => false,
    }
}

impl Console {
    /// A console keeping profiles in `storage` and passwords in `keyring`.
    pub fn new(storage: Box<dyn ProfileStorage>, keyring: Keyring) -> Self {
        Console {
            storage,
            keyring,
            fleet: Fleet::default(),
            pending: PendingWrites::default(),
            running: RunningQueries::default(),
            transient: Mutex::new(BTreeMap::new()),
            book_writes: tokio::sync::Mutex::new(()),
            desk: admin_session::Desk::default(),
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
    /// Reads no secret: a secret read can make the OS ask the user.
    pub async fn profiles(&self) -> CoreResult<Vec<ProfileEntry>> {
        let book = self.book()?;
        let keyring_available = self.keyring_status().await.is_ok();
        let mut entries: Vec<ProfileEntry> = lock(&self.transient)
            .values()
            .map(|(profile, _)| ProfileEntry {
                profile: profile.clone(),
                password: PasswordState::ThisRunOnly,
                connected: self.fleet.is_connected(&profile.id),
                saved: false,
            })
            .collect();
        entries.extend(book.profiles().iter().map(|profile| ProfileEntry {
            password: password_state(&book, profile, keyring_available),
            connected: self.fleet.is_connected(&profile.id),
            profile: profile.clone(),
            saved: true,
        }));
        Ok(entries)
    }

    /// Creates or updates a profile.
    ///
    /// The book is changed in memory, then the keyring, then the book is
    /// written: a keyring failure saves nothing and the form that sent the
    /// draft keeps its data. A profile that now points elsewhere forgets its
    /// saved password unless a new one comes with it.
    pub async fn save_profile(&self, draft: ProfileDraft) -> CoreResult<ProfileEntry> {
        let _writing = self.book_writes.lock().await;
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
        let had_password = previous.as_ref().is_some_and(|p| book.has_saved_password(&p.id));
        let plan = KeyringPlan {
            previous: previous.clone(),
            stored: stored.clone(),
            password: password.filter(|p| !p.is_empty()).map(SecretString::from),
            had_password,
        };
        let outcome = self.keyring.run(move |keyring| plan.apply(keyring)).await?;
        book.set_saved_password(&stored.id, outcome.saved);
        if let Err(error) = book.save(self.storage.as_ref()) {
            if let Some(created) = outcome.created.clone() {
                let _ = self.keyring.run(move |keyring| keyring.delete(&created)).await;
            }
            return Err(error);
        }
        if let Some(old) = outcome.leftover {
            // The book names the new entry now; the old one can go.
            if let Err(error) = self.keyring.run(move |keyring| keyring.delete(&old)).await {
                tracing::warn!(%error, "a renamed profile's old keyring entry could not be removed");
            }
        }
        drop(_writing);
        // New settings take effect on the next connection.
        self.disconnect(&stored.id).await;
        tracing::info!(profile = %stored.name, "profile saved");
        let keyring_available = self.keyring_status().await.is_ok();
        Ok(ProfileEntry {
            password: password_state(&book, &stored, keyring_available),
            connected: false,
            profile: stored,
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
            profile.protection = kind.default_protection();
        }
        self.save_profile(ProfileDraft {
            profile,
            password: password.map(|p| p.expose_secret().to_owned()),
        })
        .await
    }

    /// Deletes a profile and the password stored for it. If the keyring holds
    /// its password and cannot be reached, nothing is deleted: an orphaned
    /// secret is worse than a profile kept.
    pub async fn delete_profile(&self, id: &str) -> CoreResult<Profile> {
        let _writing = self.book_writes.lock().await;
        let mut book = self.book()?;
        let profile = book.get(id)?.clone();
        let has_secret = book.has_saved_password(id);
        let doomed = profile.clone();
        match self
            .keyring
            .run(move |keyring| {
                // The CLI's admin session token goes with the profile.
                keyring.delete_session(&doomed)?;
                keyring.delete(&doomed)
            })
            .await
        {
            Ok(()) => {}
            Err(error) if has_secret => return Err(error),
            Err(_) => {}
        }
        book.remove(id)?;
        book.save(self.storage.as_ref())?;
        drop(_writing);
        self.disconnect(id).await;
        tracing::info!(profile = %profile.name, "profile deleted with its keyring entry");
        Ok(profile)
    }

    /// The password to connect `profile` with: the one typed, the one given
    /// at launch, or the keyring's. `None` means none is known.
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
                reason: "it asks for its password every time.".to_owned(),
            }),
            PasswordStorage::Keyring if !self.book()?.has_saved_password(&profile.id) => Ok(None),
            PasswordStorage::Keyring => {
                let lookup = profile.clone();
                match self.keyring.run(move |keyring| keyring.load(&lookup)).await {
                    Ok(password) => Ok(password),
                    Err(CoreError::KeyringUnavailable(reason)) => Err(CoreError::PasswordNeeded {
                        profile: profile.name.clone(),
                        reason: format!(
                            "its saved password cannot be read: the OS keyring is not available ({reason})."
                        ),
                    }),
                    Err(error) => Err(error),
                }
            }
        }
    }

    /// Opens a connection for `profile`; a server asking for a password we
    /// did not have becomes "password needed", which the UI answers with a prompt.
    async fn open(&self, profile: Profile, typed: Option<String>, id: &str) -> CoreResult<ConnectionInfo> {
        let name = profile.name.clone();
        let password = self.password_for(&profile, typed).await?;
        let had_password = password.is_some();
        let target = ConnectionTarget::from_profile(profile, password);
        match self.fleet.connect(id, &target).await {
            Err(error) if !had_password && refused_for_password(&error) => Err(CoreError::PasswordNeeded {
                profile: name,
                reason: "no password is saved for it.".to_owned(),
            }),
            other => other,
        }
    }

    /// "Test connection" for a saved profile.
    pub async fn test_profile(&self, id: &str, password: Option<String>) -> Diagnosis {
        let started = Instant::now();
        let profile = match self.profile(id) {
            Ok(profile) => profile,
            Err(error) => return diagnosis_of_error(error, started),
        };
        match self.password_for(&profile, password).await {
            Ok(password) => diagnose_with(ConnectionTarget::from_profile(profile, password)).await,
            Err(error) => diagnosis_of_error(error, started),
        }
    }

    /// "Test connection" for a profile being edited, before it is saved. With
    /// no password typed, an edited saved profile uses its stored one, but
    /// only while it still points where that password was saved for.
    pub async fn test_draft(&self, draft: ProfileDraft) -> Diagnosis {
        let started = Instant::now();
        if let Err(error) = validate(&draft.profile) {
            return diagnosis_of_error(error, started);
        }
        let typed = draft.password.filter(|p| !p.is_empty());
        let password = match (self.profile(&draft.profile.id), typed) {
            (_, Some(typed)) => Ok(Some(SecretString::from(typed))),
            (Ok(saved), None) if points_elsewhere(&saved, &draft.profile) => Err(CoreError::PasswordNeeded {
                profile: draft.profile.name.clone(),
                reason:
                    "it now points somewhere else, so its saved password is not sent there; type it again."
                        .to_owned(),
            }),
            (Ok(saved), None) => self.password_for(&saved, None).await,
            (Err(_), None) => Ok(None),
        };
        match password {
            Ok(password) => diagnose_with(ConnectionTarget::from_profile(draft.profile, password)).await,
            Err(error) => diagnosis_of_error(error, started),
        }
    }

    /// Connects a profile; `password` is needed when it keeps none.
    pub async fn connect(&self, id: &str, password: Option<String>) -> CoreResult<ConnectionInfo> {
        let profile = self.profile(id)?;
        let name = profile.name.clone();
        let info = self.open(profile, password, id).await?;
        tracing::info!(profile = %name, "profile connected");
        Ok(info)
    }

    /// Disconnects a profile, rolling back any write still awaiting confirmation.
    /// Disconnecting also signs the admin out of that instance (the session
    /// row is deleted), so no desktop session outlives its connection.
    pub async fn disconnect(&self, id: &str) {
        self.pending.rollback_instance(id).await;
        if let Err(error) = self.sign_out(id).await {
            tracing::warn!(%error, "signing out while disconnecting failed; the session row expires by itself");
        }
        self.fleet.disconnect(id).await;
    }

    /// Closes the connection but keeps the admin's session row: the CLI ends
    /// every run this way, its session living on in the keyring.
    pub async fn close_connection(&self, id: &str) {
        self.pending.rollback_instance(id).await;
        self.end_impersonation(id, "connection closed").await;
        self.fleet.disconnect(id).await;
    }

    /// Signs out of every instance (the app is closing), giving up after 3 s
    /// so an unreachable instance cannot hold the exit.
    pub async fn sign_out_everywhere(&self) {
        let all = async {
            for id in self.signed_in_instances() {
                if let Err(error) = self.sign_out(&id).await {
                    tracing::warn!(%error, "signing out at exit failed; the session row expires by itself");
                }
            }
        };
        if tokio::time::timeout(std::time::Duration::from_secs(3), all)
            .await
            .is_err()
        {
            tracing::warn!(
                "signing out at exit took too long; the remaining session rows expire by themselves"
            );
        }
    }

    fn instance(&self, id: &str) -> CoreResult<Arc<Instance>> {
        let name = self.profile(id).map(|p| p.name).unwrap_or_else(|_| id.to_owned());
        self.fleet.instance(id, &name)
    }

    /// The fleet-overview line of a profile: reachable or not, layout,
    /// version, size and connections. Never an error for an unreachable
    /// instance, and never longer than twice its connect timeout.
    pub async fn health(&self, id: &str) -> CoreResult<InstanceHealth> {
        let started = Instant::now();
        let profile = self.profile(id)?;
        let limit = ConnectionTarget::from_profile(profile.clone(), None).connect_timeout() * 2;
        let measure = async {
            if let Ok(instance) = self.instance(id) {
                return diagnosis::health_of_instance(id, &instance, started).await;
            }
            let password = self.password_for(&profile, None).await?;
            let target = ConnectionTarget::from_profile(profile.clone(), password);
            let instance = Instance::connect(id, &target).await?;
            let health = diagnosis::health_of_instance(id, &instance, started).await;
            instance.close().await;
            health
        };
        Ok(match tokio::time::timeout(limit, measure).await {
            Ok(Ok(health)) => health,
            Ok(Err(error)) => diagnosis::health_of_failure(id, diagnosis_of_error(error, started)),
            Err(_) => diagnosis::health_of_failure(
                id,
                diagnosis_of_error(
                    CoreError::ConnectTimeout {
                        target: ConnectionTarget::from_profile(profile, None).display().to_owned(),
                        seconds: limit.as_secs(),
                    },
                    started,
                ),
            ),
        })
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
    pub async fn import_profiles(&self, export: ProfileExport) -> CoreResult<ImportReport> {
        let _writing = self.book_writes.lock().await;
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
    pub async fn import_profiles_from(&self, path: &std::path::Path) -> CoreResult<ImportReport> {
        let bytes = std::fs::read(path)
            .map_err(|error| CoreError::io(format!("Cannot read {}", path.display()), error))?;
        let export: ProfileExport = serde_json::from_slice(&bytes).map_err(|error| {
            CoreError::InvalidInput(format!(
                "{} is not a Fluxdesk profile export ({error}).",
                path.display()
            ))
        })?;
        self.import_profiles(export).await
    }

    /// Schemas of a connected instance.
    pub async fn schemas(&self, id: &str) -> CoreResult<Vec<SchemaSummary>> {
        self.gate_data(id).await?;
        catalog::list_schemas(&*self.instance(id)?).await
    }

    /// Tables of a schema of a connected instance.
    pub async fn tables(&self, id: &str, schema: &str) -> CoreResult<Vec<TableSummary>> {
        self.gate_data(id).await?;
        catalog::list_tables(&*self.instance(id)?, schema).await
    }

    /// The first `limit` relations of a schema whose names contain `filter`.
    pub async fn table_page(
        &self,
        id: &str,
        schema: &str,
        filter: &str,
        limit: u32,
    ) -> CoreResult<TablePage> {
        self.gate_data(id).await?;
        catalog::list_tables_page(&*self.instance(id)?, schema, filter, Some(limit)).await
    }

    /// A page of rows of a connected instance (as the impersonated
    /// identity while one is in force; opening a table as it is audited).
    pub async fn rows(&self, id: &str, request: &RowsRequest) -> CoreResult<RowPage> {
        let audit = self.gate_data(id).await?;
        let instance = self.instance(id)?;
        let acting = instance.impersonation();
        let page = rows::fetch_page(&instance, request).await;
        let opened = request.after.is_none() && request.before.is_none() && request.position.is_none();
        if opened {
            let columns: Vec<&str> = request
                .filter
                .conditions
                .iter()
                .map(|c| c.column.as_str())
                .collect();
            let details = serde_json::json!({
                "table": request.table.to_string(),
                "filtered_on": columns,
                "search": request.filter.search.is_some(),
                "rows": page.as_ref().map(|p| p.rows.len()).unwrap_or(0),
            });
            self.audit_impersonated(
                id,
                acting.as_deref(),
                audit.as_ref(),
                "impersonation.read",
                details,
                page.as_ref().err(),
            )
            .await?;
        }
        page
    }

    /// One row with every value whole, by the key its page gave.
    pub async fn row(&self, id: &str, table: &TableRef, key: &KeysetCursor) -> CoreResult<RowDetail> {
        let audit = self.gate_data(id).await?;
        let instance = self.instance(id)?;
        let acting = instance.impersonation();
        let row = rows::fetch_row(&instance, table, key).await;
        let details = serde_json::json!({ "table": table.to_string(), "read": "row", "key": key.0 });
        let failure = row.as_ref().err();
        self.audit_impersonated(
            id,
            acting.as_deref(),
            audit.as_ref(),
            "impersonation.read",
            details,
            failure,
        )
        .await?;
        row
    }

    /// Changes to a realtime-enabled table heard since `since` (`None`: start).
    pub async fn live_changes(
        &self,
        id: &str,
        table: &TableRef,
        since: Option<u64>,
    ) -> CoreResult<LiveChanges> {
        self.gate_data(id).await?;
        crate::live::changes(&*self.instance(id)?, table, since).await
    }

    /// The exact row count of a table or view (reads it all; on request
    /// only); with a `run_id`, `cancel_query(run_id)` stops it.
    pub async fn exact_count(&self, id: &str, table: &TableRef, run_id: Option<&str>) -> CoreResult<i64> {
        let audit = self.gate_data(id).await?;
        let instance = self.instance(id)?;
        let acting = instance.impersonation();
        let running = run_id.map(|run_id| (&self.running, run_id));
        let count = rows::exact_count_as_run(&instance, table, running).await;
        let details = serde_json::json!({ "table": table.to_string(), "read": "exact count" });
        let failure = count.as_ref().err();
        self.audit_impersonated(
            id,
            acting.as_deref(),
            audit.as_ref(),
            "impersonation.read",
            details,
            failure,
        )
        .await?;
        count
    }

    /// The plan of one statement; with `analyze` it runs, rolled back.
    pub async fn explain(&self, id: &str, sql: &str, analyze: bool) -> CoreResult<String> {
        let audit = self.gate_data(id).await?;
        let protection = self.profile(id)?.protection;
        let instance = self.instance(id)?;
        let acting = instance.impersonation();
        let plan = statement::explain(&instance, protection, sql, analyze).await;
        let mut details = statement::recorded_sql(sql);
        details["ran_as"] = serde_json::json!(if analyze {
            "explain analyze (rolled back)"
        } else {
            "explain"
        });
        let failure = plan.as_ref().err();
        self.audit_impersonated(
            id,
            acting.as_deref(),
            audit.as_ref(),
            "impersonation.statement",
            details,
            failure,
        )
        .await?;
        plan
    }

    /// Runs one statement, or a script of several in one transaction, under
    /// the profile's protection; a write is audited when an admin is signed in.
    pub async fn run_statement(&self, id: &str, sql: &str) -> CoreResult<StatementOutcome> {
        self.run_cancellable(id, sql, None, None).await
    }

    /// As [`Console::run_statement`], cancellable by `run_id` with
    /// [`Console::cancel_query`] while it runs. `acting_as` is what the
    /// caller shows as in force (the window's banner): an impersonation
    /// session id, or an empty string for none; if something else is in
    /// force, nothing runs. `None` (the CLI) takes what is in force.
    pub async fn run_cancellable(
        &self,
        id: &str,
        sql: &str,
        run_id: Option<&str>,
        acting_as: Option<&str>,
    ) -> CoreResult<StatementOutcome> {
        let impersonated = ImpersonatedWrite {
            expected: impersonating::shown(acting_as)?,
            commit: false,
        };
        self.run_with(id, sql, run_id, impersonated).await
    }

    /// Runs `sql` as the impersonated identity `acting_as` and commits its
    /// writes: after an explicit confirmation, and only with a fresh step-up.
    pub async fn run_committing_as_identity(
        &self,
        id: &str,
        sql: &str,
        run_id: Option<&str>,
        acting_as: &str,
    ) -> CoreResult<StatementOutcome> {
        let impersonated = self.confirm_commit_as_identity(id, acting_as).await?;
        self.run_with(id, sql, run_id, impersonated).await
    }

    async fn run_with(
        &self,
        id: &str,
        sql: &str,
        run_id: Option<&str>,
        impersonated: ImpersonatedWrite,
    ) -> CoreResult<StatementOutcome> {
        let audit = self.gate_data(id).await?;
        let protection = self.profile(id)?.protection;
        let acting = self.instance(id)?.impersonation();
        let outcome = statement::run(
            &*self.instance(id)?,
            id,
            protection,
            sql,
            statement::RunContext {
                pending: &self.pending,
                audit: audit.as_ref(),
                running: run_id.map(|run_id| (&self.running, run_id)),
                impersonated,
            },
        )
        .await;
        // A committed write recorded itself; reads, dry runs and refusals are recorded here.
        let (kind, rows) = match &outcome {
            Ok(StatementOutcome::Done { wrote: true, .. }) => ("", 0),
            Ok(StatementOutcome::Done { rows_affected, .. }) => ("read", *rows_affected),
            Ok(StatementOutcome::DryRun { rows_affected, .. }) => ("dry_run", *rows_affected),
            Ok(StatementOutcome::AwaitingConfirmation { .. }) => ("", 0),
            Err(_) => ("refused", 0),
        };
        if !kind.is_empty() {
            let mut details = statement::recorded_sql(sql);
            details["ran_as"] = serde_json::json!(kind);
            details["rows_affected"] = serde_json::json!(rows);
            self.audit_impersonated(
                id,
                acting.as_deref(),
                audit.as_ref(),
                "impersonation.statement",
                details,
                outcome.as_ref().err(),
            )
            .await?;
        }
        outcome
    }

    /// Stops the statement running as `run_id`; its transaction rolls back.
    /// Returns whether one was running.
    pub async fn cancel_query(&self, run_id: &str) -> CoreResult<bool> {
        self.running.cancel(run_id).await
    }

    /// Streams a view or a query to a file; audited when an admin is signed in.
    pub async fn export(
        &self,
        id: &str,
        request: &ExportRequest,
        progress: &(dyn Fn(ExportProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> CoreResult<ExportSummary> {
        let audit = self.gate_data(id).await?;
        let instance = self.instance(id)?;
        let summary = export::export(&instance, request, progress, cancel).await?;
        if let Some(context) = audit {
            let source = match &request.source {
                ExportSource::View { table, filter, sort } => {
                    // The trail is append-only: a value filtered on a
                    // credential column must not stay there.
                    let mut filter = filter.clone();
                    for condition in &mut filter.conditions {
                        if statement::is_credential_name(&condition.column) {
                            condition.values = vec!["<redacted>".to_owned()];
                        }
                    }
                    serde_json::json!({ "table": table.to_string(), "filter": filter, "sort": sort })
                }
                ExportSource::Query { sql } => {
                    serde_json::json!({ "sql_sha256": crate::credentials::sha256_hex(sql) })
                }
            };
            let event = AuditEvent::new(chrono::Utc::now(), "data.export", Outcome::Success)
                .target(summary.path.clone())
                .details(serde_json::json!({
                    "source": source,
                    "format": request.format,
                    "rows": summary.rows,
                    "bytes": summary.bytes,
                    "impersonation": instance.impersonation().map(|acting| acting.audit_tag()),
                }));
            audit::append_alone(instance.pool(), &context, &event).await?;
        }
        Ok(summary)
    }

    /// The SQL a change set would run, for review.
    pub async fn review_changes(&self, id: &str, changes: &ChangeSet) -> CoreResult<Vec<String>> {
        self.gate_data(id).await?;
        changes::review(&*self.instance(id)?, changes).await
    }

    /// Applies staged changes in one transaction under the profile's
    /// protection; each change is audited when an admin is signed in.
    /// While an impersonation is in force they run as it and are a dry run;
    /// `acting_as` is the one the caller shows (see [`Console::run_cancellable`]).
    pub async fn commit_changes(
        &self,
        id: &str,
        changes: &ChangeSet,
        acting_as: Option<&str>,
    ) -> CoreResult<ChangeOutcome> {
        let impersonated = ImpersonatedWrite {
            expected: impersonating::shown(acting_as)?,
            commit: false,
        };
        self.apply_changes(id, changes, impersonated).await
    }

    /// Applies staged changes as the impersonated identity `acting_as` and
    /// commits them: after an explicit confirmation, and only with a fresh step-up.
    pub async fn commit_changes_as_identity(
        &self,
        id: &str,
        changes: &ChangeSet,
        acting_as: &str,
    ) -> CoreResult<ChangeOutcome> {
        let impersonated = self.confirm_commit_as_identity(id, acting_as).await?;
        self.apply_changes(id, changes, impersonated).await
    }

    async fn apply_changes(
        &self,
        id: &str,
        changes: &ChangeSet,
        impersonated: ImpersonatedWrite,
    ) -> CoreResult<ChangeOutcome> {
        let audit = self.gate_data(id).await?;
        let protection = self.profile(id)?.protection;
        let acting = self.instance(id)?.impersonation();
        let outcome = changes::apply(
            &*self.instance(id)?,
            id,
            protection,
            changes,
            &self.pending,
            audit.as_ref(),
            impersonated,
        )
        .await;
        let ran_as = match &outcome {
            Ok(ChangeOutcome::DryRun { .. }) => "dry_run",
            Ok(ChangeOutcome::Rejected { .. }) => "rejected",
            Ok(ChangeOutcome::Conflicts { .. }) => "conflicts",
            Err(_) => "refused",
            // Committed changes recorded themselves, each with its rows.
            Ok(ChangeOutcome::Committed { .. } | ChangeOutcome::AwaitingConfirmation { .. }) => "",
        };
        if !ran_as.is_empty() {
            let details = serde_json::json!({
                "table": changes.table.to_string(),
                "changes": changes.changes.len(),
                "ran_as": ran_as,
                "affected": match &outcome { Ok(ChangeOutcome::DryRun { affected }) => *affected, _ => 0 },
                "rejection": match &outcome { Ok(ChangeOutcome::Rejected { message, .. }) => Some(message.clone()), _ => None },
            });
            self.audit_impersonated(
                id,
                acting.as_deref(),
                audit.as_ref(),
                "impersonation.changes",
                details,
                outcome.as_ref().err(),
            )
            .await?;
        }
        outcome
    }

    /// Commits a write that awaited confirmation. On a production profile it
    /// needs a step-up first.
    pub async fn commit_write(&self, pending_id: &str) -> CoreResult<PendingWrite> {
        if let Some(id) = self.pending.instance_of(pending_id) {
            // Only a signed-in admin can step up; elsewhere nobody could.
            let signed_in = self.gate_data(&id).await?.is_some();
            if signed_in && self.profile(&id)?.environment.kind == EnvironmentKind::Production {
                self.consume_step_up(&id, "commit a write on production")?;
            }
        }
        self.pending.commit(pending_id).await
    }

    /// Rolls back a write that awaited confirmation.
    pub async fn rollback_write(&self, pending_id: &str) -> CoreResult<PendingWrite> {
        self.pending.rollback(pending_id).await
    }

    /// Whether an OS keyring answers (reads no secret); `Err` explains why not.
    pub async fn keyring_status(&self) -> CoreResult<()> {
        self.keyring.run(|keyring| keyring.check_available()).await
    }
}

fn password_state(book: &ProfileBook, profile: &Profile, keyring_available: bool) -> PasswordState {
    match profile.password_storage {
        PasswordStorage::AskEveryTime => PasswordState::AskEveryTime,
        PasswordStorage::Keyring if !keyring_available => PasswordState::KeyringUnavailable,
        PasswordStorage::Keyring if book.has_saved_password(&profile.id) => PasswordState::Saved,
        PasswordStorage::Keyring => PasswordState::Missing,
    }
}

/// What saving a profile does to the keyring, worked out before the book is
/// written so it can be undone if writing fails.
struct KeyringPlan {
    previous: Option<Profile>,
    stored: Profile,
    password: Option<SecretString>,
    had_password: bool,
}

/// What the keyring work did.
struct KeyringOutcome {
    /// Whether the keyring now holds the profile's password.
    saved: bool,
    /// An entry created for this save, to delete if the book cannot be written.
    created: Option<Profile>,
    /// An entry to delete once the book is written (the old name's).
    leftover: Option<Profile>,
}

impl KeyringPlan {
    fn apply(self, keyring: &Keyring) -> CoreResult<KeyringOutcome> {
        let renamed = self
            .previous
            .as_ref()
            .is_some_and(|previous| Keyring::account(previous) != Keyring::account(&self.stored));
        let leftover = if renamed { self.previous.clone() } else { None };
        let forget = |keyring: &Keyring| {
            if let Some(previous) = &self.previous {
                let _ = keyring.delete(previous);
            }
            let _ = keyring.delete(&self.stored);
        };
        match self.stored.password_storage {
            PasswordStorage::AskEveryTime => {
                // Not keeping a password means not keeping one anywhere.
                forget(keyring);
                Ok(KeyringOutcome {
                    saved: false,
                    created: None,
                    leftover: None,
                })
            }
            PasswordStorage::Keyring => match (&self.password, &self.previous) {
                (Some(password), _) => {
                    keyring.save(&self.stored, password)?;
                    Ok(KeyringOutcome {
                        saved: true,
                        created: renamed.then(|| self.stored.clone()),
                        leftover,
                    })
                }
                (None, Some(previous)) if points_elsewhere(previous, &self.stored) => {
                    forget(keyring);
                    Ok(KeyringOutcome {
                        saved: false,
                        created: None,
                        leftover: None,
                    })
                }
                (None, Some(previous)) if renamed && self.had_password => {
                    // Copy now, delete the old entry only once the book is written.
                    match keyring.load(previous)? {
                        Some(password) => {
                            keyring.save(&self.stored, &password)?;
                            Ok(KeyringOutcome {
                                saved: true,
                                created: Some(self.stored.clone()),
                                leftover,
                            })
                        }
                        None => Ok(KeyringOutcome {
                            saved: false,
                            created: None,
                            leftover: None,
                        }),
                    }
                }
                (None, _) => Ok(KeyringOutcome {
                    saved: self.had_password,
                    created: None,
                    leftover: None,
                }),
            },
        }
    }
}
