//! The schema tree: schemas, then their tables and views with row estimates.

use crate::components::ErrorBanner;
use crate::format::{bytes, compact_count, grouped};
use crate::services;
use crate::state::tree::{Loadable, TreeAction, TreeState};
use fluxdesk_types::{RelationKind, TableSummary};
use yew::prelude::*;

/// Properties of [`SchemaTree`].
#[derive(Properties, PartialEq)]
pub struct SchemaTreeProps {
    /// The connected instance.
    pub instance_id: String,
    /// The table currently open, highlighted in the tree.
    pub selected: Option<TableSummary>,
    /// Called when the user opens a table.
    pub on_open: Callback<TableSummary>,
}

fn kind_badge(kind: RelationKind) -> (&'static str, &'static str) {
    match kind {
        RelationKind::Table => ("T", "table"),
        RelationKind::PartitionedTable => ("P", "partitioned table"),
        RelationKind::View => ("V", "view"),
        RelationKind::MaterializedView => ("M", "materialized view"),
        RelationKind::ForeignTable => ("F", "foreign table"),
    }
}

fn load_schemas(tree: UseReducerHandle<TreeState>, instance_id: String) {
    tree.dispatch(TreeAction::SchemasLoading);
    wasm_bindgen_futures::spawn_local(async move {
        let result = services::list_schemas(&instance_id).await;
        tree.dispatch(TreeAction::SchemasLoaded(result));
    });
}

/// Schemas load when the tree appears; a schema's relations load when it is
/// first opened.
#[component]
pub fn SchemaTree(props: &SchemaTreeProps) -> Html {
    let tree = use_reducer(TreeState::default);

    {
        let tree = tree.clone();
        use_effect_with(props.instance_id.clone(), move |instance_id| {
            load_schemas(tree, instance_id.clone());
        });
    }

    let schemas = match &tree.schemas {
        Loadable::NotLoaded | Loadable::Loading => {
            return html! { <div class="tree muted">{ "Loading schemas…" }</div> };
        }
        Loadable::Failed(error) => {
            let retry = {
                let tree = tree.clone();
                let instance_id = props.instance_id.clone();
                Callback::from(move |_| load_schemas(tree.clone(), instance_id.clone()))
            };
            return html! { <div class="tree"><ErrorBanner error={error.clone()} on_retry={retry} /></div> };
        }
        Loadable::Loaded(schemas) => schemas,
    };

    let selected = props
        .selected
        .as_ref()
        .map(|t| (t.schema.clone(), t.name.clone()));
    html! {
        <nav class="tree" aria-label="Schemas">
            { for schemas.iter().map(|schema| {
                let expanded = tree.is_expanded(&schema.name);
                let on_toggle = {
                    let tree = tree.clone();
                    let instance_id = props.instance_id.clone();
                    let name = schema.name.clone();
                    Callback::from(move |_| {
                        let fetch = !tree.is_expanded(&name) && tree.needs_tables(&name);
                        tree.dispatch(TreeAction::Toggle(name.clone()));
                        if fetch {
                            let tree = tree.clone();
                            let instance_id = instance_id.clone();
                            let name = name.clone();
                            wasm_bindgen_futures::spawn_local(async move {
                                let result = services::list_tables(&instance_id, &name).await;
                                tree.dispatch(TreeAction::TablesLoaded(name, result));
                            });
                        }
                    })
                };
                let children = if expanded {
                    match tree.tables.get(&schema.name) {
                        Some(Loadable::Loaded(tables)) if tables.is_empty() => html! {
                            <div class="tree-empty muted">{ "No tables or views" }</div>
                        },
                        Some(Loadable::Loaded(tables)) => html! {
                            <ul class="tree-tables">
                                { for tables.iter().map(|table| {
                                    let (badge, kind_name) = kind_badge(table.kind);
                                    let is_selected = selected.as_ref() == Some(&(table.schema.clone(), table.name.clone()));
                                    let on_open = {
                                        let on_open = props.on_open.clone();
                                        let table = table.clone();
                                        Callback::from(move |_| on_open.emit(table.clone()))
                                    };
                                    let (estimate, estimate_title) = match table.estimated_rows {
                                        Some(rows) => (format!("~{}", compact_count(rows)), format!("about {} rows (planner estimate)", grouped(rows))),
                                        None => ("".to_owned(), "no estimate".to_owned()),
                                    };
                                    html! {
                                        <li key={table.name.clone()}>
                                            <button
                                                class={classes!("table-node", is_selected.then_some("selected"))}
                                                data-table={format!("{}.{}", table.schema, table.name)}
                                                title={format!("{}.{} ({kind_name})", table.schema, table.name)}
                                                onclick={on_open}>
                                                <span class={classes!("kind-badge", kind_name.replace(' ', "-"))}>{ badge }</span>
                                                <span class="table-name">{ &table.name }</span>
                                                if table.realtime {
                                                    <span class="meta-badge realtime-badge" title="Fluxbase realtime publishes its changes">{ "RT" }</span>
                                                }
                                                if table.rls_enabled {
                                                    <span class="meta-badge rls-badge" data-policies={table.policy_count.to_string()}
                                                        title={format!("Row-level security on{}, {} policies", if table.rls_forced { " (forced)" } else { "" }, table.policy_count)}>
                                                        { format!("RLS {}", table.policy_count) }
                                                    </span>
                                                }
                                                <span class="row-estimate" title={estimate_title}>{ estimate }</span>
                                                if let Some(size) = table.total_bytes {
                                                    <span class="table-size" title="on disk, with indexes and TOAST">{ bytes(size) }</span>
                                                }
                                            </button>
                                        </li>
                                    }
                                }) }
                            </ul>
                        },
                        Some(Loadable::Failed(error)) => html! { <ErrorBanner error={error.clone()} /> },
                        _ => html! { <div class="tree-empty muted">{ "Loading…" }</div> },
                    }
                } else {
                    html! {}
                };
                html! {
                    <div class="tree-schema" key={schema.name.clone()}>
                        <button class="schema-node" data-schema={schema.name.clone()} aria-expanded={expanded.to_string()} onclick={on_toggle}>
                            <span class="chevron">{ if expanded { "▾" } else { "▸" } }</span>
                            <span class="schema-name">{ &schema.name }</span>
                            <span class="relation-count">{ schema.relation_count }</span>
                        </button>
                        { children }
                    </div>
                }
            }) }
        </nav>
    }
}
