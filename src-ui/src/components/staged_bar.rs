//! The bar over the grid while changes are staged: review the exact SQL,
//! commit it all in one transaction, or discard it. Conflicts show theirs
//! beside yours; a refusal leaves every staged change in place.

use crate::components::{ErrorBanner, StepUpDialog};
use crate::services;
use crate::state::session::SessionContext;
use crate::state::staging::{Rejection, StagedTarget, Staging, StagingAction};
use fluxdesk_types::{
    ApiError, COMMIT_AS_IDENTITY, Cell, ChangeOutcome, ColumnInfo, Conflict, ErrorCode, PendingWrite,
    TableRef,
};
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`StagedBar`].
#[derive(Properties, PartialEq)]
pub struct StagedBarProps {
    /// The instance.
    pub instance_id: String,
    /// The table the changes are for.
    pub table: TableRef,
    /// What is staged.
    pub staging: Staging,
    /// Changes what is staged.
    pub on_action: Callback<StagingAction>,
    /// The table changed on the server: reload it.
    pub on_reload: Callback<()>,
}

/// Conflicts as the server reported them, with where each came from.
#[derive(Clone, PartialEq)]
struct ConflictReport {
    conflicts: Vec<(Conflict, StagedTarget)>,
    columns: Rc<Vec<ColumnInfo>>,
}

