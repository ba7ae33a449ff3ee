//! The data grid's rows and which of them are on screen.
//!
//! Only the rows in view, plus a small margin, are put in the DOM; the rest
//! exist only as data. Pages are appended as the user scrolls near the end.

use fluxdesk_types::{ApiError, Cell, ColumnInfo, KeysetCursor, RowOrder, RowPage, TableRef};
use std::ops::Range;
use std::rc::Rc;
use yew::prelude::*;

/// Height of one grid row in CSS pixels (must match `.grid-row` in styles.css).
pub const ROW_HEIGHT: f64 = 28.0;
/// Rows rendered above and below the visible ones, so fast scrolling shows no gaps.
pub const OVERSCAN_ROWS: usize = 10;
/// Rows fetched per page. Every page but the last holds exactly this many.
pub const PAGE_ROWS: u32 = 200;
/// Start fetching the next page when the view comes this close to the last loaded row.
pub const PREFETCH_ROWS: usize = 150;

/// One row, shared between renders without copying its cells.
pub type Row = Vec<Cell>;

/// Everything the grid shows for one table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GridState {
    /// The table on display.
    pub table: Option<TableRef>,
    /// Bumped whenever another table opens, so late replies for the old one are dropped.
    pub generation: u64,
    /// Column headers.
    pub columns: Rc<Vec<ColumnInfo>>,
    /// Loaded pages, in order. Appending a page copies only this list of
    /// pointers, never the rows.
    pages: Rc<Vec<Rc<Vec<Row>>>>,
    /// Each loaded row's key, page by page, to open a row whole.
    key_pages: Rc<Vec<Rc<Vec<KeysetCursor>>>>,
    /// Each loaded row's version (when read), page by page, for editing.
    version_pages: Rc<Vec<Rc<Vec<String>>>>,
    /// Rows loaded so far.
    pub row_count: usize,
    /// How rows are ordered.
    pub order: Option<RowOrder>,
    /// Where the next page starts; `None` once the end is reached.
    pub next: Option<KeysetCursor>,
    /// Whether the first page has arrived.
    pub first_page_loaded: bool,
    /// A page request is in flight.
    pub loading: bool,
    /// The last request failed; rows already loaded stay.
    pub error: Option<ApiError>,
}

/// Things that happen to the grid.
#[derive(Debug, Clone)]
pub enum GridAction {
    /// Show another table, starting empty.
    Open {
        /// The table.
        table: TableRef,
        /// Its generation number.
        generation: u64,
    },
    /// A page request was sent.
    LoadStarted,
    /// A page arrived.
    PageLoaded {
        /// Generation it was requested for.
        generation: u64,
        /// The cursor it was requested after.
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

impl Reducible for GridState {
    type Action = GridAction;

    fn reduce(self: Rc<Self>, action: GridAction) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            GridAction::Open { table, generation } => {
                // Reopening the same table (another filter) keeps its columns,
                // so the filter bar stays usable even if the new filter fails.
                // Its order is kept too, so the edit tools (and their
                // messages) stay while it reloads.
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
                    ..GridState::default()
                };
            }
            GridAction::LoadStarted => {
                next.loading = true;
                next.error = None;
            }
            GridAction::PageLoaded {
                generation,
                after,
                page,
            } if generation == next.generation && next.continues_with(&after) => {
                if !next.first_page_loaded {
                    next.columns = Rc::new(page.columns);
                }
                next.row_count += page.rows.len();
                let mut pages = Rc::unwrap_or_clone(next.pages);
                pages.push(Rc::new(page.rows));
                next.pages = Rc::new(pages);
                let mut key_pages = Rc::unwrap_or_clone(next.key_pages);
                key_pages.push(Rc::new(page.keys));
                next.key_pages = Rc::new(key_pages);
                let mut version_pages = Rc::unwrap_or_clone(next.version_pages);
                version_pages.push(Rc::new(page.versions));
                next.version_pages = Rc::new(version_pages);
                next.order = Some(page.order);
                next.next = page.next;
                next.first_page_loaded = true;
                next.loading = false;
                next.error = None;
            }
            GridAction::PageFailed { generation, error } if generation == next.generation => {
                next.loading = false;
                next.error = Some(error);
            }
            // A reply for a table no longer open, or a duplicate of a page
            // already appended (two requests for the same cursor).
            GridAction::PageLoaded { .. } | GridAction::PageFailed { .. } => {}
        }
        Rc::new(next)
    }
}

