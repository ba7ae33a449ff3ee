//! Filters and quick search over a table's rows, run on the server: conditions
//! per column joined by AND or OR, edited as a draft and applied together.

use fluxdesk_types::{Arity, ColumnInfo, Condition, FilterOp, Join, RowFilter};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`FilterBar`].
#[derive(Properties, PartialEq)]
pub struct FilterBarProps {
    /// The table's columns.
    pub columns: Vec<ColumnInfo>,
    /// The filter in force.
    pub applied: RowFilter,
    /// Applies a new filter.
    pub on_apply: Callback<RowFilter>,
}

/// One condition as typed: `in` takes a comma-separated list.
#[derive(Clone, PartialEq)]
struct DraftCondition {
    column: String,
    op: FilterOp,
    text: String,
}

fn draft_of(filter: &RowFilter) -> Vec<DraftCondition> {
    filter
        .conditions
        .iter()
        .map(|c| DraftCondition {
            column: c.column.clone(),
            op: c.op,
            text: c.values.join(", "),
        })
        .collect()
}

fn label(op: FilterOp) -> &'static str {
    match op {
        FilterOp::Eq => "=",
        FilterOp::Ne => "≠",
        FilterOp::Lt => "<",
        FilterOp::Le => "≤",
        FilterOp::Gt => ">",
        FilterOp::Ge => "≥",
        FilterOp::Contains => "contains",
        FilterOp::StartsWith => "starts with",
        FilterOp::IsNull => "is null",
        FilterOp::IsNotNull => "is not null",
        FilterOp::In => "in list",
        FilterOp::JsonPath => "JSON path",
    }
}

/// The filter bar above the grid.
#[component]
pub fn FilterBar(props: &FilterBarProps) -> Html {
    let draft = use_state(|| draft_of(&props.applied));
    let join = use_state(|| props.applied.join);
    // Inputs are controlled: a value set on render must be the typed one.
    let search = use_state(|| props.applied.search.clone().unwrap_or_default());
    let first_column = props.columns.first().map(|c| c.name.clone()).unwrap_or_default();

    let on_add = {
        let draft = draft.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*draft).clone();
            next.push(DraftCondition {
                column: first_column.clone(),
                op: FilterOp::Eq,
                text: String::new(),
            });
            draft.set(next);
        })
    };
    let update = |index: usize, change: fn(&mut DraftCondition, String)| {
        let draft = draft.clone();
        Callback::from(move |event: Event| {
            let value = event
                .target_dyn_into::<HtmlSelectElement>()
                .map(|s| s.value())
                .or_else(|| event.target_dyn_into::<HtmlInputElement>().map(|i| i.value()))
                .unwrap_or_default();
            let mut next = (*draft).clone();
            if let Some(condition) = next.get_mut(index) {
                change(condition, value);
            }
            draft.set(next);
        })
    };
    let remove = |index: usize| {
        let draft = draft.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*draft).clone();
            next.remove(index);
            draft.set(next);
        })
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |event: InputEvent| {
            search.set(event.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let typing = |index: usize| {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            let value = event.target_unchecked_into::<HtmlInputElement>().value();
            let mut next = (*draft).clone();
            if let Some(condition) = next.get_mut(index) {
                condition.text = value;
            }
            draft.set(next);
        })
    };
    let on_join = {
        let join = join.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            join.set(if value == "any" { Join::Any } else { Join::All });
        })
    };
    let on_apply = {
        let (draft, join, search) = (draft.clone(), join.clone(), search.clone());
        let on_apply = props.on_apply.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let conditions = draft
                .iter()
                .map(|d| Condition {
                    column: d.column.clone(),
                    op: d.op,
                    values: match d.op.arity() {
                        Arity::None => Vec::new(),
                        Arity::One => vec![d.text.clone()],
                        Arity::List => d
                            .text
                            .split(',')
                            .map(|v| v.trim().to_owned())
                            .filter(|v| !v.is_empty())
                            .collect(),
                    },
                })
                .collect();
            let typed = (*search).clone();
            on_apply.emit(RowFilter {
                conditions,
                join: *join,
                search: (!typed.trim().is_empty()).then_some(typed),
            });
        })
    };
    let on_clear = {
        let (draft, search) = (draft.clone(), search.clone());
        let on_apply = props.on_apply.clone();
        Callback::from(move |_: MouseEvent| {
            draft.set(Vec::new());
            search.set(String::new());
            on_apply.emit(RowFilter::default());
        })
    };

    html! {
        <form class="filter-bar" id="filter-bar" onsubmit={on_apply}>
            <input id="quick-search" type="search" placeholder="Search text columns…"
                value={(*search).clone()} oninput={on_search} />
            { for draft.iter().enumerate().map(|(index, condition)| html! {
                <span class="filter-condition" data-index={index.to_string()}>
                    <select class="filter-column" onchange={update(index, |c, v| c.column = v)}>
                        { for props.columns.iter().map(|column| html! {
                            <option value={column.name.clone()} selected={column.name == condition.column}>{ &column.name }</option>
                        }) }
                    </select>
                    <select class="filter-op" onchange={update(index, |c, v| {
                        c.op = FilterOp::ALL.into_iter().find(|o| o.as_str() == v).unwrap_or(FilterOp::Eq);
                    })}>
                        { for FilterOp::ALL.iter().map(|op| html! {
                            <option value={op.as_str()} selected={*op == condition.op}>{ label(*op) }</option>
                        }) }
                    </select>
                    if condition.op.arity() != Arity::None {
                        <input class="filter-value" value={condition.text.clone()}
                            placeholder={if condition.op == FilterOp::In { "a, b, c" } else { "value" }}
                            oninput={typing(index)} />
                    }
                    <button type="button" class="link remove-condition" title="Remove" onclick={remove(index)}>{ "×" }</button>
                </span>
            }) }
            if draft.len() > 1 {
                <select id="filter-join" onchange={on_join}>
                    <option value="all" selected={*join == Join::All}>{ "all of these" }</option>
                    <option value="any" selected={*join == Join::Any}>{ "any of these" }</option>
                </select>
            }
            <button type="button" id="add-condition" class="button small" onclick={on_add}>{ "+ Filter" }</button>
            <button type="submit" id="apply-filter" class="button small primary">{ "Apply" }</button>
            if !props.applied.is_empty() {
                <button type="button" id="clear-filter" class="button small" onclick={on_clear}>{ "Clear" }</button>
            }
        </form>
    }
}
