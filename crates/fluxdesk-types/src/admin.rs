//! Signing in as a Fluxbase admin, the desktop session, 2FA, and managing
//! admins, invitations and sessions. Times are RFC 3339 strings in UTC.

use serde::{Deserialize, Serialize};

/// Whether Fluxdesk's own schema (`fluxdesk`) is installed in an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaStatus {
    /// Versions (migration numbers) already applied.
    pub applied: Vec<i64>,
    /// Migrations this build would apply, with their descriptions.
    pub pending: Vec<String>,
    /// Whether everything this build needs is applied.
    pub up_to_date: bool,
}

/// What an instance asks of the user before anything else can be done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccessGate {
    /// Not an instance anyone signs in to (not Fluxbase, or a layout not
    /// supported yet): browsing works, unattributed.
    Open {
        /// Why there is no sign-in.
        reason: String,
    },
    /// Fluxdesk's schema must be installed first; the admin must agree.
    InstallSchema {
        /// What would be applied.
        status: SchemaStatus,
    },
    /// The instance has no admin yet: offer "Create admin account".
    FirstTimeSetup,
    /// Sign in as an existing admin.
    SignIn,
    /// An admin is signed in and the session is usable.
    SignedIn {
        /// The session.
        session: AdminSession,
    },
    /// The session is locked; unlocking needs the admin to sign in again.
    Locked {
        /// Why it locked.
        reason: LockReason,
        /// The admin whose session locked, to prefill the form.
        email: String,
    },
}

/// Why a desktop session locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    /// No activity for the idle timeout.
    Idle,
    /// The session reached its absolute lifetime.
    Expired,
    /// The session row was deleted elsewhere (another console, the web dashboard).
    Revoked,
}

impl LockReason {
    /// The sentence the lock screen shows.
    pub fn explanation(self) -> &'static str {
        match self {
            LockReason::Idle => "Locked after a period of inactivity.",
            LockReason::Expired => "Your session reached its maximum length.",
            LockReason::Revoked => "Your session was revoked from another console or the web dashboard.",
        }
    }
}

/// The signed-in admin and their desktop session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSession {
    /// `dashboard.users.id`.
    pub admin_id: String,
    /// The admin's email.
    pub email: String,
    /// The admin's name, if any.
    pub full_name: Option<String>,
    /// `dashboard.users.role`.
    pub role: String,
    /// Whether the admin has TOTP enabled.
    pub totp_enabled: bool,
    /// `dashboard.sessions.id` of this desktop session.
    pub session_id: String,
    /// When the admin signed in.
    pub signed_in_at: String,
    /// When the session ends regardless of activity.
    pub expires_at: String,
    /// The timeouts in force.
    pub policy: SessionPolicy,
}

/// How long a desktop session may last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    /// Lock after this many seconds without activity.
    pub idle_timeout_secs: u64,
    /// Lock this many seconds after signing in, whatever the activity.
    pub absolute_timeout_secs: u64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_timeout_secs: 15 * 60,
            absolute_timeout_secs: 8 * 60 * 60,
        }
    }
}

/// The first admin of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstAdmin {
    /// Email to sign in with.
    pub email: String,
    /// Display name.
    pub full_name: String,
    /// Password; at least 12 characters and not guessable.
    pub password: String,
}

/// A password's strength, as the estimator judges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordStrength {
    /// 0 (guessable in seconds) to 4 (very strong).
    pub score: u8,
    /// Whether Fluxdesk accepts it for an admin account.
    pub acceptable: bool,
    /// Why it is refused, or the estimator's warning.
    pub problem: Option<String>,
    /// How to make it stronger.
    pub suggestions: Vec<String>,
    /// A rough time to guess it offline, for the meter.
    pub crack_time: String,
}

/// What the sign-in form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// Admin email.
    pub email: String,
    /// Admin password.
    pub password: String,
    /// A 6-digit TOTP code or an 8-character backup code, when 2FA is on.
    pub code: Option<String>,
}

