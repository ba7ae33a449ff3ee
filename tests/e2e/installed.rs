//! The installed package: what `dpkg -i` put on the machine, and one real
//! flow driven through the installed binary. `scripts/test.sh` installs the
//! `.deb` it built, then runs this file (ignored test included) with
//! `FLUXDESK_APP_BINARY=/usr/bin/fluxdesk`; in the main run the flow drives
//! the debug build.

use e2e_support::{DEMO_ADMIN, Driver, app_binary, click, element, eventually, save_screenshot, sign_in};
use fantoccini::Locator;
use fluxdesk_sandbox::{read_only_demo_database, shared_cluster};
use std::path::Path;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(60);

#[test]
#[ignore = "needs the installed package: scripts/test.sh runs it after dpkg -i"]
fn the_package_installed_the_app_its_launcher_icons_and_file_type() {
    assert_eq!(app_binary(), Path::new("/usr/bin/fluxdesk"));
    let launcher = std::fs::read_to_string("/usr/share/applications/Fluxdesk.desktop")
        .expect("the package installs a launcher");
    assert!(
        launcher.contains("Exec=fluxdesk %F"),
        "files open with the app: {launcher}"
    );
    assert!(
        launcher.contains("MimeType=application/x-fluxdesk-audit-bundle;"),
        "{launcher}"
    );
    let mime = std::fs::read_to_string("/usr/share/mime/packages/fluxdesk.xml")
        .expect("the package teaches the desktop the .fxaudit type");
    assert!(mime.contains("*.fxaudit"), "{mime}");
    for size in ["32x32", "128x128", "256x256@2"] {
        let icon = format!("/usr/share/icons/hicolor/{size}/apps/fluxdesk.png");
        assert!(Path::new(&icon).exists(), "{icon} is installed");
    }
    let status = std::process::Command::new("dpkg-query")
        .args(["-W", "-f=${Version} ${Status}", "fluxdesk"])
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout).into_owned();
    assert_eq!(
        status,
        format!("{} install ok installed", env!("CARGO_PKG_VERSION")),
        "the package carries the workspace version"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_installed_app_opens_the_demo_and_shows_a_table() {
    let database = read_only_demo_database();
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "Installed"])
        .await;
    element(&client, "#instance-status[data-state='connected']", PATIENCE).await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, ".schema-node[data-schema='public']", PATIENCE).await;
    click(&client, ".table-node[data-table='public.todos']", PATIENCE).await;
    let expected = shared_cluster()
        .psql(
            &database.name,
            "SELECT title FROM public.todos ORDER BY id LIMIT 1",
        )
        .unwrap();
    eventually("the first todo in the grid", PATIENCE, || async {
        let title = client
            .find(Locator::Css(
                ".grid-row[data-row-index='0'] .cell-slot[data-column='title']",
            ))
            .await
            .ok()?
            .prop("textContent")
            .await
            .ok()??;
        (title == expected.trim()).then_some(())
    })
    .await;
    save_screenshot(&client, "installed-app-todos").await;
    client.close().await.unwrap();
}
