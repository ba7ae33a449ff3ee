//! Staged editing against a real database: every editor type round-tripped,
//! conflicts, constraint errors, all-or-nothing batches, protection and audit.

use fluxdesk_core::audit::AuditContext;
use fluxdesk_core::statement::PendingWrites;
use fluxdesk_core::{ConnectionTarget, CoreError, Instance, changes, fluxdesk_schema, rows};
use fluxdesk_sandbox::{Seed, TestDatabase, fresh_database};
use fluxdesk_types::{
    ApiError, CellValue, ChangeOutcome, ChangeSet, EditorKind, ErrorCode, KeysetCursor, Protection,
    RowChange, RowPage, RowsRequest, TableRef,
};
use sqlx::postgres::PgPool;

const TABLE_SQL: &str = r#"
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE public."Edit me ✓" (
    id bigserial PRIMARY KEY,
    small smallint,
    whole integer CONSTRAINT whole_not_negative CHECK (whole >= 0),
    big bigint,
    amount numeric(12, 2),
    ratio double precision,
    flag boolean,
    title varchar(20) NOT NULL DEFAULT 'untitled',
    "Quote""d body" text UNIQUE,
    ident uuid,
    day date,
    at_time time,
    stamp timestamptz,
    doc jsonb,
    tags text[],
    mood public.mood,
    doubled bigint GENERATED ALWAYS AS (big * 2) STORED
);
INSERT INTO public."Edit me ✓" (title, whole) SELECT 'row ' || n, n FROM generate_series(1, 5) AS n;
"#;

struct Fixture {
    _database: TestDatabase,
    instance: Instance,
    pool: PgPool,
    table: TableRef,
}

async fn fixture() -> Fixture {
    let database = fresh_database(Seed::FluxbaseSchema);
    let pool = PgPool::connect(&database.url).await.unwrap();
    sqlx::raw_sql(TABLE_SQL).execute(&pool).await.unwrap();
    let instance = Instance::connect("edit", &ConnectionTarget::from_url(&database.url).unwrap())
        .await
        .unwrap();
    Fixture {
        _database: database,
        instance,
        pool,
        table: TableRef::new("public", "Edit me ✓"),
    }
}

impl Fixture {
    async fn page(&self) -> RowPage {
        rows::fetch_page(
            &self.instance,
            &RowsRequest {
                before: None,
                position: None,
                table: self.table.clone(),
                limit: 100,
                after: None,
                full_values: true,
                filter: Default::default(),
                sort: Vec::new(),
            },
        )
        .await
        .unwrap()
    }

    async fn apply(&self, protection: Protection, list: Vec<RowChange>) -> Result<ChangeOutcome, CoreError> {
        self.apply_audited(protection, list, &PendingWrites::default(), None)
            .await
    }

    async fn apply_audited(
        &self,
        protection: Protection,
        list: Vec<RowChange>,
        pending: &PendingWrites,
        audit: Option<&AuditContext>,
    ) -> Result<ChangeOutcome, CoreError> {
        let set = ChangeSet {
            table: self.table.clone(),
            changes: list,
        };
        changes::apply(
            &self.instance,
            "edit",
            protection,
            &set,
            pending,
            audit,
            Default::default(),
        )
        .await
    }

