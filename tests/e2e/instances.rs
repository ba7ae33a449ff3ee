//! Adding an instance by URL in the real window: a malformed URL is refused
//! with a clear message and nothing is lost; a good one connects, and the URL
//! (which may hold a password) does not stay in the form.

use e2e_support::{Driver, element, eventually, save_screenshot};
use fantoccini::{Client, Locator};
use fluxdesk_sandbox::read_only_demo_database;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);

async fn fill(client: &Client, css: &str, value: &str) {
    let input = element(client, css, PATIENCE).await;
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

async fn submit(client: &Client) {
    client
        .find(Locator::Css(".add-instance button[type='submit']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adds_an_instance_by_url_and_connects() {
    let database = read_only_demo_database();
    let driver = Driver::start();
    let client = driver.launch(&[]).await;

    // Started for no instance: the picker, not connected.
    element(&client, "#instance-status[data-state='idle']", PATIENCE).await;
    element(&client, ".add-instance", PATIENCE).await;

    // A malformed URL: a clear message, and what was typed stays.
    fill(&client, "#instance-name", "Local demo").await;
    fill(&client, "#instance-url", "mysql://root@localhost/app").await;
    submit(&client).await;
    let banner = element(
        &client,
        ".add-instance .error-banner[data-code='invalid_input']",
        PATIENCE,
    )
    .await;
    let message = banner.text().await.unwrap();
    assert!(
        message.contains("postgres://"),
        "the message says what is expected: {message}"
    );
    let name = element(&client, "#instance-name", PATIENCE)
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(name.as_deref(), Some("Local demo"), "nothing typed is lost");

    // A real URL over TCP with a password: connects, and the field is emptied.
    fill(&client, "#instance-url", &database.tcp_url).await;
    submit(&client).await;
    let status = element(&client, "#instance-status[data-state='connected']", PATIENCE).await;
    assert!(status.text().await.unwrap().contains("Local demo"));
    element(&client, ".schema-node[data-schema='public']", PATIENCE).await;

    // Back to the list: the instance is there, connected, with no password shown.
    element(&client, "#disconnect", PATIENCE)
        .await
        .click()
        .await
        .unwrap();
    let listed = eventually("the instance in the list", PATIENCE, || async {
        let items = client.find_all(Locator::Css(".instance-item")).await.ok()?;
        let first = items.first()?;
        first.prop("textContent").await.ok()?
    })
    .await;
    assert!(
        listed.contains("Local demo") && listed.contains("postgres@127.0.0.1:"),
        "{listed}"
    );
    let password = &database.password;
    let page = client.source().await.unwrap();
    assert!(!page.contains(password), "the password is nowhere in the page");
    save_screenshot(&client, "instances").await;

    client.close().await.unwrap();
}
