//! The data grid's rows and which of them are on screen.
//!
//! The grid holds one contiguous stretch of the view (at most
//! [`MAX_LOADED_ROWS`]), placed at its row number in the whole view. Scrolling
//! near either end of the stretch reads the next page by key, forwards or
//! backwards; jumping far (dragging the scrollbar) asks the server for the
//! page near that point of the view, found from a sample, never by OFFSET.
//! Only the rows in view, plus a small margin, are put in the DOM.
//!
//! Browsers cap an element's height (some near 17 million pixels), so past
//! [`MAX_SCROLL_PX`] the scrollbar maps proportionally onto the rows.

use fluxdesk_types::{ApiError, Cell, ColumnInfo, KeysetCursor, POSITION_END, RowOrder, RowPage, TableRef};
use std::ops::Range;
use std::rc::Rc;
use yew::prelude::*;

/// Height of one grid row in CSS pixels (must match `.grid-row` in styles.css).
pub const ROW_HEIGHT: f64 = 28.0;
/// Rows rendered above and below the visible ones, so fast scrolling shows no gaps.
pub const OVERSCAN_ROWS: usize = 10;
/// Rows fetched per page.
pub const PAGE_ROWS: u32 = 200;
/// Fetch the next (or previous) page when the view comes this close to the loaded stretch's end.
pub const PREFETCH_ROWS: usize = 150;
/// Most rows kept loaded; pages far from the view are dropped, so memory stays flat.
pub const MAX_LOADED_ROWS: usize = 6000;
/// Tallest scrollable body, safely under every browser's element-height limit.
pub const MAX_SCROLL_PX: f64 = 8_000_000.0;

/// One row's cells.
pub type Row = Vec<Cell>;

/// A loaded row with what it takes to open, edit and continue from it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRow {
    /// The cells.
    pub cells: Row,
    /// Its key (primary key or location); `None` for views.
    pub key: Option<KeysetCursor>,
    /// Its position in the view (sort values, then key); `None` for views.
    pub cursor: Option<KeysetCursor>,
    /// Its version when read; `None` when it cannot be edited.
    pub version: Option<String>,
}

/// Which page a request asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum PageRequest {
    /// The view's first page.
    First,
    /// The page after this position.
    After(KeysetCursor),
    /// The page before this position.
    Before(KeysetCursor),
    /// The page near this point of the view (millionths), to be shown at row `anchor`.
    Jump {
        /// Millionths of the view.
        position: u32,
        /// Where its first row goes.
        anchor: usize,
    },
}

/// Everything the grid shows for one table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GridState {
    /// The table on display.
    pub table: Option<TableRef>,
    /// Bumped whenever another table, view or jump starts, so late replies are dropped.
    pub generation: u64,
    /// Column headers.
    pub columns: Rc<Vec<ColumnInfo>>,
    /// The loaded stretch, in view order. Changing it copies pointers, never cells.
    rows: Rc<Vec<Rc<LoadedRow>>>,
    /// The view row number of the first loaded row.
    pub base: usize,
    /// Rows in the view: exact once its end was reached, else the best estimate.
    pub total: usize,
    /// The view's estimated rows: the table's, or the planner's for a filter.
    pub estimate: Option<usize>,
    /// Whether row numbers are exact (the stretch is anchored at the first row)
    /// or estimated after a jump.
    pub exact_positions: bool,
    /// How rows are ordered.
    pub order: Option<RowOrder>,
    /// Where the page before the stretch ends; `None` at the first row.
    pub previous: Option<KeysetCursor>,
    /// Where the page after the stretch starts; `None` at the last row.
    pub next: Option<KeysetCursor>,
    /// Whether the first page (or a jump's page) has arrived.
    pub first_page_loaded: bool,
    /// A page request is in flight.
    pub loading: bool,
    /// The last request failed; rows already loaded stay.
    pub error: Option<ApiError>,
    /// Rows the stretch moved by when its true place turned out to differ
    /// from the estimate, with a serial number, so the view can follow.
    pub shift: (u64, isize),
    /// Rows that changed in the last refresh that changed any, by key, to
    /// highlight.
    pub changed: Rc<std::collections::BTreeSet<KeysetCursor>>,
}

