//! Instance configuration through the console, against the real cluster:
//! app.settings (types, editable_by, secrets, one transaction, audit),
//! realtime enable and disable (the catalogue restored exactly, an event
//! arriving), and buckets (counts, validated edits, keyset browsing).

use chrono::Utc;
use fluxdesk_core::clock::ManualClock;
use fluxdesk_core::profiles::profile_from_url;
use fluxdesk_core::{Console, CoreError, Keyring, ProfileFile};
use fluxdesk_sandbox::{Seed, TestDatabase, fresh_database};
use fluxdesk_types::{
    ApiError, BucketEdit, CHANGE_BUCKET, CHANGE_REALTIME, CHANGE_SETTINGS, Credentials, Environment,
    EnvironmentKind, ErrorCode, ObjectListRequest, Protection, RealtimeRequest, SettingEdit, TableRef,
};
use serde_json::{Value, json};
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;

const ID: &str = "instance";
const ADMIN: (&str, &str) = ("admin@fluxdesk.demo", "fluxdesk-demo-admin");
const SUPPORT: (&str, &str) = ("support@fluxdesk.demo", "fluxdesk-demo-support");

struct Desk {
    console: Console,
    database: TestDatabase,
    _dir: tempfile::TempDir,
}

async fn desk_as(database: TestDatabase, admin: (&str, &str)) -> Desk {
    desk_with(database, admin, Protection::Open, EnvironmentKind::Development).await
}

async fn desk_with(
    database: TestDatabase,
    (email, password): (&str, &str),
    protection: Protection,
    environment: EnvironmentKind,
) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let console = Console::new(
        Box::new(ProfileFile::new(dir.path().join("profiles.json"))),
        Keyring::new("Fluxdesk tests (instance settings)"),
    );
    console.set_clock(Arc::new(ManualClock::starting_at(Utc::now())));
    console.require_sign_in(true);
    let (mut profile, secret) = profile_from_url(&database.url).unwrap();
    profile.id = ID.into();
    profile.name = "instance settings".into();
    profile.environment = Environment::of_kind(environment);
    profile.protection = protection;
    console.add_transient(profile, secret).unwrap();
    console.connect(ID, None).await.unwrap();
    console.install_schema(ID).await.unwrap();
    console
        .sign_in(
            ID,
            Credentials {
                email: email.into(),
                password: password.into(),
                code: None,
            },
        )
        .await
        .unwrap();
    Desk {
        console,
        database,
        _dir: dir,
    }
}

async fn desk() -> Desk {
    desk_as(fresh_database(Seed::Demo), ADMIN).await
}

impl Desk {
    fn sql(&self, sql: &str) -> String {
        self.database.psql(sql)
    }

    fn stored(&self, key: &str) -> Value {
        self.sql(&format!(
            "SELECT value FROM app.settings WHERE key = '{key}' AND user_id IS NULL"
        ))
        .parse()
        .unwrap()
    }

    fn events(&self, action: &str) -> Vec<Value> {
        self.sql(&format!(
            "SELECT coalesce(json_agg(json_build_object('target', target, 'outcome', outcome, 'details', details) \
             ORDER BY seq), '[]') FROM fluxdesk.audit_events WHERE action = '{action}'"
        ))
        .parse::<Value>()
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
    }
}

fn code(error: CoreError) -> ErrorCode {
    ApiError::from(error).code
}

fn edit(key: &str, value: &str) -> SettingEdit {
    SettingEdit {
        key: key.into(),
        seen: None,
        value: value.into(),
    }
}

