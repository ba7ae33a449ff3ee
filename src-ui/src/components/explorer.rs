//! The database explorer: schema tree on the left, the open table on the right.

use crate::components::{DataGrid, SchemaTree};
use fluxdesk_types::TableSummary;
use yew::prelude::*;

/// Properties of [`Explorer`].
#[derive(Properties, PartialEq)]
pub struct ExplorerProps {
    /// The connected instance.
    pub instance_id: String,
}

/// Tree plus grid.
#[component]
pub fn Explorer(props: &ExplorerProps) -> Html {
    let open_table = use_state(|| Option::<TableSummary>::None);
    let on_open = {
        let open_table = open_table.clone();
        Callback::from(move |table: TableSummary| open_table.set(Some(table)))
    };
    html! {
        <div class="explorer">
            <aside class="sidebar">
                <SchemaTree
                    instance_id={props.instance_id.clone()}
                    selected={(*open_table).clone()}
                    on_open={on_open} />
            </aside>
            <section class="content">
                if let Some(table) = &*open_table {
                    <DataGrid instance_id={props.instance_id.clone()} table={table.clone()} />
                } else {
                    <div class="placeholder">{ "Open a table from the tree to browse its rows." }</div>
                }
            </section>
        </div>
    }
}
