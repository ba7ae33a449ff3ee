//! Where to connect, parsed from a `postgres://` URL, with secrets kept out of sight.

use crate::error::{CoreError, CoreResult};
use sqlx::postgres::PgConnectOptions;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Default time allowed for opening a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Default limit on one statement, so a runaway query cannot hang the UI.
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Name Fluxdesk reports in `pg_stat_activity.application_name`.
pub const APPLICATION_NAME: &str = "fluxdesk";

/// A parsed connection target.
///
/// Holds the password, if the URL had one, so it never implements `Serialize`
/// and its `Debug` prints only the redacted [`ConnectionTarget::display`].
#[derive(Clone)]
pub struct ConnectionTarget {
    options: PgConnectOptions,
    display: String,
    connect_timeout: Duration,
    statement_timeout: Duration,
}

impl ConnectionTarget {
    /// Parses a `postgres://` or `postgresql://` URL, e.g.
    /// `postgres://user:pass@host:5432/db?sslmode=require` or
    /// `postgres://user@localhost:5432/db?host=/run/postgresql` for a socket.
    pub fn from_url(url: &str) -> CoreResult<Self> {
        let trimmed = url.trim();
        if !(trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://")) {
            return Err(CoreError::InvalidInput(
                "A connection URL must start with postgres:// or postgresql://.".to_owned(),
            ));
        }
        // sqlx's own message can echo the URL back, password included, so it is
        // replaced by ours rather than forwarded.
        let options = PgConnectOptions::from_str(trimmed).map_err(|_| {
            CoreError::InvalidInput(
                "The connection URL is malformed. Expected postgres://user[:password]@host[:port]/database[?options]."
                    .to_owned(),
            )
        })?;
        Ok(Self::from_options(options))
    }

    fn from_options(options: PgConnectOptions) -> Self {
        let options = options.application_name(APPLICATION_NAME);
        let display = describe(&options);
        ConnectionTarget {
            options,
            display,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
        }
    }

    /// Changes the connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Changes the limit on each statement's run time.
    pub fn with_statement_timeout(mut self, timeout: Duration) -> Self {
        self.statement_timeout = timeout;
        self
    }

    /// `user@host:port/database`, never with a password.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Time allowed for opening a connection.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Options for a new connection: the URL's, plus our name and statement timeout.
    pub(crate) fn connect_options(&self) -> PgConnectOptions {
        let timeout = format!("{}ms", self.statement_timeout.as_millis());
        self.options.clone().options([("statement_timeout", timeout)])
    }
}

fn describe(options: &PgConnectOptions) -> String {
    let host = match options.get_socket() {
        Some(socket_dir) => socket_dir.display().to_string(),
        None => options.get_host().to_owned(),
    };
    let database = options.get_database().unwrap_or(options.get_username());
    format!(
        "{}@{}:{}/{}",
        options.get_username(),
        host,
        options.get_port(),
        database
    )
}

impl fmt::Debug for ConnectionTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionTarget")
            .field("display", &self.display)
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
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
        assert!(matches!(error, CoreError::InvalidInput(_)));
        let error = ConnectionTarget::from_url("postgres://u:hunter2@host:notaport/db").unwrap_err();
        assert!(
            !error.to_string().contains("hunter2"),
            "error text leaked the password: {error}"
        );
    }
}
