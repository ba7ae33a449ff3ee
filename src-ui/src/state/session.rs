//! Profiles, the connected instances, and which view the window shows.

use fluxdesk_types::{
    ActiveImpersonation, ApiError, AppUserMatch, ConnectionInfo, DemoInstance, ErrorCode, InstanceTab,
    LaunchState, ProfileEntry, ThemeChoice,
};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// What the main area shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum View {
    /// The saved profiles.
    #[default]
    Profiles,
    /// Every instance side by side.
    Fleet,
    /// One connected instance, by profile id.
    Instance(String),
    /// Offline review of audit bundles; needs no connection.
    Review,
}

/// The whole session as the UI sees it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Session {
    /// Every profile.
    pub profiles: Vec<ProfileEntry>,
    /// Open connections, by profile id.
    pub connections: BTreeMap<String, ConnectionInfo>,
    /// The main area.
    pub view: View,
    /// The profile being connected, if any.
    pub connecting: Option<String>,
    /// The last failed connection: profile id and why.
    pub failure: Option<(String, ApiError)>,
    /// A profile waiting for its password: id, and why it is asked for.
    pub password_prompt: Option<(String, String)>,
    /// Version shown in the header.
    pub app_version: String,
    /// The launch state could not be read, or the --dsn instance was unusable.
    pub launch_error: Option<ApiError>,
    /// Why the OS keyring cannot be used, if it cannot.
    pub keyring_error: Option<ApiError>,
    /// Impersonations in force, by profile id.
    pub impersonations: BTreeMap<String, ActiveImpersonation>,
    /// The impersonation switcher, open for an instance, maybe with a user chosen.
    pub switcher: Option<(String, Option<AppUserMatch>)>,
    /// When this window last started or stopped an impersonation on each
    /// instance (ms since the epoch): a poll asked before then may report
    /// the old state.
    pub impersonation_changed_at: BTreeMap<String, f64>,
    /// A bundle to open for review (from the command line, a drop or the
    /// File menu), numbered so the same file given twice opens twice.
    pub arriving_bundle: Option<(u32, String)>,
    /// The last arrival the review screen has opened, so coming back to it
    /// does not open the same arrival again.
    pub handled_bundle: u32,
    /// The tab on display for each connected instance (Data when absent).
    pub tabs: BTreeMap<String, InstanceTab>,
    /// Whether the command palette is open.
    pub palette_open: bool,
    /// Whether the About dialog is open.
    pub about_open: bool,
    /// The colour theme chosen.
    pub theme: ThemeChoice,
    /// The demo instance, once a first run opened it.
    pub demo: Option<DemoInstance>,
}

/// Things that happen to a session.
#[derive(Debug, Clone)]
pub enum SessionAction {
    /// The backend said what exists.
    Launched(LaunchState),
    /// Reading the launch state failed.
    LaunchFailed(ApiError),
    /// A fresh list of profiles.
    ProfilesLoaded(Vec<ProfileEntry>),
    /// A profile was created or changed.
    ProfileSaved(ProfileEntry),
    /// A profile was deleted.
    ProfileDeleted(String),
    /// A connection attempt started.
    Connecting(String),
    /// A connection attempt succeeded.
    Connected(ConnectionInfo),
    /// A connection attempt failed.
    ConnectFailed(String, ApiError),
    /// The password prompt was closed without connecting.
    PasswordPromptClosed,
    /// An instance was disconnected.
    Disconnected(String),
    /// Show another view.
    Show(View),
    /// This window started (`Some`) or stopped (`None`) an impersonation on
    /// an instance, at a time in ms.
    Impersonating(String, Option<ActiveImpersonation>, f64),
    /// The backend's impersonation on an instance, as a poll asked at a time
    /// in ms found it (ended elsewhere, by a sign-out or a lock).
    ImpersonationPolled(String, Option<ActiveImpersonation>, f64),
    /// Open the impersonation switcher for an instance, maybe with a user chosen.
    OpenSwitcher(String, Option<AppUserMatch>),
    /// Close the switcher.
    CloseSwitcher,
    /// Review this bundle file.
    BundleArrived(String),
    /// The review screen opened arrival number N.
    BundleHandled(u32),
    /// Show a tab of a connected instance.
    ShowTab(String, InstanceTab),
    /// Open (`true`) or close the command palette.
    Palette(bool),
    /// Open (`true`) or close the About dialog.
    About(bool),
    /// The colour theme in force.
    Theme(ThemeChoice),
    /// The demo instance started.
    DemoOpened(DemoInstance),
}

