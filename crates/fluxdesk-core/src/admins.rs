//! Managing admins, invitations and sessions on behalf of a signed-in admin.
//! Every change is audited with the acting admin; reads are not.

use crate::admin_access::{AdminTables, act_as, begin_as, begin_write, validate_email};
use crate::audit::{self, AuditContext, AuditEvent, Outcome};
use crate::clock::{Clock, rfc3339, to_database_precision};
use crate::credentials::{self, hash_password};
use crate::error::{CoreError, CoreResult};
use chrono::{DateTime, TimeDelta, Utc};
use fluxdesk_types::{
    AdminSummary, Invitation, InvitationFilter, PasswordReset, SessionKind, SessionSummary,
};
use serde_json::json;
use sqlx::postgres::PgPool;
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

/// Roles an admin can be invited with (Fluxbase's `ValidDashboardRoles`).
pub const ADMIN_ROLES: [&str; 2] = ["dashboard_admin", "dashboard_user"];
/// Invitation lifetime (Fluxbase: 7 days).
pub const INVITATION_DAYS: i64 = 7;
/// Reset token lifetime (Fluxbase: 1 hour).
pub const RESET_TOKEN_MINUTES: i64 = 60;
/// Most sessions one listing returns.
pub const SESSION_LIST_LIMIT: i64 = 1000;

/// How to reset an admin's password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetMethod {
    /// Set a new random password now and show it once.
    TemporaryPassword,
    /// Create a reset token for the web dashboard's reset page.
    ResetToken,
}

/// Admin management for one signed-in admin on one instance.
#[derive(Debug)]
pub struct AdminDirectory<'a> {
    pool: &'a PgPool,
    clock: &'a dyn Clock,
    /// The acting admin, who every change is attributed to.
    context: AuditContext,
    acting_admin: Uuid,
    current_session: Option<Uuid>,
    /// Where the layout keeps its admins.
    tables: AdminTables,
}

type AdminRowTuple = (
    Uuid,
    String,
    Option<String>,
    Option<String>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
    Option<DateTime<Utc>>,
    Option<i32>,
    Option<DateTime<Utc>>,
    i64,
    Option<DateTime<Utc>>,
);

const ADMIN_SUMMARY_SQL: &str = "SELECT u.id, u.email, u.full_name, u.role, u.totp_enabled, u.is_active, u.is_locked, u.locked_until, \
            u.failed_login_attempts, \
            GREATEST(u.last_login_at, (SELECT max(s.created_at) FROM dashboard.sessions s WHERE s.user_id = u.id)), \
            (SELECT count(*) FROM dashboard.sessions s WHERE s.user_id = u.id AND s.expires_at > $1), \
            u.created_at \
     FROM dashboard.users u WHERE u.deleted_at IS NULL";

fn admin_summary(row: AdminRowTuple, now: DateTime<Utc>) -> AdminSummary {
    let (id, email, full_name, role, totp, active, is_locked, locked_until, failed, last, sessions, created) =
        row;
    let locked_until = match (locked_until, is_locked.unwrap_or(false)) {
        (Some(until), _) if until > now => Some(rfc3339(until)),
        (None, true) => Some("until unlocked".to_owned()),
        _ => None,
    };
    AdminSummary {
        id: id.to_string(),
        email,
        full_name,
        role: role.unwrap_or_else(|| "dashboard_user".into()),
        totp_enabled: totp.unwrap_or(false),
        is_active: active.unwrap_or(true),
        locked_until,
        failed_login_attempts: failed.unwrap_or(0),
        last_sign_in_at: last.map(rfc3339),
        active_sessions: sessions,
        created_at: created.map(rfc3339),
    }
}

type InvitationTuple = (
    Uuid,
    String,
    String,
    String,
    Option<String>,
    DateTime<Utc>,
    Option<bool>,
    Option<DateTime<Utc>>,
);

fn invitation(row: InvitationTuple, now: DateTime<Utc>) -> Invitation {
    let (id, email, token, role, invited_by, expires_at, accepted, created_at) = row;
    let accepted = accepted.unwrap_or(false);
    let status = if accepted {
        "accepted"
    } else if expires_at <= now {
        "expired"
    } else {
        "pending"
    };
    Invitation {
        id: id.to_string(),
        email,
        token,
        role,
        invited_by,
        expires_at: rfc3339(expires_at),
        accepted,
        created_at: created_at.map(rfc3339),
        status: status.to_owned(),
    }
}

