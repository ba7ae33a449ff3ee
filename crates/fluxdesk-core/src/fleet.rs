//! The instances an operator works with, and which of them are connected.

use crate::error::{CoreError, CoreResult};
use crate::instance::Instance;
use crate::target::ConnectionTarget;
use fluxdesk_types::{ConnectionInfo, InstanceSummary};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Debug)]
struct Member {
    name: String,
    target: ConnectionTarget,
    connection: Option<Arc<Instance>>,
}

/// Known instances, each possibly connected. Shared by all IPC commands.
///
/// Several instances can be connected at once; each has its own pool.
#[derive(Debug, Default)]
pub struct Fleet {
    members: Mutex<BTreeMap<String, Member>>,
}

impl Fleet {
    /// An empty fleet.
    pub fn new() -> Self {
        Self::default()
    }

    fn members(&self) -> MutexGuard<'_, BTreeMap<String, Member>> {
        // A panic while holding the lock cannot leave the map half-updated
        // (every update is a single insert or assignment), so keep going.
        self.members
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds (or replaces) an instance under `id`.
    pub fn add(&self, id: impl Into<String>, name: impl Into<String>, target: ConnectionTarget) {
        self.members().insert(
            id.into(),
            Member {
                name: name.into(),
                target,
                connection: None,
            },
        );
    }

    /// Adds an instance from a connection URL under a new id and returns it.
    pub fn add_url(&self, name: &str, url: &str) -> CoreResult<InstanceSummary> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CoreError::InvalidInput("Give the instance a name.".to_owned()));
        }
        let target = ConnectionTarget::from_url(url)?;
        let id = uuid::Uuid::new_v4().to_string();
        let summary = InstanceSummary {
            id: id.clone(),
            name: name.to_owned(),
            target: target.display().to_owned(),
            connected: false,
        };
        self.add(id, name, target);
        Ok(summary)
    }

    /// Every known instance, without secrets.
    pub fn summaries(&self) -> Vec<InstanceSummary> {
        self.members()
            .iter()
            .map(|(id, member)| InstanceSummary {
                id: id.clone(),
                name: member.name.clone(),
                target: member.target.display().to_owned(),
                connected: member.connection.is_some(),
            })
            .collect()
    }

    /// Connects `id`, reusing an open connection when there is one.
    pub async fn connect(&self, id: &str) -> CoreResult<ConnectionInfo> {
        let target = {
            let members = self.members();
            let member = members
                .get(id)
                .ok_or_else(|| CoreError::NotFound(format!("No instance with id \"{id}\".")))?;
            if let Some(open) = &member.connection {
                return Ok(open.info().clone());
            }
            member.target.clone()
        };
        let instance = Arc::new(Instance::connect(id, &target).await?);
        // Two connects may race; the first to finish wins and the other's
        // pool is closed rather than leaked.
        let kept = {
            let mut members = self.members();
            match members.get_mut(id) {
                Some(member) => match &member.connection {
                    Some(existing) => Some(existing.clone()),
                    None => {
                        member.connection = Some(instance.clone());
                        None
                    }
                },
                None => None,
            }
        };
        match kept {
            Some(existing) => {
                instance.close().await;
                Ok(existing.info().clone())
            }
            None => Ok(instance.info().clone()),
        }
    }

    /// Closes the connection of `id`, if open.
    pub async fn disconnect(&self, id: &str) {
        let open = self
            .members()
            .get_mut(id)
            .and_then(|member| member.connection.take());
        if let Some(instance) = open {
            instance.close().await;
        }
    }

    /// The open connection of `id`.
    pub fn instance(&self, id: &str) -> CoreResult<Arc<Instance>> {
        let members = self.members();
        let member = members
            .get(id)
            .ok_or_else(|| CoreError::NotFound(format!("No instance with id \"{id}\".")))?;
        member.connection.clone().ok_or_else(|| CoreError::NotConnected {
            instance: member.name.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_instances_are_listed_without_secrets() {
        let fleet = Fleet::new();
        let summary = fleet
            .add_url("Staging", "postgres://ops:hunter2@db.staging:5432/app")
            .unwrap();
        assert_eq!(summary.target, "ops@db.staging:5432/app");
        let listed = fleet.summaries();
        assert_eq!(listed, vec![summary.clone()]);
        assert!(!format!("{listed:?}{fleet:?}").contains("hunter2"));
        assert!(matches!(
            fleet.instance(&summary.id),
            Err(CoreError::NotConnected { .. })
        ));
        assert!(matches!(
            fleet.add_url(" ", "postgres://x@y/z"),
            Err(CoreError::InvalidInput(_))
        ));
        assert!(matches!(fleet.instance("nope"), Err(CoreError::NotFound(_))));
    }
}
