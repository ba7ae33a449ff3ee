//! Impersonation: running SQL exactly as a Fluxbase request of an app user,
//! an anonymous visitor or the service role would run.
//!
//! Fluxbase (`internal/middleware/rls.go`) wraps each request in a
//! transaction with `SET LOCAL ROLE <mapped role>` and
//! `set_config('request.jwt.claims', <claims>, true)`; this module does the
//! same, and nothing else: no session-level setting ever reaches a pooled
//! connection, so it goes back to the pool as it came.

use crate::admin_access::{act_as, begin_write};
use crate::audit::{self, AuditContext, AuditEvent, Outcome};
use crate::error::{CoreError, CoreResult};
use crate::ident::quote_ident;
use crate::ident::quote_table;
use crate::instance::Instance;
use chrono::{DateTime, Utc};
use fluxdesk_types::{
    ActiveImpersonation, AppUserMatch, PolicySummary, RlsInsight, RowCount, TableGrants, TableRef,
};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnection, PgPool, Postgres};
use sqlx::{Executor, Transaction};
use uuid::Uuid;

/// An app user (`auth.users`), with what Fluxbase puts in their token.
#[derive(Debug, Clone, PartialEq)]
pub struct AppUser {
    /// `auth.users.id`.
    pub id: Uuid,
    /// Their email.
    pub email: String,
    /// Their app role (`authenticated`, `admin`, a custom role, ...).
    pub role: String,
    /// `user_metadata`.
    pub user_metadata: Value,
    /// `app_metadata`.
    pub app_metadata: Value,
}

/// Who an impersonated statement runs as.
#[derive(Debug, Clone, PartialEq)]
pub enum Identity {
    /// An app user.
    User(Box<AppUser>),
    /// An anonymous visitor.
    Anon,
    /// The service role.
    Service,
}

/// The subject Fluxbase gives anonymous impersonation tokens.
pub const ANON_SUBJECT: &str = "00000000-0000-0000-0000-000000000000";
/// The subject Fluxbase gives service impersonation tokens.
pub const SERVICE_SUBJECT: &str = "00000000-0000-0000-0000-000000000001";

impl Identity {
    /// The app role, as it goes into the claims.
    pub fn app_role(&self) -> &str {
        match self {
            Identity::User(user) => &user.role,
            Identity::Anon => "anon",
            Identity::Service => "service_role",
        }
    }

    /// The database role Fluxbase maps the app role to (`mapAppRoleToDatabaseRole`).
    pub fn database_role(&self) -> &'static str {
        match self.app_role() {
            // 2026.3.7 renamed dashboard_admin to instance_admin.
            "service_role" | "dashboard_admin" | "instance_admin" => "service_role",
            "anon" | "" => "anon",
            _ => "authenticated",
        }
    }

    /// `user`, `anon` or `service`: the `impersonation_type` Fluxbase records.
    pub fn kind(&self) -> &'static str {
        match self {
            Identity::User(_) => "user",
            Identity::Anon => "anon",
            Identity::Service => "service",
        }
    }

    /// The claims JSON, as Fluxbase builds it: always `sub` and `role` (the
    /// app role, not the database role), then email, session, metadata and
    /// `is_anonymous`.
    pub fn claims(&self, session_id: Option<Uuid>) -> Value {
        let mut claims = match self {
            Identity::User(user) => json!({
                "sub": user.id.to_string(),
                "role": user.role,
                "email": user.email,
                "user_metadata": user.user_metadata,
                "app_metadata": user.app_metadata,
                "is_anonymous": false,
            }),
            Identity::Anon => json!({
                "sub": ANON_SUBJECT,
                "role": "anon",
                "email": "anonymous@fluxbase.local",
                "is_anonymous": true,
            }),
            Identity::Service => json!({
                "sub": SERVICE_SUBJECT,
                "role": "service_role",
                "email": "service@fluxbase.local",
                "is_anonymous": false,
            }),
        };
        if let (Some(session), Value::Object(fields)) = (session_id, &mut claims) {
            fields.insert("session_id".to_owned(), Value::String(session.to_string()));
        }
        claims
    }
}

