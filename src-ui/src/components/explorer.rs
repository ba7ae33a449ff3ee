//! One connected instance: browse its data, or run SQL.

use crate::components::{
    AdminConsole, AuditViewer, DataGrid, InstanceSettings, MonitoringView, SchemaTree, SecuritySettings,
    SqlRunner, UsersScreen,
};
use fluxdesk_types::{AdminSession, TableSummary};
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

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Data,
    Sql,
    Users,
    Admins,
    Audit,
    Monitoring,
    Settings,
    Security,
}

/// Tree plus grid, or the SQL runner.
#[component]
pub fn Explorer(props: &ExplorerProps) -> Html {
    let open_table = use_state(|| Option::<TableSummary>::None);
    let tab = use_state(|| Tab::Data);
    let on_open = {
        let open_table = open_table.clone();
        Callback::from(move |table: TableSummary| open_table.set(Some(table)))
    };
    let select = |target: Tab| {
        let tab = tab.clone();
        Callback::from(move |_| tab.set(target))
    };
    html! {
        <div class="workspace">
            <nav class="tabs" role="tablist">
                <button id="tab-data" class={classes!("tab", (*tab == Tab::Data).then_some("active"))} onclick={select(Tab::Data)}>{ "Data" }</button>
                <button id="tab-sql" class={classes!("tab", (*tab == Tab::Sql).then_some("active"))} onclick={select(Tab::Sql)}>{ "SQL" }</button>
                // Watching needs no admin (plain PostgreSQL too); acting on backends does.
                <button id="tab-monitoring" class={classes!("tab", (*tab == Tab::Monitoring).then_some("active"))} onclick={select(Tab::Monitoring)}>{ "Monitoring" }</button>
                if props.admin.is_some() {
                    <button id="tab-users" class={classes!("tab", (*tab == Tab::Users).then_some("active"))} onclick={select(Tab::Users)}>{ "Users" }</button>
                    <button id="tab-admins" class={classes!("tab", (*tab == Tab::Admins).then_some("active"))} onclick={select(Tab::Admins)}>{ "Admins" }</button>
                    <button id="tab-audit" class={classes!("tab", (*tab == Tab::Audit).then_some("active"))} onclick={select(Tab::Audit)}>{ "Audit" }</button>
                    <button id="tab-settings" class={classes!("tab", (*tab == Tab::Settings).then_some("active"))} onclick={select(Tab::Settings)}>{ "Settings" }</button>
                    <button id="tab-security" class={classes!("tab", (*tab == Tab::Security).then_some("active"))} onclick={select(Tab::Security)}>{ "Security" }</button>
                }
            </nav>
            // Both stay mounted, so switching tabs loses neither the open table nor the SQL.
            <div class="explorer" hidden={*tab != Tab::Data}>
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
            <div class="sql-pane" hidden={*tab != Tab::Sql}>
                <SqlRunner profile_id={props.profile_id.clone()} />
            </div>
            if *tab == Tab::Monitoring {
                <div class="page monitoring-pane"><MonitoringView profile_id={props.profile_id.clone()} can_act={props.admin.is_some()} /></div>
            }
            if let Some(admin) = &props.admin {
                // Kept mounted, so its search, page and open user survive other tabs.
                <div class="page users-pane" hidden={*tab != Tab::Users}><UsersScreen profile_id={props.profile_id.clone()} /></div>
                if *tab == Tab::Admins {
                    <div class="page admin-pane"><AdminConsole profile_id={props.profile_id.clone()} admin={admin.clone()} /></div>
                }
                if *tab == Tab::Audit {
                    <div class="page audit-pane"><AuditViewer profile_id={props.profile_id.clone()} /></div>
                }
                // Kept mounted, so staged setting changes survive other tabs.
                <div class="page settings-pane" hidden={*tab != Tab::Settings}><InstanceSettings profile_id={props.profile_id.clone()} /></div>
                if *tab == Tab::Security {
                    <div class="page security-pane"><SecuritySettings profile_id={props.profile_id.clone()} admin={admin.clone()} /></div>
                }
            }
        </div>
    }
}
