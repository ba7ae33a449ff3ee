//! App users (`auth.users`): the users screen, its detail pane and the
//! actions an admin takes on them.

use serde::{Deserialize, Serialize};

/// Step-up purpose for deleting app users (one or a batch) on production.
pub const DELETE_APP_USERS: &str = "delete app users";
/// Step-up purpose for resetting an app user's password on production.
pub const RESET_APP_USER_PASSWORD: &str = "reset an app user's password";
/// Step-up purpose for revoking all of a user's sessions on production.
pub const REVOKE_APP_USER_SESSIONS: &str = "revoke all of a user's sessions";
/// Step-up purpose for locking a batch of users on production.
pub const LOCK_APP_USERS: &str = "lock app users";
/// Step-up purpose for giving an app user a role whose requests bypass RLS.
pub const GRANT_ELEVATED_ROLE: &str = "give an app user a role that bypasses RLS";
/// App roles whose requests see past row-level security: Fluxbase maps
/// `service_role` and `dashboard_admin` to the BYPASSRLS database role, and
/// its `auth.is_admin()` policies admit `admin` (`instance_admin` on 2026.3.7).
pub const ELEVATED_ROLES: [&str; 4] = ["admin", "dashboard_admin", "instance_admin", "service_role"];

/// Whether `role` is one of [`ELEVATED_ROLES`].
pub fn is_elevated_role(role: &str) -> bool {
    ELEVATED_ROLES.contains(&role.trim())
}

/// Most users one page holds.
pub const USER_PAGE_LIMIT: u32 = 500;
/// Most users one batch action takes.
pub const BULK_LIMIT: usize = 1000;

/// A column of the users list to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum UserSort {
    /// Email address.
    Email,
    /// `auth.users.id`.
    Id,
    /// App role.
    Role,
    /// Email verified.
    EmailVerified,
    /// Created.
    #[default]
    CreatedAt,
    /// Newest session's start.
    LastSignIn,
    /// Unexpired sessions.
    ActiveSessions,
    /// Password and OAuth providers.
    Provider,
    /// TOTP enabled.
    TwoFactor,
    /// Locked, by when the lock ends.
    Locked,
    /// `user_metadata`.
    UserMetadata,
    /// `app_metadata`.
    AppMetadata,
}

impl UserSort {
    /// Every column, in the list's order.
    pub const ALL: [UserSort; 12] = [
        UserSort::Email,
        UserSort::Id,
        UserSort::Role,
        UserSort::EmailVerified,
        UserSort::CreatedAt,
        UserSort::LastSignIn,
        UserSort::ActiveSessions,
        UserSort::Provider,
        UserSort::TwoFactor,
        UserSort::Locked,
        UserSort::UserMetadata,
        UserSort::AppMetadata,
    ];

    /// The name used by the CLI and in cursors.
    pub fn name(self) -> &'static str {
        match self {
            UserSort::Email => "email",
            UserSort::Id => "id",
            UserSort::Role => "role",
            UserSort::EmailVerified => "email_verified",
            UserSort::CreatedAt => "created_at",
            UserSort::LastSignIn => "last_sign_in",
            UserSort::ActiveSessions => "active_sessions",
            UserSort::Provider => "provider",
            UserSort::TwoFactor => "two_factor",
            UserSort::Locked => "locked",
            UserSort::UserMetadata => "user_metadata",
            UserSort::AppMetadata => "app_metadata",
        }
    }

    /// The column by its name.
    pub fn from_name(name: &str) -> Option<UserSort> {
        UserSort::ALL.into_iter().find(|sort| sort.name() == name)
    }
}

/// Filters of the users list; `None` means either.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserFilters {
    /// Exactly this app role.
    #[serde(default)]
    pub role: Option<String>,
    /// Email verified or not.
    #[serde(default)]
    pub verified: Option<bool>,
    /// Locked now or not.
    #[serde(default)]
    pub locked: Option<bool>,
    /// TOTP enabled or not.
    #[serde(default)]
    pub two_factor: Option<bool>,
    /// Has an unexpired session or not.
    #[serde(default)]
    pub has_sessions: Option<bool>,
}