/// Things that happen to the grid.
#[derive(Debug, Clone)]
pub enum GridAction {
    /// Show another table (or view of it), starting empty.
    Open {
        /// The table.
        table: TableRef,
        /// Its generation number.
        generation: u64,
        /// Estimated rows of the view, when known (unfiltered tables).
        estimate: Option<usize>,
    },
    /// A page request was sent.
    LoadStarted,
    /// Jump far: drop the stretch and wait for the page near `anchor`.
    Jump {
        /// The new generation.
        generation: u64,
        /// Where the page will go.
        anchor: usize,
    },
    /// A page arrived.
    PageLoaded {
        /// Generation it was requested for.
        generation: u64,
        /// What was asked for.
        request: PageRequest,
        /// The page.
        page: RowPage,
    },
    /// Rows re-read in place (live update or interval refresh): they replace
    /// the stretch from row `base` on; rows whose values differ are marked.
    Refreshed {
        /// Generation it was requested for.
        generation: u64,
        /// The view row the page starts at.
        base: usize,
        /// The position the page was read after (`None`: from the first row).
        after: Option<KeysetCursor>,
        /// The page.
        page: RowPage,
    },
    /// A page request failed.
    PageFailed {
        /// Generation it was requested for.
        generation: u64,
        /// Why.
        error: ApiError,
    },
}

fn loaded_rows(page: RowPage) -> Vec<Rc<LoadedRow>> {
    let RowPage {
        rows,
        keys,
        cursors,
        versions,
        ..
    } = page;
    rows.into_iter()
        .enumerate()
        .map(|(index, cells)| {
            let key = keys.get(index).cloned();
            Rc::new(LoadedRow {
                cells,
                cursor: cursors.get(index).cloned().or_else(|| key.clone()),
                key,
                version: versions.get(index).cloned(),
            })
        })
        .collect()
}

impl Reducible for GridState {
    type Action = GridAction;

    fn reduce(self: Rc<Self>, action: GridAction) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            GridAction::Open {
                table,
                generation,
                estimate,
            } => {
                // Reopening the same table (another filter) keeps its columns
                // and order, so the filter bar and edit tools stay usable.
                let (columns, order) = if next.table.as_ref() == Some(&table) {
                    (next.columns.clone(), next.order)
                } else {
                    (Rc::default(), None)
                };
                next = GridState {
                    table: Some(table),
                    generation,
                    loading: true,
                    columns,
                    order,
                    estimate,
                    total: estimate.unwrap_or(0),
                    exact_positions: true,
                    shift: next.shift,
                    ..GridState::default()
                };
            }
            GridAction::LoadStarted => {
                next.loading = true;
                next.error = None;
            }
            GridAction::Jump { generation, anchor } => {
                next.generation = generation;
                next.rows = Rc::default();
                next.base = anchor;
                next.previous = None;
                next.next = None;
                next.loading = true;
                next.error = None;
            }
            GridAction::PageLoaded {
                generation,
                request,
                page,
            } if generation == next.generation && next.continues_with(&request) => {
                next.take_page(request, page);
            }
            GridAction::Refreshed {
                generation,
                base,
                after,
                page,
            } if generation == next.generation => {
                let before: std::collections::HashMap<KeysetCursor, Row> = next
                    .rows
                    .iter()
                    .filter_map(|row| Some((row.key.clone()?, row.cells.clone())))
                    .collect();
                let page_next = page.next.clone();
                let rows = loaded_rows(page);
                let changed: std::collections::BTreeSet<KeysetCursor> = rows
                    .iter()
                    .filter_map(|row| {
                        let key = row.key.as_ref()?;
                        (before.get(key) != Some(&row.cells)).then(|| key.clone())
                    })
                    .collect();
                // A refresh that finds nothing new (a second notification of
                // the same commit) keeps the marks of the one that did.
                if !changed.is_empty() {
                    next.changed = Rc::new(changed);
                }
                next.rows = Rc::new(rows);
                next.base = base;
                next.previous = after;
                next.next = page_next;
                next.loading = false;
                next.error = None;
                let end = next.base + next.rows.len();
                next.total = match &next.next {
                    None => end,
                    Some(_) => next.total.max(end + PAGE_ROWS as usize),
                };
            }
            GridAction::PageFailed { generation, error } if generation == next.generation => {
                next.loading = false;
                next.error = Some(error);
            }
            // A reply for a table or jump no longer current, or a duplicate of
            // a page already placed (two requests for the same cursor).
            GridAction::PageLoaded { .. } | GridAction::PageFailed { .. } | GridAction::Refreshed { .. } => {}
        }
        Rc::new(next)
    }
}

