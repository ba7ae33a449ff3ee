//! The app as a desktop citizen: the theme switch and its memory, the
//! window's size kept across launches, a second launch handing its bundle
//! to the running window, controls a keyboard and a screen reader can use,
//! the native menu's actions, the command palette and the About dialog, and
//! a screenshot of every main screen in both themes.

use e2e_support::{DEMO_ADMIN, Driver, click, element, eventually, save_screenshot, set_input, sign_in};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use fluxdesk_sandbox::read_only_demo_database;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(60);

/// The body's computed background colour, as `rgb(r, g, b)`.
async fn background(client: &Client) -> String {
    client
        .execute("return getComputedStyle(document.body).backgroundColor;", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// `data-theme` on the root element, `""` when the page follows the system.
async fn page_theme(client: &Client) -> String {
    client
        .execute(
            "return document.documentElement.getAttribute('data-theme') || '';",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Presses `keys` together (held in order, released in reverse), as a person would.
async fn press(client: &Client, keys: &[char]) {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys {
        actions = actions.then(KeyAction::Down { value: *key });
    }
    for key in keys.iter().rev() {
        actions = actions.then(KeyAction::Up { value: *key });
    }
    client.perform_actions(actions).await.unwrap();
}

/// Delivers a native menu item's click to the window, as the shell does.
async fn menu(client: &Client, id: &str) {
    client
        .execute(
            "return window.__TAURI__.event.emit('fluxdesk://menu-action', arguments[0]);",
            vec![id.into()],
        )
        .await
        .unwrap();
}

async fn choose_theme(client: &Client, theme: &str) {
    element(client, "#theme-switch", PATIENCE).await;
    client
        .execute(
            "const s = document.querySelector('#theme-switch'); s.value = arguments[0]; \
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![theme.into()],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_theme_switch_repaints_and_is_remembered() {
    let driver = Driver::start();
    let client = driver.launch(&[]).await;
    element(&client, "#from-url", PATIENCE).await;
    // Xvfb has no desktop theme: following the system means the light palette.
    assert_eq!(page_theme(&client).await, "");
    assert_eq!(background(&client).await, "rgb(247, 248, 250)");
    save_screenshot(&client, "theme-light-first-run").await;

    choose_theme(&client, "dark").await;
    eventually("the dark palette", PATIENCE, || async {
        (page_theme(&client).await == "dark" && background(&client).await == "rgb(17, 22, 29)").then_some(())
    })
    .await;
    save_screenshot(&client, "theme-dark-first-run").await;
    client.close().await.unwrap();

    // A new launch comes up dark, with the switch saying so.
    let client = driver.launch(&[]).await;
    eventually("the saved dark theme", PATIENCE, || async {
        (page_theme(&client).await == "dark").then_some(())
    })
    .await;
    let shown = element(&client, "#theme-switch", PATIENCE)
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(shown.as_deref(), Some("dark"));
    assert_eq!(background(&client).await, "rgb(17, 22, 29)");

    choose_theme(&client, "light").await;
    eventually("the light palette", PATIENCE, || async {
        (page_theme(&client).await == "light" && background(&client).await == "rgb(247, 248, 250)")
            .then_some(())
    })
    .await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_comes_back_at_the_size_it_was_left() {
    let driver = Driver::start();
    let client = driver.launch(&[]).await;
    element(&client, "#from-url", PATIENCE).await;
    let (_, _, width, height) = client.get_window_rect().await.unwrap();
    assert_eq!((width, height), (1280, 800), "the configured first size");
    client.set_window_size(1111, 777).await.unwrap();
    let state_file = driver
        .home
        .path()
        .join("config/dev.fluxdesk.app/.window-state.json");
    // Saved once the window has been still for a moment, without an orderly exit.
    eventually("the window state saved", PATIENCE, || async {
        let saved = std::fs::read_to_string(&state_file).ok()?;
        saved.contains("1111").then_some(())
    })
    .await;
    client.close().await.unwrap();

    let client = driver.launch(&[]).await;
    element(&client, "#from-url", PATIENCE).await;
    let (_, _, width, height) = client.get_window_rect().await.unwrap();
    assert_eq!((width, height), (1111, 777));
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_hands_its_bundle_to_the_running_window() {
    let driver = Driver::start();
    let client = driver.launch(&[]).await;
    element(&client, "#from-url", PATIENCE).await;
    let bundle = driver.home.path().join("handed over.fxaudit");
    std::fs::write(&bundle, "not a bundle at all\n").unwrap();

    // Relative to the second launch's folder, as a file manager may pass it.
    let status = driver.launch_again(
        &["handed over.fxaudit"],
        driver.home.path(),
        Duration::from_secs(30),
    );
    let status = status.expect("the second launch hands over and exits");
    assert!(status.success(), "the second launch exits cleanly: {status}");

    // The running window switched to offline review and tried that file.
    let expected = bundle.display().to_string();
    eventually(
        "the handed-over bundle in the review screen",
        PATIENCE,
        || async {
            let path = client
                .find(Locator::Css("#review-path"))
                .await
                .ok()?
                .prop("value")
                .await
                .ok()??;
            let banner = client
                .find(Locator::Css(".error-banner"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            (path == expected && banner.contains("not a Fluxdesk audit bundle")).then_some(())
        },
    )
    .await;
    save_screenshot(&client, "second-launch-handover").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controls_have_names_and_keyboard_focus_is_visible() {
    let driver = Driver::start();
    let client = driver.launch(&[]).await;
    element(&client, "#from-url", PATIENCE).await;
    let unnamed = client
        .execute(
            "return Array.from(document.querySelectorAll('button, input, select, textarea'))\
               .filter(c => c.offsetParent !== null)\
               .filter(c => !(c.getAttribute('aria-label') || (c.labels && c.labels.length) \
                   || c.textContent.trim() || c.title || c.placeholder))\
               .map(c => c.outerHTML.slice(0, 120));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(unnamed, serde_json::json!([]), "every visible control has a name");

    // Tab moves focus from the page to its first control, and shows where.
    client
        .execute("document.activeElement && document.activeElement.blur();", vec![])
        .await
        .unwrap();
    press(&client, &[Key::Tab.into()]).await;
    let outline = eventually("a focused control with an outline", PATIENCE, || async {
        let style = client
            .execute(
                "const e = document.activeElement; if (!e || e === document.body) return null; \
                 const s = getComputedStyle(e); return [e.tagName, s.outlineStyle, s.outlineWidth];",
                vec![],
            )
            .await
            .ok()?;
        (!style.is_null()).then_some(style)
    })
    .await;
    assert_ne!(outline[1], "none", "the focused control is outlined: {outline}");
    assert_eq!(outline[2], "2px", "{outline}");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_palette_and_the_menu_reach_every_screen_in_both_themes() {
    let database = read_only_demo_database();
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E desktop"])
        .await;
    element(&client, "#instance-status[data-state='connected']", PATIENCE).await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    element(&client, "#tab-data.active", PATIENCE).await;

    // Ctrl+K opens the palette; typing narrows it; Enter runs the one left.
    press(&client, &[Key::Control.into(), 'k']).await;
    element(&client, "#command-palette", PATIENCE).await;
    let offered = client
        .find_all(Locator::Css(".palette-entry"))
        .await
        .unwrap()
        .len();
    assert!(offered >= 15, "every screen and action is offered: {offered}");
    set_input(&client, "#palette-input", "tab sql").await;
    eventually("only the SQL tab left", PATIENCE, || async {
        let left = client.find_all(Locator::Css(".palette-entry")).await.ok()?;
        let only = left.first()?.attr("data-command").await.ok()??;
        (left.len() == 1 && only == "show-tab-sql").then_some(())
    })
    .await;
    // Let the narrowed list paint before the picture.
    tokio::time::sleep(Duration::from_millis(500)).await;
    save_screenshot(&client, "command-palette").await;
    element(&client, "#palette-input", PATIENCE)
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    element(&client, "#tab-sql.active", PATIENCE).await;
    assert!(
        client.find(Locator::Css("#command-palette")).await.is_err(),
        "the palette closed"
    );

    // Escape closes it without doing anything; nothing matches says so.
    press(&client, &[Key::Control.into(), 'k']).await;
    set_input(&client, "#palette-input", "no such command anywhere").await;
    element(&client, "#palette-empty", PATIENCE).await;
    element(&client, "#palette-input", PATIENCE)
        .await
        .send_keys(&Key::Escape.to_string())
        .await
        .unwrap();
    eventually("the palette closed by Escape", PATIENCE, || async {
        client
            .find(Locator::Css("#command-palette"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    element(&client, "#tab-sql.active", PATIENCE).await;

    // Help → About: the version and diagnostics, without the instance's address or password.
    menu(&client, "about").await;
    let diagnostics = element(&client, "#diagnostics-text", PATIENCE)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        diagnostics.contains(&format!("Fluxdesk {}", env!("CARGO_PKG_VERSION"))),
        "{diagnostics}"
    );
    assert!(diagnostics.contains("Log folder "), "{diagnostics}");
    assert!(diagnostics.contains("Fluxbase 2026.3.6"), "{diagnostics}");
    // postgres://user:password@host:port/database: each part on its own.
    let address = database.url.split_once("://").map_or("", |(_, rest)| rest);
    let (credentials, location) = address.rsplit_once('@').unwrap_or(("", address));
    let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
    let (host_port, name) = location.split_once('/').unwrap_or((location, ""));
    let name = name.split('?').next().unwrap_or_default();
    let host = host_port.rsplit_once(':').map_or(host_port, |(host, _)| host);
    for detail in [user, password, host, name, DEMO_ADMIN.0, DEMO_ADMIN.1] {
        assert!(
            detail.is_empty() || !diagnostics.contains(detail),
            "no connection detail ({detail}) in the diagnostics"
        );
    }
    click(&client, "#copy-diagnostics", PATIENCE).await;
    element(&client, "#diagnostics-copied", PATIENCE).await;
    click(&client, "#about-close", PATIENCE).await;

    // Every screen, through the menu's actions, in both themes.
    for theme in ["light", "dark"] {
        choose_theme(&client, theme).await;
        for tab in [
            "data",
            "sql",
            "monitoring",
            "users",
            "admins",
            "audit",
            "settings",
            "security",
        ] {
            menu(&client, &format!("show-tab-{tab}")).await;
            element(&client, &format!("#tab-{tab}.active"), PATIENCE).await;
            tokio::time::sleep(Duration::from_millis(700)).await;
            save_screenshot(&client, &format!("screen-{tab}-{theme}")).await;
        }
        for (id, view) in [
            ("show-fleet", "fleet"),
            ("show-review", "review"),
            ("show-profiles", "profiles"),
        ] {
            menu(&client, id).await;
            eventually(&format!("the {view} view"), PATIENCE, || async {
                let shown = client
                    .find(Locator::Css("#switcher"))
                    .await
                    .ok()?
                    .prop("value")
                    .await
                    .ok()??;
                (shown == view).then_some(())
            })
            .await;
            tokio::time::sleep(Duration::from_millis(700)).await;
            save_screenshot(&client, &format!("screen-{view}-{theme}")).await;
        }
        // Back to the instance through the palette, on the tab it was left on.
        press(&client, &[Key::Control.into(), 'k']).await;
        set_input(&client, "#palette-input", "switch to e2e desktop").await;
        element(&client, ".palette-entry[data-command='switch-startup']", PATIENCE).await;
        element(&client, "#palette-input", PATIENCE)
            .await
            .send_keys(&Key::Enter.to_string())
            .await
            .unwrap();
        element(&client, "#tab-security.active", PATIENCE).await;
    }

    // The theme shortcut's action cycles dark → system → light.
    menu(&client, "cycle-theme").await;
    eventually("following the system", PATIENCE, || async {
        (page_theme(&client).await.is_empty()).then_some(())
    })
    .await;
    menu(&client, "cycle-theme").await;
    eventually("light", PATIENCE, || async {
        (page_theme(&client).await == "light").then_some(())
    })
    .await;
    // The header's switch follows a change made from the menu.
    let shown = element(&client, "#theme-switch", PATIENCE)
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(shown.as_deref(), Some("light"));

    // Instance → Disconnect, then File → New Profile focuses the form.
    menu(&client, "disconnect").await;
    eventually("disconnected", PATIENCE, || async {
        client
            .find(Locator::Css("#tab-data"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    menu(&client, "new-profile").await;
    eventually("the new-profile form focused", PATIENCE, || async {
        let focused = client
            .execute(
                "return document.activeElement && document.activeElement.id;",
                vec![],
            )
            .await
            .ok()?;
        (focused == "url-profile-name").then_some(())
    })
    .await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_run_offers_a_profile_or_the_demo_instance() {
    let driver = Driver::start();
    let client = driver.launch(&[]).await;
    element(&client, "#first-run", PATIENCE).await;
    click(&client, "#first-run-add", PATIENCE).await;
    eventually("the URL form focused", PATIENCE, || async {
        let focused = client
            .execute(
                "return document.activeElement && document.activeElement.id;",
                vec![],
            )
            .await
            .ok()?;
        (focused == "url-profile-name").then_some(())
    })
    .await;
    save_screenshot(&client, "first-run").await;

    // The demo starts a PostgreSQL of its own, seeds it and connects.
    click(&client, "#first-run-demo", PATIENCE).await;
    element(&client, "#first-run-progress", PATIENCE).await;
    let hint = element(&client, "#demo-hint", Duration::from_secs(180))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        hint.contains(DEMO_ADMIN.0) && hint.contains(DEMO_ADMIN.1),
        "{hint}"
    );
    element(&client, "#instance-status[data-state='connected']", PATIENCE).await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    element(&client, ".schema-node[data-schema='public']", PATIENCE).await;
    save_screenshot(&client, "first-run-demo").await;
    client.close().await.unwrap();
}

/// The keyboard cell of the grid: its row number and column name.
async fn active_cell(client: &Client) -> Option<(usize, String)> {
    let found = client
        .execute(
            "const c = document.querySelector('.cell-slot.active-cell'); if (!c) return null; \
             return [Number(c.closest('.grid-row').getAttribute('data-row-index')), c.getAttribute('data-column')];",
            vec![],
        )
        .await
        .ok()?;
    Some((found[0].as_u64()? as usize, found[1].as_str()?.to_owned()))
}

/// The focused element's `attribute`.
async fn focused(client: &Client, attribute: &str) -> String {
    client
        .execute(
            "const e = document.activeElement; return (e && e.getAttribute(arguments[0])) || '';",
            vec![attribute.into()],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tree_and_the_grid_answer_the_keyboard() {
    let database = read_only_demo_database();
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E keyboard"])
        .await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, ".schema-node[data-schema='public']", PATIENCE).await;
    element(&client, ".table-node[data-table='public.todos']", PATIENCE).await;

    // In the tree, Down moves from the schema to its first table, End to the last item.
    press(&client, &[Key::Down.into()]).await;
    let first_table = focused(&client, "data-table").await;
    assert!(
        first_table.starts_with("public."),
        "focus moved into the tables: {first_table:?}"
    );
    press(&client, &[Key::Up.into()]).await;
    assert_eq!(focused(&client, "data-schema").await, "public");

    // Open todos; a click puts the keyboard's cell on the grid.
    click(&client, ".table-node[data-table='public.todos']", PATIENCE).await;
    let first_cell = ".grid-row[data-row-index='0'] .cell-slot[data-column='id']";
    element(&client, first_cell, PATIENCE).await;
    // A script's click (WebKitWebDriver refuses to click the cell's div) and
    // the focus a real click would give the grid.
    client
        .execute(
            "const c = document.querySelector(arguments[0]); c.click(); c.closest('.grid-viewport').focus();",
            vec![first_cell.into()],
        )
        .await
        .unwrap();
    assert_eq!(active_cell(&client).await, Some((0, "id".to_owned())));
    press(&client, &[Key::Down.into()]).await;
    press(&client, &[Key::Down.into()]).await;
    press(&client, &[Key::Right.into()]).await;
    assert_eq!(active_cell(&client).await, Some((2, "user_id".to_owned())));
    press(&client, &[Key::End.into()]).await;
    let (_, last_column) = active_cell(&client).await.unwrap();
    assert_ne!(last_column, "user_id", "End goes to the row's last column");
    press(&client, &[Key::Home.into()]).await;
    assert_eq!(active_cell(&client).await, Some((2, "id".to_owned())));

    // Page Down moves a screenful and scrolls; Ctrl+End reaches the last row.
    press(&client, &[Key::PageDown.into()]).await;
    let (paged, _) = active_cell(&client).await.unwrap();
    assert!(paged > 10, "a screenful down: row {paged}");
    press(&client, &[Key::Control.into(), Key::End.into()]).await;
    // The end is read by key; its row numbers are estimates until the first
    // row is reached again, so the check is on the row itself: the last id.
    let last_id = fluxdesk_sandbox::shared_cluster()
        .psql(&database.name, "SELECT max(id) FROM public.todos")
        .unwrap()
        .trim()
        .to_owned();
    eventually("the last row under the cursor", PATIENCE, || async {
        let under = client
            .execute(
                "const c = document.querySelector('.cell-slot.active-cell'); return c ? c.textContent : null;",
                vec![],
            )
            .await
            .ok()?;
        (under.as_str()? == last_id).then_some(())
    })
    .await;
    save_screenshot(&client, "grid-keyboard").await;

    // Ctrl+Home, then Enter edits the title as a double-click does; Escape gives the keys back.
    press(&client, &[Key::Control.into(), Key::Home.into()]).await;
    eventually("the first row under the cursor", PATIENCE, || async {
        (active_cell(&client).await == Some((0, "id".to_owned()))).then_some(())
    })
    .await;
    for _ in 0..3 {
        press(&client, &[Key::Right.into()]).await;
    }
    assert_eq!(active_cell(&client).await, Some((0, "title".to_owned())));
    press(&client, &[Key::Enter.into()]).await;
    element(&client, ".cell-editor", PATIENCE).await;
    press(&client, &[Key::Escape.into()]).await;
    eventually("the editor closed", PATIENCE, || async {
        client
            .find(Locator::Css(".cell-editor"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    press(&client, &[Key::Down.into()]).await;
    assert_eq!(active_cell(&client).await, Some((1, "title".to_owned())));
    client.close().await.unwrap();
}
