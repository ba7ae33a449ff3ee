//! "Choose…" beside a typed file path: the native Save dialog.

use crate::services;
use yew::prelude::*;

/// Properties of [`SaveAsButton`].
#[derive(Properties, PartialEq)]
pub struct SaveAsButtonProps {
    /// The button's id.
    pub id: AttrValue,
    /// The dialog's title.
    pub title: AttrValue,
    /// The file name the dialog suggests.
    pub suggested: AttrValue,
    /// The file type, e.g. `csv`.
    pub extension: AttrValue,
    /// Gets the chosen path; not called when the user cancels.
    pub on_pick: Callback<String>,
    /// Greyed out, e.g. while the export runs.
    #[prop_or_default]
    pub disabled: bool,
}

/// Opens the native Save dialog and hands over the path chosen.
#[component]
pub fn SaveAsButton(props: &SaveAsButtonProps) -> Html {
    let onclick = {
        let (title, suggested, extension, on_pick) = (
            props.title.clone(),
            props.suggested.clone(),
            props.extension.clone(),
            props.on_pick.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (title, suggested, extension, on_pick) = (
                title.clone(),
                suggested.clone(),
                extension.clone(),
                on_pick.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(Some(path)) = services::pick_save_path(&title, &suggested, &extension).await {
                    on_pick.emit(path);
                }
            });
        })
    };
    html! {
        <button type="button" class="button small" id={props.id.clone()} disabled={props.disabled}
            title={props.title.clone()} {onclick}>{ "Choose…" }</button>
    }
}
