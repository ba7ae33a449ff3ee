//! Running SQL (one statement, or a script of several in one transaction)
//! under the instance's protection. A write on a confirm-writes instance
//! waits, in its open transaction, for Commit or Roll back; a read-only
//! instance's server refuses writes. A running query can be cancelled.

use crate::components::{ErrorBanner, ExportPanel, StepUpDialog};
use crate::services;
use crate::services::query_history::{self, HistoryEntry};
use crate::state::session::SessionContext;
use fluxdesk_types::{
    ActiveImpersonation, ApiError, COMMIT_AS_IDENTITY, Cell, ErrorCode, ExportSource, PendingWrite,
    Protection, ResultSet, StatementOutcome, StatementResult,
};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// Properties of [`SqlRunner`].
#[derive(Properties, PartialEq)]
pub struct SqlRunnerProps {
    /// The connected instance's profile id.
    pub profile_id: String,
}

#[derive(Clone, PartialEq)]
enum RunState {
    Idle,
    Running,
    Finished {
        result: Option<ResultSet>,
        note: String,
        statements: Vec<StatementResult>,
    },
    Waiting {
        pending: PendingWrite,
        result: Option<ResultSet>,
        statements: Vec<StatementResult>,
    },
    /// A write made while impersonating: run, then rolled back.
    DryRun {
        sql: String,
        /// The impersonation the window showed when it ran: only that one
        /// may commit it.
        acting: Option<ActiveImpersonation>,
        rows_affected: u64,
        result: Option<ResultSet>,
        statements: Vec<StatementResult>,
    },
    Failed(ApiError),
}

/// What the runner shows for a statement's outcome; `sql` is what ran.
fn outcome_state(
    sql: String,
    outcome: Result<StatementOutcome, ApiError>,
    acting: Option<&ActiveImpersonation>,
) -> RunState {
    let acting_as = acting.map(|acting| acting.email.as_str());
    match outcome {
        Ok(StatementOutcome::Done {
            rows_affected,
            result,
            wrote,
            statements,
        }) => RunState::Finished {
            result,
            statements,
            note: match (wrote, acting_as) {
                (true, Some(who)) => format!("{rows_affected} rows affected · committed as {who}"),
                (true, None) => format!("{rows_affected} rows affected · committed"),
                (false, Some(who)) => format!("{rows_affected} rows affected · nothing written · as {who}"),
                (false, None) => format!("{rows_affected} rows affected · nothing written"),
            },
        },
        Ok(StatementOutcome::AwaitingConfirmation {
            pending,
            result,
            statements,
        }) => RunState::Waiting {
            pending,
            result,
            statements,
        },
        Ok(StatementOutcome::DryRun {
            rows_affected,
            result,
            statements,
        }) => RunState::DryRun {
            sql,
            acting: acting.cloned(),
            rows_affected,
            result,
            statements,
        },
        Err(error) => RunState::Failed(error),
    }
}

fn result_table(result: &ResultSet) -> Html {
    html! {
        <div class="result-scroll">
            <table class="result" id="sql-result">
                <thead><tr>{ for result.columns.iter().map(|c| html! {
                    <th title={c.data_type.clone()}>{ &c.name }<span class="column-type">{ &c.data_type }</span></th>
                }) }</tr></thead>
                <tbody>{ for result.rows.iter().map(|row| html! {
                    <tr>{ for row.iter().map(|cell| html! {
                        <td class={classes!(matches!(cell, Cell::Null).then_some("null"))}>{ cell.display_text() }</td>
                    }) }</tr>
                }) }</tbody>
            </table>
            if result.truncated {
                <p class="muted">{ "Only the first 1,000 rows are shown." }</p>
            }
        </div>
    }
}

