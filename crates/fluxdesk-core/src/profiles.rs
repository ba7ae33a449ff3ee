//! Saved connection profiles: validation, `postgres://` URLs, export and
//! import, and the file they live in (shared by the app and the CLI).

use crate::error::{CoreError, CoreResult};
use fluxdesk_types::{
    Environment, EnvironmentKind, ImportReport, PasswordStorage, Profile, ProfileExport, TlsMode,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The app's identifier (must equal `identifier` in tauri.conf.json): it
/// names the data folder the app and the CLI share.
pub const APP_IDENTIFIER: &str = "dev.fluxdesk.app";
/// The profiles file, in tauri-plugin-store's format: `{"profiles": <book>}`.
pub const PROFILES_FILE: &str = "profiles.json";
/// The store key holding the profile book.
pub const PROFILES_KEY: &str = "profiles";
/// Format name of an export file.
pub const EXPORT_FORMAT: &str = "fluxdesk-profiles";

const DEFAULT_PORT: u16 = 5432;
const DEFAULT_CONNECT_TIMEOUT_SECS: u32 = 5;
const DEFAULT_STATEMENT_TIMEOUT_SECS: u32 = 30;

/// Where the profile book is kept. The app keeps it in tauri-plugin-store;
/// the CLI reads and writes the same file directly ([`ProfileFile`]).
pub trait ProfileStorage: Send + Sync + fmt::Debug {
    /// The stored book, or `None` if nothing was stored yet.
    fn read(&self) -> CoreResult<Option<Value>>;
    /// Stores the book.
    fn write(&self, book: Value) -> CoreResult<()>;
}

/// The profile book as stored: versioned, so later formats can migrate it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileBook {
    version: u32,
    profiles: Vec<Profile>,
    /// Ids of the profiles whose password is in the keyring. Listing
    /// profiles reads this instead of the secrets: reading a secret can make
    /// the OS ask the user for permission.
    #[serde(default)]
    saved_passwords: BTreeSet<String>,
}

impl ProfileBook {
    /// Reads the book from `storage` (empty when nothing is stored).
    pub fn load(storage: &dyn ProfileStorage) -> CoreResult<Self> {
        match storage.read()? {
            None => Ok(ProfileBook {
                version: 1,
                ..ProfileBook::default()
            }),
            Some(value) => serde_json::from_value(value).map_err(|error| {
                CoreError::InvalidInput(format!(
                    "The saved profiles cannot be read ({error}); the file was left as it is."
                ))
            }),
        }
    }

    /// Writes the book to `storage`.
    pub fn save(&self, storage: &dyn ProfileStorage) -> CoreResult<()> {
        storage.write(serde_json::to_value(self).expect("profiles always serialize"))
    }

    /// Whether the keyring holds a password for profile `id`.
    pub fn has_saved_password(&self, id: &str) -> bool {
        self.saved_passwords.contains(id)
    }

    /// Records whether the keyring holds a password for profile `id`.
    pub fn set_saved_password(&mut self, id: &str, saved: bool) {
        if saved {
            self.saved_passwords.insert(id.to_owned());
        } else {
            self.saved_passwords.remove(id);
        }
    }

    /// All profiles, in the order they were added.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// The profile with this id.
    pub fn get(&self, id: &str) -> CoreResult<&Profile> {
        self.profiles
            .iter()
            .find(|profile| profile.id == id)
            .ok_or_else(|| CoreError::NotFound(format!("No profile with id \"{id}\".")))
    }

    /// The profile with this name (case-insensitive), as scripts name them.
    pub fn by_name(&self, name: &str) -> CoreResult<&Profile> {
        self.profiles
            .iter()
            .find(|profile| profile.name.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| CoreError::NotFound(format!("No profile named \"{name}\".")))
    }

    fn name_taken(&self, name: &str, except_id: &str) -> bool {
        self.profiles
            .iter()
            .any(|profile| profile.id != except_id && profile.name.eq_ignore_ascii_case(name.trim()))
    }