impl GridState {
    /// Whether a reply to `request` fits the stretch as it is now.
    fn continues_with(&self, request: &PageRequest) -> bool {
        match request {
            PageRequest::First => !self.first_page_loaded && self.rows.is_empty(),
            PageRequest::Jump { .. } => self.rows.is_empty(),
            PageRequest::After(cursor) => self.first_page_loaded && self.next.as_ref() == Some(cursor),
            PageRequest::Before(cursor) => self.first_page_loaded && self.previous.as_ref() == Some(cursor),
        }
    }

    fn take_page(&mut self, request: PageRequest, page: RowPage) {
        if !self.first_page_loaded || self.columns.is_empty() {
            self.columns = Rc::new(page.columns.clone());
        }
        self.order = Some(page.order);
        self.first_page_loaded = true;
        self.loading = false;
        self.error = None;
        let (page_next, page_previous) = (page.next.clone(), page.previous.clone());
        if let Some(estimate) = page.estimated_total {
            // A filtered view's size, as the planner guesses it: enough to jump in.
            self.estimate = Some(estimate.max(0) as usize);
            self.total = self.total.max(estimate.max(0) as usize);
        }
        let arrived = loaded_rows(page);
        let mut rows = Rc::unwrap_or_clone(std::mem::take(&mut self.rows));
        match request {
            PageRequest::First => {
                rows = arrived;
                self.base = 0;
                self.exact_positions = true;
                self.previous = None;
                self.next = page_next;
            }
            PageRequest::Jump { anchor, .. } => {
                let count = arrived.len();
                rows = arrived;
                self.previous = page_previous;
                self.next = page_next;
                self.base = if self.next.is_none() {
                    // The last page: it ends the view.
                    self.total.max(count) - count
                } else {
                    anchor
                };
                self.exact_positions = false;
                if self.previous.is_none() {
                    self.move_to(0);
                    self.exact_positions = true;
                }
            }
            PageRequest::After(_) => {
                rows.extend(arrived);
                self.next = page_next;
                let excess = rows.len().saturating_sub(MAX_LOADED_ROWS);
                if excess > 0 {
                    rows.drain(..excess);
                    self.base += excess;
                    self.previous = rows.first().and_then(|row| row.cursor.clone());
                }
            }
            PageRequest::Before(_) => {
                let count = arrived.len();
                rows.splice(0..0, arrived);
                self.previous = page_previous;
                if self.previous.is_none() {
                    // The true first row: row numbers are exact from here.
                    let from = self.base.saturating_sub(count);
                    self.base = from;
                    self.move_to(0);
                    self.exact_positions = true;
                } else if count > self.base {
                    // More rows before than estimated: make room.
                    self.move_to(count);
                    self.base -= count;
                } else {
                    self.base -= count;
                }
                let excess = rows.len().saturating_sub(MAX_LOADED_ROWS);
                if excess > 0 {
                    rows.truncate(rows.len() - excess);
                    self.next = rows.last().and_then(|row| row.cursor.clone());
                }
            }
        }
        self.rows = Rc::new(rows);
        let end = self.base + self.rows.len();
        self.total = match &self.next {
            None => end,
            // More follow: at least one more page, and the estimate while it holds.
            Some(_) => self.total.max(end + PAGE_ROWS as usize),
        };
        if self.next.is_some()
            && let Some(estimate) = self.estimate
        {
            self.total = self.total.max(estimate);
        }
    }

    /// Moves the stretch so it starts at row `base`, telling the view.
    fn move_to(&mut self, base: usize) {
        let by = base as isize - self.base as isize;
        if by != 0 {
            self.base = base;
            self.total = (self.total as isize + by).max(0) as usize;
            self.shift = (self.shift.0 + 1, by);
        }
    }

    /// Rows loaded.
    pub fn loaded(&self) -> usize {
        self.rows.len()
    }

    /// Row `index` of the view, if loaded.
    pub fn row(&self, index: usize) -> Option<&Row> {
        self.loaded_row(index).map(|row| &row.cells)
    }

    fn loaded_row(&self, index: usize) -> Option<&Rc<LoadedRow>> {
        self.rows.get(index.checked_sub(self.base)?)
    }

    /// The key of row `index`, if loaded and the rows have keys.
    pub fn key(&self, index: usize) -> Option<&KeysetCursor> {
        self.loaded_row(index)?.key.as_ref()
    }

    /// Where row `index` sits in the view (to read on after it), if loaded.
    pub fn cursor(&self, index: usize) -> Option<&KeysetCursor> {
        self.loaded_row(index)?.cursor.as_ref()
    }

