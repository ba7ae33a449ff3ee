//! The Users tab end to end, in the real window: search app users on the
//! server, sort by last sign-in, open one, change their role, try invalid
//! metadata, reset their password (every session ends, the temporary
//! password is shown once and works), and see both audit events; then
//! lock and unlock him for a week, invite a user, lock two users picked
//! from two searches in one batch,
//! and delete one with their email typed and the cascades listed.

use e2e_support::{
    DEMO_ADMIN, Driver, click, element, eventually, save_screenshot, set_input, sign_in, text_of,
};
use fantoccini::{Client, Locator};
use fluxdesk_sandbox::{Seed, fresh_database};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);

/// The text of `css`, once it is there (asked again if a re-render replaced it).
async fn text(client: &Client, css: &str) -> String {
    text_of(client, css, PATIENCE).await
}

/// Picks `value` in a select, as a user would, firing `change`.
async fn choose(client: &Client, css: &str, value: &str) {
    element(client, css, PATIENCE).await;
    client
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![css.into(), value.into()],
        )
        .await
        .unwrap();
}

/// Searches and waits until the list shows exactly `email`.
async fn search_for(client: &Client, email: &str) {
    set_input(client, "#users-search", email).await;
    eventually(email, PATIENCE, || async {
        (listed(client).await == vec![email.to_owned()]).then_some(())
    })
    .await;
}

