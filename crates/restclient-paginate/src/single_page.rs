//! [`SinglePagePaginator`]: exactly one request (dlt §2.2).

use restclient_core::Request;

use crate::paginator::wrong_state;
use crate::{PageContext, PaginateError, Paginator, PaginatorConfig, PaginatorState};

/// Exactly one request, whatever the response says (Link headers and `next` keys are ignored).
///
/// ```
/// use restclient_paginate::{Paginator, SinglePagePaginator};
/// assert!(SinglePagePaginator::new().has_next_page());
/// ```
#[derive(Debug, Clone)]
pub struct SinglePagePaginator {
    has_next: bool,
}

impl SinglePagePaginator {
    /// A single-page paginator.
    pub fn new() -> SinglePagePaginator {
        SinglePagePaginator { has_next: true }
    }
}

impl Default for SinglePagePaginator {
    fn default() -> Self {
        SinglePagePaginator::new()
    }
}

impl Paginator for SinglePagePaginator {
    fn name(&self) -> &'static str {
        "single_page"
    }

    fn init_request(&mut self, _request: &mut Request) -> Result<(), PaginateError> {
        self.has_next = true;
        Ok(())
    }

    fn update_state(&mut self, _page: &PageContext<'_>) -> Result<(), PaginateError> {
        self.has_next = false;
        Ok(())
    }

    fn update_request(&mut self, _request: &mut Request) -> Result<(), PaginateError> {
        Ok(())
    }

    fn has_next_page(&self) -> bool {
        self.has_next
    }

    fn config(&self) -> Option<PaginatorConfig> {
        Some(PaginatorConfig::SinglePage)
    }

    fn state(&self) -> PaginatorState {
        PaginatorState::SinglePage {
            has_next_page: self.has_next,
        }
    }

    fn restore(&mut self, state: &PaginatorState) -> Result<(), PaginateError> {
        match state {
            PaginatorState::SinglePage { has_next_page } => {
                self.has_next = *has_next_page;
                Ok(())
            }
            other => Err(wrong_state("single_page", other)),
        }
    }

    fn box_clone(&self) -> Box<dyn Paginator> {
        Box::new(self.clone())
    }
}