/// Deletes every session row of one admin; returns how many.
async fn end_admin_sessions(
    connection: &mut PgConnection,
    admin_id: Uuid,
    tables: AdminTables,
) -> CoreResult<u64> {
    Ok(
        sqlx::query(&tables.sql("DELETE FROM dashboard.sessions WHERE user_id = $1"))
            .bind(admin_id)
            .execute(&mut *connection)
            .await?
            .rows_affected(),
    )
}

/// A uuid typed by a person, or a message naming what it should have been.
pub(crate) fn parse_uuid(text: &str, what: &str) -> CoreResult<Uuid> {
    Uuid::parse_str(text.trim())
        .map_err(|_| CoreError::InvalidInput(format!("\"{}\" is not a valid {what} id.", text.trim())))
}

impl<'a> AdminDirectory<'a> {
    /// Management acting as `acting_admin` (attributed in `context`).
    pub fn new(
        pool: &'a PgPool,
        clock: &'a dyn Clock,
        context: AuditContext,
        acting_admin: Uuid,
        current_session: Option<Uuid>,
        tables: AdminTables,
    ) -> Self {
        AdminDirectory {
            pool,
            clock,
            context,
            acting_admin,
            current_session,
            tables,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        to_database_precision(self.clock.now())
    }

    async fn read(&self) -> CoreResult<Transaction<'static, Postgres>> {
        begin_as(self.pool, self.tables.admin_role, self.acting_admin).await
    }

