//! Impersonation against the demo's real RLS policies: each identity sees
//! exactly what a Fluxbase request of it would, and pooled connections come
//! back as they went.

use fluxdesk_core::impersonation::{Identity, begin_as, user_identity};
use fluxdesk_sandbox::read_only_demo_database;
use futures_util::StreamExt;
use sqlx::postgres::{PgPool, PgPoolOptions};
use uuid::Uuid;

async fn pool(connections: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(connections)
        .connect(&read_only_demo_database().url)
        .await
        .unwrap()
}

/// The login role and the claims a connection has outside any transaction.
async fn connection_state(pool: &PgPool) -> (String, String) {
    sqlx::query_as("SELECT current_user::text, coalesce(current_setting('request.jwt.claims', true), '')")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn users_anon_and_service_see_what_fluxbase_would_show_them() {
    let pool = pool(1).await;
    // Alice (authenticated), Bob (a custom role, "user") and Carol (admin,
    // whom the demo's todos_admin_read policy lets read every todo).
    let owners: Vec<(Uuid, i64, String)> = sqlx::query_as(
        "SELECT t.user_id, count(*), u.role FROM public.todos t JOIN auth.users u ON u.id = t.user_id \
         GROUP BY t.user_id, u.role ORDER BY t.user_id LIMIT 3",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let roles: Vec<&str> = owners.iter().map(|o| o.2.as_str()).collect();
    assert_eq!(roles, ["authenticated", "user", "admin"]);
    let everyone: i64 = sqlx::query_scalar("SELECT count(*) FROM public.todos")
        .fetch_one(&pool)
        .await
        .unwrap();
    for (owner, own, app_role) in owners {
        let identity = user_identity(&pool, owner).await.unwrap();
        let mut transaction = begin_as(&pool, &identity, None, None).await.unwrap();
        let (seen, others): (i64, i64) =
            sqlx::query_as("SELECT count(*), count(*) FILTER (WHERE user_id <> $1) FROM public.todos")
                .bind(owner)
                .fetch_one(&mut *transaction)
                .await
                .unwrap();
        if app_role == "admin" {
            assert_eq!(seen, everyone, "the admin policy shows an admin every todo");
        } else {
            assert_eq!((seen, others), (own, 0), "exactly their own todos");
        }
        let (role, uid): (String, Option<Uuid>) = sqlx::query_as("SELECT current_user::text, auth.uid()")
            .fetch_one(&mut *transaction)
            .await
            .unwrap();
        assert_eq!((role.as_str(), uid), ("authenticated", Some(owner)));
        transaction.rollback().await.unwrap();
        assert_eq!(
            connection_state(&pool).await,
            ("postgres".to_owned(), String::new())
        );
    }

    // Anon: no grant on todos at all (Fluxbase grants it to authenticated only).
    let mut transaction = begin_as(&pool, &Identity::Anon, None, None).await.unwrap();
    let (role, uid): (String, Option<Uuid>) = sqlx::query_as("SELECT current_user::text, auth.uid()")
        .fetch_one(&mut *transaction)
        .await
        .unwrap();
    // Fluxbase's anonymous impersonation token carries the all-zero subject.
    assert_eq!((role.as_str(), uid), ("anon", Some(Uuid::nil())));
    let denied = sqlx::query("SELECT count(*) FROM public.todos")
        .execute(&mut *transaction)
        .await
        .unwrap_err();
    assert_eq!(
        denied.as_database_error().unwrap().code().as_deref(),
        Some("42501")
    );
    transaction.rollback().await.unwrap();

    // The service role bypasses RLS.
    let mut transaction = begin_as(&pool, &Identity::Service, None, None).await.unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM public.todos")
        .fetch_one(&mut *transaction)
        .await
        .unwrap();
    assert_eq!(seen, everyone);
    transaction.rollback().await.unwrap();
    assert_eq!(
        connection_state(&pool).await,
        ("postgres".to_owned(), String::new())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_concurrent_reads_for_fifty_users_never_mix_rows_or_leak_settings() {
    let pool = pool(5).await;
    let users: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM auth.users WHERE role <> 'admin' \
         ORDER BY (id IN (SELECT user_id FROM public.todos)) DESC, id LIMIT 50",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(users.len(), 50);
    let mut identities = Vec::new();
    for id in &users {
        identities.push(user_identity(&pool, *id).await.unwrap());
    }
    let reads = futures_util::stream::iter(0..2000)
        .map(|n| {
            let (pool, identity, me) = (pool.clone(), identities[n % 50].clone(), users[n % 50]);
            async move {
                let mut transaction = begin_as(&pool, &identity, None, None).await.unwrap();
                let owners: Vec<Uuid> = sqlx::query_scalar("SELECT DISTINCT user_id FROM public.todos")
                    .fetch_all(&mut *transaction)
                    .await
                    .unwrap();
                let visible_users: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM auth.users")
                    .fetch_all(&mut *transaction)
                    .await
                    .unwrap();
                transaction.rollback().await.unwrap();
                assert!(
                    owners.iter().all(|owner| *owner == me),
                    "read {n} saw another user's todos"
                );
                assert_eq!(visible_users, vec![me], "read {n} saw other users");
                // The connection goes back as it came: login role, no claims.
                assert_eq!(
                    connection_state(&pool).await,
                    ("postgres".to_owned(), String::new())
                );
                owners.len()
            }
        })
        .buffer_unordered(25)
        .collect::<Vec<usize>>()
        .await;
    assert_eq!(reads.len(), 2000);
    assert!(
        reads.iter().filter(|n| **n == 1).count() >= 300,
        "users with todos saw them"
    );
}

#[tokio::test]
async fn on_the_tenant_layout_the_users_tenant_or_the_default_one_is_set_for_the_transaction_only() {
    // The 2026.3.7 pieces that matter here: tenants, and a tenant per user.
    let database = fluxdesk_sandbox::fresh_database(fluxdesk_sandbox::Seed::Demo);
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&database.url)
        .await
        .unwrap();
    let (acme, default): (Uuid, Uuid) = (Uuid::from_u128(0xac3e), Uuid::from_u128(0xdef));
    for statement in [
        "ALTER TABLE auth.users ADD COLUMN tenant_id uuid".to_owned(),
        "CREATE SCHEMA platform".to_owned(),
        "CREATE TABLE platform.tenants (id uuid PRIMARY KEY, slug text NOT NULL, name text NOT NULL, \
         is_default boolean DEFAULT false, deleted_at timestamptz, created_at timestamptz DEFAULT now())"
            .to_owned(),
        format!(
            "INSERT INTO platform.tenants (id, slug, name, is_default) VALUES ('{acme}', 'acme', 'Acme', false), ('{default}', 'default', 'Default', true)"
        ),
        format!("UPDATE auth.users SET tenant_id = '{acme}' WHERE email = 'bob@example.com'"),
    ] {
        sqlx::query(&statement).execute(&pool).await.unwrap();
    }
    let bob = user_identity(
        &pool,
        Uuid::parse_str("a0000000-0000-4000-8000-000000000002").unwrap(),
    )
    .await
    .unwrap();
    let alice = user_identity(
        &pool,
        Uuid::parse_str("a0000000-0000-4000-8000-000000000001").unwrap(),
    )
    .await
    .unwrap();
    use fluxdesk_core::impersonation::tenant_of;
    assert_eq!(tenant_of(&pool, &bob).await.unwrap(), Some(acme));
    assert_eq!(
        tenant_of(&pool, &alice).await.unwrap(),
        Some(default),
        "no tenant of her own"
    );
    assert_eq!(tenant_of(&pool, &Identity::Anon).await.unwrap(), Some(default));

    let tenant = tenant_of(&pool, &bob).await.unwrap();
    let mut transaction = begin_as(&pool, &bob, None, tenant).await.unwrap();
    let set: String = sqlx::query_scalar("SELECT current_setting('app.current_tenant_id')")
        .fetch_one(&mut *transaction)
        .await
        .unwrap();
    assert_eq!(set, acme.to_string());
    transaction.rollback().await.unwrap();
    let after: String =
        sqlx::query_scalar("SELECT coalesce(current_setting('app.current_tenant_id', true), '')")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(after, "", "gone with the transaction");
}