/// Reads an app user's identity from `auth.users`, with service claims so
/// a login role under FORCE RLS can read it too.
pub async fn user_identity(pool: &PgPool, id: Uuid) -> CoreResult<Identity> {
    type Row = (Uuid, String, Option<String>, Option<Value>, Option<Value>);
    let mut transaction = pool.begin().await?;
    act_as(&mut transaction, "service_role", None).await?;
    let row: Option<Row> =
        sqlx::query_as("SELECT id, email, role, user_metadata, app_metadata FROM auth.users WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *transaction)
            .await?;
    transaction.rollback().await?;
    let (id, email, role, user_metadata, app_metadata) =
        row.ok_or_else(|| CoreError::NotFound(format!("There is no app user with id {id}.")))?;
    Ok(Identity::User(Box::new(AppUser {
        id,
        email,
        role: role.unwrap_or_else(|| "authenticated".to_owned()),
        user_metadata: user_metadata.unwrap_or_else(|| json!({})),
        app_metadata: app_metadata.unwrap_or_else(|| json!({})),
    })))
}

/// Users whose email contains `text` (any case), or whose id is `text`,
/// searched on the server across the whole table; at most `limit`, by email.
pub async fn search_users(pool: &PgPool, text: &str, limit: u32) -> CoreResult<Vec<AppUserMatch>> {
    let text = text.trim();
    let exact_id = Uuid::parse_str(text).ok();
    let mut transaction = pool.begin().await?;
    act_as(&mut transaction, "service_role", None).await?;
    let rows: Vec<(Uuid, String, Option<String>)> = sqlx::query_as(
        "SELECT id, email, role FROM auth.users \
         WHERE ($1::uuid IS NOT NULL AND id = $1) \
            OR ($1::uuid IS NULL AND strpos(lower(email), lower($2)) > 0) \
         ORDER BY lower(email) = lower($2) DESC, email LIMIT $3",
    )
    .bind(exact_id)
    .bind(text)
    .bind(i64::from(limit.clamp(1, 200)))
    .fetch_all(&mut *transaction)
    .await?;
    transaction.rollback().await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, role)| AppUserMatch {
            id: id.to_string(),
            email,
            role: role.unwrap_or_else(|| "authenticated".to_owned()),
        })
        .collect())
}

/// An impersonation in force on one instance: who, why, and its
/// `auth.impersonation_sessions` row (whose id is the claims' `session_id`).
#[derive(Debug)]
pub struct Impersonation {
    /// `auth.impersonation_sessions.id`.
    pub session_id: Uuid,
    /// Who statements run as.
    pub identity: Identity,
    /// Why, as the admin gave it.
    pub reason: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// `app.current_tenant_id` on the 2026.3.7 layout.
    pub tenant_id: Option<Uuid>,
}

