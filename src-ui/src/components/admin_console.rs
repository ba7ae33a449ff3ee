//! Admins, invitations and sessions of the instance, managed as the
//! signed-in admin. Destructive actions ask for confirmation, and on
//! production profiles for a step-up too.

use crate::components::{ErrorBanner, confirm_dialog, step_up_dialog};
use crate::services;
use fluxdesk_types::{
    AdminSession, AdminSummary, ApiError, ErrorCode, Invitation, InvitationFilter, PasswordReset,
    SessionKind, SessionSummary,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`AdminConsole`].
#[derive(Properties, PartialEq)]
pub struct AdminConsoleProps {
    /// The instance.
    pub profile_id: String,
    /// The signed-in admin.
    pub admin: AdminSession,
}

/// An action that changes something, re-run after a step-up if needed.
#[derive(Clone, PartialEq)]
enum Change {
    DeleteAdmin(String),
    UnlockAdmin(String),
    ResetPassword { email: String, temporary: bool },
    RevokeInvitation(String),
    RevokeSession(String),
    RevokeAllSessions(String),
}

impl Change {
    fn purpose(&self) -> &'static str {
        match self {
            Change::DeleteAdmin(_) => "delete an admin",
            Change::UnlockAdmin(_) => "unlock an admin",
            Change::ResetPassword { .. } => "reset an admin's password",
            Change::RevokeInvitation(_) => "revoke an invitation",
            Change::RevokeSession(_) => "revoke a session",
            Change::RevokeAllSessions(_) => "revoke all of a user's sessions",
        }
    }

    fn needs_confirmation(&self) -> Option<String> {
        match self {
            Change::DeleteAdmin(email) => Some(format!("Delete admin {email}? Their sessions end now.")),
            Change::ResetPassword { email, .. } => Some(format!(
                "Reset the password of {email}? All of their sessions end."
            )),
            Change::RevokeAllSessions(user) => Some(format!("Revoke every session of {user}?")),
            _ => None,
        }
    }
}

#[derive(Clone, PartialEq, Default)]
struct Lists {
    admins: Vec<AdminSummary>,
    invitations: Vec<Invitation>,
    sessions: Vec<SessionSummary>,
}

fn short(time: &Option<String>) -> String {
    time.as_deref()
        .map(|t| t.get(..16).unwrap_or(t).replace('T', " "))
        .unwrap_or_else(|| "—".into())
}

