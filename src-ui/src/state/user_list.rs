//! The users screen's list: what is asked for, the cursors of the pages
//! walked so far (keyset paging both ways without OFFSET), and the selection.

use fluxdesk_types::{UserFilters, UserListRequest, UserSort};
use std::collections::BTreeSet;

/// Users per page.
pub const PAGE_SIZE: u32 = 100;

/// The list's state.
#[derive(Debug, Clone, PartialEq)]
pub struct UserList {
    /// Search, filters and sort (without a cursor).
    pub query: UserListRequest,
    /// The `after` cursor of each page walked, the first page's being none.
    pub pages: Vec<Option<String>>,
    /// Selected user ids (they stay selected across pages).
    pub selected: BTreeSet<String>,
    /// Bumped on every change of query or page, so late replies are dropped.
    pub generation: u64,
}

impl Default for UserList {
    fn default() -> Self {
        UserList {
            query: UserListRequest {
                sort: UserSort::CreatedAt,
                descending: true,
                limit: PAGE_SIZE,
                ..UserListRequest::default()
            },
            pages: vec![None],
            selected: BTreeSet::new(),
            generation: 0,
        }
    }
}

/// What can happen to the list.
#[derive(Debug, Clone, PartialEq)]
pub enum UserListAction {
    /// Search text typed.
    Search(String),
    /// Filters changed.
    Filter(UserFilters),
    /// A header clicked: sort by it, or flip the direction if it already is.
    SortBy(UserSort),
    /// The next page, after this cursor.
    Next(String),
    /// Back one page.
    Previous,
    /// Select or unselect a user.
    Toggle(String),
    /// Select these (the page shown) or, if all are selected, unselect them.
    ToggleAll(Vec<String>),
    /// Forget the selection.
    ClearSelection,
    /// Read the current page again (after a change).
    Reload,
}

impl UserList {
    /// The request for the page shown.
    pub fn request(&self) -> UserListRequest {
        UserListRequest {
            after: self.pages.last().cloned().flatten(),
            ..self.query.clone()
        }
    }

    /// The page shown, counting from 1.
    pub fn page_number(&self) -> usize {
        self.pages.len()
    }

    /// Applies an action.
    pub fn apply(&mut self, action: UserListAction) {
        match action {
            UserListAction::Search(text) => {
                self.query.search = text;
                self.restart();
            }
            UserListAction::Filter(filters) => {
                self.query.filters = filters;
                self.restart();
            }
            UserListAction::SortBy(sort) => {
                if self.query.sort == sort {
                    self.query.descending = !self.query.descending;
                } else {
                    self.query.sort = sort;
                    // Times and counts read best newest or biggest first.
                    self.query.descending = matches!(
                        sort,
                        UserSort::CreatedAt
                            | UserSort::LastSignIn
                            | UserSort::ActiveSessions
                            | UserSort::Locked
                    );
                }
                self.restart();
            }
            UserListAction::Next(cursor) => {
                self.pages.push(Some(cursor));
                self.generation += 1;
            }
            UserListAction::Previous => {
                if self.pages.len() > 1 {
                    self.pages.pop();
                    self.generation += 1;
                }
            }
            UserListAction::Toggle(id) => {
                if !self.selected.remove(&id) {
                    self.selected.insert(id);
                }
            }
            UserListAction::ToggleAll(ids) => {
                if ids.iter().all(|id| self.selected.contains(id)) {
                    for id in &ids {
                        self.selected.remove(id);
                    }
                } else {
                    self.selected.extend(ids);
                }
            }
            UserListAction::ClearSelection => self.selected.clear(),
            UserListAction::Reload => self.generation += 1,
        }
    }

    fn restart(&mut self) {
        self.pages = vec![None];
        self.generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_forwards_by_cursor_and_back_by_the_ones_kept() {
        let mut list = UserList::default();
        assert_eq!(list.request().after, None);
        list.apply(UserListAction::Next("c1".into()));
        list.apply(UserListAction::Next("c2".into()));
        assert_eq!(
            (list.request().after.as_deref(), list.page_number()),
            (Some("c2"), 3)
        );
        list.apply(UserListAction::Previous);
        assert_eq!(list.request().after.as_deref(), Some("c1"));
        list.apply(UserListAction::Previous);
        list.apply(UserListAction::Previous);
        assert_eq!((list.request().after, list.page_number()), (None, 1));
    }

    #[test]
    fn a_new_search_filter_or_sort_starts_again_from_the_first_page() {
        let mut list = UserList::default();
        list.apply(UserListAction::Next("c1".into()));
        let before = list.generation;
        list.apply(UserListAction::Search("ivan".into()));
        assert_eq!((list.page_number(), list.query.search.as_str()), (1, "ivan"));
        assert!(list.generation > before);
        list.apply(UserListAction::Next("c1".into()));
        list.apply(UserListAction::SortBy(UserSort::Email));
        assert_eq!(
            (list.page_number(), list.query.sort, list.query.descending),
            (1, UserSort::Email, false)
        );
        list.apply(UserListAction::SortBy(UserSort::Email));
        assert!(list.query.descending, "a second click flips the direction");
        list.apply(UserListAction::SortBy(UserSort::LastSignIn));
        assert!(list.query.descending, "newest sign-ins first");
    }

    #[test]
    fn the_selection_survives_paging_and_toggles_a_page_at_once() {
        let mut list = UserList::default();
        list.apply(UserListAction::Toggle("a".into()));
        list.apply(UserListAction::Next("c1".into()));
        list.apply(UserListAction::ToggleAll(vec!["b".into(), "c".into()]));
        assert_eq!(list.selected.len(), 3);
        list.apply(UserListAction::ToggleAll(vec!["b".into(), "c".into()]));
        assert_eq!(list.selected.iter().collect::<Vec<_>>(), vec!["a"]);
        list.apply(UserListAction::Toggle("a".into()));
        assert!(list.selected.is_empty());
    }
}