impl Impersonation {
    /// A transaction acting as the identity, with this session's claims.
    pub async fn begin(&self, pool: &PgPool) -> CoreResult<Transaction<'static, Postgres>> {
        begin_as(pool, &self.identity, Some(self.session_id), self.tenant_id).await
    }

    /// The email in the claims.
    pub fn email(&self) -> String {
        self.identity.claims(None)["email"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Who, for a person: "bob@example.com (user, as authenticated)".
    pub fn who(&self) -> String {
        format!(
            "{} ({}, as {})",
            self.email(),
            self.identity.app_role(),
            self.identity.database_role()
        )
    }

    /// What the UI shows.
    pub fn summary(&self) -> ActiveImpersonation {
        ActiveImpersonation {
            session_id: self.session_id.to_string(),
            kind: self.identity.kind().to_owned(),
            user_id: match &self.identity {
                Identity::User(user) => Some(user.id.to_string()),
                _ => None,
            },
            email: self.email(),
            app_role: self.identity.app_role().to_owned(),
            database_role: self.identity.database_role().to_owned(),
            reason: self.reason.clone(),
            started_at: self.started_at.to_rfc3339(),
        }
    }

    /// What every audit event made while it is in force carries.
    pub fn audit_tag(&self) -> Value {
        json!({
            "session_id": self.session_id.to_string(),
            "type": self.identity.kind(),
            "email": self.email(),
            "app_role": self.identity.app_role(),
            "database_role": self.identity.database_role(),
        })
    }

    /// Checks that `connection`'s transaction still acts as the identity: a
    /// statement such as `RESET ROLE` or `set_config(...)` could leave it.
    pub async fn verify_in_force(&self, connection: &mut PgConnection) -> CoreResult<()> {
        let (role, claims, tenant): (String, Option<String>, Option<String>) = sqlx::query_as(
            "SELECT current_user::text, current_setting('request.jwt.claims', true), \
                    nullif(current_setting('app.current_tenant_id', true), '')",
        )
        .fetch_one(&mut *connection)
        .await?;
        let claims: Option<Value> = claims.and_then(|text| serde_json::from_str(&text).ok());
        if role != self.identity.database_role()
            || claims != Some(self.identity.claims(Some(self.session_id)))
            || tenant != self.tenant_id.map(|tenant| tenant.to_string())
        {
            return Err(CoreError::InvalidInput(format!(
                "A statement changed the role or the JWT claims (SET ROLE, RESET ROLE or set_config), so it no longer ran as {}; nothing was committed.",
                self.who()
            )));
        }
        Ok(())
    }

    /// A permission or RLS error, explained in the identity's terms.
    pub fn explain(&self, error: CoreError) -> CoreError {
        match error {
            CoreError::InStatement { index, total, source } => CoreError::InStatement {
                index,
                total,
                source: Box::new(self.explain(*source)),
            },
            CoreError::Query(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42501") => {
                CoreError::PermissionDenied(explain_denial(
                    db.message(),
                    self.identity.database_role(),
                    &self.who(),
                ))
            }
            other => other,
        }
    }
}

/// `error`, explained in the identity's terms when one was acting.
pub fn explained(acting: Option<&Impersonation>, error: impl Into<CoreError>) -> CoreError {
    match acting {
        Some(acting) => acting.explain(error.into()),
        None => error.into(),
    }
}

/// The words for a 42501 error met while acting as `role`.
fn explain_denial(message: &str, role: &str, who: &str) -> String {
    let object = |prefix: &str| message.strip_prefix(prefix).map(str::trim);
    if let Some(table) = object("new row violates row-level security policy for table") {
        format!(
            "Row level security refused the row for {who}: no WITH CHECK (or USING) expression of {table}'s policies for {role} allows it. A Fluxbase request of this identity gets the same refusal."
        )
    } else if let Some(table) = object("permission denied for table").or(object("permission denied for view"))
    {
        format!(
            "{role} has no privilege for this on {table}, so {who} gets \"permission denied\" before any RLS policy is looked at. Fluxbase grants new tables only to service_role; the table owner must GRANT it, e.g. GRANT SELECT ON {table} TO {role}."
        )
    } else if let Some(sequence) = object("permission denied for sequence") {
        format!(
            "{role} may not use the sequence {sequence}, so inserts as {who} fail: GRANT USAGE ON SEQUENCE {sequence} TO {role}."
        )
    } else if let Some(schema) = object("permission denied for schema") {
        format!(
            "{role} has no USAGE on schema {schema}, so {who} cannot reach anything in it: GRANT USAGE ON SCHEMA {schema} TO {role}."
        )
    } else {
        format!("{message} (acting as {who}, database role {role}).")
    }
}

/// Starts an impersonation as Fluxbase does: ends the admin's other active
/// sessions, records a row in `auth.impersonation_sessions` and an audit
/// event, in one transaction.
pub async fn start(
    pool: &PgPool,
    context: &AuditContext,
    admin_id: Uuid,
    identity: Identity,
    reason: &str,
    now: DateTime<Utc>,
    tenant_id: Option<Uuid>,
) -> CoreResult<Impersonation> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CoreError::InvalidInput(
            "Give a reason for the impersonation: it is recorded with it.".to_owned(),
        ));
    }
    if matches!(&identity, Identity::User(user) if user.id == admin_id) {
        return Err(CoreError::InvalidInput(
            "You cannot impersonate yourself.".to_owned(),
        ));
    }
    let (target_user, target_role) = match &identity {
        Identity::User(user) => (Some(user.id), user.role.clone()),
        Identity::Anon => (None, "anon".to_owned()),
        Identity::Service => (None, "service".to_owned()),
    };
    let mut transaction = begin_write(pool).await?;
    // FORCE RLS on impersonation_sessions admits service_role claims only.
    act_as(&mut transaction, "service_role", None).await?;
    let ended = sqlx::query(
        "UPDATE auth.impersonation_sessions SET ended_at = $2, is_active = false WHERE admin_user_id = $1 AND is_active",
    )
    .bind(admin_id)
    .bind(now)
    .execute(&mut *transaction)
    .await?
    .rows_affected();
    // 2026.3.7's rows carry the tenant (its column exists only there).
    let sql = if tenant_id.is_some() {
        "INSERT INTO auth.impersonation_sessions \
           (admin_user_id, target_user_id, target_role, impersonation_type, reason, user_agent, started_at, is_active, tenant_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8) RETURNING id"
    } else {
        "INSERT INTO auth.impersonation_sessions \
           (admin_user_id, target_user_id, target_role, impersonation_type, reason, user_agent, started_at, is_active) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, true) RETURNING id"
    };
    let mut insert = sqlx::query_scalar(sql)
        .bind(admin_id)
        .bind(target_user)
        .bind(&target_role)
        .bind(identity.kind())
        .bind(reason)
        .bind(user_agent())
        .bind(now);
    if let Some(tenant) = tenant_id {
        insert = insert.bind(tenant);
    }
    let session_id: Uuid = insert.fetch_one(&mut *transaction).await?;
    let impersonation = Impersonation {
        session_id,
        identity,
        reason: reason.to_owned(),
        started_at: now,
        tenant_id,
    };
    let event = AuditEvent::new(now, "impersonation.start", Outcome::Success)
        .target(impersonation.email())
        .details(json!({
            "impersonation": impersonation.audit_tag(),
            "target_user_id": target_user.map(|id| id.to_string()),
            "target_role": target_role,
            "reason": reason,
            "ended_earlier_sessions": ended,
        }));
    audit::append_and_commit(transaction, context, &event).await?;
    Ok(impersonation)
}

