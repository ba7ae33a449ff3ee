//! Signing in as a Fluxbase admin, straight against `dashboard.*`, with the
//! same rules as Fluxbase's own dashboard: bcrypt (or argon2id) passwords,
//! TOTP or a backup code, 5 failures lock for 15 minutes, soft-deleted and
//! inactive admins refused. Fluxdesk adds a replay guard for TOTP steps and
//! records every attempt in its audit trail.

use crate::audit::{self, AuditContext, AuditEvent, Outcome};
use crate::clock::{Clock, rfc3339, to_database_precision};
use crate::credentials::{
    self, hash_password, normalize_backup_code, require_strong_password, spend_verification_time,
    verify_password,
};
use crate::error::{CoreError, CoreResult};
use crate::second_factor::{Authenticator, looks_like_totp};
use chrono::{DateTime, TimeDelta, Utc};
use fluxdesk_types::{
    AdminSession, BackupCodes, Credentials, FirstAdmin, FluxbaseLayout, SessionPolicy, TotpEnrolment,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sqlx::postgres::PgPool;
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

/// Failed sign-ins that lock an account (Fluxbase: 5).
pub const MAX_FAILED_ATTEMPTS: i32 = 5;
/// How long a lock lasts (Fluxbase: 15 minutes).
pub const LOCK_MINUTES: i64 = 15;

/// Opens a transaction that may write even on a read-only profile: sign-in
/// bookkeeping and the audit trail must be written whatever the profile's
/// protection. Only fixed SQL in this crate uses it, never user SQL.
pub(crate) async fn begin_write(pool: &PgPool) -> CoreResult<Transaction<'static, Postgres>> {
    let mut transaction = pool.begin().await?;
    // READ COMMITTED whatever the role's default: audit appends read the
    // chain head after taking their lock, and need a snapshot from then.
    sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE")
        .execute(&mut *transaction)
        .await?;
    Ok(transaction)
}

/// Sets transaction-local JWT claims, so the dashboard tables' FORCE RLS
/// policies admit a connection that is not a superuser.
pub(crate) async fn act_as(
    connection: &mut PgConnection,
    role: &str,
    subject: Option<Uuid>,
) -> CoreResult<()> {
    let claims = json!({ "role": role, "sub": subject.map(|id| id.to_string()) }).to_string();
    sqlx::query("SELECT set_config('request.jwt.claims', $1, true)")
        .bind(claims)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// A transaction under an admin's claims.
pub(crate) async fn begin_as(
    pool: &PgPool,
    role: &str,
    admin: Uuid,
) -> CoreResult<Transaction<'static, Postgres>> {
    let mut transaction = pool.begin().await?;
    act_as(&mut transaction, role, Some(admin)).await?;
    Ok(transaction)
}

/// A transaction for an admin's change, under their claims. READ COMMITTED:
/// audit appends read the chain head after their lock. Not forced READ
/// WRITE: on a read-only profile the server refuses the change itself.
pub(crate) async fn begin_change_as(
    pool: &PgPool,
    role: &str,
    admin: Uuid,
) -> CoreResult<Transaction<'static, Postgres>> {
    let mut transaction = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .execute(&mut *transaction)
        .await?;
    act_as(&mut transaction, role, Some(admin)).await?;
    Ok(transaction)
}

/// The signed-in admin of one desktop session, with the session's token.
#[derive(Debug)]
pub struct SignedInAdmin {
    /// What the UI sees.
    pub session: AdminSession,
    /// `dashboard.users.id`.
    pub admin_id: Uuid,
    /// `dashboard.sessions.id`.
    pub session_id: Uuid,
    /// The session token; only its hex SHA-256 is stored.
    pub token: SecretString,
    /// When the admin signed in.
    pub signed_in_at: DateTime<Utc>,
}

/// How a sign-in attempt that did not fail ended.
#[derive(Debug)]
pub enum SignInResult {
    /// Signed in, with a new session row.
    SignedIn(Box<SignedInAdmin>),
    /// The password is right; a TOTP or backup code must come with it.
    SecondFactorNeeded,
}

#[derive(Debug, sqlx::FromRow)]
struct AdminRow {
    id: Uuid,
    email: String,
    password_hash: String,
    full_name: Option<String>,
    role: Option<String>,
    totp_enabled: Option<bool>,
    totp_secret: Option<String>,
    backup_codes: Option<Vec<String>>,
    is_active: Option<bool>,
    is_locked: Option<bool>,
    locked_until: Option<DateTime<Utc>>,
}

const ADMIN_COLUMNS: &str = "id, email, password_hash, full_name, role, totp_enabled, totp_secret, backup_codes, \
                             is_active, is_locked, locked_until";

