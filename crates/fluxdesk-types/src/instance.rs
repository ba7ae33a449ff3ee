//! Instances the app knows about and the live connection to one.

use crate::{ApiError, ProfileEntry};
use serde::{Deserialize, Serialize};

/// Which Fluxbase schema layout the connected database has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FluxbaseLayout {
    /// v2026.3.6 and earlier: admin tables in the `dashboard` schema.
    Dashboard,
    /// 2026.3.7 and later: admin tables in the `platform` schema, with tenants.
    Platform,
    /// Neither `dashboard.users` nor `platform.users` exists.
    NotFluxbase,
}

/// Facts about an open connection, shown in the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    /// The instance this connection belongs to.
    pub instance_id: String,
    /// `SHOW server_version`.
    pub server_version: String,
    /// `current_database()`.
    pub database: String,
    /// `current_user`.
    pub user: String,
    /// Which Fluxbase layout was detected.
    pub layout: FluxbaseLayout,
    /// Whether the connected role is a superuser: read-only stops data and
    /// schema changes, not superuser-only functions.
    pub superuser: bool,
}

/// What the UI needs when it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchState {
    /// Every profile, saved or given at launch.
    pub profiles: Vec<ProfileEntry>,
    /// The profile to connect right away, when the app was started for one
    /// (`fluxdesk --dsn URL`, or the demo).
    pub connect_on_start: Option<String>,
    /// The app's version, for the title bar and bug reports.
    pub app_version: String,
    /// Why the instance given at launch could not be used, if it could not.
    pub startup_error: Option<ApiError>,
    /// Why the OS keyring cannot be used, if it cannot.
    pub keyring_error: Option<ApiError>,
    /// An audit bundle to review, when the app was started to open one.
    #[serde(default)]
    pub open_bundle: Option<String>,
}
