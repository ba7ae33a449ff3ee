//! The data grid: a table's rows, paged by key as the user scrolls, with only
//! the rows in view in the DOM.

use crate::components::{
    CellEditor, ErrorBanner, ExportPanel, FilterBar, NewRows, RlsInsightPanel, RowPanel, StagedBar,
};
use crate::format::grouped;
use crate::services;
use crate::services::saved_views::{self, SavedView};
use crate::state::grid::{
    CellCursor, CursorMove, GridAction, GridState, PAGE_ROWS, PageRequest, ROW_HEIGHT, ScrollPosition,
    rows_to_reveal, scroll_height,
};
use crate::state::session::SessionContext;
use crate::state::staging::{Rejection, StagedTarget, Staging, StagingAction, validate};
use fluxdesk_types::{
    Cell, ExportSource, KeysetCursor, RowFilter, RowOrder, RowsRequest, SortKey, TableRef, TableSummary,
};
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::Element;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

/// Height of the sticky column header in CSS pixels (matches styles.css).
const HEADER_HEIGHT: f64 = 44.0;
/// Width of the row-number column (with its selection box) and of each data
/// column, in CSS pixels.
const ROW_NUMBER_WIDTH: f64 = 92.0;
const COLUMN_WIDTH: f64 = 200.0;
/// How far a cell editor (at least 320 px wide) reaches past its cell.
const EDITOR_OVERHANG: f64 = 130.0;

/// Things that move the viewport.
enum ScrollAction {
    /// The viewport scrolled to `top`.
    Scrolled { top: f64, height: f64, total: usize },
    /// The viewport changed height.
    Resized { height: f64 },
    /// Back to the top.
    Reset { height: f64 },
    /// The loaded rows moved by this many places.
    Shift(isize),
}

/// The viewport's position, changed only through [`ScrollAction`]s so that
/// listeners registered once still see the latest position.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Viewport(ScrollPosition);

impl Reducible for Viewport {
    type Action = ScrollAction;

    fn reduce(self: std::rc::Rc<Self>, action: ScrollAction) -> std::rc::Rc<Self> {
        let position = self.0;
        std::rc::Rc::new(Viewport(match action {
            ScrollAction::Scrolled { top, height, total } => position.scrolled(top, height, total),
            ScrollAction::Resized { height } => ScrollPosition { height, ..position },
            ScrollAction::Reset { height } => ScrollPosition::at_top(height),
            ScrollAction::Shift(rows) => position.shifted(rows),
        }))
    }
}

/// Reasons to re-read the rows on screen, counted; each new one refreshes once.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct RefreshTicks(u64);

impl Reducible for RefreshTicks {
    type Action = ();

    fn reduce(self: std::rc::Rc<Self>, _: ()) -> std::rc::Rc<Self> {
        std::rc::Rc::new(RefreshTicks(self.0 + 1))
    }
}

/// Which rows, in which order: what the filter bar and the headers set.
type View = SavedView;

/// Properties of [`DataGrid`].
#[derive(Properties, PartialEq)]
pub struct DataGridProps {
    /// The connected instance.
    pub instance_id: String,
    /// The table to show.
    pub table: TableSummary,
}

fn request_page(
    grid: UseReducerHandle<GridState>,
    instance_id: String,
    table: TableRef,
    wanted: PageRequest,
    generation: u64,
    view: View,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let (after, before, position) = match &wanted {
            PageRequest::First => (None, None, None),
            PageRequest::After(cursor) => (Some(cursor.clone()), None, None),
            PageRequest::Before(cursor) => (None, Some(cursor.clone()), None),
            PageRequest::Jump { position, .. } => (None, None, Some(*position)),
        };
        let request = RowsRequest {
            before,
            position,
            filter: view.filter,
            sort: view.sort,
            table,
            limit: PAGE_ROWS,
            after,
            full_values: false,
        };
        match services::fetch_rows(&instance_id, &request).await {
            Ok(page) => grid.dispatch(GridAction::PageLoaded {
                generation,
                request: wanted,
                page,
            }),
            Err(error) => grid.dispatch(GridAction::PageFailed { generation, error }),
        }
    });
}

/// The text an editor starts from; `None` is NULL.
/// Gives the keyboard back to the grid, e.g. after an editor closes.
fn focus_grid(viewport: &NodeRef) {
    if let Some(view) = viewport.cast::<HtmlElement>() {
        let _ = view.focus();
    }
}

fn editable_text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Null => None,
        Cell::Truncated { prefix } => Some(prefix.clone()),
        other => Some(other.display_text()),
    }
}

/// A staged value as the grid shows it.
fn staged_view(value: &Option<String>) -> Html {
    match value {
        None => html! { <div class="grid-cell null staged" title="Staged: NULL">{ "NULL" }</div> },
        Some(text) => {
            html! { <div class="grid-cell staged" title={format!("Staged: {text}")}>{ text }</div> }
        }
    }
}

fn cell_view(cell: &Cell) -> Html {
    match cell {
        Cell::Null => html! { <div class="grid-cell null">{ "NULL" }</div> },
        Cell::Bool(value) => html! { <div class="grid-cell bool">{ value.to_string() }</div> },
        Cell::Int(_) | Cell::Float(_) => {
            html! { <div class="grid-cell number">{ cell.display_text() }</div> }
        }
        Cell::Text(text) => html! { <div class="grid-cell" title={text.clone()}>{ text }</div> },
        Cell::Truncated { prefix } => html! {
            <div class="grid-cell truncated" title="Long value, shortened">{ format!("{prefix}…") }</div>
        },
    }
}

