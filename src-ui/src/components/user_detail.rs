//! One app user, whole: sessions, OAuth links, impersonations, audit events
//! and what a delete would take with it, with every action on them.

use crate::components::users_screen::{credential_text, hours_from_now, short_time};
use crate::components::{ErrorBanner, confirm_dialog, step_up_dialog};
use crate::format::grouped;
use crate::services;
use crate::state::session::{SessionAction, SessionContext};
use fluxdesk_types::{
    ApiError, AppUserDetail, AppUserMatch, CredentialKind, DELETE_APP_USERS, ErrorCode, GRANT_ELEVATED_ROLE,
    MetadataKind, RESET_APP_USER_PASSWORD, REVOKE_APP_USER_SESSIONS, RoleInUse, is_elevated_role,
};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Properties of [`UserDetailPane`].
#[derive(Properties, PartialEq)]
pub struct UserDetailPaneProps {
    /// The instance.
    pub profile_id: String,
    /// `auth.users.id`.
    pub user_id: String,
    /// Roles in use, suggested for "Set role".
    pub roles: Vec<RoleInUse>,
    /// Something about the user changed; the list should read again.
    pub on_changed: Callback<()>,
    /// A secret to show once (label, secret).
    pub on_shown_once: Callback<(String, String)>,
    /// The user was deleted.
    pub on_deleted: Callback<()>,
    /// Close the pane.
    pub on_close: Callback<()>,
}

/// An action on the user, re-run after a step-up if the backend asks.
#[derive(Clone, PartialEq)]
enum UserChange {
    SetRole(String),
    Metadata(MetadataKind, String),
    Reset(CredentialKind),
    /// Hours from when it is confirmed; 0 for until unlocked.
    Lock(f64),
    Unlock,
    RevokeSession(String),
    RevokeAll,
    Delete(String),
}

impl UserChange {
    fn purpose(&self) -> &'static str {
        match self {
            UserChange::Reset(_) => RESET_APP_USER_PASSWORD,
            UserChange::RevokeAll => REVOKE_APP_USER_SESSIONS,
            UserChange::Delete(_) => DELETE_APP_USERS,
            UserChange::SetRole(role) if is_elevated_role(role) => GRANT_ELEVATED_ROLE,
            _ => "change an app user",
        }
    }

    fn question(&self, email: &str) -> Option<String> {
        match self {
            UserChange::Reset(CredentialKind::TemporaryPassword) => Some(format!(
                "Set a new temporary password for {email}? All of their sessions end now."
            )),
            UserChange::Reset(CredentialKind::Token) => Some(format!(
                "Make a one-hour reset token for {email}? All of their sessions end now."
            )),
            UserChange::RevokeAll => Some(format!("End every session of {email}?")),
            UserChange::Lock(hours) => Some(format!(
                "Lock {email} {}? Their sessions end now.",
                lock_end(*hours)
                    .map(|until| format!("until {}", short_time(&Some(until))))
                    .unwrap_or_else(|| "until unlocked".into())
            )),
            UserChange::SetRole(role) if is_elevated_role(role) => Some(format!(
                "Give {email} the role {role}? Requests of theirs bypass row-level security policies meant for users."
            )),
            _ => None,
        }
    }
}

/// How long a lock lasts, in hours (0: until unlocked), as the menus offer it.
pub const LOCK_CHOICES: [(&str, &str); 4] = [
    ("1", "1 hour"),
    ("24", "24 hours"),
    ("168", "7 days"),
    ("0", "until unlocked"),
];

/// When a lock of `hours` from now ends (RFC 3339); none for until unlocked.
fn lock_end(hours: f64) -> Option<String> {
    (hours > 0.0).then(|| hours_from_now(hours))
}

/// JSON text checked as the admin types: a JSON object, or why not.
fn metadata_problem(text: &str) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) if value.is_object() => None,
        Ok(_) => Some("Metadata must be a JSON object, such as {\"plan\": \"pro\"}.".into()),
        Err(error) => Some(format!("Not valid JSON: {error}")),
    }
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| json.to_owned())
}

