//! The Settings tab: `app.settings` by category with editors by type, staged
//! changes reviewed as a diff and saved together; realtime tables; buckets.

use crate::components::users_screen::short_time;
use crate::components::{BucketsPanel, ErrorBanner, RealtimePanel, step_up_dialog};
use crate::services;
use crate::state::setting_edits::{StagedSettings, by_category};
use fluxdesk_types::{ApiError, DiffTag, ErrorCode, Setting, SettingDiff, SettingType};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Properties of [`InstanceSettings`].
#[derive(Properties, PartialEq)]
pub struct InstanceSettingsProps {
    /// The instance.
    pub profile_id: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    App,
    Realtime,
    Storage,
}

/// The Settings tab.
#[component]
pub fn InstanceSettings(props: &InstanceSettingsProps) -> Html {
    let section = use_state(|| Section::App);
    let pick = |target: Section| {
        let section = section.clone();
        Callback::from(move |_: MouseEvent| section.set(target))
    };
    let button = |target: Section, id: &'static str, label: &'static str| {
        html! {
            <button id={id} class={classes!("tab", (*section == target).then_some("active"))} onclick={pick(target)}>{ label }</button>
        }
    };
    html! {
        <div class="instance-settings">
            <div class="page-header"><h1>{ "Instance settings" }</h1></div>
            <nav class="tabs sub-tabs" role="tablist">
                { button(Section::App, "settings-section-app", "App settings") }
                { button(Section::Realtime, "settings-section-realtime", "Realtime") }
                { button(Section::Storage, "settings-section-storage", "Storage buckets") }
            </nav>
            // Kept mounted, so staged values survive a look at the other sections.
            <div hidden={*section != Section::App}><AppSettings profile_id={props.profile_id.clone()} /></div>
            if *section == Section::Realtime {
                <RealtimePanel profile_id={props.profile_id.clone()} />
            }
            if *section == Section::Storage {
                <BucketsPanel profile_id={props.profile_id.clone()} />
            }
        </div>
    }
}

/// The editor a setting's type calls for; read-only when it may not be changed here.
fn value_editor(setting: &Setting, shown: &str, on_value: Callback<String>) -> Html {
    if setting.is_secret {
        return html! {
            <span class="secret-value" title="Encrypted with the instance's FLUXBASE_ENCRYPTION_KEY, which Fluxdesk does not have.">
                { "secret, not shown" }
            </span>
        };
    }
    if setting.not_editable.is_some() {
        return html! { <code class="setting-value read-only">{ shown.to_owned() }</code> };
    }
    let label = format!("Value of {}", setting.key);
    match setting.value_type {
        SettingType::Boolean => {
            let onchange = Callback::from(move |event: Event| {
                on_value.emit(event.target_unchecked_into::<HtmlSelectElement>().value())
            });
            html! {
                <select class="setting-editor" aria-label={label} onchange={onchange}>
                    <option value="true" selected={shown == "true"}>{ "true" }</option>
                    <option value="false" selected={shown == "false"}>{ "false" }</option>
                    if shown != "true" && shown != "false" {
                        <option value={shown.to_owned()} selected=true>{ shown.to_owned() }</option>
                    }
                </select>
            }
        }
        SettingType::Json | SettingType::Array => {
            let oninput = Callback::from(move |event: InputEvent| {
                on_value.emit(event.target_unchecked_into::<HtmlTextAreaElement>().value())
            });
            let rows = shown.lines().count().clamp(2, 12).to_string();
            html! { <textarea class="setting-editor json-editor" aria-label={label} rows={rows} value={shown.to_owned()} oninput={oninput} /> }
        }
        SettingType::Number | SettingType::String => {
            let oninput = Callback::from(move |event: InputEvent| {
                on_value.emit(event.target_unchecked_into::<HtmlInputElement>().value())
            });
            let mode = if setting.value_type == SettingType::Number {
                "decimal"
            } else {
                "text"
            };
            html! { <input class="setting-editor" aria-label={label} inputmode={mode} value={shown.to_owned()} oninput={oninput} /> }
        }
    }
}

