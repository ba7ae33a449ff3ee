//! The Users tab: app users (`auth.users`) listed by key on the server, at
//! any size, with search, filters, sorting on every column, a multi-select
//! for batch actions, invitations, and a detail pane for one user.

use crate::components::user_detail::LOCK_CHOICES;
use crate::components::{ErrorBanner, UserDetailPane, step_up_dialog};
use crate::format::grouped;
use crate::services;
use crate::state::user_list::{UserList, UserListAction};
use fluxdesk_types::{
    ApiError, BulkAction, BulkPreview, BulkRequest, CredentialKind, DELETE_APP_USERS, ErrorCode,
    GRANT_ELEVATED_ROLE, LOCK_APP_USERS, REVOKE_APP_USER_SESSIONS, RoleInUse, UserCredential, UserFilters,
    UserInvite, UserPage, UserSort,
};
use gloo_timers::callback::Timeout;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

const SEARCH_DELAY_MS: u32 = 250;

/// Properties of [`UsersScreen`].
#[derive(Properties, PartialEq)]
pub struct UsersScreenProps {
    /// The instance.
    pub profile_id: String,
}

/// A batch waiting for the admin's confirmation, with what it would touch.
#[derive(Clone, PartialEq)]
struct PendingBatch {
    /// For a lock, its end is set again from `lock_hours` when the batch is applied.
    action: BulkAction,
    /// A lock's length in hours (0: until unlocked).
    lock_hours: f64,
    user_ids: Vec<String>,
    preview: BulkPreview,
}

/// "Shown once": what an invite handed over.
pub fn credential_text(email: &str, credential: &UserCredential) -> (String, String) {
    match credential {
        UserCredential::TemporaryPassword { password } => (
            format!("Temporary password for {email}; shown once:"),
            password.clone(),
        ),
        UserCredential::Token {
            token, expires_at, ..
        } => (
            format!(
                "One-time token for {email}, valid until {}: they open <your Fluxbase URL>/auth/reset-password?token=… and choose a password. Shown once:",
                short_time(&Some(expires_at.clone()))
            ),
            token.clone(),
        ),
    }
}

/// `2026-11-24 09:30` from RFC 3339.
pub fn short_time(time: &Option<String>) -> String {
    time.as_deref()
        .map(|t| t.get(..16).unwrap_or(t).replace('T', " "))
        .unwrap_or_else(|| "—".into())
}

fn batch_purpose(action: &BulkAction) -> &'static str {
    match action {
        BulkAction::Delete => DELETE_APP_USERS,
        BulkAction::Lock { .. } => LOCK_APP_USERS,
        BulkAction::RevokeSessions => REVOKE_APP_USER_SESSIONS,
    }
}