    /// Adds `profile` under a new id after validating it; returns the stored profile.
    pub fn add(&mut self, mut profile: Profile) -> CoreResult<Profile> {
        profile.id = uuid::Uuid::new_v4().to_string();
        validate(&profile)?;
        if self.name_taken(&profile.name, &profile.id) {
            return Err(CoreError::InvalidInput(format!(
                "A profile named \"{}\" already exists; pick another name.",
                profile.name
            )));
        }
        self.profiles.push(profile.clone());
        Ok(profile)
    }

    /// Replaces the profile with `profile.id`; returns the one it replaced.
    pub fn update(&mut self, profile: Profile) -> CoreResult<Profile> {
        validate(&profile)?;
        if self.name_taken(&profile.name, &profile.id) {
            return Err(CoreError::InvalidInput(format!(
                "A profile named \"{}\" already exists; pick another name.",
                profile.name
            )));
        }
        let slot = self
            .profiles
            .iter_mut()
            .find(|existing| existing.id == profile.id)
            .ok_or_else(|| CoreError::NotFound(format!("No profile with id \"{}\".", profile.id)))?;
        Ok(std::mem::replace(slot, profile))
    }

    /// Removes the profile with this id and returns it.
    pub fn remove(&mut self, id: &str) -> CoreResult<Profile> {
        let index = self
            .profiles
            .iter()
            .position(|profile| profile.id == id)
            .ok_or_else(|| CoreError::NotFound(format!("No profile with id \"{id}\".")))?;
        self.saved_passwords.remove(id);
        Ok(self.profiles.remove(index))
    }

    /// The export document: every profile, no passwords.
    pub fn export(&self) -> ProfileExport {
        ProfileExport {
            format: EXPORT_FORMAT.to_owned(),
            version: 1,
            profiles: self.profiles.clone(),
        }
    }

    /// Adds the profiles of an export under new ids, renaming any whose name
    /// is taken. Passwords are not part of an export and must be entered again.
    pub fn import(&mut self, export: ProfileExport) -> CoreResult<ImportReport> {
        if export.format != EXPORT_FORMAT || export.version != 1 {
            return Err(CoreError::InvalidInput(format!(
                "This is not a Fluxdesk profile export (format \"{}\" version {}).",
                export.format, export.version
            )));
        }
        for profile in &export.profiles {
            validate(profile)?;
        }
        let mut added = Vec::new();
        for mut profile in export.profiles {
            let base = profile.name.clone();
            let mut attempt = 1;
            while self.name_taken(&profile.name, "") {
                attempt += 1;
                profile.name = format!("{base} ({attempt})");
            }
            added.push(self.add(profile)?.name);
        }
        Ok(ImportReport { added })
    }
}

/// Checks a profile's fields and says what is wrong in words.
pub fn validate(profile: &Profile) -> CoreResult<()> {
    let invalid = |message: String| Err(CoreError::InvalidInput(message));
    if profile.name.trim().is_empty() {
        return invalid("Give the profile a name.".to_owned());
    }
    if profile.name.chars().count() > 80 {
        return invalid("A profile name has at most 80 characters.".to_owned());
    }
    if profile.host.trim().is_empty() {
        return invalid("The host is missing.".to_owned());
    }
    if profile.port == 0 {
        return invalid("The port must be between 1 and 65535.".to_owned());
    }
    if profile.database.trim().is_empty() {
        return invalid("The database name is missing.".to_owned());
    }
    if profile.user.trim().is_empty() {
        return invalid("The user name is missing.".to_owned());
    }
    if !(1..=300).contains(&profile.connect_timeout_secs) {
        return invalid("The connect timeout must be between 1 and 300 seconds.".to_owned());
    }
    if profile.statement_timeout_secs > 86_400 {
        return invalid("The statement timeout must be at most 86,400 seconds (0 means none).".to_owned());
    }
    let colour = &profile.environment.colour;
    if !(colour.len() == 7 && colour.starts_with('#') && colour[1..].chars().all(|c| c.is_ascii_hexdigit())) {
        return invalid(format!("\"{colour}\" is not a colour; use #rrggbb."));
    }
    if profile.environment.label.trim().is_empty() {
        return invalid("Give the environment a label.".to_owned());
    }
    if profile.ca_file.is_some() && !matches!(profile.tls_mode, TlsMode::VerifyCa | TlsMode::VerifyFull) {
        return invalid("A CA file is used only with TLS mode verify-ca or verify-full.".to_owned());
    }
    Ok(())
}

