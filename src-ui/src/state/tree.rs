//! The schema tree: schemas load once, each schema's relations load when it
//! is first expanded, a page at a time and filtered by name on the server.

use fluxdesk_types::{ApiError, SchemaSummary, TablePage};
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
    pub tables: BTreeMap<String, Loadable<TablePage>>,
    /// Schemas currently open.
    pub expanded: Vec<String>,
    /// The table-name filter in force.
    pub filter: String,
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
    TablesLoaded(String, Result<TablePage, ApiError>),
    /// The table-name filter changed; open schemas are fetched again.
    Filter(String),
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
            // A page for an older filter is dropped: its replacement is on the way.
            TreeAction::TablesLoaded(_, Ok(page)) if page.filter != next.filter => {}
            TreeAction::TablesLoaded(schema, result) => {
                let loaded = match result {
                    Ok(page) => Loadable::Loaded(page),
                    Err(error) => Loadable::Failed(error),
                };
                next.tables.insert(schema, loaded);
            }
            TreeAction::Filter(filter) => {
                next.filter = filter;
                // Closed schemas load afresh when opened.
                let open = next.expanded.clone();
                next.tables.retain(|schema, _| open.contains(schema));
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
        let page = |filter: &str| TablePage {
            tables: Vec::new(),
            total: 0,
            filter: filter.into(),
        };
        let tree = tree.reduce(TreeAction::TablesLoaded("public".into(), Ok(page(""))));
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

        // A new filter drops pages for the old one, even late ones.
        let tree = tree
            .reduce(TreeAction::Toggle("public".into()))
            .reduce(TreeAction::Filter("todo".into()))
            .reduce(TreeAction::TablesLoaded("public".into(), Ok(page(""))));
        assert_eq!(
            tree.tables["public"],
            Loadable::Loaded(page("")),
            "kept until the new page comes"
        );
        let tree = tree.reduce(TreeAction::TablesLoaded("public".into(), Ok(page("todo"))));
        assert_eq!(tree.tables["public"], Loadable::Loaded(page("todo")));
    }
}
