//! Offline review of an audit bundle: open it (File → Open, a drop, the
//! command line or a typed path), verify it, then browse it with no
//! connection at all.

use crate::components::audit_parts::{AuditEntryTable, AuditFilterBar, TimelineChart};
use crate::components::{ErrorBanner, SaveAsButton};
use crate::services;
use crate::state::session::{SessionAction, SessionContext};
use fluxdesk_types::{
    ApiError, AuditFilter, AuditSummary, BundleOpenRequest, BundleReview, ExportProgress,
    ImpersonationReview, ReviewCsvRequest, ReviewPage, ReviewRequest, ReviewSort, Timeline,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Entries per page.
const PAGE: u32 = 100;

fn value_of(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|input| input.value().trim().to_owned())
        .unwrap_or_default()
}

/// Opening controls, the verdict, then the browser.
#[component]
pub fn BundleReviewScreen() -> Html {
    let session = use_context::<SessionContext>().expect("inside the session provider");
    let path = use_node_ref();
    let passphrase = use_node_ref();
    let pinned = use_node_ref();
    let review = use_state(|| Option::<BundleReview>::None);
    let error = use_state(|| Option::<ApiError>::None);
    let opening = use_state(|| Option::<String>::None);
    let progress = use_state(|| Option::<ExportProgress>::None);
    // Only the latest open counts: an earlier one still running is cancelled,
    // and its bundle, if it opens anyway, is closed unseen.
    let latest = use_mut_ref(|| 0u32);

    // Free the review when another replaces it or the screen goes.
    use_effect_with(
        review.as_ref().map(|opened| opened.review_id.clone()),
        |review_id| {
            let review_id = review_id.clone();
            move || {
                if let Some(review_id) = review_id {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = services::close_review(&review_id).await;
                    });
                }
            }
        },
    );

    let open = {
        let (passphrase, pinned, review, error, opening, progress, latest) = (
            passphrase.clone(),
            pinned.clone(),
            review.clone(),
            error.clone(),
            opening.clone(),
            progress.clone(),
            latest.clone(),
        );
        Callback::from(move |file: String| {
            if file.is_empty() {
                error.set(Some(ApiError::new(
                    fluxdesk_types::ErrorCode::InvalidInput,
                    "Choose a bundle: type its path, use Browse…, or drop it on the window.",
                )));
                return;
            }
            if let Some(running) = (*opening).clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = services::cancel_export(&running).await;
                });
            }
            *latest.borrow_mut() += 1;
            let mine = *latest.borrow();
            let open_id = format!("review-open-{mine}-{}", js_sys::Date::now());
            let request = BundleOpenRequest {
                path: file,
                passphrase: Some(value_of(&passphrase)).filter(|text| !text.is_empty()),
                pinned_public_key: Some(value_of(&pinned)).filter(|text| !text.is_empty()),
            };
            opening.set(Some(open_id.clone()));
            progress.set(None);
            error.set(None);
            let finished = {
                let progress = progress.clone();
                services::watch_progress(open_id.clone(), move |step| progress.set(Some(step)))
            };
            let (review, error, opening, latest) =
                (review.clone(), error.clone(), opening.clone(), latest.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = services::open_audit_bundle(&open_id, &request).await;
                finished.set(true);
                if *latest.borrow() != mine {
                    if let Ok(stale) = outcome {
                        let _ = services::close_review(&stale.review_id).await;
                    }
                    return;
                }
                opening.set(None);
                match outcome {
                    Ok(opened) => review.set(Some(opened)),
                    // The bundle on display stays: a failed open loses nothing.
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };

    // A bundle dropped, chosen from the menu or given on the command line.
    {
        let (open, path, session) = (open.clone(), path.clone(), session.clone());
        use_effect_with(session.arriving_bundle.clone(), move |arriving| {
            if let Some((number, file)) = arriving
                && *number > session.handled_bundle
            {
                session.dispatch(SessionAction::BundleHandled(*number));
                if let Some(input) = path.cast::<HtmlInputElement>() {
                    input.set_value(file);
                }
                open.emit(file.clone());
            }
        });
    }

    let on_submit = {
        let (open, path) = (open.clone(), path.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            open.emit(value_of(&path));
        })
    };
    let on_browse = {
        let (open, path, error) = (open.clone(), path.clone(), error.clone());
        Callback::from(move |_| {
            let (open, path, error) = (open.clone(), path.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::pick_audit_bundle().await {
                    Ok(Some(file)) => {
                        if let Some(input) = path.cast::<HtmlInputElement>() {
                            input.set_value(&file);
                        }
                        open.emit(file);
                    }
                    Ok(None) => {}
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let on_cancel = {
        let opening = opening.clone();
        Callback::from(move |_| {
            if let Some(open_id) = (*opening).clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = services::cancel_export(&open_id).await;
                });
            }
        })
    };

    html! {
        <div class="page bundle-review" id="bundle-review">
            <div class="page-header"><h1>{ "Audit bundle review" }</h1><span class="muted">{ "Works offline: no instance needed." }</span></div>
            <form class="inline-form" id="bundle-open-form" onsubmit={on_submit}>
                <label class="grow">{ "Bundle file" }<input ref={path} id="review-path" placeholder="/path/to/audit.fxaudit" /></label>
                <button type="button" id="review-browse" class="button" onclick={on_browse}>{ "Browse…" }</button>
                <label>{ "Passphrase (if encrypted)" }<input ref={passphrase} id="review-passphrase" type="password" /></label>
                <label>{ "Pinned public key (optional)" }<input ref={pinned} id="review-pinned-key" placeholder="base64 key you trust" /></label>
                <button type="submit" id="review-open" class="button primary" disabled={opening.is_some()}>{ "Open and verify" }</button>
                if opening.is_some() {
                    <button type="button" id="review-open-cancel" class="button" onclick={on_cancel}>{ "Cancel" }</button>
                }
            </form>
            if opening.is_some() {
                <p class="muted" id="review-progress">{
                    format!("Reading and verifying… {} events", progress.as_ref().map(|step| step.rows).unwrap_or(0))
                }</p>
            }
            if let Some(failure) = &*error {
                <ErrorBanner error={failure.clone()} />
            }
            if let Some(opened) = &*review {
                <Verdict review={opened.clone()} />
                <ReviewBrowser key={opened.review_id.clone()} review_id={opened.review_id.clone()} />
            } else if opening.is_none() {
                <p class="placeholder" id="review-empty">{ "Open a .fxaudit bundle: type its path, use Browse… (or File → Open Audit Bundle…), or drop it on the window." }</p>
            }
        </div>
    }
}

/// Properties of [`Verdict`].
#[derive(Properties, PartialEq)]
struct VerdictProps {
    review: BundleReview,
}

/// Intact or not, and what the bundle says about itself.
#[component]
fn Verdict(props: &VerdictProps) -> Html {
    let review = &props.review;
    let intact = review.is_intact();
    html! {
        <section id="review-verdict" class={classes!("verdict", if intact { "intact" } else { "tampered" })}
            data-intact={intact.to_string()}
            data-first-problem={review.first_problem.as_ref().map(|problem| problem.position.to_string()).unwrap_or_default()}>
            <p class="verdict-line" id="review-verdict-line">{ &review.verdict }</p>
            <dl class="facts">
                <dt>{ "Instance" }</dt><dd>{ format!("{} ({}, {} layout)", review.instance, review.address, review.layout) }</dd>
                if let Some(system) = &review.system_identifier { <dt>{ "System id" }</dt><dd class="mono">{ system }</dd> }
                <dt>{ "Exported" }</dt><dd>{ format!("{} by {} with {}", review.exported_at, review.exported_by.as_deref().unwrap_or("an unknown admin"), review.client) }</dd>
                <dt>{ "Range" }</dt><dd>{ format!("{} → {}", review.since.as_deref().unwrap_or("the beginning"), review.until.as_deref().unwrap_or("the export")) }</dd>
                <dt>{ "Events" }</dt><dd id="review-event-count">{ review.events }</dd>
                <dt>{ "Encrypted" }</dt><dd>{ if review.encrypted { "yes" } else { "no" } }</dd>
                <dt>{ "Signer" }</dt><dd class="mono" id="review-signer">{ &review.signer_public_key }</dd>
                <dt>{ "Pinned key" }</dt><dd>{ match review.key_pinned { None => "none given", Some(true) => "matches", Some(false) => "DIFFERENT SIGNER" } }</dd>
            </dl>
        </section>
    }
}

/// Properties of [`ReviewBrowser`].
#[derive(Properties, PartialEq)]
struct ReviewBrowserProps {
    review_id: String,
}

#[derive(Clone, Copy, PartialEq)]
enum ReviewTab {
    Events,
    Summaries,
    Impersonations,
}

/// Filter, search, sort, chart, summaries, impersonations and CSV.
#[component]
fn ReviewBrowser(props: &ReviewBrowserProps) -> Html {
    let filter = use_state(AuditFilter::default);
    let sort = use_state(ReviewSort::default);
    let offset = use_state(|| 0u64);
    let page = use_state(|| Option::<ReviewPage>::None);
    let timeline = use_state(Timeline::default);
    let summary = use_state(|| Option::<AuditSummary>::None);
    let impersonations = use_state(Vec::<ImpersonationReview>::new);
    let error = use_state(|| Option::<ApiError>::None);
    let tab = use_state(|| ReviewTab::Events);
    let csv_path = use_node_ref();
    let csv_done = use_state(|| Option::<String>::None);

    {
        let (page, error, id) = (page.clone(), error.clone(), props.review_id.clone());
        use_effect_with(
            ((*filter).clone(), *sort, *offset),
            move |(filter, sort, offset)| {
                let request = ReviewRequest {
                    review_id: id,
                    filter: filter.clone(),
                    sort: *sort,
                    offset: *offset,
                    limit: PAGE,
                };
                wasm_bindgen_futures::spawn_local(async move {
                    match services::review_page(&request).await {
                        Ok(next) => {
                            page.set(Some(next));
                            error.set(None);
                        }
                        Err(failure) => error.set(Some(failure)),
                    }
                });
            },
        );
    }
    {
        let (timeline, summary, id) = (timeline.clone(), summary.clone(), props.review_id.clone());
        use_effect_with((*filter).clone(), move |filter| {
            let filter = filter.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(next) = services::review_timeline(&id, &filter).await {
                    timeline.set(next);
                }
                if let Ok(next) = services::review_summary(&id, &filter).await {
                    summary.set(Some(next));
                }
            });
        });
    }
    {
        let (impersonations, id) = (impersonations.clone(), props.review_id.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(found) = services::review_impersonations(&id).await {
                    impersonations.set(found);
                }
            });
        });
    }

    let on_apply = {
        let (filter, offset) = (filter.clone(), offset.clone());
        Callback::from(move |next: AuditFilter| {
            offset.set(0);
            filter.set(next);
        })
    };
    let on_sort = {
        let (sort, offset) = (sort.clone(), offset.clone());
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            offset.set(0);
            sort.set(match select.value().as_str() {
                "oldest" => ReviewSort::OldestFirst,
                "action" => ReviewSort::Action,
                "admin" => ReviewSort::Admin,
                "outcome" => ReviewSort::Outcome,
                _ => ReviewSort::NewestFirst,
            });
        })
    };
    let matching = page.as_ref().map(|page| page.matching).unwrap_or(0);
    let step = |forward: bool| {
        let offset = offset.clone();
        Callback::from(move |_| {
            let current = *offset;
            offset.set(if forward {
                current + u64::from(PAGE)
            } else {
                current.saturating_sub(u64::from(PAGE))
            });
        })
    };
    let on_csv = {
        let (csv_path, csv_done, error, filter, sort, id) = (
            csv_path.clone(),
            csv_done.clone(),
            error.clone(),
            filter.clone(),
            sort.clone(),
            props.review_id.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = ReviewCsvRequest {
                review_id: id.clone(),
                filter: (*filter).clone(),
                sort: *sort,
                path: value_of(&csv_path),
            };
            let (csv_done, error) = (csv_done.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::review_csv(&request).await {
                    Ok(rows) => csv_done.set(Some(format!("Wrote {rows} events to {}.", request.path))),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let select_tab = |target: ReviewTab| {
        let tab = tab.clone();
        Callback::from(move |_| tab.set(target))
    };

    html! {
        <section class="review-browser" id="review-browser">
            <AuditFilterBar id_prefix="review" on_apply={on_apply} />
            if let Some(failure) = &*error {
                <ErrorBanner error={failure.clone()} />
            }
            <TimelineChart id="review-timeline" timeline={(*timeline).clone()} />
            <nav class="tabs" role="tablist">
                <button id="review-tab-events" class={classes!("tab", (*tab == ReviewTab::Events).then_some("active"))} onclick={select_tab(ReviewTab::Events)}>{ "Events" }</button>
                <button id="review-tab-summaries" class={classes!("tab", (*tab == ReviewTab::Summaries).then_some("active"))} onclick={select_tab(ReviewTab::Summaries)}>{ "By admin and action" }</button>
                <button id="review-tab-impersonations" class={classes!("tab", (*tab == ReviewTab::Impersonations).then_some("active"))} onclick={select_tab(ReviewTab::Impersonations)}>
                    { format!("Impersonations ({})", impersonations.len()) }
                </button>
            </nav>
            if *tab == ReviewTab::Events {
                <div class="review-toolbar">
                    <span id="review-matching">{ format!("{matching} matching events") }</span>
                    <label>{ "Sort" }
                        <select id="review-sort" onchange={on_sort}>
                            <option value="newest" selected={*sort == ReviewSort::NewestFirst}>{ "newest first" }</option>
                            <option value="oldest" selected={*sort == ReviewSort::OldestFirst}>{ "oldest first (chain order)" }</option>
                            <option value="action" selected={*sort == ReviewSort::Action}>{ "action" }</option>
                            <option value="admin" selected={*sort == ReviewSort::Admin}>{ "admin" }</option>
                            <option value="outcome" selected={*sort == ReviewSort::Outcome}>{ "outcome" }</option>
                        </select>
                    </label>
                    <button class="button" id="review-previous" disabled={*offset == 0} onclick={step(false)}>{ "← Previous" }</button>
                    <span class="muted">{ format!("{}–{}", (*offset + 1).min(matching), (*offset + u64::from(PAGE)).min(matching)) }</span>
                    <button class="button" id="review-next" disabled={*offset + u64::from(PAGE) >= matching} onclick={step(true)}>{ "Next →" }</button>
                </div>
                <AuditEntryTable id="review-entries" entries={page.as_ref().map(|page| page.entries.clone()).unwrap_or_default()} />
                <form class="inline-form" id="review-csv-form" onsubmit={on_csv}>
                    <label>{ "Save this view as CSV" }<input ref={csv_path.clone()} id="review-csv-path" value="audit-review.csv" /></label>
                    <SaveAsButton id="review-csv-choose" title="Save this view as CSV to…" suggested="audit-review.csv" extension="csv"
                        on_pick={ let csv_path = csv_path.clone(); Callback::from(move |chosen: String| if let Some(input) = csv_path.cast::<HtmlInputElement>() { input.set_value(&chosen) }) } />
                    <button type="submit" id="review-csv" class="button">{ "Save CSV" }</button>
                    if let Some(done) = &*csv_done { <span id="review-csv-done" class="muted">{ done }</span> }
                </form>
            }
            if *tab == ReviewTab::Summaries {
                if let Some(summary) = &*summary {
                    <div class="summaries">
                        { summary_table("review-by-admin", "Admin", &summary.by_admin) }
                        { summary_table("review-by-action", "Action", &summary.by_action) }
                    </div>
                }
            }
            if *tab == ReviewTab::Impersonations {
                if impersonations.is_empty() {
                    <p class="placeholder">{ "This bundle records no impersonation." }</p>
                }
                { for impersonations.iter().map(|session| html! {
                    <details class="impersonation-review">
                        <summary>
                            { format!("{} impersonated {} ({}) at {}: \"{}\" · {} statements",
                                session.admin.as_deref().unwrap_or("an admin"), session.identity, session.kind,
                                session.started_at.as_deref().unwrap_or("an unrecorded time"),
                                session.reason.as_deref().unwrap_or("no reason recorded"), session.statements.len()) }
                        </summary>
                        <p class="muted">{ format!("Ended: {}", session.ended.as_deref().unwrap_or("not recorded in this bundle")) }</p>
                        <AuditEntryTable id={format!("impersonation-{}", session.session_id)} entries={session.statements.clone()} />
                    </details>
                }) }
            }
        </section>
    }
}

fn summary_table(id: &str, what: &str, counts: &[fluxdesk_types::AuditCount]) -> Html {
    html! {
        <table class="summary-table" id={id.to_owned()}>
            <thead><tr><th>{ what }</th><th>{ "Events" }</th><th>{ "Not successful" }</th><th>{ "First" }</th><th>{ "Last" }</th></tr></thead>
            <tbody>
                { for counts.iter().map(|count| html! {
                    <tr>
                        <td class="mono">{ &count.key }</td>
                        <td>{ count.events }</td>
                        <td>{ count.not_successful }</td>
                        <td class="mono">{ count.first.get(..19).unwrap_or(&count.first).replace('T', " ") }</td>
                        <td class="mono">{ count.last.get(..19).unwrap_or(&count.last).replace('T', " ") }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
