//! The console's signed-in admins: one desktop session per instance, its
//! idle and absolute timeouts, revocation checks, step-up, 2FA and admin
//! management on that admin's behalf.

use super::{Console, lock};
use crate::admin_access::{AdminAccess, AdminTables, SignInResult, SignedInAdmin};
use crate::admins::{AdminDirectory, ResetMethod};
use crate::audit::{self, AuditContext, AuditEvent, Outcome};
use crate::clock::{Clock, SystemClock};
use crate::credentials;
use crate::error::{CoreError, CoreResult};
use crate::fluxdesk_schema;
use crate::instance::Instance;
use chrono::{DateTime, TimeDelta, Utc};
use fluxdesk_types::{
    AccessGate, AdminSession, AdminSummary, BackupCodes, ChainVerification, Credentials, EnvironmentKind,
    FirstAdmin, FluxbaseLayout, Invitation, InvitationFilter, LockReason, PasswordReset, PasswordStrength,
    SchemaStatus, SessionKind, SessionPolicy, SessionSummary, SignInOutcome, TotpEnrolment,
};
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// How often a live session's row is checked for revocation (the UI polls
/// more often; this bounds the queries).
const REVOCATION_CHECK_SECS: i64 = 10;
/// How long a step-up stays valid for the one action it was asked for.
const STEP_UP_VALID_SECS: i64 = 120;

/// One admin signed in to one instance from this console.
#[derive(Debug)]
pub struct DesktopSession {
    admin: Arc<SignedInAdmin>,
    last_activity: DateTime<Utc>,
    locked: Option<LockReason>,
    checked_at: DateTime<Utc>,
    step_up: Option<StepUp>,
    /// Whether the lock (if any) is in the audit trail yet.
    lock_recorded: bool,
}

/// A step-up granted for one action: for `purpose`, or any (a fresh sign-in).
#[derive(Debug, Clone)]
struct StepUp {
    until: DateTime<Utc>,
    purpose: Option<String>,
}

impl DesktopSession {
    /// A session that starts now, unlocked, with an optional step-up.
    fn starting(admin: SignedInAdmin, now: DateTime<Utc>, step_up: Option<StepUp>) -> Self {
        DesktopSession {
            admin: Arc::new(admin),
            last_activity: now,
            locked: None,
            checked_at: now,
            step_up,
            lock_recorded: false,
        }
    }

    fn lock_reason(&self, now: DateTime<Utc>, policy: SessionPolicy) -> Option<LockReason> {
        self.locked.or_else(|| {
            if now - self.admin.signed_in_at >= TimeDelta::seconds(policy.absolute_timeout_secs as i64) {
                Some(LockReason::Expired)
            } else if now - self.last_activity >= TimeDelta::seconds(policy.idle_timeout_secs as i64) {
                Some(LockReason::Idle)
            } else {
                None
            }
        })
    }
}

/// The signed-in admin, their audit context, the instance and the clock.
pub(super) type ActingAdmin = (Arc<SignedInAdmin>, AuditContext, Arc<Instance>, Arc<dyn Clock>);

/// What the access gate must do about a session.
enum Due {
    Fresh(AdminSession),
    RecordLock(Arc<SignedInAdmin>, LockReason),
    Check(Arc<SignedInAdmin>),
    NoSession,
}

/// The console's sign-in state.
#[derive(Debug)]
pub(super) struct Desk {
    sessions: Mutex<BTreeMap<String, DesktopSession>>,
    clock: RwLock<Arc<dyn Clock>>,
    client_version: RwLock<String>,
    policy: Mutex<SessionPolicy>,
    require_sign_in: AtomicBool,
}

impl Default for Desk {
    fn default() -> Self {
        Desk {
            sessions: Mutex::new(BTreeMap::new()),
            clock: RwLock::new(Arc::new(SystemClock)),
            client_version: RwLock::new(format!("fluxdesk-core {}", env!("CARGO_PKG_VERSION"))),
            policy: Mutex::new(SessionPolicy::default()),
            require_sign_in: AtomicBool::new(false),
        }
    }
}

/// Where the instance keeps its admins (2026.3.6 when it cannot say).
pub(super) fn admin_tables(instance: &Instance) -> AdminTables {
    AdminTables::of(instance.info().layout).unwrap_or(AdminTables::DASHBOARD)
}