/// How a sign-in attempt ended, when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignInOutcome {
    /// Signed in.
    SignedIn {
        /// The new session.
        session: AdminSession,
    },
    /// The password is right; a TOTP or backup code is needed too.
    SecondFactorNeeded,
}

/// A TOTP secret offered for enrolment, not yet enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    /// Base32 secret, without padding (32 characters), for manual entry.
    pub secret: String,
    /// `otpauth://totp/...` URI.
    pub otpauth_uri: String,
    /// The URI as a QR code: a PNG, base64.
    pub qr_png_base64: String,
}

/// Backup codes, shown once when 2FA is enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCodes {
    /// Ten 8-character codes; each works once.
    pub codes: Vec<String>,
}

/// One admin (`dashboard.users`) as the admin list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSummary {
    /// Id.
    pub id: String,
    /// Email.
    pub email: String,
    /// Name.
    pub full_name: Option<String>,
    /// `dashboard_admin` or `dashboard_user`.
    pub role: String,
    /// Whether TOTP is enabled.
    pub totp_enabled: bool,
    /// Whether the account may sign in at all.
    pub is_active: bool,
    /// Locked until this time (a lock in the future), if locked.
    pub locked_until: Option<String>,
    /// Consecutive failed sign-ins.
    pub failed_login_attempts: i32,
    /// Last successful sign-in.
    pub last_sign_in_at: Option<String>,
    /// Sessions not yet expired.
    pub active_sessions: i64,
    /// Created.
    pub created_at: Option<String>,
}

/// An invitation (`dashboard.invitation_tokens`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Id.
    pub id: String,
    /// Invited email.
    pub email: String,
    /// The invitation token (Fluxbase stores it in plaintext).
    pub token: String,
    /// Role granted on acceptance.
    pub role: String,
    /// Email of the admin who invited, if known.
    pub invited_by: Option<String>,
    /// Expiry.
    pub expires_at: String,
    /// Whether it was accepted.
    pub accepted: bool,
    /// Created.
    pub created_at: Option<String>,
    /// `pending`, `accepted` or `expired`.
    pub status: String,
}

/// Which invitations to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationFilter {
    /// Include accepted invitations.
    pub include_accepted: bool,
    /// Include expired invitations.
    pub include_expired: bool,
}

/// Whose sessions: admins' (`dashboard.sessions`) or app users' (`auth.sessions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// `dashboard.sessions`.
    Admin,
    /// `auth.sessions`.
    App,
}

/// One session row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Session id.
    pub id: String,
    /// Whose.
    pub kind: SessionKind,
    /// User or admin id.
    pub user_id: String,
    /// Their email.
    pub email: Option<String>,
    /// Created.
    pub created_at: Option<String>,
    /// Expiry.
    pub expires_at: String,
    /// Client address, when recorded.
    pub ip_address: Option<String>,
    /// Client, when recorded.
    pub user_agent: Option<String>,
    /// Whether this is the desktop session making the request.
    pub current: bool,
}

/// What a password reset produced. Either way the admin's sessions are revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PasswordReset {
    /// A new password, set now; shown once.
    TemporaryPassword {
        /// The password.
        password: String,
        /// Sessions revoked.
        sessions_revoked: u64,
    },
    /// A reset token for the web dashboard's reset page (stored as its hex SHA-256).
    ResetToken {
        /// The token; shown once.
        token: String,
        /// When it expires (1 hour).
        expires_at: String,
        /// Sessions revoked.
        sessions_revoked: u64,
    },
}

/// The outcome of verifying the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainVerification {
    /// Events read.
    pub events: u64,
    /// The last event (seq) up to which the chain verifies.
    pub verified_up_to: u64,
    /// The first event that does not verify, if any.
    pub broken_at: Option<u64>,
    /// Why it does not verify.
    pub problem: Option<String>,
}