    /// Where to re-read the rows from row `start` on: the position just
    /// before it (`None` from the first row), or nothing if unknown.
    pub fn refresh_from(&self, start: usize) -> Option<(usize, Option<KeysetCursor>)> {
        if !self.first_page_loaded || self.loading {
            return None;
        }
        if start == 0 || (start <= self.base && self.previous.is_none()) {
            return Some((0, None));
        }
        if start <= self.base {
            return Some((self.base, self.previous.clone()));
        }
        Some((start, Some(self.cursor(start - 1)?.clone())))
    }

    /// The version row `index` was read at, if loaded and the rows can be edited.
    pub fn version(&self, index: usize) -> Option<&String> {
        self.loaded_row(index)?.version.as_ref()
    }

    /// Whether the rows on display can be edited (a table, not a view).
    pub fn editable(&self) -> bool {
        self.order.is_some_and(|order| order != RowOrder::Unordered)
            && self.columns.iter().any(|c| c.editing.is_some())
    }

    fn ready(&self) -> bool {
        self.first_page_loaded && !self.loading && self.error.is_none()
    }

    /// The request the view needs next, if any: a jump when it is far from the
    /// loaded stretch, else the page after or before the stretch when it comes near.
    pub fn wanted(&self, visible: &Range<usize>) -> Option<PageRequest> {
        if !self.ready() {
            return None;
        }
        let end = self.base + self.rows.len();
        let ordered = matches!(
            self.order,
            Some(RowOrder::PrimaryKey | RowOrder::PhysicalLocation)
        );
        let far = visible.end + PREFETCH_ROWS < self.base || visible.start > end + PREFETCH_ROWS;
        if ordered && far && self.total > 0 {
            let at_end = visible.end >= self.total;
            let position = if at_end {
                POSITION_END
            } else {
                ((visible.start as f64 / self.total as f64) * f64::from(POSITION_END)) as u32
            };
            return Some(PageRequest::Jump {
                position: position.min(POSITION_END),
                anchor: visible.start,
            });
        }
        if let Some(next) = &self.next
            && visible.end + PREFETCH_ROWS >= end
        {
            return Some(PageRequest::After(next.clone()));
        }
        if let Some(previous) = &self.previous
            && visible.start < self.base + PREFETCH_ROWS
        {
            return Some(PageRequest::Before(previous.clone()));
        }
        None
    }
}

/// Height of the scrollable body for `total` rows.
pub fn scroll_height(total: usize) -> f64 {
    (total as f64 * ROW_HEIGHT).min(MAX_SCROLL_PX)
}

/// A scroll of more than this many pixels at once is a jump (the scrollbar
/// was dragged): it maps proportionally. Smaller ones (wheel, keys) move the
/// rows pixel for pixel, however big the table.
pub const JUMP_PX: f64 = 10_000.0;

/// Where the grid is scrolled, and how its rows line up with the scrollbar.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScrollPosition {
    /// The viewport's scroll position, in pixels.
    pub top: f64,
    /// Height of the rows' part of the viewport, in pixels.
    pub height: f64,
    /// Rows between where pixels alone would put the top row and where it
    /// is: zero while the body is under the height limit and nothing moved.
    pub offset_rows: f64,
}

impl ScrollPosition {
    /// The position at the top of a viewport `height` pixels tall.
    pub fn at_top(height: f64) -> Self {
        ScrollPosition {
            top: 0.0,
            height,
            offset_rows: 0.0,
        }
    }

    /// The position after the viewport scrolled to `top`.
    pub fn scrolled(self, top: f64, height: f64, total: usize) -> Self {
        let top = top.max(0.0);
        let max_scroll = (scroll_height(total) - height).max(0.0);
        let jump = (top - self.top).abs() > JUMP_PX || top <= 0.0 || top >= max_scroll - 1.0;
        let offset_rows = if jump {
            // Proportional: the scrollbar's range covers the rows' range.
            let row_range = (total as f64 - height / ROW_HEIGHT).max(0.0);
            let proportional = if max_scroll > 0.0 {
                (top / max_scroll).min(1.0) * row_range
            } else {
                0.0
            };
            proportional - top / ROW_HEIGHT
        } else {
            self.offset_rows
        };
        ScrollPosition {
            top,
            height,
            offset_rows,
        }
    }

    /// The same position with its rows moved by `rows` (the stretch found its place).
    pub fn shifted(self, rows: isize) -> Self {
        ScrollPosition {
            offset_rows: self.offset_rows + rows as f64,
            ..self
        }
    }

