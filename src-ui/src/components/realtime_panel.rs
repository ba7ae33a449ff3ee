//! Which tables publish their changes: the registry, and enable or disable.

use crate::components::users_screen::short_time;
use crate::components::{ErrorBanner, confirm_dialog, step_up_dialog};
use crate::services;
use fluxdesk_types::{
    ApiError, CHANGE_REALTIME, ErrorCode, REALTIME_EVENTS, RealtimeRequest, RealtimeTable, TableRef,
};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`RealtimePanel`].
#[derive(Properties, PartialEq)]
pub struct RealtimePanelProps {
    /// The instance.
    pub profile_id: String,
}

#[derive(Clone, PartialEq)]
enum Change {
    Enable(RealtimeRequest),
    Disable(TableRef),
}

/// Comma- or space-separated names, trimmed, without empties.
fn names(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The realtime section of the Settings tab.
#[component]
pub fn RealtimePanel(props: &RealtimePanelProps) -> Html {
    let tables = use_state(Vec::<RealtimeTable>::new);
    let error = use_state(|| Option::<ApiError>::None);
    let notice = use_state(|| Option::<String>::None);
    let confirming = use_state(|| Option::<Change>::None);
    let stepping_up = use_state(|| Option::<Change>::None);
    let schema = use_state(|| "public".to_owned());
    let table = use_state(String::new);
    let excluded = use_state(String::new);
    let events = use_state(|| REALTIME_EVENTS.map(str::to_owned).to_vec());
    let id = props.profile_id.clone();

    let reload = {
        let (tables, error, id) = (tables.clone(), error.clone(), id.clone());
        Callback::from(move |_: ()| {
            let (tables, error, id) = (tables.clone(), error.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::realtime_tables(&id).await {
                    Ok(loaded) => tables.set(loaded),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with(id.clone(), move |_| reload.emit(()));
    }
    let perform = {
        let (error, notice, stepping_up, reload, id) = (
            error.clone(),
            notice.clone(),
            stepping_up.clone(),
            reload.clone(),
            id.clone(),
        );
        Callback::from(move |change: Change| {
            let (error, notice, stepping_up, reload, id) = (
                error.clone(),
                notice.clone(),
                stepping_up.clone(),
                reload.clone(),
                id.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = match &change {
                    Change::Enable(request) => services::enable_realtime(&id, request).await.map(|enabled| {
                        format!(
                            "Realtime is on for {}: {} (replica identity {}).",
                            enabled.table,
                            enabled.events.join(", "),
                            enabled.replica_identity
                        )
                    }),
                    Change::Disable(table) => services::disable_realtime(&id, table)
                        .await
                        .map(|disabled| disabled.note),
                };
                match outcome {
                    Ok(text) => {
                        error.set(None);
                        notice.set(Some(text));
                        reload.emit(());
                    }
                    Err(failure) if failure.code == ErrorCode::StepUpRequired => {
                        stepping_up.set(Some(change))
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let on_enable = {
        let (schema, table, excluded, events, perform) = (
            schema.clone(),
            table.clone(),
            excluded.clone(),
            events.clone(),
            perform.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            perform.emit(Change::Enable(RealtimeRequest {
                table: TableRef::new(schema.trim(), table.trim()),
                events: (*events).clone(),
                excluded_columns: names(&excluded),
            }));
        })
    };
    let text = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            state.set(event.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let toggle = |name: &'static str| {
        let events = events.clone();
        Callback::from(move |_: Event| {
            let mut next = (*events).clone();
            if next.iter().any(|event| event == name) {
                next.retain(|event| event != name);
            } else {
                next.push(name.to_owned());
            }
            events.set(next);
        })
    };
    let confirm_modal = confirm_dialog(
        "confirm-realtime",
        match &*confirming {
            Some(Change::Disable(table)) => {
                format!("Stop publishing changes of {table}? Subscribers stop receiving its events at once.")
            }
            _ => String::new(),
        },
        &confirming,
        &perform,
    );
    let step_up_modal = step_up_dialog(&id, CHANGE_REALTIME, &stepping_up, &perform);

    html! {
        <div class="realtime-panel">
            if let Some(failure) = &*error { <ErrorBanner error={failure.clone()} /> }
            if let Some(text) = &*notice { <div class="notice" id="realtime-notice">{ text }</div> }
            <section class="panel">
                <h2>{ "Enable realtime on a table" }</h2>
                <p class="muted">{ "As Fluxbase does it: REPLICA IDENTITY FULL, the <table>_realtime_notify trigger, and a row in realtime.schema_registry. Disabling puts back what was there before." }</p>
                <form class="inline-form" onsubmit={on_enable}>
                    <input id="realtime-schema" aria-label="Schema" value={(*schema).clone()} oninput={text(&schema)} />
                    <input id="realtime-table" aria-label="Table" placeholder="table" value={(*table).clone()} oninput={text(&table)} />
                    { for REALTIME_EVENTS.iter().map(|name| html! {
                        <label><input type="checkbox" class="realtime-event" checked={events.iter().any(|event| event == name)} onchange={toggle(name)} />{ format!(" {name}") }</label>
                    }) }
                    <input id="realtime-excluded" aria-label="Columns left out of payloads" placeholder="columns to leave out (comma-separated)" value={(*excluded).clone()} oninput={text(&excluded)} />
                    <button id="realtime-enable" type="submit" class="button primary" disabled={table.trim().is_empty() || events.is_empty()}>{ "Enable" }</button>
                </form>
            </section>
            <section class="panel">
                <h2>{ "Tables in realtime.schema_registry" }</h2>
                if tables.is_empty() { <p class="muted">{ "No table publishes its changes yet. Enable one above." }</p> }
                <table class="list-table" id="realtime-tables">
                    <thead><tr><th>{ "Table" }</th><th>{ "Enabled" }</th><th>{ "Events" }</th><th>{ "Left out" }</th><th>{ "Trigger" }</th><th>{ "Replica identity" }</th><th>{ "Updated" }</th><th /></tr></thead>
                    <tbody>{ for tables.iter().map(|entry| {
                        let on_disable = {
                            let (confirming, table) = (confirming.clone(), entry.table.clone());
                            Callback::from(move |_: MouseEvent| confirming.set(Some(Change::Disable(table.clone()))))
                        };
                        html! {
                            <tr class="realtime-row" data-table={entry.table.to_string()}>
                                <td>{ entry.table.to_string() }{ if entry.table_exists { "" } else { " (table gone)" } }</td>
                                <td class="realtime-enabled">{ if entry.enabled { "yes" } else { "no" } }</td>
                                <td>{ entry.events.join(", ") }</td>
                                <td>{ entry.excluded_columns.join(", ") }</td>
                                <td>{ if entry.trigger_installed { "installed" } else { "missing" } }</td>
                                <td>{ &entry.replica_identity }</td>
                                <td>{ short_time(&entry.updated_at) }</td>
                                <td class="row-actions">
                                    if entry.table_exists && (entry.enabled || entry.trigger_installed || entry.restorable) {
                                        <button class="button realtime-disable" title={if entry.restorable { "Puts back what was there before Fluxdesk enabled it" } else { "Drops the trigger and marks it disabled, as Fluxbase does" }} onclick={on_disable}>{ "Disable…" }</button>
                                    }
                                </td>
                            </tr>
                        }
                    }) }</tbody>
                </table>
            </section>
            { confirm_modal }
            { step_up_modal }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn column_lists_split_on_commas_and_spaces() {
        assert_eq!(names(" secret, token  note,,"), ["secret", "token", "note"]);
        assert!(names("  ").is_empty());
    }
}