#[tokio::test]
async fn settings_are_listed_by_category_with_secrets_never_shown() {
    let desk = desk().await;
    let settings = desk.console.settings(ID).await.unwrap();
    let keys: Vec<&str> = settings.iter().map(|s| s.key.as_str()).collect();
    assert!(keys.contains(&"app.realtime.enabled") && keys.contains(&"app.custom.branding"));
    // User-scoped rows belong on the user's page.
    assert!(!keys.contains(&"ui.theme"), "{keys:?}");
    assert!(settings.iter().all(|s| s.user_id.is_none()));
    let total: usize = desk
        .sql("SELECT count(*) FROM app.settings WHERE user_id IS NULL")
        .parse()
        .unwrap();
    assert_eq!(settings.len(), total);

    let secret = settings
        .iter()
        .find(|s| s.key == "app.email.smtp_password")
        .unwrap();
    assert!(secret.is_secret && secret.value.is_none());
    assert!(
        secret
            .not_editable
            .as_deref()
            .unwrap()
            .contains("FLUXBASE_ENCRYPTION_KEY")
    );
    // Neither the placeholder nor the ciphertext travels anywhere.
    let ciphertext =
        desk.sql("SELECT encrypted_value FROM app.settings WHERE key = 'app.email.smtp_password'");
    let everything = serde_json::to_string(&settings).unwrap();
    assert!(!everything.contains(&ciphertext) && !everything.contains("[ENCRYPTED]"));

    let branding = settings.iter().find(|s| s.key == "app.custom.branding").unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(branding.value.as_deref().unwrap()).unwrap()["name"],
        "Acme"
    );
    let signup = settings
        .iter()
        .find(|s| s.key == "app.auth.signup_enabled")
        .unwrap();
    assert_eq!(signup.value.as_deref(), Some("true"));
    assert!(signup.is_public && signup.not_editable.is_none());
    assert_eq!(signup.updated_by.as_deref(), Some(ADMIN.0));
    // Stored bare by an old migration; shown the same way.
    let legacy = settings
        .iter()
        .find(|s| s.key == "app.auth.allow_user_client_keys")
        .unwrap();
    assert_eq!(legacy.value.as_deref(), Some("true"));
    // Fluxbase's own state, declared a string but holding an object, is left alone.
    let setup = settings.iter().find(|s| s.key == "setup_completed").unwrap();
    assert!(setup.not_editable.as_deref().unwrap().contains("leaves it alone"));
    let error = desk
        .console
        .save_settings(ID, &[edit("setup_completed", "no")])
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::PermissionDenied);
    let service_only = settings
        .iter()
        .find(|s| s.key == "app.functions.max_timeout_seconds")
        .unwrap();
    assert!(
        service_only
            .not_editable
            .as_deref()
            .unwrap()
            .contains("Only service_role")
    );

    // Alice's own rows are on her page, the secret one without its value.
    let alice = desk
        .console
        .app_user_detail(ID, "alice@example.com")
        .await
        .unwrap();
    assert_eq!(alice.settings.len(), 2);
    let key = alice
        .settings
        .iter()
        .find(|s| s.key == "ai.openai_api_key")
        .unwrap();
    assert!(key.is_secret && key.value.is_none());
    assert_eq!(
        alice
            .settings
            .iter()
            .find(|s| s.key == "ui.theme")
            .unwrap()
            .value
            .as_deref(),
        Some("dark")
    );
    assert!(!serde_json::to_string(&alice).unwrap().contains("[ENCRYPTED]"));
}

#[tokio::test]
async fn values_are_refused_with_the_reason_by_type() {
    let desk = desk().await;
    let cases = [
        ("app.ai.default_rate_limit_per_minute", "twenty", "not a number"),
        ("app.realtime.enabled", "maybe", "true or false"),
        ("app.storage.allowed_origins", "{\"a\": 1}", "JSON array"),
        ("app.custom.branding", "{\"name\": ", "not valid JSON"),
    ];
    let before = desk.sql("SELECT json_agg(value ORDER BY key) FROM app.settings");
    for (key, value, reason) in cases {
        let error = desk
            .console
            .preview_settings(ID, &[edit(key, value)])
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains(key) && message.contains(reason), "{message}");
        assert_eq!(code(error), ErrorCode::InvalidInput);
        let error = desk
            .console
            .save_settings(ID, &[edit(key, value)])
            .await
            .unwrap_err();
        assert_eq!(code(error), ErrorCode::InvalidInput);
    }
    assert_eq!(
        desk.sql("SELECT json_agg(value ORDER BY key) FROM app.settings"),
        before
    );

    let diffs = desk
        .console
        .preview_settings(
            ID,
            &[
                edit("app.ai.default_rate_limit_per_minute", " 30 "),
                edit(
                    "app.custom.branding",
                    "{\"name\": \"Acme\", \"colour\": \"#000000\"}",
                ),
                edit("app.realtime.enabled", "true"),
            ],
        )
        .await
        .unwrap();
    // The unchanged boolean is left out; the preview writes nothing.
    assert_eq!(diffs.len(), 2);
    assert_eq!((diffs[0].before.as_str(), diffs[0].after.as_str()), ("20", "30"));
    assert!(diffs[1].lines.iter().any(|line| line.text.contains("#000000")));
    assert_eq!(
        desk.sql("SELECT json_agg(value ORDER BY key) FROM app.settings"),
        before
    );
}

