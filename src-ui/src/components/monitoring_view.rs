//! The Monitoring tab: samples the instance while it is open and charts
//! connections, transactions, cache hits and sessions, with the current
//! backends, statements, scans and sizes below.

use crate::components::{ErrorBanner, confirm_dialog, step_up_dialog};
use crate::services;
use crate::state::health_history::HealthHistory;
use fluxdesk_charts::{Bar, bars_svg, time_series_svg};
use fluxdesk_types::{
    ApiError, BackendActivity, BackendStop, ErrorCode, HealthSnapshot, RESET_STATEMENTS, STOP_BACKEND,
    StatementStats,
};
use gloo_timers::future::TimeoutFuture;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Properties of [`MonitoringView`].
#[derive(Properties, PartialEq)]
pub struct MonitoringViewProps {
    /// The connected instance.
    pub profile_id: String,
    /// Whether a Fluxbase admin is signed in: only then are backends
    /// cancelled or terminated and statistics reset (each is audited).
    pub can_act: bool,
}

fn mib(bytes: i64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// A chart with its Save buttons; `save` gets the file name and the SVG.
fn chart(id: &str, svg: String, save: &Callback<(String, String)>) -> Html {
    let button = |extension: &'static str| {
        let (save, svg, name) = (save.clone(), svg.clone(), id.to_owned());
        Callback::from(move |_| {
            let stamp = js_sys::Date::new_0()
                .to_iso_string()
                .as_string()
                .unwrap_or_default()
                .replace([':', '.'], "-");
            save.emit((format!("fluxdesk-{name}-{stamp}.{extension}"), svg.clone()))
        })
    };
    html! {
        <figure class="monitor-chart" id={id.to_owned()}>
            { Html::from_html_unchecked(AttrValue::from(svg.clone())) }
            <figcaption>
                <button class="button subtle save-svg" onclick={button("svg")}>{ "Save SVG" }</button>
                <button class="button subtle save-png" onclick={button("png")}>{ "Save PNG" }</button>
            </figcaption>
        </figure>
    }
}

/// A backend to cancel or terminate: its pid and session start, which
/// together name it even if the pid is reused meanwhile.
#[derive(Debug, Clone, Copy, PartialEq)]
struct StopRequest {
    pid: i32,
    started_us: i64,
    how: BackendStop,
}