/// Review, commit or discard staged changes.
#[component]
pub fn StagedBar(props: &StagedBarProps) -> Html {
    let review = use_state(|| Option::<Vec<String>>::None);
    let busy = use_state(|| false);
    let error = use_state(|| Option::<ApiError>::None);
    let result = use_state(|| Option::<String>::None);
    let pending = use_state(|| Option::<PendingWrite>::None);
    let conflicts = use_state(|| Option::<ConflictReport>::None);
    // What a held (confirm-writes) commit holds, to forget once confirmed.
    let submitted = use_state(|| Option::<Staging>::None);
    let count = props.staging.len();

    // Anything staged anew makes an old review, result or error stale.
    {
        let (review, result) = (review.clone(), result.clone());
        use_effect_with(props.staging.clone(), move |staging| {
            review.set(None);
            if !staging.is_empty() {
                result.set(None);
            }
        });
    }

    let on_review = {
        let (review, error, busy) = (review.clone(), error.clone(), busy.clone());
        let (instance_id, table, staging) = (
            props.instance_id.clone(),
            props.table.clone(),
            props.staging.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if review.is_some() {
                review.set(None);
                return;
            }
            let (review, error, busy, instance_id) =
                (review.clone(), error.clone(), busy.clone(), instance_id.clone());
            let (set, _) = staging.change_set(&table);
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match services::review_changes(&instance_id, &set).await {
                    Ok(statements) => {
                        review.set(Some(statements));
                        error.set(None);
                    }
                    Err(failure) => error.set(Some(failure)),
                }
                busy.set(false);
            });
        })
    };

    // The impersonation the window shows, if any: commits run as it.
    let session = use_context::<SessionContext>().expect("StagedBar is inside the session provider");
    let acting_as = session
        .impersonations
        .get(&props.instance_id)
        .map(|acting| acting.session_id.clone());
    // The last dry run made while impersonating: what was staged, and as
    // whom. Committing as the identity is offered only while both still hold.
    let dry_run = use_state(|| Option::<(Staging, String)>::None);
    let committing_as_identity = use_state(|| false);
    let commit_with = |as_identity: bool| {
        let dry_run = dry_run.clone();
        let acting_as = acting_as.clone();
        let (busy, error, result, pending, conflicts, submitted) = (
            busy.clone(),
            error.clone(),
            result.clone(),
            pending.clone(),
            conflicts.clone(),
            submitted.clone(),
        );
        let (instance_id, table, staging) = (
            props.instance_id.clone(),
            props.table.clone(),
            props.staging.clone(),
        );
        let (on_action, on_reload) = (props.on_action.clone(), props.on_reload.clone());
        Callback::from(move |_: ()| {
            // Committing as the identity commits as the one the dry run ran as.
            let as_whom = if as_identity {
                (*dry_run).as_ref().map(|(_, as_whom)| as_whom.clone())
            } else {
                acting_as.clone()
            };
            let (dry_run, acting_as) = (dry_run.clone(), as_whom);
            let (busy, error, result, pending, conflicts, submitted) = (
                busy.clone(),
                error.clone(),
                result.clone(),
                pending.clone(),
                conflicts.clone(),
                submitted.clone(),
            );
            let (instance_id, staging, on_action, on_reload) = (
                instance_id.clone(),
                staging.clone(),
                on_action.clone(),
                on_reload.clone(),
            );
            let (set, targets) = staging.change_set(&table);
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = match (as_identity, &acting_as) {
                    (true, Some(acting_as)) => {
                        services::commit_changes_as_identity(&instance_id, &set, acting_as).await
                    }
                    (true, None) => Err(ApiError::new(
                        ErrorCode::InvalidInput,
                        "No impersonation is in force any more; nothing was committed.",
                    )),
                    // What the banner shows: an impersonation, or nobody ("").
                    (false, shown) => {
                        services::commit_changes(&instance_id, &set, Some(shown.as_deref().unwrap_or("")))
                            .await
                    }
                };
                dry_run.set(match (&outcome, acting_as) {
                    (Ok(ChangeOutcome::DryRun { .. }), Some(acting_as)) => Some((staging.clone(), acting_as)),
                    _ => None,
                });
                match outcome {
                    Ok(ChangeOutcome::DryRun { affected }) => {
                        error.set(None);
                        result.set(Some(format!(
                            "Dry run as the impersonated identity: {affected} rows would change, and it passed RLS and every constraint. It was rolled back; your changes are still staged."
                        )));
                    }
                    Ok(ChangeOutcome::Committed { affected }) => {
                        result.set(Some(format!(
                            "Committed: {affected} rows changed in one transaction."
                        )));
                        error.set(None);
                        conflicts.set(None);
                        on_action.emit(StagingAction::Committed(staging.clone()));
                        on_reload.emit(());
                    }
                    Ok(ChangeOutcome::AwaitingConfirmation { pending: held }) => {
                        error.set(None);
                        submitted.set(Some(staging.clone()));
                        pending.set(Some(held));
                    }
                    Ok(ChangeOutcome::Conflicts {
                        conflicts: found,
                        columns,
                    }) => {
                        error.set(None);
                        conflicts.set(Some(ConflictReport {
                            conflicts: found
                                .into_iter()
                                .filter_map(|c| targets.get(c.change).cloned().map(|t| (c, t)))
                                .collect(),
                            columns: Rc::new(columns),
                        }));
                    }
                    Ok(ChangeOutcome::Rejected {
                        change,
                        column,
                        message,
                    }) => {
                        error.set(None);
                        // Only the mark changes: edits staged meanwhile stay too.
                        if let Some(target) = targets.get(change).cloned() {
                            on_action.emit(StagingAction::Rejected(Rejection {
                                target,
                                column,
                                message,
                            }));
                        }
                    }
                    Err(failure) => error.set(Some(failure)),
                }
                busy.set(false);
            });
        })
    };

    let on_commit = commit_with(false).reform(|_: MouseEvent| ());
    let commit_as_identity = commit_with(true);
    let on_discard = {
        let (on_action, conflicts, error) = (props.on_action.clone(), conflicts.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            conflicts.set(None);
            error.set(None);
            on_action.emit(StagingAction::Set(Staging::default()));
        })
    };

    let stepping_up = use_state(|| false);
    let decide = {
        let (pending, busy, error, result, stepping_up, submitted) = (
            pending.clone(),
            busy.clone(),
            error.clone(),
            result.clone(),
            stepping_up.clone(),
            submitted.clone(),
        );
        let (on_action, on_reload) = (props.on_action.clone(), props.on_reload.clone());
        move |confirm: bool| {
            let (pending, busy, error, result, on_action, on_reload, stepping_up, submitted) = (
                pending.clone(),
                busy.clone(),
                error.clone(),
                result.clone(),
                on_action.clone(),
                on_reload.clone(),
                stepping_up.clone(),
                submitted.clone(),
            );
            Callback::from(move |_: ()| {
                let Some(held) = (*pending).clone() else { return };
                let (pending, busy, error, result, on_action, on_reload, stepping_up, submitted) = (
                    pending.clone(),
                    busy.clone(),
                    error.clone(),
                    result.clone(),
                    on_action.clone(),
                    on_reload.clone(),
                    stepping_up.clone(),
                    submitted.clone(),
                );
                busy.set(true);
                wasm_bindgen_futures::spawn_local(async move {
                    let outcome = if confirm {
                        services::commit_write(&held.id).await
                    } else {
                        services::rollback_write(&held.id).await
                    };
                    match outcome {
                        // Production: confirm who you are first; the write keeps waiting.
                        Err(failure) if confirm && failure.code == ErrorCode::StepUpRequired => {
                            stepping_up.set(true);
                            busy.set(false);
                            return;
                        }
                        Ok(done) if confirm => {
                            result.set(Some(format!(
                                "Committed: {} rows changed in one transaction.",
                                done.rows_affected
                            )));
                            on_action
                                .emit(StagingAction::Committed((*submitted).clone().unwrap_or_default()));
                            on_reload.emit(());
                        }
                        // Rolled back: the staged changes stay for another try.
                        Ok(_) => result.set(Some(
                            "Rolled back: nothing changed; your changes are still staged.".to_owned(),
                        )),
                        Err(failure) => error.set(Some(failure)),
                    }
                    pending.set(None);
                    busy.set(false);
                });
            })
        }
    };

    let resolve = {
        let (conflicts, on_action, on_reload, staging) = (
            conflicts.clone(),
            props.on_action.clone(),
            props.on_reload.clone(),
            props.staging.clone(),
        );
        move |index: usize, keep_mine: bool| {
            let (conflicts, on_action, on_reload, staging) = (
                conflicts.clone(),
                on_action.clone(),
                on_reload.clone(),
                staging.clone(),
            );
            Callback::from(move |_: MouseEvent| {
                let Some(mut report) = (*conflicts).clone() else {
                    return;
                };
                if index >= report.conflicts.len() {
                    return;
                }
                let (conflict, target) = report.conflicts.remove(index);
                let mut next = staging.clone();
                let key = match &target {
                    StagedTarget::Update(key) | StagedTarget::Delete(key) | StagedTarget::Duplicate(key) => {
                        Some(key.clone())
                    }
                    StagedTarget::Insert(_) => None,
                };
                if let Some(key) = key {
                    match (keep_mine, &conflict.version) {
                        (true, Some(version)) => next.rebase(&key, version),
                        // Taking theirs, or the row is gone: nothing of mine can apply.
                        _ => next.drop_row(&key),
                    }
                }
                on_action.emit(StagingAction::Set(next));
                conflicts.set((!report.conflicts.is_empty()).then_some(report));
                on_reload.emit(());
            })
        }
    };

    if count == 0 && result.is_none() && conflicts.is_none() && error.is_none() && pending.is_none() {
        return html! {};
    }
    html! {
        <div id="staged-bar" class="staged-bar" data-count={count.to_string()}>
            if count > 0 {
                <span class="staged-count">{ format!("{count} staged change{}", if count == 1 { "" } else { "s" }) }</span>
                <button id="review-changes" class="button small" disabled={*busy} onclick={on_review}>
                    { if review.is_some() { "Hide SQL" } else { "Review SQL" } }
                </button>
                <button id="commit-changes" class="button small primary" disabled={*busy || pending.is_some()} onclick={on_commit}>{ "Commit" }</button>
                <button id="discard-changes" class="button small" disabled={*busy || pending.is_some()} onclick={on_discard}
                    title="Drop every staged change">{ "Discard" }</button>
            }
            if let Some(message) = &*result {
                <span id="commit-result" class="commit-result">{ message }</span>
            }
            if count > 0 && dry_run.as_ref().is_some_and(|(tried, as_whom)| *tried == props.staging && Some(as_whom) == acting_as.as_ref()) {
                <button id="commit-changes-as-identity" class="button small danger" disabled={*busy}
                    title="Apply them again as the impersonated identity and commit, after confirming it is you"
                    onclick={ let c = committing_as_identity.clone(); Callback::from(move |_: MouseEvent| c.set(true)) }>
                    { "Commit as this identity…" }
                </button>
            }
            if *committing_as_identity {
                <StepUpDialog profile_id={props.instance_id.clone()} purpose={COMMIT_AS_IDENTITY}
                    on_confirmed={{
                        let (committing_as_identity, commit) = (committing_as_identity.clone(), commit_as_identity.clone());
                        Callback::from(move |_| {
                            committing_as_identity.set(false);
                            commit.emit(());
                        })
                    }}
                    on_cancel={{
                        let committing_as_identity = committing_as_identity.clone();
                        Callback::from(move |_| committing_as_identity.set(false))
                    }} />
            }
            if let Some(rejection) = &props.staging.rejection {
                <div id="commit-error" class="commit-error" role="alert" data-column={rejection.column.clone().unwrap_or_default()}>
                    { format!("The server refused a change{}: {} Nothing was applied; your changes are still staged.",
                        rejection.column.as_ref().map(|c| format!(" to \"{c}\"")).unwrap_or_default(), rejection.message) }
                </div>
            }
            if let Some(error) = &*error {
                <ErrorBanner error={error.clone()} />
            }
            if let Some(statements) = &*review {
                <pre id="review-sql" class="review-sql">{ statements.iter().map(|s| format!("{s};")).collect::<Vec<_>>().join("\n") }</pre>
            }
            if let Some(held) = &*pending {
                <div id="pending-changes" class="pending-write">
                    { format!("{} rows changed, not yet committed (confirm-writes profile). ", held.rows_affected) }
                    <button id="confirm-changes" class="button small primary" disabled={*busy} onclick={decide(true).reform(|_: MouseEvent| ())}>{ "Commit now" }</button>
                    <button id="rollback-changes" class="button small" disabled={*busy} onclick={decide(false).reform(|_: MouseEvent| ())}>{ "Roll back" }</button>
                </div>
            }
            if *stepping_up {
                <StepUpDialog profile_id={props.instance_id.clone()} purpose="commit a write on production"
                    on_confirmed={{
                        let (stepping_up, commit) = (stepping_up.clone(), decide(true));
                        Callback::from(move |_| {
                            stepping_up.set(false);
                            commit.emit(());
                        })
                    }}
                    on_cancel={{
                        let stepping_up = stepping_up.clone();
                        Callback::from(move |_| stepping_up.set(false))
                    }} />
            }
            if let Some(report) = &*conflicts {
                <div id="conflicts" class="conflicts" role="alert">
                    <div class="conflicts-title">{ "Changed by someone else since you loaded it: nothing was applied." }</div>
                    { for report.conflicts.iter().enumerate().map(|(index, (conflict, target))| conflict_view(
                        index, conflict, target, &report.columns, &props.staging, resolve(index, true), resolve(index, false))) }
                </div>
            }
        </div>
    }
}

