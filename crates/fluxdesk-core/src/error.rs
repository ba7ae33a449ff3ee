//! Core's error type and its translation into the IPC [`ApiError`].

use fluxdesk_types::{ApiError, ErrorCode, Problem};
use std::io;

/// Result alias for core operations.
pub type CoreResult<T> = Result<T, CoreError>;

/// Everything that can go wrong in core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The caller passed something malformed; the text says what.
    #[error("{0}")]
    InvalidInput(String),
    /// A named object does not exist; the text names it.
    #[error("{0}")]
    NotFound(String),
    /// The instance has no open connection.
    #[error("Instance \"{instance}\" is not connected.")]
    NotConnected {
        /// Name of the instance.
        instance: String,
    },
    /// Opening a connection failed. `target` is the redacted address.
    #[error("Could not connect to {target}: {source}")]
    Connect {
        /// Where we tried to connect, without secrets.
        target: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// Connecting took longer than the connect timeout.
    #[error("Connecting to {target} timed out after {seconds} s.")]
    ConnectTimeout {
        /// Where we tried to connect, without secrets.
        target: String,
        /// The timeout that elapsed.
        seconds: u64,
    },
    /// The OS keyring could not be used; the text says why.
    #[error(
        "The OS keyring is not available: {0}. Unlock or start your keyring, or set this profile to ask for the password every time. Nothing was written to disk."
    )]
    KeyringUnavailable(String),
    /// A password is needed and none is at hand; `reason` says why.
    #[error("Enter the password of \"{profile}\" to connect: {reason}")]
    PasswordNeeded {
        /// Name of the profile.
        profile: String,
        /// Why there is none: it asks every time, none is saved, or the keyring is unavailable.
        reason: String,
    },
    /// A statement on an open connection failed.
    #[error(transparent)]
    Query(#[from] sqlx::Error),
    /// Wrong admin credentials or code, or the account may not sign in.
    #[error("{0}")]
    AuthenticationFailed(String),
    /// The admin account is locked after failed sign-ins.
    #[error("{0}")]
    AccountLocked(String),
    /// No usable admin session: not signed in, locked, expired or revoked.
    #[error("{0}")]
    SignInRequired(String),
    /// The action needs a fresh second factor first.
    #[error("{0}")]
    StepUpRequired(String),
    /// Fluxdesk's own schema is missing or behind this build.
    #[error("{0}")]
    SchemaNotInstalled(String),
    /// Statement `index` of a script of `total` failed; nothing was committed.
    #[error("Statement {index} of {total} failed: {source} Nothing was committed.")]
    InStatement {
        /// 1-based.
        index: usize,
        /// Statements in the script.
        total: usize,
        /// Why it failed.
        source: Box<CoreError>,
    },
    /// The user cancelled a long operation; the text says what was undone.
    #[error("{0}")]
    Cancelled(String),
    /// The database refused for lack of a privilege or by RLS; the text
    /// explains it in the terms of the identity that was refused.
    #[error("{0}")]
    PermissionDenied(String),
    /// A local file operation failed (logs, exports).
    #[error("{context}: {source}")]
    Io {
        /// What we were doing.
        context: String,
        /// The OS error.
        source: io::Error,
    },
}