impl GridState {
    /// Whether a page requested after `after` is the one that comes next.
    fn continues_with(&self, after: &Option<KeysetCursor>) -> bool {
        if self.first_page_loaded {
            after.is_some() && *after == self.next
        } else {
            after.is_none()
        }
    }

    /// Row `index`, if loaded.
    pub fn row(&self, index: usize) -> Option<&Row> {
        let page_rows = PAGE_ROWS as usize;
        self.pages.get(index / page_rows)?.get(index % page_rows)
    }

    /// The key of row `index`, if loaded and the rows have keys.
    pub fn key(&self, index: usize) -> Option<&KeysetCursor> {
        let page_rows = PAGE_ROWS as usize;
        self.key_pages.get(index / page_rows)?.get(index % page_rows)
    }

    /// The version row `index` was read at, if loaded and the rows can be edited.
    pub fn version(&self, index: usize) -> Option<&String> {
        let page_rows = PAGE_ROWS as usize;
        self.version_pages.get(index / page_rows)?.get(index % page_rows)
    }

    /// Whether the rows on display can be edited (a table, not a view).
    pub fn editable(&self) -> bool {
        self.order.is_some_and(|order| order != RowOrder::Unordered)
            && self.columns.iter().any(|c| c.editing.is_some())
    }

    /// Whether the view has come close enough to the end to fetch more.
    pub fn wants_more(&self, visible_end: usize) -> bool {
        self.first_page_loaded
            && !self.loading
            && self.error.is_none()
            && self.next.is_some()
            && visible_end + PREFETCH_ROWS >= self.row_count
    }
}