#[tokio::test]
async fn staged_changes_apply_together_with_updated_by_and_audit() {
    let desk = desk().await;
    let admin_id = desk.sql("SELECT id FROM dashboard.users WHERE email = 'admin@fluxdesk.demo'");
    let saved = desk
        .console
        .save_settings(
            ID,
            &[
                SettingEdit {
                    key: "app.ai.default_rate_limit_per_minute".into(),
                    seen: Some("20".into()),
                    value: "45".into(),
                },
                edit("app.auth.allow_user_client_keys", "false"),
                edit("app.storage.allowed_origins", "[\"https://new.example.com\"]"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(saved.changed.len(), 3);
    assert_eq!(
        desk.stored("app.ai.default_rate_limit_per_minute"),
        json!({"value": 45})
    );
    // A bare value stays bare, so Fluxbase reads it as before.
    assert_eq!(desk.stored("app.auth.allow_user_client_keys"), json!(false));
    assert_eq!(
        desk.stored("app.storage.allowed_origins"),
        json!({"value": ["https://new.example.com"]})
    );
    assert_eq!(
        desk.sql("SELECT count(*) FROM app.settings WHERE updated_by::text = (SELECT id::text FROM dashboard.users WHERE email = 'admin@fluxdesk.demo') AND key IN ('app.ai.default_rate_limit_per_minute', 'app.auth.allow_user_client_keys', 'app.storage.allowed_origins') AND updated_at > now() - interval '1 minute'"),
        "3",
        "admin {admin_id}"
    );
    let events = desk.events("setting.update");
    assert_eq!(events.len(), 3);
    let limit = events
        .iter()
        .find(|event| event["target"] == "app.ai.default_rate_limit_per_minute")
        .unwrap();
    assert_eq!(limit["outcome"], "success");
    assert_eq!(
        (
            limit["details"]["before"].clone(),
            limit["details"]["after"].clone()
        ),
        (json!(20), json!(45))
    );

    // All or nothing: one bad value keeps the good one from being written.
    let error = desk
        .console
        .save_settings(
            ID,
            &[
                edit("app.ai.default_daily_token_budget", "5000"),
                edit("app.rpc.default_max_rows", "lots"),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::InvalidInput);
    assert_eq!(
        desk.stored("app.ai.default_daily_token_budget"),
        json!({"value": 100000})
    );

    // A value changed by someone else since it was loaded is not overwritten.
    desk.sql("UPDATE app.settings SET value = '{\"value\": 50}' WHERE key = 'app.ai.default_rate_limit_per_minute'");
    let error = desk
        .console
        .save_settings(
            ID,
            &[SettingEdit {
                key: "app.ai.default_rate_limit_per_minute".into(),
                seen: Some("45".into()),
                value: "60".into(),
            }],
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("changed by someone else"), "{error}");
    assert_eq!(
        desk.stored("app.ai.default_rate_limit_per_minute"),
        json!({"value": 50})
    );
    assert_eq!(desk.events("setting.update").len(), 3);
}

#[tokio::test]
async fn editable_by_and_secrets_refuse_changes_and_refusals_are_audited() {
    let desk = desk().await;
    let error = desk
        .console
        .save_settings(ID, &[edit("app.functions.max_timeout_seconds", "120")])
        .await
        .unwrap_err();
    assert!(error.to_string().contains("Only service_role"), "{error}");
    assert_eq!(code(error), ErrorCode::PermissionDenied);
    assert_eq!(
        desk.stored("app.functions.max_timeout_seconds"),
        json!({"value": 60})
    );
    let denied = desk.events("setting.update");
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["outcome"], "denied");

    let ciphertext =
        desk.sql("SELECT encrypted_value FROM app.settings WHERE key = 'app.email.smtp_password'");
    let error = desk
        .console
        .save_settings(ID, &[edit("app.email.smtp_password", "hunter2")])
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::PermissionDenied);
    assert_eq!(
        desk.sql("SELECT encrypted_value FROM app.settings WHERE key = 'app.email.smtp_password'"),
        ciphertext
    );
    assert_eq!(
        desk.stored("app.email.smtp_password"),
        json!({"value": "[ENCRYPTED]"})
    );

    // A dashboard_user may change nothing that only dashboard_admin may.
    let support = desk_as(fresh_database(Seed::Demo), SUPPORT).await;
    let settings = support.console.settings(ID).await.unwrap();
    let limit = settings
        .iter()
        .find(|s| s.key == "app.ai.default_rate_limit_per_minute")
        .unwrap();
    assert!(
        limit
            .not_editable
            .as_deref()
            .unwrap()
            .contains("you are dashboard_user")
    );
    let error = support
        .console
        .save_settings(ID, &[edit("app.ai.default_rate_limit_per_minute", "1")])
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::PermissionDenied);
    assert_eq!(
        support.stored("app.ai.default_rate_limit_per_minute"),
        json!({"value": 20})
    );
}

/// What realtime touches in the catalogue, as text to compare.
fn catalogue(desk: &Desk, table: &str) -> String {
    desk.sql(&format!(
        "SELECT json_build_object(\
           'identity', (SELECT relreplident FROM pg_class WHERE oid = 'public.{table}'::regclass), \
           'identity_index', (SELECT json_agg(indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'public.{table}'::regclass AND indisreplident), \
           'triggers', (SELECT json_agg(pg_get_triggerdef(oid) || ' ' || tgenabled::text ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'public.{table}'::regclass AND NOT tgisinternal), \
           'registry', (SELECT json_agg(json_build_object('enabled', realtime_enabled, 'events', events, 'excluded', excluded_columns)) \
                        FROM realtime.schema_registry WHERE schema_name = 'public' AND table_name = '{table}'))"
    ))
}

#[tokio::test]
async fn realtime_enable_then_disable_leaves_the_catalogue_as_it_was() {
    let desk = desk().await;
    desk.sql(
        "CREATE TABLE public.notes (id serial PRIMARY KEY, body text, secret text); \
         CREATE TABLE public.orders (id int NOT NULL, ref text NOT NULL); \
         CREATE UNIQUE INDEX orders_ref ON public.orders (ref); \
         ALTER TABLE public.orders REPLICA IDENTITY USING INDEX orders_ref; \
         CREATE FUNCTION public.audit_orders() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; \
         CREATE TRIGGER orders_realtime_notify BEFORE INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.audit_orders(); \
         ALTER TABLE public.orders DISABLE TRIGGER orders_realtime_notify; \
         INSERT INTO realtime.schema_registry (schema_name, table_name, realtime_enabled, events) VALUES ('public', 'orders', false, ARRAY['DELETE']);",
    );
    let (notes_before, orders_before) = (catalogue(&desk, "notes"), catalogue(&desk, "orders"));

    let mut listener = PgListener::connect(&desk.database.url).await.unwrap();
    listener.listen("fluxbase_changes").await.unwrap();
    let enabled = desk
        .console
        .enable_realtime(
            ID,
            &RealtimeRequest {
                table: TableRef::new("public", "notes"),
                events: vec!["insert".into(), "UPDATE".into()],
                excluded_columns: vec!["secret".into()],
            },
        )
        .await
        .unwrap();
    assert!(enabled.enabled && enabled.trigger_installed && enabled.restorable);
    assert_eq!(enabled.replica_identity, "full");
    assert_eq!(enabled.events, ["INSERT", "UPDATE"]);
    assert_eq!(enabled.excluded_columns, ["secret"]);
    assert_ne!(catalogue(&desk, "notes"), notes_before);

    // The change arrives on Fluxbase's channel, without the excluded column.
    desk.sql("INSERT INTO public.notes (body, secret) VALUES ('hello', 'do not publish')");
    let notification = tokio::time::timeout(Duration::from_secs(10), listener.recv())
        .await
        .expect("no realtime event within 10 s")
        .unwrap();
    let payload: Value = serde_json::from_str(notification.payload()).unwrap();
    assert_eq!(
        (payload["table"].clone(), payload["type"].clone()),
        (json!("notes"), json!("INSERT"))
    );
    assert_eq!(payload["record"]["body"], "hello");
    assert!(payload["record"].get("secret").is_none(), "{payload}");

    let listed = desk.console.realtime_tables(ID).await.unwrap();
    assert!(listed.iter().any(|t| t.table.name == "notes" && t.enabled));
    let disabled = desk
        .console
        .disable_realtime(ID, &TableRef::new("public", "notes"))
        .await
        .unwrap();
    assert!(disabled.restored, "{}", disabled.note);
    assert_eq!(catalogue(&desk, "notes"), notes_before);
    assert_eq!(
        desk.sql("SELECT count(*) FROM fluxdesk.realtime_enablements"),
        "0"
    );

    // An index identity, a same-named trigger of its own and a disabled registry row all come back.
    desk.console
        .enable_realtime(
            ID,
            &RealtimeRequest {
                table: TableRef::new("public", "orders"),
                events: vec![],
                excluded_columns: vec![],
            },
        )
        .await
        .unwrap();
    assert!(catalogue(&desk, "orders").contains("notify_realtime_change"));
    let disabled = desk
        .console
        .disable_realtime(ID, &TableRef::new("public", "orders"))
        .await
        .unwrap();
    assert!(disabled.restored);
    assert_eq!(catalogue(&desk, "orders"), orders_before);

    // Enabled outside Fluxdesk (then only re-enabled with other columns):
    // disabled as Fluxbase does, and said so.
    desk.console
        .enable_realtime(
            ID,
            &RealtimeRequest {
                table: TableRef::new("public", "todos"),
                events: vec![],
                excluded_columns: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(
        desk.sql("SELECT count(*) FROM fluxdesk.realtime_enablements"),
        "0"
    );
    let disabled = desk
        .console
        .disable_realtime(ID, &TableRef::new("public", "todos"))
        .await
        .unwrap();
    assert!(!disabled.restored && disabled.note.contains("Replica identity stays full"));
    assert_eq!(
        desk.sql("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.todos'::regclass AND tgname = 'todos_realtime_notify'"),
        "0"
    );
    assert_eq!(
        desk.sql("SELECT realtime_enabled FROM realtime.schema_registry WHERE table_name = 'todos'"),
        "f"
    );

    // What Fluxbase refuses, Fluxdesk refuses.
    let error = desk
        .console
        .enable_realtime(
            ID,
            &RealtimeRequest {
                table: TableRef::new("auth", "users"),
                events: vec![],
                excluded_columns: vec![],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::InvalidInput);
    let error = desk
        .console
        .enable_realtime(
            ID,
            &RealtimeRequest {
                table: TableRef::new("public", "notes"),
                events: vec!["TRUNCATE".into()],
                excluded_columns: vec![],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::InvalidInput);
    assert_eq!(catalogue(&desk, "notes"), notes_before);

    let actions: Vec<String> = ["realtime.enable", "realtime.disable"]
        .iter()
        .map(|action| desk.events(action).len().to_string())
        .collect();
    assert_eq!(actions, ["3", "3"]);
    let first = &desk.events("realtime.enable")[0];
    assert_eq!(first["target"], "public.notes");
    assert_eq!(first["details"]["before"]["replica_identity"], "default");
}

#[tokio::test]
async fn buckets_are_counted_edited_with_validation_and_browsed_by_key() {
    let desk = desk().await;
    let buckets = desk.console.buckets(ID).await.unwrap();
    let uploads = buckets.iter().find(|b| b.id == "user-uploads").unwrap();
    assert_eq!(
        uploads.objects.to_string(),
        desk.sql("SELECT count(*) FROM storage.objects WHERE bucket_id = 'user-uploads'")
    );
    assert_eq!(
        uploads.bytes.to_string(),
        desk.sql("SELECT sum(size) FROM storage.objects WHERE bucket_id = 'user-uploads'")
    );
    assert!(!uploads.public);
    let knowledge = buckets.iter().find(|b| b.id == "knowledge-base").unwrap();
    assert_eq!(knowledge.max_file_size, Some(52_428_800));

    let error = desk
        .console
        .update_bucket(
            ID,
            &BucketEdit {
                id: "user-uploads".into(),
                public: false,
                allowed_mime_types: Some(vec!["pdf".into()]),
                max_file_size: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::InvalidInput);
    let updated = desk
        .console
        .update_bucket(
            ID,
            &BucketEdit {
                id: "user-uploads".into(),
                public: true,
                allowed_mime_types: Some(vec!["image/*".into(), "Application/PDF".into()]),
                max_file_size: Some(10_485_760),
            },
        )
        .await
        .unwrap();
    assert!(updated.public);
    assert_eq!(
        desk.sql("SELECT allowed_mime_types::text || ' ' || max_file_size FROM storage.buckets WHERE id = 'user-uploads'"),
        "{image/*,application/pdf} 10485760"
    );
    let events = desk.events("bucket.update");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["details"]["before"]["public"], false);
    assert_eq!(events[0]["details"]["after"]["max_file_size"], 10_485_760);

    // Walking the pages gives every object once, in path order.
    let expected: Vec<String> = desk
        .sql("SELECT string_agg(path, E'\\n' ORDER BY path) FROM storage.objects WHERE bucket_id = 'user-uploads'")
        .lines()
        .map(str::to_owned)
        .collect();
    let mut request = ObjectListRequest {
        bucket: "user-uploads".into(),
        prefix: String::new(),
        after: None,
        limit: 7,
    };
    let mut walked = Vec::new();
    loop {
        let page = desk.console.bucket_objects(ID, &request).await.unwrap();
        assert!(page.objects.len() <= 7);
        walked.extend(page.objects.into_iter().map(|object| object.path));
        match page.next {
            Some(next) => request.after = Some(next),
            None => break,
        }
    }
    assert_eq!(walked, expected);
    let alice = desk
        .console
        .bucket_objects(
            ID,
            &ObjectListRequest {
                bucket: "user-uploads".into(),
                prefix: "alice/".into(),
                after: None,
                limit: 100,
            },
        )
        .await
        .unwrap();
    assert!(!alice.objects.is_empty());
    assert!(
        alice
            .objects
            .iter()
            .all(|o| o.path.starts_with("alice/") && o.owner.as_deref() == Some("alice@example.com"))
    );
    // A cursor from another bucket is refused, not misread.
    request.bucket = "public".into();
    request.after = desk
        .console
        .bucket_objects(
            ID,
            &ObjectListRequest {
                bucket: "user-uploads".into(),
                prefix: String::new(),
                after: None,
                limit: 1,
            },
        )
        .await
        .unwrap()
        .next;
    assert_eq!(
        code(desk.console.bucket_objects(ID, &request).await.unwrap_err()),
        ErrorCode::InvalidInput
    );
}

#[tokio::test]
async fn a_read_only_profile_changes_nothing_because_its_server_refuses() {
    let desk = desk_with(
        fresh_database(Seed::Demo),
        ADMIN,
        Protection::ReadOnly,
        EnvironmentKind::Development,
    )
    .await;
    assert!(!desk.console.settings(ID).await.unwrap().is_empty());
    let error = desk
        .console
        .save_settings(ID, &[edit("app.ai.default_rate_limit_per_minute", "99")])
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::ReadOnly);
    assert_eq!(
        desk.stored("app.ai.default_rate_limit_per_minute"),
        json!({"value": 20})
    );
    let error = desk
        .console
        .enable_realtime(
            ID,
            &RealtimeRequest {
                table: TableRef::new("public", "projects"),
                events: vec![],
                excluded_columns: vec![],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::ReadOnly);
    assert_eq!(
        desk.sql("SELECT relreplident FROM pg_class WHERE oid = 'public.projects'::regclass"),
        "d"
    );
    let error = desk
        .console
        .update_bucket(
            ID,
            &BucketEdit {
                id: "public".into(),
                public: false,
                allowed_mime_types: None,
                max_file_size: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::ReadOnly);
    assert_eq!(
        desk.sql("SELECT public FROM storage.buckets WHERE id = 'public'"),
        "t"
    );
}

#[tokio::test]
async fn production_changes_need_a_step_up() {
    let desk = desk_with(
        fresh_database(Seed::Demo),
        ADMIN,
        Protection::Open,
        EnvironmentKind::Production,
    )
    .await;
    let limit = "app.ai.default_rate_limit_per_minute";
    // The sign-in's grant is spent on the first change; the next needs a step-up.
    desk.console
        .save_settings(ID, &[edit(limit, "21")])
        .await
        .unwrap();
    let needs = desk
        .console
        .save_settings(ID, &[edit(limit, "22")])
        .await
        .unwrap_err();
    assert_eq!(code(needs), ErrorCode::StepUpRequired);
    assert_eq!(desk.stored(limit), json!({"value": 21}));
    let notes = RealtimeRequest {
        table: TableRef::new("public", "projects"),
        events: vec![],
        excluded_columns: vec![],
    };
    let needs = desk.console.enable_realtime(ID, &notes).await.unwrap_err();
    assert_eq!(code(needs), ErrorCode::StepUpRequired);
    assert_eq!(
        desk.sql("SELECT relreplident FROM pg_class WHERE oid = 'public.projects'::regclass"),
        "d"
    );
    // Making a private bucket public opens it to anyone: a step-up. Other edits need none.
    let temp_public = BucketEdit {
        id: "temp-files".into(),
        public: true,
        allowed_mime_types: None,
        max_file_size: None,
    };
    let needs = desk.console.update_bucket(ID, &temp_public).await.unwrap_err();
    assert_eq!(code(needs), ErrorCode::StepUpRequired);
    assert_eq!(
        desk.sql("SELECT public FROM storage.buckets WHERE id = 'temp-files'"),
        "f"
    );
    desk.console
        .update_bucket(
            ID,
            &BucketEdit {
                public: false,
                max_file_size: Some(1024),
                ..temp_public.clone()
            },
        )
        .await
        .unwrap();

    for purpose in [CHANGE_SETTINGS, CHANGE_REALTIME, CHANGE_BUCKET] {
        desk.console.step_up(ID, ADMIN.1, purpose).await.unwrap();
        match purpose {
            CHANGE_SETTINGS => {
                desk.console
                    .save_settings(ID, &[edit(limit, "22")])
                    .await
                    .unwrap();
            }
            CHANGE_REALTIME => {
                desk.console.enable_realtime(ID, &notes).await.unwrap();
            }
            _ => {
                desk.console.update_bucket(ID, &temp_public).await.unwrap();
            }
        }
    }
    assert_eq!(desk.stored(limit), json!({"value": 22}));
    assert_eq!(
        desk.sql("SELECT relreplident FROM pg_class WHERE oid = 'public.projects'::regclass"),
        "f"
    );
    assert_eq!(
        desk.sql("SELECT public FROM storage.buckets WHERE id = 'temp-files'"),
        "t"
    );
}
