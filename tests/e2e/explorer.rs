//! The first slice, end to end: the real app in a real window opens the demo
//! instance, lists its tables, opens one, and shows the same rows as the
//! database, keyset-paging as the user scrolls and keeping only visible rows in
//! the DOM.

use e2e_support::{
    DEMO_ADMIN, Driver, click, element, eventually, save_screenshot, set_input, set_textarea, sign_in,
    stage_edit,
};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use fluxdesk_sandbox::{read_only_demo_database, shared_cluster};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);

async fn loaded_rows(client: &Client) -> usize {
    let status = element(client, "#grid-status", PATIENCE).await;
    let loaded = status.attr("data-loaded-rows").await.unwrap().unwrap_or_default();
    loaded.parse().unwrap_or(0)
}

async fn rendered_rows(client: &Client) -> Vec<(usize, Vec<String>)> {
    // One script reads every row at once, so a re-render cannot leave a stale element.
    // textContent, not the visible text: columns scrolled out of view count too.
    let rows = client
        .execute(
            "return Array.from(document.querySelectorAll('.grid-row')).map(row => [\
                 Number(row.getAttribute('data-row-index')),\
                 Array.from(row.querySelectorAll('.grid-cell')).map(cell => cell.textContent)]);",
            vec![],
        )
        .await
        .unwrap();
    let mut rows: Vec<(usize, Vec<String>)> = serde_json::from_value(rows).unwrap();
    rows.sort_by_key(|(index, _)| *index);
    rows
}

async fn row_estimate(table_node: &Element) -> String {
    let estimate = table_node.find(Locator::Css(".row-estimate")).await.unwrap();
    estimate.text().await.unwrap()
}