fn conflict_view(
    index: usize,
    conflict: &Conflict,
    target: &StagedTarget,
    columns: &[ColumnInfo],
    staging: &Staging,
    keep_mine: Callback<MouseEvent>,
    take_theirs: Callback<MouseEvent>,
) -> Html {
    let (what, key) = match target {
        StagedTarget::Update(key) => ("Edit", Some(key)),
        StagedTarget::Delete(key) => ("Delete", Some(key)),
        StagedTarget::Duplicate(key) => ("Copy", Some(key)),
        StagedTarget::Insert(_) => ("New row", None),
    };
    let key_text = key.map(|k| k.0.join(", ")).unwrap_or_default();
    let mine = key.and_then(|k| staging.updates.get(k));
    let shown: Vec<(usize, &ColumnInfo)> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| mine.is_none_or(|m| m.values.contains_key(&c.name)))
        .collect();
    html! {
        <div class="conflict" data-index={index.to_string()} data-key={key_text.clone()}>
            <div>{ format!("{what} of row {key_text}: ") }
            { match &conflict.theirs {
                None => html! { <span class="conflict-gone">{ "the row was deleted (or its key changed)." }</span> },
                Some(_) => html! { <span>{ "theirs beside yours:" }</span> },
            } }
            </div>
            if let Some(theirs) = &conflict.theirs {
                <table class="conflict-values">
                    <tr><th>{ "column" }</th><th>{ "theirs (now)" }</th><th>{ "yours" }</th></tr>
                    { for shown.iter().map(|(position, column)| {
                        let their = theirs.get(*position).map(Cell::display_text).unwrap_or_default();
                        let yours = mine
                            .and_then(|m| m.values.get(&column.name))
                            .map(|v| v.clone().unwrap_or_else(|| "NULL".to_owned()))
                            .unwrap_or_else(|| if what == "Delete" { "(delete)".to_owned() } else { String::new() });
                        html! {
                            <tr data-column={column.name.clone()}>
                                <td>{ &column.name }</td>
                                <td class="theirs">{ their }</td>
                                <td class="yours">{ yours }</td>
                            </tr>
                        }
                    }) }
                </table>
                <button class="button small keep-mine" onclick={keep_mine}>{ "Keep mine (overwrite theirs)" }</button>
            }
            <button class="button small take-theirs" onclick={take_theirs}>{ "Take theirs (drop mine)" }</button>
        </div>
    }
}