    /// Which row (fractional) is at the top.
    pub fn top_row(&self, total: usize) -> f64 {
        let last_top = (total as f64 - self.height / ROW_HEIGHT).max(0.0);
        (self.top / ROW_HEIGHT + self.offset_rows).clamp(0.0, last_top)
    }

    /// Where row `index` is drawn, in pixels from the top of the body.
    pub fn row_offset(&self, index: usize, total: usize) -> f64 {
        self.top + (index as f64 - self.top_row(total)) * ROW_HEIGHT
    }

    /// Rows to put in the DOM: those in view, plus a small margin.
    pub fn visible_range(&self, total: usize) -> Range<usize> {
        let top = self.top_row(total);
        let first_visible = top.floor() as usize;
        let last_visible = (top + self.height.max(0.0) / ROW_HEIGHT).ceil() as usize;
        let start = first_visible.saturating_sub(OVERSCAN_ROWS).min(total);
        let end = (last_visible + OVERSCAN_ROWS).min(total);
        start..end.max(start)
    }

    /// The rows wholly in view, without the margin.
    pub fn rows_in_view(&self, total: usize) -> Range<usize> {
        let top = self.top_row(total);
        let first = (top.ceil() as usize).min(total);
        let end = ((top + self.height.max(0.0) / ROW_HEIGHT).floor() as usize).min(total);
        first..end.max(first)
    }
}

/// A step of the grid's keyboard cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorMove {
    /// One row up.
    Up,
    /// One row down.
    Down,
    /// One column left.
    Left,
    /// One column right.
    Right,
    /// A screenful up.
    PageUp,
    /// A screenful down.
    PageDown,
    /// The row's first column.
    RowStart,
    /// The row's last column.
    RowEnd,
    /// The first row (Ctrl+Home).
    First,
    /// The last row (Ctrl+End).
    Last,
}

impl CursorMove {
    /// The move a key press asks for, as spreadsheets have them.
    pub fn from_key(key: &str, ctrl: bool) -> Option<CursorMove> {
        Some(match (key, ctrl) {
            ("ArrowUp", _) => CursorMove::Up,
            ("ArrowDown", _) => CursorMove::Down,
            ("ArrowLeft", _) => CursorMove::Left,
            ("ArrowRight", _) => CursorMove::Right,
            ("PageUp", _) => CursorMove::PageUp,
            ("PageDown", _) => CursorMove::PageDown,
            ("Home", false) => CursorMove::RowStart,
            ("End", false) => CursorMove::RowEnd,
            ("Home", true) => CursorMove::First,
            ("End", true) => CursorMove::Last,
            _ => return None,
        })
    }
}

/// The cell the keyboard is on: a row of the whole view and a column position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CellCursor {
    /// Row number in the view, from 0.
    pub row: usize,
    /// Column position, from 0.
    pub column: usize,
}

impl CellCursor {
    /// Where `step` takes the cursor in a view of `rows` rows and `columns`
    /// columns, a screenful being `page` rows; it never leaves the view.
    pub fn moved(self, step: CursorMove, rows: usize, columns: usize, page: usize) -> CellCursor {
        let last_row = rows.saturating_sub(1);
        let last_column = columns.saturating_sub(1);
        let page = page.max(1);
        let (row, column) = match step {
            CursorMove::Up => (self.row.saturating_sub(1), self.column),
            CursorMove::Down => (self.row + 1, self.column),
            CursorMove::Left => (self.row, self.column.saturating_sub(1)),
            CursorMove::Right => (self.row, self.column + 1),
            CursorMove::PageUp => (self.row.saturating_sub(page), self.column),
            CursorMove::PageDown => (self.row + page, self.column),
            CursorMove::RowStart => (self.row, 0),
            CursorMove::RowEnd => (self.row, last_column),
            CursorMove::First => (0, self.column),
            CursorMove::Last => (last_row, self.column),
        };
        CellCursor {
            row: row.min(last_row),
            column: column.min(last_column),
        }
    }
}

