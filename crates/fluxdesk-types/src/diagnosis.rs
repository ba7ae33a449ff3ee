//! "Test connection" results and the fleet overview.

use crate::instance::FluxbaseLayout;
use serde::{Deserialize, Serialize};

/// What stands between Fluxdesk and an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The host name does not resolve.
    UnknownHost,
    /// The host refused the connection: nothing listens on that port.
    Refused,
    /// No answer within the connect timeout.
    Timeout,
    /// The server rejected the user name or password.
    BadCredentials,
    /// The database does not exist.
    DatabaseMissing,
    /// TLS failed: unsupported, or the certificate did not verify.
    TlsFailure,
    /// Connected, but the database is plain PostgreSQL, not Fluxbase.
    NotFluxbase,
    /// The profile asks for its password and none was given.
    PasswordNeeded,
    /// The OS keyring could not be reached.
    KeyringUnavailable,
    /// Anything else; the message says what.
    Other,
}

/// The outcome of testing a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// Whether a connection was opened and a query answered.
    pub connected: bool,
    /// What went wrong, or what is worth knowing (plain PostgreSQL).
    pub problem: Option<Problem>,
    /// One sentence for a person.
    pub message: String,
    /// `SHOW server_version`, when connected.
    pub server_version: Option<String>,
    /// The Fluxbase layout, when connected.
    pub layout: Option<FluxbaseLayout>,
    /// How long the test took, in milliseconds.
    pub elapsed_ms: u64,
}

/// One instance's line in the fleet overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceHealth {
    /// The profile.
    pub profile_id: String,
    /// Reachability and layout, as "Test connection" reports them.
    pub diagnosis: Diagnosis,
    /// `pg_database_size(current_database())`, in bytes.
    pub database_size_bytes: Option<i64>,
    /// Client connections open on the server now.
    pub connections_in_use: Option<i64>,
    /// `max_connections`.
    pub max_connections: Option<i64>,
    /// `superuser_reserved_connections`.
    pub reserved_connections: Option<i64>,
    /// Committed plus rolled-back transactions so far (the window derives
    /// transactions per second from two readings).
    #[serde(default)]
    pub transactions: Option<i64>,
    /// Live app sessions (`auth.sessions`), on Fluxbase instances.
    #[serde(default)]
    pub app_sessions_live: Option<i64>,
}
