//! Profiles in the real window: create one from a URL, test it, connect, see
//! the environment colour; start a second instance and see both in the fleet
//! overview. The password must reach the OS keyring and nowhere else: not the
//! store file, not the logs, not the page.

use e2e_support::{DEMO_ADMIN, Driver, click, element, eventually, save_screenshot, sign_in};
use fantoccini::{Client, Locator};
use fluxdesk_sandbox::{TestDatabase, read_only_demo_database, shared_cluster};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);

async fn fill(client: &Client, css: &str, value: &str) {
    let input = element(client, css, PATIENCE).await;
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

async fn choose(client: &Client, select_css: &str, value: &str) {
    client
        .execute(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1]; \
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![select_css.into(), value.into()],
        )
        .await
        .unwrap();
}

async fn create_from_url(client: &Client, name: &str, environment: &str, url: &str) {
    choose(client, "#switcher", "profiles").await;
    fill(client, "#url-profile-name", name).await;
    choose(client, "#url-profile-environment", environment).await;
    fill(client, "#url-profile-url", url).await;
    click(client, "#create-from-url", PATIENCE).await;
    element(
        client,
        &format!(".profile-card[data-profile-name='{name}']"),
        PATIENCE,
    )
    .await;
}

async fn card_button(client: &Client, name: &str, button: &str) {
    click(
        client,
        &format!(".profile-card[data-profile-name='{name}'] {button}"),
        PATIENCE,
    )
    .await;
}