/// Scrolls to the last loaded row (not the table's end, which is a jump).
async fn scroll_grid_to_loaded_end(client: &Client) {
    client
        .execute(
            "const v = document.querySelector('.grid-viewport'); \
             const s = document.querySelector('#grid-status'); \
             const end = (Number(s.dataset.firstLoaded) + Number(s.dataset.loadedRows)) * 28; \
             v.scrollTop = end - v.clientHeight + 44; v.dispatchEvent(new Event('scroll'));",
            vec![],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opens_the_demo_lists_tables_and_shows_rows() {
    let database = read_only_demo_database();
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E demo"])
        .await;

    // Launched for an instance, the window connects by itself.
    let status = element(&client, "#instance-status[data-state='connected']", PATIENCE).await;
    let status_text = status.text().await.unwrap();
    assert!(
        status_text.contains("E2E demo"),
        "header names the instance: {status_text}"
    );

    // Fluxdesk acts as a named admin: sign in first.
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;

    // The tree lists schemas; opening public lists its tables with estimates.
    element(&client, ".schema-node[data-schema='auth']", PATIENCE).await;
    click(&client, ".schema-node[data-schema='public']", PATIENCE).await;
    let todos = element(&client, ".table-node[data-table='public.todos']", PATIENCE).await;
    assert_eq!(
        row_estimate(&todos).await,
        "~250",
        "the tree shows pg_class's estimate"
    );
    // Realtime, RLS with its policy count, and the size on disk, at a glance.
    todos
        .find(Locator::Css(".realtime-badge"))
        .await
        .expect("todos publishes realtime changes");
    let rls = todos.find(Locator::Css(".rls-badge")).await.unwrap();
    assert_eq!(rls.text().await.unwrap(), "RLS 2");
    let size = todos
        .find(Locator::Css(".table-size"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(size.ends_with(" KiB"), "todos is some kilobytes on disk: {size}");
    let events = element(&client, ".table-node[data-table='public.events']", PATIENCE).await;
    assert_eq!(row_estimate(&events).await, "~1.0M");

    // Open todos: the first rows equal what the database holds, in key order.
    todos.click().await.unwrap();
    eventually("the first page of todos", PATIENCE, || async {
        (loaded_rows(&client).await >= 200).then_some(())
    })
    .await;
    // The estimate shows at once; the exact count only when asked.
    assert!(client.find(Locator::Css("#exact-count")).await.is_err());
    click(&client, "#count-rows", PATIENCE).await;
    let exact = element(&client, "#exact-count", PATIENCE).await;
    let counted = shared_cluster()
        .psql(&database.name, "SELECT count(*) FROM public.todos")
        .unwrap();
    assert_eq!(
        exact.attr("data-count").await.unwrap().as_deref(),
        Some(counted.trim())
    );

    // A row opens whole in the form view, its values fetched in full.
    click(&client, ".grid-row[data-row-index='0'] .open-row", PATIENCE).await;
    let title = element(
        &client,
        "#row-panel .form-field[data-column='title'] dd",
        PATIENCE,
    )
    .await;
    let expected_title = shared_cluster()
        .psql(
            &database.name,
            "SELECT title FROM public.todos ORDER BY id LIMIT 1",
        )
        .unwrap();
    assert_eq!(title.text().await.unwrap(), expected_title.trim());
    element(&client, "#row-panel .form-field[data-column='tags']", PATIENCE).await;
    click(&client, "#close-row-panel", PATIENCE).await;
    let header = client
        .find_all(Locator::Css(".header-cell .column-name"))
        .await
        .unwrap();
    let mut header_names = Vec::new();
    for cell in header {
        header_names.push(cell.prop("textContent").await.unwrap().unwrap_or_default());
    }
    // The key column carries a PK badge before its name.
    assert!(
        header_names[0].starts_with("PK") && header_names[0].ends_with("id"),
        "{header_names:?}"
    );
    assert_eq!(header_names[3], "title", "{header_names:?}");

    let expected = shared_cluster()
        .psql(
            &database.name,
            "SELECT id, title, done FROM public.todos ORDER BY id LIMIT 15",
        )
        .unwrap();
    let expected: Vec<Vec<String>> = expected
        .lines()
        .map(|line| line.split('|').map(str::to_owned).collect())
        .collect();
    let rendered = rendered_rows(&client).await;
    assert!(
        rendered.len() >= 15,
        "a screenful of rows is rendered: {}",
        rendered.len()
    );
    for (position, want) in expected.iter().enumerate() {
        let (index, cells) = &rendered[position];
        assert_eq!(*index, position);
        // cells[0] is the row number; then id, user_id, project_id, title, notes, done, ...
        assert_eq!(cells[1], want[0], "id of row {position}");
        assert_eq!(cells[4], want[1], "title of row {position}");
        let done = if want[2] == "t" { "true" } else { "false" };
        assert_eq!(cells[6], done, "done of row {position}");
    }
    let first_screenshot = save_screenshot(&client, "explorer-todos").await;

    // Filters and search run on the server: done todos of alice.
    let search = element(&client, "#quick-search", PATIENCE).await;
    search.send_keys("alice").await.unwrap();
    click(&client, "#add-condition", PATIENCE).await;
    client
        .execute(
            "const c = document.querySelector('.filter-condition .filter-column'); c.value = 'done'; \
             c.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    let value = element(&client, ".filter-condition .filter-value", PATIENCE).await;
    value.send_keys("true").await.unwrap();
    client
        .execute(
            "document.querySelector('.filter-condition .filter-value').dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    click(&client, "#apply-filter", PATIENCE).await;
    let expected_ids: Vec<String> = shared_cluster()
        .psql(
            &database.name,
            "SELECT id FROM public.todos WHERE done AND (title ILIKE '%alice%' OR notes ILIKE '%alice%' \
             OR user_id::text ILIKE '%alice%') ORDER BY id",
        )
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(!expected_ids.is_empty());
    save_screenshot(&client, "explorer-filtering").await;
    let shown = eventually("the filtered rows", PATIENCE, || async {
        let rows = rendered_rows(&client).await;
        let ids: Vec<String> = rows.iter().map(|(_, cells)| cells[1].clone()).collect();
        (ids == expected_ids).then_some(ids)
    })
    .await;
    assert_eq!(shown.len(), expected_ids.len());
    save_screenshot(&client, "explorer-filtered").await;
    click(&client, "#clear-filter", PATIENCE).await;
    eventually("all todos again", PATIENCE, || async {
        (loaded_rows(&client).await >= 200).then_some(())
    })
    .await;

    // Sorting on the server: priority, then descending.
    click(&client, ".header-cell[data-column='priority']", PATIENCE).await;
    element(
        &client,
        ".header-cell[data-column='priority'] .sort-mark[data-direction='asc']",
        PATIENCE,
    )
    .await;
    click(&client, ".header-cell[data-column='priority']", PATIENCE).await;
    element(
        &client,
        ".header-cell[data-column='priority'] .sort-mark[data-direction='desc']",
        PATIENCE,
    )
    .await;
    let by_priority: Vec<String> = shared_cluster()
        .psql(
            &database.name,
            "SELECT id FROM public.todos ORDER BY priority DESC, id LIMIT 15",
        )
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    eventually("rows by priority, descending", PATIENCE, || async {
        let rows = rendered_rows(&client).await;
        let ids: Vec<String> = rows.iter().take(15).map(|(_, cells)| cells[1].clone()).collect();
        (ids == by_priority).then_some(())
    })
    .await;
    // Saved per table: another table, then back, and the sort is still there.
    click(&client, "#save-view", PATIENCE).await;
    element(&client, "#saved-view", PATIENCE).await;
    click(&client, ".table-node[data-table='public.projects']", PATIENCE).await;
    eventually("projects open", PATIENCE, || async {
        client
            .find(Locator::Css(".header-cell[data-column='priority']"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    click(&client, ".table-node[data-table='public.todos']", PATIENCE).await;
    element(
        &client,
        ".header-cell[data-column='priority'] .sort-mark[data-direction='desc']",
        PATIENCE,
    )
    .await;
    click(&client, "#forget-view", PATIENCE).await;
    element(&client, "#save-view", PATIENCE).await;
    click(&client, ".header-cell[data-column='priority']", PATIENCE).await;
    eventually("key order again", PATIENCE, || async {
        let rows = rendered_rows(&client).await;
        (rows.first().map(|(_, cells)| cells[1].as_str()) == Some("1")).then_some(())
    })
    .await;

    // The million-row table: scrolling fetches further pages by key, while the
    // DOM holds only what is visible.
    events.click().await.unwrap();
    eventually("the first page of events", PATIENCE, || async {
        let rows = rendered_rows(&client).await;
        (loaded_rows(&client).await >= 200 && rows.first().map(|r| r.1[1].as_str()) == Some("1"))
            .then_some(())
    })
    .await;
    // jsonb opens as a tree.
    click(&client, ".grid-row[data-row-index='0'] .open-row", PATIENCE).await;
    element(
        &client,
        "#row-panel .form-field[data-column='payload'] .json-view details",
        PATIENCE,
    )
    .await;
    save_screenshot(&client, "row-panel-json").await;
    click(&client, "#close-row-panel", PATIENCE).await;
    for _ in 0..4 {
        let before = loaded_rows(&client).await;
        scroll_grid_to_loaded_end(&client).await;
        eventually("another page after scrolling", PATIENCE, || async {
            (loaded_rows(&client).await > before).then_some(())
        })
        .await;
    }
    let loaded = loaded_rows(&client).await;
    assert!(loaded >= 1000, "five pages of 200 loaded, got {loaded}");
    scroll_grid_to_loaded_end(&client).await;
    let rendered = eventually("rows near the bottom", PATIENCE, || async {
        let rows = rendered_rows(&client).await;
        (rows.last().map(|r| r.0 + 1 >= loaded.saturating_sub(1))?).then_some(rows)
    })
    .await;
    assert!(
        rendered.len() < 80,
        "only visible rows are in the DOM, not {}",
        rendered.len()
    );
    for (index, cells) in &rendered {
        assert_eq!(
            cells[1],
            (index + 1).to_string(),
            "row {index} shows event id {}",
            index + 1
        );
    }
    let second_screenshot = save_screenshot(&client, "explorer-events").await;
    eprintln!(
        "screenshots: {} {}",
        first_screenshot.display(),
        second_screenshot.display()
    );

    // The SQL tab explains a statement without running it.
    click(&client, "#tab-sql", PATIENCE).await;
    let editor = element(&client, "#sql-input", PATIENCE).await;
    editor
        .send_keys("SELECT * FROM public.events WHERE id = 7")
        .await
        .unwrap();
    click(&client, "#explain-sql", PATIENCE).await;
    let plan = element(&client, "#sql-plan", PATIENCE)
        .await
        .text()
        .await
        .unwrap();
    assert!(plan.contains("Index Scan"), "{plan}");

    // Running it lands in the searchable history.
    click(&client, "#run-sql", PATIENCE).await;
    element(&client, "#sql-note", PATIENCE).await;
    click(&client, "#sql-history summary", PATIENCE).await;
    let search = element(&client, "#history-search", PATIENCE).await;
    search.send_keys("events where").await.unwrap();
    let entry = element(&client, ".history-entry[data-outcome='done']", PATIENCE).await;
    let entry_text = entry.text().await.unwrap();
    assert!(
        entry_text.contains("public.events WHERE id = 7") && entry_text.contains("1 rows"),
        "{entry_text}"
    );
    search.send_keys(" nothing like this").await.unwrap();
    eventually("no match", PATIENCE, || async {
        client
            .find(Locator::Css(".history-entry"))
            .await
            .is_err()
            .then_some(())
    })
    .await;

    // A script runs statement by statement, each with its own result.
    set_textarea(
        &client,
        "#sql-input",
        "SELECT 1 AS first; -- a comment; here\nSELECT 'two;2' AS second",
    )
    .await;
    click(&client, "#run-sql", PATIENCE).await;
    element(&client, "#script-results[data-count='2']", PATIENCE).await;
    let second = element(
        &client,
        ".script-statement[data-index='1'] #sql-result td",
        PATIENCE,
    )
    .await;
    assert_eq!(
        second.prop("textContent").await.unwrap().as_deref(),
        Some("two;2")
    );

    // A long query can be cancelled on the server.
    set_textarea(&client, "#sql-input", "SELECT pg_sleep(60)").await;
    click(&client, "#run-sql", PATIENCE).await;
    click(&client, "#cancel-sql", PATIENCE).await;
    let banner = element(
        &client,
        ".sql-runner .error-banner[data-code='cancelled'], .error-banner[data-code='cancelled']",
        PATIENCE,
    )
    .await;
    assert!(banner.text().await.unwrap().contains("Cancelled"));

    client.close().await.unwrap();
}

/// The app on a fresh copy of the demo (so tests may write), signed in, with
/// `public.todos` open. Keep the driver alive as long as the client.
async fn todos_on_a_fresh_demo(name: &str) -> (fluxdesk_sandbox::TestDatabase, Driver, Client) {
    let database = fluxdesk_sandbox::fresh_database(fluxdesk_sandbox::Seed::Demo);
    let driver = Driver::start();
    let client = driver.launch(&["--dsn", &database.url, "--name", name]).await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, ".schema-node[data-schema='public']", PATIENCE).await;
    click(&client, ".table-node[data-table='public.todos']", PATIENCE).await;
    eventually("the first page of todos", PATIENCE, || async {
        (loaded_rows(&client).await >= 200).then_some(())
    })
    .await;
    (database, driver, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_are_staged_reviewed_committed_and_conflicts_shown() {
    let (database, _driver, client) = todos_on_a_fresh_demo("E2E editing").await;
    let first_id = database.psql("SELECT id FROM public.todos ORDER BY id LIMIT 1");
    let first_priority = database.psql(&format!(
        "SELECT priority FROM public.todos WHERE id = {first_id}"
    ));

    // A bad value is caught in the editor, before anything is staged.
    stage_edit(&client, 0, "priority", "two").await;
    let problem = element(&client, ".cell-editor-error", PATIENCE).await;
    assert!(problem.text().await.unwrap().contains("whole number"));
    // The server's own rule (CHECK priority BETWEEN 1 AND 4) is shown on the cell.
    set_input(&client, ".cell-editor", "9").await;
    click(&client, ".stage-cell", PATIENCE).await;
    stage_edit(&client, 0, "title", "Edited in the window ✓").await;
    element(&client, "#staged-bar[data-count='1']", PATIENCE).await;
    let staged = element(
        &client,
        ".grid-row[data-row-index='0'] .cell-slot[data-column='title'] .grid-cell.staged",
        PATIENCE,
    )
    .await;
    assert_eq!(
        staged.prop("textContent").await.unwrap().as_deref(),
        Some("Edited in the window ✓")
    );

    // Review shows the exact statement, with the row's version check.
    click(&client, "#review-changes", PATIENCE).await;
    let review = element(&client, "#review-sql", PATIENCE)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        review.starts_with("UPDATE \"public\".\"todos\" AS src SET")
            && review.contains("'Edited in the window ✓'"),
        "{review}"
    );
    assert!(
        review.contains("\"priority\" = '9'") && review.contains("src.xmin ="),
        "{review}"
    );

    click(&client, "#commit-changes", PATIENCE).await;
    let refused = element(&client, "#commit-error[data-column='priority']", PATIENCE).await;
    assert!(refused.text().await.unwrap().contains("check constraint"));
    element(
        &client,
        ".grid-row[data-row-index='0'] .cell-slot.cell-error[data-column='priority']",
        PATIENCE,
    )
    .await;
    // Nothing was applied, and nothing staged was lost.
    assert_ne!(
        database.psql(&format!("SELECT title FROM public.todos WHERE id = {first_id}")),
        "Edited in the window ✓"
    );
    element(&client, "#staged-bar[data-count='1']", PATIENCE).await;

    // Fix the priority in place and commit: one transaction, and the database has it.
    stage_edit(&client, 0, "priority", "3").await;
    click(&client, "#commit-changes", PATIENCE).await;
    let result = element(&client, "#commit-result", PATIENCE)
        .await
        .text()
        .await
        .unwrap();
    assert!(result.contains("1 rows changed"), "{result}");
    assert_eq!(
        database.psql(&format!(
            "SELECT title || '|' || priority FROM public.todos WHERE id = {first_id}"
        )),
        "Edited in the window ✓|3"
    );
    // The change is in the audit trail with the row before and after.
    assert_eq!(
        database.psql(
            "SELECT details->'before'->>'priority' || '>' || (details->'after'->>'priority') FROM fluxdesk.audit_events WHERE action = 'data.update'"
        ),
        format!("{first_priority}>3"),
    );

    // Someone else changes row 2 while I edit it: a conflict, theirs beside mine.
    let second_id = database.psql("SELECT id FROM public.todos ORDER BY id OFFSET 1 LIMIT 1");
    stage_edit(&client, 1, "title", "mine").await;
    database.psql(&format!(
        "UPDATE public.todos SET title = 'theirs' WHERE id = {second_id}"
    ));
    click(&client, "#commit-changes", PATIENCE).await;
    let theirs = element(
        &client,
        "#conflicts .conflict tr[data-column='title'] .theirs",
        PATIENCE,
    )
    .await;
    assert_eq!(
        theirs.prop("textContent").await.unwrap().as_deref(),
        Some("theirs")
    );
    let mine = element(
        &client,
        "#conflicts .conflict tr[data-column='title'] .yours",
        PATIENCE,
    )
    .await;
    assert_eq!(mine.prop("textContent").await.unwrap().as_deref(), Some("mine"));
    assert_eq!(
        database.psql(&format!("SELECT title FROM public.todos WHERE id = {second_id}")),
        "theirs"
    );
    // Keep mine: staged again at their version, then committed.
    click(&client, "#conflicts .keep-mine", PATIENCE).await;
    click(&client, "#commit-changes", PATIENCE).await;
    element(&client, "#commit-result", PATIENCE).await;
    eventually("my title committed over theirs", PATIENCE, || async {
        (database.psql(&format!("SELECT title FROM public.todos WHERE id = {second_id}")) == "mine")
            .then_some(())
    })
    .await;

    // Live: todos publishes to Fluxbase realtime. A change made elsewhere
    // shows up by itself, highlighted; a staged edit is not clobbered.
    element(&client, "#live-toggle:checked", PATIENCE).await;
    let third_id = database.psql("SELECT id FROM public.todos ORDER BY id OFFSET 2 LIMIT 1");
    stage_edit(&client, 3, "title", "my pending edit").await;
    let fourth_id = database.psql("SELECT id FROM public.todos ORDER BY id OFFSET 3 LIMIT 1");
    // One transaction: both notifications arrive together and one refresh
    // marks both rows (two refreshes would each mark only their own row).
    database.psql(&format!(
        "BEGIN; UPDATE public.todos SET title = 'changed live' WHERE id = {third_id}; \
         UPDATE public.todos SET notes = 'theirs too' WHERE id = {fourth_id}; COMMIT;"
    ));
    eventually("the live change painted", PATIENCE, || async {
        let rows = rendered_rows(&client).await;
        (rows.get(2)?.1.get(4)? == "changed live").then_some(())
    })
    .await;
    element(&client, ".grid-row.changed[data-row-index='2']", PATIENCE).await;
    // Row 4 carries my staged title over their new notes, marked as a clash.
    element(&client, ".grid-row.clash[data-row-index='3']", PATIENCE).await;
    let staged = element(
        &client,
        ".grid-row[data-row-index='3'] .cell-slot[data-column='title'] .grid-cell.staged",
        PATIENCE,
    )
    .await;
    assert_eq!(
        staged.prop("textContent").await.unwrap().as_deref(),
        Some("my pending edit")
    );
    click(&client, "#commit-changes", PATIENCE).await;
    element(&client, "#conflicts .conflict", PATIENCE).await;
    save_screenshot(&client, "explorer-editing").await;

    // Another table puts staged edits aside; coming back brings them back.
    click(&client, ".table-node[data-table='public.projects']", PATIENCE).await;
    eventually("projects open without todos' edits", PATIENCE, || async {
        client
            .find(Locator::Css("#staged-bar[data-count='1']"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    click(&client, ".table-node[data-table='public.todos']", PATIENCE).await;
    element(&client, "#staged-bar[data-count='1']", PATIENCE).await;
    element(
        &client,
        ".grid-row[data-row-index='3'] .cell-slot[data-column='title'] .grid-cell.staged",
        PATIENCE,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_the_big_table_with_progress_and_cancel() {
    let database = read_only_demo_database();
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E export"])
        .await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, ".schema-node[data-schema='public']", PATIENCE).await;
    click(&client, ".table-node[data-table='public.events']", PATIENCE).await;
    eventually("the first page of events", PATIENCE, || async {
        (loaded_rows(&client).await >= 200).then_some(())
    })
    .await;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("events.csv");
    click(&client, "#export-view", PATIENCE).await;
    set_input(&client, "#export-path", path.to_str().unwrap()).await;

    // Cancel while it streams: a clear message, and no file.
    click(&client, "#start-export", PATIENCE).await;
    click(&client, "#cancel-export", PATIENCE).await;
    let banner = element(&client, "#export-form .error-banner", PATIENCE).await;
    assert!(banner.text().await.unwrap().contains("cancelled"));
    assert!(!path.exists());
    assert!(!folder.path().join("events.csv.partial").exists());

    // Then the whole million, with progress on the way.
    click(&client, "#start-export", PATIENCE).await;
    let progress = element(&client, "#export-progress", PATIENCE).await;
    assert!(progress.text().await.is_ok());
    let done = element(&client, "#export-done", Duration::from_secs(180)).await;
    assert_eq!(done.attr("data-rows").await.unwrap().as_deref(), Some("1000000"));
    let lines = std::fs::read(&path)
        .unwrap()
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    assert_eq!(lines, 1_000_001, "header and a million rows");
}

/// Runs `action` (JavaScript) and resolves, after two animation frames, once
/// `painted` (a JavaScript condition) holds: the milliseconds in between, as
/// the page's own clock measures them.
async fn painted_after(client: &Client, action: &str, painted: &str) -> f64 {
    let script = format!(
        "const done = arguments[arguments.length - 1]; const started = performance.now(); {action}; \
         const check = () => ({painted}) \
           ? requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - started))) \
           : requestAnimationFrame(check); \
         requestAnimationFrame(check);"
    );
    client
        .execute_async(&script, vec![])
        .await
        .unwrap()
        .as_f64()
        .expect("milliseconds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_big_table_scrolls_to_the_middle_filters_and_takes_an_edit() {
    let database = fluxdesk_sandbox::fresh_database(fluxdesk_sandbox::Seed::Demo);
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E big table"])
        .await;
    // A schema of 10,000 tables beside the demo's.
    database.psql("CREATE SCHEMA wide;");
    for batch in 0..10 {
        database.psql(&format!(
            "DO $$ BEGIN FOR i IN {}..{} LOOP \
               EXECUTE format('CREATE TABLE wide.t%s (id int PRIMARY KEY, n int)', i); END LOOP; END $$;",
            batch * 1000 + 1,
            batch * 1000 + 1000
        ));
    }
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    element(&client, ".schema-node[data-schema='wide']", PATIENCE).await;
    let opened_wide = painted_after(
        &client,
        "document.querySelector(\".schema-node[data-schema='wide']\").click()",
        "document.querySelector('.tree-more[data-hidden]')",
    )
    .await;
    println!("FIGURE e2e_open_schema_of_10000_tables_to_painted_ms={opened_wide:.1}");
    let more = element(&client, ".tree-more", PATIENCE).await;
    assert_eq!(
        more.attr("data-hidden").await.unwrap().as_deref(),
        Some("9700"),
        "300 shown, the rest on request"
    );
    set_input(&client, "#tree-filter", "t9999").await;
    eventually("the filtered tree", PATIENCE, || async {
        let nodes = client
            .find_all(Locator::Css(".table-node[data-table^='wide.']"))
            .await
            .ok()?;
        (nodes.len() == 1).then_some(())
    })
    .await;
    element(&client, ".table-node[data-table='wide.t9999']", PATIENCE).await;
    set_input(&client, "#tree-filter", "").await;
    click(&client, ".schema-node[data-schema='wide']", PATIENCE).await;
    click(&client, ".schema-node[data-schema='public']", PATIENCE).await;
    element(&client, ".table-node[data-table='public.events']", PATIENCE).await;
    element(&client, ".table-node[data-table='public.todos']", PATIENCE).await;

    // Click → rows painted: the million-row table against the 250 todos.
    let painted = |table: &str| {
        format!(
            "document.querySelector('.grid-title')?.textContent === '{table}' \
             && document.querySelector(\"#grid-status[data-loading='false']\") \
             && document.querySelector(\".grid-row[data-row-index='0'] .cell-slot\")"
        )
    };
    let click_table =
        |table: &str| format!("document.querySelector(\".table-node[data-table='{table}']\").click()");
    let small = painted_after(&client, &click_table("public.todos"), &painted("public.todos")).await;
    let opened = painted_after(&client, &click_table("public.events"), &painted("public.events")).await;
    println!("FIGURE e2e_click_small_table_to_rows_painted_ms={small:.1}");
    println!("FIGURE e2e_click_table_to_rows_painted_ms={opened:.1}");
    let status = element(&client, "#grid-status", PATIENCE).await;
    let total: usize = status.attr("data-total").await.unwrap().unwrap().parse().unwrap();
    assert!(total >= 990_000, "the scrollbar spans the whole table: {total}");

    // Scrolling one screen within loaded rows, then dragging the scrollbar to
    // the middle: there the rows are found by sample and key, with at most a
    // page or two loaded.
    let screen = painted_after(
        &client,
        "const v = document.querySelector('.grid-viewport'); v.scrollTop = v.scrollTop + v.clientHeight; \
         v.dispatchEvent(new Event('scroll'))",
        "[...document.querySelectorAll('.grid-row')].some(r => Number(r.dataset.rowIndex) > 40 && r.querySelector('.cell-slot'))",
    )
    .await;
    println!("FIGURE e2e_scroll_one_screen_to_rows_painted_ms={screen:.1}");
    let middle = painted_after(
        &client,
        "const v = document.querySelector('.grid-viewport'); v.scrollTop = (v.scrollHeight - v.clientHeight) / 2; \
         v.dispatchEvent(new Event('scroll'))",
        "[...document.querySelectorAll('.grid-row')].some(r => Number(r.dataset.rowIndex) > 400000 && r.querySelector('.cell-slot'))",
    )
    .await;
    println!("FIGURE e2e_scroll_to_middle_to_rows_painted_ms={middle:.1}");
    let rows = eventually("rows from the middle of the table", PATIENCE, || async {
        let rows = rendered_rows(&client).await;
        rows.iter()
            .any(|(index, cells)| *index > 400_000 && cells.len() > 2)
            .then_some(rows)
    })
    .await;
    let (_, cells) = rows.iter().find(|(index, _)| *index > 400_000).unwrap();
    let id: i64 = cells[1].parse().unwrap();
    assert!(
        (400_000..600_000).contains(&id),
        "the middle holds the middle ids: {id}"
    );
    assert!(
        loaded_rows(&client).await <= 1000,
        "a jump loads pages, not the table"
    );
    let dom_rows = client.find_all(Locator::Css(".grid-row")).await.unwrap().len();
    assert!(dom_rows < 100, "only rows in view are in the DOM: {dom_rows}");

    // Filter on the server: purchases only.
    click(&client, "#add-condition", PATIENCE).await;
    client
        .execute(
            "const c = document.querySelector('.filter-condition .filter-column'); c.value = 'kind'; \
             c.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    set_input(&client, ".filter-condition .filter-value", "purchase").await;
    click(&client, "#apply-filter", PATIENCE).await;
    let filtered = eventually("the filtered first page", PATIENCE, || async {
        let rows = rendered_rows(&client).await;
        (rows.first().map(|(index, _)| *index) == Some(0)
            && rows
                .iter()
                .all(|(_, cells)| cells.get(4).map(String::as_str) == Some("purchase")))
        .then_some(rows)
    })
    .await;
    let first_id = filtered[0].1[1].clone();
    // The planner's estimate sizes the filtered view's scrollbar, so it can be jumped in too.
    let status = element(&client, "#grid-status", PATIENCE).await;
    let total: usize = status.attr("data-total").await.unwrap().unwrap().parse().unwrap();
    assert!(total > 100_000, "about 200,000 purchases: {total}");
    assert!(status.text().await.unwrap().contains("rows match (estimate)"));
    assert_eq!(
        first_id,
        database.psql("SELECT min(id) FROM public.events WHERE kind = 'purchase'")
    );

    // Edit a cell of the filtered view, review, commit; the database has it.
    stage_edit(&client, 0, "path", "/edited-in-e2e").await;
    click(&client, "#review-changes", PATIENCE).await;
    let review = element(&client, "#review-sql", PATIENCE)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        review.contains("UPDATE \"public\".\"events\"") && review.contains("'/edited-in-e2e'"),
        "{review}"
    );
    click(&client, "#commit-changes", PATIENCE).await;
    element(&client, "#commit-result", PATIENCE).await;
    assert_eq!(
        database.psql(&format!("SELECT path FROM public.events WHERE id = {first_id}")),
        "/edited-in-e2e"
    );
    save_screenshot(&client, "explorer-big-table").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_operations_and_new_rows_commit_in_one_transaction() {
    let (database, _driver, client) = todos_on_a_fresh_demo("E2E batch").await;
    let ids: Vec<String> = database
        .psql("SELECT id FROM public.todos ORDER BY id LIMIT 10")
        .lines()
        .map(str::to_owned)
        .collect();
    let select = |row: usize| format!(".grid-row[data-row-index='{row}'] .select-row");

    // Set a column on two selected rows.
    click(&client, &select(5), PATIENCE).await;
    click(&client, &select(6), PATIENCE).await;
    element(&client, "#selection-count[data-count='2']", PATIENCE).await;
    client
        .execute(
            "const c = document.querySelector('#set-column-name'); c.value = 'notes'; \
             c.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    set_input(&client, "#set-column-value", "batch note").await;
    click(&client, "#set-column", PATIENCE).await;
    element(&client, "#staged-bar[data-count='2']", PATIENCE).await;
    // Clear the selection, then copy two rows and delete one.
    click(&client, &select(5), PATIENCE).await;
    click(&client, &select(6), PATIENCE).await;
    click(&client, &select(7), PATIENCE).await;
    click(&client, &select(8), PATIENCE).await;
    click(&client, "#duplicate-selected", PATIENCE).await;
    click(&client, &select(9), PATIENCE).await;
    click(&client, "#delete-selected", PATIENCE).await;
    element(&client, ".grid-row.deleted[data-row-index='9']", PATIENCE).await;

    // A new row shows each column's default until a value is typed.
    click(&client, "#insert-row", PATIENCE).await;
    let priority = element(
        &client,
        ".new-row[data-index='0'] .new-row-field[data-column='priority'] input",
        PATIENCE,
    )
    .await;
    assert_eq!(
        priority.attr("placeholder").await.unwrap().as_deref(),
        Some("default: 2")
    );
    set_input(
        &client,
        ".new-row[data-index='0'] .new-row-field[data-column='title'] input",
        "inserted in e2e",
    )
    .await;
    // auth.uid() (the default) is NULL outside a request: name the owner.
    let owner = database.psql("SELECT user_id FROM public.todos ORDER BY id LIMIT 1");
    set_input(
        &client,
        ".new-row[data-index='0'] .new-row-field[data-column='user_id'] input",
        &owner,
    )
    .await;
    element(&client, "#staged-bar[data-count='6']", PATIENCE).await;

    click(&client, "#commit-changes", PATIENCE).await;
    let result = element(&client, "#commit-result", PATIENCE)
        .await
        .text()
        .await
        .unwrap();
    assert!(result.contains("6 rows changed in one transaction"), "{result}");
    assert_eq!(
        database.psql(&format!(
            "SELECT string_agg(notes, ',' ORDER BY id) FROM public.todos WHERE id IN ({}, {})",
            ids[5], ids[6]
        )),
        "batch note,batch note"
    );
    assert_eq!(
        database.psql(&format!(
            "SELECT count(*) FROM public.todos WHERE id = {}",
            ids[9]
        )),
        "0"
    );
    assert_eq!(
        database.psql("SELECT count(*) FROM public.todos"),
        "252",
        "250 + 2 copies - 1 deleted + 1 new"
    );
    assert_eq!(
        database.psql("SELECT priority || ',' || done FROM public.todos WHERE title = 'inserted in e2e'"),
        "2,false",
        "the new row took its defaults"
    );
}
