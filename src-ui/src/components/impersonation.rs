//! Impersonation in the window: the switcher (search any app user on the
//! server, or anon, or the service role; a reason; a step-up), the banner
//! every view shows while it is in force, and the RLS insight of a table.

use crate::components::{ErrorBanner, StepUpDialog};
use crate::format::grouped;
use crate::services;
use crate::state::session::{SessionAction, SessionContext};
use fluxdesk_types::{
    ApiError, AppUserMatch, ErrorCode, ImpersonationRequest, ImpersonationTarget, RlsInsight, RowCount,
    START_IMPERSONATION, TableRef,
};
use gloo_timers::callback::Timeout;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// How long typing pauses before the server is searched.
const SEARCH_DELAY_MS: u32 = 250;

/// The identity being chosen in the switcher.
#[derive(Debug, Clone, PartialEq)]
enum Choice {
    User(AppUserMatch),
    Anon,
    Service,
}

impl Choice {
    fn target(&self) -> ImpersonationTarget {
        match self {
            Choice::User(user) => ImpersonationTarget::User {
                user_id: user.id.clone(),
            },
            Choice::Anon => ImpersonationTarget::Anon,
            Choice::Service => ImpersonationTarget::Service,
        }
    }

    fn label(&self) -> String {
        match self {
            Choice::User(user) => format!("{} ({})", user.email, user.role),
            Choice::Anon => "an anonymous visitor (anon)".to_owned(),
            Choice::Service => "the service role (bypasses RLS)".to_owned(),
        }
    }
}

/// The "View as…" button of the header, for the instance on display.
#[component]
pub fn ImpersonateButton() -> Html {
    let session = use_context::<SessionContext>().expect("inside the session provider");
    let fluxbase = session.active_entry().and_then(|entry| {
        let info = session.connections.get(&entry.profile.id)?;
        (info.layout != fluxdesk_types::FluxbaseLayout::NotFluxbase).then(|| entry.profile.id.clone())
    });
    let Some(id) = fluxbase else {
        return html! {};
    };
    let acting = session.impersonations.contains_key(&id);
    let onclick = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::OpenSwitcher(id.clone(), None)))
    };
    html! {
        <button id="impersonate-open" class={classes!("button", acting.then_some("acting"))} onclick={onclick}
            title="See exactly what RLS lets an app user, anon or the service role see">
            { if acting { "Acting as… (switch)" } else { "View as…" } }
        </button>
    }
}

