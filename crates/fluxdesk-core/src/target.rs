//! Where and how to connect: built from a profile and its password, with
//! secrets kept out of sight.

use crate::error::CoreResult;
use crate::profiles::profile_from_url;
use fluxdesk_types::{Profile, Protection, TlsMode};
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use std::fmt;
use std::time::Duration;

/// Default time allowed for opening a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Default limit on one statement, so a runaway query cannot hang the UI.
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Name Fluxdesk reports in `pg_stat_activity.application_name`.
pub const APPLICATION_NAME: &str = "fluxdesk";

/// Everything needed to open connections to one instance.
///
/// Holds the password, so it never implements `Serialize` and its `Debug`
/// prints only the redacted [`ConnectionTarget::display`].
#[derive(Clone)]
pub struct ConnectionTarget {
    profile: Profile,
    password: Option<SecretString>,
    display: String,
}

impl ConnectionTarget {
    /// A target for `profile`, with its password when it needs one.
    pub fn from_profile(profile: Profile, password: Option<SecretString>) -> Self {
        let host = if profile.host.contains(':') {
            format!("[{}]", profile.host)
        } else {
            profile.host.clone()
        };
        let display = format!("{}@{}:{}/{}", profile.user, host, profile.port, profile.database);
        ConnectionTarget {
            profile,
            password,
            display,
        }
    }

    /// Parses a `postgres://` or `postgresql://` URL (see [`profile_from_url`]).
    pub fn from_url(url: &str) -> CoreResult<Self> {
        let (profile, password) = profile_from_url(url)?;
        Ok(Self::from_profile(profile, password))
    }

    /// Changes the connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.profile.connect_timeout_secs = u32::try_from(timeout.as_secs()).unwrap_or(u32::MAX).max(1);
        self
    }

    /// Changes the limit on each statement's run time (zero: none).
    pub fn with_statement_timeout(mut self, timeout: Duration) -> Self {
        // A non-zero limit under a second becomes one second, never "none".
        let seconds = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
        self.profile.statement_timeout_secs = u32::try_from(seconds).unwrap_or(u32::MAX);
        self
    }

    /// `user@host:port/database`, never with a password.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The profile this target was built from.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Time allowed for opening a connection.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.profile.connect_timeout_secs.max(1)))
    }

    /// Options for a new connection. On a read-only profile every transaction
    /// the server starts for us is READ ONLY, whatever statement follows.
    pub(crate) fn connect_options(&self) -> PgConnectOptions {
        let profile = &self.profile;
        // Without .pgpass (and see the password below).
        let mut options = PgConnectOptions::new_without_pgpass()
            .port(profile.port)
            .database(&profile.database)
            .username(&profile.user)
            .application_name(APPLICATION_NAME)
            .ssl_mode(match profile.tls_mode {
                TlsMode::Disable => PgSslMode::Disable,
                TlsMode::Prefer => PgSslMode::Prefer,
                TlsMode::Require => PgSslMode::Require,
                TlsMode::VerifyCa => PgSslMode::VerifyCa,
                TlsMode::VerifyFull => PgSslMode::VerifyFull,
            });
        options = if profile.host.starts_with('/') {
            options.socket(&profile.host)
        } else {
            options.host(&profile.host)
        };
        if let Some(ca_file) = &profile.ca_file {
            options = options.ssl_root_cert(ca_file.as_str());
        }
        // An empty password overrides $PGPASSWORD: a password comes from the
        // keyring or the user, nowhere else. A server that asks for one then
        // refuses it, which the console turns into "password needed". (The
        // other PG* variables act as for libpq; our -c settings come after
        // PGOPTIONS and win.)
        let password = self.password.as_ref().map(|p| p.expose_secret()).unwrap_or("");
        options = options.password(password);
        let statement_timeout = format!("{}s", profile.statement_timeout_secs);
        let mut settings = vec![("statement_timeout", statement_timeout)];
        if profile.protection == Protection::ReadOnly {
            settings.push(("default_transaction_read_only", "on".to_owned()));
        }
        options.options(settings)
    }
}

impl fmt::Debug for ConnectionTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionTarget")
            .field("display", &self.display)
            .field("profile", &self.profile.name)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_debug_never_show_the_password() {
        let target = ConnectionTarget::from_url("postgres://alice:s3cr3t-pw@db.example:6543/app").unwrap();
        assert_eq!(target.display(), "alice@db.example:6543/app");
        let debug = format!("{target:?}");
        assert!(!debug.contains("s3cr3t-pw"), "Debug leaked the password: {debug}");
        assert!(debug.contains("<redacted>"));
    }

    #[test]
    fn ipv6_hosts_are_bracketed() {
        let target = ConnectionTarget::from_url("postgres://u@[::1]:5433/d").unwrap();
        assert_eq!(target.display(), "u@[::1]:5433/d");
    }

    #[test]
    fn short_statement_timeouts_never_mean_none() {
        let target = ConnectionTarget::from_url("postgres://u@h/d")
            .unwrap()
            .with_statement_timeout(Duration::from_millis(300));
        assert_eq!(target.profile().statement_timeout_secs, 1);
    }

    #[test]
    fn socket_targets_show_the_socket_directory() {
        let target =
            ConnectionTarget::from_url("postgres://postgres@localhost:5499/demo?host=/tmp/fd").unwrap();
        assert_eq!(target.display(), "postgres@/tmp/fd:5499/demo");
    }

    #[test]
    fn malformed_urls_are_refused_without_echoing_them() {
        let error = ConnectionTarget::from_url("mysql://root:hunter2@x/y").unwrap_err();
        assert!(matches!(error, crate::CoreError::InvalidInput(_)));
        let error = ConnectionTarget::from_url("postgres://u:hunter2@host:notaport/db").unwrap_err();
        assert!(
            !error.to_string().contains("hunter2"),
            "error text leaked the password: {error}"
        );
    }
}
