//! The desktop shell's own preferences, shared with the UI.

use serde::{Deserialize, Serialize};

/// The window's colour theme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    /// Follow the operating system's light or dark setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// Every choice, in the order the switch offers them.
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    /// The stable name used in settings and the DOM (`data-theme`).
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::System => "System theme",
            ThemeChoice::Light => "Light theme",
            ThemeChoice::Dark => "Dark theme",
        }
    }

    /// The choice named by [`ThemeChoice::as_str`].
    pub fn parse(name: &str) -> Option<ThemeChoice> {
        ThemeChoice::ALL
            .into_iter()
            .find(|choice| choice.as_str() == name)
    }
}

/// A tab of a connected instance's workspace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceTab {
    /// Browse and edit tables.
    #[default]
    Data,
    /// Run SQL.
    Sql,
    /// Live health charts.
    Monitoring,
    /// App users (`auth.users`); needs a signed-in admin.
    Users,
    /// Dashboard admins; needs a signed-in admin.
    Admins,
    /// The audit log; needs a signed-in admin.
    Audit,
    /// Instance settings; needs a signed-in admin.
    Settings,
    /// The admin's own 2FA and timeouts; needs a signed-in admin.
    Security,
}

impl InstanceTab {
    /// Every tab, in the order the workspace shows them.
    pub const ALL: [InstanceTab; 8] = [
        InstanceTab::Data,
        InstanceTab::Sql,
        InstanceTab::Monitoring,
        InstanceTab::Users,
        InstanceTab::Admins,
        InstanceTab::Audit,
        InstanceTab::Settings,
        InstanceTab::Security,
    ];

    /// The tab's title.
    pub fn label(self) -> &'static str {
        match self {
            InstanceTab::Data => "Data",
            InstanceTab::Sql => "SQL",
            InstanceTab::Monitoring => "Monitoring",
            InstanceTab::Users => "Users",
            InstanceTab::Admins => "Admins",
            InstanceTab::Audit => "Audit",
            InstanceTab::Settings => "Settings",
            InstanceTab::Security => "Security",
        }
    }

    /// The stable name used in ids (`tab-sql`).
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceTab::Data => "data",
            InstanceTab::Sql => "sql",
            InstanceTab::Monitoring => "monitoring",
            InstanceTab::Users => "users",
            InstanceTab::Admins => "admins",
            InstanceTab::Audit => "audit",
            InstanceTab::Settings => "settings",
            InstanceTab::Security => "security",
        }
    }

    /// Whether only a signed-in admin sees it.
    pub fn needs_admin(self) -> bool {
        !matches!(
            self,
            InstanceTab::Data | InstanceTab::Sql | InstanceTab::Monitoring
        )
    }
}

/// The native menu an action sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuSection {
    /// File.
    File,
    /// View.
    View,
    /// Instance: the tabs of the instance on display.
    Instance,
    /// Help.
    Help,
}

impl MenuSection {
    /// The menu's title.
    pub fn title(self) -> &'static str {
        match self {
            MenuSection::File => "File",
            MenuSection::View => "View",
            MenuSection::Instance => "Instance",
            MenuSection::Help => "Help",
        }
    }
}

/// Something the user can do from the native menu, a shortcut or the
/// command palette. The menu and the palette are built from [`AppAction::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action", content = "tab")]
pub enum AppAction {
    /// The native Open dialog for an audit bundle.
    OpenAuditBundle,
    /// The profile list's form for a new profile.
    NewProfile,
    /// The saved profiles.
    ShowProfiles,
    /// Every instance side by side.
    ShowFleet,
    /// Offline review of an audit bundle.
    ShowReview,
    /// The command palette.
    CommandPalette,
    /// Light, dark, or following the system, in turn.
    CycleTheme,
    /// A tab of the instance on display.
    ShowTab(InstanceTab),
    /// Disconnect the instance on display.
    Disconnect,
    /// Version and diagnostics.
    About,
}

impl AppAction {
    /// Every action, in menu order.
    pub const ALL: [AppAction; 17] = [
        AppAction::OpenAuditBundle,
        AppAction::NewProfile,
        AppAction::ShowProfiles,
        AppAction::ShowFleet,
        AppAction::ShowReview,
        AppAction::CommandPalette,
        AppAction::CycleTheme,
        AppAction::ShowTab(InstanceTab::Data),
        AppAction::ShowTab(InstanceTab::Sql),
        AppAction::ShowTab(InstanceTab::Monitoring),
        AppAction::ShowTab(InstanceTab::Users),
        AppAction::ShowTab(InstanceTab::Admins),
        AppAction::ShowTab(InstanceTab::Audit),
        AppAction::ShowTab(InstanceTab::Settings),
        AppAction::ShowTab(InstanceTab::Security),
        AppAction::Disconnect,
        AppAction::About,
    ];

    /// The menu item's id, unique and stable (`show-tab-sql`).
    pub fn id(self) -> String {
        match self {
            AppAction::OpenAuditBundle => "open-audit-bundle".into(),
            AppAction::NewProfile => "new-profile".into(),
            AppAction::ShowProfiles => "show-profiles".into(),
            AppAction::ShowFleet => "show-fleet".into(),
            AppAction::ShowReview => "show-review".into(),
            AppAction::CommandPalette => "command-palette".into(),
            AppAction::CycleTheme => "cycle-theme".into(),
            AppAction::ShowTab(tab) => format!("show-tab-{}", tab.as_str()),
            AppAction::Disconnect => "disconnect".into(),
            AppAction::About => "about".into(),
        }
    }