impl AdminRow {
    /// When the lock ends, if locked at `now`. A lock without an end (set by
    /// hand) lasts until an admin unlocks it.
    fn locked_at(&self, now: DateTime<Utc>) -> Option<Option<DateTime<Utc>>> {
        match (self.locked_until, self.is_locked.unwrap_or(false)) {
            (Some(until), _) if until > now => Some(Some(until)),
            (None, true) => Some(None),
            _ => None,
        }
    }
}

/// Which second factor was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecondFactor {
    Totp,
    BackupCode,
}

/// Why a second factor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FactorRefusal {
    Wrong,
    Replayed,
}

/// Sign-in, setup and 2FA against one instance.
#[derive(Debug)]
pub struct AdminAccess<'a> {
    pool: &'a PgPool,
    clock: &'a dyn Clock,
    context: AuditContext,
    tables: AdminTables,
}

/// Where a Fluxbase layout keeps its admins: `dashboard.*` with the role
/// `dashboard_admin` (2026.3.6), or `platform.*` with `instance_admin`
/// (2026.3.7, whose bootstrap moved the same tables there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminTables {
    schema: &'static str,
    /// The admin role, in claims and in `users.role`.
    pub admin_role: &'static str,
}

impl AdminTables {
    /// Fluxbase 2026.3.6.
    pub const DASHBOARD: AdminTables = AdminTables {
        schema: "dashboard",
        admin_role: "dashboard_admin",
    };
    /// Fluxbase 2026.3.7.
    pub const PLATFORM: AdminTables = AdminTables {
        schema: "platform",
        admin_role: "instance_admin",
    };

    /// A condition keeping only the users who may administer the instance
    /// (alias `users`): on 2026.3.7 instance admins only; on 2026.3.6 every
    /// dashboard user (its login mints `dashboard_admin` for all).
    fn only_admins(&self, users: &str) -> String {
        if *self == Self::PLATFORM {
            format!(" AND {users}.role = '{}'", self.admin_role)
        } else {
            String::new()
        }
    }

    /// The admin tables of `layout`; none on plain PostgreSQL.
    pub fn of(layout: FluxbaseLayout) -> Option<Self> {
        match layout {
            FluxbaseLayout::Dashboard => Some(Self::DASHBOARD),
            FluxbaseLayout::Platform => Some(Self::PLATFORM),
            FluxbaseLayout::NotFluxbase => None,
        }
    }

    /// `sql`, written against 2026.3.6's names, for this layout. The tables
    /// and their columns are the same; only the schema and the role moved.
    pub fn sql(&self, sql: &str) -> String {
        if *self == Self::DASHBOARD {
            sql.to_owned()
        } else {
            sql.replace("dashboard.", &format!("{}.", self.schema))
                .replace("'dashboard_admin'", &format!("'{}'", self.admin_role))
        }
    }
}

fn locked_message(until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match until {
        Some(until) => {
            let minutes = ((until - now).num_seconds() + 59) / 60;
            format!(
                "Too many failed sign-ins: this account is locked until {} UTC (about {minutes} min). Another admin can unlock it sooner.",
                until.format("%H:%M")
            )
        }
        None => "This account is locked. Another admin must unlock it.".to_owned(),
    }
}