impl Session {
    /// The profile entry with `id`.
    pub fn entry(&self, id: &str) -> Option<&ProfileEntry> {
        self.profiles.iter().find(|entry| entry.profile.id == id)
    }

    /// The profile of the instance on display, if an instance is on display.
    pub fn active_entry(&self) -> Option<&ProfileEntry> {
        match &self.view {
            View::Instance(id) => self.entry(id),
            _ => None,
        }
    }

    /// The tab on display for instance `id`.
    pub fn tab(&self, id: &str) -> InstanceTab {
        self.tabs.get(id).copied().unwrap_or_default()
    }

    fn mark_connected(&mut self, id: &str, connected: bool) {
        for entry in &mut self.profiles {
            if entry.profile.id == id {
                entry.connected = connected;
            }
        }
    }
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        // The gate reports the impersonation every few seconds: returning the
        // same state then re-renders nothing.
        if let SessionAction::ImpersonationPolled(id, acting, asked_at) = &action
            && (self.impersonations.get(id) == acting.as_ref()
                || self
                    .impersonation_changed_at
                    .get(id)
                    .is_some_and(|changed| asked_at <= changed))
        {
            return self;
        }
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            SessionAction::Launched(launch) => {
                next.profiles = launch.profiles;
                next.app_version = launch.app_version;
                next.launch_error = launch.startup_error;
                next.keyring_error = launch.keyring_error;
                if let Some(path) = launch.open_bundle {
                    next.arriving_bundle = Some((1, path));
                    next.view = View::Review;
                }
            }
            SessionAction::BundleHandled(number) => next.handled_bundle = next.handled_bundle.max(number),
            SessionAction::BundleArrived(path) => {
                let number = next.arriving_bundle.as_ref().map_or(1, |(number, _)| number + 1);
                next.arriving_bundle = Some((number, path));
                next.view = View::Review;
            }
            SessionAction::LaunchFailed(error) => next.launch_error = Some(error),
            SessionAction::ProfilesLoaded(profiles) => next.profiles = profiles,
            SessionAction::ProfileSaved(entry) => {
                match next
                    .profiles
                    .iter_mut()
                    .find(|known| known.profile.id == entry.profile.id)
                {
                    Some(known) => *known = entry.clone(),
                    None => next.profiles.push(entry.clone()),
                }
                // Saving a profile closes its connection (new settings apply next time).
                if next.connections.remove(&entry.profile.id).is_some()
                    && next.view == View::Instance(entry.profile.id.clone())
                {
                    next.view = View::Profiles;
                }
            }
            SessionAction::ProfileDeleted(id) => {
                next.profiles.retain(|entry| entry.profile.id != id);
                next.connections.remove(&id);
                if next.view == View::Instance(id) {
                    next.view = View::Profiles;
                }
            }
            SessionAction::Connecting(id) => {
                next.connecting = Some(id);
                next.failure = None;
            }
            SessionAction::Connected(info) => {
                let id = info.instance_id.clone();
                next.mark_connected(&id, true);
                next.connections.insert(id.clone(), info);
                next.connecting = None;
                next.password_prompt = None;
                next.view = View::Instance(id);
            }
            SessionAction::ConnectFailed(id, error) => {
                next.connecting = None;
                if error.code == ErrorCode::PasswordNeeded {
                    next.password_prompt = Some((id, error.message));
                } else {
                    next.failure = Some((id, error));
                }
            }
            SessionAction::PasswordPromptClosed => next.password_prompt = None,
            SessionAction::Disconnected(id) => {
                next.mark_connected(&id, false);
                next.connections.remove(&id);
                next.tabs.remove(&id);
                // Disconnecting signs out, which ends the impersonation.
                next.impersonations.remove(&id);
                if next.switcher.as_ref().is_some_and(|(open, _)| *open == id) {
                    next.switcher = None;
                }
                if next.view == View::Instance(id) {
                    next.view = match next.connections.keys().next() {
                        Some(other) => View::Instance(other.clone()),
                        None => View::Profiles,
                    };
                }
            }
            SessionAction::Show(view) => next.view = view,
            SessionAction::ShowTab(id, tab) => {
                next.tabs.insert(id.clone(), tab);
                next.view = View::Instance(id);
            }
            SessionAction::Palette(open) => next.palette_open = open,
            SessionAction::About(open) => next.about_open = open,
            SessionAction::Theme(theme) => next.theme = theme,
            SessionAction::DemoOpened(demo) => next.demo = Some(demo),
            SessionAction::Impersonating(id, acting, at) => {
                let changed = next.impersonation_changed_at.entry(id.clone()).or_insert(at);
                *changed = changed.max(at);
                match acting {
                    Some(acting) => {
                        next.impersonations.insert(id, acting);
                        next.switcher = None;
                    }
                    None => {
                        next.impersonations.remove(&id);
                    }
                }
            }
            SessionAction::ImpersonationPolled(id, Some(acting), _) => {
                next.impersonations.insert(id, acting);
            }
            SessionAction::ImpersonationPolled(id, None, _) => {
                next.impersonations.remove(&id);
            }
            SessionAction::OpenSwitcher(id, user) => next.switcher = Some((id, user)),
            SessionAction::CloseSwitcher => next.switcher = None,
        }
        Rc::new(next)
    }
}

