//! Which instances exist and which one the window is connected to.

use fluxdesk_types::{ApiError, ConnectionInfo, InstanceSummary, LaunchState};
use std::rc::Rc;
use yew::prelude::*;

/// The connection of the active instance.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionState {
    /// Nothing chosen yet.
    Idle,
    /// Connecting to the instance with this id.
    Connecting(String),
    /// Connected.
    Connected(ConnectionInfo),
    /// The last attempt failed; the message says why.
    Failed(String, ApiError),
}

/// The whole session as the UI sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Known instances.
    pub instances: Vec<InstanceSummary>,
    /// State of the active instance's connection.
    pub connection: ConnectionState,
    /// Version shown in the header.
    pub app_version: String,
    /// Set when the launch state could not be read, or the instance given at
    /// launch was unusable.
    pub launch_error: Option<ApiError>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            instances: Vec::new(),
            connection: ConnectionState::Idle,
            app_version: String::new(),
            launch_error: None,
        }
    }
}

/// Things that happen to a session.
#[derive(Debug, Clone)]
pub enum SessionAction {
    /// The backend said what exists.
    Launched(LaunchState),
    /// Reading the launch state failed.
    LaunchFailed(ApiError),
    /// An instance was added.
    InstanceAdded(InstanceSummary),
    /// A connection attempt started.
    Connecting(String),
    /// A connection attempt succeeded.
    Connected(ConnectionInfo),
    /// A connection attempt failed.
    ConnectFailed(String, ApiError),
    /// The user went back to the instance list.
    Disconnected,
}

impl Session {
    /// The instance the connection state refers to.
    pub fn active_instance(&self) -> Option<&InstanceSummary> {
        let id = match &self.connection {
            ConnectionState::Idle => return None,
            ConnectionState::Connecting(id) | ConnectionState::Failed(id, _) => id,
            ConnectionState::Connected(info) => &info.instance_id,
        };
        self.instances.iter().find(|instance| &instance.id == id)
    }

    fn set_connected(&mut self, id: &str, connected: bool) {
        for instance in &mut self.instances {
            if instance.id == id {
                instance.connected = connected;
            }
        }
    }
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            SessionAction::Launched(launch) => {
                next.instances = launch.instances;
                next.app_version = launch.app_version;
                next.launch_error = launch.startup_error;
            }
            SessionAction::LaunchFailed(error) => next.launch_error = Some(error),
            SessionAction::InstanceAdded(instance) => {
                next.instances.retain(|known| known.id != instance.id);
                next.instances.push(instance);
            }
            SessionAction::Connecting(id) => next.connection = ConnectionState::Connecting(id),
            SessionAction::Connected(info) => {
                next.set_connected(&info.instance_id, true);
                next.connection = ConnectionState::Connected(info);
            }
            SessionAction::ConnectFailed(id, error) => {
                next.set_connected(&id, false);
                next.connection = ConnectionState::Failed(id, error);
            }
            SessionAction::Disconnected => {
                if let ConnectionState::Connected(info) = &self.connection {
                    next.set_connected(&info.instance_id, false);
                }
                next.connection = ConnectionState::Idle;
            }
        }
        Rc::new(next)
    }
}

/// The session as shared through a context.
pub type SessionContext = UseReducerHandle<Session>;

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::{ErrorCode, FluxbaseLayout};

    fn instance(id: &str) -> InstanceSummary {
        InstanceSummary {
            id: id.into(),
            name: format!("{id} name"),
            target: "u@h:5432/d".into(),
            connected: false,
        }
    }

    #[test]
    fn connecting_then_connected_marks_the_instance() {
        let session = Rc::new(Session::default()).reduce(SessionAction::Launched(LaunchState {
            instances: vec![instance("a"), instance("b")],
            connect_on_start: Some("b".into()),
            app_version: "0.1.0".into(),
            startup_error: None,
        }));
        let session = session.reduce(SessionAction::Connecting("b".into()));
        assert_eq!(session.active_instance().unwrap().id, "b");
        let session = session.reduce(SessionAction::Connected(ConnectionInfo {
            instance_id: "b".into(),
            server_version: "15".into(),
            database: "d".into(),
            user: "u".into(),
            layout: FluxbaseLayout::Dashboard,
        }));
        assert!(session.instances[1].connected);
        assert!(!session.instances[0].connected);
        let session = session.reduce(SessionAction::Disconnected);
        assert_eq!(session.connection, ConnectionState::Idle);
        assert!(!session.instances[1].connected);
    }

    #[test]
    fn a_failure_keeps_the_error_for_the_user() {
        let error = ApiError::new(ErrorCode::ConnectionFailed, "refused");
        let session = Rc::new(Session::default())
            .reduce(SessionAction::InstanceAdded(instance("a")))
            .reduce(SessionAction::ConnectFailed("a".into(), error.clone()));
        assert_eq!(session.connection, ConnectionState::Failed("a".into(), error));
    }
}
