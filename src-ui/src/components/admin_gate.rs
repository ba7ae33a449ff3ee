//! Between connecting and exploring: install Fluxdesk's schema (with the
//! admin's consent), create the first admin, sign in, and lock the window
//! when the session idles, expires or is revoked. The explorer stays mounted
//! under the lock screen, so nothing typed or pending is lost.

use crate::components::{ErrorBanner, Explorer, FirstAdminForm, SignInForm};
use crate::services;
use crate::state::session::{SessionAction, SessionContext};
use fluxdesk_types::{AccessGate, AdminSession, ApiError};
use gloo_timers::callback::Interval;
use yew::prelude::*;

/// How often the gate asks the backend whether the session still stands
/// (a revoked session locks within this plus the backend's check interval).
const POLL_MS: u32 = 5_000;

/// Properties of [`AdminGate`].
#[derive(Properties, PartialEq)]
pub struct AdminGateProps {
    /// The connected instance's profile id.
    pub profile_id: String,
}

/// The gate in front of an instance's explorer.
#[component]
pub fn AdminGate(props: &AdminGateProps) -> Html {
    let gate = use_state(|| Option::<Result<AccessGate, ApiError>>::None);
    // The admin whose explorer is mounted; kept while locked.
    let admin = use_state(|| Option::<AdminSession>::None);
    let last_touch = use_mut_ref(|| 0f64);
    let installing = use_state(|| false);

    let session = use_context::<SessionContext>().expect("AdminGate is inside the session provider");
    let refresh = {
        let (gate, admin) = (gate.clone(), admin.clone());
        let id = props.profile_id.clone();
        Callback::from(move |_: ()| {
            let (gate, admin, id, session) = (gate.clone(), admin.clone(), id.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                // Signing out, a new sign-in or a lock elsewhere may have ended it.
                let asked_at = js_sys::Date::now();
                if let Ok(acting) = services::active_impersonation(&id).await {
                    session.dispatch(SessionAction::ImpersonationPolled(id.clone(), acting, asked_at));
                }
                let answer = services::access_gate(&id).await;
                if let Ok(AccessGate::SignedIn { session }) = &answer
                    && admin.as_ref() != Some(session)
                {
                    admin.set(Some(session.clone()));
                }
                gate.set(Some(answer));
            });
        })
    };
    {
        let refresh = refresh.clone();
        use_effect_with(props.profile_id.clone(), move |_| {
            refresh.emit(());
            let interval = Interval::new(POLL_MS, move || refresh.emit(()));
            move || drop(interval)
        });
    }
    let on_signed_in = {
        let (admin, refresh) = (admin.clone(), refresh.clone());
        Callback::from(move |session: AdminSession| {
            admin.set(Some(session));
            refresh.emit(());
        })
    };
    let locked = matches!(gate.as_ref(), Some(Ok(AccessGate::Locked { .. })));
    // Keys, clicks and scrolling keep the session alive; throttled to a
    // quarter of the idle timeout (at most every 15 s).
    let on_activity = {
        let id = props.profile_id.clone();
        let admin = admin.clone();
        let last_touch = last_touch.clone();
        Callback::from(move |_: Event| {
            let Some(session) = admin.as_ref() else { return };
            if locked {
                return;
            }
            let now = js_sys::Date::now();
            let every_ms = (session.policy.idle_timeout_secs as f64 * 250.0).min(15_000.0);
            if now - *last_touch.borrow() < every_ms {
                return;
            }
            *last_touch.borrow_mut() = now;
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = services::touch_session(&id).await;
            });
        })
    };
    let activity = |callback: &Callback<Event>| {
        let callback = callback.clone();
        Callback::from(move |event: Event| callback.emit(event))
    };
    let on_sign_out = {
        let (admin, refresh) = (admin.clone(), refresh.clone());
        let id = props.profile_id.clone();
        Callback::from(move |_: MouseEvent| {
            let (admin, refresh, id) = (admin.clone(), refresh.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let _ = services::sign_out(&id).await;
                admin.set(None);
                refresh.emit(());
            });
        })
    };
    let on_install = {
        let (installing, gate, refresh) = (installing.clone(), gate.clone(), refresh.clone());
        let id = props.profile_id.clone();
        Callback::from(move |_: MouseEvent| {
            let (installing, gate, refresh, id) =
                (installing.clone(), gate.clone(), refresh.clone(), id.clone());
            installing.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match services::install_schema(&id).await {
                    Ok(_) => refresh.emit(()),
                    Err(error) => gate.set(Some(Err(error))),
                }
                installing.set(false);
            });
        })
    };

    let on_sign_out = on_sign_out.clone();
    let front = match gate.as_ref() {
        None => html! { <div class="placeholder" id="gate-loading">{ "Checking sign-in…" }</div> },
        Some(Err(error)) => {
            let refresh = refresh.clone();
            html! { <div class="auth-page"><ErrorBanner error={error.clone()} on_retry={Callback::from(move |_| refresh.emit(()))} /></div> }
        }
        Some(Ok(AccessGate::Open { reason })) => {
            html! { <p class="note gate-open" id="gate-open">{ reason }</p> }
        }
        Some(Ok(AccessGate::InstallSchema { status })) => html! {
            <div class="auth-page">
                <div class="auth-card" id="install-schema-card">
                    <h2>{ "Install Fluxdesk's schema in this instance?" }</h2>
                    <p>{ "Fluxdesk signs you in as a Fluxbase admin and records every admin action in a tamper-evident audit trail. It keeps that trail in a schema of its own, " }<code>{ "fluxdesk" }</code>{ ", inside this instance. Nothing in Fluxbase's own schemas changes." }</p>
                    <ul class="migration-list">{ for status.pending.iter().map(|m| html! { <li><code>{ m }</code></li> }) }</ul>
                    <p class="muted">{ "It is applied once, with this connection's role, even on a read-only profile." }</p>
                    <div class="form-actions">
                        <button id="install-schema" class="button primary" disabled={*installing} onclick={on_install}>
                            { if *installing { "Installing…" } else { "Install and continue" } }
                        </button>
                    </div>
                </div>
            </div>
        },
        Some(Ok(AccessGate::FirstTimeSetup)) => html! {
            <div class="auth-page"><FirstAdminForm profile_id={props.profile_id.clone()} on_signed_in={on_signed_in.clone()} /></div>
        },
        Some(Ok(AccessGate::SignIn)) if admin.is_none() => html! {
            <div class="auth-page">
                <SignInForm profile_id={props.profile_id.clone()} title="Sign in as a Fluxbase admin" on_signed_in={on_signed_in.clone()} />
            </div>
        },
        Some(Ok(AccessGate::Locked { reason, email })) => html! {
            <div class="lock-screen" id="lock-screen" data-reason={format!("{reason:?}").to_lowercase()}>
                <SignInForm key={email.clone()} profile_id={props.profile_id.clone()} email={email.clone()}
                    title="Fluxdesk is locked" note={format!("{} Sign in again to continue; your open work is kept.", reason.explanation())}
                    on_signed_in={on_signed_in.clone()} />
                <button id="lock-sign-out" class="link lock-sign-out" onclick={on_sign_out.clone()}>{ "Sign out instead (another admin can sign in)" }</button>
            </div>
        },
        Some(Ok(_)) => html! {},
    };
    // Signed out elsewhere in this window (SignIn while an admin was kept): show the form.
    let signed_out = matches!(gate.as_ref(), Some(Ok(AccessGate::SignIn))) && admin.is_some();
    let open = matches!(gate.as_ref(), Some(Ok(AccessGate::Open { .. })));
    html! {
        <div class="gate" onkeydown={activity(&on_activity).reform(|e: KeyboardEvent| e.into())}
             onmousedown={activity(&on_activity).reform(|e: MouseEvent| e.into())}
             onwheel={activity(&on_activity).reform(|e: WheelEvent| e.into())}>
            if let Some(session) = admin.as_ref().filter(|_| !signed_out) {
                <div class="admin-bar" id="admin-bar">
                    <span>{ "Signed in as " }<strong id="admin-email">{ &session.email }</strong>
                        { format!(" · {}", session.role) }
                        if session.totp_enabled { <span class="chip">{ "2FA" }</span> }
                    </span>
                    <button id="sign-out" class="button" onclick={on_sign_out.clone()}>{ "Sign out" }</button>
                </div>
                <Explorer profile_id={props.profile_id.clone()} admin={Some(session.clone())} />
            } else if open {
                <Explorer profile_id={props.profile_id.clone()} admin={None::<AdminSession>} />
            }
            if signed_out {
                <div class="auth-page">
                    <SignInForm profile_id={props.profile_id.clone()} title="Sign in as a Fluxbase admin" on_signed_in={on_signed_in.clone()} />
                </div>
            }
            { front }
        </div>
    }
}
