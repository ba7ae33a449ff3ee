//! The connected instances, one pool each, keyed by profile id.

use crate::error::{CoreError, CoreResult};
use crate::instance::Instance;
use crate::target::ConnectionTarget;
use fluxdesk_types::ConnectionInfo;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Open connections. Several instances can be connected at once.
#[derive(Debug, Default)]
pub struct Fleet {
    connections: Mutex<HashMap<String, Arc<Instance>>>,
}

impl Fleet {
    fn connections(&self) -> MutexGuard<'_, HashMap<String, Arc<Instance>>> {
        // Every update is a single insert or remove, so a poisoned map is whole.
        self.connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Connects `id` to `target`, reusing an open connection when there is one.
    pub async fn connect(&self, id: &str, target: &ConnectionTarget) -> CoreResult<ConnectionInfo> {
        if let Some(open) = self.connections().get(id) {
            return Ok(open.info().clone());
        }
        let instance = Arc::new(Instance::connect(id, target).await?);
        // Two connects may race; the first to finish wins and the other's
        // pool is closed rather than leaked.
        let existing = {
            let mut connections = self.connections();
            match connections.get(id) {
                Some(existing) => Some(existing.clone()),
                None => {
                    connections.insert(id.to_owned(), instance.clone());
                    None
                }
            }
        };
        match existing {
            Some(existing) => {
                instance.close().await;
                Ok(existing.info().clone())
            }
            None => Ok(instance.info().clone()),
        }
    }

    /// Forgets the connection of `id` and closes its pool in the background:
    /// closing waits for connections in use, and disconnecting must not.
    pub async fn disconnect(&self, id: &str) {
        let open = self.connections().remove(id);
        if let Some(instance) = open {
            tokio::spawn(async move { instance.close().await });
        }
    }

    /// The open connection of `id`; `name` is used in the error.
    pub fn instance(&self, id: &str, name: &str) -> CoreResult<Arc<Instance>> {
        self.connections()
            .get(id)
            .cloned()
            .ok_or_else(|| CoreError::NotConnected {
                instance: name.to_owned(),
            })
    }

    /// Whether `id` is connected.
    pub fn is_connected(&self, id: &str) -> bool {
        self.connections().contains_key(id)
    }

    /// Ids of every connected instance.
    pub fn connected_ids(&self) -> Vec<String> {
        self.connections().keys().cloned().collect()
    }
}