/// Guesses the environment from names: "prod" means production, "stag"
/// staging; anything else development. The user can change it.
fn guess_environment(host: &str, database: &str) -> EnvironmentKind {
    let haystack = format!("{host} {database}").to_ascii_lowercase();
    if haystack.contains("prod") {
        EnvironmentKind::Production
    } else if haystack.contains("stag") {
        EnvironmentKind::Staging
    } else {
        EnvironmentKind::Development
    }
}

/// A profile (with an empty id) and the password, from a `postgres://` URL.
///
/// Understands `user:password@host:port/database` and the query parameters
/// `sslmode`, `sslrootcert`, `host` (a Unix socket folder) and `connect_timeout`.
/// Errors never repeat the URL: it may hold a password.
pub fn profile_from_url(url: &str) -> CoreResult<(Profile, Option<SecretString>)> {
    let malformed = |what: &str| {
        CoreError::InvalidInput(format!(
            "The connection URL is malformed ({what}). Expected postgres://user[:password]@host[:port]/database[?sslmode=...]."
        ))
    };
    let trimmed = url.trim();
    if !(trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://")) {
        return Err(CoreError::InvalidInput(
            "A connection URL must start with postgres:// or postgresql://.".to_owned(),
        ));
    }
    let parsed = url::Url::parse(trimmed).map_err(|_| malformed("it does not parse"))?;
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .map(|decoded| decoded.into_owned())
            .map_err(|_| malformed("bad percent-encoding"))
    };
    let mut user = decode(parsed.username())?;
    let mut password = parsed.password().map(decode).transpose()?.map(SecretString::from);
    // A percent-encoded host is a Unix socket folder (postgres://%2Ftmp/db).
    let mut host = parsed
        .host_str()
        .map(|h| decode(h.trim_matches(|c| c == '[' || c == ']')))
        .transpose()?;
    let mut port = parsed.port().unwrap_or(DEFAULT_PORT);
    let mut database = decode(parsed.path().trim_start_matches('/'))?;
    let mut tls_mode = TlsMode::Prefer;
    let mut ca_file = None;
    let mut connect_timeout_secs = DEFAULT_CONNECT_TIMEOUT_SECS;
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "sslmode" => {
                tls_mode = match value.as_ref() {
                    "disable" => TlsMode::Disable,
                    "allow" | "prefer" => TlsMode::Prefer,
                    "require" => TlsMode::Require,
                    "verify-ca" => TlsMode::VerifyCa,
                    "verify-full" => TlsMode::VerifyFull,
                    other => return Err(malformed(&format!("unknown sslmode \"{other}\""))),
                }
            }
            "sslrootcert" => ca_file = Some(value.into_owned()),
            "host" => host = Some(value.into_owned()),
            // libpq accepts these as parameters too.
            "user" => user = value.into_owned(),
            "password" => password = Some(SecretString::from(value.into_owned())),
            "dbname" => database = value.into_owned(),
            "port" => port = value.parse().map_err(|_| malformed("port is not a number"))?,
            "connect_timeout" => {
                connect_timeout_secs = value
                    .parse()
                    .map_err(|_| malformed("connect_timeout is not a number"))?
            }
            _ => {}
        }
    }
    // As libpq: a CA file with sslmode require (or less) means verify-ca.
    if ca_file.is_some() && matches!(tls_mode, TlsMode::Prefer | TlsMode::Require) {
        tls_mode = TlsMode::VerifyCa;
    }
    let host = host
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    let user = if user.is_empty() {
        "postgres".to_owned()
    } else {
        user
    };
    let database = if database.is_empty() {
        user.clone()
    } else {
        database
    };
    let kind = guess_environment(&host, &database);
    let profile = Profile {
        id: String::new(),
        name: format!("{database} on {host}"),
        host,
        port,
        database,
        user,
        tls_mode,
        ca_file,
        connect_timeout_secs,
        statement_timeout_secs: DEFAULT_STATEMENT_TIMEOUT_SECS,
        environment: Environment::of_kind(kind),
        protection: kind.default_protection(),
        password_storage: PasswordStorage::Keyring,
    };
    Ok((profile, password))
}