/// The `data-email` of every row the list shows.
async fn listed(client: &Client) -> Vec<String> {
    let Ok(rows) = client.find_all(Locator::Css(".user-row")).await else {
        return Vec::new();
    };
    let mut emails = Vec::new();
    for row in rows {
        match row.attr("data-email").await {
            Ok(Some(email)) => emails.push(email),
            _ => return Vec::new(),
        }
    }
    emails
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_open_change_role_reset_password_and_see_the_audit_events() {
    let database = fresh_database(Seed::Demo);
    let ivan = database.psql("SELECT id FROM auth.users WHERE email = 'ivan@example.com'");
    let sessions = |database: &fluxdesk_sandbox::TestDatabase| {
        database.psql(&format!(
            "SELECT count(*) FROM auth.sessions WHERE user_id = '{ivan}'"
        ))
    };
    assert_ne!(sessions(&database), "0");
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E users"])
        .await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, "#tab-users", PATIENCE).await;
    eventually("the first page", PATIENCE, || async {
        (listed(&client).await.len() == 100).then_some(())
    })
    .await;
    let matching = text(&client, "#users-matching").await;
    assert!(matching.contains("about 1,010"), "{matching}");
    assert!(text(&client, "#search-index").await.contains("no trigram index"));

    // Sorting by last sign-in puts the newest session's user first, as SQL says.
    let newest = database.psql(
        "SELECT u.email FROM auth.users u JOIN auth.sessions s ON s.user_id = u.id ORDER BY s.created_at DESC, u.id DESC LIMIT 1",
    );
    click(&client, "th[data-sort='last_sign_in'] .sort-header", PATIENCE).await;
    eventually("newest sign-in first", PATIENCE, || async {
        let emails = listed(&client).await;
        (emails.first() == Some(&newest)).then_some(())
    })
    .await;
    // The next page is read by key and differs from the first.
    let first_page = listed(&client).await;
    click(&client, "#users-next", PATIENCE).await;
    eventually("page 2", PATIENCE, || async {
        let emails = listed(&client).await;
        (!emails.is_empty() && !emails.iter().any(|email| first_page.contains(email))).then_some(())
    })
    .await;
    assert_eq!(text(&client, "#users-page-number").await, "Page 2");

    // Search runs on the server.
    set_input(&client, "#users-search", "IVAN@").await;
    eventually("only ivan", PATIENCE, || async {
        (listed(&client).await == vec!["ivan@example.com".to_owned()]).then_some(())
    })
    .await;
    assert_eq!(
        text(&client, "#users-page-number").await,
        "Page 1",
        "a new search starts again"
    );
    click(
        &client,
        ".user-row[data-email='ivan@example.com'] .user-open",
        PATIENCE,
    )
    .await;
    assert_eq!(text(&client, "#user-detail-email").await, "ivan@example.com");
    assert_eq!(text(&client, "#users-matching").await, "1 user matches");
    // "View as this user" opens the impersonation switcher with him chosen.
    click(&client, "#user-view-as", PATIENCE).await;
    assert!(
        text(&client, "#impersonate-choice")
            .await
            .contains("ivan@example.com")
    );
    click(&client, "#impersonate-cancel", PATIENCE).await;

    // Role: free text, suggested from the roles in use.
    set_input(&client, "#user-role-input", "support-lead").await;
    click(&client, "#user-role-save", PATIENCE).await;
    eventually("the new role", PATIENCE, || async {
        (text(&client, "#user-detail-role").await == "support-lead").then_some(())
    })
    .await;
    assert_eq!(
        database.psql(&format!("SELECT role FROM auth.users WHERE id = '{ivan}'")),
        "support-lead"
    );
    eventually("the list's role", PATIENCE, || async {
        (text(&client, ".user-row[data-email='ivan@example.com'] .user-role").await == "support-lead")
            .then_some(())
    })
    .await;

    // Invalid metadata is refused before it is sent.
    set_input(&client, "#user-metadata-app", "{\"plan\": ").await;
    assert!(
        text(&client, "#user-metadata-app-error")
            .await
            .contains("Not valid JSON")
    );
    let disabled = element(&client, "#save-app-metadata", PATIENCE)
        .await
        .prop("disabled")
        .await
        .unwrap();
    assert_eq!(disabled.as_deref(), Some("true"));

    // Reset: confirmed, every session ends, the password is shown once and works.
    click(&client, "#reset-password-temporary", PATIENCE).await;
    click(&client, "#user-confirm-yes", PATIENCE).await;
    let password = text(&client, "#user-shown-once-secret").await;
    assert_eq!(password.len(), 16, "{password}");
    assert_eq!(sessions(&database), "0");
    assert_eq!(
        database.psql(&format!(
            "SELECT password_hash = crypt('{password}', password_hash) FROM auth.users WHERE id = '{ivan}'"
        )),
        "t"
    );

    // Both changes are in the user's audit events.
    for action in ["user.set_role", "user.password_reset"] {
        element(
            &client,
            &format!(".user-audit-event[data-action='{action}']"),
            PATIENCE,
        )
        .await;
    }
    let event = text(&client, ".user-audit-event[data-action='user.password_reset']").await;
    assert!(event.contains(DEMO_ADMIN.0), "{event}");
    assert_eq!(
        database.psql("SELECT count(*) FROM fluxdesk.audit_events WHERE action IN ('user.set_role', 'user.password_reset')"),
        "2"
    );
    save_screenshot(&client, "users-detail").await;
    assert!(
        !database
            .psql("SELECT string_agg(details::text, ' ') FROM fluxdesk.audit_events")
            .contains(&password),
        "the password is never recorded"
    );

    // Lock him for 7 days from the pane (confirmed), then unlock him.
    choose(&client, "#lock-duration", "168").await;
    click(&client, "#lock-user", PATIENCE).await;
    let question = text(&client, "#user-confirm").await;
    assert!(
        question.contains("ivan@example.com") && question.contains("until"),
        "{question}"
    );
    click(&client, "#user-confirm-yes", PATIENCE).await;
    eventually("ivan locked for a week", PATIENCE, || async {
        let locked = database.psql(&format!(
            "SELECT is_locked AND locked_until BETWEEN now() + interval '6 days 23 hours' AND now() + interval '7 days 1 hour' \
             FROM auth.users WHERE id = '{ivan}'"
        ));
        (locked == "t").then_some(())
    })
    .await;
    // The pane reads him again after the change; wait for that, not just the database.
    eventually("the pane shows the lock", PATIENCE, || async {
        text(&client, "#user-detail-locked")
            .await
            .starts_with("until")
            .then_some(())
    })
    .await;
    click(&client, "#unlock-user", PATIENCE).await;
    eventually("ivan unlocked", PATIENCE, || async {
        (database.psql(&format!("SELECT is_locked FROM auth.users WHERE id = '{ivan}'")) == "f").then_some(())
    })
    .await;
    element(&client, ".user-audit-event[data-action='user.unlock']", PATIENCE).await;

    // Invite: the temporary password is shown once; the user exists with role user.
    click(&client, "#invite-user-open", PATIENCE).await;
    set_input(&client, "#invite-user-email", "e2e.person@example.com").await;
    click(&client, "#invite-user-submit", PATIENCE).await;
    eventually("the invite's secret", PATIENCE, || async {
        let label = text(&client, "#user-shown-once p").await;
        label.contains("e2e.person@example.com").then_some(())
    })
    .await;
    assert_eq!(
        database.psql("SELECT role, email_verified FROM auth.users WHERE email = 'e2e.person@example.com'"),
        "user|f"
    );

    // A batch: two users ticked in two searches, locked for an hour together, after the count.
    click(&client, "#user-detail-close", PATIENCE).await;
    search_for(&client, "judy@example.com").await;
    click(
        &client,
        ".user-row[data-email='judy@example.com'] .user-select",
        PATIENCE,
    )
    .await;
    search_for(&client, "carol@example.com").await;
    click(
        &client,
        ".user-row[data-email='carol@example.com'] .user-select",
        PATIENCE,
    )
    .await;
    assert!(text(&client, "#users-bulk").await.contains("2 selected"));
    choose(&client, "#bulk-lock-duration", "1").await;
    click(&client, "#bulk-lock", PATIENCE).await;
    let count = element(&client, "#bulk-count", PATIENCE).await;
    assert_eq!(count.attr("data-users").await.unwrap().as_deref(), Some("2"));
    click(&client, "#bulk-apply", PATIENCE).await;
    eventually("both locked for about an hour", PATIENCE, || async {
        let locked = database.psql(
            "SELECT count(*) FROM auth.users WHERE email IN ('judy@example.com', 'carol@example.com') \
             AND is_locked AND locked_until BETWEEN now() + interval '50 minutes' AND now() + interval '70 minutes'",
        );
        (locked == "2").then_some(())
    })
    .await;
    assert_eq!(
        database.psql("SELECT count(*) FROM fluxdesk.audit_events WHERE action = 'user.bulk'"),
        "1"
    );
    eventually("the selection cleared", PATIENCE, || async {
        client
            .find(Locator::Css("#users-bulk"))
            .await
            .is_err()
            .then_some(())
    })
    .await;

    // Delete: the cascades are listed, and the button waits for the email.
    search_for(&client, "frank@example.com").await;
    click(
        &client,
        ".user-row[data-email='frank@example.com'] .user-open",
        PATIENCE,
    )
    .await;
    eventually("frank's pane", PATIENCE, || async {
        (text(&client, "#user-detail-email").await == "frank@example.com").then_some(())
    })
    .await;
    click(&client, "#delete-user-open", PATIENCE).await;
    let cascade = text(
        &client,
        "#delete-user-confirm .cascade[data-table='auth.oauth_links']",
    )
    .await;
    assert!(cascade.contains("deleted too"), "{cascade}");
    let submit = element(&client, "#delete-user-submit", PATIENCE).await;
    assert_eq!(submit.prop("disabled").await.unwrap().as_deref(), Some("true"));
    set_input(&client, "#delete-user-email", "FRANK@example.com").await;
    click(&client, "#delete-user-submit", PATIENCE).await;
    eventually("frank gone", PATIENCE, || async {
        (database.psql("SELECT count(*) FROM auth.users WHERE email = 'frank@example.com'") == "0")
            .then_some(())
    })
    .await;
    eventually("the pane closed", PATIENCE, || async {
        client
            .find(Locator::Css("#user-detail"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    assert_eq!(
        database.psql("SELECT count(*) FROM auth.oauth_links WHERE provider = 'github'"),
        "0"
    );
    save_screenshot(&client, "users-after-batch").await;
}
