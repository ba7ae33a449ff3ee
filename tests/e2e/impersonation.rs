//! Impersonation end to end, in the real window: act as a demo user from the
//! header's switcher, open their table and see only their rows, check what
//! RLS explains, try a write (a dry run), stop and see every row again; then
//! "View as this user" from a user's row, which asks for a step-up.

use e2e_support::{
    DEMO_ADMIN, Driver, click, element, eventually, save_screenshot, set_input, sign_in, stage_edit, text_of,
};
use fantoccini::{Client, Locator};
use fluxdesk_sandbox::{Seed, fresh_database};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);
const BOB: &str = "a0000000-0000-4000-8000-000000000002";

async fn status(client: &Client, attribute: &str) -> String {
    let status = element(client, "#grid-status", PATIENCE).await;
    status.attr(attribute).await.unwrap().unwrap_or_default()
}

/// The `user_id` of every row the grid has rendered; empty while the grid
/// re-renders under us (callers ask again).
async fn owners(client: &Client) -> Vec<String> {
    let Ok(cells) = client
        .find_all(Locator::Css(
            ".grid-row .cell-slot[data-column='user_id'] .grid-cell",
        ))
        .await
    else {
        return Vec::new();
    };
    let mut owners = Vec::new();
    for cell in cells {
        match cell.prop("textContent").await {
            Ok(text) => owners.push(text.unwrap_or_default()),
            // A cell replaced by a re-render since it was found.
            Err(_) => return Vec::new(),
        }
    }
    owners
}

/// The text of `css`, once it is there (asked again if a re-render replaced it).
async fn text(client: &Client, css: &str) -> String {
    text_of(client, css, PATIENCE).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impersonate_a_user_see_only_their_rows_stop_and_see_all() {
    let database = fresh_database(Seed::Demo);
    let everyone: usize = database
        .psql("SELECT count(*) FROM public.todos")
        .parse()
        .unwrap();
    let bobs: usize = database
        .psql(&format!(
            "SELECT count(*) FROM public.todos WHERE user_id = '{BOB}'"
        ))
        .parse()
        .unwrap();
    assert!(bobs > 0 && bobs < everyone);
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E impersonation"])
        .await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, ".schema-node[data-schema='public']", PATIENCE).await;
    click(&client, ".table-node[data-table='public.todos']", PATIENCE).await;
    eventually("every owner's todos", PATIENCE, || async {
        let owners = owners(&client).await;
        (owners.len() > 20 && owners.iter().any(|o| o != BOB)).then_some(())
    })
    .await;
    assert!(client.find(Locator::Css("#impersonation-banner")).await.is_err());

    // The switcher searches app users on the server; a reason is required.
    click(&client, "#impersonate-open", PATIENCE).await;
    set_input(&client, "#impersonate-search", "bob@").await;
    click(
        &client,
        ".impersonate-result[data-email='bob@example.com']",
        PATIENCE,
    )
    .await;
    click(&client, "#impersonate-start", PATIENCE).await;
    let refused = text(&client, "#impersonation-switcher .error-banner").await;
    assert!(refused.contains("reason"), "{refused}");
    set_input(&client, "#impersonate-reason", "E2E: bob cannot see his todos").await;
    click(&client, "#impersonate-start", PATIENCE).await;

    // The banner says who, as which role, and why; the grid reads again as bob.
    let who = text(&client, "#impersonation-banner").await;
    assert!(
        who.contains("bob@example.com") && who.contains("authenticated"),
        "{who}"
    );
    assert!(
        text(&client, "#impersonation-reason")
            .await
            .contains("bob cannot see his todos")
    );
    eventually("only bob's todos", PATIENCE, || async {
        let owners = owners(&client).await;
        let loaded: usize = status(&client, "data-loaded-rows").await.parse().unwrap_or(0);
        (loaded == bobs && owners.len() == bobs && owners.iter().all(|o| o == BOB)).then_some(())
    })
    .await;

    // RLS insight: admin sees all, bob his own, and the policies that say why.
    click(&client, "#rls-insight-open", PATIENCE).await;
    eventually("the counts", PATIENCE, || async {
        let admin = text(&client, "#rls-admin-rows").await;
        let identity = text(&client, "#rls-identity-rows").await;
        (admin == everyone.to_string() && identity == bobs.to_string()).then_some(())
    })
    .await;
    element(
        &client,
        ".policy.applies[data-policy='todos_owner_all']",
        PATIENCE,
    )
    .await;
    let policy = text(&client, ".policy[data-policy='todos_owner_all']").await;
    assert!(policy.contains("auth.uid()"), "{policy}");
    save_screenshot(&client, "impersonation-insight").await;

    // A write from the SQL tab is a dry run: it reports bob's rows, changes nothing.
    let before = database.psql("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.todos t");
    click(&client, "#tab-sql", PATIENCE).await;
    set_input(&client, "#sql-input", "UPDATE public.todos SET done = NOT done").await;
    click(&client, "#run-sql", PATIENCE).await;
    let rows = text(&client, "#dry-run-rows strong").await;
    assert_eq!(rows, bobs.to_string());
    element(&client, "#commit-as-identity", PATIENCE).await;
    assert_eq!(
        database.psql("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.todos t"),
        before
    );
    click(&client, "#tab-data", PATIENCE).await;

    // Stop: the banner goes and every row is back.
    click(&client, "#impersonation-stop", PATIENCE).await;
    eventually("the banner gone and every owner back", PATIENCE, || async {
        let gone = client.find(Locator::Css("#impersonation-banner")).await.is_err();
        let owners = owners(&client).await;
        (gone && owners.len() > bobs && owners.iter().any(|o| o != BOB)).then_some(())
    })
    .await;
    assert_eq!(
        database.psql(
            "SELECT string_agg(impersonation_type || ':' || target_user_id || ':' || is_active::text || ':' || (ended_at IS NOT NULL)::text, ',') \
             FROM auth.impersonation_sessions WHERE user_agent LIKE 'Fluxdesk %'"
        ),
        format!("user:{BOB}:false:true")
    );

    // "View as this user" from an auth.users row; this start needs a step-up.
    click(&client, ".schema-node[data-schema='auth']", PATIENCE).await;
    click(&client, ".table-node[data-table='auth.users']", PATIENCE).await;
    click(&client, ".grid-row[data-row-index='0'] .open-row", PATIENCE).await;
    click(&client, "#view-as-user", PATIENCE).await;
    let chosen = text(&client, "#impersonate-choice").await;
    assert!(chosen.starts_with("Act as "), "{chosen}");
    set_input(&client, "#impersonate-reason", "E2E: from the row").await;
    click(&client, "#impersonate-start", PATIENCE).await;
    set_input(&client, "#step-up-secret", DEMO_ADMIN.1).await;
    click(&client, "#step-up-confirm", PATIENCE).await;
    let who = text(&client, "#impersonation-email").await;
    assert!(chosen.contains(&who), "{chosen} names {who}");
    assert_eq!(
        database.psql(
            "SELECT count(*) FROM auth.impersonation_sessions WHERE is_active AND user_agent LIKE 'Fluxdesk %'"
        ),
        "1"
    );
    client.close().await.unwrap();
}

