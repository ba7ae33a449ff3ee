//! The command palette: what it offers for the session as it is, and how
//! typing narrows the list.

use crate::state::session::{Session, View};
use fluxdesk_types::{AppAction, FluxbaseLayout, MenuSection};

/// What choosing an entry does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// An action of the shared table, as the native menu has it.
    Action(AppAction),
    /// Show this connected instance.
    SwitchTo(String),
    /// Connect this saved profile.
    Connect(String),
}

/// One line of the palette.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaletteEntry {
    /// What it does.
    pub command: Command,
    /// What it says.
    pub label: String,
    /// Its shortcut as the user types it, if it has one.
    pub shortcut: Option<String>,
    /// A stable id for the page (`data-command`).
    pub id: String,
}

/// The shortcut as this platform names it: Cmd on macOS, Ctrl elsewhere.
pub fn shortcut_text(accelerator: &str, mac: bool) -> String {
    accelerator.replace("CmdOrCtrl", if mac { "Cmd" } else { "Ctrl" })
}

/// Every entry that applies now: the table's actions (instance tabs only while
/// an instance is on display, and the admin's tabs only on a Fluxbase
/// instance), each other connected instance, and each profile not connected.
pub fn entries(session: &Session, mac: bool) -> Vec<PaletteEntry> {
    let shown = match &session.view {
        View::Instance(id) => session.connections.get(id),
        _ => None,
    };
    let mut entries: Vec<PaletteEntry> = AppAction::ALL
        .into_iter()
        .filter(|action| match action {
            AppAction::CommandPalette => false,
            AppAction::ShowTab(tab) => {
                shown.is_some_and(|info| !tab.needs_admin() || info.layout != FluxbaseLayout::NotFluxbase)
            }
            AppAction::Disconnect => shown.is_some(),
            _ => true,
        })
        .map(|action| PaletteEntry {
            label: match action {
                AppAction::ShowProfiles | AppAction::ShowFleet | AppAction::ShowReview => {
                    format!("Go to {}", action.label())
                }
                _ if action.section() == MenuSection::Instance => format!("Instance: {}", action.label()),
                _ => action.label(),
            },
            shortcut: action
                .accelerator()
                .map(|accelerator| shortcut_text(accelerator, mac)),
            id: action.id(),
            command: Command::Action(action),
        })
        .collect();
    for entry in &session.profiles {
        let profile = &entry.profile;
        let (command, label, id) = if session.connections.contains_key(&profile.id) {
            if session.view == View::Instance(profile.id.clone()) {
                continue;
            }
            (
                Command::SwitchTo(profile.id.clone()),
                format!("Switch to {} ({})", profile.name, profile.environment.label),
                format!("switch-{}", profile.id),
            )
        } else {
            (
                Command::Connect(profile.id.clone()),
                format!("Connect to {} ({})", profile.name, profile.environment.label),
                format!("connect-{}", profile.id),
            )
        };
        entries.push(PaletteEntry {
            command,
            label,
            shortcut: None,
            id,
        });
    }
    entries
}

