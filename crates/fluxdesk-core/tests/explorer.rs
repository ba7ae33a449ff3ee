//! The explorer's catalog and paging, against a real Fluxbase-compatible database.

use fluxdesk_core::{ConnectionTarget, CoreError, Instance, catalog, rows};
use fluxdesk_sandbox::{Seed, fresh_database, read_only_demo_database, shared_cluster};
use fluxdesk_types::{
    ApiError, Cell, Condition, ErrorCode, FilterOp, FluxbaseLayout, Join, KeysetCursor, RelationKind,
    RowFilter, RowOrder, RowsRequest, SortKey, TableRef,
};

async fn demo() -> Instance {
    let database = read_only_demo_database();
    let target = ConnectionTarget::from_url(&database.url).unwrap();
    Instance::connect("demo", &target)
        .await
        .expect("the demo database accepts connections")
}

fn request(schema: &str, table: &str, limit: u32, after: Option<Vec<String>>) -> RowsRequest {
    RowsRequest {
        before: None,
        position: None,
        sort: Vec::new(),
        filter: Default::default(),
        table: TableRef::new(schema, table),
        limit,
        after: after.map(KeysetCursor),
        full_values: false,
    }
}

fn code_of(error: CoreError) -> ErrorCode {
    ApiError::from(error).code
}

#[tokio::test]
async fn identifies_a_fluxbase_instance() {
    let instance = demo().await;
    let info = instance.info();
    assert_eq!(
        info.layout,
        FluxbaseLayout::Dashboard,
        "dashboard.users exists in v2026.3.6"
    );
    assert_eq!(info.user, "postgres");
    assert!(
        info.server_version.starts_with(char::is_numeric),
        "{}",
        info.server_version
    );
}

#[tokio::test]
async fn lists_fluxbase_schemas_but_not_system_ones() {
    let instance = demo().await;
    let schemas = catalog::list_schemas(&instance).await.unwrap();
    let names: Vec<&str> = schemas.iter().map(|s| s.name.as_str()).collect();
    for expected in [
        "app",
        "auth",
        "dashboard",
        "logging",
        "public",
        "realtime",
        "storage",
    ] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    for hidden in ["pg_catalog", "information_schema", "pg_toast"] {
        assert!(!names.contains(&hidden), "{hidden} must be hidden");
    }
    let logging = schemas.iter().find(|s| s.name == "logging").unwrap();
    assert_eq!(
        logging.relation_count, 1,
        "partitions are not counted, only logging.entries"
    );
}