/// The detail pane.
#[component]
pub fn UserDetailPane(props: &UserDetailPaneProps) -> Html {
    let session = use_context::<SessionContext>().expect("UserDetailPane is inside the session provider");
    let detail = use_state(|| Option::<AppUserDetail>::None);
    let error = use_state(|| Option::<ApiError>::None);
    let confirming = use_state(|| Option::<UserChange>::None);
    let stepping_up = use_state(|| Option::<UserChange>::None);
    let deleting = use_state(|| false);
    let delete_typed = use_state(String::new);
    let role_typed = use_state(String::new);
    let user_json = use_state(String::new);
    let app_json = use_state(String::new);
    let lock_hours = use_state(|| "24".to_owned());
    // Bumped synchronously, so two quick changes ask for two reloads.
    let reloads = use_mut_ref(|| 0_u32);
    let reload_count = use_state(|| 0_u32);
    // Only the reply to the latest request is shown; editors are filled once.
    let latest = use_mut_ref(|| 0_u32);
    let editors_filled = use_mut_ref(|| false);
    let id = props.profile_id.clone();

    {
        let (detail, error, role_typed, user_json, app_json, id, user_id) = (
            detail.clone(),
            error.clone(),
            role_typed.clone(),
            user_json.clone(),
            app_json.clone(),
            id.clone(),
            props.user_id.clone(),
        );
        let (latest, editors_filled) = (latest.clone(), editors_filled.clone());
        // The pane is keyed by user, so it only ever shows `user_id`.
        use_effect_with(*reload_count, move |asked| {
            let asked = *asked;
            *latest.borrow_mut() = asked;
            wasm_bindgen_futures::spawn_local(async move {
                let reply = services::app_user_detail(&id, &user_id).await;
                if *latest.borrow() != asked {
                    return;
                }
                match reply {
                    Ok(found) => {
                        // Edits in progress survive a reload.
                        if !*editors_filled.borrow() {
                            *editors_filled.borrow_mut() = true;
                            role_typed.set(found.user.role.clone());
                            user_json.set(pretty(&found.user.user_metadata));
                            app_json.set(pretty(&found.user.app_metadata));
                        }
                        detail.set(Some(found));
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        });
    }

    let perform = {
        let (error, stepping_up, reload_count, deleting) = (
            error.clone(),
            stepping_up.clone(),
            reload_count.clone(),
            deleting.clone(),
        );
        let (on_changed, on_shown_once, on_deleted) = (
            props.on_changed.clone(),
            props.on_shown_once.clone(),
            props.on_deleted.clone(),
        );
        let (id, user_id) = (id.clone(), props.user_id.clone());
        let email = detail.as_ref().map(|d| d.user.email.clone()).unwrap_or_default();
        let reloads = reloads.clone();
        Callback::from(move |change: UserChange| {
            let reloads = reloads.clone();
            let (error, stepping_up, reload_count, deleting) = (
                error.clone(),
                stepping_up.clone(),
                reload_count.clone(),
                deleting.clone(),
            );
            let (on_changed, on_shown_once, on_deleted) =
                (on_changed.clone(), on_shown_once.clone(), on_deleted.clone());
            let (id, user_id, email) = (id.clone(), user_id.clone(), email.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let outcome: Result<(), ApiError> = match &change {
                    UserChange::SetRole(role) => {
                        services::set_app_user_role(&id, &user_id, role).await.map(drop)
                    }
                    UserChange::Metadata(kind, json) => {
                        services::set_app_user_metadata(&id, &user_id, *kind, json)
                            .await
                            .map(drop)
                    }
                    UserChange::Reset(kind) => services::reset_app_user_password(&id, &user_id, *kind)
                        .await
                        .map(|reset| {
                            let (label, secret) = credential_text(&email, &reset.credential);
                            on_shown_once.emit((
                                format!("{} sessions ended. {label}", reset.sessions_revoked),
                                secret,
                            ));
                        }),
                    UserChange::Lock(hours) => {
                        services::lock_app_user(&id, &user_id, lock_end(*hours).as_deref())
                            .await
                            .map(drop)
                    }
                    UserChange::Unlock => services::unlock_app_user(&id, &user_id).await.map(drop),
                    UserChange::RevokeSession(session) => {
                        services::revoke_app_user_session(&id, &user_id, session).await
                    }
                    UserChange::RevokeAll => {
                        services::revoke_app_user_sessions(&id, &user_id).await.map(drop)
                    }
                    UserChange::Delete(typed) => {
                        services::delete_app_user(&id, &user_id, typed).await.map(drop)
                    }
                };
                match outcome {
                    Ok(()) if matches!(change, UserChange::Delete(_)) => {
                        deleting.set(false);
                        on_deleted.emit(());
                    }
                    Ok(()) => {
                        error.set(None);
                        *reloads.borrow_mut() += 1;
                        reload_count.set(*reloads.borrow());
                        on_changed.emit(());
                    }
                    Err(failure) if failure.code == ErrorCode::StepUpRequired => {
                        stepping_up.set(Some(change))
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let request = {
        let (confirming, perform) = (confirming.clone(), perform.clone());
        move |change: UserChange| {
            let (confirming, perform) = (confirming.clone(), perform.clone());
            Callback::from(move |_: MouseEvent| {
                if change.question("").is_some() {
                    confirming.set(Some(change.clone()));
                } else {
                    perform.emit(change.clone());
                }
            })
        }
    };

    let Some(detail_now) = &*detail else {
        return html! {
            <aside class="user-detail" id="user-detail">
                if let Some(failure) = &*error { <ErrorBanner error={failure.clone()} /> } else { <p class="muted">{ "Loading…" }</p> }
            </aside>
        };
    };
    let user = &detail_now.user;
    let text_input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            state.set(event.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let text_area = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            state.set(event.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let powerful = is_elevated_role(&role_typed);
    let user_problem = metadata_problem(&user_json);
    let app_problem = metadata_problem(&app_json);
    let lock_for: f64 = lock_hours.parse().unwrap_or(0.0);

    let confirm_modal = confirm_dialog(
        "user-confirm",
        confirming
            .as_ref()
            .and_then(|change| change.question(&user.email))
            .unwrap_or_default(),
        &confirming,
        &perform,
    );
    let delete_modal = deleting.then(|| {
        let matches = delete_typed.trim().eq_ignore_ascii_case(&user.email);
        let on_delete = {
            let (perform, typed) = (perform.clone(), (*delete_typed).clone());
            Callback::from(move |_: MouseEvent| perform.emit(UserChange::Delete(typed.clone())))
        };
        html! {
            <div class="modal-backdrop">
                <div class="modal" id="delete-user-confirm" role="alertdialog">
                    <h2>{ format!("Delete {} for good?", user.email) }</h2>
                    <p>{ "Fluxbase deletes users outright. Rows that refer to them go too, or lose the reference:" }</p>
                    <ul class="cascades">
                        { for detail_now.cascades.iter().filter(|c| c.rows > 0 || !c.readable).map(|c| html! {
                            <li class={classes!("cascade", matches!(c.action.as_str(), "restrict" | "no action").then_some("blocks"))} data-table={c.table.clone()}>
                                { format!("{} of {} ({}): {}", if c.readable { format!("{} rows", grouped(c.rows)) } else { "rows this connection may not read".to_owned() }, c.table, c.column, match c.action.as_str() {
                                    "cascade" => "deleted too",
                                    "set null" => "reference cleared",
                                    "set default" => "reference reset to its default",
                                    _ => "blocks the delete",
                                }) }
                            </li>
                        }) }
                    </ul>
                    <label>{ "Type the email to confirm" }
                        <input id="delete-user-email" value={(*delete_typed).clone()} oninput={text_input(&delete_typed)} />
                    </label>
                    <div class="modal-actions">
                        <button class="button" onclick={{ let deleting = deleting.clone(); Callback::from(move |_| deleting.set(false)) }}>{ "Cancel" }</button>
                        <button id="delete-user-submit" class="button danger" disabled={!matches} onclick={on_delete}>{ "Delete user" }</button>
                    </div>
                </div>
            </div>
        }
    });
    let step_up_modal = step_up_dialog(
        &id,
        stepping_up.as_ref().map(UserChange::purpose).unwrap_or_default(),
        &stepping_up,
        &perform,
    );

    html! {
        <aside class="user-detail" id="user-detail" data-user={user.id.clone()}>
            <div class="page-header">
                <h2 id="user-detail-email">{ &user.email }</h2>
                <button class="button" id="user-detail-close" aria-label="Close" onclick={{ let on_close = props.on_close.clone(); Callback::from(move |_| on_close.emit(())) }}>{ "×" }</button>
            </div>
            if let Some(failure) = &*error {
                <ErrorBanner error={failure.clone()} />
            }
                        <button id="user-view-as" class="button" title="Impersonate this user: see exactly what RLS lets them see"
                onclick={{
                    let (session, id) = (session.clone(), id.clone());
                    let user = AppUserMatch { id: user.id.clone(), email: user.email.clone(), role: user.role.clone() };
                    Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::OpenSwitcher(id.clone(), Some(user.clone()))))
                }}>{ "View as this user…" }</button>
            <dl class="facts">
                <dt>{ "Id" }</dt><dd class="mono">{ &user.id }</dd>
                <dt>{ "Role" }</dt><dd id="user-detail-role">{ &user.role }</dd>
                <dt>{ "Email verified" }</dt><dd>{ if user.email_verified { "yes" } else { "no" } }</dd>
                <dt>{ "Providers" }</dt><dd>{ if user.providers.is_empty() { "none".to_owned() } else { user.providers.join(", ") } }</dd>
                <dt>{ "2FA" }</dt><dd>{ if user.totp_enabled { "on" } else { "off" } }</dd>
                <dt>{ "Created" }</dt><dd>{ short_time(&user.created_at) }</dd>
                <dt>{ "Updated" }</dt><dd>{ short_time(&detail_now.updated_at) }</dd>
                <dt>{ "Last sign-in" }</dt><dd>{ short_time(&user.last_sign_in_at) }</dd>
                <dt>{ "Failed sign-ins" }</dt><dd>{ detail_now.failed_login_attempts }</dd>
                <dt>{ "Locked" }</dt><dd id="user-detail-locked">{ if user.locked { user.locked_until.as_ref().map(|u| format!("until {}", short_time(&Some(u.clone())))).unwrap_or_else(|| "until unlocked".into()) } else { "no".into() } }</dd>
            </dl>

            <section class="panel">
                <h2>{ "Role" }</h2>
                <div class="inline-form">
                    <input id="user-role-input" list="known-roles" value={(*role_typed).clone()} oninput={text_input(&role_typed)} aria-label="Role" />
                    <button id="user-role-save" class="button primary" disabled={role_typed.trim().is_empty() || role_typed.trim() == user.role}
                        onclick={request(UserChange::SetRole(role_typed.trim().to_owned()))}>{ "Set role" }</button>
                </div>
                if powerful {
                    <p class="warning" id="user-role-warning">{ format!("Requests of a user with role {} bypass row-level security policies meant for users.", role_typed.trim()) }</p>
                }
            </section>

            <section class="panel">
                <h2>{ "Password and access" }</h2>
                <div class="inline-form">
                    <button id="reset-password-temporary" class="button" onclick={request(UserChange::Reset(CredentialKind::TemporaryPassword))}>{ "Temporary password…" }</button>
                    <button id="reset-password-token" class="button" onclick={request(UserChange::Reset(CredentialKind::Token))}>{ "Reset token…" }</button>
                </div>
                <div class="inline-form">
                    if user.locked {
                        <button id="unlock-user" class="button" onclick={request(UserChange::Unlock)}>{ "Unlock" }</button>
                    }
                    <select id="lock-duration" aria-label="Lock for" onchange={{ let lock_hours = lock_hours.clone(); Callback::from(move |event: Event| lock_hours.set(event.target_unchecked_into::<HtmlSelectElement>().value())) }}>
                                                { for LOCK_CHOICES.into_iter().map(|(value, label)| html! {
                            <option value={value} selected={*lock_hours == value}>{ label }</option>
                        }) }
                    </select>
                    <button id="lock-user" class="button" onclick={request(UserChange::Lock(lock_for))}>{ "Lock…" }</button>
                </div>
                <p class="muted">{ "Ending sessions stops refreshes at once; an access token already issued stays valid until it expires (15 minutes by default)." }</p>
            </section>

            <section class="panel">
                <h2>{ "Metadata" }</h2>
                <label>{ "user_metadata (the user can edit it too)" }
                    <textarea id="user-metadata-user" class="json-editor" rows="5" value={(*user_json).clone()} oninput={text_area(&user_json)} />
                </label>
                if let Some(problem) = &user_problem { <p class="json-error" id="user-metadata-user-error">{ problem }</p> }
                <button id="save-user-metadata" class="button" disabled={user_problem.is_some()} onclick={request(UserChange::Metadata(MetadataKind::User, (*user_json).clone()))}>{ "Save user_metadata" }</button>
                <label>{ "app_metadata (admins only)" }
                    <textarea id="user-metadata-app" class="json-editor" rows="5" value={(*app_json).clone()} oninput={text_area(&app_json)} />
                </label>
                if let Some(problem) = &app_problem { <p class="json-error" id="user-metadata-app-error">{ problem }</p> }
                <button id="save-app-metadata" class="button" disabled={app_problem.is_some()} onclick={request(UserChange::Metadata(MetadataKind::App, (*app_json).clone()))}>{ "Save app_metadata" }</button>
            </section>

            <section class="panel">
                <h2>{ format!("Sessions ({} active)", user.active_sessions) }</h2>
                if detail_now.sessions.iter().any(|s| s.active) {
                    <button id="revoke-all-app-sessions" class="button" onclick={request(UserChange::RevokeAll)}>{ "End all sessions…" }</button>
                }
                <table class="list-table" id="user-sessions">
                    <thead><tr><th>{ "Started" }</th><th>{ "Refreshed" }</th><th>{ "Expires" }</th><th /></tr></thead>
                    <tbody>{ for detail_now.sessions.iter().map(|session| html! {
                        <tr class={classes!("app-session", (!session.active).then_some("expired"))} data-session={session.id.clone()}>
                            <td>{ short_time(&session.created_at) }</td><td>{ short_time(&session.updated_at) }</td>
                            <td>{ short_time(&Some(session.expires_at.clone())) }{ if session.active { "" } else { " (expired)" } }</td>
                            <td><button class="button revoke-app-session" onclick={request(UserChange::RevokeSession(session.id.clone()))}>{ "End" }</button></td>
                        </tr>
                    }) }</tbody>
                </table>
            </section>

            <section class="panel" id="user-settings">
                <h2>{ "Settings of this user" }</h2>
                if detail_now.settings.is_empty() { <p class="muted">{ "This user has no settings of their own in app.settings." }</p> }
                <ul>{ for detail_now.settings.iter().map(|setting| html! {
                    <li class="user-setting" data-key={setting.key.clone()}>
                        <code>{ &setting.key }</code>
                        { format!(" ({}, {}): ", setting.category, setting.value_type.as_str()) }
                        if setting.is_secret {
                            <span class="secret-value" title="Encrypted with the instance's key; Fluxdesk never shows it.">{ "secret, not shown" }</span>
                        } else {
                            <code class="setting-value">{ setting.value.clone().unwrap_or_default() }</code>
                        }
                    </li>
                }) }</ul>
            </section>

            <section class="panel">
                <h2>{ "OAuth links" }</h2>
                if detail_now.oauth_links.is_empty() { <p class="muted">{ "None." }</p> }
                <ul>{ for detail_now.oauth_links.iter().map(|link| html! {
                    <li class="oauth-link">{ format!("{} · {} · {} · linked {}", link.provider, link.provider_user_id, link.email.clone().unwrap_or_default(), short_time(&link.created_at)) }</li>
                }) }</ul>
            </section>

            <section class="panel">
                <h2>{ "Impersonations" }</h2>
                if detail_now.impersonations.is_empty() { <p class="muted">{ "Nobody has impersonated this user." }</p> }
                <ul>{ for detail_now.impersonations.iter().map(|record| html! {
                    <li class="impersonation-record">{ format!("{} by {}: {}{}", short_time(&record.started_at), record.admin, record.reason.clone().unwrap_or_default(), if record.active { " (in force)" } else { "" }) }</li>
                }) }</ul>
            </section>

            <section class="panel">
                <h2>{ "Audit events" }</h2>
                if detail_now.audit_events.is_empty() { <p class="muted">{ "No admin action concerns this user yet." }</p> }
                <ul id="user-audit-events">{ for detail_now.audit_events.iter().map(|event| html! {
                    <li class="user-audit-event" data-action={event.action.clone()} title={event.details.clone()}>
                        { format!("#{} {} {} by {} ({})", event.seq, short_time(&Some(event.occurred_at.clone())), event.action, event.admin.clone().unwrap_or_else(|| "—".into()), event.outcome) }
                    </li>
                }) }</ul>
            </section>

            <section class="panel danger-zone">
                <button id="delete-user-open" class="button danger" onclick={{ let (deleting, delete_typed) = (deleting.clone(), delete_typed.clone()); Callback::from(move |_| { delete_typed.set(String::new()); deleting.set(true); }) }}>{ "Delete user…" }</button>
            </section>
                        { confirm_modal }
            { delete_modal.unwrap_or_default() }
            { step_up_modal }
        </aside>
    }
}