    /// One column of one row, as the server prints it.
    async fn text(&self, id: i64, column: &str) -> Option<String> {
        sqlx::query_scalar(&format!(
            "SELECT {}::text FROM public.\"Edit me ✓\" WHERE id = $1",
            fluxdesk_core::ident::quote_ident(column)
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    async fn count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM public.\"Edit me ✓\"")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }
}

fn set(column: &str, value: Option<&str>) -> CellValue {
    CellValue {
        column: column.to_owned(),
        value: value.map(str::to_owned),
    }
}

fn update(page: &RowPage, row: usize, values: Vec<CellValue>) -> RowChange {
    RowChange::Update {
        key: page.keys[row].clone(),
        version: page.versions[row].clone(),
        values,
    }
}

#[tokio::test]
async fn columns_describe_their_editors() {
    let fixture = fixture().await;
    let page = fixture.page().await;
    assert_eq!(page.versions.len(), 5, "every table row carries its version");
    let editing = |name: &str| {
        page.columns
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.editing.clone())
            .unwrap_or_else(|| panic!("{name} has no editor"))
    };
    let kinds: Vec<(&str, EditorKind)> = vec![
        ("small", EditorKind::SmallInt),
        ("whole", EditorKind::Integer),
        ("big", EditorKind::BigInt),
        ("amount", EditorKind::Numeric),
        ("ratio", EditorKind::Float),
        ("flag", EditorKind::Boolean),
        ("title", EditorKind::Text),
        ("ident", EditorKind::Uuid),
        ("day", EditorKind::Date),
        ("at_time", EditorKind::Time),
        ("stamp", EditorKind::Timestamp),
        ("doc", EditorKind::Json),
        ("tags", EditorKind::Array),
        ("mood", EditorKind::Enum),
    ];
    for (name, kind) in kinds {
        assert_eq!(editing(name).editor, kind, "{name}");
    }
    let title = editing("title");
    assert!(!title.nullable);
    assert_eq!(title.max_length, Some(20));
    assert_eq!(title.default.as_deref(), Some("'untitled'::character varying"));
    assert_eq!(editing("mood").enum_values, vec!["sad", "ok", "happy"]);
    assert!(editing("doubled").generated);
    assert!(editing("id").default.unwrap().starts_with("nextval("));
}