/// The entries whose label holds every word of `query`, in any case and order.
pub fn matching<'a>(entries: &'a [PaletteEntry], query: &str) -> Vec<&'a PaletteEntry> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    entries
        .iter()
        .filter(|entry| {
            let label = entry.label.to_lowercase();
            words.iter().all(|word| label.contains(word.as_str()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::session::SessionAction;
    use fluxdesk_types::{
        ConnectionInfo, Environment, EnvironmentKind, InstanceTab, LaunchState, PasswordState,
        PasswordStorage, Profile, ProfileEntry, Protection, TlsMode,
    };
    use std::rc::Rc;
    use yew::Reducible;

    fn entry(id: &str, name: &str) -> ProfileEntry {
        ProfileEntry {
            profile: Profile {
                id: id.into(),
                name: name.into(),
                host: "h".into(),
                port: 5432,
                database: "d".into(),
                user: "u".into(),
                tls_mode: TlsMode::Prefer,
                ca_file: None,
                connect_timeout_secs: 5,
                statement_timeout_secs: 30,
                environment: Environment::of_kind(EnvironmentKind::Staging),
                protection: Protection::Open,
                password_storage: PasswordStorage::Keyring,
            },
            password: PasswordState::Saved,
            connected: false,
            saved: true,
        }
    }

    fn session() -> Rc<Session> {
        Rc::new(Session::default()).reduce(SessionAction::Launched(LaunchState {
            profiles: vec![entry("a", "Shop"), entry("b", "Plain")],
            connect_on_start: None,
            app_version: "0.1.0".into(),
            startup_error: None,
            keyring_error: None,
            open_bundle: None,
        }))
    }

    fn connected(session: Rc<Session>, id: &str, layout: FluxbaseLayout) -> Rc<Session> {
        session.reduce(SessionAction::Connected(ConnectionInfo {
            instance_id: id.into(),
            server_version: "15".into(),
            database: "d".into(),
            user: "u".into(),
            layout,
            superuser: false,
        }))
    }

    fn ids<'a>(entries: impl IntoIterator<Item = &'a PaletteEntry>) -> Vec<&'a str> {
        entries.into_iter().map(|entry| entry.id.as_str()).collect()
    }

    #[test]
    fn without_an_instance_it_offers_screens_actions_and_connections() {
        let offered = entries(&session(), false);
        let offered = ids(&offered);
        for id in [
            "open-audit-bundle",
            "new-profile",
            "show-fleet",
            "cycle-theme",
            "about",
            "connect-a",
            "connect-b",
        ] {
            assert!(offered.contains(&id), "{id} in {offered:?}");
        }
        assert!(
            !offered
                .iter()
                .any(|id| id.starts_with("show-tab") || *id == "disconnect")
        );
        assert!(
            !offered.contains(&"command-palette"),
            "the palette does not offer itself"
        );
    }

    #[test]
    fn an_instance_on_display_adds_its_tabs_and_other_instances_to_switch_to() {
        let session = connected(session(), "a", FluxbaseLayout::Dashboard);
        let session = connected(session, "b", FluxbaseLayout::NotFluxbase);
        let fluxbase = session
            .clone()
            .reduce(SessionAction::Show(View::Instance("a".into())));
        let offered = entries(&fluxbase, false);
        let offered = ids(&offered);
        for tab in InstanceTab::ALL {
            assert!(
                offered.contains(&AppAction::ShowTab(tab).id().as_str()),
                "{tab:?}"
            );
        }
        assert!(offered.contains(&"switch-b") && !offered.contains(&"switch-a"));
        assert!(offered.contains(&"disconnect"));

        let plain = session.reduce(SessionAction::Show(View::Instance("b".into())));
        let offered = entries(&plain, false);
        let offered = ids(&offered);
        assert!(offered.contains(&"show-tab-sql") && offered.contains(&"show-tab-monitoring"));
        assert!(
            !offered.contains(&"show-tab-users"),
            "no admin tabs on plain PostgreSQL"
        );
    }

    #[test]
    fn typing_narrows_by_every_word_in_any_case() {
        let session = connected(session(), "a", FluxbaseLayout::Dashboard)
            .reduce(SessionAction::Show(View::Instance("a".into())));
        let offered = entries(&session, false);
        assert_eq!(ids(matching(&offered, "sql")), ["show-tab-sql"]);
        assert_eq!(ids(matching(&offered, "TAB   mon")), ["show-tab-monitoring"]);
        assert_eq!(ids(matching(&offered, "connect plain")), ["connect-b"]);
        assert!(matching(&offered, "nothing like this").is_empty());
        assert_eq!(matching(&offered, "  ").len(), offered.len());
    }

    #[test]
    fn shortcuts_use_the_platform_modifier() {
        assert_eq!(shortcut_text("CmdOrCtrl+K", false), "Ctrl+K");
        assert_eq!(shortcut_text("CmdOrCtrl+Shift+L", true), "Cmd+Shift+L");
        let offered = entries(&session(), true);
        let palette = offered.iter().find(|entry| entry.id == "show-fleet").unwrap();
        assert_eq!(palette.shortcut.as_deref(), Some("Cmd+2"));
    }
}