/// Rows of one table.
#[component]
pub fn DataGrid(props: &DataGridProps) -> Html {
    let session = use_context::<SessionContext>().expect("DataGrid is inside the session provider");
    // The impersonation in force: starting, switching or stopping one reads
    // the rows again, as the new identity (staged edits stay).
    let acting_as = session
        .impersonations
        .get(&props.instance_id)
        .map(|acting| acting.session_id.clone());
    let showing_rls = use_state(|| false);
    let grid = use_reducer(GridState::default);
    let generations = use_mut_ref(|| 0_u64);
    // The last page asked for, which Retry asks for again.
    let last_request = use_mut_ref(|| Option::<PageRequest>::None);
    let viewport = use_node_ref();
    let scroll = use_reducer(|| Viewport(ScrollPosition::at_top(600.0 - HEADER_HEIGHT)));
    let table_ref = TableRef::new(props.table.schema.clone(), props.table.name.clone());
    // The filter in force, remembered with the table it was made for: another
    // table starts unfiltered.
    let view_state = use_state(|| {
        (
            table_ref.clone(),
            saved_views::load(&props.instance_id, &table_ref).unwrap_or_default(),
        )
    });
    // Another table opens with its saved view, if it has one.
    let saved = saved_views::load(&props.instance_id, &table_ref);
    let view = if view_state.0 == table_ref {
        view_state.1.clone()
    } else {
        saved.clone().unwrap_or_default()
    };
    let on_save_view = {
        let (instance_id, table_ref, view, view_state) = (
            props.instance_id.clone(),
            table_ref.clone(),
            view.clone(),
            view_state.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if saved_views::save(&instance_id, &table_ref, &view).is_ok() {
                // Re-render so the toolbar shows it saved.
                view_state.set((table_ref.clone(), view.clone()));
            }
        })
    };
    let on_forget_view = {
        let (instance_id, table_ref, view, view_state) = (
            props.instance_id.clone(),
            table_ref.clone(),
            view.clone(),
            view_state.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            saved_views::forget(&instance_id, &table_ref);
            view_state.set((table_ref.clone(), view.clone()));
        })
    };
    let filter = view.filter.clone();
    let on_apply_filter = {
        let (view_state, table_ref, view) = (view_state.clone(), table_ref.clone(), view.clone());
        Callback::from(move |next: RowFilter| {
            view_state.set((
                table_ref.clone(),
                View {
                    filter: next,
                    ..view.clone()
                },
            ))
        })
    };
    // A header click sorts by that column (again: descending, again: off);
    // with Shift it adds the column after the current ones.
    let sort_by = {
        let (view_state, table_ref, view) = (view_state.clone(), table_ref.clone(), view.clone());
        move |column: String| {
            let (view_state, table_ref, view) = (view_state.clone(), table_ref.clone(), view.clone());
            Callback::from(move |event: MouseEvent| {
                let mut sort = view.sort.clone();
                let position = sort.iter().position(|key| key.column == column);
                match (position, event.shift_key()) {
                    (Some(index), _) if !sort[index].descending => sort[index].descending = true,
                    (Some(index), _) => {
                        sort.remove(index);
                    }
                    (None, true) => sort.push(SortKey {
                        column: column.clone(),
                        descending: false,
                    }),
                    (None, false) => {
                        sort = vec![SortKey {
                            column: column.clone(),
                            descending: false,
                        }]
                    }
                }
                view_state.set((table_ref.clone(), View { sort, ..view.clone() }));
            })
        }
    };
    // The exact count, asked for by the user: it reads the whole table.
    let exact = use_state(|| Option::<Result<i64, fluxdesk_types::ApiError>>::None);
    let counting = use_state(|| false);
    // The row opened whole in the side panel, by key.
    let opened = use_state(|| Option::<KeysetCursor>::None);
    // A count reads the whole table: it runs under an id, so Cancel can stop it.
    let count_run = use_mut_ref(String::new);
    {
        let (exact, opened, counting, count_run) =
            (exact.clone(), opened.clone(), counting.clone(), count_run.clone());
        // Another table, or another filter: the count and the opened row no
        // longer apply, and a count still reading is stopped.
        use_effect_with(
            (
                props.instance_id.clone(),
                table_ref.clone(),
                filter.clone(),
                acting_as.clone(),
            ),
            move |_| {
                exact.set(None);
                opened.set(None);
                counting.set(false);
                let stale = std::mem::take(&mut *count_run.borrow_mut());
                if !stale.is_empty() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = services::cancel_query(&stale).await;
                    });
                }
            },
        );
    }
    let open_row = {
        let opened = opened.clone();
        move |key: Option<KeysetCursor>| {
            let opened = opened.clone();
            Callback::from(move |_: MouseEvent| {
                if let Some(key) = key.clone() {
                    opened.set(Some(key));
                }
            })
        }
    };
    // Staged edits belong to the table, not the view: a new filter or sort
    // keeps them, and another table puts them aside until it is left.
    let staging = use_reducer(Staging::default);
    let set_aside = use_mut_ref(std::collections::HashMap::<(String, TableRef), Staging>::new);
    let staged_for = use_mut_ref(|| Option::<(String, TableRef)>::None);
    let reloads = use_state(|| 0_u32);
    let selection = use_state(BTreeMap::<KeysetCursor, String>::new);
    // The cell being edited: row index, column index, and the value it starts from.
    // Keyed by the row, so a live refresh that moves rows moves the editor too.
    let editing = use_state(|| Option::<(KeysetCursor, usize, Option<String>)>::None);
    // The keyboard's cell, with the table it belongs to: another table starts without one.
    let cursor = use_state(|| Option::<(TableRef, CellCursor)>::None);
    let batch_column = use_state(String::new);
    let batch_value = use_state(String::new);
    let batch_problem = use_state(|| Option::<String>::None);
    {
        let (staging, set_aside, staged_for) = (staging.clone(), set_aside.clone(), staged_for.clone());
        use_effect_with((props.instance_id.clone(), table_ref.clone()), move |now| {
            if let Some(left) = staged_for.borrow_mut().replace(now.clone())
                && !staging.is_empty()
            {
                set_aside.borrow_mut().insert(left, (*staging).clone());
            }
            let back = set_aside.borrow_mut().remove(now).unwrap_or_default();
            staging.dispatch(StagingAction::Set(back));
        });
    }
    let on_staging = {
        let staging = staging.clone();
        Callback::from(move |next: Staging| staging.dispatch(StagingAction::Set(next)))
    };
    let on_staging_action = {
        let staging = staging.clone();
        Callback::from(move |action: StagingAction| staging.dispatch(action))
    };
    let on_reload = {
        let reloads = reloads.clone();
        Callback::from(move |_: ()| reloads.set(reloads.wrapping_add(1)))
    };
    let on_insert_row = {
        let staging = staging.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*staging).clone();
            next.add_insert();
            staging.dispatch(StagingAction::Set(next));
        })
    };
    let on_delete_selected = {
        let (staging, selection) = (staging.clone(), selection.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*staging).clone();
            for (key, version) in selection.iter() {
                if !next.deletes.contains_key(key) {
                    next.toggle_delete(key.clone(), version);
                }
            }
            staging.dispatch(StagingAction::Set(next));
            selection.set(BTreeMap::new());
        })
    };
    let on_duplicate_selected = {
        let (staging, selection) = (staging.clone(), selection.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*staging).clone();
            next.duplicates.extend(selection.keys().cloned());
            next.rejection = None;
            staging.dispatch(StagingAction::Set(next));
            selection.set(BTreeMap::new());
        })
    };
    let on_set_column = {
        let (staging, selection, columns) = (staging.clone(), selection.clone(), grid.columns.clone());
        let (batch_column, batch_value, batch_problem) =
            (batch_column.clone(), batch_value.clone(), batch_problem.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(column) = columns.iter().find(|c| c.name == *batch_column) else {
                batch_problem.set(Some("Choose a column to set.".to_owned()));
                return;
            };
            // An empty value with a nullable column means NULL.
            let nullable = column.editing.as_ref().is_some_and(|e| e.nullable);
            let value = if batch_value.is_empty() && nullable {
                None
            } else {
                Some((*batch_value).clone())
            };
            if let Err(reason) = validate(column, value.as_deref()) {
                batch_problem.set(Some(reason));
                return;
            }
            let mut next = (*staging).clone();
            for (key, version) in selection.iter() {
                next.set_value(key.clone(), version, &column.name, value.clone());
            }
            staging.dispatch(StagingAction::Set(next));
            batch_problem.set(None);
        })
    };
    let on_batch_column = {
        let batch_column = batch_column.clone();
        Callback::from(move |event: Event| {
            batch_column.set(event.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_batch_value = {
        let batch_value = batch_value.clone();
        Callback::from(move |event: InputEvent| {
            batch_value.set(event.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_close_row = {
        let opened = opened.clone();
        Callback::from(move |_: ()| opened.set(None))
    };
    let on_count = {
        let (exact, counting, count_run) = (exact.clone(), counting.clone(), count_run.clone());
        let (instance_id, table) = (props.instance_id.clone(), table_ref.clone());
        Callback::from(move |_: MouseEvent| {
            let (exact, counting, instance_id, table) = (
                exact.clone(),
                counting.clone(),
                instance_id.clone(),
                table.clone(),
            );
            let run_id = format!("count-{}", js_sys::Date::now());
            *count_run.borrow_mut() = run_id.clone();
            counting.set(true);
            let count_run = count_run.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = services::count_rows(&instance_id, &table, &run_id).await;
                // Another table was opened meanwhile: this count is not its.
                if *count_run.borrow() != run_id {
                    return;
                }
                match outcome {
                    Err(error) if error.code == fluxdesk_types::ErrorCode::Cancelled => exact.set(None),
                    outcome => exact.set(Some(outcome)),
                }
                counting.set(false);
            });
        })
    };
    let on_cancel_count = {
        let count_run = count_run.clone();
        Callback::from(move |_: MouseEvent| {
            let run_id = count_run.borrow().clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = services::cancel_query(&run_id).await;
            });
        })
    };

    // A new table (or instance): start from its first page at the top.
    {
        let grid = grid.clone();
        let generations = generations.clone();
        let viewport = viewport.clone();
        let scroll = scroll.clone();
        let (selection, editing) = (selection.clone(), editing.clone());
        let last_request = last_request.clone();
        let estimated_rows = props.table.estimated_rows;
        use_effect_with(
            (
                props.instance_id.clone(),
                table_ref.clone(),
                view.clone(),
                *reloads,
                acting_as.clone(),
            ),
            move |(instance_id, table, view, _, _)| {
                selection.set(BTreeMap::new());
                editing.set(None);
                let generation = {
                    let mut counter = generations.borrow_mut();
                    *counter += 1;
                    *counter
                };
                if let Some(element) = viewport.cast::<Element>() {
                    element.set_scroll_top(0);
                    scroll.dispatch(ScrollAction::Reset {
                        height: f64::from(element.client_height()) - HEADER_HEIGHT,
                    });
                }
                // The table's estimate sizes the scrollbar; a filtered view's size is unknown.
                let estimate = view
                    .filter
                    .is_empty()
                    .then_some(estimated_rows)
                    .flatten()
                    .map(|rows| rows.max(0) as usize);
                grid.dispatch(GridAction::Open {
                    table: table.clone(),
                    generation,
                    estimate,
                });
                *last_request.borrow_mut() = Some(PageRequest::First);
                request_page(
                    grid,
                    instance_id.clone(),
                    table.clone(),
                    PageRequest::First,
                    generation,
                    view.clone(),
                );
            },
        );
    }

    // The window can be resized without the grid scrolling.
    {
        let viewport = viewport.clone();
        let scroll = scroll.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                if let Some(element) = viewport.cast::<Element>() {
                    scroll.dispatch(ScrollAction::Resized {
                        height: f64::from(element.client_height()) - HEADER_HEIGHT,
                    });
                }
            });
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window.add_event_listener_with_callback("resize", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(window) = window {
                    let _ = window
                        .remove_event_listener_with_callback("resize", listener.as_ref().unchecked_ref());
                }
            }
        });
    }

    let position = scroll.0;
    let visible = position.visible_range(grid.total);

    // Near either end of the loaded stretch: read on by key. Far from it
    // (the scrollbar was dragged): jump to that point of the view.
    {
        let grid = grid.clone();
        let instance_id = props.instance_id.clone();
        let view = view.clone();
        let generations = generations.clone();
        let last_request = last_request.clone();
        let deps = (
            visible.clone(),
            grid.loaded(),
            grid.base,
            grid.loading,
            grid.generation,
            grid.error.is_some(),
        );
        use_effect_with(deps, move |(visible, ..)| {
            let (Some(wanted), Some(table)) = (grid.wanted(visible), grid.table.clone()) else {
                return;
            };
            let generation = if let PageRequest::Jump { anchor, .. } = &wanted {
                let generation = {
                    let mut counter = generations.borrow_mut();
                    *counter += 1;
                    *counter
                };
                grid.dispatch(GridAction::Jump {
                    generation,
                    anchor: *anchor,
                });
                generation
            } else {
                grid.dispatch(GridAction::LoadStarted);
                grid.generation
            };
            *last_request.borrow_mut() = Some(wanted.clone());
            request_page(grid, instance_id, table, wanted, generation, view.clone());
        });
    }

    // Live updates: Fluxbase's realtime channel (for tables that publish to
    // it) and an interval the user chooses. Each re-reads the rows on screen.
    let live = use_state(|| props.table.realtime);
    let refresh_secs = use_state(|| 0_u32);
    let ticks = use_reducer(RefreshTicks::default);
    let refreshed = use_mut_ref(|| 0_u64);
    {
        let (live, refresh_secs) = (live.clone(), refresh_secs.clone());
        let realtime = props.table.realtime;
        use_effect_with((props.instance_id.clone(), table_ref.clone()), move |_| {
            live.set(realtime);
            refresh_secs.set(0);
        });
    }
    {
        let ticks = ticks.clone();
        use_effect_with(
            (props.instance_id.clone(), table_ref.clone(), *live),
            move |(instance_id, table, live)| {
                let listening = live.then(|| {
                    let since = Rc::new(std::cell::Cell::new(Option::<u64>::None));
                    let busy = Rc::new(std::cell::Cell::new(false));
                    let (instance_id, table) = (instance_id.clone(), table.clone());
                    gloo_timers::callback::Interval::new(1000, move || {
                        if busy.replace(true) {
                            return;
                        }
                        let (since, busy, ticks, instance_id, table) = (
                            since.clone(),
                            busy.clone(),
                            ticks.clone(),
                            instance_id.clone(),
                            table.clone(),
                        );
                        wasm_bindgen_futures::spawn_local(async move {
                            if let Ok(batch) = services::live_changes(&instance_id, &table, since.get()).await
                            {
                                let started = since.replace(Some(batch.seq)).is_some();
                                if started && (batch.missed || !batch.changes.is_empty()) {
                                    ticks.dispatch(());
                                }
                            }
                            busy.set(false);
                        });
                    })
                });
                move || drop(listening)
            },
        );
    }
    {
        let ticks = ticks.clone();
        use_effect_with(*refresh_secs, move |secs| {
            let timer = (*secs > 0)
                .then(|| gloo_timers::callback::Interval::new(secs * 1000, move || ticks.dispatch(())));
            move || drop(timer)
        });
    }
    {
        // Never while a cell is being edited: the refresh waits for it.
        let grid = grid.clone();
        let (instance_id, view, refreshed) = (props.instance_id.clone(), view.clone(), refreshed.clone());
        let start = visible.start;
        use_effect_with(
            (ticks.0, editing.is_some(), grid.loading),
            move |(tick, editing, _)| {
                if *tick <= *refreshed.borrow() || *editing {
                    return;
                }
                let (Some((base, after)), Some(table)) = (grid.refresh_from(start), grid.table.clone())
                else {
                    return;
                };
                *refreshed.borrow_mut() = *tick;
                let generation = grid.generation;
                wasm_bindgen_futures::spawn_local(async move {
                    let request = RowsRequest {
                        table,
                        limit: PAGE_ROWS,
                        after: after.clone(),
                        before: None,
                        position: None,
                        full_values: false,
                        filter: view.filter,
                        sort: view.sort,
                    };
                    if let Ok(page) = services::fetch_rows(&instance_id, &request).await {
                        grid.dispatch(GridAction::Refreshed {
                            generation,
                            base,
                            after,
                            page,
                        });
                    }
                });
            },
        );
    }
    let on_live = {
        let live = live.clone();
        Callback::from(move |_: Event| live.set(!*live))
    };
    let on_refresh_secs = {
        let refresh_secs = refresh_secs.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            refresh_secs.set(value.parse().unwrap_or(0));
        })
    };

    // The stretch found its true place (e.g. the first row after a jump):
    // move the view with it, so the rows on screen stay put.
    {
        let scroll = scroll.clone();
        use_effect_with(grid.shift, move |(serial, by)| {
            if *serial != 0 && *by != 0 {
                scroll.dispatch(ScrollAction::Shift(*by));
            }
        });
    }

    let on_scroll = {
        let (scroll, total) = (scroll.clone(), grid.total);
        Callback::from(move |event: Event| {
            if let Some(element) = event.target_dyn_into::<Element>() {
                scroll.dispatch(ScrollAction::Scrolled {
                    top: f64::from(element.scroll_top()),
                    height: f64::from(element.client_height()) - HEADER_HEIGHT,
                    total,
                });
            }
        })
    };

    // The keyboard: arrows, Page Up/Down, Home/End (with Ctrl: first and last
    // row) move the cell cursor, scrolling just enough to show it; Enter or
    // F2 edits the cell as a double-click does; Space selects the row.
    // Until the view's end is read, its length is a guess: a cursor past the
    // real last row (Ctrl+End) settles on it once the end arrives.
    let cursor_here = cursor
        .as_ref()
        .filter(|(table, _)| *table == table_ref)
        .map(|(_, at)| CellCursor {
            row: at.row.min(grid.total.saturating_sub(1)),
            column: at.column,
        });
    let on_grid_key = {
        let (cursor, viewport, table_ref) = (cursor.clone(), viewport.clone(), table_ref.clone());
        let (total, column_names): (usize, Vec<String>) = (
            grid.total,
            grid.columns.iter().map(|column| column.name.clone()).collect(),
        );
        Callback::from(move |event: KeyboardEvent| {
            // Keys typed into an editor or a field are theirs.
            if event.target_dyn_into::<Element>().is_some_and(|target| {
                matches!(
                    target.tag_name().as_str(),
                    "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON"
                )
            }) {
                return;
            }
            let Some(view) = viewport.cast::<Element>() else {
                return;
            };
            let in_view = position.rows_in_view(total);
            let at = cursor_here.unwrap_or(CellCursor {
                row: in_view.start,
                column: 0,
            });
            let cell = |at: CellCursor| {
                column_names.get(at.column).and_then(|name| {
                    view.query_selector(&format!(
                        ".grid-row[data-row-index='{}'] .cell-slot[data-column='{}']",
                        at.row,
                        name.replace('\\', "\\\\").replace('\'', "\\'")
                    ))
                    .ok()
                    .flatten()
                })
            };
            match event.key().as_str() {
                "Enter" | "F2" => {
                    if let Some(slot) = cell(at)
                        && let Ok(double_click) = web_sys::MouseEvent::new("dblclick")
                    {
                        event.prevent_default();
                        let _ = slot.dispatch_event(&double_click);
                    }
                    return;
                }
                " " => {
                    if let Ok(Some(checkbox)) =
                        view.query_selector(&format!(".grid-row[data-row-index='{}'] .select-row", at.row))
                        && let Ok(checkbox) = checkbox.dyn_into::<HtmlElement>()
                    {
                        event.prevent_default();
                        checkbox.click();
                    }
                    return;
                }
                _ => {}
            }
            let Some(step) = CursorMove::from_key(&event.key(), event.ctrl_key() || event.meta_key()) else {
                return;
            };
            event.prevent_default();
            let page = in_view.len().max(1);
            let moved = at.moved(step, total, column_names.len(), page);
            cursor.set(Some((table_ref.clone(), moved)));
            match step {
                CursorMove::First => view.set_scroll_top(0),
                CursorMove::Last => view.set_scroll_top(view.scroll_height()),
                _ => {
                    let rows = rows_to_reveal(moved.row, &in_view);
                    if rows != 0 {
                        view.set_scroll_top(view.scroll_top() + (rows as f64 * ROW_HEIGHT) as i32);
                    }
                }
            }
            // Columns: bring the cell's left and right edges into view.
            let left = ROW_NUMBER_WIDTH + COLUMN_WIDTH * moved.column as f64;
            let (scroll_left, width) = (f64::from(view.scroll_left()), f64::from(view.client_width()));
            if left - ROW_NUMBER_WIDTH < scroll_left {
                view.set_scroll_left((left - ROW_NUMBER_WIDTH) as i32);
            } else if left + COLUMN_WIDTH > scroll_left + width {
                view.set_scroll_left((left + COLUMN_WIDTH - width) as i32);
            }
        })
    };

    let on_retry = {
        let grid = grid.clone();
        let instance_id = props.instance_id.clone();
        let view = view.clone();
        let last_request = last_request.clone();
        Callback::from(move |_| {
            // One retry at a time; a second click while loading does nothing.
            if grid.loading {
                return;
            }
            let wanted = last_request.borrow().clone().unwrap_or(PageRequest::First);
            if let Some(table) = grid.table.clone() {
                grid.dispatch(GridAction::LoadStarted);
                request_page(
                    grid.clone(),
                    instance_id.clone(),
                    table,
                    wanted,
                    grid.generation,
                    view.clone(),
                );
            }
        })
    };

    let editable = grid.editable();
    let width = ROW_NUMBER_WIDTH + COLUMN_WIDTH * grid.columns.len() as f64;
    let body_height = scroll_height(grid.total);
    let estimate = match (view.filter.is_empty(), props.table.estimated_rows, grid.estimate) {
        (true, Some(rows), _) => format!("~{} rows (estimate)", grouped(rows)),
        (false, _, Some(rows)) => format!("~{} rows match (estimate)", grouped(rows as i64)),
        (false, _, None) => "matching rows: unknown".to_owned(),
        (true, None, _) => "row count unknown".to_owned(),
    };
    let order = match grid.order {
        Some(RowOrder::PrimaryKey) => "ordered by primary key",
        Some(RowOrder::PhysicalLocation) => "no primary key: physical order",
        Some(RowOrder::Unordered) => "view: first page only",
        None => "",
    };
    let progress = if grid.loading {
        "loading…".to_owned()
    } else if grid.next.is_none() && grid.first_page_loaded {
        "all loaded".to_owned()
    } else {
        String::new()
    };

    html! {
        <div class="grid">
            <div class="grid-toolbar">
                <span class="grid-title">{ format!("{}.{}", props.table.schema, props.table.name) }</span>
                <span id="grid-status" data-loaded-rows={grid.loaded().to_string()} data-first-loaded={grid.base.to_string()}
                    data-total={grid.total.to_string()} data-loading={grid.loading.to_string()}>
                    { format!("{estimate} · {} loaded · {order} {progress}", grouped(grid.loaded() as i64)) }
                </span>
                if saved.as_ref() == Some(&view) && view != View::default() {
                    <span class="saved-view" id="saved-view">{ "saved view" }</span>
                    <button id="forget-view" class="button small" onclick={on_forget_view}>{ "Forget view" }</button>
                } else if view != View::default() {
                    <button id="save-view" class="button small" title="Open this table with this filter and sort next time" onclick={on_save_view}>{ "Save view" }</button>
                }
                if props.table.realtime {
                    <label class="live-toggle" title="Fluxbase realtime: rows update as they change">
                        <input type="checkbox" id="live-toggle" checked={*live} onchange={on_live} />
                        { " Live" }
                    </label>
                }
                <select id="refresh-interval" title="Re-read the rows on screen every…" onchange={on_refresh_secs}>
                    { for [(0, "No auto-refresh"), (5, "Every 5 s"), (30, "Every 30 s"), (60, "Every minute")].into_iter().map(|(secs, label)| html! {
                        <option value={secs.to_string()} selected={*refresh_secs == secs}>{ label }</option>
                    }) }
                </select>
                <ExportPanel instance_id={props.instance_id.clone()} suggested_name={format!("{}.{}", props.table.schema, props.table.name)}
                    source={ExportSource::View { table: table_ref.clone(), filter: view.filter.clone(), sort: view.sort.clone() }} />
                if acting_as.is_some() {
                    <button id="rls-insight-open" class="button small" title="What this identity sees of the table, and why"
                        onclick={ let showing_rls = showing_rls.clone(); Callback::from(move |_: MouseEvent| showing_rls.set(!*showing_rls)) }>
                        { "RLS…" }
                    </button>
                }
                { match &*exact {
                    Some(Ok(count)) => html! { <span id="exact-count" data-count={count.to_string()}>{ format!("{} rows in the table (exact)", grouped(*count)) }</span> },
                    _ => html! {
                        <>
                            <button id="count-rows" class="button small" disabled={*counting} onclick={on_count} title="Counts every row: slow on big tables">
                                { if *counting { "Counting…" } else { "Count exactly" } }
                            </button>
                            if *counting {
                                <button id="cancel-count" class="button small" onclick={on_cancel_count}>{ "Cancel" }</button>
                            }
                        </>
                    },
                } }
            </div>
            if editable {
                <div class="edit-toolbar" id="edit-toolbar">
                    <button id="insert-row" class="button small" onclick={on_insert_row} title="Stage a new row; its columns start with their defaults">{ "+ Row" }</button>
                    if !selection.is_empty() {
                        <span id="selection-count" data-count={selection.len().to_string()}>{ format!("{} selected", selection.len()) }</span>
                        <button id="delete-selected" class="button small" onclick={on_delete_selected}>{ "Delete" }</button>
                        <button id="duplicate-selected" class="button small" onclick={on_duplicate_selected}>{ "Duplicate" }</button>
                        <select id="set-column-name" onchange={on_batch_column}>
                            <option value="" selected={batch_column.is_empty()}>{ "Set column…" }</option>
                            { for grid.columns.iter().filter(|c| c.editing.as_ref().is_some_and(|e| !e.generated)).map(|c| html! {
                                <option value={c.name.clone()} selected={*batch_column == c.name}>{ &c.name }</option>
                            }) }
                        </select>
                        <input id="set-column-value" placeholder="value (empty: NULL)" value={(*batch_value).clone()} oninput={on_batch_value} />
                        <button id="set-column" class="button small" onclick={on_set_column}>{ "Set" }</button>
                        if let Some(problem) = &*batch_problem {
                            <span class="field-error" role="alert">{ problem }</span>
                        }
                    }
                    <span class="edit-hint">{ "Double-click a cell to edit; changes are staged until you commit." }</span>
                </div>
                <StagedBar instance_id={props.instance_id.clone()} table={table_ref.clone()} staging={(*staging).clone()}
                    on_action={on_staging_action} on_reload={on_reload} />
                <NewRows columns={(*grid.columns).clone()} staging={(*staging).clone()} on_change={on_staging} />
            }
            if !grid.columns.is_empty() {
                <FilterBar key={format!("{}.{}", table_ref.schema, table_ref.name)} columns={(*grid.columns).clone()}
                    applied={filter.clone()} on_apply={on_apply_filter} />
            }
            if let Some(error) = &grid.error {
                <ErrorBanner error={error.clone()} on_retry={on_retry} />
            }
            if let Some(Err(error)) = &*exact {
                <ErrorBanner error={error.clone()} />
            }
            <div class="grid-viewport" ref={viewport.clone()} onscroll={on_scroll} onkeydown={on_grid_key}
                tabindex="0" role="grid" aria-label={format!("Rows of {}.{}", table_ref.schema, table_ref.name)}
                aria-rowcount={grid.total.to_string()} aria-colcount={grid.columns.len().to_string()}>
                <div class="grid-header" style={format!("width: {width}px")}>
                    <div class="grid-cell row-number">{ "#" }</div>
                    { for grid.columns.iter().map(|column| html! {
                        <div class="grid-cell header-cell" data-column={column.name.clone()}
                            title={format!("{} {} · click to sort, Shift+click to add", column.name, column.data_type)}
                            onclick={sort_by(column.name.clone())}>
                            <span class="column-name">
                                if column.primary_key_position.is_some() {
                                    <span class="pk-badge" title="primary key">{ "PK" }</span>
                                }
                                { &column.name }
                                { match view.sort.iter().position(|key| key.column == column.name) {
                                    Some(index) => html! {
                                        <span class="sort-mark" data-direction={if view.sort[index].descending { "desc" } else { "asc" }}>
                                            { format!(" {}{}", if view.sort[index].descending { "▼" } else { "▲" }, if view.sort.len() > 1 { (index + 1).to_string() } else { String::new() }) }
                                        </span>
                                    },
                                    None => html! {},
                                } }
                            </span>
                            <span class="column-type">{ &column.data_type }</span>
                        </div>
                    }) }
                </div>
                <div class="grid-body" style={format!("height: {body_height}px; width: {width}px")}>
                    { for visible.clone().filter_map(|index| grid.row(index).map(|row| (index, row))).map(|(index, row)| {
                        let key = grid.key(index).cloned();
                        let version = grid.version(index).cloned();
                        let deleted = key.as_ref().is_some_and(|k| staging.deletes.contains_key(k));
                        let selected = key.as_ref().is_some_and(|k| selection.contains_key(k));
                        let can_edit = editable && key.is_some() && version.is_some();
                        // A staged edit made at another version than the row now has.
                        let clash = key
                            .as_ref()
                            .and_then(|k| staging.updates.get(k))
                            .is_some_and(|staged| Some(&staged.version) != version.as_ref());
                        let toggle_select = {
                            let (selection, key, version) = (selection.clone(), key.clone(), version.clone());
                            Callback::from(move |_: Event| {
                                let (Some(key), Some(version)) = (key.clone(), version.clone()) else { return };
                                let mut next = (*selection).clone();
                                if next.remove(&key).is_none() {
                                    next.insert(key, version);
                                }
                                selection.set(next);
                            })
                        };
                        html! {
                            <div class={classes!("grid-row", (index % 2 == 1).then_some("alternate"), deleted.then_some("deleted"), selected.then_some("selected"),
                                    editing.as_ref().is_some_and(|(row, _, _)| Some(row) == key.as_ref()).then_some("editing-row"),
                                    key.as_ref().is_some_and(|k| grid.changed.contains(k)).then_some("changed"),
                                    clash.then_some("clash"))}
                                title={clash.then_some("Changed by someone else since you edited it: committing will show theirs beside yours")}
                                key={key.as_ref().map_or_else(|| format!("#{index}"), |k| k.0.join("\u{1f}"))} data-row-index={index.to_string()} role="row" aria-rowindex={(index + 1).to_string()}
                                style={format!("transform: translateY({}px)", position.row_offset(index, grid.total))}>
                                <div class="grid-cell row-number">
                                    if can_edit {
                                        <input type="checkbox" class="select-row" title="Select for a batch operation"
                                            checked={selected} onchange={toggle_select} />
                                    }
                                    <button class="open-row" title="Open the whole row"
                                        disabled={key.is_none()} onclick={open_row(key.clone())}>
                                        { if grid.exact_positions { (index + 1).to_string() } else { format!("~{}", index + 1) } }
                                    </button>
                                </div>
                                { for row.iter().enumerate().map(|(position, cell)| {
                                    let Some(column) = grid.columns.get(position) else { return html! {} };
                                    if let Some((row_key, column_index, initial)) = &*editing
                                        && (Some(row_key), *column_index) == (key.as_ref(), position)
                                    {
                                        let on_stage = {
                                            let (staging, editing, key, version, name, viewport) =
                                                (staging.clone(), editing.clone(), key.clone(), version.clone(), column.name.clone(), viewport.clone());
                                            Callback::from(move |value: Option<String>| {
                                                if let (Some(key), Some(version)) = (key.clone(), version.clone()) {
                                                    let mut next = (*staging).clone();
                                                    next.set_value(key, &version, &name, value);
                                                    staging.dispatch(StagingAction::Set(next));
                                                }
                                                editing.set(None);
                                                focus_grid(&viewport);
                                            })
                                        };
                                        let on_cancel = {
                                            let (editing, viewport) = (editing.clone(), viewport.clone());
                                            Callback::from(move |_: ()| {
                                                editing.set(None);
                                                focus_grid(&viewport);
                                            })
                                        };
                                        // The typed text lives here too, so the editor can be
                                        // rebuilt (scrolled away and back) without losing it.
                                        let on_draft = {
                                            let (editing, row_key) = (editing.clone(), row_key.clone());
                                            Callback::from(move |draft: Option<String>| {
                                                editing.set(Some((row_key.clone(), position, draft)))
                                            })
                                        };
                                                                                // An editor is wider than its cell: near the right edge of
                                        // the view it opens leftwards, so its buttons stay in view.
                                        let cell_right = ROW_NUMBER_WIDTH + COLUMN_WIDTH * (position + 1) as f64;
                                        let view_right = viewport
                                            .cast::<Element>()
                                            .map(|v| f64::from(v.scroll_left() + v.client_width()))
                                            .unwrap_or(f64::MAX);
                                        let leftwards = cell_right + EDITOR_OVERHANG > view_right;
                                        return html! {
                                            <div class={classes!("grid-cell", "editing", leftwards.then_some("opens-left"))} data-column={column.name.clone()}>
                                                <CellEditor column={column.clone()} initial={initial.clone()} {on_stage} {on_cancel} on_draft={on_draft} />
                                            </div>
                                        };
                                    }
                                    let staged = key.as_ref().and_then(|k| staging.staged_value(k, &column.name)).cloned();
                                    let rejection = match (&staging.rejection, &key) {
                                        (Some(Rejection { target: StagedTarget::Update(k), column: Some(c), message }), Some(key))
                                            if k == key && *c == column.name => Some(message.clone()),
                                        _ => None,
                                    };
                                    let column_editable = can_edit && column.editing.as_ref().is_some_and(|e| !e.generated);
                                    let on_edit = column_editable.then(|| {
                                        let (editing, instance_id, table, key) =
                                            (editing.clone(), props.instance_id.clone(), table_ref.clone(), key.clone());
                                        let (cell, staged, generations) = (cell.clone(), staged.clone(), generations.clone());
                                        Callback::from(move |_: MouseEvent| {
                                            let Some(key) = key.clone() else { return };
                                            if let Some(value) = staged.clone() {
                                                editing.set(Some((key, position, value)));
                                            } else if let Cell::Truncated { .. } = &cell {
                                                // Edit the whole value, never its preview.
                                                let (editing, instance_id, table) = (editing.clone(), instance_id.clone(), table.clone());
                                                let (generations, asked_in) = (generations.clone(), *generations.borrow());
                                                wasm_bindgen_futures::spawn_local(async move {
                                                    // Another table or view opened meanwhile: this value is not its.
                                                    if let Ok(detail) = services::fetch_row(&instance_id, &table, &key).await
                                                        && *generations.borrow() == asked_in
                                                        && let Some(whole) = detail.values.get(position)
                                                    {
                                                        editing.set(Some((key, position, editable_text(whole))));
                                                    }
                                                });
                                            } else {
                                                editing.set(Some((key, position, editable_text(&cell))));
                                            }
                                        })
                                    });
                                    let inner = match &staged {
                                        Some(value) => staged_view(value),
                                        None => cell_view(cell),
                                    };
                                    let active = cursor_here == Some(CellCursor { row: index, column: position });
                                    let on_pick = {
                                        let (cursor, table_ref) = (cursor.clone(), table_ref.clone());
                                        Callback::from(move |_: MouseEvent| {
                                            cursor.set(Some((table_ref.clone(), CellCursor { row: index, column: position })))
                                        })
                                    };
                                    html! {
                                        <div class={classes!("cell-slot", column_editable.then_some("editable"), rejection.is_some().then_some("cell-error"), active.then_some("active-cell"))}
                                            data-column={column.name.clone()} title={rejection.clone()} role="gridcell"
                                            aria-selected={active.to_string()} ondblclick={on_edit} onclick={on_pick}>
                                            { inner }
                                        </div>
                                    }
                                }) }
                            </div>
                        }
                    }) }
                </div>
                if grid.first_page_loaded && grid.total == 0 {
                    <div class="placeholder">{ "This table has no rows." }</div>
                }
            </div>
            if let Some(key) = &*opened {
                <RowPanel instance_id={props.instance_id.clone()} table={table_ref.clone()} key_values={key.clone()} on_close={on_close_row} />
            }
            if let (Some(acting_as), true) = (&acting_as, *showing_rls) {
                <RlsInsightPanel instance_id={props.instance_id.clone()} table={table_ref.clone()} acting_as={acting_as.clone()}
                    on_close={ let showing_rls = showing_rls.clone(); Callback::from(move |_| showing_rls.set(false)) } />
            }
        </div>
    }
}