impl CoreError {
    /// Wraps an I/O error with what we were doing.
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        CoreError::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::InvalidInput(message) => ApiError::new(ErrorCode::InvalidInput, message),
            CoreError::NotFound(message) => ApiError::new(ErrorCode::NotFound, message),
            error @ CoreError::NotConnected { .. } => {
                ApiError::new(ErrorCode::NotConnected, error.to_string())
            }
            CoreError::Connect { target, source } => {
                let (problem, reason) = classify_connect_error(&source);
                let code = if problem == Problem::Timeout {
                    ErrorCode::Timeout
                } else {
                    ErrorCode::ConnectionFailed
                };
                ApiError::new(code, format!("Could not connect to {target}: {reason}"))
            }
            error @ CoreError::ConnectTimeout { .. } => ApiError::new(ErrorCode::Timeout, error.to_string()),
            error @ CoreError::KeyringUnavailable(_) => {
                tracing::warn!(%error, "keyring unavailable");
                ApiError::new(ErrorCode::KeyringUnavailable, error.to_string())
            }
            error @ CoreError::PasswordNeeded { .. } => {
                ApiError::new(ErrorCode::PasswordNeeded, error.to_string())
            }
            CoreError::Query(source) => query_error(&source),
            CoreError::AuthenticationFailed(message) => {
                ApiError::new(ErrorCode::AuthenticationFailed, message)
            }
            CoreError::AccountLocked(message) => ApiError::new(ErrorCode::AccountLocked, message),
            CoreError::SignInRequired(message) => ApiError::new(ErrorCode::SignInRequired, message),
            CoreError::StepUpRequired(message) => ApiError::new(ErrorCode::StepUpRequired, message),
            CoreError::SchemaNotInstalled(message) => ApiError::new(ErrorCode::SchemaNotInstalled, message),
            CoreError::Cancelled(message) => ApiError::new(ErrorCode::Cancelled, message),
            CoreError::PermissionDenied(message) => ApiError::new(ErrorCode::PermissionDenied, message),
            CoreError::InStatement { index, total, source } => {
                let inner = ApiError::from(*source);
                ApiError::new(
                    inner.code,
                    format!(
                        "Statement {index} of {total} failed: {} Nothing was committed.",
                        inner.message
                    ),
                )
            }
            error @ CoreError::Io { .. } => {
                tracing::error!(%error, "local I/O failed");
                ApiError::new(ErrorCode::Internal, error.to_string())
            }
        }
    }
}

/// What kept a connection from opening, and why, in words an operator acts on.
pub(crate) fn classify_connect_error(source: &sqlx::Error) -> (Problem, String) {
    match source {
        sqlx::Error::Io(io_error) => classify_io(io_error),
        sqlx::Error::Tls(tls_error) => (Problem::TlsFailure, describe_tls(&tls_error.to_string())),
        sqlx::Error::PoolTimedOut => (Problem::Timeout, "the server did not answer in time.".to_owned()),
        sqlx::Error::Database(db_error) => match db_error.code().as_deref() {
            Some("28P01") => (
                Problem::BadCredentials,
                format!(
                    "the server rejected the user name or password ({}).",
                    db_error.message()
                ),
            ),
            // 28000 also covers pg_hba.conf refusals ("no pg_hba.conf entry", "no encryption").
            Some("28000") => (
                Problem::Other,
                format!(
                    "the server does not accept this connection ({}).",
                    db_error.message()
                ),
            ),
            Some("3D000") => (Problem::DatabaseMissing, format!("{}.", db_error.message())),
            Some("53300") => (
                Problem::Other,
                "the server has no free connection slots.".to_owned(),
            ),
            _ => (Problem::Other, format!("{}.", db_error.message())),
        },
        sqlx::Error::Protocol(message) if message.contains("password") => (
            Problem::BadCredentials,
            "the server asks for a password and none was given.".to_owned(),
        ),
        sqlx::Error::Protocol(message) if message.contains("SSLRequest") => (
            Problem::Other,
            format!(
                "whatever answers at that address does not speak PostgreSQL (is it the right port, or a proxy?) ({message})."
            ),
        ),
        other => (Problem::Other, format!("{other}.")),
    }
}

fn classify_io(error: &io::Error) -> (Problem, String) {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => (
            Problem::Refused,
            "the server refused the connection. Is PostgreSQL running and listening there?".to_owned(),
        ),
        io::ErrorKind::NotFound => (
            Problem::Refused,
            "no server socket exists at that address. Is PostgreSQL running?".to_owned(),
        ),
        io::ErrorKind::TimedOut => (Problem::Timeout, "the network connection timed out.".to_owned()),
        io::ErrorKind::PermissionDenied => (
            Problem::Other,
            "the operating system denied access to the server address.".to_owned(),
        ),
        // rustls reports a failed handshake or certificate as an I/O error.
        _ if is_tls_failure(&error.to_string()) => (Problem::TlsFailure, describe_tls(&error.to_string())),
        _ if error.to_string().contains("lookup") || error.to_string().contains("resolve") => (
            Problem::UnknownHost,
            format!("the host name could not be resolved ({error})."),
        ),
        _ => (Problem::Other, format!("{error}.")),
    }
}

