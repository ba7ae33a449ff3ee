//! Saved connection profiles. A profile never holds a password: that lives in
//! the OS keyring, or is asked for every time.

use serde::{Deserialize, Serialize};

/// How TLS is negotiated, as in libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Never use TLS.
    Disable,
    /// Use TLS when the server offers it, without checking the certificate.
    #[default]
    Prefer,
    /// Always use TLS, without checking the certificate.
    Require,
    /// Always use TLS and check the certificate against the CA.
    VerifyCa,
    /// As `VerifyCa`, and also check that the certificate names the host.
    VerifyFull,
}

impl TlsMode {
    /// The libpq `sslmode` name.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }
}

/// What kind of environment an instance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentKind {
    /// Live data of real users.
    Production,
    /// A pre-production copy.
    Staging,
    /// A developer's instance.
    #[default]
    Development,
    /// Anything else; the label says what.
    Custom,
}

impl EnvironmentKind {
    /// The wire name, as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EnvironmentKind::Production => "production",
            EnvironmentKind::Staging => "staging",
            EnvironmentKind::Development => "development",
            EnvironmentKind::Custom => "custom",
        }
    }

    /// The colour this kind gets unless the user picks another.
    pub fn default_colour(self) -> &'static str {
        match self {
            EnvironmentKind::Production => "#d92d20",
            EnvironmentKind::Staging => "#f79009",
            EnvironmentKind::Development => "#12b76a",
            EnvironmentKind::Custom => "#7a5af8",
        }
    }

    /// Safe by default: production read-only, staging and custom confirm
    /// writes, development open. The user can change it.
    pub fn default_protection(self) -> Protection {
        match self {
            EnvironmentKind::Production => Protection::ReadOnly,
            EnvironmentKind::Staging | EnvironmentKind::Custom => Protection::ConfirmWrites,
            EnvironmentKind::Development => Protection::Open,
        }
    }

    /// The label this kind gets unless the user writes another.
    pub fn default_label(self) -> &'static str {
        match self {
            EnvironmentKind::Production => "Production",
            EnvironmentKind::Staging => "Staging",
            EnvironmentKind::Development => "Development",
            EnvironmentKind::Custom => "Custom",
        }
    }
}

/// The environment tag shown on every view of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// Production, staging, development or custom.
    pub kind: EnvironmentKind,
    /// Shown in the tag, e.g. "Production" or a custom "QA".
    pub label: String,
    /// `#rrggbb`, used to tint the window chrome.
    pub colour: String,
}

impl Environment {
    /// The tag a kind gets by default.
    pub fn of_kind(kind: EnvironmentKind) -> Self {
        Environment {
            kind,
            label: kind.default_label().to_owned(),
            colour: kind.default_colour().to_owned(),
        }
    }
}

/// How writes are guarded on an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    /// The server refuses every write: every transaction is READ ONLY.
    ReadOnly,
    /// A write runs in a transaction that is shown, with its affected rows,
    /// before the user commits it.
    #[default]
    ConfirmWrites,
    /// Writes commit at once.
    Open,
}

impl Protection {
    /// The wire name, as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Protection::ReadOnly => "read_only",
            Protection::ConfirmWrites => "confirm_writes",
            Protection::Open => "open",
        }
    }

    /// How the UI and the CLI name it.
    pub fn label(self) -> &'static str {
        match self {
            Protection::ReadOnly => "read-only",
            Protection::ConfirmWrites => "confirm writes",
            Protection::Open => "open",
        }
    }
}

/// Where a profile's password comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PasswordStorage {
    /// The OS keyring (Keychain, Credential Manager, Secret Service).
    #[default]
    Keyring,
    /// Nowhere: asked for at every connection.
    AskEveryTime,
}

/// A saved instance. Holds no secret, so it may be stored, exported and sent
/// to the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Stable id.
    pub id: String,
    /// Unique display name.
    pub name: String,
    /// Host name, IP address, or the folder of a Unix socket (starting with `/`).
    pub host: String,
    /// TCP port (also names the Unix socket).
    pub port: u16,
    /// Database name.
    pub database: String,
    /// User name.
    pub user: String,
    /// TLS negotiation.
    pub tls_mode: TlsMode,
    /// CA certificate file for `verify-ca` and `verify-full`; the system's
    /// roots are used when absent.
    pub ca_file: Option<String>,
    /// Seconds allowed for connecting.
    pub connect_timeout_secs: u32,
    /// Seconds one statement may run.
    pub statement_timeout_secs: u32,
    /// The environment tag.
    pub environment: Environment,
    /// How writes are guarded.
    pub protection: Protection,
    /// Where the password comes from.
    pub password_storage: PasswordStorage,
}

/// A profile being created or edited. Travels only from the UI to the
/// backend; the password in it is never sent back. Its `Debug` hides the
/// password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDraft {
    /// The fields of the profile (its `id` is ignored when creating).
    pub profile: Profile,
    /// A new password to store in the keyring; `None` keeps the stored one.
    pub password: Option<String>,
}

impl std::fmt::Debug for ProfileDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileDraft")
            .field("profile", &self.profile)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Where a profile's password stands, without revealing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordState {
    /// The keyring holds one.
    Saved,
    /// The keyring holds none.
    Missing,
    /// The profile asks every time.
    AskEveryTime,
    /// No keyring is reachable on this machine.
    KeyringUnavailable,
    /// Given at launch (`--dsn`): held in memory for this run only.
    ThisRunOnly,
}

/// A profile as the profile list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileEntry {
    /// The profile.
    pub profile: Profile,
    /// Its password's state.
    pub password: PasswordState,
    /// Whether it is connected now.
    pub connected: bool,
    /// Whether it is saved (false for an instance given at launch with `--dsn`).
    pub saved: bool,
}

/// The file format of exported profiles (never with passwords).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileExport {
    /// Always `"fluxdesk-profiles"`.
    pub format: String,
    /// Format version, currently 1.
    pub version: u32,
    /// The profiles.
    pub profiles: Vec<Profile>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Names of the profiles added, renamed where a name was taken.
    pub added: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_wire_names_match_serde() {
        for kind in [
            EnvironmentKind::Production,
            EnvironmentKind::Staging,
            EnvironmentKind::Development,
            EnvironmentKind::Custom,
        ] {
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
        for protection in [Protection::ReadOnly, Protection::ConfirmWrites, Protection::Open] {
            assert_eq!(
                serde_json::to_string(&protection).unwrap(),
                format!("\"{}\"", protection.as_str())
            );
        }
        assert_eq!(
            serde_json::to_string(&TlsMode::VerifyFull).unwrap(),
            "\"verify_full\""
        );
    }

    #[test]
    fn a_draft_never_prints_its_password() {
        let draft = ProfileDraft {
            profile: sample(),
            password: Some("hunter2-secret".into()),
        };
        assert!(!format!("{draft:?}").contains("hunter2-secret"));
    }

    fn sample() -> Profile {
        Profile {
            id: "1".into(),
            name: "n".into(),
            host: "h".into(),
            port: 5432,
            database: "d".into(),
            user: "u".into(),
            tls_mode: TlsMode::Prefer,
            ca_file: None,
            connect_timeout_secs: 5,
            statement_timeout_secs: 30,
            environment: Environment::of_kind(EnvironmentKind::Production),
            protection: Protection::ReadOnly,
            password_storage: PasswordStorage::Keyring,
        }
    }

    #[test]
    fn a_profile_never_has_a_password_field() {
        let json = serde_json::to_string(&sample()).unwrap();
        assert!(
            !json.contains("password\":"),
            "profiles are stored and exported as they serialize: {json}"
        );
    }
}
