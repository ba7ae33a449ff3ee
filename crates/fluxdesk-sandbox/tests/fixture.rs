//! The Fluxbase-compatible fixture behaves like Fluxbase v2026.3.6 where
//! Fluxdesk depends on it: roles, FORCE RLS flags, claim-driven RLS, the
//! app_metadata guard, bcrypt hashes and first-time-setup state.

use fluxdesk_sandbox::{Seed, fresh_database, read_only_demo_database, shared_cluster};

fn query(database: &str, sql: &str) -> String {
    shared_cluster()
        .psql(database, sql)
        .unwrap_or_else(|error| panic!("{sql}\n{error}"))
}

#[test]
fn roles_match_fluxbase() {
    let database = &read_only_demo_database().name;
    let roles = query(
        database,
        "SELECT string_agg(format('%s:%s:%s:%s', rolname, rolcanlogin, rolinherit, rolbypassrls), ' ' ORDER BY rolname) \
         FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role')",
    );
    assert_eq!(roles, "anon:f:f:f authenticated:f:f:f service_role:f:f:t");
}

#[test]
fn force_rls_flags_match_fluxbase() {
    let database = &read_only_demo_database().name;
    let flags = query(
        database,
        "SELECT string_agg(format('%s.%s=%s/%s', n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity), ' ' \
                           ORDER BY n.nspname, c.relname) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('auth', 'dashboard', 'app', 'storage', 'realtime', 'logging') \
           AND NOT c.relispartition",
    );
    let expected = [
        "app.settings=t/f",
        "auth.email_verification_tokens=t/t",
        "auth.impersonation_sessions=t/t",
        "auth.magic_links=t/t",
        "auth.oauth_links=t/t",
        "auth.password_reset_tokens=t/t",
        "auth.sessions=t/f",
        "auth.token_blacklist=t/t",
        "auth.users=t/f",
        "dashboard.activity_log=t/t",
        "dashboard.invitation_tokens=t/t",
        "dashboard.password_reset_tokens=t/t",
        "dashboard.sessions=t/t",
        "dashboard.users=t/t",
        "logging.entries=f/f",
        "realtime.schema_registry=t/t",
        "storage.buckets=t/t",
        "storage.object_permissions=t/t",
        "storage.objects=t/t",
    ];
    assert_eq!(flags, expected.join(" "));
}

#[test]
fn rls_follows_the_request_claims() {
    let database = &read_only_demo_database().name;
    let as_alice = query(
        database,
        "BEGIN; SET LOCAL ROLE authenticated; \
         SELECT set_config('request.jwt.claims', '{\"sub\":\"a0000000-0000-4000-8000-000000000001\",\"role\":\"authenticated\"}', true); \
         SELECT format('%s|%s|%s|%s', (SELECT count(*) FROM public.todos), (SELECT count(*) FROM auth.users), auth.uid(), auth.role()); \
         ROLLBACK;",
    );
    let last = as_alice.lines().last().unwrap();
    assert_eq!(
        last, "25|1|a0000000-0000-4000-8000-000000000001|authenticated",
        "Alice sees her 25 todos and only her own user row"
    );

    let as_app_admin = query(
        database,
        "BEGIN; SET LOCAL ROLE authenticated; \
         SELECT set_config('request.jwt.claims', '{\"sub\":\"a0000000-0000-4000-8000-000000000003\",\"role\":\"admin\"}', true); \
         SELECT format('%s|%s', (SELECT count(*) FROM auth.users), auth.is_admin()); ROLLBACK;",
    );
    assert_eq!(
        as_app_admin.lines().last().unwrap(),
        "1010|t",
        "app role admin reads all users"
    );

    let as_anon = query(
        database,
        "BEGIN; SET LOCAL ROLE anon; \
         SELECT format('%s|%s|%s', (SELECT count(*) FROM public.projects), auth.uid() IS NULL, auth.role()); ROLLBACK;",
    );
    assert_eq!(
        as_anon.lines().last().unwrap(),
        "3|t|anon",
        "anon sees the three public projects"
    );

    let anon_users = shared_cluster().psql(
        database,
        "BEGIN; SET LOCAL ROLE anon; SELECT count(*) FROM auth.users;",
    );
    assert!(
        anon_users
            .unwrap_err()
            .to_string()
            .contains("permission denied for table users"),
        "anon has no grant on auth.users"
    );

    let as_service = query(
        database,
        "BEGIN; SET LOCAL ROLE service_role; SELECT count(*) FROM public.todos; ROLLBACK;",
    );
    assert_eq!(
        as_service.lines().last().unwrap(),
        "250",
        "service_role bypasses RLS"
    );
}