fn not_dashboard(layout: FluxbaseLayout) -> Option<String> {
    match layout {
                FluxbaseLayout::Dashboard | FluxbaseLayout::Platform => None,
        FluxbaseLayout::NotFluxbase => Some(
            "This database is not a Fluxbase instance (no dashboard.users), so there is no admin to sign in as.".into(),
        ),
    }
}

impl Console {
    /// Uses `clock` for sign-in rules and timeouts (tests move it by hand).
    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        *self.desk.clock.write().unwrap_or_else(|p| p.into_inner()) = clock;
    }

    fn clock(&self) -> Arc<dyn Clock> {
        self.desk.clock.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.clock().now()
    }

    /// Names the client in audit events and session rows, e.g. `fluxdesk-app`.
    pub fn set_client(&self, name: &str) {
        *self
            .desk
            .client_version
            .write()
            .unwrap_or_else(|p| p.into_inner()) = format!("{name} {}", env!("CARGO_PKG_VERSION"));
    }

    /// Whether browsing and querying need a signed-in admin (the app: yes).
    pub fn require_sign_in(&self, required: bool) {
        self.desk.require_sign_in.store(required, Ordering::Relaxed);
    }

    /// The idle and absolute timeouts in force.
    pub fn session_policy(&self) -> SessionPolicy {
        *lock(&self.desk.policy)
    }

    /// Changes the timeouts; they apply to open sessions at once.
    pub fn set_session_policy(&self, policy: SessionPolicy) -> CoreResult<SessionPolicy> {
        const MAX_SECS: u64 = 30 * 24 * 60 * 60;
        if policy.idle_timeout_secs < 5
            || policy.absolute_timeout_secs < policy.idle_timeout_secs
            || policy.absolute_timeout_secs > MAX_SECS
        {
            return Err(CoreError::InvalidInput(
                "The idle timeout must be at least 5 seconds and no longer than the maximum session length, which can be at most 30 days.".into(),
            ));
        }
        *lock(&self.desk.policy) = policy;
        Ok(policy)
    }

    pub(super) fn audit_context(&self, id: &str, admin: Option<&SignedInAdmin>) -> CoreResult<AuditContext> {
        let profile = self.profile(id)?;
        Ok(AuditContext {
            admin_id: admin.map(|a| a.admin_id),
            admin_email: admin.map(|a| a.session.email.clone()),
            instance: format!(
                "{} ({}@{}:{}/{})",
                profile.name, profile.user, profile.host, profile.port, profile.database
            ),
            client_version: self
                .desk
                .client_version
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        })
    }

    pub(super) fn dashboard_instance(&self, id: &str) -> CoreResult<Arc<Instance>> {
        let instance = self.instance(id)?;
        if let Some(reason) = not_dashboard(instance.info().layout) {
            return Err(CoreError::InvalidInput(reason));
        }
        Ok(instance)
    }

    /// What the instance asks of the user now: install the schema, create the
    /// first admin, sign in, unlock, or nothing (signed in).
    pub async fn access_gate(&self, id: &str) -> CoreResult<AccessGate> {
        let instance = self.instance(id)?;
        if let Some(reason) = not_dashboard(instance.info().layout) {
            return Ok(AccessGate::Open { reason });
        }
        let status = fluxdesk_schema::status(instance.pool()).await?;
        if !status.up_to_date {
            return Ok(AccessGate::InstallSchema { status });
        }
        let now = self.now();
        let policy = self.session_policy();
        let due = {
            let mut sessions = lock(&self.desk.sessions);
            match sessions.get_mut(id) {
                Some(session) => {
                    if let Some(reason) = session.lock_reason(now, policy) {
                        session.locked = Some(reason);
                        if !session.lock_recorded {
                            session.lock_recorded = true;
                            Due::RecordLock(session.admin.clone(), reason)
                        } else {
                            return Ok(AccessGate::Locked {
                                reason,
                                email: session.admin.session.email.clone(),
                            });
                        }
                    } else if now - session.checked_at >= TimeDelta::seconds(REVOCATION_CHECK_SECS) {
                        Due::Check(session.admin.clone())
                    } else {
                        Due::Fresh(session.admin.session.clone())
                    }
                }
                None => Due::NoSession,
            }
        };
        match due {
            Due::Fresh(session) => Ok(AccessGate::SignedIn { session }),
            Due::RecordLock(admin, reason) => {
                self.record_lock(id, &instance, &admin, reason).await;
                Ok(AccessGate::Locked {
                    reason,
                    email: admin.session.email.clone(),
                })
            }
            Due::Check(admin) => {
                let clock = self.clock();
                let access = AdminAccess::new(
                    instance.pool(),
                    clock.as_ref(),
                    self.audit_context(id, Some(&admin))?,
                    admin_tables(&instance),
                );
                let live = access.session_is_live(&admin).await?;
                let revoked = {
                    let mut sessions = lock(&self.desk.sessions);
                    let Some(session) = sessions.get_mut(id) else {
                        return Ok(AccessGate::SignIn);
                    };
                    if session.admin.session_id != admin.session_id {
                        // Signed in again meanwhile: this answer was about the old session.
                        return Ok(AccessGate::SignedIn {
                            session: session.admin.session.clone(),
                        });
                    }
                    session.checked_at = now;
                    if live {
                        return Ok(AccessGate::SignedIn {
                            session: session.admin.session.clone(),
                        });
                    }
                    session.locked = Some(LockReason::Revoked);
                    session.lock_recorded = true;
                    tracing::info!(instance = id, "desktop session revoked elsewhere; locked");
                    session.admin.clone()
                };
                self.record_lock(id, &instance, &revoked, LockReason::Revoked)
                    .await;
                Ok(AccessGate::Locked {
                    reason: LockReason::Revoked,
                    email: revoked.session.email.clone(),
                })
            }
            Due::NoSession => {
                let clock = self.clock();
                let access = AdminAccess::new(
                    instance.pool(),
                    clock.as_ref(),
                    self.audit_context(id, None)?,
                    admin_tables(&instance),
                );
                Ok(if access.needs_first_admin().await? {
                    AccessGate::FirstTimeSetup
                } else {
                    AccessGate::SignIn
                })
            }
        }
    }

    /// Records that a desktop session locked (best effort: the lock holds either way).
    async fn record_lock(&self, id: &str, instance: &Instance, admin: &SignedInAdmin, reason: LockReason) {
        let Ok(context) = self.audit_context(id, Some(admin)) else {
            return;
        };
        let event = AuditEvent::new(self.now(), "admin.session.locked", Outcome::Success)
            .target(admin.session.email.clone())
            .details(serde_json::json!({
                "reason": format!("{reason:?}").to_lowercase(),
                "session_id": admin.session_id.to_string(),
            }));
        if let Err(error) = audit::append_alone(instance.pool(), &context, &event).await {
            tracing::warn!(%error, "the lock could not be recorded in the audit trail");
        }
    }

    /// Whether Fluxdesk's schema is installed, and what would be applied.
    pub async fn schema_status(&self, id: &str) -> CoreResult<SchemaStatus> {
        fluxdesk_schema::status(self.dashboard_instance(id)?.pool()).await
    }

    /// Installs or upgrades Fluxdesk's schema (the admin agreed).
    pub async fn install_schema(&self, id: &str) -> CoreResult<SchemaStatus> {
        let instance = self.dashboard_instance(id)?;
        let status = fluxdesk_schema::install(instance.pool()).await?;
        let context = self.audit_context(id, None)?;
        let event = AuditEvent::new(self.now(), "fluxdesk.schema.install", Outcome::Success)
            .details(serde_json::json!({ "applied": status.applied }));
        audit::append_alone(instance.pool(), &context, &event).await?;
        Ok(status)
    }

    /// The strength meter for a new admin password.
    pub fn password_strength(&self, password: &str, email: &str, full_name: &str) -> PasswordStrength {
        credentials::password_strength(password, &[email, full_name])
    }

    /// First-time setup: creates the first admin, then signs them in.
    pub async fn create_first_admin(&self, id: &str, first: FirstAdmin) -> CoreResult<AdminSession> {
        let instance = self.dashboard_instance(id)?;
        fluxdesk_schema::require_installed(instance.pool()).await?;
        let clock = self.clock();
        AdminAccess::new(
            instance.pool(),
            clock.as_ref(),
            self.audit_context(id, None)?,
            admin_tables(&instance),
        )
        .create_first_admin(&first)
        .await?;
        let credentials = Credentials {
            email: first.email,
            password: first.password,
            code: None,
        };
        match self.sign_in(id, credentials).await? {
            SignInOutcome::SignedIn { session } => Ok(session),
            SignInOutcome::SecondFactorNeeded => Err(CoreError::InvalidInput(
                "The new admin was created; sign in to continue.".into(),
            )),
        }
    }

    /// Signs an admin in (or unlocks a locked session by signing in again).
    pub async fn sign_in(&self, id: &str, credentials: Credentials) -> CoreResult<SignInOutcome> {
        let instance = self.dashboard_instance(id)?;
        fluxdesk_schema::require_installed(instance.pool()).await?;
        let clock = self.clock();
        let access = AdminAccess::new(
            instance.pool(),
            clock.as_ref(),
            self.audit_context(id, None)?,
            admin_tables(&instance),
        );
        match access.sign_in(&credentials, self.session_policy()).await? {
            SignInResult::SecondFactorNeeded => Ok(SignInOutcome::SecondFactorNeeded),
            SignInResult::SignedIn(admin) => {
                let session = admin.session.clone();
                self.adopt(id, *admin, "replaced by a new sign-in").await;
                Ok(SignInOutcome::SignedIn { session })
            }
        }
    }

    /// Makes `admin` this instance's desktop session, ending any earlier one.
    async fn adopt(&self, id: &str, admin: SignedInAdmin, reason: &str) {
        // An impersonation belongs to the admin who started it.
        self.end_impersonation(id, reason).await;
        let now = self.now();
        let previous = lock(&self.desk.sessions).insert(
            id.to_owned(),
            // Having just proved who they are, the admin is not asked again
            // for the next sensitive action within the step-up window.
            DesktopSession::starting(
                admin,
                now,
                Some(StepUp {
                    until: now + TimeDelta::seconds(STEP_UP_VALID_SECS),
                    purpose: None,
                }),
            ),
        );
        if let (Some(previous), Ok(instance)) = (previous, self.instance(id)) {
            let clock = self.clock();
            if let Ok(context) = self.audit_context(id, Some(&previous.admin)) {
                let access =
                    AdminAccess::new(instance.pool(), clock.as_ref(), context, admin_tables(&instance));
                if let Err(error) = access.sign_out(&previous.admin, reason).await {
                    tracing::warn!(%error, "the previous session row could not be removed");
                }
            }
        }
    }

    /// Resumes a session from its token (the CLI between runs).
    pub async fn resume_session(&self, id: &str, token: SecretString) -> CoreResult<AdminSession> {
        let instance = self.dashboard_instance(id)?;
        let clock = self.clock();
        let access = AdminAccess::new(
            instance.pool(),
            clock.as_ref(),
            self.audit_context(id, None)?,
            admin_tables(&instance),
        );
        let admin = access.resume(token, self.session_policy()).await?;
        let session = admin.session.clone();
        self.end_impersonation(id, "another session resumed").await;
        let now = self.now();
        lock(&self.desk.sessions).insert(id.to_owned(), DesktopSession::starting(admin, now, None));
        Ok(session)
    }

    /// The session token of the signed-in admin, for the CLI to keep in the keyring.
    pub fn session_token(&self, id: &str) -> Option<SecretString> {
        lock(&self.desk.sessions)
            .get(id)
            .map(|session| SecretString::from(session.admin.token.expose_secret().to_owned()))
    }

    /// Keeps the signed-in admin's session token in the OS keyring, so later
    /// CLI runs act as that admin until it is signed out, revoked or expired.
    pub async fn remember_session(&self, id: &str) -> CoreResult<()> {
        let token = self
            .session_token(id)
            .ok_or_else(|| CoreError::SignInRequired("Nobody is signed in to remember.".into()))?;
        let profile = self.profile(id)?;
        self.keyring
            .run(move |keyring| keyring.save_session(&profile, &token))
            .await
    }

    /// Resumes the session remembered in the keyring; `Ok(None)` when there is none.
    pub async fn resume_remembered_session(&self, id: &str) -> CoreResult<Option<AdminSession>> {
        let profile = self.profile(id)?;
        let Some(token) = self
            .keyring
            .run(move |keyring| keyring.load_session(&profile))
            .await?
        else {
            return Ok(None);
        };
        self.resume_session(id, token).await.map(Some)
    }

    /// Signs out and forgets the remembered session token.
    pub async fn sign_out_remembered(&self, id: &str) -> CoreResult<bool> {
        let resumed = match self.resume_remembered_session(id).await {
            Ok(session) => session.is_some(),
            Err(CoreError::SignInRequired(_)) => false,
            Err(error) => return Err(error),
        };
        self.sign_out(id).await?;
        let profile = self.profile(id)?;
        self.keyring
            .run(move |keyring| keyring.delete_session(&profile))
            .await?;
        Ok(resumed)
    }

    /// The admin signed in to `id`, locked or not.
    pub(super) fn signed_in_admin(&self, id: &str) -> Option<Arc<SignedInAdmin>> {
        lock(&self.desk.sessions)
            .get(id)
            .map(|session| session.admin.clone())
    }

    /// Instances with a signed-in admin in this console.
    pub(super) fn signed_in_instances(&self) -> Vec<String> {
        lock(&self.desk.sessions).keys().cloned().collect()
    }

    /// Signs out: deletes the session row. Signed out already is fine.
    pub async fn sign_out(&self, id: &str) -> CoreResult<()> {
        self.end_impersonation(id, "signed out").await;
        let Some(session) = lock(&self.desk.sessions).remove(id) else {
            return Ok(());
        };
        let instance = self.instance(id)?;
        let clock = self.clock();
        AdminAccess::new(
            instance.pool(),
            clock.as_ref(),
            self.audit_context(id, Some(&session.admin))?,
            admin_tables(&instance),
        )
        .sign_out(&session.admin, "signed out")
        .await
    }

    /// Records user activity (keys, clicks) for the idle timeout. A locked
    /// session stays locked.
    pub fn touch(&self, id: &str) {
        let now = self.now();
        let policy = self.session_policy();
        if let Some(session) = lock(&self.desk.sessions).get_mut(id) {
            match session.lock_reason(now, policy) {
                Some(reason) => session.locked = Some(reason),
                None => session.last_activity = now,
            }
        }
    }

    /// The signed-in, unlocked admin of `id`, counting this call as activity.
    pub(super) fn require_admin(&self, id: &str) -> CoreResult<(Arc<SignedInAdmin>, AuditContext)> {
        let now = self.now();
        let policy = self.session_policy();
        let admin = {
            let mut sessions = lock(&self.desk.sessions);
            let Some(session) = sessions.get_mut(id) else {
                return Err(CoreError::SignInRequired(
                    "Sign in as a Fluxbase admin first.".into(),
                ));
            };
            if let Some(reason) = session.lock_reason(now, policy) {
                session.locked = Some(reason);
                return Err(CoreError::SignInRequired(format!(
                    "{} Sign in again to unlock.",
                    reason.explanation()
                )));
            }
            session.last_activity = now;
            session.admin.clone()
        };
        let context = self.audit_context(id, Some(&admin))?;
        Ok((admin, context))
    }

    /// Browsing and queries: when sign-in is required, only for an unlocked
    /// admin session (instances that are not Fluxbase have none). Returns
    /// the audit context when an admin is signed in.
    pub(super) async fn gate_data(&self, id: &str) -> CoreResult<Option<AuditContext>> {
        let signed_in = lock(&self.desk.sessions).contains_key(id);
        if !self.desk.require_sign_in.load(Ordering::Relaxed) && !signed_in {
            return Ok(None);
        }
        if not_dashboard(self.instance(id)?.info().layout).is_some() {
            return Ok(None);
        }
        self.require_admin(id).map(|(_, context)| Some(context))
    }

    /// Step-up: checks a fresh TOTP code (or the password without 2FA) and
    /// allows one sensitive action within two minutes.
    pub async fn step_up(&self, id: &str, secret: &str, purpose: &str) -> CoreResult<()> {
        let (admin, context) = self.require_admin(id)?;
        let instance = self.instance(id)?;
        let clock = self.clock();
        AdminAccess::new(instance.pool(), clock.as_ref(), context, admin_tables(&instance))
            .verify_step_up(&admin, secret, purpose)
            .await?;
        if let Some(session) = lock(&self.desk.sessions).get_mut(id) {
            session.step_up = Some(StepUp {
                until: self.now() + TimeDelta::seconds(STEP_UP_VALID_SECS),
                purpose: Some(purpose.to_owned()),
            });
        }
        Ok(())
    }

    /// Uses up a step-up, or says one is needed before `purpose`.
    pub fn consume_step_up(&self, id: &str, purpose: &str) -> CoreResult<()> {
        let now = self.now();
        let mut sessions = lock(&self.desk.sessions);
        // A grant asked for another action stays unused; a sign-in's fits any.
        let granted = sessions.get_mut(id).is_some_and(|session| {
            let fits = session.step_up.as_ref().is_some_and(|grant| {
                grant.until > now && grant.purpose.as_deref().is_none_or(|asked| asked == purpose)
            });
            if fits {
                session.step_up = None;
            }
            fits
        });
        if granted {
            Ok(())
        } else {
            Err(CoreError::StepUpRequired(format!(
                "Confirm it is you before you {purpose}: enter a fresh code from your authenticator (or your password if two-factor authentication is off)."
            )))
        }
    }

    /// Whether a step-up for `purpose` is at hand (without using it up).
    pub fn has_step_up(&self, id: &str, purpose: &str) -> bool {
        let now = self.now();
        lock(&self.desk.sessions)
            .get(id)
            .and_then(|session| session.step_up.as_ref())
            .is_some_and(|grant| {
                grant.until > now && grant.purpose.as_deref().is_none_or(|asked| asked == purpose)
            })
    }

    /// A step-up for destructive actions on production profiles only.
    pub(super) fn consume_step_up_on_production(&self, id: &str, purpose: &str) -> CoreResult<()> {
        if self.profile(id)?.environment.kind == EnvironmentKind::Production {
            self.consume_step_up(id, purpose)?;
        }
        Ok(())
    }

    pub(super) fn access_for(&self, id: &str) -> CoreResult<ActingAdmin> {
        let (admin, context) = self.require_admin(id)?;
        Ok((admin, context, self.dashboard_instance(id)?, self.clock()))
    }

    /// Starts 2FA enrolment for the signed-in admin.
    pub async fn begin_totp_enrolment(&self, id: &str) -> CoreResult<TotpEnrolment> {
        let (admin, context, instance, clock) = self.access_for(id)?;
        AdminAccess::new(instance.pool(), clock.as_ref(), context, admin_tables(&instance))
            .begin_totp_enrolment(&admin)
            .await
    }

    /// Confirms enrolment with a code; returns the backup codes (shown once).
    pub async fn confirm_totp(&self, id: &str, code: &str) -> CoreResult<BackupCodes> {
        let (admin, context, instance, clock) = self.access_for(id)?;
        let codes = AdminAccess::new(instance.pool(), clock.as_ref(), context, admin_tables(&instance))
            .confirm_totp(&admin, code)
            .await?;
        self.refresh_totp_flag(id, true);
        Ok(codes)
    }

    /// Turns 2FA off (password and a code).
    pub async fn disable_totp(&self, id: &str, password: &str, code: &str) -> CoreResult<()> {
        let (admin, context, instance, clock) = self.access_for(id)?;
        AdminAccess::new(instance.pool(), clock.as_ref(), context, admin_tables(&instance))
            .disable_totp(&admin, password, code)
            .await?;
        self.refresh_totp_flag(id, false);
        Ok(())
    }

    fn refresh_totp_flag(&self, id: &str, enabled: bool) {
        if let Some(session) = lock(&self.desk.sessions).get_mut(id) {
            let mut admin = SignedInAdmin {
                session: session.admin.session.clone(),
                admin_id: session.admin.admin_id,
                session_id: session.admin.session_id,
                token: SecretString::from(session.admin.token.expose_secret().to_owned()),
                signed_in_at: session.admin.signed_in_at,
            };
            admin.session.totp_enabled = enabled;
            session.admin = Arc::new(admin);
        }
    }

    /// The session of the signed-in admin, if any and unlocked.
    pub fn admin_session(&self, id: &str) -> Option<AdminSession> {
        self.require_admin(id)
            .ok()
            .map(|(admin, _)| admin.session.clone())
    }

    async fn with_directory<T, F>(&self, id: &str, action: F) -> CoreResult<T>
    where
        F: AsyncFnOnce(AdminDirectory<'_>) -> CoreResult<T>,
    {
        let (admin, context, instance, clock) = self.access_for(id)?;
        let directory = AdminDirectory::new(
            instance.pool(),
            clock.as_ref(),
            context,
            admin.admin_id,
            Some(admin.session_id),
            admin_tables(&instance),
        );
        action(directory).await
    }

    /// Admins of the instance.
    pub async fn admins(&self, id: &str) -> CoreResult<Vec<AdminSummary>> {
        self.with_directory(id, async |d| d.list_admins().await).await
    }

    /// One admin, by id or email.
    pub async fn admin(&self, id: &str, key: &str) -> CoreResult<AdminSummary> {
        self.with_directory(id, async |d| d.get_admin(key).await).await
    }

    /// Deletes an admin (soft delete). Step-up on production.
    pub async fn delete_admin(&self, id: &str, key: &str) -> CoreResult<AdminSummary> {
        self.consume_step_up_on_production(id, "delete an admin")?;
        self.with_directory(id, async |d| d.delete_admin(key).await).await
    }

    /// Unlocks a locked admin.
    pub async fn unlock_admin(&self, id: &str, key: &str) -> CoreResult<AdminSummary> {
        self.with_directory(id, async |d| d.unlock_admin(key).await).await
    }

    /// Resets an admin's password, revoking their sessions. Step-up on production.
    pub async fn reset_admin_password(
        &self,
        id: &str,
        key: &str,
        method: ResetMethod,
    ) -> CoreResult<PasswordReset> {
        self.consume_step_up_on_production(id, "reset an admin's password")?;
        let reset = self
            .with_directory(id, async |d| d.reset_password(key, method).await)
            .await?;
        self.drop_session_if_revoked(id).await;
        Ok(reset)
    }

    /// Invites an admin.
    pub async fn invite_admin(&self, id: &str, email: &str, role: &str) -> CoreResult<Invitation> {
        self.with_directory(id, async |d| d.invite(email, role).await)
            .await
    }

    /// Invitations.
    pub async fn invitations(&self, id: &str, filter: InvitationFilter) -> CoreResult<Vec<Invitation>> {
        self.with_directory(id, async |d| d.list_invitations(filter).await)
            .await
    }

    /// Revokes an invitation.
    pub async fn revoke_invitation(&self, id: &str, token: &str) -> CoreResult<()> {
        self.with_directory(id, async |d| d.revoke_invitation(token).await)
            .await
    }

    /// Sessions of admins or app users.
    pub async fn sessions(&self, id: &str, kind: SessionKind) -> CoreResult<Vec<SessionSummary>> {
        self.with_directory(id, async |d| d.list_sessions(kind).await)
            .await
    }

    /// Revokes a session (and blacklists `token_id` when given).
    pub async fn revoke_session(
        &self,
        id: &str,
        session_id: &str,
        token_id: Option<&str>,
    ) -> CoreResult<SessionKind> {
        let kind = self
            .with_directory(id, async |d| d.revoke_session(session_id, token_id).await)
            .await?;
        self.drop_session_if_revoked(id).await;
        Ok(kind)
    }

    /// Revokes all sessions of a user or admin. Step-up on production.
    pub async fn revoke_all_sessions(&self, id: &str, user_id: &str) -> CoreResult<u64> {
        self.consume_step_up_on_production(id, "revoke all of a user's sessions")?;
        let count = self
            .with_directory(id, async |d| d.revoke_all_sessions(user_id).await)
            .await?;
        self.drop_session_if_revoked(id).await;
        Ok(count)
    }

    /// Locks this console's own session at once when an action revoked it.
    async fn drop_session_if_revoked(&self, id: &str) {
        if let Some(session) = lock(&self.desk.sessions).get_mut(id) {
            session.checked_at = DateTime::<Utc>::MIN_UTC;
        }
        let _ = self.access_gate(id).await;
    }

    /// Verifies the audit chain of the instance.
    pub async fn verify_audit_chain(&self, id: &str) -> CoreResult<ChainVerification> {
        let (_, _, instance, _) = self.access_for(id)?;
        audit::verify_chain(instance.pool()).await
    }
}
