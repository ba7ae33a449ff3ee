//! New rows staged for insertion, each shown with every column's default
//! until a value is typed.

use crate::state::staging::{Rejection, StagedTarget, Staging, validate};
use fluxdesk_types::ColumnInfo;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`NewRows`].
#[derive(Properties, PartialEq)]
pub struct NewRowsProps {
    /// The table's columns.
    pub columns: Vec<ColumnInfo>,
    /// What is staged (its `inserts` are shown).
    pub staging: Staging,
    /// Replaces what is staged.
    pub on_change: Callback<Staging>,
}

/// The staged new rows, editable in place.
#[component]
pub fn NewRows(props: &NewRowsProps) -> Html {
    if props.staging.inserts.is_empty() {
        return html! {};
    }
    let writable: Vec<&ColumnInfo> = props
        .columns
        .iter()
        .filter(|c| c.editing.as_ref().is_some_and(|e| !e.generated))
        .collect();
    html! {
        <div id="new-rows" class="new-rows">
            { for props.staging.inserts.iter().enumerate().map(|(row, values)| {
                let remove = {
                    let (staging, on_change) = (props.staging.clone(), props.on_change.clone());
                    Callback::from(move |_: MouseEvent| {
                        let mut next = staging.clone();
                        next.remove_insert(row);
                        on_change.emit(next);
                    })
                };
                html! {
                    <div class="new-row" data-index={row.to_string()}>
                        <span class="new-row-label">{ format!("New row {}", row + 1) }</span>
                        { for writable.iter().map(|column| {
                            let staged = values.get(&column.name);
                            let default = column.editing.as_ref().and_then(|e| e.default.clone());
                            let placeholder = match &default {
                                Some(default) => format!("default: {default}"),
                                None => "NULL (no default)".to_owned(),
                            };
                            let problem = staged.and_then(|value| validate(column, value.as_deref()).err());
                            let rejected = matches!(&props.staging.rejection, Some(Rejection { target: StagedTarget::Insert(r), column: Some(c), .. }) if *r == row && *c == column.name);
                            let on_input = {
                                let (staging, on_change, name) = (props.staging.clone(), props.on_change.clone(), column.name.clone());
                                Callback::from(move |event: InputEvent| {
                                    let text = event.target_unchecked_into::<HtmlInputElement>().value();
                                    let mut next = staging.clone();
                                    // Emptied: back to the column's default.
                                    next.set_insert_value(row, &name, (!text.is_empty()).then_some(Some(text)));
                                    on_change.emit(next);
                                })
                            };
                            html! {
                                <label class={classes!("new-row-field", (problem.is_some() || rejected).then_some("cell-error"))}
                                    data-column={column.name.clone()} title={problem.clone().unwrap_or_default()}>
                                    <span>{ format!("{} ({})", column.name, column.data_type) }</span>
                                    <input class="new-row-value" placeholder={placeholder}
                                        value={staged.cloned().flatten().unwrap_or_default()} oninput={on_input} />
                                    if let Some(problem) = problem {
                                        <span class="field-error">{ problem }</span>
                                    }
                                </label>
                            }
                        }) }
                        <button class="button small remove-new-row" onclick={remove}>{ "Remove" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