fn is_tls_failure(text: &str) -> bool {
    [
        "certificate",
        "TLS",
        "tls",
        "handshake",
        "alert",
        "peer is incompatible",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

fn describe_tls(raw: &str) -> String {
    let reason = if raw.contains("UnknownIssuer") {
        "the server's certificate is not signed by a trusted authority; give the CA file that signed it"
    } else if raw.contains("NotValidForName") {
        "the server's certificate does not name this host"
    } else if raw.contains("Expired") {
        "the server's certificate has expired"
    } else if raw.contains("not support") {
        "the server does not accept TLS connections"
    } else if raw.contains("certificate") {
        "the server's certificate could not be verified"
    } else {
        "the TLS handshake failed"
    };
    format!("TLS failed: {reason} ({raw}).")
}

/// Explains a failed statement on an open connection.
fn query_error(source: &sqlx::Error) -> ApiError {
    match source {
        sqlx::Error::Database(db_error) => {
            let state = db_error.code();
            let code = match state.as_deref() {
                Some("25006") => {
                    return ApiError::new(
                        ErrorCode::ReadOnly,
                        format!(
                            "This instance's profile is read-only: the server refused to write ({}).",
                            db_error.message()
                        ),
                    );
                }
                Some("42P01") | Some("3F000") | Some("42703") => ErrorCode::NotFound,
                Some("42501") => ErrorCode::PermissionDenied,
                Some("57014") => ErrorCode::Timeout,
                Some(state) if state.starts_with("22") => ErrorCode::InvalidInput,
                _ => ErrorCode::Database,
            };
            ApiError::new(code, db_error.message().to_owned())
        }
        sqlx::Error::Io(io_error) => ApiError::new(
            ErrorCode::ConnectionFailed,
            format!("Lost the connection to the server: {io_error}."),
        ),
        sqlx::Error::PoolTimedOut => ApiError::new(
            ErrorCode::Timeout,
            "No connection to the server became available in time.",
        ),
        sqlx::Error::PoolClosed => ApiError::new(
            ErrorCode::NotConnected,
            "The connection to this instance was closed.",
        ),
        sqlx::Error::RowNotFound => ApiError::new(ErrorCode::NotFound, "No such row."),
        other => {
            tracing::error!(error = %other, "unexpected database driver error");
            ApiError::new(
                ErrorCode::Internal,
                "Unexpected database driver error; see the log file for details.",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_connection_is_explained() {
        let error = CoreError::Connect {
            target: "app@db.example:5432/app".into(),
            source: sqlx::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused)),
        };
        let api: ApiError = error.into();
        assert_eq!(api.code, ErrorCode::ConnectionFailed);
        assert!(
            api.message.contains("app@db.example:5432/app") && api.message.contains("refused"),
            "message must name the target and the cause: {}",
            api.message
        );
    }

    #[test]
    fn not_connected_keeps_its_code() {
        let api: ApiError = CoreError::NotConnected {
            instance: "demo".into(),
        }
        .into();
        assert_eq!(api.code, ErrorCode::NotConnected);
        assert_eq!(api.message, "Instance \"demo\" is not connected.");
    }

    #[test]
    fn pool_timeout_on_query_is_a_timeout() {
        let api: ApiError = CoreError::Query(sqlx::Error::PoolTimedOut).into();
        assert_eq!(api.code, ErrorCode::Timeout);
    }

    #[test]
    fn tls_reasons_are_put_in_words() {
        assert!(describe_tls("invalid peer certificate: UnknownIssuer").contains("CA file"));
        assert!(
            describe_tls("invalid peer certificate: NotValidForName").contains("does not name this host")
        );
    }

    #[test]
    fn keyring_trouble_says_what_to_do() {
        let api: ApiError = CoreError::KeyringUnavailable("no keyring service answered".into()).into();
        assert_eq!(api.code, ErrorCode::KeyringUnavailable);
        assert!(
            api.message.contains("ask for the password every time"),
            "{}",
            api.message
        );
    }
}
