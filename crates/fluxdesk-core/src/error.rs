//! Core's error type and its translation into the IPC [`ApiError`].

use fluxdesk_types::{ApiError, ErrorCode};
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
        /// Id of the instance.
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
    /// A statement on an open connection failed.
    #[error(transparent)]
    Query(#[from] sqlx::Error),
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
            CoreError::Connect { target, source } => connect_error(&target, &source),
            error @ CoreError::ConnectTimeout { .. } => ApiError::new(ErrorCode::Timeout, error.to_string()),
            CoreError::Query(source) => query_error(&source),
            error @ CoreError::Io { .. } => {
                tracing::error!(%error, "local I/O failed");
                ApiError::new(ErrorCode::Internal, error.to_string())
            }
        }
    }
}

/// Explains a failed connection attempt in words an operator acts on.
fn connect_error(target: &str, source: &sqlx::Error) -> ApiError {
    let (code, reason) = match source {
        sqlx::Error::Io(io_error) => (ErrorCode::ConnectionFailed, describe_io(io_error)),
        sqlx::Error::Tls(tls_error) => (
            ErrorCode::ConnectionFailed,
            format!("the TLS handshake failed ({tls_error})."),
        ),
        sqlx::Error::PoolTimedOut => (
            ErrorCode::Timeout,
            "the server did not answer in time.".to_owned(),
        ),
        sqlx::Error::Database(db_error) => match db_error.code().as_deref() {
            Some("28P01") | Some("28000") => (
                ErrorCode::ConnectionFailed,
                format!("the server rejected the credentials ({}).", db_error.message()),
            ),
            Some("3D000") => (ErrorCode::ConnectionFailed, format!("{}.", db_error.message())),
            Some("53300") => (
                ErrorCode::ConnectionFailed,
                "the server has no free connection slots.".to_owned(),
            ),
            _ => (ErrorCode::ConnectionFailed, format!("{}.", db_error.message())),
        },
        other => (ErrorCode::ConnectionFailed, format!("{other}.")),
    };
    ApiError::new(code, format!("Could not connect to {target}: {reason}"))
}

fn describe_io(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => {
            "the server refused the connection. Is PostgreSQL running and listening there?".to_owned()
        }
        io::ErrorKind::NotFound => {
            "no server socket exists at that address. Is PostgreSQL running?".to_owned()
        }
        io::ErrorKind::TimedOut => "the network connection timed out.".to_owned(),
        io::ErrorKind::PermissionDenied => {
            "the operating system denied access to the server address.".to_owned()
        }
        _ if error.to_string().contains("lookup") => {
            format!("the host name could not be resolved ({error}).")
        }
        _ => format!("{error}."),
    }
}

/// Explains a failed statement on an open connection.
fn query_error(source: &sqlx::Error) -> ApiError {
    match source {
        sqlx::Error::Database(db_error) => {
            let code = match db_error.code().as_deref() {
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
}