/// The switcher: a modal over the window while `session.switcher` is set.
#[component]
pub fn ImpersonationSwitcher() -> Html {
    let session = use_context::<SessionContext>().expect("inside the session provider");
    let opened = session.switcher.clone();
    let choice = use_state(|| {
        opened
            .as_ref()
            .and_then(|(_, user)| user.clone())
            .map(Choice::User)
    });
    let matches = use_state(|| Option::<Result<Vec<AppUserMatch>, ApiError>>::None);
    let reason = use_node_ref();
    let error = use_state(|| Option::<ApiError>::None);
    let busy = use_state(|| false);
    let stepping_up = use_state(|| false);
    let search_timer = use_mut_ref(|| Option::<Timeout>::None);
    let Some((id, _)) = opened else {
        return html! {};
    };

    let on_search = {
        let (matches, search_timer, id) = (matches.clone(), search_timer.clone(), id.clone());
        Callback::from(move |event: InputEvent| {
            let text = event.target_unchecked_into::<HtmlInputElement>().value();
            let (matches, id) = (matches.clone(), id.clone());
            // Searching waits for a pause in typing; each search replaces the last.
            *search_timer.borrow_mut() = Some(Timeout::new(SEARCH_DELAY_MS, move || {
                if text.trim().is_empty() {
                    matches.set(None);
                    return;
                }
                wasm_bindgen_futures::spawn_local(async move {
                    matches.set(Some(services::search_app_users(&id, &text).await));
                });
            }));
        })
    };
    let choose = |picked: Choice| {
        let choice = choice.clone();
        Callback::from(move |_: MouseEvent| choice.set(Some(picked.clone())))
    };
    let start = {
        let (choice, reason, error, busy, stepping_up) = (
            choice.clone(),
            reason.clone(),
            error.clone(),
            busy.clone(),
            stepping_up.clone(),
        );
        let (session, id) = (session.clone(), id.clone());
        Callback::from(move |_: ()| {
            let Some(picked) = (*choice).clone() else {
                error.set(Some(ApiError::new(
                    ErrorCode::InvalidInput,
                    "Choose whom to act as.",
                )));
                return;
            };
            let text = reason
                .cast::<HtmlTextAreaElement>()
                .map(|r| r.value())
                .unwrap_or_default();
            if text.trim().is_empty() {
                error.set(Some(ApiError::new(
                    ErrorCode::InvalidInput,
                    "Give a reason: it is recorded with the impersonation.",
                )));
                return;
            }
            let request = ImpersonationRequest {
                target: picked.target(),
                reason: text,
            };
            let (error, busy, stepping_up, session, id) = (
                error.clone(),
                busy.clone(),
                stepping_up.clone(),
                session.clone(),
                id.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match services::start_impersonation(&id, &request).await {
                    Ok(acting) => session.dispatch(SessionAction::Impersonating(
                        id,
                        Some(acting),
                        js_sys::Date::now(),
                    )),
                    Err(failure) if failure.code == ErrorCode::StepUpRequired => stepping_up.set(true),
                    Err(failure) => error.set(Some(failure)),
                }
                busy.set(false);
            });
        })
    };
    let on_submit = {
        let start = start.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            start.emit(());
        })
    };
    let on_close = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::CloseSwitcher))
    };
    let step_up = if *stepping_up {
        let on_confirmed = {
            let (stepping_up, start) = (stepping_up.clone(), start.clone());
            Callback::from(move |_| {
                stepping_up.set(false);
                start.emit(());
            })
        };
        let on_cancel = {
            let stepping_up = stepping_up.clone();
            Callback::from(move |_| stepping_up.set(false))
        };
        html! { <StepUpDialog profile_id={id.clone()} purpose={START_IMPERSONATION} on_confirmed={on_confirmed} on_cancel={on_cancel} /> }
    } else {
        html! {}
    };
    let chosen = |candidate: &Choice| (*choice).as_ref() == Some(candidate);

    html! {
        <div class="modal-backdrop">
            <form class="modal impersonation-switcher" id="impersonation-switcher" onsubmit={on_submit}>
                <h2>{ "View as…" }</h2>
                <p class="muted">{ "Statements then run exactly as a Fluxbase request of that identity: its database role and JWT claims, inside each transaction. Writes are dry runs until you commit them." }</p>
                <label for="impersonate-search">{ "App user, by email or id" }</label>
                <input id="impersonate-search" type="search" placeholder="bob@example.com or a user id" oninput={on_search} autofocus=true />
                <ul class="impersonate-results" id="impersonate-results">
                    { match &*matches {
                        Some(Ok(found)) if found.is_empty() => html! { <li class="muted">{ "No app user matches." }</li> },
                        Some(Ok(found)) => found.iter().map(|user| {
                            let candidate = Choice::User(user.clone());
                            html! {
                                <li>
                                    <button type="button" class={classes!("link", "impersonate-result", chosen(&candidate).then_some("chosen"))}
                                        data-email={user.email.clone()} onclick={choose(candidate.clone())}>
                                        { &user.email }<span class="muted">{ format!(" · {} · {}", user.role, user.id) }</span>
                                    </button>
                                </li>
                            }
                        }).collect::<Html>(),
                        Some(Err(failure)) => html! { <li><ErrorBanner error={failure.clone()} /></li> },
                        None => html! {},
                    } }
                </ul>
                <div class="impersonate-roles">
                    <button type="button" id="impersonate-anon" class={classes!("button", chosen(&Choice::Anon).then_some("chosen"))}
                        onclick={choose(Choice::Anon)}>{ "Anonymous visitor" }</button>
                    <button type="button" id="impersonate-service" class={classes!("button", chosen(&Choice::Service).then_some("chosen"))}
                        onclick={choose(Choice::Service)}>{ "Service role" }</button>
                </div>
                <p id="impersonate-choice" class="note">
                    { match &*choice {
                        Some(picked) => format!("Act as {}", picked.label()),
                        None => "Nobody chosen yet.".to_owned(),
                    } }
                </p>
                <label for="impersonate-reason">{ "Reason (recorded)" }</label>
                <textarea ref={reason} id="impersonate-reason" placeholder="Ticket 4411: Bob cannot see his todos" />
                if let Some(failure) = &*error {
                    <ErrorBanner error={failure.clone()} />
                }
                <div class="modal-actions">
                    <button type="button" id="impersonate-cancel" class="button" onclick={on_close}>{ "Cancel" }</button>
                    <button type="submit" id="impersonate-start" class="button primary" disabled={*busy}>{ "Start" }</button>
                </div>
            </form>
            { step_up }
        </div>
    }
}