/// A script's statements, each with its count, time and rows; the last open.
fn script_results(statements: &[StatementResult]) -> Html {
    if statements.len() < 2 {
        return html! {};
    }
    html! {
        <div id="script-results" class="script-results" data-count={statements.len().to_string()}>
            { for statements.iter().enumerate().map(|(index, statement)| html! {
                <details class="script-statement" data-index={index.to_string()} open={index + 1 == statements.len()}>
                    <summary>
                        <span class="statement-number">{ format!("#{}", index + 1) }</span>
                        <code>{ statement.sql.chars().take(120).collect::<String>() }</code>
                        <span class="muted">{ format!(" · {} rows · {} ms", statement.rows_affected, statement.elapsed_ms) }</span>
                    </summary>
                    { statement.result.as_ref().map(result_table).unwrap_or_default() }
                </details>
            }) }
        </div>
    }
}

/// An editor, a Run button, and what the statement did.
#[component]
pub fn SqlRunner(props: &SqlRunnerProps) -> Html {
    let session = use_context::<SessionContext>().expect("SqlRunner is inside the session provider");
    let editor = use_node_ref();
    let state = use_state(|| RunState::Idle);
    let deciding = use_state(|| false);
    // A commit on production waits here for a step-up, then runs again.
    let stepping_up = use_state(|| false);
    // The id of a write waiting here, so leaving the view rolls it back
    // rather than leaving its locks held until it expires.
    let waiting_id = use_mut_ref(|| Option::<String>::None);
    let protection = session
        .entry(&props.profile_id)
        .map(|entry| entry.profile.protection)
        .unwrap_or_default();
    let superuser = session
        .connections
        .get(&props.profile_id)
        .is_some_and(|info| info.superuser);
    {
        let waiting_id = waiting_id.clone();
        use_effect_with((), move |_| {
            move || {
                if let Some(id) = waiting_id.borrow_mut().take() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = services::rollback_write(&id).await;
                    });
                }
            }
        });
    }
    if let RunState::Waiting { pending, .. } = &*state {
        *waiting_id.borrow_mut() = Some(pending.id.clone());
    } else {
        *waiting_id.borrow_mut() = None;
    }

    // The plan of the statement in the editor, asked for with Explain.
    let plan = use_state(|| Option::<Result<String, ApiError>>::None);
    let explain = |analyze: bool| {
        let (editor, plan, id) = (editor.clone(), plan.clone(), props.profile_id.clone());
        Callback::from(move |_: MouseEvent| {
            let sql = editor
                .cast::<HtmlTextAreaElement>()
                .map(|e| e.value())
                .unwrap_or_default();
            let (plan, id) = (plan.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                plan.set(Some(services::explain_statement(&id, &sql, analyze).await));
            });
        })
    };
    // Who statements run as while an impersonation is in force.
    let acting_as = session.impersonations.get(&props.profile_id).cloned();
    // The id of the query running now, to cancel it.
    let run_id = use_state(|| Option::<String>::None);
    // A dry run waits here for a step-up before it runs again, committed.
    let committing_as_identity = use_state(|| false);
    let commit_as_identity = {
        let (state, committing_as_identity, id) = (
            state.clone(),
            committing_as_identity.clone(),
            props.profile_id.clone(),
        );
        let run_id = run_id.clone();
        Callback::from(move |_: ()| {
            committing_as_identity.set(false);
            let RunState::DryRun {
                sql,
                acting: Some(acting),
                ..
            } = (*state).clone()
            else {
                return;
            };
            let (state, id) = (state.clone(), id.clone());
            let this_run = format!("run-{}", js_sys::Date::now());
            run_id.set(Some(this_run.clone()));
            state.set(RunState::Running);
            wasm_bindgen_futures::spawn_local(async move {
                let outcome =
                    services::commit_statement_as_identity(&id, &sql, Some(&this_run), &acting.session_id)
                        .await;
                state.set(outcome_state(sql, outcome, Some(&acting)));
            });
        })
    };
    let commit_as_identity_dialog = if *committing_as_identity {
        let on_cancel = {
            let committing_as_identity = committing_as_identity.clone();
            Callback::from(move |_| committing_as_identity.set(false))
        };
        html! { <StepUpDialog profile_id={props.profile_id.clone()} purpose={COMMIT_AS_IDENTITY}
        on_confirmed={commit_as_identity} on_cancel={on_cancel} /> }
    } else {
        html! {}
    };
    // Every statement run, newest first, searchable; kept on this machine.
    let history = use_state(|| query_history::load(&props.profile_id));
    // The statement last run, which "Export…" writes out whole.
    let last_sql = use_state(String::new);
    let history_search = use_state(String::new);
    let on_cancel = {
        let run_id = run_id.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(run_id) = (*run_id).clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = services::cancel_query(&run_id).await;
                });
            }
        })
    };
    let on_run = {
        let editor = editor.clone();
        let state = state.clone();
        let id = props.profile_id.clone();
        let history = history.clone();
        let last_sql = last_sql.clone();
        let run_id = run_id.clone();
        let acting_as = acting_as.clone();
        Callback::from(move |_| {
            let acting_as = acting_as.clone();
            let this_run = format!("run-{}", js_sys::Date::now());
            run_id.set(Some(this_run.clone()));
            let sql = editor
                .cast::<HtmlTextAreaElement>()
                .map(|e| e.value())
                .unwrap_or_default();
            last_sql.set(sql.clone());
            let state = state.clone();
            let id = id.clone();
            let history = history.clone();
            state.set(RunState::Running);
            wasm_bindgen_futures::spawn_local(async move {
                let started = js_sys::Date::now();
                // What the banner shows: an impersonation, or nobody ("").
                let shown = Some(acting_as.as_ref().map_or("", |acting| acting.session_id.as_str()));
                let outcome = services::run_statement(&id, &sql, Some(&this_run), shown).await;
                let (rows, ended) = match &outcome {
                    Ok(StatementOutcome::Done {
                        rows_affected,
                        result,
                        wrote,
                        ..
                    }) => (
                        result.as_ref().map_or(*rows_affected, |r| r.rows.len() as u64),
                        if *wrote {
                            "committed".to_owned()
                        } else {
                            "done".to_owned()
                        },
                    ),
                    Ok(StatementOutcome::AwaitingConfirmation { pending, .. }) => {
                        (pending.rows_affected, "awaiting confirmation".to_owned())
                    }
                    Ok(StatementOutcome::DryRun { rows_affected, .. }) => {
                        (*rows_affected, "dry run".to_owned())
                    }
                    Err(error) => (0, error.code.as_str().to_owned()),
                };
                let entry = HistoryEntry {
                    sql: sql.clone(),
                    at_ms: started,
                    duration_ms: js_sys::Date::now() - started,
                    rows,
                    outcome: ended,
                };
                history.set(query_history::record(&id, entry));
                state.set(outcome_state(sql, outcome, acting_as.as_ref()));
            });
        })
    };
    let decide = |commit: bool| {
        let state = state.clone();
        let deciding = deciding.clone();
        let stepping_up = stepping_up.clone();
        Callback::from(move |_: ()| {
            let RunState::Waiting {
                pending,
                result,
                statements,
            } = (*state).clone()
            else {
                return;
            };
            if *deciding {
                return;
            }
            deciding.set(true);
            let state = state.clone();
            let deciding = deciding.clone();
            let stepping_up = stepping_up.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = if commit {
                    services::commit_write(&pending.id).await
                } else {
                    services::rollback_write(&pending.id).await
                };
                if let Err(error) = &outcome
                    && commit
                    && error.code == ErrorCode::StepUpRequired
                {
                    // Still waiting, in its transaction: confirm identity, then commit.
                    stepping_up.set(true);
                    deciding.set(false);
                    return;
                }
                state.set(match outcome {
                    Ok(done) => RunState::Finished {
                        result,
                        statements,
                        note: format!(
                            "{} rows affected · {}",
                            done.rows_affected,
                            if commit {
                                "committed"
                            } else {
                                "rolled back: nothing changed"
                            }
                        ),
                    },
                    Err(error) => RunState::Failed(error),
                });
                deciding.set(false);
            });
        })
    };
    let step_up_dialog = if *stepping_up {
        let on_confirmed = {
            let (stepping_up, commit) = (stepping_up.clone(), decide(true));
            Callback::from(move |_| {
                stepping_up.set(false);
                commit.emit(());
            })
        };
        let on_cancel = {
            let stepping_up = stepping_up.clone();
            Callback::from(move |_| stepping_up.set(false))
        };
        html! { <StepUpDialog profile_id={props.profile_id.clone()} purpose="commit a write on production" on_confirmed={on_confirmed} on_cancel={on_cancel} /> }
    } else {
        html! {}
    };
    let on_history_search = {
        let history_search = history_search.clone();
        Callback::from(move |event: InputEvent| {
            history_search.set(event.target_unchecked_into::<web_sys::HtmlInputElement>().value())
        })
    };
    let reuse = |sql: String| {
        let editor = editor.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(textarea) = editor.cast::<HtmlTextAreaElement>() {
                textarea.set_value(&sql);
            }
        })
    };
    let shown = query_history::matching(&history, &history_search);
    let history_panel = html! {
        <details class="sql-history" id="sql-history">
            <summary>{ format!("History ({})", history.len()) }</summary>
            <input id="history-search" type="search" placeholder="Search past statements…"
                value={(*history_search).clone()} oninput={on_history_search} />
            <ul class="history-list">
                { for shown.iter().take(100).map(|entry| html! {
                    <li class="history-entry" data-outcome={entry.outcome.clone()}>
                        <button class="link reuse-statement" title="Put it back in the editor" onclick={reuse(entry.sql.clone())}>
                            <code>{ &entry.sql }</code>
                        </button>
                        <span class="muted">{ format!(" · {:.0} ms · {} rows · {}", entry.duration_ms, entry.rows, entry.outcome) }</span>
                    </li>
                }) }
            </ul>
        </details>
    };
    let waiting = matches!(*state, RunState::Waiting { .. });
    let running = matches!(*state, RunState::Running);

    html! {
        <div class="sql-runner">
            <div class="sql-toolbar">
                <span class={classes!("protection-note", protection.as_str())}>
                    { match protection {
                        Protection::ReadOnly => "Read-only: the server refuses any write.",
                        Protection::ConfirmWrites => "Writes wait for your confirmation before they commit.",
                        Protection::Open => "Writes commit at once.",
                    } }
                    if superuser && protection == Protection::ReadOnly {
                        <span class="superuser-note" title="Superuser-only functions such as COPY ... TO PROGRAM or pg_terminate_backend are not stopped by read-only. Connect as a role without superuser for a strictly read-only profile.">
                            { " Connected as a superuser: superuser-only functions are not stopped." }
                        </span>
                    }
                </span>
                <button id="explain-sql" class="button" disabled={running || waiting} onclick={explain(false)}
                    title="Show the plan without running the statement">{ "Explain" }</button>
                <button id="explain-analyze-sql" class="button" disabled={running || waiting} onclick={explain(true)}
                    title="Run the statement inside a transaction that is rolled back, and show the plan with timings">{ "Explain analyze" }</button>
                if matches!(&*state, RunState::Finished { result: Some(_), .. }) && !last_sql.trim().is_empty() {
                    <ExportPanel instance_id={props.profile_id.clone()} suggested_name="query-result"
                        source={ExportSource::Query { sql: (*last_sql).clone() }} />
                }
                if running {
                    <button id="cancel-sql" class="button danger" onclick={on_cancel}
                        title="Stop the query on the server; its transaction is rolled back">{ "Cancel" }</button>
                }
                <button id="run-sql" class="button primary" disabled={running || waiting} onclick={on_run}
                    title="Runs the statement, or every statement of a script in one transaction">
                    { if running { "Running…" } else { "Run" } }
                </button>
            </div>
            <textarea ref={editor} id="sql-input" class="sql-input" spellcheck="false"
                placeholder="SELECT * FROM public.todos WHERE done LIMIT 20" disabled={waiting} />
            { match &*state {
                RunState::Idle | RunState::Running => html! {},
                RunState::Failed(error) => html! { <ErrorBanner error={error.clone()} /> },
                RunState::Finished { result, note, statements } => html! {
                    <div class="sql-outcome">
                        <p id="sql-note" class="note">{ note }</p>
                        if statements.len() > 1 {
                            { script_results(statements) }
                        } else {
                            { result.as_ref().map(result_table).unwrap_or_default() }
                        }
                    </div>
                },
                RunState::DryRun { rows_affected, result, statements, acting, .. } => html! {
                    <div class="sql-outcome">
                        <div class="dry-run" id="dry-run" role="status">
                            <h3>{ format!("Dry run as {}", acting.as_ref().map_or("the impersonated identity", |a| a.email.as_str())) }</h3>
                            <p id="dry-run-rows"><strong>{ rows_affected }</strong>{ " rows would be affected. It was rolled back: nothing changed." }</p>
                            if let Some(acting) = acting.as_ref().filter(|then| acting_as.as_ref().map(|now| &now.session_id) == Some(&then.session_id)) {
                                <div class="form-actions">
                                    <button id="commit-as-identity" class="button danger"
                                        onclick={ let c = committing_as_identity.clone(); Callback::from(move |_: MouseEvent| c.set(true)) }
                                        title="Run it again as this identity and commit it, after confirming it is you">
                                        { format!("Commit as {}…", acting.email) }
                                    </button>
                                </div>
                            } else {
                                <p class="muted">{ "The impersonation has changed since this dry run; run it again to commit it." }</p>
                            }
                        </div>
                        if statements.len() > 1 {
                            { script_results(statements) }
                        } else {
                            { result.as_ref().map(result_table).unwrap_or_default() }
                        }
                    </div>
                },
                RunState::Waiting { pending, result, statements } => html! {
                    <div class="sql-outcome">
                        <div class="confirm-write" id="confirm-write" role="alertdialog">
                            <h3>{ "Commit this write?" }</h3>
                            <pre class="confirm-sql">{ &pending.sql }</pre>
                            <p id="pending-rows"><strong>{ pending.rows_affected }</strong>{ " rows affected, inside an open transaction. Nothing is committed yet." }</p>
                            if !pending.changes.is_empty() {
                                <table class="changes" id="pending-changes">
                                    <thead><tr><th>{ "Table" }</th><th>{ "Inserted" }</th><th>{ "Updated" }</th><th>{ "Deleted" }</th></tr></thead>
                                    <tbody>{ for pending.changes.iter().map(|change| html! {
                                        <tr data-table={change.table.clone()}>
                                            <td>{ &change.table }</td>
                                            <td class="number">{ change.inserted }</td>
                                            <td class="number">{ change.updated }</td>
                                            <td class="number">{ change.deleted }</td>
                                        </tr>
                                    }) }</tbody>
                                </table>
                            }
                            <p class="muted">{ format!("It is rolled back by itself in {} minutes.", pending.expires_in_secs / 60) }</p>
                            <div class="form-actions">
                                <button id="rollback-write" class="button" disabled={*deciding} onclick={decide(false).reform(|_: MouseEvent| ())}>{ "Roll back" }</button>
                                <button id="commit-write" class="button danger" disabled={*deciding} onclick={decide(true).reform(|_: MouseEvent| ())}>{ "Commit" }</button>
                            </div>
                        </div>
                        if statements.len() > 1 {
                            { script_results(statements) }
                        } else {
                            { result.as_ref().map(result_table).unwrap_or_default() }
                        }
                    </div>
                },
            } }
            { history_panel }
            { match &*plan {
                Some(Ok(text)) => html! { <pre id="sql-plan" class="sql-plan">{ text }</pre> },
                Some(Err(error)) => html! { <ErrorBanner error={error.clone()} /> },
                None => html! {},
            } }
            { step_up_dialog }
            { commit_as_identity_dialog }
        </div>
    }
}
