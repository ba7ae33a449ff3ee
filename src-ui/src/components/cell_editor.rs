//! The inline editor of one cell: an input fitted to the column's type
//! (a choice for booleans and enums, a text area for JSON and arrays), checked
//! before anything is staged.

use crate::state::staging::validate;
use fluxdesk_types::{ColumnInfo, EditorKind};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Properties of [`CellEditor`].
#[derive(Properties, PartialEq)]
pub struct CellEditorProps {
    /// The column edited.
    pub column: ColumnInfo,
    /// The value it starts from; `None` is NULL.
    pub initial: Option<String>,
    /// Stages the checked value (`None` is NULL).
    pub on_stage: Callback<Option<String>>,
    /// Leaves without staging.
    pub on_cancel: Callback<()>,
    /// Hears every change of the typed value (`None` is NULL), so it outlives the editor.
    #[prop_or_default]
    pub on_draft: Callback<Option<String>>,
}

/// Marker a choice list uses for NULL (no enum label or boolean looks like it).
const NULL_CHOICE: &str = "\u{0}null";

/// Edits one cell. Enter (Ctrl+Enter in a text area) stages, Escape cancels.
#[component]
pub fn CellEditor(props: &CellEditorProps) -> Html {
    let draft = use_state(|| props.initial.clone().unwrap_or_default());
    let is_null = use_state(|| props.initial.is_none());
    let problem = use_state(|| Option::<String>::None);
    // The keys go to the editor as it opens (a double-click or Enter on the grid).
    use_effect_with((), |_| {
        if let Some(field) = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.query_selector(".cell-editor").ok().flatten())
            .and_then(|field| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(field).ok())
        {
            let _ = field.focus();
        }
    });
    let editing = props.column.editing.clone();
    let editor = editing.as_ref().map_or(EditorKind::Other, |e| e.editor);
    let nullable = editing.as_ref().is_some_and(|e| e.nullable);

    let stage = {
        let (draft, is_null, problem, column, on_stage) = (
            draft.clone(),
            is_null.clone(),
            problem.clone(),
            props.column.clone(),
            props.on_stage.clone(),
        );
        Callback::from(move |_: ()| {
            let value = (!*is_null).then(|| (*draft).clone());
            match validate(&column, value.as_deref()) {
                Ok(()) => on_stage.emit(value),
                Err(reason) => problem.set(Some(reason)),
            }
        })
    };
    let on_key = {
        let (stage, on_cancel) = (stage.clone(), props.on_cancel.clone());
        let multi_line = matches!(editor, EditorKind::Json | EditorKind::Array);
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "Enter" if !multi_line || event.ctrl_key() || event.meta_key() => {
                event.prevent_default();
                stage.emit(());
            }
            "Escape" => on_cancel.emit(()),
            _ => {}
        })
    };
    let on_text = {
        let (draft, is_null, problem, on_draft) = (
            draft.clone(),
            is_null.clone(),
            problem.clone(),
            props.on_draft.clone(),
        );
        move |text: String| {
            on_draft.emit(Some(text.clone()));
            draft.set(text);
            is_null.set(false);
            problem.set(None);
        }
    };
    let on_choice = {
        let (draft, is_null, problem, on_draft) = (
            draft.clone(),
            is_null.clone(),
            problem.clone(),
            props.on_draft.clone(),
        );
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            if value == NULL_CHOICE {
                on_draft.emit(None);
                is_null.set(true);
            } else {
                on_draft.emit(Some(value.clone()));
                draft.set(value);
                is_null.set(false);
            }
            problem.set(None);
        })
    };
    let on_null = {
        let (is_null, problem, on_draft) = (is_null.clone(), problem.clone(), props.on_draft.clone());
        Callback::from(move |_: MouseEvent| {
            on_draft.emit(None);
            is_null.set(true);
            problem.set(None);
        })
    };

    let choices: Option<Vec<String>> = match editor {
        EditorKind::Boolean => Some(vec!["true".into(), "false".into()]),
        EditorKind::Enum => editing.as_ref().map(|e| e.enum_values.clone()),
        _ => None,
    };
    let selected = if *is_null {
        NULL_CHOICE.to_owned()
    } else {
        (*draft).clone()
    };
    let input = match (choices, editor) {
        (Some(choices), _) => html! {
            <select class="cell-editor" data-editor="choice" onchange={on_choice} onkeydown={on_key.clone()}>
                if nullable || *is_null {
                    <option value={NULL_CHOICE} selected={*is_null}>{ "NULL" }</option>
                }
                { for choices.iter().map(|choice| html! {
                    <option value={choice.clone()} selected={*choice == selected}>{ choice }</option>
                }) }
            </select>
        },
        (None, EditorKind::Json | EditorKind::Array) => {
            let on_text = on_text.clone();
            html! {
                <textarea class="cell-editor" data-editor="multi-line" rows="6"
                    placeholder={if *is_null { "NULL" } else { "" }}
                    value={(*draft).clone()} onkeydown={on_key.clone()}
                    oninput={Callback::from(move |event: InputEvent| on_text(event.target_unchecked_into::<HtmlTextAreaElement>().value()))} />
            }
        }
        (None, _) => {
            let on_text = on_text.clone();
            html! {
                <input class="cell-editor" data-editor="text"
                    placeholder={if *is_null { "NULL" } else { "" }}
                    value={(*draft).clone()} onkeydown={on_key.clone()}
                    oninput={Callback::from(move |event: InputEvent| on_text(event.target_unchecked_into::<HtmlInputElement>().value()))} />
            }
        }
    };
    let on_stage_click = {
        let stage = stage.clone();
        Callback::from(move |_: MouseEvent| stage.emit(()))
    };
    let on_cancel_click = {
        let on_cancel = props.on_cancel.clone();
        Callback::from(move |_: MouseEvent| on_cancel.emit(()))
    };
    html! {
        <div class="cell-editor-box" data-column={props.column.name.clone()}>
            { input }
            <div class="cell-editor-actions">
                <span class="cell-editor-type">{ &props.column.data_type }</span>
                if nullable && !*is_null {
                    <button class="button small set-null" onclick={on_null}>{ "NULL" }</button>
                }
                <button class="button small" onclick={on_cancel_click}>{ "Cancel" }</button>
                <button class="button small primary stage-cell" onclick={on_stage_click}>{ "Stage" }</button>
            </div>
            if let Some(reason) = &*problem {
                <div class="cell-editor-error" role="alert">{ reason }</div>
            }
        </div>
    }
}