/// The session as shared through a context.
pub type SessionContext = UseReducerHandle<Session>;

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::{
        Environment, EnvironmentKind, FluxbaseLayout, PasswordState, PasswordStorage, Profile, Protection,
        TlsMode,
    };

    fn entry(id: &str) -> ProfileEntry {
        ProfileEntry {
            profile: Profile {
                id: id.into(),
                name: format!("{id} name"),
                host: "h".into(),
                port: 5432,
                database: "d".into(),
                user: "u".into(),
                tls_mode: TlsMode::Prefer,
                ca_file: None,
                connect_timeout_secs: 5,
                statement_timeout_secs: 30,
                environment: Environment::of_kind(EnvironmentKind::Development),
                protection: Protection::Open,
                password_storage: PasswordStorage::Keyring,
            },
            password: PasswordState::Saved,
            connected: false,
            saved: true,
        }
    }

    fn info(id: &str) -> ConnectionInfo {
        ConnectionInfo {
            instance_id: id.into(),
            server_version: "15".into(),
            database: "d".into(),
            user: "u".into(),
            layout: FluxbaseLayout::Dashboard,
            superuser: false,
        }
    }

    fn launched() -> Rc<Session> {
        Rc::new(Session::default()).reduce(SessionAction::Launched(LaunchState {
            profiles: vec![entry("a"), entry("b")],
            connect_on_start: None,
            app_version: "0.1.0".into(),
            startup_error: None,
            keyring_error: None,
            open_bundle: None,
        }))
    }

    #[test]
    fn each_instance_keeps_its_own_tab_until_it_disconnects() {
        let session = launched()
            .reduce(SessionAction::Connected(info("a")))
            .reduce(SessionAction::Connected(info("b")));
        assert_eq!(session.tab("a"), InstanceTab::Data);
        let session = session.reduce(SessionAction::ShowTab("a".into(), InstanceTab::Sql));
        assert_eq!(
            session.view,
            View::Instance("a".into()),
            "showing a tab shows its instance"
        );
        let session = session
            .reduce(SessionAction::ShowTab("b".into(), InstanceTab::Monitoring))
            .reduce(SessionAction::Show(View::Fleet));
        assert_eq!(
            (session.tab("a"), session.tab("b")),
            (InstanceTab::Sql, InstanceTab::Monitoring)
        );
        let session = session.reduce(SessionAction::Disconnected("a".into()));
        assert_eq!(
            session.tab("a"),
            InstanceTab::Data,
            "a new connection starts on Data"
        );
        assert_eq!(session.tab("b"), InstanceTab::Monitoring);
    }

    #[test]
    fn a_bundle_from_the_command_line_or_a_drop_opens_the_review_each_time() {
        let session = Rc::new(Session::default()).reduce(SessionAction::Launched(LaunchState {
            profiles: vec![entry("a")],
            connect_on_start: None,
            app_version: "0.1.0".into(),
            startup_error: None,
            keyring_error: None,
            open_bundle: Some("/tmp/audit.fxaudit".into()),
        }));
        assert_eq!(session.view, View::Review);
        assert_eq!(session.arriving_bundle, Some((1, "/tmp/audit.fxaudit".into())));
        let session = session
            .reduce(SessionAction::Show(View::Profiles))
            .reduce(SessionAction::BundleArrived("/tmp/audit.fxaudit".into()));
        assert_eq!(session.view, View::Review);
        // The same file again is a new arrival, so the screen opens it again.
        assert_eq!(session.arriving_bundle, Some((2, "/tmp/audit.fxaudit".into())));
        let session = session.reduce(SessionAction::BundleHandled(2));
        assert_eq!(session.handled_bundle, 2);
        assert_eq!(
            session.reduce(SessionAction::BundleHandled(1)).handled_bundle,
            2,
            "never goes back"
        );
        assert_eq!(launched().arriving_bundle, None);
        assert_eq!(launched().view, View::Profiles);
    }

    #[test]
    fn several_instances_stay_connected_and_the_view_moves_between_them() {
        let session = launched()
            .reduce(SessionAction::Connecting("a".into()))
            .reduce(SessionAction::Connected(info("a")))
            .reduce(SessionAction::Connected(info("b")));
        assert_eq!(session.connections.len(), 2);
        assert_eq!(session.view, View::Instance("b".into()));
        assert!(session.entry("a").unwrap().connected && session.entry("b").unwrap().connected);
        let session = session.reduce(SessionAction::Show(View::Instance("a".into())));
        assert_eq!(session.active_entry().unwrap().profile.id, "a");
        let session = session.reduce(SessionAction::Disconnected("a".into()));
        assert_eq!(
            session.view,
            View::Instance("b".into()),
            "the other instance takes over"
        );
        let session = session.reduce(SessionAction::Disconnected("b".into()));
        assert_eq!(session.view, View::Profiles);
    }

    #[test]
    fn a_needed_password_opens_the_prompt_and_other_failures_are_kept() {
        let session = launched().reduce(SessionAction::ConnectFailed(
            "a".into(),
            ApiError::new(ErrorCode::PasswordNeeded, "asks every time"),
        ));
        assert_eq!(
            session.password_prompt,
            Some(("a".to_owned(), "asks every time".to_owned()))
        );
        assert!(session.failure.is_none());
        let refused = ApiError::new(ErrorCode::ConnectionFailed, "refused");
        let session = session
            .reduce(SessionAction::PasswordPromptClosed)
            .reduce(SessionAction::ConnectFailed("b".into(), refused.clone()));
        assert_eq!(session.password_prompt, None);
        assert_eq!(session.failure, Some(("b".into(), refused)));
    }

    #[test]
    fn an_impersonation_closes_the_switcher_and_ends_with_its_connection() {
        let acting = ActiveImpersonation {
            session_id: "s1".into(),
            kind: "user".into(),
            user_id: Some("u1".into()),
            email: "bob@example.com".into(),
            app_role: "user".into(),
            database_role: "authenticated".into(),
            reason: "ticket".into(),
            started_at: "2026-11-24T09:00:00Z".into(),
        };
        let session = launched()
            .reduce(SessionAction::Connected(info("a")))
            .reduce(SessionAction::OpenSwitcher("a".into(), None));
        assert_eq!(session.switcher, Some(("a".to_owned(), None)));
        let session = session.reduce(SessionAction::Impersonating(
            "a".into(),
            Some(acting.clone()),
            1_000.0,
        ));
        assert_eq!(session.switcher, None);
        assert_eq!(session.impersonations.get("a"), Some(&acting));
        // A poll asked before the start still saw none: it must not end it.
        let session = session.reduce(SessionAction::ImpersonationPolled("a".into(), None, 900.0));
        assert_eq!(session.impersonations.get("a"), Some(&acting));
        // One asked after it, finding it ended elsewhere, does.
        let ended = session
            .clone()
            .reduce(SessionAction::ImpersonationPolled("a".into(), None, 1_100.0));
        assert!(ended.impersonations.is_empty());
        let session = session.reduce(SessionAction::Disconnected("a".into()));
        assert!(session.impersonations.is_empty(), "disconnecting ends it");
    }

    #[test]
    fn deleting_the_shown_profile_returns_to_the_list() {
        let session = launched()
            .reduce(SessionAction::Connected(info("a")))
            .reduce(SessionAction::ProfileDeleted("a".into()));
        assert_eq!(session.view, View::Profiles);
        assert!(session.connections.is_empty());
        assert_eq!(session.profiles.len(), 1);
    }
}