/// The banner every view shows while an impersonation is in force.
#[component]
pub fn ImpersonationBanner() -> Html {
    let session = use_context::<SessionContext>().expect("inside the session provider");
    let stop_failed = use_state(|| Option::<ApiError>::None);
    if session.impersonations.is_empty() {
        return html! {};
    }
    html! {
        <>
        { for session.impersonations.iter().map(|(id, acting)| {
            let instance = session
                .entry(id)
                .map(|entry| entry.profile.name.clone())
                .unwrap_or_else(|| id.clone());
            let on_stop = {
                let (session, id, stop_failed) = (session.clone(), id.clone(), stop_failed.clone());
                Callback::from(move |_: MouseEvent| {
                    let (session, id, stop_failed) = (session.clone(), id.clone(), stop_failed.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match services::stop_impersonation(&id).await {
                            Ok(_) => {
                                stop_failed.set(None);
                                session.dispatch(SessionAction::Impersonating(id, None, js_sys::Date::now()));
                            }
                            Err(failure) => stop_failed.set(Some(failure)),
                        }
                    });
                })
            };
            html! {
                <div class="impersonation-banner" id="impersonation-banner" role="status" data-kind={acting.kind.clone()}>
                    <span class="impersonation-who">
                        { "Acting as " }<strong id="impersonation-email">{ &acting.email }</strong>
                        { format!(" · role {} → database role {} · on {instance}", acting.app_role, acting.database_role) }
                    </span>
                    <span class="impersonation-why" id="impersonation-reason">{ format!("Why: {}", acting.reason) }</span>
                    <span class="muted">{ "Writes are dry runs until you commit them." }</span>
                    <button id="impersonation-stop" class="button" onclick={on_stop}>{ "Stop" }</button>
                </div>
            }
        }) }
        if let Some(failure) = &*stop_failed {
            <ErrorBanner error={failure.clone()} />
        }
        </>
    }
}

/// Properties of [`RlsInsightPanel`].
#[derive(Properties, PartialEq)]
pub struct RlsInsightProps {
    /// The instance.
    pub instance_id: String,
    /// The table.
    pub table: TableRef,
    /// The impersonation it compares against (its session id), so a new one asks again.
    pub acting_as: String,
    /// Closes the panel.
    pub on_close: Callback<()>,
}

fn count_text(count: &RowCount) -> String {
    if count.capped {
        format!("at least {}", grouped(count.rows))
    } else {
        grouped(count.rows)
    }
}

/// "Admin sees N rows, this identity sees M", the grants, and every policy.
#[component]
pub fn RlsInsightPanel(props: &RlsInsightProps) -> Html {
    let insight = use_state(|| Option::<Result<RlsInsight, ApiError>>::None);
    {
        let insight = insight.clone();
        let (id, table) = (props.instance_id.clone(), props.table.clone());
        use_effect_with((id.clone(), table.clone(), props.acting_as.clone()), move |_| {
            insight.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                insight.set(Some(services::rls_insight(&id, &table).await));
            });
        });
    }
    let on_close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let body = match &*insight {
        None => html! { <p class="muted">{ "Counting what each of you sees…" }</p> },
        Some(Err(failure)) => html! { <ErrorBanner error={failure.clone()} /> },
        Some(Ok(insight)) => {
            let grant = |held: bool, name: &'static str| {
                html! { <span class={classes!("grant", if held { "held" } else { "missing" })} data-grant={name}>{ name }</span> }
            };
            html! {
                <>
                    <p class="rls-counts" id="rls-counts">
                        { "You see " }<strong id="rls-admin-rows">{ count_text(&insight.admin_rows) }</strong>{ " rows; this identity sees " }
                        <strong id="rls-identity-rows">{ insight.identity_rows.as_ref().map(count_text).unwrap_or_else(|| "none (permission denied)".to_owned()) }</strong>
                        { " rows." }
                    </p>
                    <p class="note" id="rls-explanation">{ &insight.explanation }</p>
                    <p class="rls-grants">
                        { format!("{} may: ", insight.database_role) }
                        { grant(insight.grants.select, "SELECT") }{ grant(insight.grants.insert, "INSERT") }
                        { grant(insight.grants.update, "UPDATE") }{ grant(insight.grants.delete, "DELETE") }
                        { format!(" · RLS {}{}", if insight.rls_enabled { "on" } else { "off" }, if insight.rls_forced { ", forced" } else { "" }) }
                    </p>
                    <table class="policies" id="rls-policies">
                        <thead><tr><th>{ "Policy" }</th><th>{ "For" }</th><th>{ "Roles" }</th><th>{ "USING" }</th><th>{ "WITH CHECK" }</th></tr></thead>
                        <tbody>
                            { for insight.policies.iter().map(|policy| html! {
                                <tr class={classes!("policy", policy.applies.then_some("applies"))} data-policy={policy.name.clone()}
                                    title={ if policy.applies { "Applies to this identity's role" } else { "Does not apply to this identity's role" } }>
                                    <td>{ &policy.name }{ if policy.permissive { "" } else { " (restrictive)" } }</td>
                                    <td>{ &policy.command }</td>
                                    <td>{ policy.roles.join(", ") }</td>
                                    <td><code>{ policy.using.clone().unwrap_or_default() }</code></td>
                                    <td><code>{ policy.with_check.clone().unwrap_or_default() }</code></td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                    if insight.policies.is_empty() {
                        <p class="muted">{ "This table has no policies." }</p>
                    }
                </>
            }
        }
    };
    html! {
        <section class="rls-insight" id="rls-insight">
            <div class="row-panel-header">
                <strong>{ format!("Row level security · {}", props.table) }</strong>
                <button id="close-rls-insight" class="button small" onclick={on_close}>{ "Close" }</button>
            </div>
            { body }
        </section>
    }
}