/// Ends an impersonation: its row gets `ended_at` and `is_active = false`
/// (if still active), and the audit trail records why it ended.
pub async fn stop(
    pool: &PgPool,
    context: &AuditContext,
    impersonation: &Impersonation,
    now: DateTime<Utc>,
    why: &str,
) -> CoreResult<()> {
    let mut transaction = begin_write(pool).await?;
    act_as(&mut transaction, "service_role", None).await?;
    let ended = sqlx::query(
        "UPDATE auth.impersonation_sessions SET ended_at = $2, is_active = false WHERE id = $1 AND is_active",
    )
    .bind(impersonation.session_id)
    .bind(now)
    .execute(&mut *transaction)
    .await?
    .rows_affected();
    let event = AuditEvent::new(now, "impersonation.stop", Outcome::Success)
        .target(impersonation.email())
        .details(json!({
            "impersonation": impersonation.audit_tag(),
            "why": why,
            "seconds": (now - impersonation.started_at).num_seconds(),
            "was_active": ended == 1,
        }));
    audit::append_and_commit(transaction, context, &event).await?;
    Ok(())
}

/// Rows counted for the insight; beyond this it says "at least".
const INSIGHT_COUNT_CAP: i64 = 100_000;

/// Counts the rows `connection` can see of `table`, up to the cap.
async fn count_visible(connection: &mut PgConnection, table: &TableRef) -> CoreResult<RowCount> {
    let rows: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM {} LIMIT {}) AS visible",
        quote_table(table),
        INSIGHT_COUNT_CAP + 1
    ))
    .fetch_one(&mut *connection)
    .await?;
    Ok(RowCount {
        rows: rows.min(INSIGHT_COUNT_CAP),
        capped: rows > INSIGHT_COUNT_CAP,
    })
}

