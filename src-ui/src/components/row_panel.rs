//! One row opened whole: a form view of every column (wide rows read top to
//! bottom), with full values fetched on opening and json/jsonb shown as a
//! collapsible tree.

use crate::components::ErrorBanner;
use crate::services;
use crate::state::session::{SessionAction, SessionContext};
use fluxdesk_types::{ApiError, AppUserMatch, Cell, KeysetCursor, RowDetail, TableRef};
use serde_json::Value;
use yew::prelude::*;

/// Properties of [`RowPanel`].
#[derive(Properties, PartialEq)]
pub struct RowPanelProps {
    /// The instance.
    pub instance_id: String,
    /// The table.
    pub table: TableRef,
    /// The row's key, as its page gave it.
    pub key_values: KeysetCursor,
    /// Closes the panel.
    pub on_close: Callback<()>,
}

/// Renders a JSON value as a tree: objects and arrays fold, scalars are typed.
pub fn json_tree(value: &Value) -> Html {
    match value {
        Value::Object(map) => html! {
            <details class="json-node" open=true>
                <summary>{ format!("{{…}} {} keys", map.len()) }</summary>
                <ul>{ for map.iter().map(|(key, item)| html! {
                    <li><span class="json-key">{ format!("{key}: ") }</span>{ json_tree(item) }</li>
                }) }</ul>
            </details>
        },
        Value::Array(items) => html! {
            <details class="json-node" open={items.len() <= 20}>
                <summary>{ format!("[…] {} items", items.len()) }</summary>
                <ol start="0">{ for items.iter().map(|item| html! { <li>{ json_tree(item) }</li> }) }</ol>
            </details>
        },
        Value::String(text) => html! { <span class="json-string">{ format!("{text:?}") }</span> },
        Value::Number(number) => html! { <span class="json-number">{ number.to_string() }</span> },
        Value::Bool(flag) => html! { <span class="json-bool">{ flag.to_string() }</span> },
        Value::Null => html! { <span class="json-null">{ "null" }</span> },
    }
}

fn value_view(data_type: &str, cell: &Cell) -> Html {
    let is_json = matches!(data_type, "json" | "jsonb");
    match cell {
        Cell::Null => html! { <span class="null">{ "NULL" }</span> },
        Cell::Bool(flag) => html! { <span>{ flag.to_string() }</span> },
        Cell::Int(number) => html! { <span>{ number.to_string() }</span> },
        Cell::Float(number) => html! { <span>{ number.to_string() }</span> },
        Cell::Text(text) if is_json => match serde_json::from_str::<Value>(text) {
            Ok(value) => html! { <div class="json-view">{ json_tree(&value) }</div> },
            Err(_) => html! { <pre class="full-value">{ text }</pre> },
        },
        Cell::Text(text) => html! { <pre class="full-value">{ text }</pre> },
        Cell::Truncated { prefix } => html! { <pre class="full-value">{ format!("{prefix}…") }</pre> },
    }
}

/// The app user an `auth.users` row is, for "View as this user".
fn app_user(table: &TableRef, row: &RowDetail) -> Option<AppUserMatch> {
    if table.schema != "auth" || table.name != "users" {
        return None;
    }
    let value = |name: &str| {
        let index = row.columns.iter().position(|c| c.name == name)?;
        match &row.values[index] {
            Cell::Null => None,
            cell => Some(cell.display_text()),
        }
    };
    Some(AppUserMatch {
        id: value("id")?,
        email: value("email")?,
        role: value("role").unwrap_or_else(|| "authenticated".to_owned()),
    })
}

/// The row panel.
#[component]
pub fn RowPanel(props: &RowPanelProps) -> Html {
    let session = use_context::<SessionContext>().expect("RowPanel is inside the session provider");
    let detail = use_state(|| Option::<Result<RowDetail, ApiError>>::None);
    {
        let detail = detail.clone();
        let (instance_id, table, key) = (
            props.instance_id.clone(),
            props.table.clone(),
            props.key_values.clone(),
        );
        use_effect_with((instance_id.clone(), table.clone(), key.clone()), move |_| {
            detail.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                detail.set(Some(services::fetch_row(&instance_id, &table, &key).await));
            });
        });
    }
    let on_close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    html! {
        <aside class="row-panel" id="row-panel">
            <div class="row-panel-header">
                <strong>{ format!("{} · {}", props.table, props.key_values.0.join(", ")) }</strong>
                <button id="close-row-panel" class="button small" onclick={on_close}>{ "Close" }</button>
            </div>
            { match &*detail {
                None => html! { <p class="muted">{ "Loading the whole row…" }</p> },
                Some(Err(error)) => html! { <ErrorBanner error={error.clone()} /> },
                Some(Ok(row)) => html! {
                    <>
                    if let Some(user) = app_user(&props.table, row) {
                        <button id="view-as-user" class="button" title="Impersonate this user: see exactly what RLS lets them see"
                            onclick={ let (session, id) = (session.clone(), props.instance_id.clone());
                                Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::OpenSwitcher(id.clone(), Some(user.clone())))) }>
                            { "View as this user…" }
                        </button>
                    }
                    <dl class="form-view">
                        { for row.columns.iter().zip(&row.values).map(|(column, value)| html! {
                            <div class="form-field" data-column={column.name.clone()}>
                                <dt>{ &column.name }<span class="column-type">{ format!(" {}", column.data_type) }</span></dt>
                                <dd>{ value_view(&column.data_type, value) }</dd>
                            </div>
                        }) }
                    </dl>
                    </>
                },
            } }
        </aside>
    }
}
