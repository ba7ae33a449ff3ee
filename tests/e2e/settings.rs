//! The Settings tab end to end, in the real window: change a setting, see
//! the diff, save, and find the change in the audit viewer; secrets show no
//! value and settings the admin may not change offer no editor; a bad value
//! is refused with the reason and the staged value kept. Then enable and
//! disable realtime on a table, and browse a bucket's objects.

use e2e_support::{
    DEMO_ADMIN, Driver, click, element, eventually, save_screenshot, set_input, sign_in, text_of,
};
use fantoccini::{Client, Locator};
use fluxdesk_sandbox::{Seed, fresh_database};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);
const LIMIT: &str = "app.ai.default_rate_limit_per_minute";
const ROWS: &str = "app.rpc.default_max_rows";

async fn text(client: &Client, css: &str) -> String {
    text_of(client, css, PATIENCE).await
}

fn row(key: &str) -> String {
    format!("tr.setting-row[data-key='{key}']")
}

async fn count(client: &Client, css: &str) -> usize {
    client
        .find_all(Locator::Css(css))
        .await
        .map(|found| found.len())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_a_setting_review_the_diff_save_and_find_it_in_the_audit_log() {
    let database = fresh_database(Seed::Demo);
    let ciphertext =
        database.psql("SELECT encrypted_value FROM app.settings WHERE key = 'app.email.smtp_password'");
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E settings"])
        .await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, "#tab-settings", PATIENCE).await;
    element(&client, &format!("{} .setting-editor", row(LIMIT)), PATIENCE).await;

    // Grouped by category; a secret shows no value, a service_role-only setting no editor.
    for category in ["auth", "system", "custom"] {
        element(
            &client,
            &format!(".settings-category[data-category='{category}']"),
            PATIENCE,
        )
        .await;
    }
    let secret = text(&client, &row("app.email.smtp_password")).await;
    assert!(secret.contains("secret, not shown"), "{secret}");
    assert_eq!(
        count(
            &client,
            &format!("{} .setting-editor", row("app.email.smtp_password"))
        )
        .await,
        0
    );
    let locked = text(&client, &row("app.functions.max_timeout_seconds")).await;
    assert!(locked.contains("Only service_role"), "{locked}");
    assert_eq!(
        count(
            &client,
            &format!("{} .setting-editor", row("app.functions.max_timeout_seconds"))
        )
        .await,
        0
    );
    let page = client.source().await.unwrap();
    assert!(!page.contains(&ciphertext) && !page.contains("[ENCRYPTED]"));

    // Stage two changes, one of them invalid: the reason shows and both stay staged.
    set_input(&client, &format!("{} .setting-editor", row(LIMIT)), "35").await;
    set_input(&client, &format!("{} .setting-editor", row(ROWS)), "lots").await;
    eventually("two staged changes", PATIENCE, || async {
        let bar = client
            .find(Locator::Css("#settings-staged"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        bar.contains("2 staged changes").then_some(())
    })
    .await;
    assert_eq!(count(&client, "tr.setting-row.staged").await, 2);
    click(&client, "#settings-review", PATIENCE).await;
    let refusal = text(&client, ".error-banner").await;
    assert!(
        refusal.contains(ROWS) && refusal.contains("not a number"),
        "{refusal}"
    );
    assert_eq!(count(&client, "tr.setting-row.staged").await, 2);
    // Typing the stored value back unstages it.
    set_input(&client, &format!("{} .setting-editor", row(ROWS)), "1000").await;
    eventually("one staged change", PATIENCE, || async {
        (count(&client, "tr.setting-row.staged").await == 1).then_some(())
    })
    .await;

    // The diff, then save.
    click(&client, "#settings-review", PATIENCE).await;
    let diff_css = format!("#settings-diff .setting-diff[data-key='{LIMIT}']");
    element(&client, &diff_css, PATIENCE).await;
    assert_eq!(text(&client, &format!("{diff_css} .diff-removed")).await, "- 20");
    assert_eq!(text(&client, &format!("{diff_css} .diff-added")).await, "+ 35");
    save_screenshot(&client, "settings-diff").await;
    click(&client, "#settings-save", PATIENCE).await;
    let notice = text(&client, "#settings-notice").await;
    assert!(notice.contains("Saved 1 change"), "{notice}");
    eventually("nothing staged", PATIENCE, || async {
        (count(&client, "tr.setting-row.staged").await == 0).then_some(())
    })
    .await;
    assert_eq!(
        database.psql(&format!("SELECT value FROM app.settings WHERE key = '{LIMIT}'")),
        "{\"value\": 35}"
    );
    // Once the reload after saving is in: who changed it last.
    eventually("updated by the admin", PATIENCE, || async {
        let updated = client
            .find(Locator::Css(&format!("{} .updated", row(LIMIT))))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        updated.contains(DEMO_ADMIN.0).then_some(())
    })
    .await;

    // The change, with its values before and after, in the audit viewer.
    click(&client, "#tab-audit", PATIENCE).await;
    let index = eventually("the setting.update event", PATIENCE, || async {
        let rows = client
            .find_all(Locator::Css("#audit-entries tr.audit-row"))
            .await
            .ok()?;
        for (index, row) in rows.iter().enumerate() {
            let text = row.text().await.ok()?;
            if text.contains("setting.update") && text.contains(LIMIT) {
                return Some(index);
            }
        }
        None
    })
    .await;
    // Scrolled into view first: the log may be longer than the window.
    client
        .execute(
            "const row = document.querySelectorAll('#audit-entries tr.audit-row')[arguments[0]]; \
             row.scrollIntoView({ block: 'center' }); row.click();",
            vec![index.into()],
        )
        .await
        .unwrap();
    let details = text(&client, "#audit-entries .audit-details").await;
    assert!(
        details.contains("\"before\": 20") && details.contains("\"after\": 35"),
        "{details}"
    );
    save_screenshot(&client, "settings-audit").await;

    // Realtime: enable on projects, see it listed, disable it again.
    click(&client, "#tab-settings", PATIENCE).await;
    click(&client, "#settings-section-realtime", PATIENCE).await;
    element(&client, "tr.realtime-row[data-table='public.todos']", PATIENCE).await;
    set_input(&client, "#realtime-table", "projects").await;
    set_input(&client, "#realtime-excluded", "description").await;
    click(&client, "#realtime-enable", PATIENCE).await;
    let notice = text(&client, "#realtime-notice").await;
    assert!(notice.contains("Realtime is on for public.projects"), "{notice}");
    let listed = text(&client, "tr.realtime-row[data-table='public.projects']").await;
    assert!(
        listed.contains("installed") && listed.contains("full"),
        "{listed}"
    );
    assert_eq!(
        database.psql("SELECT relreplident FROM pg_class WHERE oid = 'public.projects'::regclass"),
        "f"
    );
    click(
        &client,
        "tr.realtime-row[data-table='public.projects'] .realtime-disable",
        PATIENCE,
    )
    .await;
    click(&client, "#confirm-realtime-yes", PATIENCE).await;
    let notice = eventually("the disable note", PATIENCE, || async {
        let notice = client
            .find(Locator::Css("#realtime-notice"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        notice.starts_with("Put back").then_some(notice)
    })
    .await;
    assert!(notice.contains("replica identity default"), "{notice}");
    eventually("projects gone from the registry", PATIENCE, || async {
        (count(&client, "tr.realtime-row[data-table='public.projects']").await == 0).then_some(())
    })
    .await;
    assert_eq!(
        database.psql("SELECT relreplident FROM pg_class WHERE oid = 'public.projects'::regclass"),
        "d"
    );

    // Storage: counts as stored, and a bucket's objects by path.
    click(&client, "#settings-section-storage", PATIENCE).await;
    let objects = database.psql("SELECT count(*) FROM storage.objects WHERE bucket_id = 'user-uploads'");
    let counted = text(
        &client,
        "tr.bucket-row[data-bucket='user-uploads'] .bucket-objects",
    )
    .await;
    assert_eq!(counted, objects);
    click(
        &client,
        "tr.bucket-row[data-bucket='user-uploads'] .bucket-browse",
        PATIENCE,
    )
    .await;
    eventually("every object listed", PATIENCE, || async {
        (count(&client, "#objects-table tr.object-row").await.to_string() == objects).then_some(())
    })
    .await;
    set_input(&client, "#object-prefix", "alice/").await;
    eventually("only alice's objects", PATIENCE, || async {
        let rows = client
            .find_all(Locator::Css("#objects-table tr.object-row"))
            .await
            .ok()?;
        let mut paths = Vec::new();
        for row in &rows {
            paths.push(row.attr("data-path").await.ok()??);
        }
        (!paths.is_empty() && paths.iter().all(|path| path.starts_with("alice/"))).then_some(())
    })
    .await;
    save_screenshot(&client, "settings-buckets").await;
}
