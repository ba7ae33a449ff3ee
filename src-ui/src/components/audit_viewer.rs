//! The Audit tab: Fluxdesk's chain merged with Fluxbase's own logs, the
//! chain's status, a timeline, and the signed export to a bundle.

use crate::components::audit_parts::{AuditEntryTable, AuditFilterBar, TimelineChart};
use crate::components::{ErrorBanner, SaveAsButton, step_up_dialog};
use crate::services;
use fluxdesk_types::{
    ApiError, AuditEntry, AuditFilter, AuditLogRequest, BundleExportRequest, BundleExported,
    ChainVerification, EXPORT_AUDIT_LOG, ErrorCode, ExportProgress, Timeline, UnavailableSource,
};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Entries per page.
const PAGE: u32 = 200;

/// Properties of [`AuditViewer`].
#[derive(Properties, PartialEq)]
pub struct AuditViewerProps {
    /// The connected instance.
    pub profile_id: String,
}

/// What the viewer shows for one filter.
#[derive(Clone, PartialEq, Default)]
struct Shown {
    entries: Vec<AuditEntry>,
    next_cursor: Option<String>,
    unavailable: Vec<UnavailableSource>,
    timeline: Timeline,
}

/// The merged log with filters, chart and chain status; and the export.
#[component]
pub fn AuditViewer(props: &AuditViewerProps) -> Html {
    let filter = use_state(AuditFilter::default);
    let shown = use_state(Shown::default);
    let chain = use_state(|| Option::<ChainVerification>::None);
    let error = use_state(|| Option::<ApiError>::None);
    let loading = use_state(|| false);
    let loading_more = use_state(|| false);
    // Each filter's replies carry its number; a reply for an older one is dropped.
    let current = use_mut_ref(|| 0u32);

    {
        let (chain, id) = (chain.clone(), props.profile_id.clone());
        // The whole chain is re-hashed: once per visit, not per filter.
        use_effect_with(id, move |id| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                chain.set(services::verify_audit_chain(&id).await.ok());
            });
        });
    }
    {
        let (shown, error, loading, id) = (
            shown.clone(),
            error.clone(),
            loading.clone(),
            props.profile_id.clone(),
        );
        let current = current.clone();
        use_effect_with((*filter).clone(), move |filter| {
            let filter = filter.clone();
            *current.borrow_mut() += 1;
            let mine = *current.borrow();
            loading.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let request = AuditLogRequest {
                    filter: filter.clone(),
                    cursor: None,
                    limit: PAGE,
                };
                let page = services::audit_log(&id, &request).await;
                let timeline = services::audit_timeline(&id, &filter).await;
                if *current.borrow() != mine {
                    return;
                }
                match page {
                    Ok(page) => {
                        let timeline_failure = timeline.as_ref().err().cloned();
                        shown.set(Shown {
                            entries: page.entries,
                            next_cursor: page.next_cursor,
                            unavailable: page.unavailable,
                            timeline: timeline.unwrap_or_default(),
                        });
                        error.set(timeline_failure);
                    }
                    Err(failure) => error.set(Some(failure)),
                }
                loading.set(false);
            });
        });
    }

    let on_apply = {
        let filter = filter.clone();
        Callback::from(move |next: AuditFilter| filter.set(next))
    };
    let on_more = {
        let (shown, error, filter, id) = (
            shown.clone(),
            error.clone(),
            filter.clone(),
            props.profile_id.clone(),
        );
        let (current, loading_more) = (current.clone(), loading_more.clone());
        Callback::from(move |_| {
            let Some(cursor) = shown.next_cursor.clone() else {
                return;
            };
            let mine = *current.borrow();
            loading_more.set(true);
            let (shown, error, id, current, loading_more) = (
                shown.clone(),
                error.clone(),
                id.clone(),
                current.clone(),
                loading_more.clone(),
            );
            let request = AuditLogRequest {
                filter: (*filter).clone(),
                cursor: Some(cursor),
                limit: PAGE,
            };
            wasm_bindgen_futures::spawn_local(async move {
                let reply = services::audit_log(&id, &request).await;
                loading_more.set(false);
                // Another filter was applied meanwhile: this page belongs to the old one.
                if *current.borrow() != mine {
                    return;
                }
                match reply {
                    Ok(page) => {
                        let mut next = (*shown).clone();
                        next.entries.extend(page.entries);
                        next.next_cursor = page.next_cursor;
                        shown.set(next);
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let chain_status = match &*chain {
        None => html! { <span id="chain-status" class="muted">{ "Checking the hash chain…" }</span> },
        Some(verification) => match verification.broken_at {
            None => html! {
                <span id="chain-status" class="chain-ok">
                    { format!("✓ Chain verified up to event {} ({} events)", verification.verified_up_to, verification.events) }
                </span>
            },
            Some(at) => html! {
                <span id="chain-status" class="chain-broken">
                    { format!("✗ Chain broken at event {at}: {}. Verified up to event {}.",
                        verification.problem.clone().unwrap_or_default(), verification.verified_up_to) }
                </span>
            },
        },
    };

    html! {
        <div class="audit-viewer" id="audit-viewer">
            <div class="page-header">
                <h1>{ "Audit log" }</h1>
                { chain_status }
            </div>
            <AuditFilterBar id_prefix="audit" show_sources=true on_apply={on_apply} />
            if let Some(failure) = &*error {
                <ErrorBanner error={failure.clone()} />
            }
            { for shown.unavailable.iter().map(|missing| html! {
                <p class="notice source-unavailable">{ format!("{} left out: {}", missing.source.label(), missing.reason) }</p>
            }) }
            <TimelineChart id="audit-timeline" timeline={shown.timeline.clone()} />
            if *loading { <p class="muted" id="audit-loading">{ "Loading…" }</p> }
            <AuditEntryTable id="audit-entries" entries={shown.entries.clone()} show_source=true />
            if shown.next_cursor.is_some() {
                <button id="audit-more" class="button" disabled={*loading_more} onclick={on_more}>{ "Load more" }</button>
            }
            <BundleExportPanel profile_id={props.profile_id.clone()} filter={(*filter).clone()} />
        </div>
    }
}

/// Properties of [`BundleExportPanel`].
#[derive(Properties, PartialEq)]
pub struct BundleExportPanelProps {
    /// The connected instance.
    pub profile_id: String,
    /// The viewer's filter: its time range is offered for the export.
    pub filter: AuditFilter,
}

/// Export to a signed (optionally encrypted) bundle, with progress and cancel.
#[component]
pub fn BundleExportPanel(props: &BundleExportPanelProps) -> Html {
    let path = use_node_ref();
    let passphrase = use_node_ref();
    let confirm = use_node_ref();
    let running = use_state(|| Option::<String>::None);
    let progress = use_state(|| Option::<ExportProgress>::None);
    let done = use_state(|| Option::<BundleExported>::None);
    let error = use_state(|| Option::<ApiError>::None);
    let stepping_up = use_state(|| Option::<BundleExportRequest>::None);

    let run = {
        let (running, progress, done, error, stepping_up, id) = (
            running.clone(),
            progress.clone(),
            done.clone(),
            error.clone(),
            stepping_up.clone(),
            props.profile_id.clone(),
        );
        Callback::from(move |request: BundleExportRequest| {
            let export_id = format!("audit-export-{}", js_sys::Date::now());
            running.set(Some(export_id.clone()));
            progress.set(None);
            done.set(None);
            error.set(None);
            let finished = {
                let progress = progress.clone();
                services::watch_progress(export_id.clone(), move |step| progress.set(Some(step)))
            };
            let (running, done, error, stepping_up, id) = (
                running.clone(),
                done.clone(),
                error.clone(),
                stepping_up.clone(),
                id.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = services::export_audit_bundle(&id, &export_id, &request).await;
                finished.set(true);
                running.set(None);
                match outcome {
                    Ok(exported) => done.set(Some(exported)),
                    Err(failure) if failure.code == ErrorCode::StepUpRequired => {
                        stepping_up.set(Some(request))
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let on_submit = {
        let (path, passphrase, confirm, error, run, filter) = (
            path.clone(),
            passphrase.clone(),
            confirm.clone(),
            error.clone(),
            run.clone(),
            props.filter.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let value = |node: &NodeRef| {
                node.cast::<HtmlInputElement>()
                    .map(|input| input.value())
                    .unwrap_or_default()
            };
            let (secret, again) = (value(&passphrase), value(&confirm));
            if secret != again {
                error.set(Some(ApiError::new(
                    ErrorCode::InvalidInput,
                    "The two passphrases differ: type the same one twice.",
                )));
                return;
            }
            run.emit(BundleExportRequest {
                path: value(&path),
                since: filter.since.clone(),
                until: filter.until.clone(),
                passphrase: (!secret.is_empty()).then_some(secret),
            });
        })
    };
    let on_cancel = {
        let running = running.clone();
        Callback::from(move |_| {
            if let Some(export_id) = (*running).clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = services::cancel_export(&export_id).await;
                });
            }
        })
    };
    let range = match (&props.filter.since, &props.filter.until) {
        (None, None) => "everything".to_owned(),
        (since, until) => format!(
            "from {} until {}",
            since.as_deref().unwrap_or("the beginning"),
            until.as_deref().unwrap_or("now")
        ),
    };
    let step_up_modal = step_up_dialog(&props.profile_id, EXPORT_AUDIT_LOG, &stepping_up, &run);
    html! {
        <section class="bundle-export" id="bundle-export">
            <h2>{ "Export a signed bundle" }</h2>
            <p class="muted">{ format!("Exports Fluxdesk's hash-chained events, {range} (the filter's time range), signed with this install's key. Reviewers can open it with no connection.") }</p>
            <form onsubmit={on_submit} class="inline-form">
                <label>{ "File" }<input ref={path.clone()} id="bundle-path" value={format!("audit.{}", fluxdesk_types::BUNDLE_EXTENSION)} /></label>
                <SaveAsButton id="bundle-choose" title="Export the audit bundle to…" suggested={format!("audit.{}", fluxdesk_types::BUNDLE_EXTENSION)}
                    extension={fluxdesk_types::BUNDLE_EXTENSION} disabled={running.is_some()}
                    on_pick={ let path = path.clone(); Callback::from(move |chosen: String| if let Some(input) = path.cast::<HtmlInputElement>() { input.set_value(&chosen) }) } />
                <label>{ "Passphrase (optional)" }<input ref={passphrase} id="bundle-passphrase" type="password" autocomplete="new-password" /></label>
                <label>{ "Again" }<input ref={confirm} id="bundle-passphrase-again" type="password" autocomplete="new-password" /></label>
                <button type="submit" id="bundle-export-start" class="button primary" disabled={running.is_some()}>{ "Export" }</button>
                if running.is_some() {
                    <button type="button" id="bundle-export-cancel" class="button" onclick={on_cancel}>{ "Cancel" }</button>
                }
            </form>
            if running.is_some() {
                <p id="bundle-export-progress" class="muted">{
                    match &*progress {
                        Some(step) => match step.estimated_rows {
                            Some(total) if total > 0 => format!("{} of {} events written", step.rows, total),
                            _ => format!("{} events written", step.rows),
                        },
                        None => "Starting…".to_owned(),
                    }
                }</p>
            }
            if let Some(exported) = &*done {
                <div id="bundle-exported" class="notice success">
                    <p>{ format!("Wrote {} events ({} bytes) to {}.", exported.events, exported.bytes, exported.path) }</p>
                    <p>{ "Signer's public key (give it to reviewers to pin): " }<code id="bundle-public-key">{ &exported.public_key }</code></p>
                </div>
            }
            if let Some(failure) = &*error {
                <ErrorBanner error={failure.clone()} />
            }
            { step_up_modal }
        </section>
    }
}
