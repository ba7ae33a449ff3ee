//! The native menu: File, Edit, View, Instance and Help. It is built from the
//! shared action table (`AppAction::ALL`), which the command palette also
//! lists, so the two never disagree about names or shortcuts.

use fluxdesk_types::{AppAction, MENU_ACTION_EVENT, MenuSection};
use tauri::menu::{Menu, MenuItemBuilder, PredefinedMenuItem, Submenu, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Runtime};

/// Builds the menu for every window and routes its clicks.
pub fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let menu = Menu::new(app)?;
    #[cfg(target_os = "macos")]
    menu.append(
        &SubmenuBuilder::new(app, "Fluxdesk")
            .about(None)
            .separator()
            .services()
            .separator()
            .hide()
            .hide_others()
            .show_all()
            .separator()
            .quit()
            .build()?,
    )?;
    menu.append(
        &section(app, MenuSection::File)?
            .separator()
            .close_window()
            .quit()
            .build()?,
    )?;
    menu.append(
        &SubmenuBuilder::new(app, "Edit")
            .undo()
            .redo()
            .separator()
            .cut()
            .copy()
            .paste()
            .select_all()
            .build()?,
    )?;
    menu.append(
        &section(app, MenuSection::View)?
            .separator()
            .fullscreen()
            .build()?,
    )?;
    menu.append(&section(app, MenuSection::Instance)?.build()?)?;
    let help: Submenu<R> = section(app, MenuSection::Help)?.build()?;
    menu.append(&help)?;
    app.set_menu(menu)?;
    app.on_menu_event(|app, event| chosen(app, event.id().as_ref()));
    Ok(())
}

/// A submenu holding the table's actions for `section`, in table order.
fn section<R: Runtime>(
    app: &AppHandle<R>,
    section: MenuSection,
) -> tauri::Result<SubmenuBuilder<'_, R, AppHandle<R>>> {
    let mut submenu = SubmenuBuilder::new(app, section.title());
    for action in AppAction::ALL
        .into_iter()
        .filter(|action| action.section() == section)
    {
        let mut item = MenuItemBuilder::with_id(action.id(), action.label());
        if let Some(shortcut) = action.accelerator() {
            item = item.accelerator(shortcut);
        }
        submenu = submenu.item(&item.build(app)?);
        // The palette and the theme follow the screens in View.
        if action == AppAction::ShowReview {
            submenu = submenu.item(&PredefinedMenuItem::separator(app)?);
        }
    }
    Ok(submenu)
}

/// Opening a bundle runs the native dialog here; every other action is the
/// window's to carry out.
fn chosen<R: Runtime>(app: &AppHandle<R>, id: &str) {
    match AppAction::from_id(id) {
        Some(AppAction::OpenAuditBundle) => crate::bundle_files::choose(app),
        Some(action) => {
            if let Err(error) = app.emit(MENU_ACTION_EVENT, action.id()) {
                tracing::warn!(%error, "the menu action could not reach the window");
            }
        }
        // The predefined items (copy, quit, …) act by themselves.
        None => {}
    }
}