    /// The action with menu item id `id`.
    pub fn from_id(id: &str) -> Option<AppAction> {
        AppAction::ALL.into_iter().find(|action| action.id() == id)
    }

    /// What the menu and the palette call it.
    pub fn label(self) -> String {
        match self {
            AppAction::OpenAuditBundle => "Open Audit Bundle…".into(),
            AppAction::NewProfile => "New Profile…".into(),
            AppAction::ShowProfiles => "Profiles".into(),
            AppAction::ShowFleet => "Fleet Overview".into(),
            AppAction::ShowReview => "Audit Bundle Review".into(),
            AppAction::CommandPalette => "Command Palette…".into(),
            AppAction::CycleTheme => "Switch Theme".into(),
            AppAction::ShowTab(tab) => format!("{} Tab", tab.label()),
            AppAction::Disconnect => "Disconnect".into(),
            AppAction::About => "About Fluxdesk".into(),
        }
    }

    /// The menu it sits in.
    pub fn section(self) -> MenuSection {
        match self {
            AppAction::OpenAuditBundle | AppAction::NewProfile => MenuSection::File,
            AppAction::ShowProfiles
            | AppAction::ShowFleet
            | AppAction::ShowReview
            | AppAction::CommandPalette
            | AppAction::CycleTheme => MenuSection::View,
            AppAction::ShowTab(_) | AppAction::Disconnect => MenuSection::Instance,
            AppAction::About => MenuSection::Help,
        }
    }

    /// Its shortcut, in Tauri's accelerator syntax (`CmdOrCtrl` is Cmd on
    /// macOS and Ctrl elsewhere).
    pub fn accelerator(self) -> Option<&'static str> {
        Some(match self {
            AppAction::OpenAuditBundle => "CmdOrCtrl+O",
            AppAction::NewProfile => "CmdOrCtrl+N",
            AppAction::ShowProfiles => "CmdOrCtrl+1",
            AppAction::ShowFleet => "CmdOrCtrl+2",
            AppAction::ShowReview => "CmdOrCtrl+3",
            AppAction::CommandPalette => "CmdOrCtrl+K",
            AppAction::CycleTheme => "CmdOrCtrl+Shift+L",
            AppAction::ShowTab(InstanceTab::Data) => "Alt+1",
            AppAction::ShowTab(InstanceTab::Sql) => "Alt+2",
            AppAction::ShowTab(InstanceTab::Monitoring) => "Alt+3",
            AppAction::ShowTab(InstanceTab::Users) => "Alt+4",
            AppAction::ShowTab(InstanceTab::Admins) => "Alt+5",
            AppAction::ShowTab(InstanceTab::Audit) => "Alt+6",
            AppAction::ShowTab(InstanceTab::Settings) => "Alt+7",
            AppAction::ShowTab(InstanceTab::Security) => "Alt+8",
            AppAction::Disconnect => "CmdOrCtrl+Shift+W",
            AppAction::About => return None,
        })
    }
}

/// The event the shell emits with a menu action's id for the window to carry out.
pub const MENU_ACTION_EVENT: &str = "fluxdesk://menu-action";

/// What the About dialog shows and copies: versions and where things are,
/// never a secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// Fluxdesk's version.
    pub app_version: String,
    /// The Tauri version it was built with.
    pub tauri_version: String,
    /// The webview's version (WebKitGTK, WebView2 or WKWebView).
    pub webview_version: String,
    /// Operating system and architecture, e.g. `linux x86_64`.
    pub platform: String,
    /// The folder holding today's log file.
    pub log_dir: String,
    /// The folder holding the profile book and settings (no secrets: those
    /// are in the OS keyring).
    pub data_dir: String,
}

/// The demo instance a first run can open: a throwaway PostgreSQL cluster on
/// this machine, seeded like a Fluxbase instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoInstance {
    /// The profile to connect (for this run only; never saved).
    pub profile_id: String,
    /// The demo's admin, to sign in with.
    pub admin_email: String,
    /// The demo admin's password (a published demo value, not a secret).
    pub admin_password: String,
    /// Rows in its big table, `public.events`.
    pub big_table_rows: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for choice in ThemeChoice::ALL {
            assert_eq!(ThemeChoice::parse(choice.as_str()), Some(choice));
            assert_eq!(serde_json::to_value(choice).unwrap(), choice.as_str());
        }
        assert_eq!(ThemeChoice::parse("sepia"), None);
    }

    #[test]
    fn every_action_has_a_unique_id_and_shortcut_and_comes_back_from_its_id() {
        let mut ids = std::collections::BTreeSet::new();
        let mut shortcuts = std::collections::BTreeSet::new();
        for action in AppAction::ALL {
            assert_eq!(AppAction::from_id(&action.id()), Some(action));
            ids.insert(action.id());
            if let Some(shortcut) = action.accelerator() {
                shortcuts.insert(shortcut);
            }
        }
        assert_eq!(ids.len(), AppAction::ALL.len());
        assert_eq!(
            shortcuts.len(),
            ids.len() - 1,
            "every action but About has its own shortcut"
        );
        for tab in InstanceTab::ALL {
            assert!(AppAction::ALL.contains(&AppAction::ShowTab(tab)));
        }
    }
}