/// The Admins tab.
#[component]
pub fn AdminConsole(props: &AdminConsoleProps) -> Html {
    let lists = use_state(Lists::default);
    let error = use_state(|| Option::<ApiError>::None);
    let filter = use_state(InvitationFilter::default);
    let kind = use_state(|| SessionKind::Admin);
    let confirming = use_state(|| Option::<Change>::None);
    let stepping_up = use_state(|| Option::<Change>::None);
    let shown_once = use_state(|| Option::<(String, String)>::None);
    let (invite_email, invite_role) = (use_node_ref(), use_node_ref());
    let id = props.profile_id.clone();

    let reload = {
        let (lists, error, filter, kind, id) = (
            lists.clone(),
            error.clone(),
            filter.clone(),
            kind.clone(),
            id.clone(),
        );
        Callback::from(move |_: ()| {
            let (lists, error, filter, kind, id) = (lists.clone(), error.clone(), *filter, *kind, id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = async {
                    Ok::<_, ApiError>(Lists {
                        admins: services::list_admins(&id).await?,
                        invitations: services::list_invitations(&id, filter).await?,
                        sessions: services::list_sessions(&id, kind).await?,
                    })
                }
                .await;
                match loaded {
                    Ok(loaded) => lists.set(loaded),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with((*filter, *kind), move |_| reload.emit(()));
    }

    let perform = {
        let (error, stepping_up, shown_once, reload, id) = (
            error.clone(),
            stepping_up.clone(),
            shown_once.clone(),
            reload.clone(),
            id.clone(),
        );
        Callback::from(move |change: Change| {
            let (error, stepping_up, shown_once, reload, id) = (
                error.clone(),
                stepping_up.clone(),
                shown_once.clone(),
                reload.clone(),
                id.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let outcome: Result<Option<(String, String)>, ApiError> = match &change {
                    Change::DeleteAdmin(email) => services::delete_admin(&id, email).await.map(|_| None),
                    Change::UnlockAdmin(email) => services::unlock_admin(&id, email).await.map(|_| None),
                    Change::ResetPassword { email, temporary } => {
                        services::reset_admin_password(&id, email, *temporary).await.map(|reset| {
                            Some(match reset {
                                PasswordReset::TemporaryPassword { password, sessions_revoked } => (
                                    format!("Temporary password for {email} ({sessions_revoked} sessions revoked); shown once:"),
                                    password,
                                ),
                                PasswordReset::ResetToken { token, expires_at, sessions_revoked } => (
                                    format!("Reset token for {email}, valid until {expires_at} ({sessions_revoked} sessions revoked); shown once:"),
                                    token,
                                ),
                            })
                        })
                    }
                    Change::RevokeInvitation(token) => services::revoke_invitation(&id, token).await.map(|_| None),
                    Change::RevokeSession(session) => services::revoke_session(&id, session, None).await.map(|_| None),
                    Change::RevokeAllSessions(user) => services::revoke_all_sessions(&id, user).await.map(|_| None),
                };
                match outcome {
                    Ok(secret) => {
                        error.set(None);
                        if secret.is_some() {
                            shown_once.set(secret);
                        }
                        reload.emit(());
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
        move |change: Change| {
            let (confirming, perform) = (confirming.clone(), perform.clone());
            Callback::from(move |_: MouseEvent| {
                if change.needs_confirmation().is_some() {
                    confirming.set(Some(change.clone()));
                } else {
                    perform.emit(change.clone());
                }
            })
        }
    };
    let on_invite = {
        let (invite_email, invite_role, error, shown_once, reload, id) = (
            invite_email.clone(),
            invite_role.clone(),
            error.clone(),
            shown_once.clone(),
            reload.clone(),
            id.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let email = invite_email
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let role = invite_role
                .cast::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            let (error, shown_once, reload, id) =
                (error.clone(), shown_once.clone(), reload.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::invite_admin(&id, &email, &role).await {
                    Ok(invitation) => {
                        error.set(None);
                        shown_once.set(Some((
                            format!(
                                "Invitation for {} as {}, valid until {}. Send this token:",
                                invitation.email, invitation.role, invitation.expires_at
                            ),
                            invitation.token,
                        )));
                        reload.emit(());
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let toggle = |field: fn(&mut InvitationFilter) -> &mut bool| {
        let filter = filter.clone();
        Callback::from(move |_: Event| {
            let mut next = *filter;
            let flag = field(&mut next);
            *flag = !*flag;
            filter.set(next);
        })
    };
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            kind.set(if value == "app" {
                SessionKind::App
            } else {
                SessionKind::Admin
            });
        })
    };

    let confirm_modal = confirm_dialog(
        "confirm-change",
        confirming
            .as_ref()
            .and_then(Change::needs_confirmation)
            .unwrap_or_default(),
        &confirming,
        &perform,
    );
    let step_up_modal = step_up_dialog(
        &id,
        stepping_up.as_ref().map(Change::purpose).unwrap_or_default(),
        &stepping_up,
        &perform,
    );

    html! {
        <div class="admin-console">
            <div class="page-header"><h1>{ "Admins" }</h1></div>
            if let Some(failure) = &*error {
                <ErrorBanner error={failure.clone()} />
            }
            if let Some((label, secret)) = &*shown_once {
                <div class="shown-once" id="shown-once"><p>{ label }</p><code id="shown-once-secret">{ secret }</code></div>
            }
            <section class="panel">
                <table class="list-table" id="admins-table">
                    <thead><tr><th>{ "Email" }</th><th>{ "Name" }</th><th>{ "Role" }</th><th>{ "2FA" }</th><th>{ "Locked" }</th><th>{ "Last sign-in" }</th><th>{ "Sessions" }</th><th /></tr></thead>
                    <tbody>{ for lists.admins.iter().map(|admin| {
                        let me = admin.id == props.admin.admin_id;
                        html! {
                            <tr class="admin-row" data-email={admin.email.clone()}>
                                <td>{ &admin.email }{ if me { " (you)" } else { "" } }</td>
                                <td>{ admin.full_name.clone().unwrap_or_default() }</td>
                                <td>{ &admin.role }</td>
                                <td class="totp-cell">{ if admin.totp_enabled { "on" } else { "off" } }</td>
                                <td class="locked-cell">{ admin.locked_until.as_ref().map(|u| format!("until {}", short(&Some(u.clone())))).unwrap_or_else(|| "—".into()) }</td>
                                <td>{ short(&admin.last_sign_in_at) }</td>
                                <td class="number">{ admin.active_sessions }</td>
                                <td class="row-actions">
                                    if admin.locked_until.is_some() {
                                        <button class="button unlock-admin" onclick={request(Change::UnlockAdmin(admin.email.clone()))}>{ "Unlock" }</button>
                                    }
                                    <button class="button reset-password" title="Set a new random password now and show it once" onclick={request(Change::ResetPassword { email: admin.email.clone(), temporary: true })}>{ "Temporary password" }</button>
                                    <button class="button reset-token" title="A one-hour token for the web dashboard's reset page" onclick={request(Change::ResetPassword { email: admin.email.clone(), temporary: false })}>{ "Reset token" }</button>
                                    if !me {
                                        <button class="button danger delete-admin" onclick={request(Change::DeleteAdmin(admin.email.clone()))}>{ "Delete" }</button>
                                    }
                                </td>
                            </tr>
                        }
                    }) }</tbody>
                </table>
            </section>
            <section class="panel" id="invitations">
                <h2>{ "Invitations" }</h2>
                <form class="inline-form" onsubmit={on_invite}>
                    <input ref={invite_email} id="invite-email" type="email" placeholder="new.admin@example.com" />
                    <select ref={invite_role} id="invite-role">
                        <option value="dashboard_user" selected=true>{ "dashboard_user" }</option>
                        <option value="dashboard_admin">{ "dashboard_admin" }</option>
                    </select>
                    <button type="submit" id="invite" class="button primary">{ "Invite (7 days)" }</button>
                </form>
                <div class="filters">
                    <label><input type="checkbox" id="include-accepted" checked={filter.include_accepted} onchange={toggle(|f| &mut f.include_accepted)} />{ " Accepted" }</label>
                    <label><input type="checkbox" id="include-expired" checked={filter.include_expired} onchange={toggle(|f| &mut f.include_expired)} />{ " Expired" }</label>
                </div>
                <table class="list-table" id="invitations-table">
                    <thead><tr><th>{ "Email" }</th><th>{ "Role" }</th><th>{ "Status" }</th><th>{ "Expires" }</th><th>{ "Invited by" }</th><th /></tr></thead>
                    <tbody>{ for lists.invitations.iter().map(|invitation| html! {
                        <tr class="invitation-row" data-email={invitation.email.clone()} data-status={invitation.status.clone()}>
                            <td>{ &invitation.email }</td><td>{ &invitation.role }</td><td>{ &invitation.status }</td>
                            <td>{ short(&Some(invitation.expires_at.clone())) }</td><td>{ invitation.invited_by.clone().unwrap_or_default() }</td>
                            <td><button class="button revoke-invitation" onclick={request(Change::RevokeInvitation(invitation.token.clone()))}>{ "Revoke" }</button></td>
                        </tr>
                    }) }</tbody>
                </table>
            </section>
            <section class="panel" id="sessions">
                <h2>{ "Sessions" }</h2>
                <select id="session-kind" onchange={on_kind}>
                    <option value="admin" selected={*kind == SessionKind::Admin}>{ "Admin sessions (dashboard.sessions)" }</option>
                    <option value="app" selected={*kind == SessionKind::App}>{ "App-user sessions (auth.sessions)" }</option>
                </select>
                <table class="list-table" id="sessions-table">
                    <thead><tr><th>{ "Email" }</th><th>{ "Started" }</th><th>{ "Expires" }</th><th>{ "Client" }</th><th /></tr></thead>
                    <tbody>{ for lists.sessions.iter().map(|session| html! {
                        <tr class="session-row" data-session={session.id.clone()}>
                            <td>{ session.email.clone().unwrap_or_default() }{ if session.current { " (this window)" } else { "" } }</td>
                            <td>{ short(&session.created_at) }</td><td>{ short(&Some(session.expires_at.clone())) }</td>
                            <td>{ session.user_agent.clone().unwrap_or_default() }</td>
                            <td class="row-actions">
                                <button class="button revoke-session" onclick={request(Change::RevokeSession(session.id.clone()))}>{ "Revoke" }</button>
                                <button class="button revoke-all" onclick={request(Change::RevokeAllSessions(session.user_id.clone()))}>{ "Revoke all of this user" }</button>
                            </td>
                        </tr>
                    }) }</tbody>
                </table>
                if lists.sessions.len() >= 1000 {
                    <p class="muted">{ "Showing the newest 1,000 sessions." }</p>
                }
            </section>
                        { confirm_modal }
            { step_up_modal }
        </div>
    }
}