/// Starts an impersonation from the header's switcher: `choose` picks whom.
async fn impersonate(client: &Client, choose: &str, reason: &str) {
    click(client, "#impersonate-open", PATIENCE).await;
    if let Some(email) = choose.strip_prefix("user:") {
        set_input(client, "#impersonate-search", email).await;
        click(
            client,
            &format!(".impersonate-result[data-email='{email}']"),
            PATIENCE,
        )
        .await;
    } else {
        click(client, choose, PATIENCE).await;
    }
    set_input(client, "#impersonate-reason", reason).await;
    click(client, "#impersonate-start", PATIENCE).await;
}

/// Answers the step-up dialog with the demo admin's password (no 2FA).
async fn step_up(client: &Client) {
    set_input(client, "#step-up-secret", DEMO_ADMIN.1).await;
    click(client, "#step-up-confirm", PATIENCE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_edit_is_a_dry_run_until_committed_as_the_identity_and_anon_is_told_why_it_is_denied() {
    let database = fresh_database(Seed::Demo);
    let bobs: usize = database
        .psql(&format!(
            "SELECT count(*) FROM public.todos WHERE user_id = '{BOB}'"
        ))
        .parse()
        .unwrap();
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E dry runs"])
        .await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, ".schema-node[data-schema='public']", PATIENCE).await;
    click(&client, ".table-node[data-table='public.todos']", PATIENCE).await;
    impersonate(&client, "user:bob@example.com", "E2E: try bob's edit").await;
    eventually("only bob's todos", PATIENCE, || async {
        let owners = owners(&client).await;
        (owners.len() == bobs && owners.iter().all(|o| o == BOB)).then_some(())
    })
    .await;

    // Commit runs the edit as bob and rolls it back: the database is untouched.
    stage_edit(&client, 0, "title", "renamed as bob (e2e)").await;
    click(&client, "#commit-changes", PATIENCE).await;
    let said = text(&client, "#commit-result").await;
    assert!(said.starts_with("Dry run"), "{said}");
    assert_eq!(
        database.psql("SELECT count(*) FROM public.todos WHERE title = 'renamed as bob (e2e)'"),
        "0"
    );
    element(&client, "#staged-bar[data-count='1']", PATIENCE).await;

    // Committing as bob needs the step-up; then it is written, as bob.
    click(&client, "#commit-changes-as-identity", PATIENCE).await;
    step_up(&client).await;
    eventually("the edit committed", PATIENCE, || async {
        (database.psql("SELECT user_id FROM public.todos WHERE title = 'renamed as bob (e2e)'") == BOB)
            .then_some(())
    })
    .await;
    assert!(text(&client, "#commit-result").await.starts_with("Committed"));
    assert_eq!(
        database.psql(
            "SELECT details->'impersonation'->>'email' FROM fluxdesk.audit_events WHERE action = 'data.update'"
        ),
        "bob@example.com"
    );

    // anon has no GRANT on todos: the grid says so and names the fix.
    impersonate(&client, "#impersonate-anon", "E2E: what the public sees").await;
    step_up(&client).await;
    let denied = element(
        &client,
        ".grid .error-banner[data-code='permission_denied']",
        PATIENCE,
    )
    .await;
    let message = denied.prop("textContent").await.unwrap().unwrap_or_default();
    assert!(message.contains("GRANT SELECT ON todos TO anon"), "{message}");
    // The admin gate's 5 s poll must not bring back the previous identity.
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        text(&client, "#impersonation-email").await,
        "anonymous@fluxbase.local"
    );
    element(
        &client,
        ".grid .error-banner[data-code='permission_denied']",
        PATIENCE,
    )
    .await;
    save_screenshot(&client, "impersonation-anon-denied").await;
    client.close().await.unwrap();
}