/// The profiles file shared by the app (through tauri-plugin-store) and the
/// CLI: a JSON object whose `profiles` key holds the book.
#[derive(Debug, Clone)]
pub struct ProfileFile {
    path: PathBuf,
}

impl ProfileFile {
    /// The file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        ProfileFile { path: path.into() }
    }

    /// The platform's data folder for Fluxdesk, where the app keeps its store
    /// files (`$XDG_DATA_HOME/dev.fluxdesk.app` on Linux).
    pub fn default_path() -> CoreResult<PathBuf> {
        let base = dirs::data_dir().ok_or_else(|| {
            CoreError::io(
                "Cannot find this platform's data folder",
                std::io::Error::from(std::io::ErrorKind::NotFound),
            )
        })?;
        Ok(base.join(APP_IDENTIFIER).join(PROFILES_FILE))
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read_object(&self) -> CoreResult<serde_json::Map<String, Value>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| {
                CoreError::InvalidInput(format!(
                    "{} is not a valid profiles file ({error}); it was left as it is.",
                    self.path.display()
                ))
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(serde_json::Map::new()),
            Err(error) => Err(CoreError::io(
                format!("Cannot read {}", self.path.display()),
                error,
            )),
        }
    }
}

impl ProfileStorage for ProfileFile {
    fn read(&self) -> CoreResult<Option<Value>> {
        Ok(self.read_object()?.remove(PROFILES_KEY))
    }

