//! The schema tree: schemas load once, each schema's relations load when it
//! is first expanded.

use fluxdesk_types::{ApiError, SchemaSummary, TableSummary};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// Something that loads asynchronously.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Loadable<T> {
    /// Not asked for yet.
    #[default]
    NotLoaded,
    /// On its way.
    Loading,
    /// Here.
    Loaded(T),
    /// Failed; the error says why.
    Failed(ApiError),
}

/// The explorer tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TreeState {
    /// All schemas.
    pub schemas: Loadable<Vec<SchemaSummary>>,
    /// Relations per schema, for schemas that were expanded at least once.
    pub tables: BTreeMap<String, Loadable<Vec<TableSummary>>>,
    /// Schemas currently open.
    pub expanded: Vec<String>,
}

/// Things that happen to the tree.
#[derive(Debug, Clone)]
pub enum TreeAction {
    /// Schemas are being fetched.
    SchemasLoading,
    /// Schemas arrived or failed.
    SchemasLoaded(Result<Vec<SchemaSummary>, ApiError>),
    /// The user clicked a schema.
    Toggle(String),
    /// A schema's relations arrived or failed.
    TablesLoaded(String, Result<Vec<TableSummary>, ApiError>),
}

impl TreeState {
    /// Whether `schema` is open.
    pub fn is_expanded(&self, schema: &str) -> bool {
        self.expanded.iter().any(|open| open == schema)
    }

    /// Whether opening `schema` must fetch its relations.
    pub fn needs_tables(&self, schema: &str) -> bool {
        matches!(
            self.tables.get(schema),
            None | Some(Loadable::NotLoaded) | Some(Loadable::Failed(_))
        )
    }
}

impl Reducible for TreeState {
    type Action = TreeAction;

    fn reduce(self: Rc<Self>, action: TreeAction) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            TreeAction::SchemasLoading => next.schemas = Loadable::Loading,
            TreeAction::SchemasLoaded(Ok(schemas)) => next.schemas = Loadable::Loaded(schemas),
            TreeAction::SchemasLoaded(Err(error)) => next.schemas = Loadable::Failed(error),
            TreeAction::Toggle(schema) => {
                if next.is_expanded(&schema) {
                    next.expanded.retain(|open| open != &schema);
                } else {
                    if next.needs_tables(&schema) {
                        next.tables.insert(schema.clone(), Loadable::Loading);
                    }
                    next.expanded.push(schema);
                }
            }
            TreeAction::TablesLoaded(schema, result) => {
                let loaded = match result {
                    Ok(tables) => Loadable::Loaded(tables),
                    Err(error) => Loadable::Failed(error),
                };
                next.tables.insert(schema, loaded);
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::ErrorCode;

    #[test]
    fn tables_load_once_per_schema_and_retry_after_failure() {
        let tree = Rc::new(TreeState::default());
        assert!(tree.needs_tables("public"));
        let tree = tree.reduce(TreeAction::Toggle("public".into()));
        assert!(tree.is_expanded("public"));
        assert_eq!(tree.tables["public"], Loadable::Loading);
        let tree = tree.reduce(TreeAction::TablesLoaded("public".into(), Ok(vec![])));
        let tree = tree.reduce(TreeAction::Toggle("public".into()));
        assert!(!tree.is_expanded("public"));
        assert!(!tree.needs_tables("public"), "collapsing keeps what was loaded");

        let tree = tree
            .reduce(TreeAction::Toggle("auth".into()))
            .reduce(TreeAction::TablesLoaded(
                "auth".into(),
                Err(ApiError::new(ErrorCode::PermissionDenied, "no")),
            ));
        assert!(
            tree.needs_tables("auth"),
            "a failed schema is fetched again when reopened"
        );
    }
}
