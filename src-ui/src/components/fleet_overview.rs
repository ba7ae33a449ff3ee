//! Every saved instance side by side: reachable or not, layout, version,
//! size, and connections in use. Each instance is measured by its own
//! request, so a slow or dead one never holds up the others or the window.

use crate::app::connect;
use crate::format::{bytes, grouped};
use crate::services;
use crate::state::session::{SessionAction, SessionContext, View};
use fluxdesk_types::{FluxbaseLayout, InstanceHealth};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use yew::prelude::*;

/// How often the overview refreshes itself while shown.
const REFRESH_SECONDS: u64 = 30;

/// An instance that takes longer than this to measure is shown as slow.
const SLOW_MS: u64 = 1_000;

/// What the overview knows of one instance.
#[derive(Debug, Clone, PartialEq)]
enum Line {
    /// Being measured for the first time.
    Checking,
    /// Measured (and possibly being measured again).
    Measured(InstanceHealth),
    /// The measurement itself failed; the text says why.
    Failed(String),
}

/// One line per profile id, with each instance's last transaction count
/// (and when it was read) and the rate derived from the two last readings.
#[derive(Debug, Clone, PartialEq, Default)]
struct FleetState {
    lines: BTreeMap<String, Line>,
    last_count: BTreeMap<String, (i64, f64)>,
    rates: BTreeMap<String, f64>,
}

enum FleetEvent {
    Checking(String),
    /// A measurement, and when it arrived (ms).
    Measured(InstanceHealth, f64),
    Failed(String, String),
}

impl Reducible for FleetState {
    type Action = FleetEvent;

    fn reduce(self: Rc<Self>, action: FleetEvent) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            // Keep the last figures on screen while a new measurement runs.
            FleetEvent::Checking(id) => {
                next.lines.entry(id).or_insert(Line::Checking);
            }
            FleetEvent::Measured(health, at_ms) => {
                let id = health.profile_id.clone();
                if let Some(count) = health.transactions {
                    // A counter that went down (statistics reset) gives no rate.
                    match next.last_count.get(&id) {
                        Some((before, then)) if count >= *before && at_ms > *then => {
                            next.rates
                                .insert(id.clone(), (count - before) as f64 / ((at_ms - then) / 1000.0));
                        }
                        _ => {
                            next.rates.remove(&id);
                        }
                    }
                    next.last_count.insert(id.clone(), (count, at_ms));
                } else {
                    // Unreachable now: no rate, and none across the outage later.
                    next.rates.remove(&id);
                    next.last_count.remove(&id);
                }
                next.lines.insert(id, Line::Measured(health));
            }
            FleetEvent::Failed(id, message) => {
                next.rates.remove(&id);
                next.last_count.remove(&id);
                next.lines.insert(id, Line::Failed(message));
            }
        }
        Rc::new(next)
    }
}

/// Measures every instance that is not being measured already, each in its
/// own request, so one slow instance never delays another and requests never
/// pile up behind a dead one.
fn measure_all(
    state: UseReducerHandle<FleetState>,
    in_flight: Rc<RefCell<BTreeSet<String>>>,
    ids: Vec<String>,
) {
    for id in ids {
        if !in_flight.borrow_mut().insert(id.clone()) {
            continue;
        }
        let state = state.clone();
        let in_flight = in_flight.clone();
        state.dispatch(FleetEvent::Checking(id.clone()));
        wasm_bindgen_futures::spawn_local(async move {
            match services::instance_health(&id).await {
                Ok(health) => state.dispatch(FleetEvent::Measured(health, js_sys::Date::now())),
                Err(error) => state.dispatch(FleetEvent::Failed(id.clone(), error.message)),
            }
            in_flight.borrow_mut().remove(&id);
        });
    }
}

/// A line's state (the row's `data-state` and the status cell's class) and
/// its status text, with how long the measurement took.
fn status_of(line: &Line) -> (&'static str, String) {
    match line {
        Line::Checking => ("checking", "checking…".to_owned()),
        Line::Measured(health) if health.diagnosis.connected => {
            let elapsed = health.diagnosis.elapsed_ms;
            let took = if elapsed < SLOW_MS {
                format!("{elapsed} ms")
            } else {
                format!("{:.1} s", elapsed as f64 / 1000.0)
            };
            if elapsed < SLOW_MS {
                ("reachable", format!("reachable · {took}"))
            } else {
                ("slow", format!("slow: answered in {took}"))
            }
        }
        Line::Measured(health) => ("unreachable", health.diagnosis.message.clone()),
        Line::Failed(message) => ("unreachable", message.clone()),
    }
}