#[tokio::test]
async fn every_editor_type_round_trips() {
    let fixture = fixture().await;
    let values = [
        ("small", "-32768"),
        ("whole", "2147483647"),
        ("big", "4611686018427387903"),
        ("amount", "1234567890.25"),
        ("ratio", "0.125"),
        ("flag", "true"),
        ("title", "héllo ✓ 'quoted'"),
        ("Quote\"d body", "line one\nline \"two\" \\ back"),
        ("ident", "4f0c7bd5-7f4e-4b8a-9c59-0d5b8d5cbb11"),
        ("day", "2026-11-24"),
        ("at_time", "13:45:10.5"),
        ("stamp", "2026-11-24 13:45:10+00"),
        ("doc", r#"{"a": [1, 2, {"b": null}], "é": "✓"}"#),
        ("tags", r#"{plain,"with space","with \"quote\""}"#),
        ("mood", "happy"),
    ];
    // Insert with every value, then update every value to another one.
    let inserted = fixture
        .apply(
            Protection::Open,
            vec![RowChange::Insert {
                values: values.iter().map(|(c, v)| set(c, Some(v))).collect(),
            }],
        )
        .await
        .unwrap();
    assert_eq!(inserted, ChangeOutcome::Committed { affected: 1 });
    let id: i64 = sqlx::query_scalar("SELECT max(id) FROM public.\"Edit me ✓\"")
        .fetch_one(&fixture.pool)
        .await
        .unwrap();
    for (column, value) in values {
        // The server's own reading of the text is what must come back.
        let canonical: String = sqlx::query_scalar(&format!(
            "SELECT $1::text::{}::text",
            fixture
                .page()
                .await
                .columns
                .iter()
                .find(|c| c.name == column)
                .unwrap()
                .data_type
        ))
        .bind(value)
        .fetch_one(&fixture.pool)
        .await
        .unwrap();
        assert_eq!(
            fixture.text(id, column).await.as_deref(),
            Some(canonical.as_str()),
            "{column}"
        );
    }
    assert_eq!(
        fixture.text(id, "doubled").await.as_deref(),
        Some("9223372036854775806")
    );

    let page = fixture.page().await;
    let row = page
        .keys
        .iter()
        .position(|k| k.0 == vec![id.to_string()])
        .unwrap();
    let second = [
        ("small", Some("7")),
        ("whole", Some("0")),
        ("big", Some("-9007199254740993")),
        ("amount", Some("-0.01")),
        ("ratio", Some("-1e-10")),
        ("flag", Some("false")),
        ("title", Some("")),
        ("Quote\"d body", None),
        ("ident", None),
        ("day", Some("1999-12-31")),
        ("at_time", Some("00:00")),
        ("stamp", Some("2000-01-01T00:00:00Z")),
        ("doc", Some("[]")),
        ("tags", Some("{}")),
        ("mood", Some("sad")),
    ];
    let outcome = fixture
        .apply(
            Protection::Open,
            vec![update(
                &page,
                row,
                second.iter().map(|(c, v)| set(c, *v)).collect(),
            )],
        )
        .await
        .unwrap();
    assert_eq!(outcome, ChangeOutcome::Committed { affected: 1 });
    let detail = rows::fetch_row(&fixture.instance, &fixture.table, &page.keys[row])
        .await
        .unwrap();
    for (column, value) in second {
        let index = detail.columns.iter().position(|c| c.name == column).unwrap();
        let expected: Option<String> = match value {
            None => None,
            Some(value) => sqlx::query_scalar(&format!(
                "SELECT $1::text::{}::text",
                detail.columns[index].data_type
            ))
            .bind(value)
            .fetch_one(&fixture.pool)
            .await
            .unwrap(),
        };
        match (&detail.values[index], expected) {
            // The grid prints floats its own way (-0.0000000001 for -1e-10): compare values.
            (fluxdesk_types::Cell::Float(shown), Some(expected)) => {
                assert_eq!(*shown, expected.parse::<f64>().unwrap(), "{column}")
            }
            (fluxdesk_types::Cell::Null, expected) => assert_eq!(expected, None, "{column}"),
            (cell, expected) => assert_eq!(
                Some(cell.display_text()),
                expected,
                "{column} as the grid shows it"
            ),
        }
    }
}

#[tokio::test]
async fn a_row_changed_by_someone_else_is_a_conflict_not_an_overwrite() {
    let fixture = fixture().await;
    let page = fixture.page().await;
    // Someone else edits row 1 and deletes row 2 after the page was read.
    sqlx::query("UPDATE public.\"Edit me ✓\" SET title = 'theirs' WHERE id = 1")
        .execute(&fixture.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM public.\"Edit me ✓\" WHERE id = 2")
        .execute(&fixture.pool)
        .await
        .unwrap();
    let outcome = fixture
        .apply(
            Protection::Open,
            vec![
                update(&page, 0, vec![set("title", Some("mine"))]),
                update(&page, 1, vec![set("title", Some("mine too"))]),
                update(&page, 2, vec![set("title", Some("untouched row"))]),
            ],
        )
        .await
        .unwrap();
    let ChangeOutcome::Conflicts { conflicts, columns } = outcome else {
        panic!("expected conflicts, got {outcome:?}");
    };
    assert_eq!(conflicts.len(), 2);
    let title = columns.iter().position(|c| c.name == "title").unwrap();
    assert_eq!(conflicts[0].change, 0);
    assert_eq!(
        conflicts[0].theirs.as_ref().unwrap()[title].display_text(),
        "theirs",
        "their value is shown beside mine"
    );
    assert_eq!(conflicts[1].change, 1);
    assert_eq!(conflicts[1].theirs, None, "a deleted row is reported as gone");
    assert_eq!(fixture.text(1, "title").await.as_deref(), Some("theirs"));
    assert_eq!(
        fixture.text(3, "title").await.as_deref(),
        Some("row 3"),
        "nothing applied"
    );

    // Choosing to overwrite: stage again at their version.
    let outcome = fixture
        .apply(
            Protection::Open,
            vec![RowChange::Update {
                key: page.keys[0].clone(),
                version: conflicts[0].version.clone().unwrap(),
                values: vec![set("title", Some("mine"))],
            }],
        )
        .await
        .unwrap();
    assert_eq!(outcome, ChangeOutcome::Committed { affected: 1 });
    assert_eq!(fixture.text(1, "title").await.as_deref(), Some("mine"));
}

#[tokio::test]
async fn server_refusals_name_the_change_and_column_and_apply_nothing() {
    let fixture = fixture().await;
    let page = fixture.page().await;
    let cases: Vec<(Vec<RowChange>, usize, &str, &str)> = vec![
        (
            vec![
                update(&page, 0, vec![set("title", Some("fine"))]),
                update(&page, 1, vec![set("whole", Some("-5"))]),
            ],
            1,
            "whole",
            "whole_not_negative",
        ),
        (
            vec![
                update(&page, 0, vec![set("title", Some("fine"))]),
                RowChange::Insert {
                    values: vec![set("title", None)],
                },
            ],
            1,
            "title",
            "not-null",
        ),
        (
            vec![
                update(&page, 0, vec![set("Quote\"d body", Some("same"))]),
                update(&page, 1, vec![set("Quote\"d body", Some("same"))]),
            ],
            1,
            "Quote\"d body",
            "already exists",
        ),
        (
            vec![update(
                &page,
                2,
                vec![set("title", Some("ok")), set("flag", Some("maybe"))],
            )],
            0,
            "flag",
            "boolean",
        ),
        (
            vec![update(
                &page,
                2,
                vec![set("title", Some("x".repeat(21).as_str()))],
            )],
            0,
            "title",
            "too long",
        ),
    ];
    for (list, change, column, reason) in cases {
        let outcome = fixture.apply(Protection::Open, list).await.unwrap();
        let ChangeOutcome::Rejected {
            change: at,
            column: named,
            message,
        } = outcome
        else {
            panic!("expected a rejection for {column}, got {outcome:?}");
        };
        assert_eq!((at, named.as_deref()), (change, Some(column)), "{message}");
        assert!(message.contains(reason), "{message}");
        assert_eq!(
            fixture.text(1, "title").await.as_deref(),
            Some("row 1"),
            "nothing applied"
        );
    }
}

#[tokio::test]
async fn a_batch_is_all_or_nothing_and_counts_its_rows() {
    let fixture = fixture().await;
    let page = fixture.page().await;
    let batch = |last_whole: &str| {
        vec![
            RowChange::Delete {
                key: page.keys[0].clone(),
                version: page.versions[0].clone(),
            },
            RowChange::Duplicate {
                key: page.keys[1].clone(),
            },
            RowChange::Duplicate {
                key: page.keys[2].clone(),
            },
            update(&page, 3, vec![set("whole", Some("40"))]),
            update(&page, 4, vec![set("whole", Some(last_whole))]),
        ]
    };
    let failed = fixture.apply(Protection::Open, batch("-1")).await.unwrap();
    assert!(
        matches!(failed, ChangeOutcome::Rejected { change: 4, .. }),
        "{failed:?}"
    );
    assert_eq!(
        fixture.count().await,
        5,
        "no delete and no copy survived the failure"
    );
    assert_eq!(fixture.text(4, "whole").await.as_deref(), Some("4"));

    let done = fixture.apply(Protection::Open, batch("50")).await.unwrap();
    assert_eq!(done, ChangeOutcome::Committed { affected: 5 });
    assert_eq!(fixture.count().await, 6, "one deleted, two copied");
    let copies: Vec<(String, i32)> =
        sqlx::query_as("SELECT title::text, whole FROM public.\"Edit me ✓\" WHERE id > 5 ORDER BY id")
            .fetch_all(&fixture.pool)
            .await
            .unwrap();
    assert_eq!(copies, vec![("row 2".to_owned(), 2), ("row 3".to_owned(), 3)]);
}

#[tokio::test]
async fn protection_applies_and_committed_changes_are_audited_with_before_and_after() {
    let fixture = fixture().await;
    fluxdesk_schema::install(&fixture.pool).await.unwrap();
    let page = fixture.page().await;

    // Read-only: the server itself refuses.
    let refused = fixture
        .apply(
            Protection::ReadOnly,
            vec![update(&page, 0, vec![set("title", Some("no"))])],
        )
        .await
        .unwrap_err();
    assert_eq!(ApiError::from(refused).code, ErrorCode::ReadOnly);
    let refused = fixture
        .apply(
            Protection::ReadOnly,
            vec![RowChange::Insert {
                values: vec![set("title", Some("no"))],
            }],
        )
        .await
        .unwrap_err();
    assert_eq!(ApiError::from(refused).code, ErrorCode::ReadOnly);
    assert_eq!(fixture.count().await, 5);

    // Confirm writes: held open with its count until confirmed.
    let context = AuditContext {
        admin_id: Some(uuid::Uuid::new_v4()),
        admin_email: Some("editor@example.com".into()),
        instance: "edit".into(),
        client_version: "fluxdesk-tests".into(),
    };
    let pending = PendingWrites::default();
    let outcome = fixture
        .apply_audited(
            Protection::ConfirmWrites,
            vec![
                update(&page, 0, vec![set("title", Some("confirmed"))]),
                RowChange::Delete {
                    key: page.keys[1].clone(),
                    version: page.versions[1].clone(),
                },
            ],
            &pending,
            Some(&context),
        )
        .await
        .unwrap();
    let ChangeOutcome::AwaitingConfirmation { pending: held } = outcome else {
        panic!("expected a held write, got {outcome:?}");
    };
    assert_eq!(held.rows_affected, 2);
    assert!(held.sql.contains("'confirmed'"), "{}", held.sql);
    assert_eq!(
        fixture.text(1, "title").await.as_deref(),
        Some("row 1"),
        "not yet committed"
    );
    pending.commit(&held.id).await.unwrap();
    assert_eq!(fixture.text(1, "title").await.as_deref(), Some("confirmed"));

    let events: Vec<(String, Option<String>, serde_json::Value)> = sqlx::query_as(
        "SELECT action, target, details FROM fluxdesk.audit_events WHERE action LIKE 'data.%' ORDER BY seq",
    )
    .fetch_all(&fixture.pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].0, "data.update");
    assert_eq!(events[0].1.as_deref(), Some("public.Edit me ✓"));
    assert_eq!(events[0].2["key"], serde_json::json!(["1"]));
    assert_eq!(events[0].2["before"]["title"], "row 1");
    assert_eq!(events[0].2["after"]["title"], "confirmed");
    assert_eq!(events[0].2["confirmed"], true);
    assert_eq!(events[1].0, "data.delete");
    assert_eq!(events[1].2["before"]["title"], "row 2");
    assert!(events[1].2["after"].is_null());

    // Review shows the statements that run.
    let review = changes::review(
        &fixture.instance,
        &ChangeSet {
            table: fixture.table.clone(),
            changes: vec![RowChange::Duplicate {
                key: KeysetCursor(vec!["3".into()]),
            }],
        },
    )
    .await
    .unwrap();
    assert_eq!(review.len(), 1);
    assert!(
        review[0].starts_with("INSERT INTO \"public\".\"Edit me ✓\" AS copy"),
        "{}",
        review[0]
    );
    assert!(
        review[0].contains("AS copy (\"small\","),
        "the key takes its default: {}",
        review[0]
    );
    assert!(!review[0].contains("doubled"), "generated columns are not copied");
}

#[tokio::test]
async fn changes_to_a_realtime_table_arrive_live_with_their_keys() {
    let fixture = fixture().await;
    sqlx::raw_sql(
        r#"INSERT INTO realtime.schema_registry (schema_name, table_name) VALUES ('public', 'Edit me ✓');
           CREATE TRIGGER edit_me_realtime_notify AFTER INSERT OR UPDATE OR DELETE ON public."Edit me ✓"
             FOR EACH ROW EXECUTE FUNCTION public.notify_realtime_change();"#,
    )
    .execute(&fixture.pool)
    .await
    .unwrap();
    let start = fluxdesk_core::live::changes(&fixture.instance, &fixture.table, None)
        .await
        .unwrap();
    assert!(start.changes.is_empty());
    // Someone else writes; our own edits arrive the same way.
    sqlx::query("UPDATE public.\"Edit me ✓\" SET title = 'elsewhere' WHERE id = 2")
        .execute(&fixture.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM public.\"Edit me ✓\" WHERE id = 5")
        .execute(&fixture.pool)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let arrived = loop {
        let batch = fluxdesk_core::live::changes(&fixture.instance, &fixture.table, Some(start.seq))
            .await
            .unwrap();
        if batch.changes.len() >= 2 || started.elapsed() > std::time::Duration::from_secs(10) {
            break batch;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(
        arrived
            .changes
            .iter()
            .map(|c| (c.kind.as_str(), c.key.clone()))
            .collect::<Vec<_>>(),
        vec![
            ("update", Some(KeysetCursor(vec!["2".into()]))),
            ("delete", Some(KeysetCursor(vec!["5".into()]))),
        ]
    );
    assert!(!arrived.missed);
    // Asking again from the new sequence number gives nothing new; other tables hear nothing.
    let again = fluxdesk_core::live::changes(&fixture.instance, &fixture.table, Some(arrived.seq))
        .await
        .unwrap();
    assert!(again.changes.is_empty());
    let other = TableRef::new("realtime", "schema_registry");
    let quiet = fluxdesk_core::live::changes(&fixture.instance, &other, Some(start.seq))
        .await
        .unwrap();
    assert!(quiet.changes.is_empty());
}

#[tokio::test]
async fn scripts_run_in_one_transaction_report_each_statement_and_can_be_cancelled() {
    use fluxdesk_core::statement::{self, RunningQueries};
    use fluxdesk_types::StatementOutcome;
    let fixture = fixture().await;
    let pending = PendingWrites::default();
    let script = r#"UPDATE public."Edit me ✓" SET title = 'one;two' WHERE id = 1;
        -- a comment; with a semicolon
        SELECT title FROM public."Edit me ✓" WHERE id = 1;
        UPDATE public."Edit me ✓" SET title = $q$it's; fine$q$ WHERE id = 2"#;
    let outcome = statement::run(
        &fixture.instance,
        "edit",
        Protection::Open,
        script,
        statement::RunContext {
            pending: &pending,
            audit: None,
            running: None,
            impersonated: Default::default(),
        },
    )
    .await
    .unwrap();
    let StatementOutcome::Done {
        statements, wrote, ..
    } = outcome
    else {
        panic!("expected done, got {outcome:?}");
    };
    assert!(wrote);
    assert_eq!(statements.len(), 3);
    assert_eq!(
        statements[1].result.as_ref().unwrap().rows[0][0].display_text(),
        "one;two"
    );
    assert_eq!(fixture.text(2, "title").await.as_deref(), Some("it's; fine"));

    // One failing statement undoes the ones before it.
    let failing = "UPDATE public.\"Edit me ✓\" SET title = 'undone' WHERE id = 3; \
                   UPDATE public.\"Edit me ✓\" SET whole = -1 WHERE id = 3";
    let error = statement::run(
        &fixture.instance,
        "edit",
        Protection::Open,
        failing,
        statement::RunContext {
            pending: &pending,
            audit: None,
            running: None,
            impersonated: Default::default(),
        },
    )
    .await
    .unwrap_err();
    let error = ApiError::from(error);
    assert!(
        error.message.starts_with("Statement 2 of 2 failed")
            && error.message.ends_with("Nothing was committed."),
        "{}",
        error.message
    );
    assert_eq!(fixture.text(3, "title").await.as_deref(), Some("row 3"));

    // A running query stops when cancelled; its transaction rolls back.
    let running = RunningQueries::default();
    let (instance, queries) = (&fixture.instance, running.clone());
    let started = std::time::Instant::now();
    let (outcome, cancelled) = tokio::join!(
        statement::run(
            instance,
            "edit",
            Protection::Open,
            "UPDATE public.\"Edit me ✓\" SET title = 'never' WHERE id = 4; SELECT pg_sleep(30)",
            statement::RunContext {
                pending: &pending,
                audit: None,
                running: Some((&running, "run-1")),
                impersonated: Default::default(),
            },
        ),
        async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                if queries.cancel("run-1").await.unwrap() {
                    return true;
                }
            }
        }
    );
    assert!(cancelled);
    let error = ApiError::from(outcome.unwrap_err());
    assert_eq!(error.code, ErrorCode::Cancelled, "{error:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(fixture.text(4, "title").await.as_deref(), Some("row 4"));
    assert!(
        !running.cancel("run-1").await.unwrap(),
        "a finished query is forgotten"
    );
}

#[tokio::test]
async fn transaction_control_is_refused_even_behind_a_comment() {
    use fluxdesk_core::statement;
    let fixture = fixture().await;
    let pending = PendingWrites::default();
    let sneaky = "UPDATE public.\"Edit me ✓\" SET title = 'sneaky' WHERE id = 1; -- x\nCOMMIT";
    for protection in [Protection::ConfirmWrites, Protection::ReadOnly, Protection::Open] {
        let error = statement::run(
            &fixture.instance,
            "edit",
            protection,
            sneaky,
            statement::RunContext {
                pending: &pending,
                audit: None,
                running: None,
                impersonated: Default::default(),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            ApiError::from(error).code,
            ErrorCode::InvalidInput,
            "{protection:?}"
        );
    }
    assert_eq!(fixture.text(1, "title").await.as_deref(), Some("row 1"));
}