/// Rows to put in the DOM for a viewport scrolled to `scroll_top` and
/// `viewport_height` pixels tall, over `row_count` rows.
pub fn visible_range(scroll_top: f64, viewport_height: f64, row_count: usize) -> Range<usize> {
    let scroll_top = scroll_top.max(0.0);
    let first_visible = (scroll_top / ROW_HEIGHT).floor() as usize;
    let last_visible = ((scroll_top + viewport_height.max(0.0)) / ROW_HEIGHT).ceil() as usize;
    let start = first_visible.saturating_sub(OVERSCAN_ROWS).min(row_count);
    let end = (last_visible + OVERSCAN_ROWS).min(row_count);
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::ErrorCode;

    fn page(ids: Range<i64>, next: Option<&str>) -> RowPage {
        RowPage {
            versions: Vec::new(),
            keys: ids.clone().map(|id| KeysetCursor(vec![id.to_string()])).collect(),
            table: TableRef::new("public", "t"),
            columns: vec![ColumnInfo {
                name: "id".into(),
                data_type: "bigint".into(),
                primary_key_position: Some(1),
                editing: None,
            }],
            rows: ids.map(|id| vec![Cell::Int(id)]).collect(),
            order: RowOrder::PrimaryKey,
            next: next.map(|n| KeysetCursor(vec![n.into()])),
        }
    }

    fn cursor(value: &str) -> Option<KeysetCursor> {
        Some(KeysetCursor(vec![value.into()]))
    }

    fn opened(generation: u64) -> Rc<GridState> {
        Rc::new(GridState::default()).reduce(GridAction::Open {
            table: TableRef::new("public", "t"),
            generation,
        })
    }

    #[test]
    fn only_rows_in_view_and_a_margin_are_rendered() {
        assert_eq!(visible_range(0.0, 280.0, 1_000_000), 0..20);
        let range = visible_range(28_000.0, 280.0, 1_000_000);
        assert_eq!(
            range,
            990..1020,
            "row 1000 is at the top, 10 rows of margin each side"
        );
        assert!(range.len() < 50, "a screenful, never the whole table");
        assert_eq!(visible_range(0.0, 280.0, 5), 0..5);
        assert_eq!(
            visible_range(10_000.0, 280.0, 5),
            5..5,
            "scrolled past the end renders nothing"
        );
    }

    #[test]
    fn rows_keep_their_keys_and_a_refiltered_table_keeps_its_columns() {
        let state = opened(1).reduce(GridAction::PageLoaded {
            generation: 1,
            after: None,
            page: page(1..201, Some("200")),
        });
        assert_eq!(state.key(0), Some(&KeysetCursor(vec!["1".into()])));
        assert_eq!(state.key(199), Some(&KeysetCursor(vec!["200".into()])));
        assert_eq!(state.key(200), None);
        let refiltered = state.reduce(GridAction::Open {
            table: TableRef::new("public", "t"),
            generation: 2,
        });
        assert_eq!(
            refiltered.columns.len(),
            1,
            "same table: the filter bar keeps its columns"
        );
        assert_eq!(refiltered.row_count, 0);
        let other = refiltered.reduce(GridAction::Open {
            table: TableRef::new("public", "other"),
            generation: 3,
        });
        assert!(other.columns.is_empty());
    }

    #[test]
    fn pages_append_and_stale_replies_are_ignored() {
        let state = opened(1).reduce(GridAction::PageLoaded {
            generation: 1,
            after: None,
            page: page(1..201, Some("200")),
        });
        assert_eq!(state.row_count, 200);
        assert!(state.wants_more(100), "100 rows from the end: prefetch");
        assert!(!state.wants_more(10), "far from the end: wait");

        let state = state.reduce(GridAction::LoadStarted);
        assert!(!state.wants_more(199), "never two requests at once");
        let state = state.reduce(GridAction::PageLoaded {
            generation: 1,
            after: cursor("200"),
            page: page(201..251, None),
        });
        assert_eq!(state.row_count, 250);
        assert_eq!(state.row(0), Some(&vec![Cell::Int(1)]));
        assert_eq!(
            state.row(200),
            Some(&vec![Cell::Int(201)]),
            "rows are found across pages"
        );
        assert_eq!(state.row(249), Some(&vec![Cell::Int(250)]));
        assert_eq!(state.row(250), None);
        assert_eq!(state.next, None);
        assert!(!state.wants_more(249), "the end was reached");

        let reopened = state.reduce(GridAction::Open {
            table: TableRef::new("public", "t"),
            generation: 2,
        });
        let reopened = reopened.reduce(GridAction::PageLoaded {
            generation: 1,
            after: None,
            page: page(1..5, None),
        });
        assert_eq!(reopened.row_count, 0, "a late reply for the old table is dropped");
    }

    #[test]
    fn a_duplicate_page_is_not_appended_twice() {
        let first = GridAction::PageLoaded {
            generation: 1,
            after: None,
            page: page(1..201, Some("200")),
        };
        let second = GridAction::PageLoaded {
            generation: 1,
            after: cursor("200"),
            page: page(201..401, Some("400")),
        };
        let state = opened(1)
            .reduce(first.clone())
            .reduce(second.clone())
            .reduce(second)
            .reduce(first);
        assert_eq!(state.row_count, 400, "replies to repeated requests are dropped");
        assert_eq!(state.next, cursor("400"));
    }

    #[test]
    fn a_failed_page_keeps_the_rows_already_loaded() {
        let state = opened(3)
            .reduce(GridAction::PageLoaded {
                generation: 3,
                after: None,
                page: page(1..201, Some("200")),
            })
            .reduce(GridAction::LoadStarted)
            .reduce(GridAction::PageFailed {
                generation: 3,
                error: ApiError::new(ErrorCode::ConnectionFailed, "lost"),
            });
        assert_eq!(state.row_count, 200);
        assert!(state.error.is_some());
        assert!(!state.wants_more(199), "no retry loop; the user retries");
    }
}