fn tri_state(value: &str) -> Option<bool> {
    match value {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

fn tri_value(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "any",
    }
}

/// RFC 3339 for "now plus `hours`", from the webview's clock.
pub fn hours_from_now(hours: f64) -> String {
    let at = js_sys::Date::new_0();
    at.set_time(at.get_time() + hours * 3_600_000.0);
    at.to_iso_string().into()
}

/// The Users tab.
#[component]
pub fn UsersScreen(props: &UsersScreenProps) -> Html {
    let list = use_reducer_eq(UserListState::default);
    let page = use_state(|| Option::<UserPage>::None);
    let loading = use_state(|| false);
    let error = use_state(|| Option::<ApiError>::None);
    let roles = use_state(Vec::<RoleInUse>::new);
    let open_user = use_state(|| Option::<String>::None);
    let inviting = use_state(|| false);
    let shown_once = use_state(|| Option::<(String, String)>::None);
    let batch = use_state(|| Option::<PendingBatch>::None);
    let stepping_up = use_state(|| Option::<PendingBatch>::None);
    let lock_hours = use_state(|| "24".to_owned());
    // Set at once on click, not at the next render, so a double click runs one batch.
    let applying = use_mut_ref(|| false);
    let applying_shown = use_state(|| false);
    let invite_stepping_up = use_state(|| Option::<UserInvite>::None);
    let roles_epoch = use_state(|| 0_u32);
    let search_timer = use_mut_ref(|| Option::<Timeout>::None);
    let latest = use_mut_ref(|| 0_u64);
    let id = props.profile_id.clone();

    {
        let (page, loading, error, latest, id) = (
            page.clone(),
            loading.clone(),
            error.clone(),
            latest.clone(),
            id.clone(),
        );
        let request = list.0.request();
        let generation = list.0.generation;
        use_effect_with(generation, move |_| {
            *latest.borrow_mut() = generation;
            loading.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let reply = services::app_users(&id, &request).await;
                // A reply to an older query or page is dropped.
                if *latest.borrow() != generation {
                    return;
                }
                loading.set(false);
                match reply {
                    Ok(reply) => {
                        error.set(None);
                        page.set(Some(reply));
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        });
    }
    {
        let (roles, id) = (roles.clone(), id.clone());
        // Read at first and after changes, so new roles are suggested.
        use_effect_with(*roles_epoch, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(found) = services::app_roles(&id).await {
                    roles.set(found);
                }
            });
        });
    }

    let dispatch = {
        let list = list.clone();
        move |action: UserListAction| list.dispatch(action)
    };
    let on_search = {
        let (list, search_timer) = (list.clone(), search_timer.clone());
        Callback::from(move |event: InputEvent| {
            let text = event.target_unchecked_into::<HtmlInputElement>().value();
            let list = list.clone();
            *search_timer.borrow_mut() = Some(Timeout::new(SEARCH_DELAY_MS, move || {
                list.dispatch(UserListAction::Search(text));
            }));
        })
    };
    let filters = list.0.query.filters.clone();
    let on_filter = |field: fn(&mut UserFilters, Option<bool>)| {
        let (list, filters) = (list.clone(), filters.clone());
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            let mut next = filters.clone();
            field(&mut next, tri_state(&value));
            list.dispatch(UserListAction::Filter(next));
        })
    };
    let on_role_filter = {
        let (list, filters) = (list.clone(), filters.clone());
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlInputElement>().value();
            let mut next = filters.clone();
            next.role = Some(value.trim().to_owned()).filter(|role| !role.is_empty());
            list.dispatch(UserListAction::Filter(next));
        })
    };
    let indexing = use_state(|| false);
    let on_create_index = {
        let (error, list, id, indexing) = (error.clone(), list.clone(), id.clone(), indexing.clone());
        Callback::from(move |_: MouseEvent| {
            let (error, list, id, indexing) = (error.clone(), list.clone(), id.clone(), indexing.clone());
            indexing.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = services::create_user_search_index(&id).await;
                indexing.set(false);
                match outcome {
                    Ok(_) => list.dispatch(UserListAction::Reload),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };

    let ask_batch = {
        let (error, batch, list, id, lock_hours) = (
            error.clone(),
            batch.clone(),
            list.clone(),
            id.clone(),
            lock_hours.clone(),
        );
        move |action: BulkAction| {
            let (error, batch, list, id, lock_hours) = (
                error.clone(),
                batch.clone(),
                list.clone(),
                id.clone(),
                lock_hours.clone(),
            );
            Callback::from(move |_: MouseEvent| {
                let user_ids: Vec<String> = list.0.selected.iter().cloned().collect();
                let hours = lock_hours.parse::<f64>().unwrap_or(0.0);
                let action = match &action {
                    BulkAction::Lock { .. } => BulkAction::Lock {
                        until: (hours > 0.0).then(|| hours_from_now(hours)),
                    },
                    other => other.clone(),
                };
                let (error, batch, id, action) = (error.clone(), batch.clone(), id.clone(), action.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match services::preview_app_user_batch(&id, &user_ids, &action).await {
                        Ok(preview) => batch.set(Some(PendingBatch {
                            action,
                            lock_hours: hours,
                            user_ids,
                            preview,
                        })),
                        Err(failure) => error.set(Some(failure)),
                    }
                });
            })
        }
    };
    let apply_batch = {
        let (error, batch, stepping_up, list, id) = (
            error.clone(),
            batch.clone(),
            stepping_up.clone(),
            list.clone(),
            id.clone(),
        );
        let (applying, applying_shown, roles_epoch) =
            (applying.clone(), applying_shown.clone(), roles_epoch.clone());
        Callback::from(move |pending: PendingBatch| {
            // One batch at a time: a double click must not run it twice.
            if *applying.borrow() {
                return;
            }
            *applying.borrow_mut() = true;
            applying_shown.set(true);
            let (applying, applying_shown, roles_epoch) =
                (applying.clone(), applying_shown.clone(), roles_epoch.clone());
            let (error, batch, stepping_up, list, id) = (
                error.clone(),
                batch.clone(),
                stepping_up.clone(),
                list.clone(),
                id.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                // A lock's end is counted from the confirmation, however long the dialog was open.
                let action = match &pending.action {
                    BulkAction::Lock { .. } => BulkAction::Lock {
                        until: (pending.lock_hours > 0.0).then(|| hours_from_now(pending.lock_hours)),
                    },
                    other => other.clone(),
                };
                let request = BulkRequest {
                    user_ids: pending.user_ids.clone(),
                    action,
                    expected_users: pending.preview.users,
                };
                let outcome = services::apply_app_user_batch(&id, &request).await;
                *applying.borrow_mut() = false;
                applying_shown.set(false);
                match outcome {
                    Ok(_) => {
                        batch.set(None);
                        error.set(None);
                        list.dispatch(UserListAction::ClearSelection);
                        list.dispatch(UserListAction::Reload);
                        roles_epoch.set(*roles_epoch + 1);
                    }
                    Err(failure) if failure.code == ErrorCode::StepUpRequired => {
                        batch.set(None);
                        stepping_up.set(Some(pending));
                    }
                    Err(failure) => {
                        batch.set(None);
                        error.set(Some(failure));
                    }
                }
            });
        })
    };

    let run_invite = {
        let (error, shown_once, inviting, list, id, roles_epoch, invite_stepping_up) = (
            error.clone(),
            shown_once.clone(),
            inviting.clone(),
            list.clone(),
            id.clone(),
            roles_epoch.clone(),
            invite_stepping_up.clone(),
        );
        Callback::from(move |invite: UserInvite| {
            let (error, shown_once, inviting, list, id, roles_epoch, invite_stepping_up) = (
                error.clone(),
                shown_once.clone(),
                inviting.clone(),
                list.clone(),
                id.clone(),
                roles_epoch.clone(),
                invite_stepping_up.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match services::invite_app_user(&id, &invite).await {
                    Ok(invited) => {
                        error.set(None);
                        inviting.set(false);
                        shown_once.set(Some(credential_text(&invited.user.email, &invited.credential)));
                        list.dispatch(UserListAction::Reload);
                        roles_epoch.set(*roles_epoch + 1);
                    }
                    Err(failure) if failure.code == ErrorCode::StepUpRequired => {
                        invite_stepping_up.set(Some(invite))
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let on_invite = {
        let run_invite = run_invite.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let form = event.target_unchecked_into::<web_sys::Element>();
            let value = |selector: &str| {
                form.query_selector(selector)
                    .ok()
                    .flatten()
                    .map(|element| {
                        use wasm_bindgen::JsCast;
                        element
                            .dyn_ref::<HtmlInputElement>()
                            .map(|input| input.value())
                            .or_else(|| {
                                element
                                    .dyn_ref::<HtmlSelectElement>()
                                    .map(|select| select.value())
                            })
                            .unwrap_or_default()
                    })
                    .unwrap_or_default()
            };
            run_invite.emit(UserInvite {
                email: value("#invite-user-email"),
                role: value("#invite-user-role"),
                credential: if value("#invite-user-credential") == "token" {
                    CredentialKind::Token
                } else {
                    CredentialKind::TemporaryPassword
                },
            });
        })
    };

    let on_changed = {
        let (list, roles_epoch) = (list.clone(), roles_epoch.clone());
        Callback::from(move |_: ()| {
            list.dispatch(UserListAction::Reload);
            roles_epoch.set(*roles_epoch + 1);
        })
    };
    let on_shown_once = {
        let shown_once = shown_once.clone();
        Callback::from(move |secret: (String, String)| shown_once.set(Some(secret)))
    };
    let on_deleted = {
        let (open_user, list) = (open_user.clone(), list.clone());
        Callback::from(move |_: ()| {
            open_user.set(None);
            list.dispatch(UserListAction::Reload);
        })
    };

    let state = &list.0;
    let users = page.as_ref().map(|p| p.users.clone()).unwrap_or_default();
    let page_ids: Vec<String> = users.iter().map(|user| user.id.clone()).collect();
    let all_selected = !page_ids.is_empty() && page_ids.iter().all(|id| state.selected.contains(id));
    let header = |sort: UserSort, label: &'static str| {
        let dispatch = dispatch.clone();
        let marker = if state.query.sort == sort {
            if state.query.descending { " ▼" } else { " ▲" }
        } else {
            ""
        };
        html! {
            <th data-sort={sort.name()} aria-sort={if state.query.sort == sort { if state.query.descending { "descending" } else { "ascending" } } else { "none" }}>
                <button class="sort-header" onclick={Callback::from(move |_| dispatch(UserListAction::SortBy(sort)))}>{ label }{ marker }</button>
            </th>
        }
    };
    let matching = page.as_ref().and_then(|p| p.matching).map(|count| {
        let number = grouped(count.count);
        if count.estimated {
            format!("about {number} users")
        } else if count.capped {
            format!("{number}+ users match")
        } else {
            if count.count == 1 {
                "1 user matches".to_owned()
            } else {
                format!("{number} users match")
            }
        }
    });

    let on_lock_hours = {
        let lock_hours = lock_hours.clone();
        Callback::from(move |event: Event| {
            lock_hours.set(event.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };

    let batch_modal = batch.as_ref().map(|pending| {
        let what = match &pending.action {
            BulkAction::Delete => "Delete",
            BulkAction::Lock { .. } => "Lock",
            BulkAction::RevokeSessions => "End every session of",
        };
        let on_yes = {
            let (apply_batch, pending) = (apply_batch.clone(), pending.clone());
            Callback::from(move |_: MouseEvent| apply_batch.emit(pending.clone()))
        };
        let on_no = {
            let batch = batch.clone();
            Callback::from(move |_: MouseEvent| batch.set(None))
        };
        html! {
            <div class="modal-backdrop">
                <div class="modal" id="bulk-confirm" role="alertdialog">
                    <h2>{ format!("{what} {} users?", pending.preview.users) }</h2>
                    if let BulkAction::Lock { until } = &pending.action {
                        <p>{ until.as_ref().map(|u| format!("Until {}.", short_time(&Some(u.clone())))).unwrap_or_else(|| "Until unlocked.".into()) }</p>
                    }
                    <p id="bulk-count" data-users={pending.preview.users.to_string()}>
                        { format!("{} users, with {} active sessions. All of it happens in one transaction, or none of it.", pending.preview.users, pending.preview.active_sessions) }
                    </p>
                    if !pending.preview.missing.is_empty() {
                        <p class="warning">{ format!("{} selected users no longer exist; the batch will be refused until you select again.", pending.preview.missing.len()) }</p>
                    }
                    if matches!(pending.action, BulkAction::Delete) {
                        <ul class="cascades">{ for pending.preview.cascades.iter().filter(|c| c.rows > 0 || !c.readable).map(|c| html! {
                            <li class={classes!("cascade", matches!(c.action.as_str(), "restrict" | "no action").then_some("blocks"))}>
                                { format!("{} of {} ({}): {}", if c.readable { format!("{} rows", grouped(c.rows)) } else { "rows this connection may not read".to_owned() }, c.table, c.column, c.action) }
                            </li>
                        }) }</ul>
                    }
                    <div class="modal-actions">
                        <button class="button" onclick={on_no}>{ "Cancel" }</button>
                        <button id="bulk-apply" class="button danger" disabled={!pending.preview.missing.is_empty() || *applying_shown} onclick={on_yes}>{ format!("{what} {} users", pending.preview.users) }</button>
                    </div>
                </div>
            </div>
        }
    });
    let invite_step_up_modal = step_up_dialog(&id, GRANT_ELEVATED_ROLE, &invite_stepping_up, &run_invite);
    let step_up_modal = step_up_dialog(
        &id,
        stepping_up
            .as_ref()
            .map(|pending| batch_purpose(&pending.action))
            .unwrap_or_default(),
        &stepping_up,
        &apply_batch,
    );

    html! {
        <div class={classes!("users-screen", open_user.is_some().then_some("with-detail"))}>
            <div class="users-main">
                <div class="page-header">
                    <h1>{ "Users" }</h1>
                    <span id="users-matching" class="muted">{ matching.unwrap_or_default() }</span>
                    <button id="invite-user-open" class="button primary" onclick={{ let inviting = inviting.clone(); Callback::from(move |_| inviting.set(!*inviting)) }}>{ "Invite user…" }</button>
                </div>
                if let Some(failure) = &*error {
                    <ErrorBanner error={failure.clone()} />
                }
                if let Some((label, secret)) = &*shown_once {
                    <div class="shown-once" id="user-shown-once"><p>{ label }</p><code id="user-shown-once-secret">{ secret }</code>
                        <button class="button" onclick={{ let shown_once = shown_once.clone(); Callback::from(move |_| shown_once.set(None)) }}>{ "Done" }</button></div>
                }
                if *inviting {
                    <form class="panel inline-form" id="invite-user" onsubmit={on_invite}>
                        <input id="invite-user-email" type="email" placeholder="person@example.com" aria-label="Email" />
                        <input id="invite-user-role" list="known-roles" placeholder="user" aria-label="Role" />
                        <select id="invite-user-credential" aria-label="What to hand over">
                            <option value="temporary_password" selected=true>{ "Temporary password" }</option>
                            <option value="token">{ "One-time token to choose a password (7 days)" }</option>
                        </select>
                        <button type="submit" id="invite-user-submit" class="button primary">{ "Invite" }</button>
                        <span class="muted">{ "Fluxdesk sends no email: hand the secret over yourself." }</span>
                    </form>
                }
                <div class="users-toolbar">
                                        // Not controlled: a re-render while typing would put back older text.
                    <input id="users-search" type="search" placeholder="Search email, id or metadata…" aria-label="Search users"
                        oninput={on_search} />
                                        <input id="users-filter-role" list="known-roles" placeholder="Any role" aria-label="Role"
                        onchange={on_role_filter} />
                    <datalist id="known-roles">{ for roles.iter().map(|role| html! {
                        <option value={role.role.clone()}>{ format!("{} users", grouped(role.users)) }</option>
                    }) }</datalist>
                    { for [
                        ("users-filter-verified", "Verified", filters.verified, on_filter(|f, v| f.verified = v)),
                        ("users-filter-locked", "Locked", filters.locked, on_filter(|f, v| f.locked = v)),
                        ("users-filter-two-factor", "2FA", filters.two_factor, on_filter(|f, v| f.two_factor = v)),
                        ("users-filter-sessions", "Has sessions", filters.has_sessions, on_filter(|f, v| f.has_sessions = v)),
                    ].into_iter().map(|(element_id, label, value, onchange)| html! {
                        <label class="filter-choice">{ label }
                            <select id={element_id} onchange={onchange}>
                                { for ["any", "yes", "no"].into_iter().map(|choice| html! {
                                    <option value={choice} selected={tri_value(value) == choice}>{ choice }</option>
                                }) }
                            </select>
                        </label>
                    }) }
                    if *loading {
                        <span class="muted" id="users-loading">{ "Loading…" }</span>
                    }
                </div>
                if let Some(index) = page.as_ref().map(|p| p.search_index.clone()).filter(|index| !index.in_place) {
                    <p class="muted" id="search-index">{ index.message.clone() }
                        if index.can_create {
                            { " " }<button id="create-search-index" class="button" disabled={*indexing} onclick={on_create_index}>
                                { if *indexing { "Creating the index (writes go on meanwhile)…" } else { "Create search index" } }
                            </button>
                        }
                    </p>
                }
                if !state.selected.is_empty() {
                    <div class="bulk-bar" id="users-bulk">
                        <span>{ format!("{} selected", state.selected.len()) }</span>
                        <button id="bulk-revoke" class="button" onclick={ask_batch(BulkAction::RevokeSessions)}>{ "End sessions…" }</button>
                        <select id="bulk-lock-duration" aria-label="Lock for" onchange={on_lock_hours}>
                                                        { for LOCK_CHOICES.into_iter().map(|(value, label)| html! {
                                <option value={value} selected={*lock_hours == value}>{ label }</option>
                            }) }
                        </select>
                        <button id="bulk-lock" class="button" onclick={ask_batch(BulkAction::Lock { until: None })}>{ "Lock…" }</button>
                        <button id="bulk-delete" class="button danger" onclick={ask_batch(BulkAction::Delete)}>{ "Delete…" }</button>
                        <button class="button" onclick={{ let dispatch = dispatch.clone(); Callback::from(move |_| dispatch(UserListAction::ClearSelection)) }}>{ "Clear" }</button>
                    </div>
                }
                <div class="users-table-wrap">
                    <table class="list-table" id="users-table" onkeydown={crate::keyboard::list_arrows(".user-open")}>
                        <thead><tr>
                            <th><input type="checkbox" id="users-select-page" aria-label="Select this page" checked={all_selected}
                                onchange={{ let dispatch = dispatch.clone(); let page_ids = page_ids.clone(); Callback::from(move |_| dispatch(UserListAction::ToggleAll(page_ids.clone()))) }} /></th>
                            { header(UserSort::Email, "Email") }
                            { header(UserSort::Role, "Role") }
                            { header(UserSort::EmailVerified, "Verified") }
                            { header(UserSort::CreatedAt, "Created") }
                            { header(UserSort::LastSignIn, "Last sign-in") }
                            { header(UserSort::ActiveSessions, "Sessions") }
                            { header(UserSort::Provider, "Provider") }
                            { header(UserSort::TwoFactor, "2FA") }
                            { header(UserSort::Locked, "Locked") }
                            { header(UserSort::UserMetadata, "user_metadata") }
                            { header(UserSort::AppMetadata, "app_metadata") }
                            { header(UserSort::Id, "Id") }
                        </tr></thead>
                        <tbody>{ for users.iter().map(|user| {
                            let open = {
                                let (open_user, user_id) = (open_user.clone(), user.id.clone());
                                Callback::from(move |_: MouseEvent| open_user.set(Some(user_id.clone())))
                            };
                            let toggle = {
                                let (dispatch, user_id) = (dispatch.clone(), user.id.clone());
                                Callback::from(move |_: Event| dispatch(UserListAction::Toggle(user_id.clone())))
                            };
                            let is_open = open_user.as_deref() == Some(user.id.as_str());
                            html! {
                                <tr class={classes!("user-row", is_open.then_some("open"))} data-email={user.email.clone()} data-id={user.id.clone()}>
                                    <td><input type="checkbox" class="user-select" aria-label={format!("Select {}", user.email)} checked={state.selected.contains(&user.id)} onchange={toggle} /></td>
                                    <td><button class="link user-open" onclick={open}>{ &user.email }</button></td>
                                    <td class="user-role">{ &user.role }</td>
                                    <td>{ if user.email_verified { "yes" } else { "no" } }</td>
                                    <td>{ short_time(&user.created_at) }</td>
                                    <td class="user-last-sign-in">{ short_time(&user.last_sign_in_at) }</td>
                                    <td class="number user-sessions">{ user.active_sessions }</td>
                                    <td>{ if user.providers.is_empty() { "—".to_owned() } else { user.providers.join(", ") } }</td>
                                    <td>{ if user.totp_enabled { "on" } else { "off" } }</td>
                                    <td class="user-locked">{ if user.locked { user.locked_until.as_ref().map(|u| format!("until {}", short_time(&Some(u.clone())))).unwrap_or_else(|| "until unlocked".into()) } else { "—".into() } }</td>
                                    <td class="metadata" title={user.user_metadata.clone()}>{ &user.user_metadata }</td>
                                    <td class="metadata" title={user.app_metadata.clone()}>{ &user.app_metadata }</td>
                                    <td class="mono">{ &user.id }</td>
                                </tr>
                            }
                        }) }</tbody>
                    </table>
                    if !*loading && users.is_empty() {
                        <p class="placeholder" id="users-empty">{ if state.query.search.is_empty() { "No users match these filters." } else { "No user matches this search. Search looks in email, id and both metadata." } }</p>
                    }
                </div>
                <div class="pager">
                    <button id="users-prev" class="button" disabled={state.page_number() <= 1} onclick={{ let dispatch = dispatch.clone(); Callback::from(move |_| dispatch(UserListAction::Previous)) }}>{ "← Previous" }</button>
                    <span id="users-page-number">{ format!("Page {}", state.page_number()) }</span>
                    <button id="users-next" class="button" disabled={page.as_ref().and_then(|p| p.next.clone()).is_none()}
                        onclick={{ let dispatch = dispatch.clone(); let next = page.as_ref().and_then(|p| p.next.clone()); Callback::from(move |_| if let Some(next) = next.clone() { dispatch(UserListAction::Next(next)) }) }}>{ "Next →" }</button>
                </div>
            </div>
            if let Some(user_id) = &*open_user {
                // Keyed by user: nothing pending for one user survives opening another.
                <UserDetailPane
                    key={user_id.clone()}
                    profile_id={id.clone()}
                    user_id={user_id.clone()}
                    roles={(*roles).clone()}
                    on_changed={on_changed}
                    on_shown_once={on_shown_once}
                    on_deleted={on_deleted}
                    on_close={{ let open_user = open_user.clone(); Callback::from(move |_| open_user.set(None)) }} />
            }
            { batch_modal.unwrap_or_default() }
                        { step_up_modal }
            { invite_step_up_modal }
        </div>
    }
}

/// [`UserList`] as a Yew reducer.
#[derive(Default, PartialEq)]
struct UserListState(UserList);

impl Reducible for UserListState {
    type Action = UserListAction;

    fn reduce(self: std::rc::Rc<Self>, action: Self::Action) -> std::rc::Rc<Self> {
        let mut next = self.0.clone();
        next.apply(action);
        std::rc::Rc::new(UserListState(next))
    }
}