fn diff_view(diffs: &[SettingDiff]) -> Html {
    html! {
        <div class="setting-diffs">{ for diffs.iter().map(|diff| html! {
            <div class="setting-diff" data-key={diff.key.clone()}>
                <h3><code>{ &diff.key }</code>{ format!(" ({})", diff.value_type.as_str()) }</h3>
                <pre class="diff">{ for diff.lines.iter().map(|line| {
                    let (class, mark) = match line.tag {
                        DiffTag::Same => ("diff-same", "  "),
                        DiffTag::Removed => ("diff-removed", "- "),
                        DiffTag::Added => ("diff-added", "+ "),
                    };
                    html! { <div class={class}>{ format!("{mark}{}", line.text) }</div> }
                }) }</pre>
            </div>
        }) }</div>
    }
}

#[derive(Properties, PartialEq)]
struct AppSettingsProps {
    profile_id: String,
}

/// `app.settings`, grouped by category.
#[component]
fn AppSettings(props: &AppSettingsProps) -> Html {
    let settings = use_state(|| Option::<Vec<Setting>>::None);
    let staged = use_state(StagedSettings::default);
    let error = use_state(|| Option::<ApiError>::None);
    let notice = use_state(|| Option::<String>::None);
    let reviewing = use_state(|| Option::<Vec<SettingDiff>>::None);
    let stepping_up = use_state(|| Option::<()>::None);
    let busy = use_state(|| false);
    let id = props.profile_id.clone();

    let reload = {
        let (settings, staged, error, id) = (settings.clone(), staged.clone(), error.clone(), id.clone());
        Callback::from(move |_: ()| {
            let (settings, staged, error, id) = (settings.clone(), staged.clone(), error.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::settings(&id).await {
                    Ok(loaded) => {
                        staged.set(staged.reconciled(&loaded));
                        settings.set(Some(loaded));
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with(id.clone(), move |_| reload.emit(()));
    }

    let on_review = {
        let (staged, error, reviewing, notice, id) = (
            staged.clone(),
            error.clone(),
            reviewing.clone(),
            notice.clone(),
            id.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (edits, error, reviewing, notice, id) = (
                staged.edits(),
                error.clone(),
                reviewing.clone(),
                notice.clone(),
                id.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match services::preview_settings(&id, &edits).await {
                    Ok(diffs) if diffs.is_empty() => {
                        error.set(None);
                        notice.set(Some(
                            "Nothing to save: the staged values are what is stored.".into(),
                        ));
                    }
                    Ok(diffs) => {
                        error.set(None);
                        reviewing.set(Some(diffs));
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let save = {
        let (staged, error, reviewing, notice, stepping_up, busy, reload, id) = (
            staged.clone(),
            error.clone(),
            reviewing.clone(),
            notice.clone(),
            stepping_up.clone(),
            busy.clone(),
            reload.clone(),
            id.clone(),
        );
        Callback::from(move |_: ()| {
            let (staged, error, reviewing, notice, stepping_up, busy, reload, id) = (
                staged.clone(),
                error.clone(),
                reviewing.clone(),
                notice.clone(),
                stepping_up.clone(),
                busy.clone(),
                reload.clone(),
                id.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = services::save_settings(&id, &staged.edits()).await;
                busy.set(false);
                match outcome {
                    Ok(saved) => {
                        error.set(None);
                        reviewing.set(None);
                        staged.set(StagedSettings::default());
                        notice.set(Some(format!(
                            "Saved {} change{}; each is in the audit log.",
                            saved.changed.len(),
                            if saved.changed.len() == 1 { "" } else { "s" }
                        )));
                        reload.emit(());
                    }
                    Err(failure) if failure.code == ErrorCode::StepUpRequired => stepping_up.set(Some(())),
                    // The staged values stay, to be fixed or saved again.
                    Err(failure) => {
                        reviewing.set(None);
                        error.set(Some(failure));
                    }
                }
            });
        })
    };
    let on_discard = {
        let (staged, notice) = (staged.clone(), notice.clone());
        Callback::from(move |_: MouseEvent| {
            staged.set(StagedSettings::default());
            notice.set(None);
        })
    };

    let on_reload = {
        let reload = reload.clone();
        Callback::from(move |_: MouseEvent| reload.emit(()))
    };

    let review_modal = reviewing.as_ref().map(|diffs| {
        let on_back = {
            let reviewing = reviewing.clone();
            Callback::from(move |_: MouseEvent| reviewing.set(None))
        };
        let on_save = {
            let save = save.clone();
            Callback::from(move |_: MouseEvent| save.emit(()))
        };
        html! {
            <div class="modal-backdrop">
                <div class="modal wide" id="settings-diff" role="dialog" aria-label="Changes to save">
                    <h2>{ format!("Save {} change{}?", diffs.len(), if diffs.len() == 1 { "" } else { "s" }) }</h2>
                    <p class="muted">{ "All of them are applied in one transaction, or none. Each is recorded in the audit log with its value before and after." }</p>
                    { diff_view(diffs) }
                    <div class="modal-actions">
                        <button class="button" onclick={on_back}>{ "Back to editing" }</button>
                        <button id="settings-save" class="button primary" disabled={*busy} onclick={on_save}>{ if *busy { "Saving…" } else { "Save" } }</button>
                    </div>
                </div>
            </div>
        }
    });
    let step_up_modal = step_up_dialog(&id, fluxdesk_types::CHANGE_SETTINGS, &stepping_up, &save);

    let Some(all) = &*settings else {
        return html! {
            <div class="app-settings">
                if let Some(failure) = &*error { <ErrorBanner error={failure.clone()} /> }
                else { <p class="muted">{ "Loading settings…" }</p> }
            </div>
        };
    };
    let row = |setting: &Setting| {
        let staged_value = staged.value_of(&setting.key).map(str::to_owned);
        let shown = staged_value
            .clone()
            .or_else(|| setting.value.clone())
            .unwrap_or_default();
        let on_value = {
            let (staged, setting) = (staged.clone(), setting.clone());
            Callback::from(move |value: String| staged.set(staged.stage(&setting, value)))
        };
        html! {
            <tr class={classes!("setting-row", staged_value.is_some().then_some("staged"))} data-key={setting.key.clone()}>
                <td class="setting-key">
                    <code>{ &setting.key }</code>
                    if let Some(description) = &setting.description { <div class="muted small">{ description }</div> }
                </td>
                <td class="setting-value-cell">
                    { value_editor(setting, &shown, on_value) }
                    if let Some(now) = staged.conflict_of(&setting.key) {
                        <div class="warning setting-conflict">{ format!("Changed by someone else to {} since you staged this; saving replaces it.", now.unwrap_or("nothing")) }</div>
                    }
                    if let Some(reason) = &setting.not_editable {
                        <div class="muted small not-editable" title={reason.clone()}>{ "🔒 " }{ reason }</div>
                    }
                </td>
                <td>{ setting.value_type.as_str() }</td>
                <td>{ if setting.is_public { "public" } else { "" } }</td>
                <td>{ if setting.is_secret { "secret" } else { "" } }</td>
                <td class="editable-by">{ setting.editable_by.join(", ") }</td>
                <td class="updated">{ short_time(&setting.updated_at) }<div class="muted small">{ setting.updated_by.clone().unwrap_or_default() }</div></td>
            </tr>
        }
    };
    html! {
        <div class="app-settings">
            if let Some(failure) = &*error { <ErrorBanner error={failure.clone()} /> }
            if let Some(text) = &*notice { <div class="notice" id="settings-notice">{ text }</div> }
            if staged.is_empty() {
                <div class="toolbar"><button id="settings-reload" class="button" onclick={on_reload.clone()}>{ "Reload" }</button></div>
            }
            if all.is_empty() { <p class="muted">{ "app.settings has no system-wide rows yet. Fluxbase adds them at startup." }</p> }
            { for by_category(all).into_iter().map(|(category, members)| html! {
                <section class="panel settings-category" data-category={category.clone()}>
                    <h2>{ category }</h2>
                    <table class="list-table settings-table">
                        <thead><tr><th>{ "Key" }</th><th>{ "Value" }</th><th>{ "Type" }</th><th>{ "Public" }</th><th>{ "Secret" }</th><th>{ "Editable by" }</th><th>{ "Updated" }</th></tr></thead>
                        <tbody>{ for members.iter().map(row) }</tbody>
                    </table>
                </section>
            }) }
            if !staged.is_empty() {
                <div class="staged-bar" id="settings-staged">
                    <span>{ format!("{} staged change{}", staged.len(), if staged.len() == 1 { "" } else { "s" }) }</span>
                    <button id="settings-discard" class="button" onclick={on_discard}>{ "Discard" }</button>
                    <button id="settings-reload" class="button" title="Load the stored values again; staged values are kept" onclick={on_reload}>{ "Reload" }</button>
                    <button id="settings-review" class="button primary" onclick={on_review}>{ "Review changes…" }</button>
                </div>
            }
            { review_modal.unwrap_or_default() }
            { step_up_modal }
        </div>
    }
}