/// What the impersonated identity sees of `table` against the admin, and
/// why: its grants, the table's policies from `pg_policies`, both counts.
pub async fn rls_insight(
    instance: &Instance,
    impersonation: &Impersonation,
    table: &TableRef,
) -> CoreResult<RlsInsight> {
    let role = impersonation.identity.database_role();
    type Flags = (bool, bool, bool, bool, bool, bool, bool);
    let flags: Option<Flags> = sqlx::query_as(
        "SELECT c.relrowsecurity, c.relforcerowsecurity, \
                has_table_privilege($2, c.oid, 'SELECT'), has_table_privilege($2, c.oid, 'INSERT'), \
                has_table_privilege($2, c.oid, 'UPDATE'), has_table_privilege($2, c.oid, 'DELETE'), \
                (SELECT rolbypassrls FROM pg_roles WHERE rolname = $2) \
         FROM pg_class c WHERE c.oid = to_regclass($1)",
    )
    .bind(quote_table(table))
    .bind(role)
    .fetch_optional(instance.pool())
    .await?;
    let Some((rls_enabled, rls_forced, select, insert, update, delete, bypasses)) = flags else {
        return Err(CoreError::NotFound(format!("There is no table or view {table}.")));
    };
    type PolicyRow = (
        String,
        String,
        String,
        Vec<String>,
        Option<String>,
        Option<String>,
        bool,
    );
    let policies: Vec<PolicySummary> = sqlx::query_as::<_, PolicyRow>(
        "SELECT policyname::text, cmd, permissive, roles::text[], qual, with_check, \
                EXISTS (SELECT 1 FROM unnest(roles) AS r(name) \
                        WHERE CASE WHEN r.name = 'public' THEN true ELSE pg_has_role($3, r.name, 'MEMBER') END) \
         FROM pg_policies WHERE schemaname = $1 AND tablename = $2 ORDER BY policyname",
    )
    .bind(&table.schema)
    .bind(&table.name)
    .bind(role)
    .fetch_all(instance.pool())
    .await?
    .into_iter()
    .map(
        |(name, command, permissive, roles, using, with_check, applies)| PolicySummary {
            applies,
            name,
            command,
            permissive: permissive == "PERMISSIVE",
            roles,
            using,
            with_check,
        },
    )
    .collect();

    let mut reading = instance.pool().begin().await?;
    reading.execute("SET TRANSACTION READ ONLY").await?;
    let admin_rows = count_visible(&mut reading, table).await?;
    reading.rollback().await?;
    let identity_rows = if select {
        let mut acting = impersonation.begin(instance.pool()).await?;
        acting.execute("SET TRANSACTION READ ONLY").await?;
        let rows = count_visible(&mut acting, table)
            .await
            .map_err(|error| impersonation.explain(error))?;
        acting.rollback().await?;
        Some(rows)
    } else {
        None
    };

    let who = impersonation.who();
    let reading_policies = policies
        .iter()
        .filter(|p| p.applies && p.permissive && (p.command == "ALL" || p.command == "SELECT"))
        .count();
    let explanation = if !select {
        format!(
            "{role} has no SELECT grant on {table}, so {who} gets \"permission denied\" before RLS is looked at. Fluxbase grants new tables only to service_role: GRANT SELECT ON {table} TO {role} lets the policies decide."
        )
    } else if bypasses {
        format!("{role} bypasses row level security, so {who} sees every row its grants allow.")
    } else if !rls_enabled {
        format!("Row level security is off on {table}: {who} sees every row, as anyone with SELECT does.")
    } else if reading_policies == 0 {
        format!(
            "Row level security is on and no permissive SELECT policy applies to {role}, so {who} sees no rows at all."
        )
    } else {
        format!(
            "{who} sees the rows that pass the USING expression of any of the {reading_policies} permissive polic{} for {role} (and every restrictive one).",
            if reading_policies == 1 { "y" } else { "ies" }
        )
    };
    Ok(RlsInsight {
        table: table.clone(),
        database_role: role.to_owned(),
        rls_enabled,
        rls_forced,
        admin_rows,
        identity_rows,
        grants: TableGrants {
            select,
            insert,
            update,
            delete,
        },
        policies,
        explanation,
    })
}

/// What the caller shows as in force (the window's banner).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Shown {
    /// The caller does not say (the CLI, scripts): the run takes what is in force.
    #[default]
    Unknown,
    /// No impersonation.
    Nothing,
    /// This impersonation session.
    Session(Uuid),
}

/// What a caller asks of a run while an impersonation may be in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImpersonatedWrite {
    /// What the caller shows as in force. If something else is in force when
    /// the run begins, nothing runs: a dry run meant for bob must never
    /// commit as the admin, and a window showing nobody must not act as bob.
    pub expected: Shown,
    /// Commit writes instead of rolling them back; granted only after an
    /// explicit confirmation and a step-up.
    pub commit: bool,
}

impl ImpersonatedWrite {
    /// Refuses a run whose transaction does not act as the caller expects.
    pub fn check(&self, acting: Option<&Impersonation>) -> CoreResult<()> {
        let running = acting.map(|acting| acting.session_id);
        let matches = match self.expected {
            Shown::Unknown => true,
            Shown::Nothing => running.is_none(),
            Shown::Session(shown) => running == Some(shown),
        };
        if !matches {
            return Err(CoreError::InvalidInput(
                "The impersonation changed (started, stopped or switched) while this was on its way, so nothing ran. Check the banner and run it again.".to_owned(),
            ));
        }
        if self.commit && running.is_none() {
            return Err(CoreError::InvalidInput(
                "No impersonation is in force any more, so nothing was committed as one.".to_owned(),
            ));
        }
        Ok(())
    }
}

