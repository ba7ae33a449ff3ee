//! Export the current view (or a query's result) to CSV or JSON, with a
//! progress bar and a Cancel button while it streams.

use crate::components::{ErrorBanner, SaveAsButton};
use crate::format::grouped;
use crate::services;
use fluxdesk_types::{ApiError, ExportFormat, ExportProgress, ExportRequest, ExportSource, ExportSummary};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`ExportPanel`].
#[derive(Properties, PartialEq)]
pub struct ExportPanelProps {
    /// The instance.
    pub instance_id: String,
    /// What to export (the grid's view, or the editor's query).
    pub source: ExportSource,
    /// The file name offered, without extension.
    pub suggested_name: String,
}

/// A button that opens the export form; the export runs in the backend.
#[component]
pub fn ExportPanel(props: &ExportPanelProps) -> Html {
    let open = use_state(|| false);
    let format = use_state(|| ExportFormat::Csv);
    let name = use_state(|| Option::<String>::None);
    let running = use_state(|| Option::<String>::None);
    let progress = use_state(|| Option::<ExportProgress>::None);
    let done = use_state(|| Option::<ExportSummary>::None);
    let error = use_state(|| Option::<ApiError>::None);
    let extension = match *format {
        ExportFormat::Csv => "csv",
        ExportFormat::Json => "json",
    };
    let file_name = (*name)
        .clone()
        .unwrap_or_else(|| format!("{}.{extension}", props.suggested_name));

    let on_toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let on_format = {
        let (format, name) = (format.clone(), name.clone());
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            format.set(if value == "json" {
                ExportFormat::Json
            } else {
                ExportFormat::Csv
            });
            // A name the user did not type follows the format.
            name.set(None);
        })
    };
    let on_name = {
        let name = name.clone();
        Callback::from(move |event: InputEvent| {
            name.set(Some(event.target_unchecked_into::<HtmlInputElement>().value()))
        })
    };
    let on_start = {
        let (running, progress, done, error) =
            (running.clone(), progress.clone(), done.clone(), error.clone());
        let (instance_id, source, format, file_name) = (
            props.instance_id.clone(),
            props.source.clone(),
            *format,
            file_name.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if running.is_some() {
                return;
            }
            let export_id = format!("export-{}", js_sys::Date::now());
            let request = ExportRequest {
                source: source.clone(),
                format,
                path: file_name.clone(),
            };
            running.set(Some(export_id.clone()));
            progress.set(None);
            done.set(None);
            error.set(None);
            let finished = {
                let progress = progress.clone();
                services::watch_progress(export_id.clone(), move |step| progress.set(Some(step)))
            };
            let (running, done, error, instance_id) =
                (running.clone(), done.clone(), error.clone(), instance_id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = services::export_rows(&instance_id, &export_id, &request).await;
                finished.set(true);
                match outcome {
                    Ok(summary) => done.set(Some(summary)),
                    Err(failure) => error.set(Some(failure)),
                }
                running.set(None);
            });
        })
    };
    let on_cancel = {
        let running = running.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(export_id) = (*running).clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = services::cancel_export(&export_id).await;
                });
            }
        })
    };

    html! {
        <span class="export-panel">
            <button id="export-view" class="button small" onclick={on_toggle}>{ "Export…" }</button>
            if *open {
                <div class="export-form" id="export-form">
                    <select id="export-format" onchange={on_format} disabled={running.is_some()}>
                        <option value="csv" selected={*format == ExportFormat::Csv}>{ "CSV" }</option>
                        <option value="json" selected={*format == ExportFormat::Json}>{ "JSON" }</option>
                    </select>
                    <input id="export-path" value={file_name.clone()} oninput={on_name} disabled={running.is_some()}
                        aria-label="Export file" title="A file name lands in your Downloads folder; or give a full path" />
                    <SaveAsButton id="export-choose" title="Export to…" suggested={file_name.clone()}
                        extension={if *format == ExportFormat::Json { "json" } else { "csv" }}
                        on_pick={ let name = name.clone(); Callback::from(move |path: String| name.set(Some(path))) }
                        disabled={running.is_some()} />
                    if running.is_some() {
                        <button id="cancel-export" class="button small danger" onclick={on_cancel}>{ "Cancel" }</button>
                    } else {
                        <button id="start-export" class="button small primary" onclick={on_start}>{ "Export" }</button>
                    }
                    if running.is_some() {
                        { progress_view(progress.as_ref()) }
                    }
                    if let Some(summary) = &*done {
                        <span id="export-done" data-rows={summary.rows.to_string()} data-path={summary.path.clone()}>
                            { format!("Exported {} rows to {} in {:.1} s", grouped(summary.rows as i64), summary.path, summary.elapsed_ms as f64 / 1000.0) }
                        </span>
                    }
                    if let Some(failure) = &*error {
                        <ErrorBanner error={failure.clone()} />
                    }
                </div>
            }
        </span>
    }
}

fn progress_view(progress: Option<&ExportProgress>) -> Html {
    let Some(step) = progress else {
        return html! { <span id="export-progress" data-rows="0">{ "Starting…" }</span> };
    };
    let mebibytes = step.bytes as f64 / 1_048_576.0;
    html! {
        <span id="export-progress" data-rows={step.rows.to_string()}>
            if let Some(total) = step.estimated_rows.filter(|t| *t > 0) {
                <progress max={total.to_string()} value={step.rows.min(total as u64).to_string()} />
            }
            { format!(" {} rows · {mebibytes:.1} MiB", grouped(step.rows as i64)) }
        </span>
    }
}