/// One page of the users list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserListRequest {
    /// Text searched on the server in email, id and both metadata; empty for none.
    #[serde(default)]
    pub search: String,
    /// Filters.
    #[serde(default)]
    pub filters: UserFilters,
    /// Sort column.
    #[serde(default)]
    pub sort: UserSort,
    /// Descending.
    #[serde(default)]
    pub descending: bool,
    /// The cursor of the page before (`UserPage::next`); none for the first page.
    #[serde(default)]
    pub after: Option<String>,
    /// Page size (at most [`USER_PAGE_LIMIT`]).
    pub limit: u32,
}

/// One app user as the list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppUserSummary {
    /// `auth.users.id`.
    pub id: String,
    /// Email.
    pub email: String,
    /// App role.
    pub role: String,
    /// Email verified.
    pub email_verified: bool,
    /// Created (RFC 3339).
    pub created_at: Option<String>,
    /// The newest session's start (RFC 3339), if any.
    pub last_sign_in_at: Option<String>,
    /// Unexpired sessions.
    pub active_sessions: i64,
    /// `password` if the user has one, then their OAuth providers.
    pub providers: Vec<String>,
    /// TOTP enabled.
    pub totp_enabled: bool,
    /// Locked now.
    pub locked: bool,
    /// When the lock ends; none while locked means until unlocked.
    pub locked_until: Option<String>,
    /// `user_metadata` as JSON text (cut to a preview in lists).
    pub user_metadata: String,
    /// `app_metadata` as JSON text (cut to a preview in lists).
    pub app_metadata: String,
}

/// How matching users were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchCount {
    /// The count, or the planner's estimate.
    pub count: i64,
    /// Counting stopped here: there are at least this many.
    pub capped: bool,
    /// The planner's estimate, not a count.
    pub estimated: bool,
}

/// Whether search has a trigram index to use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchIndex {
    /// The trigram index is in place.
    pub in_place: bool,
    /// It could be created now (pg_trgm installed or installable).
    pub can_create: bool,
    /// What that means, in words.
    pub message: String,
}

/// A page of users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    /// The users.
    pub users: Vec<AppUserSummary>,
    /// Cursor of the next page; none at the end.
    pub next: Option<String>,
    /// How many match (first pages only).
    pub matching: Option<MatchCount>,
    /// Search's index.
    pub search_index: SearchIndex,
}

/// An app role and how many users have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInUse {
    /// The role.
    pub role: String,
    /// Users with it.
    pub users: i64,
}

/// A session of an app user (`auth.sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppUserSession {
    /// `auth.sessions.id`.
    pub id: String,
    /// Started.
    pub created_at: Option<String>,
    /// Last refreshed.
    pub updated_at: Option<String>,
    /// Expires.
    pub expires_at: String,
    /// Not yet expired.
    pub active: bool,
}

/// An OAuth link (`auth.oauth_links`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthLink {
    /// Provider (`google`, `github`, ...).
    pub provider: String,
    /// The provider's id for the user.
    pub provider_user_id: String,
    /// The email the provider gave.
    pub email: Option<String>,
    /// Linked.
    pub created_at: Option<String>,
}

/// An impersonation of the user (`auth.impersonation_sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpersonationRecord {
    /// Row id.
    pub id: String,
    /// The admin, by email when known, else id.
    pub admin: String,
    /// Why.
    pub reason: Option<String>,
    /// Started.
    pub started_at: Option<String>,
    /// Ended.
    pub ended_at: Option<String>,
    /// Still in force.
    pub active: bool,
}

/// An audit event concerning the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAuditEvent {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    pub occurred_at: String,
    /// What (`user.set_role`, `impersonation.start`, ...).
    pub action: String,
    /// Who.
    pub admin: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// Details as JSON text.
    pub details: String,
}