impl<'a> AdminAccess<'a> {
    /// Sign-in for the instance behind `pool`, recording as `context`.
    pub fn new(pool: &'a PgPool, clock: &'a dyn Clock, context: AuditContext, tables: AdminTables) -> Self {
        AdminAccess {
            pool,
            clock,
            context,
            tables,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        to_database_precision(self.clock.now())
    }

    fn context_for(&self, admin_id: Option<Uuid>, email: &str) -> AuditContext {
        AuditContext {
            admin_id,
            admin_email: Some(email.to_owned()),
            ..self.context.clone()
        }
    }

    /// Whether the instance still needs its first admin: no live
    /// `dashboard.users` row and no `setup_completed` setting.
    pub async fn needs_first_admin(&self) -> CoreResult<bool> {
        let mut transaction = self.pool.begin().await?;
        act_as(&mut transaction, self.tables.admin_role, None).await?;
        let needed = needs_first_admin(&mut transaction, self.tables).await?;
        transaction.commit().await?;
        Ok(needed)
    }

    /// Creates the first admin as Fluxbase's setup does, then returns its id.
    pub async fn create_first_admin(&self, first: &FirstAdmin) -> CoreResult<Uuid> {
        let email = validate_email(&first.email)?;
        let full_name = first.full_name.trim();
        if full_name.is_empty() {
            return Err(CoreError::InvalidInput("Enter a name for the admin.".into()));
        }
        require_strong_password(&first.password, &[&email, full_name])?;
        let password_hash = hash_password(&first.password)?;
        let now = self.now();
        let mut transaction = begin_write(self.pool).await?;
        // dashboard.users' FORCE RLS admits dashboard_admin claims to read the
        // table and to return the new row; app.settings wants service_role.
        act_as(&mut transaction, self.tables.admin_role, None).await?;
        // Two consoles finishing setup at once: the second waits, then sees the first.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('fluxdesk.first_admin'))")
            .execute(&mut *transaction)
            .await?;
        if !needs_first_admin(&mut transaction, self.tables).await? {
            return Err(CoreError::InvalidInput(
                "This instance already has an admin (or its setup was completed). Sign in instead.".into(),
            ));
        }
        let admin_id: Uuid = sqlx::query_scalar(
            &self.tables.sql("INSERT INTO dashboard.users (email, password_hash, full_name, role, email_verified, email_verified_at, created_at, updated_at) \
             VALUES ($1, $2, $3, 'dashboard_admin', true, $4, $4, $4) RETURNING id"),
        )
        .bind(&email)
        .bind(&password_hash)
        .bind(full_name)
        .bind(now)
        .fetch_one(&mut *transaction)
        .await?;
        act_as(&mut transaction, "service_role", None).await?;
        let value = json!({
            "completed": true,
            "completed_at": rfc3339(now),
            "first_admin_id": admin_id.to_string(),
            "first_admin_email": email,
        });
        sqlx::query(
            "INSERT INTO app.settings (key, value, description, category) \
             VALUES ('setup_completed', $1, 'Tracks initial setup completion', 'system')",
        )
        .bind(value)
        .execute(&mut *transaction)
        .await?;
        act_as(&mut transaction, self.tables.admin_role, Some(admin_id)).await?;
        let event = AuditEvent::new(now, "admin.first_time_setup", Outcome::Success)
            .target(email.clone())
            .details(json!({ "role": self.tables.admin_role }));
        audit::append(
            &mut transaction,
            &self.context_for(Some(admin_id), &email),
            &event,
        )
        .await?;
        transaction.commit().await?;
        tracing::info!(%admin_id, "first admin created");
        Ok(admin_id)
    }

    /// Checks email, password and (when enabled) the second factor, and on
    /// success writes a `dashboard.sessions` row. Every attempt is audited.
    pub async fn sign_in(
        &self,
        credentials: &Credentials,
        policy: SessionPolicy,
    ) -> CoreResult<SignInResult> {
        let email = credentials.email.trim().to_owned();
        let now = self.now();
        let mut transaction = begin_write(self.pool).await?;
        act_as(&mut transaction, self.tables.admin_role, None).await?;
        let row: Option<AdminRow> = sqlx::query_as(&self.tables.sql(&format!(
            "SELECT {ADMIN_COLUMNS} FROM dashboard.users WHERE lower(email) = lower($1) AND deleted_at IS NULL FOR UPDATE"
        )))
        .bind(&email)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(admin) = row else {
            spend_verification_time(&credentials.password);
            let event = AuditEvent::new(now, "admin.sign_in", Outcome::Failure)
                .target(email.clone())
                .details(json!({ "reason": "unknown_email" }));
            audit::append_and_commit(transaction, &self.context_for(None, &email), &event).await?;
            return Err(CoreError::AuthenticationFailed("Wrong email or password.".into()));
        };
        let context = self.context_for(Some(admin.id), &admin.email);
        if admin.locked_at(now).is_none()
            && (admin.is_locked.unwrap_or(false) || admin.locked_until.is_some())
        {
            // A lock that has run out is cleared with its count, as Fluxbase's
            // login does, so the next mistake does not lock again at once.
            sqlx::query(
                &self.tables.sql("UPDATE dashboard.users SET is_locked = false, locked_until = NULL, failed_login_attempts = 0 WHERE id = $1"),
            )
            .bind(admin.id)
            .execute(&mut *transaction)
            .await?;
        }
        if let Some(until) = admin.locked_at(now) {
            let event = AuditEvent::new(now, "admin.sign_in", Outcome::Denied)
                .target(admin.email.clone())
                .details(json!({ "reason": "locked", "locked_until": until.map(rfc3339) }));
            audit::append_and_commit(transaction, &context, &event).await?;
            return Err(CoreError::AccountLocked(locked_message(until, now)));
        }
        if !verify_password(&credentials.password, &admin.password_hash) {
            return self
                .refuse(transaction, &admin, &context, now, "wrong_password")
                .await;
        }
        if !admin.is_active.unwrap_or(true) {
            let event = AuditEvent::new(now, "admin.sign_in", Outcome::Denied)
                .target(admin.email.clone())
                .details(json!({ "reason": "inactive" }));
            audit::append_and_commit(transaction, &context, &event).await?;
            return Err(CoreError::AuthenticationFailed(
                "This admin account is deactivated. Another admin can reactivate it.".into(),
            ));
        }
        // 2026.3.7's dashboard admits instance admins only (its login mints
        // the stored role); 2026.3.6 mints dashboard_admin for every user.
        if self.tables == AdminTables::PLATFORM && admin.role.as_deref() != Some(self.tables.admin_role) {
            let event = AuditEvent::new(now, "admin.sign_in", Outcome::Denied)
                .target(admin.email.clone())
                .details(json!({ "reason": "not_instance_admin", "role": admin.role }));
            audit::append_and_commit(transaction, &context, &event).await?;
            return Err(CoreError::AuthenticationFailed(format!(
                "Only instance admins can administer a Fluxbase 2026.3.7 instance; this account's role is {}.",
                admin.role.as_deref().unwrap_or("dashboard_user")
            )));
        }
        let mut method = "password";
        if admin.totp_enabled.unwrap_or(false) {
            let Some(code) = credentials.code.as_deref().filter(|c| !c.trim().is_empty()) else {
                let event = AuditEvent::new(now, "admin.sign_in.second_factor_requested", Outcome::Success)
                    .target(admin.email.clone());
                audit::append_and_commit(transaction, &context, &event).await?;
                return Ok(SignInResult::SecondFactorNeeded);
            };
            match check_second_factor(&mut transaction, &admin, code, now, self.tables).await? {
                Ok(SecondFactor::Totp) => method = "password+totp",
                Ok(SecondFactor::BackupCode) => method = "password+backup_code",
                Err(FactorRefusal::Replayed) => {
                    return self
                        .refuse(transaction, &admin, &context, now, "replayed_code")
                        .await;
                }
                Err(FactorRefusal::Wrong) => {
                    return self
                        .refuse(transaction, &admin, &context, now, "wrong_code")
                        .await;
                }
            }
        }
        sqlx::query(
            &self.tables.sql("UPDATE dashboard.users SET failed_login_attempts = 0, is_locked = false, locked_until = NULL, last_login_at = $2 \
             WHERE id = $1"),
        )
        .bind(admin.id)
        .bind(now)
        .execute(&mut *transaction)
        .await?;
        let token = SecretString::from(credentials::new_token());
        let expires_at = now + TimeDelta::seconds(policy.absolute_timeout_secs as i64);
        let session_id: Uuid = sqlx::query_scalar(
            &self.tables.sql("INSERT INTO dashboard.sessions (user_id, token, ip_address, user_agent, expires_at, created_at, updated_at) \
             VALUES ($1, $2, host(inet_client_addr()), $3, $4, $5, $5) RETURNING id"),
        )
        .bind(admin.id)
        .bind(credentials::sha256_hex(token.expose_secret()))
        .bind(&self.context.client_version)
        .bind(expires_at)
        .bind(now)
        .fetch_one(&mut *transaction)
        .await?;
        mirror_activity(
            &mut transaction,
            admin.id,
            "login",
            json!({ "client": self.context.client_version, "method": method }),
            &self.context.client_version,
            now,
            self.tables,
        )
        .await?;
        let event = AuditEvent::new(now, "admin.sign_in", Outcome::Success)
            .target(admin.email.clone())
            .details(json!({ "method": method, "session_id": session_id.to_string() }));
        audit::append_and_commit(transaction, &context, &event).await?;
        tracing::info!(admin_id = %admin.id, method, "admin signed in");
        Ok(SignInResult::SignedIn(Box::new(SignedInAdmin {
            session: AdminSession {
                admin_id: admin.id.to_string(),
                email: admin.email.clone(),
                full_name: admin.full_name.clone(),
                role: admin.role.clone().unwrap_or_else(|| "dashboard_user".into()),
                totp_enabled: admin.totp_enabled.unwrap_or(false),
                session_id: session_id.to_string(),
                signed_in_at: rfc3339(now),
                expires_at: rfc3339(expires_at),
                policy,
            },
            admin_id: admin.id,
            session_id,
            token,
            signed_in_at: now,
        })))
    }

    /// Counts a failed attempt as Fluxbase does (5 failures lock for 15
    /// minutes; the count is kept), audits it, commits, and returns the error.
    async fn refuse<T>(
        &self,
        mut transaction: Transaction<'static, Postgres>,
        admin: &AdminRow,
        context: &AuditContext,
        now: DateTime<Utc>,
        reason: &str,
    ) -> CoreResult<T> {
        let (attempts, locked_until) = count_failure(&mut transaction, admin.id, now, self.tables).await?;
        let event = AuditEvent::new(now, "admin.sign_in", Outcome::Failure)
            .target(admin.email.clone())
            .details(json!({
                "reason": reason,
                "failed_attempts": attempts,
                "locked_until": locked_until.map(rfc3339),
            }));
        audit::append_and_commit(transaction, context, &event).await?;
        if locked_until.is_some() {
            return Err(CoreError::AccountLocked(locked_message(locked_until, now)));
        }
        Err(CoreError::AuthenticationFailed(match reason {
            "replayed_code" => {
                "This code was already used. Wait for the next code from your authenticator.".into()
            }
            "wrong_code" => {
                "That code is not valid. Check your authenticator's clock, or use a backup code.".into()
            }
            _ => "Wrong email or password.".into(),
        }))
    }

    async fn admin_row(&self, connection: &mut PgConnection, admin_id: Uuid) -> CoreResult<AdminRow> {
        sqlx::query_as(&self.tables.sql(&format!(
            "SELECT {ADMIN_COLUMNS} FROM dashboard.users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"
        )))
        .bind(admin_id)
        .fetch_optional(&mut *connection)
        .await?
        .ok_or_else(|| CoreError::SignInRequired("Your admin account no longer exists.".into()))
    }

    /// Whether the session row still exists and has not expired; false when
    /// it was revoked elsewhere.
    pub async fn session_is_live(&self, signed_in: &SignedInAdmin) -> CoreResult<bool> {
        let mut transaction = self.pool.begin().await?;
        act_as(&mut transaction, self.tables.admin_role, Some(signed_in.admin_id)).await?;
        let live: bool = sqlx::query_scalar(&self.tables.sql(&format!(
            "SELECT EXISTS (SELECT 1 FROM dashboard.sessions s JOIN dashboard.users u ON u.id = s.user_id \
                 WHERE s.id = $1 AND s.token = $2 AND s.expires_at > $3{})",
            self.tables.only_admins("u")
        )))
        .bind(signed_in.session_id)
        .bind(credentials::sha256_hex(signed_in.token.expose_secret()))
        .bind(self.now())
        .fetch_one(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(live)
    }

    /// Picks up a session signed in earlier (the CLI keeps its token in the
    /// OS keyring between runs). Fails when it was revoked or has expired.
    pub async fn resume(&self, token: SecretString, policy: SessionPolicy) -> CoreResult<SignedInAdmin> {
        let now = self.now();
        let mut transaction = self.pool.begin().await?;
        act_as(&mut transaction, self.tables.admin_role, None).await?;
        type Row = (
            Uuid,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Uuid,
            String,
            Option<String>,
            Option<String>,
            Option<bool>,
        );
        let row: Option<Row> = sqlx::query_as(
                        &self.tables.sql(&format!(
                "SELECT s.id, s.expires_at, s.created_at, u.id, u.email, u.full_name, u.role, u.totp_enabled \
                 FROM dashboard.sessions s JOIN dashboard.users u ON u.id = s.user_id \
                 WHERE s.token = $1 AND s.expires_at > $2 AND u.deleted_at IS NULL AND COALESCE(u.is_active, true){}",
                self.tables.only_admins("u")
            )),
        )
        .bind(credentials::sha256_hex(token.expose_secret()))
        .bind(now)
        .fetch_optional(&mut *transaction)
        .await?;
        transaction.commit().await?;
        let Some((session_id, expires_at, created_at, admin_id, email, full_name, role, totp)) = row else {
            return Err(CoreError::SignInRequired(
                "Your session has ended (signed out, revoked or expired). Sign in again with `fluxdesk-cli login`.".into(),
            ));
        };
        let signed_in_at = created_at.unwrap_or(now);
        Ok(SignedInAdmin {
            session: AdminSession {
                admin_id: admin_id.to_string(),
                email,
                full_name,
                role: role.unwrap_or_else(|| "dashboard_user".into()),
                totp_enabled: totp.unwrap_or(false),
                session_id: session_id.to_string(),
                signed_in_at: rfc3339(signed_in_at),
                expires_at: rfc3339(expires_at),
                policy,
            },
            admin_id,
            session_id,
            token,
            signed_in_at,
        })
    }

    /// Deletes the session row and audits the sign-out.
    pub async fn sign_out(&self, signed_in: &SignedInAdmin, reason: &str) -> CoreResult<()> {
        let now = self.now();
        let mut transaction = begin_write(self.pool).await?;
        act_as(&mut transaction, self.tables.admin_role, Some(signed_in.admin_id)).await?;
        let deleted = sqlx::query(
            &self
                .tables
                .sql("DELETE FROM dashboard.sessions WHERE id = $1 AND token = $2"),
        )
        .bind(signed_in.session_id)
        .bind(credentials::sha256_hex(signed_in.token.expose_secret()))
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        let event = AuditEvent::new(now, "admin.sign_out", Outcome::Success)
            .target(signed_in.session.email.clone())
            .details(json!({ "reason": reason, "session_id": signed_in.session_id.to_string(), "row_deleted": deleted == 1 }));
        let context = self.context_for(Some(signed_in.admin_id), &signed_in.session.email);
        audit::append_and_commit(transaction, &context, &event).await?;
        Ok(())
    }

    /// Step-up: a fresh TOTP code when the admin has 2FA, otherwise the password.
    pub async fn verify_step_up(
        &self,
        signed_in: &SignedInAdmin,
        secret: &str,
        purpose: &str,
    ) -> CoreResult<()> {
        let now = self.now();
        let mut transaction = begin_write(self.pool).await?;
        act_as(&mut transaction, self.tables.admin_role, Some(signed_in.admin_id)).await?;
        let admin = self.admin_row(&mut transaction, signed_in.admin_id).await?;
        let refusal = if admin.totp_enabled.unwrap_or(false) {
            if !looks_like_totp(secret) {
                Some("Enter the current 6-digit code from your authenticator.")
            } else {
                match check_totp(&mut transaction, &admin, secret, now).await? {
                    Ok(()) => None,
                    Err(FactorRefusal::Replayed) => {
                        Some("This code was already used. Wait for the next code from your authenticator.")
                    }
                    Err(FactorRefusal::Wrong) => Some("That code is not valid."),
                }
            }
        } else if verify_password(secret, &admin.password_hash) {
            None
        } else {
            Some("Wrong password.")
        };
        let outcome = if refusal.is_some() {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        // Guesses at an unlocked window count towards the lockout too.
        let locked_until = match refusal {
            Some(_) => {
                count_failure(&mut transaction, admin.id, now, self.tables)
                    .await?
                    .1
            }
            None => None,
        };
        let event = AuditEvent::new(now, "admin.step_up", outcome)
            .target(admin.email.clone())
            .details(json!({ "purpose": purpose, "factor": if admin.totp_enabled.unwrap_or(false) { "totp" } else { "password" } }));
        audit::append(
            &mut transaction,
            &self.context_for(Some(admin.id), &admin.email),
            &event,
        )
        .await?;
        transaction.commit().await?;
        match (refusal, locked_until) {
            (None, _) => Ok(()),
            (Some(_), Some(until)) => Err(CoreError::AccountLocked(locked_message(Some(until), now))),
            (Some(message), None) => Err(CoreError::AuthenticationFailed(message.into())),
        }
    }

    /// Starts 2FA enrolment: a new secret, stored with `totp_enabled = false`
    /// as Fluxbase does, and shown as a QR code and URI.
    pub async fn begin_totp_enrolment(&self, signed_in: &SignedInAdmin) -> CoreResult<TotpEnrolment> {
        let now = self.now();
        let secret = Authenticator::new_secret();
        let authenticator = Authenticator::from_base32(&secret, &signed_in.session.email)?;
        let enrolment = TotpEnrolment {
            otpauth_uri: authenticator.otpauth_uri(),
            qr_png_base64: authenticator.qr_png_base64()?,
            secret: secret.clone(),
        };
        let mut transaction = begin_write(self.pool).await?;
        act_as(&mut transaction, self.tables.admin_role, Some(signed_in.admin_id)).await?;
        let updated = sqlx::query(
            &self.tables.sql("UPDATE dashboard.users SET totp_secret = $2 WHERE id = $1 AND deleted_at IS NULL AND NOT COALESCE(totp_enabled, false)"),
        )
        .bind(signed_in.admin_id)
        .bind(&secret)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(CoreError::InvalidInput(
                "Two-factor authentication is already on. Turn it off first to enrol a new authenticator."
                    .into(),
            ));
        }
        let event = AuditEvent::new(now, "admin.2fa.enrolment_started", Outcome::Success)
            .target(signed_in.session.email.clone());
        audit::append(
            &mut transaction,
            &self.context_for(Some(signed_in.admin_id), &signed_in.session.email),
            &event,
        )
        .await?;
        transaction.commit().await?;
        Ok(enrolment)
    }

    /// Confirms enrolment with a code, turns 2FA on and returns ten backup codes (shown once).
    pub async fn confirm_totp(&self, signed_in: &SignedInAdmin, code: &str) -> CoreResult<BackupCodes> {
        let now = self.now();
        let (codes, hashes) = credentials::new_backup_codes()?;
        let mut transaction = begin_write(self.pool).await?;
        act_as(&mut transaction, self.tables.admin_role, Some(signed_in.admin_id)).await?;
        let admin = self.admin_row(&mut transaction, signed_in.admin_id).await?;
        let context = self.context_for(Some(admin.id), &admin.email);
        if admin.totp_enabled.unwrap_or(false) {
            return Err(CoreError::InvalidInput(
                "Two-factor authentication is already on.".into(),
            ));
        }
        if admin.totp_secret.is_none() {
            return Err(CoreError::InvalidInput(
                "Start enrolment first: no secret is waiting for confirmation.".into(),
            ));
        }
        if let Err(refusal) = check_totp(&mut transaction, &admin, code, now).await? {
            let event = AuditEvent::new(now, "admin.2fa.enable", Outcome::Failure)
                .target(admin.email.clone())
                .details(json!({ "reason": if refusal == FactorRefusal::Replayed { "replayed_code" } else { "wrong_code" } }));
            audit::append_and_commit(transaction, &context, &event).await?;
            return Err(CoreError::AuthenticationFailed(
                "That code does not match. Check that your authenticator scanned this QR code and that its clock is right.".into(),
            ));
        }
        sqlx::query(
            &self
                .tables
                .sql("UPDATE dashboard.users SET totp_enabled = true, backup_codes = $2 WHERE id = $1"),
        )
        .bind(admin.id)
        .bind(&hashes)
        .execute(&mut *transaction)
        .await?;
        mirror_activity(
            &mut transaction,
            admin.id,
            "2fa_enable",
            json!({ "client": self.context.client_version }),
            &self.context.client_version,
            now,
            self.tables,
        )
        .await?;
        let event = AuditEvent::new(now, "admin.2fa.enable", Outcome::Success)
            .target(admin.email.clone())
            .details(json!({ "backup_codes": codes.len() }));
        audit::append_and_commit(transaction, &context, &event).await?;
        Ok(BackupCodes { codes })
    }

    /// Turns 2FA off; needs the password and a code (TOTP or backup).
    pub async fn disable_totp(
        &self,
        signed_in: &SignedInAdmin,
        password: &str,
        code: &str,
    ) -> CoreResult<()> {
        let now = self.now();
        let mut transaction = begin_write(self.pool).await?;
        act_as(&mut transaction, self.tables.admin_role, Some(signed_in.admin_id)).await?;
        let admin = self.admin_row(&mut transaction, signed_in.admin_id).await?;
        let context = self.context_for(Some(admin.id), &admin.email);
        if !admin.totp_enabled.unwrap_or(false) {
            return Err(CoreError::InvalidInput(
                "Two-factor authentication is not on.".into(),
            ));
        }
        let refusal = if !verify_password(password, &admin.password_hash) {
            Some("wrong_password")
        } else {
            match check_second_factor(&mut transaction, &admin, code, now, self.tables).await? {
                Ok(_) => None,
                Err(FactorRefusal::Replayed) => Some("replayed_code"),
                Err(FactorRefusal::Wrong) => Some("wrong_code"),
            }
        };
        if let Some(reason) = refusal {
            let (_, locked_until) = count_failure(&mut transaction, admin.id, now, self.tables).await?;
            let event = AuditEvent::new(now, "admin.2fa.disable", Outcome::Failure)
                .target(admin.email.clone())
                .details(json!({ "reason": reason }));
            audit::append_and_commit(transaction, &context, &event).await?;
            if locked_until.is_some() {
                return Err(CoreError::AccountLocked(locked_message(locked_until, now)));
            }
            return Err(CoreError::AuthenticationFailed(match reason {
                "wrong_password" => "Wrong password: two-factor authentication stays on.".into(),
                "replayed_code" => "This code was already used. Wait for the next one.".into(),
                _ => "That code is not valid: two-factor authentication stays on.".into(),
            }));
        }
        sqlx::query(&self.tables.sql("UPDATE dashboard.users SET totp_enabled = false, totp_secret = NULL, backup_codes = NULL WHERE id = $1"))
            .bind(admin.id)
            .execute(&mut *transaction)
            .await?;
        mirror_activity(
            &mut transaction,
            admin.id,
            "2fa_disable",
            json!({ "client": self.context.client_version }),
            &self.context.client_version,
            now,
            self.tables,
        )
        .await?;
        let event = AuditEvent::new(now, "admin.2fa.disable", Outcome::Success).target(admin.email.clone());
        audit::append_and_commit(transaction, &context, &event).await?;
        Ok(())
    }
}

/// Counts a failed check of an admin's password or code, as Fluxbase's
/// `IncrementFailedLoginAttempts` does: the fifth locks for 15 minutes.
async fn count_failure(
    connection: &mut PgConnection,
    admin_id: Uuid,
    now: DateTime<Utc>,
    tables: AdminTables,
) -> CoreResult<(i32, Option<DateTime<Utc>>)> {
    Ok(sqlx::query_as(&tables.sql(
        "UPDATE dashboard.users SET \
           failed_login_attempts = COALESCE(failed_login_attempts, 0) + 1, \
           is_locked = COALESCE(failed_login_attempts, 0) + 1 >= $2, \
           locked_until = CASE WHEN COALESCE(failed_login_attempts, 0) + 1 >= $2 \
                               THEN $3::timestamptz + make_interval(mins => $4) ELSE NULL END \
         WHERE id = $1 RETURNING failed_login_attempts, locked_until",
    ))
    .bind(admin_id)
    .bind(MAX_FAILED_ATTEMPTS)
    .bind(now)
    .bind(LOCK_MINUTES as i32)
    .fetch_one(&mut *connection)
    .await?)
}

async fn needs_first_admin(connection: &mut PgConnection, tables: AdminTables) -> CoreResult<bool> {
    Ok(sqlx::query_scalar(&tables.sql(
        "SELECT NOT EXISTS (SELECT 1 FROM dashboard.users WHERE deleted_at IS NULL) \
            AND NOT EXISTS (SELECT 1 FROM app.settings WHERE key = 'setup_completed')",
    ))
    .fetch_one(&mut *connection)
    .await?)
}

/// Trims and lowercases an email and refuses what cannot be one.
pub fn validate_email(email: &str) -> CoreResult<String> {
    let email = email.trim().to_lowercase();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(email)
    } else {
        Err(CoreError::InvalidInput(format!(
            "\"{email}\" is not an email address."
        )))
    }
}

/// A TOTP code: valid within one step of drift, and its step never used before
/// by this admin. The step is recorded in the caller's transaction.
async fn check_totp(
    connection: &mut PgConnection,
    admin: &AdminRow,
    code: &str,
    now: DateTime<Utc>,
) -> CoreResult<Result<(), FactorRefusal>> {
    let Some(secret) = admin.totp_secret.as_deref() else {
        return Ok(Err(FactorRefusal::Wrong));
    };
    let authenticator = Authenticator::from_base32(secret, &admin.email)?;
    let Some(step) = authenticator.matching_step(code, now) else {
        return Ok(Err(FactorRefusal::Wrong));
    };
    // The primary key decides, so two installs checking the same code at once
    // cannot both accept it.
    let recorded = sqlx::query(
        "INSERT INTO fluxdesk.totp_used_steps (admin_id, step, used_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(admin.id)
    .bind(step)
    .bind(now)
    .execute(&mut *connection)
    .await?
    .rows_affected();
    Ok(if recorded == 1 {
        Ok(())
    } else {
        Err(FactorRefusal::Replayed)
    })
}

/// A TOTP code, or one of the admin's backup codes (which is then removed).
async fn check_second_factor(
    connection: &mut PgConnection,
    admin: &AdminRow,
    code: &str,
    now: DateTime<Utc>,
    tables: AdminTables,
) -> CoreResult<Result<SecondFactor, FactorRefusal>> {
    if looks_like_totp(code) {
        return Ok(check_totp(connection, admin, code, now)
            .await?
            .map(|()| SecondFactor::Totp));
    }
    let typed = normalize_backup_code(code);
    let hashes = admin.backup_codes.clone().unwrap_or_default();
    let matched =
        tokio::task::spawn_blocking(move || hashes.into_iter().find(|hash| verify_password(&typed, hash)))
            .await
            .map_err(|error| CoreError::InvalidInput(format!("Checking the backup code failed: {error}.")))?;
    let Some(hash) = matched else {
        return Ok(Err(FactorRefusal::Wrong));
    };
    sqlx::query(
        &tables.sql("UPDATE dashboard.users SET backup_codes = array_remove(backup_codes, $2) WHERE id = $1"),
    )
    .bind(admin.id)
    .bind(hash)
    .execute(&mut *connection)
    .await?;
    Ok(Ok(SecondFactor::BackupCode))
}

/// Mirrors a sign-in or 2FA change into `dashboard.activity_log`, where
/// Fluxbase's web dashboard shows it. Its policy admits only `service_role`.
async fn mirror_activity(
    connection: &mut PgConnection,
    admin_id: Uuid,
    action: &str,
    details: serde_json::Value,
    user_agent: &str,
    now: DateTime<Utc>,
    tables: AdminTables,
) -> CoreResult<()> {
    act_as(connection, "service_role", None).await?;
    sqlx::query(
        &tables.sql("INSERT INTO dashboard.activity_log (user_id, action, resource_type, resource_id, details, ip_address, user_agent, created_at) \
         VALUES ($1, $2, 'dashboard_user', $1::text, $3, host(inet_client_addr()), $4, $5)"),
    )
    .bind(admin_id)
    .bind(action)
    .bind(details)
    .bind(user_agent)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    act_as(connection, tables.admin_role, Some(admin_id)).await?;
    Ok(())
}