#[tokio::test]
async fn lists_tables_with_estimated_counts() {
    let instance = demo().await;
    let tables = catalog::list_tables(&instance, "public").await.unwrap();
    let find = |name: &str| {
        tables
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    let events = find("events");
    assert_eq!(events.kind, RelationKind::Table);
    let estimate = events.estimated_rows.expect("events was analyzed");
    assert!(
        (900_000..=1_100_000).contains(&estimate),
        "estimate {estimate} is far from 1,000,000"
    );
    assert_eq!(find("project_overview").kind, RelationKind::View);
    assert_eq!(
        find("project_overview").estimated_rows,
        None,
        "views have no estimate"
    );
    assert!(
        tables.iter().any(|t| t.name == "Café \"Menü\" items"),
        "names are returned unquoted"
    );

    let logging = catalog::list_tables(&instance, "logging").await.unwrap();
    assert_eq!(logging.len(), 1);
    assert_eq!(logging[0].kind, RelationKind::PartitionedTable);
    assert_eq!(
        logging[0].estimated_rows,
        Some(440),
        "a partitioned table sums its partitions"
    );
}

#[tokio::test]
async fn first_page_matches_the_table_in_primary_key_order() {
    let instance = demo().await;
    let page = rows::fetch_page(&instance, &request("public", "todos", 50, None))
        .await
        .unwrap();
    assert_eq!(page.order, RowOrder::PrimaryKey);
    assert_eq!(page.columns[0].name, "id");
    assert_eq!(page.columns[0].primary_key_position, Some(1));
    assert_eq!(page.columns[0].data_type, "bigint");
    assert_eq!(page.rows.len(), 50);
    let ids: Vec<i64> = page
        .rows
        .iter()
        .map(|row| match row[0] {
            Cell::Int(id) => id,
            ref other => panic!("id should be an integer, got {other:?}"),
        })
        .collect();
    let expected: Vec<i64> = (1..=50).collect();
    assert_eq!(ids, expected, "numeric order, not text order");
    let done = page.columns.iter().position(|c| c.name == "done").unwrap();
    assert!(
        matches!(page.rows[0][done], Cell::Bool(_)),
        "booleans decode as booleans"
    );
    assert_eq!(page.next, Some(KeysetCursor(vec!["50".into()])));
}

#[tokio::test]
async fn keyset_paging_visits_every_row_once() {
    let instance = demo().await;
    let mut after = None;
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let page = rows::fetch_page(&instance, &request("public", "todos", 40, after.clone()))
            .await
            .unwrap();
        pages += 1;
        ids.extend(page.rows.iter().map(|row| row[0].display_text()));
        match page.next {
            Some(next) => after = Some(next.0),
            None => break,
        }
    }
    assert_eq!(pages, 7, "250 rows in pages of 40");
    let expected: Vec<String> = (1..=250).map(|i| i.to_string()).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn deep_pages_of_a_million_rows_are_reached_by_key() {
    let instance = demo().await;
    let page = rows::fetch_page(
        &instance,
        &request("public", "events", 100, Some(vec!["999950".into()])),
    )
    .await
    .unwrap();
    assert_eq!(page.rows.len(), 50);
    assert_eq!(page.rows[0][0], Cell::Int(999_951));
    assert_eq!(page.next, None, "the last page says so");
}

#[tokio::test]
async fn tables_without_a_primary_key_page_by_location() {
    let instance = demo().await;
    let mut after = None;
    let mut lines = Vec::new();
    loop {
        let page = rows::fetch_page(
            &instance,
            &request("public", "legacy_imports", 120, after.clone()),
        )
        .await
        .unwrap();
        assert_eq!(page.order, RowOrder::PhysicalLocation);
        lines.extend(page.rows.iter().map(|row| row[1].display_text()));
        match page.next {
            Some(next) => after = Some(next.0),
            None => break,
        }
    }
    let expected: Vec<String> = (1..=500).map(|i| i.to_string()).collect();
    assert_eq!(lines, expected);
}

#[tokio::test]
async fn names_needing_quotes_work() {
    let instance = demo().await;
    let page = rows::fetch_page(&instance, &request("public", "Café \"Menü\" items", 10, None))
        .await
        .unwrap();
    assert_eq!(page.columns[2].name, "Price €");
    assert_eq!(page.rows.len(), 3);
    assert_eq!(page.rows[2][1], Cell::Text("抹茶ラテ".into()));
}

#[tokio::test]
async fn views_show_a_first_page_only() {
    let instance = demo().await;
    let page = rows::fetch_page(&instance, &request("public", "project_overview", 10, None))
        .await
        .unwrap();
    assert_eq!(page.order, RowOrder::Unordered);
    assert_eq!(page.rows.len(), 7);
    assert_eq!(page.next, None);
    let error = rows::fetch_page(
        &instance,
        &request("public", "project_overview", 10, Some(vec!["1".into()])),
    )
    .await
    .unwrap_err();
    assert_eq!(code_of(error), ErrorCode::InvalidInput);
}

#[tokio::test]
async fn long_values_arrive_as_previews_unless_asked_whole() {
    let instance = demo().await;
    let mut wanted = request("public", "todos", 40, None);
    let page = rows::fetch_page(&instance, &wanted).await.unwrap();
    let notes = page.columns.iter().position(|c| c.name == "notes").unwrap();
    // Every fourth todo has a 1,320-character note (see demo.sql).
    let long_row = page
        .rows
        .iter()
        .position(|row| !matches!(row[notes], Cell::Null))
        .expect("the first 40 todos include long notes");
    match &page.rows[long_row][notes] {
        Cell::Truncated { prefix } => assert_eq!(prefix.chars().count(), rows::CELL_PREVIEW_CHARS),
        other => panic!("expected a preview, got {other:?}"),
    }
    wanted.full_values = true;
    let page = rows::fetch_page(&instance, &wanted).await.unwrap();
    match &page.rows[long_row][notes] {
        Cell::Text(text) => assert_eq!(text.chars().count(), 1320),
        other => panic!("expected the whole value, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_requests_get_clear_errors() {
    let instance = demo().await;
    let missing = rows::fetch_page(&instance, &request("public", "nope", 10, None))
        .await
        .unwrap_err();
    let missing = ApiError::from(missing);
    assert_eq!(missing.code, ErrorCode::NotFound);
    assert!(missing.message.contains("public.nope"), "{}", missing.message);

    let too_big = rows::fetch_page(&instance, &request("public", "todos", 5000, None))
        .await
        .unwrap_err();
    assert_eq!(code_of(too_big), ErrorCode::InvalidInput);

    let wrong_arity = rows::fetch_page(
        &instance,
        &request("public", "todos", 10, Some(vec!["1".into(), "2".into()])),
    )
    .await
    .unwrap_err();
    assert_eq!(code_of(wrong_arity), ErrorCode::InvalidInput);

    let not_a_number = rows::fetch_page(
        &instance,
        &request("public", "todos", 10, Some(vec!["abc".into()])),
    )
    .await
    .unwrap_err();
    let not_a_number = ApiError::from(not_a_number);
    assert_eq!(
        not_a_number.code,
        ErrorCode::InvalidInput,
        "{}",
        not_a_number.message
    );
}

#[tokio::test]
async fn integers_beyond_javascript_precision_travel_as_text() {
    let database = fresh_database(Seed::FluxbaseSchema);
    fluxdesk_sandbox::shared_cluster()
        .psql(
            &database.name,
            "CREATE TABLE public.big (id bigint PRIMARY KEY); INSERT INTO public.big VALUES (9007199254740993), (42);",
        )
        .expect("the test table is created");
    let target = ConnectionTarget::from_url(&database.url).unwrap();
    let instance = Instance::connect("fresh", &target).await.unwrap();
    let page = rows::fetch_page(&instance, &request("public", "big", 10, None))
        .await
        .unwrap();
    assert_eq!(page.rows[0][0], Cell::Int(42));
    assert_eq!(page.rows[1][0], Cell::Text("9007199254740993".into()));
}

async fn all_keys(instance: &Instance, schema: &str, table: &str, key_columns: usize) -> Vec<Vec<String>> {
    let mut after = None;
    let mut keys = Vec::new();
    loop {
        let page = rows::fetch_page(instance, &request(schema, table, 97, after.clone()))
            .await
            .unwrap();
        assert_eq!(page.order, RowOrder::PrimaryKey);
        keys.extend(page.rows.iter().map(|row| {
            row[..key_columns]
                .iter()
                .map(Cell::display_text)
                .collect::<Vec<_>>()
        }));
        match page.next {
            Some(next) => after = Some(next.0),
            None => return keys,
        }
    }
}

#[tokio::test]
async fn uuid_keys_page_through_every_row_once() {
    let instance = demo().await;
    let keys = all_keys(&instance, "auth", "users", 1).await;
    assert_eq!(keys.len(), 1010);
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, keys, "uuid order, no repeats");
}

#[tokio::test]
async fn composite_keys_over_partitions_page_through_every_row_once() {
    let instance = demo().await;
    // logging.entries is keyed by (id, category) and partitioned by category.
    let page = rows::fetch_page(&instance, &request("logging", "entries", 5, None))
        .await
        .unwrap();
    let key: Vec<Option<u16>> = page.columns.iter().map(|c| c.primary_key_position).collect();
    assert_eq!(key[0], Some(1));
    assert_eq!(key[2], Some(2), "category is the second key column");
    assert_eq!(page.next.as_ref().map(|cursor| cursor.0.len()), Some(2));

    let mut after = None;
    let mut seen = std::collections::BTreeSet::new();
    let mut total = 0;
    loop {
        let page = rows::fetch_page(&instance, &request("logging", "entries", 60, after.clone()))
            .await
            .unwrap();
        for row in &page.rows {
            total += 1;
            seen.insert((row[0].display_text(), row[2].display_text()));
        }
        match page.next {
            Some(next) => after = Some(next.0),
            None => break,
        }
    }
    assert_eq!(total, 440);
    assert_eq!(seen.len(), 440, "every (id, category) exactly once");
}

#[tokio::test]
async fn unknown_schemas_are_not_found_and_empty_ones_are_empty() {
    let instance = demo().await;
    let error = catalog::list_tables(&instance, "nosuchschema").await.unwrap_err();
    assert_eq!(code_of(error), ErrorCode::NotFound);
    let database = fresh_database(Seed::FluxbaseSchema);
    fluxdesk_sandbox::shared_cluster()
        .psql(&database.name, "CREATE SCHEMA empty_one")
        .unwrap();
    let target = ConnectionTarget::from_url(&database.url).unwrap();
    let fresh = Instance::connect("fresh", &target).await.unwrap();
    assert!(
        catalog::list_tables(&fresh, "empty_one")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn databases_that_are_not_fluxbase_are_recognised() {
    let target =
        ConnectionTarget::from_url(&fluxdesk_sandbox::shared_cluster().address().url("postgres")).unwrap();
    let instance = Instance::connect("plain", &target).await.unwrap();
    assert_eq!(instance.info().layout, FluxbaseLayout::NotFluxbase);
}

#[tokio::test]
async fn runaway_statements_are_stopped_by_the_statement_timeout() {
    let database = fresh_database(Seed::FluxbaseSchema);
    fluxdesk_sandbox::shared_cluster()
        .psql(
            &database.name,
            "CREATE VIEW public.slow AS SELECT pg_sleep(20)::text AS nap",
        )
        .unwrap();
    let target = ConnectionTarget::from_url(&database.url)
        .unwrap()
        .with_statement_timeout(std::time::Duration::from_secs(1));
    let instance = Instance::connect("slow", &target).await.unwrap();
    let started = std::time::Instant::now();
    let error = rows::fetch_page(&instance, &request("public", "slow", 1, None))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let error = ApiError::from(error);
    assert_eq!(error.code, ErrorCode::Timeout, "{}", error.message);
    assert!(error.message.contains("statement timeout"), "{}", error.message);
    assert!(
        elapsed < std::time::Duration::from_secs(5),
        "stopped after {elapsed:?}, not 20 s"
    );
}

#[tokio::test]
async fn tables_show_size_rls_policies_and_realtime() {
    let instance = demo().await;
    let public = catalog::list_tables(&instance, "public").await.unwrap();
    let todos = public.iter().find(|t| t.name == "todos").unwrap();
    assert!(todos.rls_enabled && !todos.rls_forced);
    assert_eq!(todos.policy_count, 2, "todos_owner_all and todos_admin_read");
    assert!(todos.realtime, "the demo enables realtime on todos");
    let events = public.iter().find(|t| t.name == "events").unwrap();
    assert!(!events.realtime);
    assert!(
        events.total_bytes.unwrap() > 50_000_000,
        "a million rows with indexes: {:?}",
        events.total_bytes
    );
    let views: Vec<_> = public.iter().filter(|t| t.kind == RelationKind::View).collect();
    assert!(
        views.iter().all(|v| v.total_bytes.is_none()),
        "views have no storage"
    );
    let dashboard = catalog::list_tables(&instance, "dashboard").await.unwrap();
    let users = dashboard.iter().find(|t| t.name == "users").unwrap();
    assert!(
        users.rls_enabled && users.rls_forced,
        "Fluxbase forces RLS on dashboard.users"
    );
    assert_eq!(users.policy_count, 4);
}

#[tokio::test]
async fn exact_counts_are_counted_on_request_for_any_name() {
    let instance = demo().await;
    let events = rows::exact_count(&instance, &TableRef::new("public", "events"))
        .await
        .unwrap();
    assert_eq!(events, 1_000_000);
    let odd = TableRef::new("public", "Café \"Menü\" items");
    let expected: i64 = sqlx::query_scalar(r#"SELECT count(*) FROM public."Café ""Menü"" items""#)
        .fetch_one(
            &sqlx::PgPool::connect(&read_only_demo_database().url)
                .await
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(rows::exact_count(&instance, &odd).await.unwrap(), expected);
    let missing = rows::exact_count(&instance, &TableRef::new("public", "nope; DROP TABLE x"))
        .await
        .unwrap_err();
    assert_eq!(code_of(missing), ErrorCode::NotFound);
}

#[tokio::test]
async fn a_count_that_reads_for_long_can_be_cancelled() {
    let database = fresh_database(Seed::FluxbaseSchema);
    shared_cluster()
        .psql(
            &database.name,
            "CREATE VIEW public.slow_to_count AS SELECT 1 AS nap FROM pg_sleep(20)",
        )
        .unwrap();
    let target = ConnectionTarget::from_url(&database.url).unwrap();
    let instance = Instance::connect("slow", &target).await.unwrap();
    let running = fluxdesk_core::statement::RunningQueries::default();
    let started = std::time::Instant::now();
    let slow = TableRef::new("public", "slow_to_count");
    let counting = rows::exact_count_as_run(&instance, &slow, Some((&running, "count-1")));
    tokio::pin!(counting);
    // Cancel as a user would, again while it still reads.
    let counted = loop {
        tokio::select! {
            counted = &mut counting => break counted,
            () = tokio::time::sleep(std::time::Duration::from_millis(200)) => {
                running.cancel("count-1").await.unwrap();
            }
        }
    };
    let error = counted.expect_err("the count was stopped");
    assert_eq!(code_of(error), ErrorCode::Cancelled);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "stopped long before the view's 20 s: {:?}",
        started.elapsed()
    );
    // Nothing is left registered, and a count that ends by itself is not cancelled.
    assert!(!running.cancel("count-1").await.unwrap());
    let quick = rows::exact_count_as_run(
        &instance,
        &TableRef::new("auth", "users"),
        Some((&running, "count-2")),
    )
    .await
    .unwrap();
    assert!(quick >= 0);
}

#[tokio::test]
async fn a_row_opens_whole_by_the_key_its_page_gave() {
    let database = fresh_database(Seed::Demo);
    let target = ConnectionTarget::from_url(&database.url).unwrap();
    let instance = Instance::connect("rows", &target).await.unwrap();
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    let long_notes = "n".repeat(3000);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO public.todos (user_id, title, notes) SELECT id, 'long one', $1 FROM auth.users LIMIT 1 RETURNING id",
    )
    .bind(&long_notes)
    .fetch_one(&pool)
    .await
    .unwrap();
    let table = TableRef::new("public", "todos");
    let mut after = None;
    let (page_cell, key) = loop {
        let page = rows::fetch_page(&instance, &request("public", "todos", 1000, after))
            .await
            .unwrap();
        let notes = page.columns.iter().position(|c| c.name == "notes").unwrap();
        let found = page
            .rows
            .iter()
            .zip(&page.keys)
            .find(|(_, key)| key.0 == vec![id.to_string()]);
        if let Some((row, key)) = found {
            break (row[notes].clone(), key.clone());
        }
        after = page.next.map(|cursor| cursor.0);
        assert!(after.is_some(), "the inserted row is on some page");
    };
    assert!(
        matches!(page_cell, Cell::Truncated { .. }),
        "pages carry previews"
    );
    let detail = rows::fetch_row(&instance, &table, &key).await.unwrap();
    let notes = detail.columns.iter().position(|c| c.name == "notes").unwrap();
    assert_eq!(
        detail.values[notes],
        Cell::Text(long_notes),
        "the panel gets the whole value"
    );

    // Without a primary key, the row's location is its key.
    let legacy = rows::fetch_page(&instance, &request("public", "legacy_imports", 5, None))
        .await
        .unwrap();
    let legacy_key = legacy.keys[2].clone();
    let row = rows::fetch_row(&instance, &TableRef::new("public", "legacy_imports"), &legacy_key)
        .await
        .unwrap();
    assert_eq!(row.values, legacy.rows[2]);

    sqlx::query("DELETE FROM public.todos WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let gone = rows::fetch_row(&instance, &table, &key).await.unwrap_err();
    assert_eq!(code_of(gone), ErrorCode::NotFound);
}

fn condition(column: &str, op: FilterOp, values: &[&str]) -> Condition {
    Condition {
        column: column.into(),
        op,
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

/// Every row a filter keeps, page after page, as the first column's text.
async fn all_filtered(instance: &Instance, schema: &str, table: &str, filter: RowFilter) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let mut page_request = request(schema, table, 100, after);
        page_request.filter = filter.clone();
        let page = rows::fetch_page(instance, &page_request).await.unwrap();
        for row in &page.rows {
            ids.push(match &row[0] {
                Cell::Int(id) => id.to_string(),
                other => format!("{other:?}"),
            });
        }
        match page.next {
            Some(next) => after = Some(next.0),
            None => return ids,
        }
    }
}

fn psql_ids(sql: &str) -> Vec<String> {
    let out = shared_cluster()
        .psql(&read_only_demo_database().name, sql)
        .unwrap();
    out.lines().map(str::to_owned).filter(|l| !l.is_empty()).collect()
}

#[tokio::test]
async fn filters_and_search_run_on_the_server_and_page_by_key() {
    let instance = demo().await;
    let cases = [
        (
            RowFilter {
                conditions: vec![
                    condition("done", FilterOp::Eq, &["true"]),
                    condition("priority", FilterOp::In, &["1", "4"]),
                ],
                ..RowFilter::default()
            },
            "SELECT id FROM public.todos WHERE done AND priority IN (1, 4) ORDER BY id",
        ),
        (
            RowFilter {
                conditions: vec![
                    condition("notes", FilterOp::IsNull, &[]),
                    condition("priority", FilterOp::Ge, &["4"]),
                ],
                join: Join::Any,
                ..RowFilter::default()
            },
            "SELECT id FROM public.todos WHERE notes IS NULL OR priority >= 4 ORDER BY id",
        ),
        (
            RowFilter {
                search: Some("ALICE".into()),
                ..RowFilter::default()
            },
            "SELECT id FROM public.todos WHERE title ILIKE '%alice%' OR notes ILIKE '%alice%' OR user_id::text ILIKE '%alice%' ORDER BY id",
        ),
        (
            RowFilter {
                conditions: vec![
                    condition("title", FilterOp::StartsWith, &["a"]),
                    condition("priority", FilterOp::Lt, &["3"]),
                ],
                ..RowFilter::default()
            },
            "SELECT id FROM public.todos WHERE title ILIKE 'a%' AND priority < 3 ORDER BY id",
        ),
    ];
    for (filter, sql) in cases {
        let expected = psql_ids(sql);
        assert!(!expected.is_empty(), "the case selects something: {sql}");
        assert_eq!(
            all_filtered(&instance, "public", "todos", filter).await,
            expected,
            "{sql}"
        );
    }

    // jsonb paths, on the million-row table, stopping after one page.
    let mut page_request = request("public", "events", 50, None);
    page_request.filter.conditions = vec![condition("payload", FilterOp::JsonPath, &["$.ab ? (@ == true)"])];
    let page = rows::fetch_page(&instance, &page_request).await.unwrap();
    let expected =
        psql_ids("SELECT id FROM public.events WHERE payload @@ '$.ab == true' ORDER BY id LIMIT 50");
    let got: Vec<String> = page
        .rows
        .iter()
        .map(|r| format!("{:?}", r[0]).replace("Int(", "").replace(')', ""))
        .collect();
    assert_eq!(got, expected);

    // Hostile names and a value with wildcards and quotes, matched literally.
    let odd = RowFilter {
        conditions: vec![
            condition("Price €", FilterOp::Gt, &["5"]),
            condition("Name", FilterOp::Contains, &["è"]),
        ],
        ..RowFilter::default()
    };
    assert_eq!(
        all_filtered(&instance, "public", "Café \"Menü\" items", odd).await,
        vec!["1"]
    );
    let literal = RowFilter {
        conditions: vec![condition("title", FilterOp::Contains, &["%' OR '1'='1"])],
        ..RowFilter::default()
    };
    assert!(
        all_filtered(&instance, "public", "todos", literal)
            .await
            .is_empty()
    );

    // Mistakes are explained.
    let mut bad = request("public", "todos", 10, None);
    bad.filter.conditions = vec![condition("nope", FilterOp::Eq, &["1"])];
    assert_eq!(
        code_of(rows::fetch_page(&instance, &bad).await.unwrap_err()),
        ErrorCode::InvalidInput
    );
    bad.filter.conditions = vec![condition("priority", FilterOp::Eq, &["high"])];
    assert_eq!(
        code_of(rows::fetch_page(&instance, &bad).await.unwrap_err()),
        ErrorCode::InvalidInput,
        "22P02 is input"
    );
}

/// Every row under `sort`, page after page, as the first column's text.
async fn all_sorted(instance: &Instance, table: &str, sort: &[(&str, bool)], page_rows: u32) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let mut page_request = request("public", table, page_rows, after);
        page_request.sort = sort
            .iter()
            .map(|(column, descending)| SortKey {
                column: column.to_string(),
                descending: *descending,
            })
            .collect();
        let page = rows::fetch_page(instance, &page_request).await.unwrap();
        for row in &page.rows {
            ids.push(match &row[0] {
                Cell::Int(id) => id.to_string(),
                Cell::Text(text) => text.clone(),
                other => format!("{other:?}"),
            });
        }
        match page.next {
            Some(next) => after = Some(next.0),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn sorting_on_several_columns_pages_by_key_through_nulls() {
    let instance = demo().await;
    let cases: [(&[(&str, bool)], &str); 4] = [
        (
            &[("priority", true), ("title", false)],
            "ORDER BY priority DESC, title, id",
        ),
        (&[("notes", false)], "ORDER BY notes, id"),
        (
            &[("notes", true), ("done", false)],
            "ORDER BY notes DESC, done, id",
        ),
        (
            &[("project_id", false), ("due_on", true)],
            "ORDER BY project_id, due_on DESC, id",
        ),
    ];
    for (sort, order) in cases {
        let expected = psql_ids(&format!("SELECT id FROM public.todos {order}"));
        assert_eq!(expected.len(), 250);
        // 7 rows a page, so pages end inside runs of equal values and of NULLs.
        assert_eq!(all_sorted(&instance, "todos", sort, 7).await, expected, "{order}");
    }
    assert_eq!(
        all_sorted(&instance, "Café \"Menü\" items", &[("Price €", true)], 1).await,
        ["2", "1", "3"],
        "any column name sorts"
    );
    let mut bad = request("public", "todos", 10, None);
    bad.sort = vec![SortKey {
        column: "nope".into(),
        descending: false,
    }];
    assert_eq!(
        code_of(rows::fetch_page(&instance, &bad).await.unwrap_err()),
        ErrorCode::InvalidInput
    );
}

#[tokio::test]
async fn explain_shows_plans_and_analyze_changes_nothing() {
    use fluxdesk_core::statement;
    use fluxdesk_types::Protection;
    let database = fresh_database(Seed::Demo);
    let target = ConnectionTarget::from_url(&database.url).unwrap();
    let instance = Instance::connect("explain", &target).await.unwrap();
    let plan = statement::explain(
        &instance,
        Protection::Open,
        "SELECT * FROM public.events WHERE id = 42",
        false,
    )
    .await
    .unwrap();
    assert!(plan.contains("Index Scan"), "{plan}");
    assert!(!plan.contains("actual time"), "a plain plan does not run it");
    let analyzed = statement::explain(&instance, Protection::Open, "DELETE FROM public.todos", true)
        .await
        .unwrap();
    assert!(
        analyzed.contains("actual time") && analyzed.contains("Delete on todos"),
        "{analyzed}"
    );
    let left = shared_cluster()
        .psql(&database.name, "SELECT count(*) FROM public.todos")
        .unwrap();
    assert_eq!(left.trim(), "250", "analyzing a delete deleted nothing");
    let refused = statement::explain(&instance, Protection::ReadOnly, "DELETE FROM public.todos", true)
        .await
        .unwrap_err();
    assert_eq!(
        code_of(refused),
        ErrorCode::ReadOnly,
        "read-only profiles cannot run a write even to analyze it"
    );
    let several = statement::explain(&instance, Protection::Open, "SELECT 1; SELECT 2", false)
        .await
        .unwrap_err();
    assert_eq!(code_of(several), ErrorCode::InvalidInput);
}

/// Every row key of a view, read forward page by page, then backward from the end.
async fn forward_and_backward(
    instance: &Instance,
    sort: Vec<SortKey>,
) -> (Vec<KeysetCursor>, Vec<KeysetCursor>) {
    let base = RowsRequest {
        sort,
        ..request("public", "todos", 37, None)
    };
    let mut forward = Vec::new();
    let mut after = None;
    loop {
        let page = rows::fetch_page(
            instance,
            &RowsRequest {
                after: after.clone(),
                ..base.clone()
            },
        )
        .await
        .unwrap();
        forward.extend(page.keys.clone());
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut backward = Vec::new();
    let mut page = rows::fetch_page(
        instance,
        &RowsRequest {
            position: Some(fluxdesk_types::POSITION_END),
            ..base.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.next, None, "the last page has nothing after it");
    loop {
        backward.splice(0..0, page.keys.clone());
        let Some(previous) = page.previous.clone() else {
            break;
        };
        page = rows::fetch_page(
            instance,
            &RowsRequest {
                before: Some(previous),
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert!(page.next.is_some(), "a page read backwards has rows after it");
    }
    (forward, backward)
}

#[tokio::test]
async fn pages_read_backwards_meet_the_same_rows_in_the_same_order() {
    let instance = demo().await;
    let (forward, backward) = forward_and_backward(&instance, Vec::new()).await;
    assert_eq!(forward.len(), 250);
    assert_eq!(forward, backward);
    // With a multi-column sort over a nullable column, both ways agree too.
    let sort = vec![
        SortKey {
            column: "project_id".into(),
            descending: true,
        },
        SortKey {
            column: "title".into(),
            descending: false,
        },
    ];
    let (forward, backward) = forward_and_backward(&instance, sort).await;
    assert_eq!(forward.len(), 250);
    assert_eq!(forward, backward);
}

#[tokio::test]
async fn jumping_to_the_middle_of_a_million_rows_lands_near_it_by_sample() {
    let instance = demo().await;
    let middle = rows::fetch_page(
        &instance,
        &RowsRequest {
            position: Some(500_000),
            ..request("public", "events", 200, None)
        },
    )
    .await
    .unwrap();
    let first: i64 = middle.keys[0].0[0].parse().unwrap();
    assert!((400_000..600_000).contains(&first), "landed at id {first}");
    assert_eq!(middle.rows.len(), 200);
    // From there the grid can read on in both directions.
    let before = rows::fetch_page(
        &instance,
        &RowsRequest {
            before: middle.previous.clone(),
            ..request("public", "events", 200, None)
        },
    )
    .await
    .unwrap();
    let last_before: i64 = before.keys.last().unwrap().0[0].parse().unwrap();
    assert_eq!(last_before, first - 1, "the page before ends right before");
    let end = rows::fetch_page(
        &instance,
        &RowsRequest {
            position: Some(fluxdesk_types::POSITION_END),
            ..request("public", "events", 200, None)
        },
    )
    .await
    .unwrap();
    assert_eq!(end.keys.last().unwrap().0[0], "1000000");
    assert_eq!(end.rows.len(), 200);
    // Views have no order to jump in.
    let refused = rows::fetch_page(
        &instance,
        &RowsRequest {
            position: Some(500_000),
            ..request("public", "project_overview", 10, None)
        },
    )
    .await
    .unwrap_err();
    assert_eq!(code_of(refused), ErrorCode::InvalidInput);
}

#[tokio::test]
async fn the_tree_lists_a_page_of_tables_filtered_by_name_on_the_server() {
    let instance = demo().await;
    let page = catalog::list_tables_page(&instance, "public", "ODO", Some(10))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.tables[0].name, "todos");
    assert!(page.tables[0].realtime && page.tables[0].total_bytes.is_some());
    let first_two = catalog::list_tables_page(&instance, "public", "", Some(2))
        .await
        .unwrap();
    let all = catalog::list_tables(&instance, "public").await.unwrap();
    assert_eq!(first_two.total as usize, all.len());
    assert_eq!(first_two.tables, all[..2].to_vec(), "the first page, by name");
    // Filter text is literal: % and _ match themselves only.
    let none = catalog::list_tables_page(&instance, "public", "%", Some(10))
        .await
        .unwrap();
    assert_eq!((none.total, none.tables.len()), (0, 0));
    let quoted = catalog::list_tables_page(&instance, "public", "\"menü\"", Some(10))
        .await
        .unwrap();
    assert_eq!(quoted.tables[0].name, "Café \"Menü\" items");
}

#[tokio::test]
async fn a_filtered_first_page_carries_the_planners_estimate() {
    let instance = demo().await;
    let filtered = RowsRequest {
        filter: RowFilter {
            conditions: vec![Condition {
                column: "kind".into(),
                op: FilterOp::Eq,
                values: vec!["purchase".into()],
            }],
            ..RowFilter::default()
        },
        ..request("public", "events", 50, None)
    };
    let first = rows::fetch_page(&instance, &filtered).await.unwrap();
    let estimate = first.estimated_total.expect("an estimate for a filtered view");
    assert!(
        (100_000..400_000).contains(&estimate),
        "about 200,000 purchases: {estimate}"
    );
    let next = rows::fetch_page(
        &instance,
        &RowsRequest {
            after: first.next.clone(),
            ..filtered
        },
    )
    .await
    .unwrap();
    assert_eq!(next.estimated_total, None, "only the first page asks");
    let plain = rows::fetch_page(&instance, &request("public", "events", 50, None))
        .await
        .unwrap();
    assert_eq!(
        plain.estimated_total, None,
        "unfiltered views use the tree's estimate"
    );
}
