//! The schema tree: schemas, then their tables and views with row estimates.
//! A filter narrows the tables by name on the server, and a schema loads at
//! most [`SHOWN_PER_SCHEMA`] of them at once, so one with 10,000 tables stays quick.

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

/// Tables listed per open schema before "type to filter" takes over.
pub const SHOWN_PER_SCHEMA: usize = 300;

fn kind_badge(kind: RelationKind) -> (&'static str, &'static str) {
    match kind {
        RelationKind::Table => ("T", "table"),
        RelationKind::PartitionedTable => ("P", "partitioned table"),
        RelationKind::View => ("V", "view"),
        RelationKind::MaterializedView => ("M", "materialized view"),
        RelationKind::ForeignTable => ("F", "foreign table"),
    }
}

fn load_tables(tree: UseReducerHandle<TreeState>, instance_id: String, schema: String, filter: String) {
    wasm_bindgen_futures::spawn_local(async move {
        let result = services::list_table_page(&instance_id, &schema, &filter, SHOWN_PER_SCHEMA as u32).await;
        tree.dispatch(TreeAction::TablesLoaded(schema, result));
    });
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
    let filter = use_state(String::new);
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |event: InputEvent| {
            filter.set(event.target_unchecked_into::<web_sys::HtmlInputElement>().value())
        })
    };
    // Typing settles for a quarter second before the open schemas are asked again.
    {
        let (tree, instance_id) = (tree.clone(), props.instance_id.clone());
        use_effect_with((*filter).clone(), move |filter| {
            let filter = filter.trim().to_owned();
            let timer = (filter != tree.filter).then(|| {
                gloo_timers::callback::Timeout::new(250, move || {
                    tree.dispatch(TreeAction::Filter(filter.clone()));
                    for schema in tree.expanded.clone() {
                        load_tables(tree.clone(), instance_id.clone(), schema, filter.clone());
                    }
                })
            });
            move || drop(timer)
        });
    }

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
        <nav class="tree" aria-label="Schemas" onkeydown={crate::keyboard::list_arrows(".schema-node, .table-node")}>
            <input id="tree-filter" class="tree-filter" type="search" placeholder="Filter tables…"
                value={(*filter).clone()} oninput={on_filter} />
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
                            load_tables(tree.clone(), instance_id.clone(), name.clone(), tree.filter.clone());
                        }
                    })
                };
                let children = if expanded {
                    match tree.tables.get(&schema.name) {
                        Some(Loadable::Loaded(page)) if page.total == 0 && page.filter.is_empty() => html! {
                            <div class="tree-empty muted">{ "No tables or views" }</div>
                        },
                        Some(Loadable::Loaded(page)) => {
                            let matching = &page.tables;
                            let hidden = (page.total.max(0) as usize).saturating_sub(matching.len());
                            html! {
                            <>
                            <ul class="tree-tables">
                                { for matching.iter().map(|table| {
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
                            if hidden > 0 {
                                <div class="tree-more muted" data-hidden={hidden.to_string()}>
                                    { format!("{} more; type in the filter to find them", grouped(hidden as i64)) }
                                </div>
                            }
                            if matching.is_empty() {
                                <div class="tree-empty muted">{ "No table matches the filter" }</div>
                            }
                            </>
                            }
                        }
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