/// The fleet overview.
#[component]
pub fn FleetOverview() -> Html {
    let session = use_context::<SessionContext>().expect("FleetOverview is inside the session provider");
    let state = use_reducer(FleetState::default);
    let in_flight = use_mut_ref(BTreeSet::<String>::new);
    let ids: Vec<String> = session
        .profiles
        .iter()
        .filter(|entry| entry.saved)
        .map(|entry| entry.profile.id.clone())
        .collect();

    {
        let state = state.clone();
        let in_flight = in_flight.clone();
        use_effect_with(ids.clone(), move |ids| {
            let alive = Rc::new(Cell::new(true));
            let ids = ids.clone();
            let still_shown = alive.clone();
            wasm_bindgen_futures::spawn_local(async move {
                while still_shown.get() {
                    measure_all(state.clone(), in_flight.clone(), ids.clone());
                    yew::platform::time::sleep(std::time::Duration::from_secs(REFRESH_SECONDS)).await;
                }
            });
            move || alive.set(false)
        });
    }

    let on_refresh = {
        let state = state.clone();
        let in_flight = in_flight.clone();
        let ids = ids.clone();
        Callback::from(move |_| measure_all(state.clone(), in_flight.clone(), ids.clone()))
    };

    let rows = session.profiles.iter().filter(|entry| entry.saved).map(|entry| {
        let profile = &entry.profile;
        let line = state.lines.get(&profile.id).cloned().unwrap_or(Line::Checking);
        let rate = state.rates.get(&profile.id).copied();
        let (row_state, status) = status_of(&line);
        let measured = match line {
            Line::Measured(health) => Some(health),
            _ => None,
        };
        let layout = measured.as_ref().and_then(|h| h.diagnosis.layout).map(|layout| match layout {
            FluxbaseLayout::Dashboard => "2026.3.6 (dashboard)",
            FluxbaseLayout::Platform => "2026.3.7 (platform)",
            FluxbaseLayout::NotFluxbase => "plain PostgreSQL",
        });
        let version = measured.as_ref().and_then(|h| h.diagnosis.server_version.clone());
        let size = measured.as_ref().and_then(|h| h.database_size_bytes).map(bytes);
        let connections = measured.as_ref().and_then(|h| Some((h.connections_in_use?, h.max_connections?, h.reserved_connections.unwrap_or(0))));
        let sessions = measured.as_ref().and_then(|h| h.app_sessions_live).map(grouped);
        let on_open = {
            let session = session.clone();
            let id = profile.id.clone();
            Callback::from(move |_| {
                if session.connections.contains_key(&id) {
                    session.dispatch(SessionAction::Show(View::Instance(id.clone())));
                } else {
                    connect(session.clone(), id.clone(), None);
                }
            })
        };
        html! {
            <tr class="fleet-row" key={profile.id.clone()} data-profile-name={profile.name.clone()} data-state={row_state}
                style={format!("--env-colour: {}", profile.environment.colour)}>
                <td>
                    <div class="fleet-name">
                        <span class="environment-dot"></span>
                        <button class="link" onclick={on_open}>{ &profile.name }</button>
                        <span class="environment-chip">{ &profile.environment.label }</span>
                    </div>
                </td>
                <td class={classes!("fleet-status", row_state)} title={status.clone()}>{ status }</td>
                <td class="fleet-layout">{ layout.unwrap_or("—") }</td>
                <td class="fleet-version" title={version.clone().unwrap_or_default()}>
                    { version.as_deref().and_then(|v| v.split_whitespace().next()).unwrap_or("—").to_owned() }
                </td>
                <td class="fleet-size number">{ size.unwrap_or_else(|| "—".to_owned()) }</td>
                <td class="fleet-connections">
                    { match connections {
                        Some((in_use, max, reserved)) => {
                            let usable = (max - reserved).max(1);
                            let percent = (in_use as f64 / usable as f64 * 100.0).min(100.0);
                            html! {
                                <div class="usage" title={format!("{reserved} of {max} reserved for superusers and reserved roles")}>
                                    <div class="usage-bar"><div class="usage-fill" style={format!("width: {percent:.0}%")}></div></div>
                                    <span class="usage-text">{ format!("{} / {}", grouped(in_use), grouped(usable)) }</span>
                                </div>
                            }
                        }
                        None => html! { "—" },
                    } }
                </td>
                <td class="fleet-tps number">{ rate.map(|rate| format!("{rate:.1}")).unwrap_or_else(|| "—".to_owned()) }</td>
                <td class="fleet-sessions number">{ sessions.unwrap_or_else(|| "—".to_owned()) }</td>
            </tr>
        }
    });

    html! {
        <main class="page wide">
            <div class="page-header">
                <h1>{ "Fleet overview" }</h1>
                <button id="refresh-fleet" class="button" onclick={on_refresh}>{ "Refresh" }</button>
                <span class="muted">{ format!("Every instance is checked at once, and again every {REFRESH_SECONDS} s.") }</span>
            </div>
            if ids.is_empty() {
                <p class="muted">{ "No saved profile yet." }</p>
            } else {
                <table class="fleet">
                    <thead>
                        <tr>
                            <th>{ "Instance" }</th><th>{ "Status" }</th><th>{ "Fluxbase" }</th>
                            <th>{ "PostgreSQL" }</th><th>{ "Database size" }</th><th>{ "Connections in use" }</th>
                            <th title="Since the previous check">{ "Transactions/s" }</th><th>{ "Live app sessions" }</th>
                        </tr>
                    </thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::Diagnosis;

    fn measured(connected: bool, elapsed_ms: u64) -> Line {
        Line::Measured(InstanceHealth {
            profile_id: "p".to_owned(),
            diagnosis: Diagnosis {
                connected,
                problem: None,
                message: "Connection refused".to_owned(),
                server_version: None,
                layout: None,
                elapsed_ms,
            },
            database_size_bytes: None,
            connections_in_use: None,
            max_connections: None,
            reserved_connections: None,
            transactions: None,
            app_sessions_live: None,
        })
    }

    #[test]
    fn a_slow_answer_is_shown_as_slow_with_its_time() {
        assert_eq!(
            status_of(&measured(true, 42)),
            ("reachable", "reachable · 42 ms".to_owned())
        );
        assert_eq!(
            status_of(&measured(true, 2_345)),
            ("slow", "slow: answered in 2.3 s".to_owned())
        );
        assert_eq!(
            status_of(&measured(false, 10)),
            ("unreachable", "Connection refused".to_owned())
        );
        assert_eq!(status_of(&Line::Checking).0, "checking");
    }
}