/// The dashboard of one instance.
#[component]
pub fn MonitoringView(props: &MonitoringViewProps) -> Html {
    let latest = use_state(|| Option::<HealthSnapshot>::None);
    let history = use_mut_ref(HealthHistory::default);
    let error = use_state(|| Option::<ApiError>::None);
    let interval = use_state(|| 5u32);
    let confirming = use_state(|| Option::<StopRequest>::None);
    let stepping_up = use_state(|| Option::<StopRequest>::None);
    let confirming_reset = use_state(|| Option::<()>::None);
    let stepping_up_reset = use_state(|| Option::<()>::None);
    let note = use_state(|| Option::<String>::None);
    // Which measure the statements are ranked by: total, mean, calls or rows.
    let ranked_by = use_state(|| "total");

    // Sample while the tab is open; a new interval restarts the loop.
    {
        let (latest, history, error, id) = (
            latest.clone(),
            history.clone(),
            error.clone(),
            props.profile_id.clone(),
        );
        use_effect_with(*interval, move |seconds| {
            let running = std::rc::Rc::new(std::cell::Cell::new(true));
            let alive = running.clone();
            let seconds = *seconds;
            wasm_bindgen_futures::spawn_local(async move {
                while alive.get() {
                    let sampled = services::health_snapshot(&id).await;
                    // A loop replaced while its round ran must not add a
                    // sample milliseconds after the new loop's.
                    if !alive.get() {
                        break;
                    }
                    match sampled {
                        Ok(snapshot) => {
                            history.borrow_mut().push(&snapshot, js_sys::Date::now());
                            latest.set(Some(snapshot));
                            error.set(None);
                        }
                        Err(failure) => error.set(Some(failure)),
                    }
                    TimeoutFuture::new(seconds * 1000).await;
                }
            });
            move || running.set(false)
        });
    }

    let stop = {
        let (id, note, error, stepping_up) = (
            props.profile_id.clone(),
            note.clone(),
            error.clone(),
            stepping_up.clone(),
        );
        Callback::from(move |request: StopRequest| {
            let StopRequest { pid, started_us, how } = request;
            let (id, note, error, stepping_up) =
                (id.clone(), note.clone(), error.clone(), stepping_up.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::stop_backend(&id, pid, started_us, how).await {
                    Ok(sent) => note.set(Some(format!(
                        "{} pid {pid}: {}",
                        if how == BackendStop::Cancel {
                            "Cancel"
                        } else {
                            "Terminate"
                        },
                        if sent {
                            "done (recorded in the audit log)"
                        } else {
                            "PostgreSQL did not signal it"
                        }
                    ))),
                    Err(failure) if failure.code == ErrorCode::StepUpRequired => {
                        stepping_up.set(Some(request))
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let ask = |backend: &BackendActivity, how: BackendStop| {
        let confirming = confirming.clone();
        let request = StopRequest {
            pid: backend.pid,
            started_us: backend.started_us,
            how,
        };
        Callback::from(move |_| confirming.set(Some(request)))
    };
    let on_interval = {
        let interval = interval.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                interval.set(select.value().parse().unwrap_or(5));
            }
        })
    };
    let reset = {
        let (id, note, error, stepping_up_reset) = (
            props.profile_id.clone(),
            note.clone(),
            error.clone(),
            stepping_up_reset.clone(),
        );
        Callback::from(move |()| {
            let (id, note, error, stepping_up_reset) =
                (id.clone(), note.clone(), error.clone(), stepping_up_reset.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::reset_statement_stats(&id).await {
                    Ok(()) => note.set(Some("pg_stat_statements was reset for this database.".into())),
                    Err(failure) if failure.code == ErrorCode::StepUpRequired => {
                        stepping_up_reset.set(Some(()))
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let on_reset = {
        let confirming_reset = confirming_reset.clone();
        Callback::from(move |_| confirming_reset.set(Some(())))
    };

    let save = {
        let (note, error) = (note.clone(), error.clone());
        Callback::from(move |(name, svg): (String, String)| {
            let (note, error) = (note.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::save_chart(&name, &svg).await {
                    Ok(path) => note.set(Some(format!("Saved the chart to {path}."))),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let history = history.borrow();
    let activity_table = |id: &str, rows: &[BackendActivity]| {
        html! {
            <table class="monitor-table" id={id.to_owned()}>
                <thead><tr><th>{ "pid" }</th><th>{ "database" }</th><th>{ "user" }</th><th>{ "application" }</th><th>{ "seconds" }</th><th>{ "query" }</th><th></th></tr></thead>
                <tbody>
                    { for rows.iter().map(|backend| html! {
                        <tr data-pid={backend.pid.to_string()}>
                            <td class="mono">{ backend.pid }</td>
                            <td>{ &backend.database }</td>
                            <td>{ &backend.user }</td>
                            <td>{ &backend.application }</td>
                            <td>{ format!("{:.1}", backend.seconds) }</td>
                            <td class="mono query">{ &backend.query }</td>
                            <td>
                                if props.can_act {
                                    <button class="button" onclick={ask(backend, BackendStop::Cancel)}>{ "Cancel" }</button>
                                    <button class="button danger" onclick={ask(backend, BackendStop::Terminate)}>{ "Terminate" }</button>
                                }
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>
        }
    };
    let confirm = confirm_dialog(
        "stop-backend",
        confirming
            .as_ref()
            .map(|StopRequest { pid, how, .. }| match how {
                BackendStop::Cancel => {
                    format!("Cancel the query running in backend {pid}? Its session stays.")
                }
                BackendStop::Terminate => {
                    format!("End backend {pid}'s session? Its open transaction is rolled back.")
                }
            })
            .unwrap_or_default(),
        &confirming,
        &stop,
    );
    let step_up = step_up_dialog(&props.profile_id, STOP_BACKEND, &stepping_up, &stop);
    let confirm_reset = confirm_dialog(
        "reset-statements",
        "Reset pg_stat_statements for this database? Every statement's totals start again from zero, for everyone watching them.".to_owned(),
        &confirming_reset,
        &reset,
    );
    let step_up_reset = step_up_dialog(&props.profile_id, RESET_STATEMENTS, &stepping_up_reset, &reset);

    html! {
        <div class="monitoring" id="monitoring">
            <div class="page-header">
                <h1>{ "Monitoring" }</h1>
                <label>{ "Sample every " }
                    <select id="monitor-interval" onchange={on_interval}>
                        { for [2u32, 5, 10, 30].into_iter().map(|seconds| html! {
                            <option value={seconds.to_string()} selected={*interval == seconds}>{ format!("{seconds} s") }</option>
                        }) }
                    </select>
                </label>
                <span class="muted" id="monitor-samples">{ format!("{} samples", history.len()) }</span>
                <span class="muted" id="monitor-tps-now">{
                    history.transactions_per_second().points.last().map(|(_, rate)| format!("{rate:.1} transactions/s")).unwrap_or_default()
                }</span>
            </div>
            if let Some(failure) = &*error { <ErrorBanner error={failure.clone()} /> }
            if let Some(text) = &*note { <p class="notice success" id="monitor-note">{ text }</p> }
            <div class="monitor-charts">
                { chart("chart-connections", time_series_svg("Connections by state", "backends", &history.connections_by_state(), (460, 200)), &save) }
                { chart("chart-tps", time_series_svg("Transactions per second", "tps", &[history.transactions_per_second()], (460, 200)), &save) }
                { chart("chart-cache", time_series_svg("Cache hit ratio", "%", &[history.cache_hit_ratio()], (460, 200)), &save) }
                { chart("chart-sessions", time_series_svg("Active app sessions", "sessions", &[history.app_sessions()], (460, 200)), &save) }
            </div>
            if let Some(health) = &*latest {
                <section class="monitor-facts" id="monitor-facts">
                    <p id="monitor-connections">{ format!("Connections: {} in use of {} ({} reserved for superusers and reserved roles). Round: {:.1} ms.",
                        health.connections.in_use, health.connections.max, health.connections.reserved, health.round_ms) }</p>
                    <p id="monitor-sessions">{ format!("App sessions: {} live, {} expired. Admin sessions: {} live.",
                        health.sessions.app_live, health.sessions.app_expired, health.sessions.admin_live) }</p>
                    <p id="monitor-pools">{ health.pools.iter().map(|pool| format!("{}: {} in use, {} idle, {} open of {}, {} waited", pool.name, pool.size.saturating_sub(pool.idle), pool.idle, pool.size, pool.max, pool.waits)).collect::<Vec<_>>().join(" · ") }</p>
                    <p>{ format!("Commits {} · rollbacks {} · deadlocks {} · temp files {} ({:.1} MiB)",
                        health.database.commits, health.database.rollbacks, health.database.deadlocks, health.database.temp_files, mib(health.database.temp_bytes)) }</p>
                </section>
                <h2>{ "Backends" }</h2>
                <table class="monitor-table" id="monitor-backends">
                    <thead><tr><th>{ "state" }</th><th>{ "user" }</th><th>{ "application" }</th><th>{ "backends" }</th></tr></thead>
                    <tbody>{ for health.backends.iter().map(|group| html! {
                        <tr><td>{ &group.state }</td><td>{ &group.user }</td><td>{ &group.application }</td><td>{ group.count }</td></tr>
                    }) }</tbody>
                </table>
                <h2>{ "Longest-running queries" }</h2>
                { activity_table("monitor-longest", &health.longest_queries) }
                <h2>{ "Longest idle transactions" }</h2>
                { activity_table("monitor-idle", &health.idle_in_transaction) }
                <h2>{ "Query performance" }</h2>
                { match &health.statements {
                    StatementStats::Available { top } => {
                        let mut top = top.clone();
                        let measure = |statement: &fluxdesk_types::StatementStat| match *ranked_by {
                            "mean" => statement.mean_ms,
                            "calls" => statement.calls as f64,
                            "rows" => statement.rows as f64,
                            _ => statement.total_ms,
                        };
                        top.sort_by(|a, b| measure(b).total_cmp(&measure(a)));
                        top.truncate(20);
                        let rank = |by: &'static str, label: &'static str| {
                            let ranked_by = ranked_by.clone();
                            let active = *ranked_by == by;
                            html! {
                                <th><button class={classes!("link", active.then_some("active"))} id={format!("rank-{by}")}
                                    onclick={Callback::from(move |_| ranked_by.set(by))}>{ if active { format!("{label} ▼") } else { label.to_owned() } }</button></th>
                            }
                        };
                        html! {
                        <>
                            if props.can_act {
                                <button class="button" id="monitor-reset-statements" onclick={on_reset.clone()}>{ "Reset statistics" }</button>
                            }
                            <table class="monitor-table" id="monitor-statements">
                                <thead><tr>{ rank("total", "total ms") }{ rank("mean", "mean ms") }{ rank("calls", "calls") }{ rank("rows", "rows") }<th>{ "query" }</th></tr></thead>
                                <tbody>{ for top.iter().map(|statement| html! {
                                    <tr><td>{ format!("{:.1}", statement.total_ms) }</td><td>{ format!("{:.2}", statement.mean_ms) }</td>
                                        <td>{ statement.calls }</td><td>{ statement.rows }</td><td class="mono query">{ &statement.query }</td></tr>
                                }) }</tbody>
                            </table>
                        </>
                    }},
                    StatementStats::Unavailable { how_to_enable } => html! { <p class="notice" id="monitor-statements-missing">{ how_to_enable }</p> },
                } }
                <table class="monitor-table" id="monitor-scans">
                    <thead><tr><th>{ "table" }</th><th>{ "sequential scans" }</th><th>{ "index scans" }</th><th>{ "live rows" }</th></tr></thead>
                    <tbody>{ for health.table_scans.iter().map(|scans| html! {
                        <tr><td class="mono">{ format!("{}.{}", scans.schema, scans.table) }</td><td>{ scans.seq_scans }</td><td>{ scans.index_scans }</td><td>{ scans.live_rows }</td></tr>
                    }) }</tbody>
                </table>
                <h2>{ format!("Storage: {:.1} MiB", mib(health.storage.database_bytes)) }</h2>
                <div class="monitor-charts">
                    { chart("chart-tables", bars_svg("Largest tables", "MiB", &health.storage.largest_tables.iter().map(|table| Bar {
                        label: format!("{}.{}", table.schema, table.table),
                        parts: vec![("heap".into(), mib(table.heap_bytes)), ("indexes".into(), mib(table.index_bytes)), ("toast".into(), mib(table.toast_bytes))],
                    }).collect::<Vec<_>>(), (640, 420)), &save) }
                    { chart("chart-buckets", bars_svg("Storage buckets", "MiB", &health.storage.buckets.iter().map(|bucket| Bar {
                        label: format!("{} ({} objects)", bucket.bucket, bucket.objects),
                        parts: vec![("bytes".into(), mib(bucket.bytes))],
                    }).collect::<Vec<_>>(), (460, 260)), &save) }
                </div>
                <table class="monitor-table" id="monitor-schemas">
                    <thead><tr><th>{ "schema" }</th><th>{ "size" }</th></tr></thead>
                    <tbody>{ for health.storage.schemas.iter().map(|schema| html! {
                        <tr><td class="mono">{ &schema.schema }</td><td>{ format!("{:.1} MiB", mib(schema.bytes)) }</td></tr>
                    }) }</tbody>
                </table>
            } else if error.is_none() {
                <p class="placeholder">{ "Taking the first sample…" }</p>
            }
            { confirm }
            { step_up }
            { confirm_reset }
            { step_up_reset }
        </div>
    }
}