/// Whether a statement would leave the identity it runs as: `SET ROLE`,
/// `SET SESSION AUTHORIZATION`, a custom setting (claims, tenant),
/// `RESET`, `DO` blocks, or a `set_config` call anywhere. PostgreSQL checks
/// SET ROLE against the login role, so the transaction alone cannot stop
/// these; judged by tokens, so comments and quoting hide nothing.
pub fn leaves_identity(statement: &str) -> bool {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::{Token, Tokenizer};
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, statement).tokenize() else {
        // Unreadable text is refused rather than guessed at.
        return true;
    };
    let significant: Vec<&Token> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let word = |index: usize| match significant.get(index) {
        Some(Token::Word(word)) => word.value.to_ascii_lowercase(),
        _ => String::new(),
    };
    if significant
        .iter()
        .any(|t| matches!(t, Token::Word(word) if word.value.eq_ignore_ascii_case("set_config")))
    {
        return true;
    }
    // The settings that say who a request is: the role, the session's
    // authorization, and Fluxbase's claims and tenant (`request.*`, `app.*`).
    let identity_setting = |at: usize| {
        let name = word(at);
        let prefix = name.split('.').next().unwrap_or_default().to_owned();
        matches!(
            name.as_str(),
            "role" | "session" | "authorization" | "session_authorization" | "all"
        ) || matches!(prefix.as_str(), "request" | "app")
    };
    match word(0).as_str() {
        "do" => true,
        "reset" => identity_setting(1),
        "set" => {
            let start = if matches!(word(1).as_str(), "local" | "session") {
                2
            } else {
                1
            };
            identity_setting(start)
        }
        _ => false,
    }
}

/// Before a commit as the identity: deferred checks run as it, then the
/// transaction goes back to the login role and the connection's defaults,
/// so nothing a statement set at session level outlives the commit.
pub(crate) async fn leave_before_commit(connection: &mut PgConnection) -> CoreResult<()> {
    connection.execute("SET CONSTRAINTS ALL IMMEDIATE").await?;
    connection.execute("RESET ROLE").await?;
    connection.execute("RESET ALL").await?;
    Ok(())
}

/// The tenant a request of `identity` carries on the 2026.3.7 layout: the
/// user's own `auth.users.tenant_id`, else (and for anon and the service
/// role) the default tenant, as Fluxbase's tenant middleware falls back to.
pub async fn tenant_of(pool: &PgPool, identity: &Identity) -> CoreResult<Option<Uuid>> {
    let mut transaction = pool.begin().await?;
    act_as(&mut transaction, "service_role", None).await?;
    let own: Option<Uuid> = match identity {
        Identity::User(user) => sqlx::query_scalar("SELECT tenant_id FROM auth.users WHERE id = $1")
            .bind(user.id)
            .fetch_optional(&mut *transaction)
            .await?
            .flatten(),
        Identity::Anon | Identity::Service => None,
    };
    let tenant = match own {
        Some(tenant) => Some(tenant),
        None => {
            sqlx::query_scalar(DEFAULT_TENANT_SQL)
                .fetch_optional(&mut *transaction)
                .await?
        }
    };
    transaction.rollback().await?;
    Ok(tenant)
}

/// The default tenant of a 2026.3.7 instance, where its server puts requests
/// and users that name no tenant.
pub(crate) const DEFAULT_TENANT_SQL: &str =
    "SELECT id FROM platform.tenants WHERE is_default AND deleted_at IS NULL ORDER BY created_at LIMIT 1";