    fn write(&self, book: Value) -> CoreResult<()> {
        let mut object = self.read_object()?;
        object.insert(PROFILES_KEY.to_owned(), book);
        let folder = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder)
            .map_err(|error| CoreError::io(format!("Cannot create {}", folder.display()), error))?;
        // Write beside and rename, so a crash never leaves half a file.
        let temporary = self.path.with_extension("json.partial");
        let text = serde_json::to_vec_pretty(&object).expect("JSON values always serialize");
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, &self.path))
            .map_err(|error| CoreError::io(format!("Cannot write {}", self.path.display()), error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::Protection;
    use secrecy::ExposeSecret;

    #[test]
    fn urls_become_profiles_and_keep_the_password_apart() {
        let (profile, password) =
            profile_from_url("postgres://ops:p%40ss%2Fw0rd@db.prod.example:6543/app?sslmode=verify-full&sslrootcert=/etc/ca.pem")
                .unwrap();
        assert_eq!(profile.user, "ops");
        assert_eq!(profile.host, "db.prod.example");
        assert_eq!(profile.port, 6543);
        assert_eq!(profile.database, "app");
        assert_eq!(profile.tls_mode, TlsMode::VerifyFull);
        assert_eq!(profile.ca_file.as_deref(), Some("/etc/ca.pem"));
        assert_eq!(password.unwrap().expose_secret(), "p@ss/w0rd");
        assert_eq!(
            profile.environment.kind,
            EnvironmentKind::Production,
            "the name says prod"
        );
        assert_eq!(
            profile.protection,
            Protection::ReadOnly,
            "production defaults to read-only"
        );

        let (socket, none) =
            profile_from_url("postgres://postgres@localhost:5499/demo?host=/tmp/pg").unwrap();
        assert_eq!(socket.host, "/tmp/pg");
        assert!(none.is_none());
        assert_eq!(socket.environment.kind, EnvironmentKind::Development);
        let (encoded, _) = profile_from_url("postgres://app@%2Fvar%2Frun%2Fpostgresql/demo").unwrap();
        assert_eq!(
            encoded.host, "/var/run/postgresql",
            "a percent-encoded host is a socket folder"
        );
        let (params, params_password) = profile_from_url(
            "postgres://h/x?user=ops&password=s%20cret&dbname=app&port=6000&sslrootcert=/ca.pem&sslmode=require",
        )
        .unwrap();
        assert_eq!(
            (params.user.as_str(), params.database.as_str(), params.port),
            ("ops", "app", 6000)
        );
        assert_eq!(params_password.unwrap().expose_secret(), "s cret");
        assert_eq!(
            params.tls_mode,
            TlsMode::VerifyCa,
            "a CA file with require verifies, as in libpq"
        );
        let (v6, _) = profile_from_url("postgres://u@[::1]:5433/d").unwrap();
        assert_eq!(v6.host, "::1");
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_them() {
        for url in [
            "mysql://x",
            "postgres://u:hunter2@h/d?sslmode=bogus",
            "postgres://u:hunter2@h:99999/d",
        ] {
            let error = profile_from_url(url).unwrap_err().to_string();
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    fn sample() -> Profile {
        profile_from_url("postgres://app@localhost/app").unwrap().0
    }

    #[test]
    fn names_are_unique_and_fields_validated() {
        let mut book = ProfileBook::default();
        let first = book.add(sample()).unwrap();
        assert!(!first.id.is_empty());
        let duplicate = book.add(Profile {
            name: first.name.to_uppercase(),
            ..sample()
        });
        assert!(duplicate.is_err(), "names are unique regardless of case");
        let bad_colour = Profile {
            environment: Environment {
                colour: "red".into(),
                ..first.environment.clone()
            },
            ..sample()
        };
        assert!(validate(&bad_colour).unwrap_err().to_string().contains("#rrggbb"));
        let stray_ca = Profile {
            ca_file: Some("/x".into()),
            tls_mode: TlsMode::Require,
            ..sample()
        };
        assert!(validate(&stray_ca).is_err());
        let renamed = book
            .update(Profile {
                name: "Renamed".into(),
                ..first.clone()
            })
            .unwrap();
        assert_eq!(renamed.name, first.name, "update returns the previous version");
        assert_eq!(book.by_name("renamed").unwrap().id, first.id);
        book.remove(&first.id).unwrap();
        assert!(book.profiles().is_empty());
    }

    #[test]
    fn exports_round_trip_and_imports_rename_clashes() {
        let mut book = ProfileBook::default();
        book.add(sample()).unwrap();
        let export = book.export();
        let text = serde_json::to_string(&export).unwrap();
        assert!(text.contains("\"format\":\"fluxdesk-profiles\""));
        let report = book.import(serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(report.added, vec!["app on localhost (2)".to_owned()]);
        assert_eq!(book.profiles().len(), 2);
        assert_ne!(
            book.profiles()[0].id,
            book.profiles()[1].id,
            "imports get new ids"
        );
        let wrong = ProfileExport {
            format: "other".into(),
            version: 1,
            profiles: vec![],
        };
        assert!(book.import(wrong).is_err());
    }

    #[test]
    fn the_file_keeps_other_store_keys_and_survives_a_round_trip() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("nested/profiles.json");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, r#"{"other": 1}"#).unwrap();
        let file = ProfileFile::new(&path);
        let mut book = ProfileBook::load(&file).unwrap();
        book.add(sample()).unwrap();
        book.save(&file).unwrap();
        let again = ProfileBook::load(&file).unwrap();
        assert_eq!(again, book);
        let raw: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(raw["other"], 1, "keys the store plugin wrote stay");
        std::fs::write(&path, "{not json").unwrap();
        assert!(
            ProfileBook::load(&file).is_err(),
            "a corrupt file is an error, not an empty book"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{not json",
            "and is left as it is"
        );
    }
}
