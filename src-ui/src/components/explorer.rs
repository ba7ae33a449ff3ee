//! One connected instance: browse its data, or run SQL.

use crate::components::{
    AdminConsole, AuditViewer, DataGrid, InstanceSettings, MonitoringView, SchemaTree, SecuritySettings,
    SqlRunner, UsersScreen,
};
use crate::state::session::{SessionAction, SessionContext};
use fluxdesk_types::{AdminSession, InstanceTab, TableSummary};
use yew::prelude::*;

/// Properties of [`Explorer`].
#[derive(Properties, PartialEq)]
pub struct ExplorerProps {
    /// The connected instance's profile id.
    pub profile_id: String,
    /// The signed-in admin; none on instances without sign-in.
    #[prop_or_default]
    pub admin: Option<AdminSession>,
}

/// Tree plus grid, or the SQL runner.
#[component]
pub fn Explorer(props: &ExplorerProps) -> Html {
    let open_table = use_state(|| Option::<TableSummary>::None);
    let session = use_context::<SessionContext>().expect("Explorer is inside the session provider");
    let on_open = {
        let open_table = open_table.clone();
        Callback::from(move |table: TableSummary| open_table.set(Some(table)))
    };
    // The tab lives in the session, so the menu and the palette can switch it;
    // an admin's tab falls back to Data when nobody is signed in.
    let tab = match session.tab(&props.profile_id) {
        tab if tab.needs_admin() && props.admin.is_none() => InstanceTab::Data,
        tab => tab,
    };
    // Watching needs no admin (plain PostgreSQL too); acting on backends does.
    let tab_button = |target: InstanceTab| {
        if target.needs_admin() && props.admin.is_none() {
            return html! {};
        }
        let (session, id) = (session.clone(), props.profile_id.clone());
        let onclick = Callback::from(move |_| session.dispatch(SessionAction::ShowTab(id.clone(), target)));
        html! {
            <button id={format!("tab-{}", target.as_str())} class={classes!("tab", (tab == target).then_some("active"))}
                role="tab" aria-selected={(tab == target).to_string()} {onclick}>{ target.label() }</button>
        }
    };
    html! {
        <div class="workspace">
            <nav class="tabs" role="tablist" aria-label="Instance">
                { for InstanceTab::ALL.into_iter().map(tab_button) }
            </nav>
            // Both stay mounted, so switching tabs loses neither the open table nor the SQL.
            <div class="explorer" hidden={tab != InstanceTab::Data}>
                <aside class="sidebar">
                    <SchemaTree
                        instance_id={props.profile_id.clone()}
                        selected={(*open_table).clone()}
                        on_open={on_open} />
                </aside>
                <section class="content">
                    if let Some(table) = &*open_table {
                        <DataGrid instance_id={props.profile_id.clone()} table={table.clone()} />
                    } else {
                        <div class="placeholder">{ "Open a table from the tree to browse its rows." }</div>
                    }
                </section>
            </div>
            <div class="sql-pane" hidden={tab != InstanceTab::Sql}>
                <SqlRunner profile_id={props.profile_id.clone()} />
            </div>
            if tab == InstanceTab::Monitoring {
                <div class="page monitoring-pane"><MonitoringView profile_id={props.profile_id.clone()} can_act={props.admin.is_some()} /></div>
            }
            if let Some(admin) = &props.admin {
                // Kept mounted, so its search, page and open user survive other tabs.
                <div class="page users-pane" hidden={tab != InstanceTab::Users}><UsersScreen profile_id={props.profile_id.clone()} /></div>
                if tab == InstanceTab::Admins {
                    <div class="page admin-pane"><AdminConsole profile_id={props.profile_id.clone()} admin={admin.clone()} /></div>
                }
                if tab == InstanceTab::Audit {
                    <div class="page audit-pane"><AuditViewer profile_id={props.profile_id.clone()} /></div>
                }
                // Kept mounted, so staged setting changes survive other tabs.
                <div class="page settings-pane" hidden={tab != InstanceTab::Settings}><InstanceSettings profile_id={props.profile_id.clone()} /></div>
                if tab == InstanceTab::Security {
                    <div class="page security-pane"><SecuritySettings profile_id={props.profile_id.clone()} admin={admin.clone()} /></div>
                }
            }
        </div>
    }
}