/// What deleting a user does to rows that refer to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cascade {
    /// `schema.table`.
    pub table: String,
    /// The referring column.
    pub column: String,
    /// `cascade` (deleted too), `set null`, `set default`, `restrict` or `no action` (both block the delete).
    pub action: String,
    /// Rows referring to the user(s); 0 when not `readable`.
    pub rows: i64,
    /// This connection may read the table; if not, its rows are unknown
    /// (the database still applies the action on delete).
    pub readable: bool,
}

/// Everything about one user: the detail pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppUserDetail {
    /// The user, with whole metadata.
    pub user: AppUserSummary,
    /// Last updated.
    pub updated_at: Option<String>,
    /// Failed sign-ins in a row.
    pub failed_login_attempts: i32,
    /// Sessions, newest first (expired ones too, up to 100).
    pub sessions: Vec<AppUserSession>,
    /// OAuth links.
    pub oauth_links: Vec<OAuthLink>,
    /// Impersonations of the user, newest first (up to 100).
    pub impersonations: Vec<ImpersonationRecord>,
    /// Audit events concerning the user, newest first (up to 100).
    pub audit_events: Vec<UserAuditEvent>,
    /// What deleting the user would do.
    pub cascades: Vec<Cascade>,
    /// The user's own rows of `app.settings` (secrets without their values).
    #[serde(default)]
    pub settings: Vec<crate::Setting>,
}

/// What an invite or a reset hands over; shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UserCredential {
    /// A password set now (bcrypt in `auth.users`).
    TemporaryPassword {
        /// The password.
        password: String,
    },
    /// A one-time token, stored as its SHA-256 (base64url) as Fluxbase stores it.
    Token {
        /// The token.
        token: String,
        /// The table it is valid in (`auth.password_reset_tokens`: the user opens
        /// `<site>/auth/reset-password?token=…` and chooses a password).
        table: String,
        /// When it expires.
        expires_at: String,
    },
}

/// Which credential to hand over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// A temporary password.
    #[default]
    TemporaryPassword,
    /// A one-time token.
    Token,
}

/// Inviting an app user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInvite {
    /// Email.
    pub email: String,
    /// App role; `user` when empty.
    #[serde(default)]
    pub role: String,
    /// What to hand over.
    #[serde(default)]
    pub credential: CredentialKind,
}

/// An invited user and their credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitedUser {
    /// The new user.
    pub user: AppUserSummary,
    /// Shown once.
    pub credential: UserCredential,
}

/// A password reset's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPasswordReset {
    /// Shown once.
    pub credential: UserCredential,
    /// Sessions revoked.
    pub sessions_revoked: u64,
}

/// Which metadata column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetadataKind {
    /// `user_metadata`, which users may edit themselves.
    User,
    /// `app_metadata`, admin-only (Fluxbase's guard trigger).
    App,
}

/// A batch action on selected users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkAction {
    /// Delete them (and what cascades).
    Delete,
    /// Lock them (and end their sessions), until a time or until unlocked.
    Lock {
        /// RFC 3339; none for until unlocked.
        until: Option<String>,
    },
    /// End all of their sessions.
    RevokeSessions,
}

/// A batch action, with the count the admin was shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRequest {
    /// `auth.users.id`s.
    pub user_ids: Vec<String>,
    /// What to do.
    pub action: BulkAction,
    /// How many users the preview found; a different count refuses the batch.
    pub expected_users: u64,
}

/// What a batch action would touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkPreview {
    /// Users found.
    pub users: u64,
    /// Ids not found.
    pub missing: Vec<String>,
    /// Their unexpired sessions.
    pub active_sessions: i64,
    /// For a delete: what cascades, summed over the users.
    pub cascades: Vec<Cascade>,
}

/// What a batch action did (all of it, in one transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    /// Users acted on.
    pub users: u64,
    /// Sessions ended.
    pub sessions_revoked: u64,
}
