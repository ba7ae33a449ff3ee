//! Impersonation: acting as an app user, anon or the service role, exactly
//! as a Fluxbase request of theirs would.

use crate::TableRef;
use serde::{Deserialize, Serialize};

/// The step-up purpose for starting an impersonation.
pub const START_IMPERSONATION: &str = "start an impersonation";
/// The step-up purpose for committing a write made while impersonating.
pub const COMMIT_AS_IDENTITY: &str = "commit a write as the impersonated identity";

/// Whom to act as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImpersonationTarget {
    /// An app user (`auth.users`), by id.
    User {
        /// `auth.users.id`.
        user_id: String,
    },
    /// An anonymous visitor.
    Anon,
    /// The service role (bypasses RLS).
    Service,
}

/// What starting an impersonation needs: the target and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpersonationRequest {
    /// Whom to act as.
    pub target: ImpersonationTarget,
    /// Why; required, and recorded.
    pub reason: String,
}

/// An app user as the switcher lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppUserMatch {
    /// `auth.users.id`.
    pub id: String,
    /// Their email.
    pub email: String,
    /// Their app role.
    pub role: String,
}

/// An impersonation in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveImpersonation {
    /// `auth.impersonation_sessions.id`.
    pub session_id: String,
    /// `user`, `anon` or `service`.
    pub kind: String,
    /// The app user's id, for a user.
    pub user_id: Option<String>,
    /// The email in the claims.
    pub email: String,
    /// The app role in the claims (`authenticated`, `admin`, `anon`, `service_role`, ...).
    pub app_role: String,
    /// The database role statements run as (`anon`, `authenticated` or `service_role`).
    pub database_role: String,
    /// Why, as the admin gave it.
    pub reason: String,
    /// When it started, RFC 3339.
    pub started_at: String,
}

/// A number of rows, counted up to a cap so huge tables answer quickly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowCount {
    /// Rows counted.
    pub rows: i64,
    /// Whether counting stopped at the cap (there are at least `rows`).
    pub capped: bool,
}

/// One RLS policy of a table, from `pg_policies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySummary {
    /// Policy name.
    pub name: String,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`.
    pub command: String,
    /// Permissive (OR-ed) or restrictive (AND-ed).
    pub permissive: bool,
    /// Roles it applies to (`public`: everyone).
    pub roles: Vec<String>,
    /// The USING expression, if any.
    pub using: Option<String>,
    /// The WITH CHECK expression, if any.
    pub with_check: Option<String>,
    /// Whether it applies to the identity's database role.
    pub applies: bool,
}

/// The table privileges a database role holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableGrants {
    /// SELECT.
    pub select: bool,
    /// INSERT.
    pub insert: bool,
    /// UPDATE.
    pub update: bool,
    /// DELETE.
    pub delete: bool,
}

/// What RLS and grants let the identity see of one table, against the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RlsInsight {
    /// The table.
    pub table: TableRef,
    /// The database role the identity runs as.
    pub database_role: String,
    /// Row level security enabled.
    pub rls_enabled: bool,
    /// Forced for the owner too.
    pub rls_forced: bool,
    /// Rows the admin (the connection's login role) sees.
    pub admin_rows: RowCount,
    /// Rows the identity sees; none when it may not read the table.
    pub identity_rows: Option<RowCount>,
    /// The identity's database role's privileges on the table.
    pub grants: TableGrants,
    /// Every policy of the table.
    pub policies: Vec<PolicySummary>,
    /// Why the identity sees what it sees, for a person: a missing GRANT,
    /// RLS without a policy for its role, a role that bypasses RLS.
    pub explanation: String,
}