async fn header_colour(client: &Client) -> String {
    client
        .execute(
            "return getComputedStyle(document.querySelector('.header')).borderTopColor;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn files_under(folder: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(folder) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else if let Ok(bytes) = std::fs::read(&path) {
                found.push((path, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_are_created_tested_connected_and_watched_side_by_side() {
    let demo: &TestDatabase = read_only_demo_database();
    let driver = Driver::start();
    let client = driver.launch(&[]).await;
    element(&client, "#from-url", PATIENCE).await;

    // A malformed URL: a clear message, and what was typed stays.
    fill(&client, "#url-profile-name", "Typo").await;
    fill(&client, "#url-profile-url", "mysql://root@localhost/app").await;
    click(&client, "#create-from-url", PATIENCE).await;
    let refused = element(
        &client,
        "#from-url .error-banner[data-code='invalid_input']",
        PATIENCE,
    )
    .await;
    assert!(
        refused.text().await.unwrap().contains("postgres://"),
        "the message says what is expected"
    );
    let kept = element(&client, "#url-profile-name", PATIENCE)
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Typo"), "nothing typed is lost");

    // Create from a URL holding the password; the form forgets it.
    create_from_url(&client, "E2E Production", "production", &demo.tcp_url).await;
    let card = element(
        &client,
        ".profile-card[data-profile-name='E2E Production']",
        PATIENCE,
    )
    .await;
    let card_text = card.text().await.unwrap();
    assert!(card_text.contains("password in the OS keyring"), "{card_text}");
    assert!(
        card_text.contains("read-only"),
        "production profiles start read-only: {card_text}"
    );
    let url_field = element(&client, "#url-profile-url", PATIENCE)
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        url_field.as_deref(),
        Some(""),
        "the URL (with its password) left the form"
    );

    // Test connection: a diagnosis in words.
    card_button(&client, "E2E Production", ".test-profile").await;
    let diagnosis = element(
        &client,
        ".profile-card[data-profile-name='E2E Production'] .diagnosis[data-connected='true']",
        PATIENCE,
    )
    .await;
    let diagnosis = diagnosis.text().await.unwrap();
    assert!(diagnosis.contains("Fluxbase 2026.3.6 layout"), "{diagnosis}");
    save_screenshot(&client, "profiles").await;

    // Connect: the chrome takes the production colour and says so.
    card_button(&client, "E2E Production", ".connect-profile").await;
    element(
        &client,
        ".app[data-environment='production'] #instance-status[data-state='connected']",
        PATIENCE,
    )
    .await;
    assert_eq!(
        element(&client, "#environment-badge", PATIENCE)
            .await
            .text()
            .await
            .unwrap(),
        "PRODUCTION"
    );
    assert_eq!(
        element(&client, "#protection-badge", PATIENCE)
            .await
            .text()
            .await
            .unwrap(),
        "READ-ONLY"
    );
    assert_eq!(
        header_colour(&client).await,
        "rgb(217, 45, 32)",
        "the production red tints the header"
    );
    let title = eventually("the window title", PATIENCE, || async {
        let title = client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 window.__TAURI__.window.getCurrentWindow().title().then(done, e => done('error: ' + e));",
                vec![],
            )
            .await
            .ok()?;
        let title = title.as_str()?.to_owned();
        title.contains("E2E Production").then_some(title)
    })
    .await;
    assert!(
        title.starts_with("⚠ PRODUCTION") && title.contains("read-only"),
        "native title: {title}"
    );

    // Read-only is the server's doing: a write from the SQL tab is refused.
    // (Signing in writes only Fluxdesk's own bookkeeping, even here.)
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, "#tab-sql", PATIENCE).await;
    fill(&client, "#sql-input", "UPDATE public.todos SET done = true").await;
    click(&client, "#run-sql", PATIENCE).await;
    let refused = element(
        &client,
        ".sql-runner .error-banner[data-code='read_only']",
        PATIENCE,
    )
    .await;
    assert!(refused.text().await.unwrap().contains("read-only"));
    save_screenshot(&client, "production-read-only").await;

    // A second instance, connected at the same time: staging confirms writes.
    let cluster = shared_cluster();
    let plain_name = format!("e2e_plain_{}", std::process::id());
    cluster.create_database(&plain_name, None).unwrap();
    let plain = cluster.address().tcp_url(&plain_name);
    create_from_url(&client, "E2E Staging", "staging", &plain).await;
    card_button(&client, "E2E Staging", ".connect-profile").await;
    element(
        &client,
        ".app[data-environment='staging'] #instance-status[data-state='connected']",
        PATIENCE,
    )
    .await;
    assert_eq!(header_colour(&client).await, "rgb(247, 144, 9)", "staging amber");
    assert_eq!(
        element(&client, "#protection-badge", PATIENCE)
            .await
            .text()
            .await
            .unwrap(),
        "CONFIRM WRITES"
    );

    // The write waits in its open transaction, with its affected rows, until committed.
    click(&client, "#tab-sql", PATIENCE).await;
    fill(
        &client,
        "#sql-input",
        "CREATE TABLE public.e2e_confirmed AS SELECT generate_series(1, 5) AS n",
    )
    .await;
    click(&client, "#run-sql", PATIENCE).await;
    let dialog = element(&client, "#confirm-write", PATIENCE).await;
    let dialog_text = dialog.text().await.unwrap();
    assert!(
        dialog_text.contains("CREATE TABLE public.e2e_confirmed"),
        "the exact SQL is shown: {dialog_text}"
    );
    assert_eq!(
        element(&client, "#pending-rows strong", PATIENCE)
            .await
            .text()
            .await
            .unwrap(),
        "5"
    );
    let exists = "SELECT to_regclass('public.e2e_confirmed') IS NOT NULL";
    assert_eq!(
        cluster.psql(&plain_name, exists).unwrap(),
        "f",
        "nothing is committed while the dialog waits"
    );
    save_screenshot(&client, "confirm-write").await;
    click(&client, "#commit-write", PATIENCE).await;
    let note = element(&client, "#sql-note", PATIENCE)
        .await
        .text()
        .await
        .unwrap();
    assert!(note.contains("committed"), "{note}");
    assert_eq!(
        cluster.psql(&plain_name, exists).unwrap(),
        "t",
        "committed after the user said so"
    );

    let options = client.find_all(Locator::Css("#switcher option")).await.unwrap();
    assert_eq!(
        options.len(),
        5,
        "profiles, fleet overview, the offline bundle review, and both instances"
    );
    let mut production_id = String::new();
    for option in &options {
        if option.text().await.unwrap().starts_with("E2E Production") {
            production_id = option.attr("value").await.unwrap().unwrap();
        }
    }
    choose(&client, "#switcher", &production_id).await;
    element(
        &client,
        ".app[data-environment='production'] #instance-status[data-state='connected']",
        PATIENCE,
    )
    .await;

    // A profile with no saved password: connecting asks for it, and the
    // typed password connects without being saved.
    let no_password = demo.tcp_url.replacen(&format!(":{}@", demo.password), "@", 1);
    create_from_url(&client, "E2E Ask", "development", &no_password).await;
    card_button(&client, "E2E Ask", ".connect-profile").await;
    let reason = element(&client, "#password-prompt #prompt-reason", PATIENCE)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        reason.contains("no password is saved"),
        "the prompt says why: {reason}"
    );
    fill(&client, "#prompt-password", &demo.password).await;
    click(&client, "#password-prompt button[type='submit']", PATIENCE).await;
    element(
        &client,
        ".app[data-environment='development'] #instance-status[data-state='connected']",
        PATIENCE,
    )
    .await;
    choose(&client, "#switcher", "profiles").await;
    let card = element(&client, ".profile-card[data-profile-name='E2E Ask']", PATIENCE).await;
    assert!(
        card.text().await.unwrap().contains("no password saved"),
        "the typed password was not saved"
    );

    // A hung instance: it accepts connections and never answers.
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hung_url = format!(
        "postgres://x@127.0.0.1:{}/db?connect_timeout=6",
        hung.local_addr().unwrap().port()
    );
    create_from_url(&client, "E2E Hung", "development", &hung_url).await;

    // The fleet overview: every instance side by side, each measured on its
    // own, so the reachable ones are shown while the hung one still waits.
    choose(&client, "#switcher", "fleet").await;
    for name in ["E2E Production", "E2E Staging"] {
        let row = element(
            &client,
            // Reachable, or slow on a loaded machine (over a second).
            &format!(
                ".fleet-row[data-profile-name='{name}']:not([data-state='checking']):not([data-state='unreachable'])"
            ),
            PATIENCE,
        )
        .await;
        let size = row
            .find(Locator::Css(".fleet-size"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            size.ends_with("iB") || size.ends_with(" B"),
            "{name}: size {size}"
        );
        let connections = row
            .find(Locator::Css(".usage-text"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(connections.contains(" / "), "{name}: connections {connections}");
    }
    let hung_state = element(&client, ".fleet-row[data-profile-name='E2E Hung']", PATIENCE)
        .await
        .attr("data-state")
        .await
        .unwrap();
    assert_eq!(
        hung_state.as_deref(),
        Some("checking"),
        "the reachable instances did not wait for the hung one"
    );
    let hung_row = element(
        &client,
        ".fleet-row[data-profile-name='E2E Hung'][data-state='unreachable']",
        PATIENCE,
    )
    .await;
    let hung_status = hung_row
        .find(Locator::Css(".fleet-status"))
        .await
        .unwrap()
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(hung_status.contains("timed out"), "{hung_status}");
    let layouts = eventually("both layouts", PATIENCE, || async {
        let cells = client.find_all(Locator::Css(".fleet-layout")).await.ok()?;
        let mut texts = Vec::new();
        for cell in cells {
            texts.push(cell.text().await.ok()?);
        }
        (texts.len() == 4).then_some(texts.join(" | "))
    })
    .await;
    assert!(
        layouts.contains("2026.3.6") && layouts.contains("plain PostgreSQL"),
        "{layouts}"
    );
    save_screenshot(&client, "fleet-overview").await;

    // The password is in the keyring only.
    let inputs = client
        .execute(
            "return Array.from(document.querySelectorAll('input, textarea')).map(e => e.value).join('\\n');",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        !inputs.as_str().unwrap_or_default().contains(&demo.password),
        "no form field keeps the password"
    );
    let page = client.source().await.unwrap();
    assert!(
        !page.contains(&demo.password),
        "the password is nowhere in the page"
    );
    let files = files_under(driver.home.path());
    let store = files
        .iter()
        .find(|(path, _)| path.ends_with("dev.fluxdesk.app/profiles.json"))
        .unwrap_or_else(|| {
            panic!(
                "the store file exists: {:?}",
                files.iter().map(|f| &f.0).collect::<Vec<_>>()
            )
        });
    assert!(store.1.contains("E2E Production"), "the profile is stored");
    let logs: Vec<_> = files
        .iter()
        .filter(|(path, _)| path.to_string_lossy().contains("/logs/"))
        .collect();
    assert!(!logs.is_empty(), "the app wrote its log");
    assert!(logs.iter().any(|(_, text)| text.contains("profile saved")));
    for (path, text) in &files {
        assert!(
            !text.contains(&demo.password),
            "the password leaked into {}",
            path.display()
        );
    }

    client.close().await.unwrap();
}