/// Whether an impersonation's row is still active.
pub async fn still_active(pool: &PgPool, session_id: Uuid) -> CoreResult<bool> {
    let mut transaction = pool.begin().await?;
    act_as(&mut transaction, "service_role", None).await?;
    let active: Option<Option<bool>> =
        sqlx::query_scalar("SELECT is_active FROM auth.impersonation_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_optional(&mut *transaction)
            .await?;
    transaction.rollback().await?;
    Ok(active.flatten().unwrap_or(false))
}

/// The user agent recorded with each impersonation.
pub fn user_agent() -> String {
    format!("Fluxdesk {}", env!("CARGO_PKG_VERSION"))
}

/// Opens a transaction acting as `identity`: `SET LOCAL ROLE` and the
/// transaction-local claims (and, on the 2026.3.7 layout, the tenant).
/// Whatever runs in it is exactly what a Fluxbase request would be allowed.
pub async fn begin_as(
    pool: &PgPool,
    identity: &Identity,
    session_id: Option<Uuid>,
    tenant_id: Option<Uuid>,
) -> CoreResult<Transaction<'static, Postgres>> {
    let mut transaction = pool.begin().await?;
    // SET takes no parameters: the role is one of three fixed names, quoted.
    let role = identity.database_role();
    transaction
        .execute(format!("SET LOCAL ROLE {}", quote_ident(role)).as_str())
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db) if db.code().as_deref() == Some("42501") => CoreError::InvalidInput(format!(
                "The connection's role is not a member of \"{role}\", so it cannot act as {}: grant anon, authenticated and service_role to it (as Fluxbase's own database user has).",
                identity.kind()
            )),
            _ => CoreError::Query(error),
        })?;
    sqlx::query("SELECT set_config('request.jwt.claims', $1, true)")
        .bind(identity.claims(session_id).to_string())
        .execute(&mut *transaction)
        .await?;
    if let Some(tenant) = tenant_id {
        sqlx::query("SELECT set_config('app.current_tenant_id', $1, true)")
            .bind(tenant.to_string())
            .execute(&mut *transaction)
            .await?;
    }
    Ok(transaction)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: &str) -> Identity {
        Identity::User(Box::new(AppUser {
            id: Uuid::nil(),
            email: "a@b.c".into(),
            role: role.into(),
            user_metadata: json!({"name": "A"}),
            app_metadata: json!({"plan": "pro"}),
        }))
    }

    #[test]
    fn statements_that_would_leave_the_identity_are_recognised_however_written() {
        for leaving in [
            "RESET ROLE",
            "reset all",
            "SET ROLE postgres",
            "set local role service_role",
            "SET SESSION AUTHORIZATION postgres",
            "SET request.jwt.claims = '{}'",
            "SET LOCAL \"request.jwt.claims\" TO '{}'",
            "/* hi */ SET app.current_tenant_id = 'x'",
            "SELECT set_config('role', session_user, true)",
            "SELECT pg_catalog.\"set_config\"('request.jwt.claims', '{}', false)",
            "SELECT 1; SELECT SET_CONFIG('a.b', 'c', false)",
            "DO $$ BEGIN RESET ROLE; END $$",
            "SET session_authorization = 'postgres'",
            "RESET request.jwt.claims",
        ] {
            assert!(leaves_identity(leaving), "{leaving}");
        }
        for staying in [
            "SELECT * FROM todos WHERE title = 'set_config'",
            "SET statement_timeout = '5s'",
            "SET LOCAL search_path TO public",
            "UPDATE todos SET done = true",
            "SELECT current_setting('request.jwt.claims', true)",
            "SET LOCAL hnsw.ef_search = 100",
            "RESET statement_timeout",
        ] {
            assert!(!leaves_identity(staying), "{staying}");
        }
    }

    #[test]
    fn roles_map_as_fluxbase_maps_them() {
        assert_eq!(user("authenticated").database_role(), "authenticated");
        assert_eq!(user("admin").database_role(), "authenticated");
        assert_eq!(user("dashboard_admin").database_role(), "service_role");
        assert_eq!(user("instance_admin").database_role(), "service_role");
        assert_eq!(user("tenant_admin").database_role(), "authenticated");
        assert_eq!(user("").database_role(), "anon");
        assert_eq!(Identity::Anon.database_role(), "anon");
        assert_eq!(Identity::Service.database_role(), "service_role");
    }

    #[test]
    fn claims_carry_what_fluxbase_puts_in_a_token() {
        let session = Uuid::from_u128(7);
        assert_eq!(
            user("admin").claims(Some(session)),
            json!({
                "sub": Uuid::nil().to_string(),
                "role": "admin",
                "email": "a@b.c",
                "user_metadata": {"name": "A"},
                "app_metadata": {"plan": "pro"},
                "is_anonymous": false,
                "session_id": session.to_string(),
            })
        );
        assert_eq!(Identity::Anon.claims(None)["sub"], ANON_SUBJECT);
        assert_eq!(Identity::Anon.claims(None)["is_anonymous"], true);
        assert_eq!(Identity::Service.claims(None)["role"], "service_role");
    }
}