    async fn write(&self) -> CoreResult<Transaction<'static, Postgres>> {
        let mut transaction = begin_write(self.pool).await?;
        act_as(&mut transaction, self.tables.admin_role, Some(self.acting_admin)).await?;
        Ok(transaction)
    }

    async fn record(&self, connection: &mut PgConnection, event: AuditEvent) -> CoreResult<()> {
        audit::append(connection, &self.context, &event).await?;
        Ok(())
    }

    /// Live admins (not soft-deleted), newest first.
    pub async fn list_admins(&self) -> CoreResult<Vec<AdminSummary>> {
        let now = self.now();
        let mut transaction = self.read().await?;
        let rows: Vec<AdminRowTuple> = sqlx::query_as(&format!(
            "{} ORDER BY u.created_at DESC, u.email",
            self.tables.sql(ADMIN_SUMMARY_SQL)
        ))
        .bind(now)
        .fetch_all(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(rows.into_iter().map(|row| admin_summary(row, now)).collect())
    }

    /// One admin, by id or email.
    pub async fn get_admin(&self, id_or_email: &str) -> CoreResult<AdminSummary> {
        let now = self.now();
        let mut transaction = self.read().await?;
        let key = id_or_email.trim();
        let row: Option<AdminRowTuple> = match Uuid::parse_str(key) {
            Ok(id) => {
                sqlx::query_as(&format!("{} AND u.id = $2", self.tables.sql(ADMIN_SUMMARY_SQL)))
                    .bind(now)
                    .bind(id)
                    .fetch_optional(&mut *transaction)
                    .await?
            }
            Err(_) => {
                sqlx::query_as(&format!(
                    "{} AND lower(u.email) = lower($2)",
                    self.tables.sql(ADMIN_SUMMARY_SQL)
                ))
                .bind(now)
                .bind(key)
                .fetch_optional(&mut *transaction)
                .await?
            }
        };
        transaction.commit().await?;
        row.map(|row| admin_summary(row, now))
            .ok_or_else(|| CoreError::NotFound(format!("No admin \"{key}\" in this instance.")))
    }

    /// Soft-deletes an admin as Fluxbase does (`deleted_at`), and ends their
    /// sessions. Refuses to delete yourself or the last active `dashboard_admin`.
    pub async fn delete_admin(&self, id_or_email: &str) -> CoreResult<AdminSummary> {
        let admin = self.get_admin(id_or_email).await?;
        let admin_id = parse_uuid(&admin.id, "admin")?;
        if admin_id == self.acting_admin {
            return Err(CoreError::InvalidInput(
                "You cannot delete your own admin account here.".into(),
            ));
        }
        let now = self.now();
        let mut transaction = self.write().await?;
        let other_admins: i64 = sqlx::query_scalar(&self.tables.sql(
            "SELECT count(*) FROM dashboard.users WHERE deleted_at IS NULL AND COALESCE(is_active, true) \
               AND role = 'dashboard_admin' AND id <> $1",
        ))
        .bind(admin_id)
        .fetch_one(&mut *transaction)
        .await?;
        if admin.role == self.tables.admin_role && other_admins == 0 {
            return Err(CoreError::InvalidInput(format!(
                "This is the last active {}; deleting it would leave nobody to administer the instance.",
                self.tables.admin_role
            )));
        }
        sqlx::query(&self.tables.sql("UPDATE dashboard.users SET deleted_at = $2, is_active = false WHERE id = $1 AND deleted_at IS NULL"))
            .bind(admin_id)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
        let sessions = end_admin_sessions(&mut transaction, admin_id, self.tables).await?;
        self.record(
            &mut transaction,
            AuditEvent::new(now, "admin.delete", Outcome::Success)
                .target(admin.email.clone())
                .details(json!({ "admin_id": admin.id, "sessions_revoked": sessions, "soft_delete": true })),
        )
        .await?;
        transaction.commit().await?;
        Ok(admin)
    }

    /// Clears a lock and the failed-attempt count.
    pub async fn unlock_admin(&self, id_or_email: &str) -> CoreResult<AdminSummary> {
        let admin = self.get_admin(id_or_email).await?;
        let now = self.now();
        let mut transaction = self.write().await?;
        sqlx::query(
            &self.tables.sql("UPDATE dashboard.users SET is_locked = false, locked_until = NULL, failed_login_attempts = 0 WHERE id = $1"),
        )
        .bind(parse_uuid(&admin.id, "admin")?)
        .execute(&mut *transaction)
        .await?;
        self.record(
            &mut transaction,
            AuditEvent::new(now, "admin.unlock", Outcome::Success)
                .target(admin.email.clone())
                .details(json!({ "admin_id": admin.id, "was_locked_until": admin.locked_until, "failed_attempts": admin.failed_login_attempts })),
        )
        .await?;
        transaction.commit().await?;
        self.get_admin(&admin.id).await
    }

    /// Resets an admin's password and revokes all of their sessions.
    pub async fn reset_password(&self, id_or_email: &str, method: ResetMethod) -> CoreResult<PasswordReset> {
        let admin = self.get_admin(id_or_email).await?;
        let admin_id = parse_uuid(&admin.id, "admin")?;
        let now = self.now();
        let mut transaction = self.write().await?;
        let (reset, kind) = match method {
            ResetMethod::TemporaryPassword => {
                let password = credentials::new_temporary_password();
                sqlx::query(&self.tables.sql("UPDATE dashboard.users SET password_hash = $2, failed_login_attempts = 0, is_locked = false, locked_until = NULL WHERE id = $1"))
                    .bind(admin_id)
                    .bind(hash_password(&password)?)
                    .execute(&mut *transaction)
                    .await?;
                (
                    PasswordReset::TemporaryPassword {
                        password,
                        sessions_revoked: 0,
                    },
                    "temporary_password",
                )
            }
            ResetMethod::ResetToken => {
                let token = credentials::new_token();
                let expires_at = now + TimeDelta::minutes(RESET_TOKEN_MINUTES);
                act_as(&mut transaction, "service_role", None).await?;
                sqlx::query(&self.tables.sql("INSERT INTO dashboard.password_reset_tokens (user_id, token, expires_at, created_at) VALUES ($1, $2, $3, $4)"))
                    .bind(admin_id)
                    .bind(credentials::sha256_hex(&token))
                    .bind(expires_at)
                    .bind(now)
                    .execute(&mut *transaction)
                    .await?;
                act_as(&mut transaction, self.tables.admin_role, Some(self.acting_admin)).await?;
                (
                    PasswordReset::ResetToken {
                        token,
                        expires_at: rfc3339(expires_at),
                        sessions_revoked: 0,
                    },
                    "reset_token",
                )
            }
        };
        let revoked = end_admin_sessions(&mut transaction, admin_id, self.tables).await?;
        self.record(
            &mut transaction,
            AuditEvent::new(now, "admin.password_reset", Outcome::Success)
                .target(admin.email.clone())
                .details(json!({ "admin_id": admin.id, "method": kind, "sessions_revoked": revoked })),
        )
        .await?;
        transaction.commit().await?;
        Ok(match reset {
            PasswordReset::TemporaryPassword { password, .. } => PasswordReset::TemporaryPassword {
                password,
                sessions_revoked: revoked,
            },
            PasswordReset::ResetToken {
                token, expires_at, ..
            } => PasswordReset::ResetToken {
                token,
                expires_at,
                sessions_revoked: revoked,
            },
        })
    }

    /// Invites an admin: a `dashboard.invitation_tokens` row valid for 7 days.
    pub async fn invite(&self, email: &str, role: &str) -> CoreResult<Invitation> {
        if self.tables == AdminTables::PLATFORM {
            // 2026.3.7 accepts invitations by a hash of the token, per tenant.
            return Err(CoreError::InvalidInput(
                "Inviting admins to a Fluxbase 2026.3.7 instance is not supported yet; invite them from its web dashboard.".into(),
            ));
        }
        let email = validate_email(email)?;
        let role = role.trim();
        if !ADMIN_ROLES.contains(&role) {
            return Err(CoreError::InvalidInput(format!(
                "Role must be dashboard_admin or dashboard_user, not \"{role}\"."
            )));
        }
        let now = self.now();
        let mut transaction = self.write().await?;
        let exists: bool = sqlx::query_scalar(&self.tables.sql("SELECT EXISTS (SELECT 1 FROM dashboard.users WHERE lower(email) = lower($1) AND deleted_at IS NULL)"))
            .bind(&email)
            .fetch_one(&mut *transaction)
            .await?;
        if exists {
            return Err(CoreError::InvalidInput(format!(
                "{email} is already an admin of this instance."
            )));
        }
        let token = credentials::new_token();
        let row: InvitationTuple = sqlx::query_as(
            &self.tables.sql("INSERT INTO dashboard.invitation_tokens (email, token, role, invited_by, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id, email, token, role, (SELECT email FROM dashboard.users WHERE id = $4), expires_at, accepted, created_at"),
        )
        .bind(&email)
        .bind(&token)
        .bind(role)
        .bind(self.acting_admin)
        .bind(now + TimeDelta::days(INVITATION_DAYS))
        .bind(now)
        .fetch_one(&mut *transaction)
        .await?;
        let invitation = invitation(row, now);
        self.record(
            &mut transaction,
            AuditEvent::new(now, "admin.invite", Outcome::Success)
                .target(email.clone())
                .details(json!({ "role": role, "invitation_id": invitation.id, "expires_at": invitation.expires_at })),
        )
        .await?;
        transaction.commit().await?;
        Ok(invitation)
    }

    /// Invitations: pending only unless the filter widens it.
    pub async fn list_invitations(&self, filter: InvitationFilter) -> CoreResult<Vec<Invitation>> {
        let now = self.now();
        let mut transaction = self.read().await?;
        let rows: Vec<InvitationTuple> = sqlx::query_as(
            &self.tables.sql("SELECT i.id, i.email, i.token, i.role, u.email, i.expires_at, i.accepted, i.created_at \
             FROM dashboard.invitation_tokens i LEFT JOIN dashboard.users u ON u.id = i.invited_by \
             WHERE ($1 OR NOT COALESCE(i.accepted, false)) AND ($2 OR i.expires_at > $3 OR COALESCE(i.accepted, false)) \
             ORDER BY i.created_at DESC"),
        )
        .bind(filter.include_accepted)
        .bind(filter.include_expired)
        .bind(now)
        .fetch_all(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(rows.into_iter().map(|row| invitation(row, now)).collect())
    }

    /// Revokes (deletes) an invitation by its token.
    pub async fn revoke_invitation(&self, token: &str) -> CoreResult<()> {
        let now = self.now();
        let mut transaction = self.write().await?;
        let email: Option<String> = sqlx::query_scalar(
            &self
                .tables
                .sql("DELETE FROM dashboard.invitation_tokens WHERE token = $1 RETURNING email"),
        )
        .bind(token.trim())
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(email) = email else {
            return Err(CoreError::NotFound("No invitation has this token.".into()));
        };
        self.record(
            &mut transaction,
            AuditEvent::new(now, "admin.invitation.revoke", Outcome::Success).target(email),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Unexpired sessions of admins or of app users, newest first.
    pub async fn list_sessions(&self, kind: SessionKind) -> CoreResult<Vec<SessionSummary>> {
        let now = self.now();
        let mut transaction = self.read().await?;
        type Row = (
            Uuid,
            Uuid,
            Option<String>,
            Option<DateTime<Utc>>,
            DateTime<Utc>,
            Option<String>,
            Option<String>,
        );
        let sql = match kind {
            SessionKind::Admin => {
                "SELECT s.id, s.user_id, u.email, s.created_at, s.expires_at, s.ip_address, s.user_agent \
                 FROM dashboard.sessions s LEFT JOIN dashboard.users u ON u.id = s.user_id \
                 WHERE s.expires_at > $1 ORDER BY s.created_at DESC LIMIT $2"
            }
            SessionKind::App => {
                "SELECT s.id, s.user_id, u.email, s.created_at, s.expires_at, NULL::text, NULL::text \
                 FROM auth.sessions s LEFT JOIN auth.users u ON u.id = s.user_id \
                 WHERE s.expires_at > $1 ORDER BY s.created_at DESC LIMIT $2"
            }
        };
        let rows: Vec<Row> = sqlx::query_as(&self.tables.sql(sql))
            .bind(now)
            .bind(SESSION_LIST_LIMIT)
            .fetch_all(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, user_id, email, created, expires, ip, agent)| SessionSummary {
                    current: kind == SessionKind::Admin && Some(id) == self.current_session,
                    id: id.to_string(),
                    kind,
                    user_id: user_id.to_string(),
                    email,
                    created_at: created.map(rfc3339),
                    expires_at: rfc3339(expires),
                    ip_address: ip,
                    user_agent: agent,
                },
            )
            .collect())
    }

    /// Revokes one session, admin or app user. With `token_id` (a JWT `jti`),
    /// also blacklists the token so it stops working before it expires.
    pub async fn revoke_session(&self, session_id: &str, token_id: Option<&str>) -> CoreResult<SessionKind> {
        let id = parse_uuid(session_id, "session")?;
        let now = self.now();
        let mut transaction = self.write().await?;
        let admin: Option<(Uuid, DateTime<Utc>)> = sqlx::query_as(
            &self
                .tables
                .sql("DELETE FROM dashboard.sessions WHERE id = $1 RETURNING user_id, expires_at"),
        )
        .bind(id)
        .fetch_optional(&mut *transaction)
        .await?;
        let (kind, user_id, expires_at) = match admin {
            Some((user, expires)) => (SessionKind::Admin, user, expires),
            None => {
                let app: Option<(Uuid, DateTime<Utc>)> =
                    sqlx::query_as("DELETE FROM auth.sessions WHERE id = $1 RETURNING user_id, expires_at")
                        .bind(id)
                        .fetch_optional(&mut *transaction)
                        .await?;
                let (user, expires) = app.ok_or_else(|| CoreError::NotFound(format!("No session {id}.")))?;
                (SessionKind::App, user, expires)
            }
        };
        if let Some(jti) = token_id.map(str::trim).filter(|t| !t.is_empty()) {
            self.blacklist(&mut transaction, jti, expires_at).await?;
        }
        self.record(
            &mut transaction,
            AuditEvent::new(now, "session.revoke", Outcome::Success)
                .target(id.to_string())
                .details(json!({
                    "kind": if kind == SessionKind::Admin { "admin" } else { "app" },
                    "user_id": user_id.to_string(),
                    "token_blacklisted": token_id.is_some(),
                })),
        )
        .await?;
        transaction.commit().await?;
        Ok(kind)
    }

    /// Revokes every session of one user or admin. Returns how many.
    pub async fn revoke_all_sessions(&self, user_id: &str) -> CoreResult<u64> {
        let id = parse_uuid(user_id, "user")?;
        let now = self.now();
        let mut transaction = self.write().await?;
        let admin = end_admin_sessions(&mut transaction, id, self.tables).await?;
        let app = crate::app_users::end_sessions(&mut transaction, &[id]).await?;
        self.record(
            &mut transaction,
            AuditEvent::new(now, "session.revoke_all", Outcome::Success)
                .target(id.to_string())
                .details(json!({ "admin_sessions": admin, "app_sessions": app })),
        )
        .await?;
        transaction.commit().await?;
        Ok(admin + app)
    }

    async fn blacklist(
        &self,
        connection: &mut PgConnection,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> CoreResult<()> {
        act_as(connection, "service_role", None).await?;
        sqlx::query(
            "INSERT INTO auth.token_blacklist (token_jti, token_type, expires_at, reason) VALUES ($1, 'access', $2, $3) \
             ON CONFLICT (token_jti) DO NOTHING",
        )
        .bind(jti)
        .bind(expires_at)
        .bind(format!("revoked by {} in Fluxdesk", self.context.admin_email.as_deref().unwrap_or("an admin")))
        .execute(&mut *connection)
        .await?;
        act_as(connection, self.tables.admin_role, Some(self.acting_admin)).await?;
        Ok(())
    }
}
