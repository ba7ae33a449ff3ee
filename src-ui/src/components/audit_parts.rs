//! Pieces shared by the audit viewer and the offline bundle review: the
//! filter bar, the entry table and the timeline chart.

use fluxdesk_types::{AuditEntry, AuditFilter, AuditSource, Timeline};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`AuditFilterBar`].
#[derive(Properties, PartialEq)]
pub struct AuditFilterBarProps {
    /// Prefix of every control's id (`<prefix>-since`, …).
    pub id_prefix: AttrValue,
    /// Whether to offer the source checkboxes (the connected viewer merges sources).
    #[prop_or_default]
    pub show_sources: bool,
    /// Called with the filter when the user applies it.
    pub on_apply: Callback<AuditFilter>,
}

fn text_of(input: &NodeRef) -> Option<String> {
    input
        .cast::<HtmlInputElement>()
        .map(|input| input.value().trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// Time range, admin, action, target, outcome, sources and free text.
#[component]
pub fn AuditFilterBar(props: &AuditFilterBarProps) -> Html {
    let since = use_node_ref();
    let until = use_node_ref();
    let admin = use_node_ref();
    let action = use_node_ref();
    let target = use_node_ref();
    let text = use_node_ref();
    let outcome = use_node_ref();
    let sources = use_state(Vec::<AuditSource>::new);
    let on_submit = {
        let (since, until, admin, action, target, text, outcome) = (
            since.clone(),
            until.clone(),
            admin.clone(),
            action.clone(),
            target.clone(),
            text.clone(),
            outcome.clone(),
        );
        let sources = sources.clone();
        let on_apply = props.on_apply.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_apply.emit(AuditFilter {
                since: text_of(&since),
                until: text_of(&until),
                admin: text_of(&admin),
                action: text_of(&action),
                target: text_of(&target),
                outcome: outcome
                    .cast::<HtmlSelectElement>()
                    .map(|select| select.value())
                    .filter(|value| !value.is_empty()),
                sources: (*sources).clone(),
                text: text_of(&text),
            });
        })
    };
    let toggle = |source: AuditSource| {
        let sources = sources.clone();
        Callback::from(move |_: Event| {
            let mut next = (*sources).clone();
            match next.iter().position(|known| *known == source) {
                Some(index) => {
                    next.remove(index);
                }
                None => next.push(source),
            }
            sources.set(next);
        })
    };
    let id = |field: &str| format!("{}-{field}", props.id_prefix);
    html! {
        <form class="audit-filters" id={id("filters")} onsubmit={on_submit}>
            <label>{ "From" }<input ref={since} id={id("since")} placeholder="2026-11-01 or …T09:30:00Z" /></label>
            <label>{ "Until" }<input ref={until} id={id("until")} placeholder="exclusive" /></label>
            <label>{ "Admin" }<input ref={admin} id={id("admin")} placeholder="email or id" /></label>
            <label>{ "Action" }<input ref={action} id={id("action")} placeholder="e.g. user. or sign_in" /></label>
            <label>{ "Target" }<input ref={target} id={id("target")} /></label>
            <label>{ "Outcome" }
                <select ref={outcome} id={id("outcome")}>
                    <option value="">{ "any" }</option>
                    <option value="success">{ "success" }</option>
                    <option value="failure">{ "failure" }</option>
                    <option value="denied">{ "denied" }</option>
                </select>
            </label>
            <label class="grow">{ "Search" }<input ref={text} id={id("text")} type="search" placeholder="anything in the event" /></label>
            if props.show_sources {
                <fieldset class="sources">
                    <legend>{ "Sources (none ticked: all)" }</legend>
                    { for AuditSource::ALL.into_iter().map(|source| html! {
                        <label class="check">
                            <input type="checkbox" id={id(&format!("source-{source:?}").to_lowercase())}
                                checked={sources.contains(&source)} onchange={toggle(source)} />
                            { source.label() }
                        </label>
                    }) }
                </fieldset>
            }
            <button type="submit" id={id("apply")} class="button primary">{ "Apply" }</button>
        </form>
    }
}

/// Properties of [`AuditEntryTable`].
#[derive(Properties, PartialEq)]
pub struct AuditEntryTableProps {
    /// The table's id.
    pub id: AttrValue,
    /// The entries, in display order.
    pub entries: Vec<AuditEntry>,
    /// Whether to show each entry's source.
    #[prop_or_default]
    pub show_source: bool,
}

/// Entries, one per row; clicking a row shows its details.
#[component]
pub fn AuditEntryTable(props: &AuditEntryTableProps) -> Html {
    let open = use_state(|| Option::<String>::None);
    if props.entries.is_empty() {
        return html! { <p class="placeholder" id={format!("{}-empty", props.id)}>{ "No events match. Widen the time range or clear a filter." }</p> };
    }
    html! {
        <table class="audit-table" id={props.id.clone()}>
            <thead>
                <tr>
                    <th>{ "When (UTC)" }</th>
                    if props.show_source { <th>{ "Source" }</th> }
                    <th>{ "#" }</th>
                    <th>{ "Admin" }</th>
                    <th>{ "Action" }</th>
                    <th>{ "Target" }</th>
                    <th>{ "Outcome" }</th>
                </tr>
            </thead>
            <tbody>
                { for props.entries.iter().map(|entry| {
                    let key = format!("{:?}/{}", entry.source, entry.id);
                    let is_open = open.as_deref() == Some(key.as_str());
                    let on_click = {
                        let (open, key) = (open.clone(), key.clone());
                        Callback::from(move |_| open.set(if is_open { None } else { Some(key.clone()) }))
                    };
                    html! {
                        <>
                            <tr class={classes!("audit-row", entry.outcome.clone())} onclick={on_click}>
                                <td class="mono">{ entry.occurred_at.get(..19).unwrap_or(&entry.occurred_at).replace('T', " ") }</td>
                                if props.show_source { <td><span class="source-badge">{ entry.source.label() }</span></td> }
                                <td class="mono">{ entry.seq.map(|seq| seq.to_string()).unwrap_or_default() }</td>
                                <td>{ entry.admin.clone().unwrap_or_default() }</td>
                                <td class="mono action">{ &entry.action }</td>
                                <td>{ entry.target.clone().unwrap_or_default() }</td>
                                <td class="outcome">{ &entry.outcome }</td>
                            </tr>
                            if is_open {
                                <tr class="audit-details"><td colspan="7"><pre>{ &entry.details }</pre></td></tr>
                            }
                        </>
                    }
                }) }
            </tbody>
        </table>
    }
}

/// Properties of [`TimelineChart`].
#[derive(Properties, PartialEq)]
pub struct TimelineChartProps {
    /// The chart's id.
    pub id: AttrValue,
    /// What to draw.
    pub timeline: Timeline,
}

/// Events over time, stacked by action: drawn by `fluxdesk-charts`, the
/// same code the tests render.
#[component]
pub fn TimelineChart(props: &TimelineChartProps) -> Html {
    // plotters escapes every text it writes, so the SVG holds no markup from the data.
    let svg = use_memo(props.timeline.clone(), |timeline| {
        AttrValue::from(fluxdesk_charts::timeline_svg(timeline, (960, 240)))
    });
    html! {
        <figure class="timeline-chart" id={props.id.clone()}
            data-buckets={props.timeline.starts.len().to_string()}
            data-series={props.timeline.series.len().to_string()}>
            { Html::from_html_unchecked((*svg).clone()) }
        </figure>
    }
}