#[test]
fn app_metadata_changes_need_an_admin_claim() {
    let database = fresh_database(Seed::Demo);
    let refused = shared_cluster().psql(
        &database.name,
        "UPDATE auth.users SET app_metadata = '{\"tier\":\"x\"}' WHERE email = 'bob@example.com'",
    );
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("Only admins can modify app_metadata"),
        "even a superuser without claims is refused"
    );
    let refused_service = shared_cluster().psql(
        &database.name,
        "BEGIN; SELECT set_config('request.jwt.claims', '{\"role\":\"service_role\"}', true); \
         UPDATE auth.users SET app_metadata = '{\"tier\":\"x\"}' WHERE email = 'bob@example.com'; COMMIT;",
    );
    assert!(refused_service.is_err(), "claim role service_role is refused too");
    query(
        &database.name,
        "BEGIN; SELECT set_config('request.jwt.claims', '{\"role\":\"dashboard_admin\"}', true); \
         UPDATE auth.users SET app_metadata = '{\"tier\":\"x\"}' WHERE email = 'bob@example.com'; COMMIT;",
    );
    let stored = query(
        &database.name,
        "SELECT app_metadata->>'tier' FROM auth.users WHERE email = 'bob@example.com'",
    );
    assert_eq!(stored, "x");
}

#[test]
fn demo_credentials_are_bcrypt_as_fluxbase_stores_them() {
    let database = &read_only_demo_database().name;
    let admin = query(
        database,
        "SELECT format('%s|%s|%s', left(password_hash, 7), crypt('fluxdesk-demo-admin', password_hash) = password_hash, role) \
         FROM dashboard.users WHERE email = 'admin@fluxdesk.demo'",
    );
    assert_eq!(admin, "$2a$10$|t|dashboard_admin");
    let alice = query(
        database,
        "SELECT crypt('demo-user-password', password_hash) = password_hash FROM auth.users WHERE email = 'alice@example.com'",
    );
    assert_eq!(alice, "t");
    let setup = query(
        database,
        "SELECT count(*) FROM app.settings WHERE key = 'setup_completed'",
    );
    assert_eq!(setup, "1", "an instance with an admin has completed setup");
}

#[test]
fn a_fresh_fluxbase_has_defaults_and_no_admin() {
    let database = fresh_database(Seed::FluxbaseSchema);
    let state = query(
        &database.name,
        "SELECT format('%s|%s|%s|%s', (SELECT count(*) FROM app.settings), (SELECT count(*) FROM storage.buckets), \
                       (SELECT count(*) FROM dashboard.users), (SELECT count(*) FROM auth.users))",
    );
    assert_eq!(
        state, "17|4|0|0",
        "17 default settings, 4 buckets, no admin, no users"
    );
}

#[test]
fn realtime_is_enabled_on_todos_the_fluxbase_way() {
    let database = &read_only_demo_database().name;
    let state = query(
        database,
        "SELECT format('%s|%s|%s', c.relreplident, \
                       (SELECT count(*) FROM pg_trigger WHERE tgrelid = c.oid AND tgname = 'todos_realtime_notify'), \
                       (SELECT realtime_enabled FROM realtime.schema_registry WHERE schema_name = 'public' AND table_name = 'todos')) \
         FROM pg_class c WHERE c.oid = 'public.todos'::regclass",
    );
    assert_eq!(
        state, "f|1|t",
        "REPLICA IDENTITY FULL, the notify trigger and the registry row"
    );
}

#[test]
fn writes_to_realtime_tables_notify_like_fluxbase() {
    let database = fresh_database(Seed::Demo);
    let output = query(
        &database.name,
        "LISTEN fluxbase_changes; UPDATE public.todos SET done = NOT done WHERE id = 4; SELECT 'after';",
    );
    let notification = output
        .lines()
        .find(|line| line.contains("Asynchronous notification"))
        .unwrap_or_else(|| panic!("no notification arrived:\n{output}"));
    for needle in [
        r#""schema" : "public""#,
        r#""table" : "todos""#,
        r#""type" : "UPDATE""#,
        r#""record" : {"#,
        r#""old_record" : {"#,
    ] {
        assert!(
            notification.contains(needle),
            "{needle} missing from {notification}"
        );
    }
    assert!(
        !notification.contains(r#""notes""#),
        "excluded columns are left out: {notification}"
    );
    let anon = shared_cluster().psql(
        &database.name,
        "BEGIN; SET LOCAL ROLE anon; UPDATE public.todos SET done = true WHERE id = 4; ROLLBACK;",
    );
    assert!(
        anon.is_err(),
        "anon cannot write todos (no grant), as in Fluxbase"
    );
}
