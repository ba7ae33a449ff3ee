//! Impersonation: running SQL exactly as a Fluxbase request of an app user,
//! an anonymous visitor or the service role would run.
//!
//! Fluxbase (`internal/middleware/rls.go`) wraps each request in a
//! transaction with `SET LOCAL ROLE <mapped role>` and
//! `set_config('request.jwt.claims', <claims>, true)`; this module does the
//! same, and nothing else: no session-level setting ever reaches a pooled
//! connection, so it goes back to the pool as it came.

use crate::error::{CoreError, CoreResult};
use crate::ident::quote_ident;
use serde_json::{Value, json};
use sqlx::postgres::{PgPool, Postgres};
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
            "service_role" | "dashboard_admin" => "service_role",
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

/// Reads an app user's identity from `auth.users` (as the login role).
pub async fn user_identity(pool: &PgPool, id: Uuid) -> CoreResult<Identity> {
    type Row = (Uuid, String, Option<String>, Option<Value>, Option<Value>);
    let row: Option<Row> =
        sqlx::query_as("SELECT id, email, role, user_metadata, app_metadata FROM auth.users WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
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
    fn roles_map_as_fluxbase_maps_them() {
        assert_eq!(user("authenticated").database_role(), "authenticated");
        assert_eq!(user("admin").database_role(), "authenticated");
        assert_eq!(user("dashboard_admin").database_role(), "service_role");
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