/// Rows to scroll by (negative: up) so that `row` is wholly in `in_view`.
pub fn rows_to_reveal(row: usize, in_view: &Range<usize>) -> isize {
    if row < in_view.start {
        -((in_view.start - row) as isize)
    } else if in_view.end > in_view.start && row >= in_view.end {
        (row + 1 - in_view.end) as isize
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::ErrorCode;

    fn key(id: i64) -> KeysetCursor {
        KeysetCursor(vec![id.to_string()])
    }

    fn page(ids: Range<i64>, next: bool, previous: bool) -> RowPage {
        let keys: Vec<KeysetCursor> = ids.clone().map(key).collect();
        RowPage {
            versions: ids.clone().map(|id| format!("v{id}")).collect(),
            next: next.then(|| keys.last().cloned()).flatten(),
            previous: previous.then(|| keys.first().cloned()).flatten(),
            keys,
            cursors: Vec::new(),
            estimated_total: None,
            table: TableRef::new("public", "t"),
            columns: vec![ColumnInfo {
                name: "id".into(),
                data_type: "bigint".into(),
                primary_key_position: Some(1),
                editing: None,
            }],
            rows: ids.map(|id| vec![Cell::Int(id)]).collect(),
            order: RowOrder::PrimaryKey,
        }
    }

    fn opened(generation: u64, estimate: Option<usize>) -> Rc<GridState> {
        Rc::new(GridState::default()).reduce(GridAction::Open {
            table: TableRef::new("public", "t"),
            generation,
            estimate,
        })
    }

    fn loaded(state: Rc<GridState>, generation: u64, request: PageRequest, page: RowPage) -> Rc<GridState> {
        state.reduce(GridAction::PageLoaded {
            generation,
            request,
            page,
        })
    }

    fn scrolled_to(top: f64, total: usize) -> ScrollPosition {
        ScrollPosition::at_top(280.0).scrolled(top, 280.0, total)
    }

    #[test]
    fn only_rows_in_view_and_a_margin_are_rendered() {
        assert_eq!(ScrollPosition::at_top(280.0).visible_range(100_000), 0..20);
        let range = scrolled_to(28_000.0, 100_000).visible_range(100_000);
        assert_eq!(
            range,
            990..1020,
            "row 1000 is at the top, 10 rows of margin each side"
        );
        assert_eq!(ScrollPosition::at_top(280.0).visible_range(5), 0..5);
        assert_eq!(
            scrolled_to(10_000.0, 5).visible_range(5),
            0..5,
            "a short table shows whole"
        );
    }

    #[test]
    fn past_the_height_limit_jumps_are_proportional_and_small_scrolls_exact() {
        let total = 10_000_000;
        let height = 600.0;
        assert_eq!(scroll_height(total), MAX_SCROLL_PX, "never taller than the limit");
        // Dragging the scrollbar to its middle shows the middle rows.
        let middle = ScrollPosition::at_top(height).scrolled((MAX_SCROLL_PX - height) / 2.0, height, total);
        let range = middle.visible_range(total);
        assert!(range.contains(&4_999_990), "{range:?}");
        assert!(range.len() < 50);
        // The top row is drawn at the top of the viewport.
        let top = middle.top_row(total);
        assert!((middle.row_offset(top.floor() as usize, total) - middle.top).abs() <= ROW_HEIGHT);
        // A wheel turn from there moves rows pixel for pixel.
        let wheel = middle.scrolled(middle.top + 280.0, height, total);
        assert!(
            (wheel.top_row(total) - top - 10.0).abs() < 1e-6,
            "10 rows, not 10 × the scale"
        );
        // The ends of the scrollbar are the ends of the table.
        let bottom = wheel.scrolled(MAX_SCROLL_PX - height, height, total);
        assert_eq!(bottom.visible_range(total).end, total);
        let back = bottom.scrolled(0.0, height, total);
        assert_eq!(back.visible_range(total).start, 0);
        // A stretch that moves takes the view with it.
        assert_eq!(wheel.shifted(-200).top_row(total), wheel.top_row(total) - 200.0);
    }

    #[test]
    fn scrolling_on_reads_the_next_page_and_far_jumps_ask_for_a_position() {
        let state = loaded(
            opened(1, Some(1_000_000)),
            1,
            PageRequest::First,
            page(1..201, true, false),
        );
        assert_eq!(state.total, 1_000_000, "the estimate sizes the scrollbar");
        assert_eq!(state.key(0), Some(&key(1)));
        assert_eq!(state.version(199).map(String::as_str), Some("v200"));
        assert_eq!(state.wanted(&(0..30)), None, "far from the end: wait");
        assert_eq!(state.wanted(&(60..90)), Some(PageRequest::After(key(200))));
        match state.wanted(&(500_000..500_030)) {
            Some(PageRequest::Jump { position, anchor }) => {
                assert_eq!((position, anchor), (500_000, 500_000));
            }
            other => panic!("expected a jump, got {other:?}"),
        }
        assert!(matches!(
            state.wanted(&(999_980..1_000_000)),
            Some(PageRequest::Jump {
                position: POSITION_END,
                ..
            })
        ));
        let busy = state.reduce(GridAction::LoadStarted);
        assert_eq!(busy.wanted(&(60..90)), None, "never two requests at once");
    }

    #[test]
    fn a_jump_lands_at_its_anchor_and_reads_both_ways() {
        let state = loaded(
            opened(1, Some(1_000_000)),
            1,
            PageRequest::First,
            page(1..201, true, false),
        );
        let state = state.reduce(GridAction::Jump {
            generation: 2,
            anchor: 500_000,
        });
        // A late reply from before the jump is dropped.
        let state = loaded(state, 1, PageRequest::After(key(200)), page(201..401, true, true));
        assert_eq!(state.loaded(), 0);
        let request = PageRequest::Jump {
            position: 500_000,
            anchor: 500_000,
        };
        let state = loaded(state, 2, request, page(499_001..499_201, true, true));
        assert_eq!(state.base, 500_000);
        assert!(!state.exact_positions, "row numbers are estimates after a jump");
        assert_eq!(state.row(500_000), Some(&vec![Cell::Int(499_001)]));
        assert_eq!(
            state.wanted(&(500_010..500_040)),
            Some(PageRequest::Before(key(499_001))),
            "near the stretch's start: read backwards"
        );
        let state = loaded(
            state,
            2,
            PageRequest::Before(key(499_001)),
            page(498_801..499_001, true, true),
        );
        assert_eq!(state.base, 499_800);
        assert_eq!(state.row(499_800), Some(&vec![Cell::Int(498_801)]));
        assert_eq!(
            state.row(500_000),
            Some(&vec![Cell::Int(499_001)]),
            "rows keep their places"
        );
    }

    #[test]
    fn reaching_the_first_row_makes_row_numbers_exact() {
        let state = opened(1, Some(1000)).reduce(GridAction::Jump {
            generation: 2,
            anchor: 300,
        });
        // The estimate was off: only 100 rows come before the landing page.
        let request = PageRequest::Jump {
            position: 300_000,
            anchor: 300,
        };
        let state = loaded(state, 2, request, page(101..301, true, true));
        let state = loaded(state, 2, PageRequest::Before(key(101)), page(1..101, true, false));
        assert_eq!(state.base, 0);
        assert!(state.exact_positions);
        assert_eq!(state.row(0), Some(&vec![Cell::Int(1)]));
        assert_eq!(state.shift.1, -200, "the view follows the rows up by 200");
    }

    #[test]
    fn the_stretch_stays_bounded_while_scrolling_through_a_big_table() {
        let mut state = loaded(
            opened(1, Some(1_000_000)),
            1,
            PageRequest::First,
            page(1..201, true, false),
        );
        for start in (201..20_001).step_by(200) {
            let after = state.next.clone().unwrap();
            state = loaded(
                state,
                1,
                PageRequest::After(after),
                page(start..start + 200, true, true),
            );
        }
        assert_eq!(state.loaded(), MAX_LOADED_ROWS, "memory stays flat");
        assert_eq!(state.base, 20_000 - MAX_LOADED_ROWS);
        assert_eq!(state.row(19_999), Some(&vec![Cell::Int(20_000)]));
        assert_eq!(state.row(0), None, "early rows were dropped");
        assert_eq!(state.previous, Some(key(20_001 - MAX_LOADED_ROWS as i64)));
        assert!(state.exact_positions);
    }

    #[test]
    fn a_refresh_replaces_rows_in_place_and_marks_the_changed_ones() {
        let state = loaded(opened(1, None), 1, PageRequest::First, page(1..201, true, false));
        assert_eq!(state.refresh_from(50), Some((50, Some(key(50)))));
        assert_eq!(state.refresh_from(0), Some((0, None)));
        let mut fresh = page(51..251, true, true);
        fresh.rows[1] = vec![Cell::Text("changed".into())];
        let state = state.reduce(GridAction::Refreshed {
            generation: 1,
            base: 50,
            after: Some(key(50)),
            page: fresh,
        });
        assert_eq!(state.base, 50);
        assert_eq!(state.row(51), Some(&vec![Cell::Text("changed".into())]));
        assert_eq!(state.row(50), Some(&vec![Cell::Int(51)]));
        let expected: std::collections::BTreeSet<KeysetCursor> =
            std::iter::once(key(52)).chain((201..=250).map(key)).collect();
        assert_eq!(
            *state.changed, expected,
            "the edited row and the rows not loaded before"
        );
        assert_eq!(state.previous, Some(key(50)));
        // The same rows again: the marks stay.
        let mut same = page(51..251, true, true);
        same.rows[1] = vec![Cell::Text("changed".into())];
        let again = state.clone().reduce(GridAction::Refreshed {
            generation: 1,
            base: 50,
            after: Some(key(50)),
            page: same,
        });
        assert_eq!(*again.changed, expected, "nothing new: the marks stay");
    }

    #[test]
    fn a_filtered_views_estimate_sizes_the_scrollbar() {
        let mut first = page(1..201, true, false);
        first.estimated_total = Some(40_000);
        let state = loaded(opened(1, None), 1, PageRequest::First, first);
        assert_eq!((state.total, state.estimate), (40_000, Some(40_000)));
        assert!(matches!(
            state.wanted(&(20_000..20_030)),
            Some(PageRequest::Jump { .. })
        ));
    }

    #[test]
    fn the_end_makes_the_total_exact_and_failures_keep_rows() {
        let state = loaded(opened(1, None), 1, PageRequest::First, page(1..201, true, false));
        assert_eq!(state.total, 400, "unknown size: one more page than loaded");
        let state = loaded(
            state,
            1,
            PageRequest::After(key(200)),
            page(201..251, false, true),
        );
        assert_eq!(state.total, 250);
        assert_eq!(state.wanted(&(230..250)), None, "the end was reached");
        let failed = state
            .clone()
            .reduce(GridAction::LoadStarted)
            .reduce(GridAction::PageFailed {
                generation: 1,
                error: ApiError::new(ErrorCode::ConnectionFailed, "lost"),
            });
        assert_eq!(failed.loaded(), 250);
        assert!(failed.error.is_some());
        // A duplicate reply is not placed twice.
        let again = loaded(
            state,
            1,
            PageRequest::After(key(200)),
            page(201..251, false, true),
        );
        assert_eq!(again.loaded(), 250);
    }

    #[test]
    fn the_keyboard_cursor_moves_like_a_spreadsheet_and_stays_in_the_view() {
        let at = |row, column| CellCursor { row, column };
        let (rows, columns, page) = (1_000_000, 12, 20);
        assert_eq!(at(0, 0).moved(CursorMove::Up, rows, columns, page), at(0, 0));
        assert_eq!(at(0, 0).moved(CursorMove::Down, rows, columns, page), at(1, 0));
        assert_eq!(at(5, 0).moved(CursorMove::Left, rows, columns, page), at(5, 0));
        assert_eq!(at(5, 11).moved(CursorMove::Right, rows, columns, page), at(5, 11));
        assert_eq!(
            at(5, 3).moved(CursorMove::PageDown, rows, columns, page),
            at(25, 3)
        );
        assert_eq!(at(5, 3).moved(CursorMove::PageUp, rows, columns, page), at(0, 3));
        assert_eq!(at(5, 3).moved(CursorMove::RowEnd, rows, columns, page), at(5, 11));
        assert_eq!(
            at(5, 3).moved(CursorMove::RowStart, rows, columns, page),
            at(5, 0)
        );
        assert_eq!(
            at(5, 3).moved(CursorMove::Last, rows, columns, page),
            at(999_999, 3)
        );
        assert_eq!(
            at(999_990, 3).moved(CursorMove::PageDown, rows, columns, page),
            at(999_999, 3)
        );
        assert_eq!(at(7, 3).moved(CursorMove::First, rows, columns, page), at(0, 3));
        assert_eq!(
            at(0, 0).moved(CursorMove::Down, 0, 0, page),
            at(0, 0),
            "an empty table"
        );
        assert_eq!(CursorMove::from_key("End", true), Some(CursorMove::Last));
        assert_eq!(CursorMove::from_key("End", false), Some(CursorMove::RowEnd));
        assert_eq!(CursorMove::from_key("a", false), None);
    }

    #[test]
    fn the_view_scrolls_just_enough_to_show_the_cursor() {
        assert_eq!(rows_to_reveal(15, &(10..30)), 0);
        assert_eq!(rows_to_reveal(30, &(10..30)), 1);
        assert_eq!(rows_to_reveal(49, &(10..30)), 20);
        assert_eq!(rows_to_reveal(4, &(10..30)), -6);
        let position = ScrollPosition::at_top(280.0);
        assert_eq!(position.rows_in_view(1_000), 0..10);
        assert_eq!(position.rows_in_view(4), 0..4);
    }
}
