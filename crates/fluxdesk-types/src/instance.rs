//! Instances the app knows about and the live connection to one.

use crate::ApiError;
use serde::{Deserialize, Serialize};

/// An instance the app can connect to. Never carries a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSummary {
    /// Stable id used in every later call.
    pub id: String,
    /// Display name, e.g. "Demo instance".
    pub name: String,
    /// Where it points, as `user@host:port/database`, without any secret.
    pub target: String,
    /// Whether a connection is currently open.
    pub connected: bool,
}

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
}

/// What the UI needs when it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchState {
    /// Every known instance.
    pub instances: Vec<InstanceSummary>,
    /// The instance to connect to right away, when the app was started for one
    /// (`fluxdesk --dsn URL`, or the demo).
    pub connect_on_start: Option<String>,
    /// The app's version, for the title bar and bug reports.
    pub app_version: String,
    /// Why the instance given at launch could not be used, if it could not.
    pub startup_error: Option<ApiError>,
}
