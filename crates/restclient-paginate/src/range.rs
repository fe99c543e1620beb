//! The shared engine of [`OffsetPaginator`](crate::OffsetPaginator) and
//! [`PageNumberPaginator`](crate::PageNumberPaginator) (dlt's `RangePaginator`, §2.3).

use restclient_core::Request;
use restclient_select::Selector;
use serde_json::Value;

use crate::error::excerpt;
use crate::paginator::wrong_state;
use crate::request::Placement;
use crate::values::{has_more_veto, python_int};
use crate::{PageContext, PaginateError, PaginatorState};

/// dlt's `RangePaginator`: a number that grows by a fixed step, stopped by an empty page, a total,
/// a maximum or a has_more flag.
#[derive(Debug, Clone)]
pub(crate) struct RangeEngine {
    placement: Placement,
    initial_value: i64,
    value_step: i64,
    base_index: i64,
    maximum_value: Option<i64>,
    total_path: Option<Selector>,
    has_more_path: Option<Selector>,
    stop_after_empty_page: bool,
    /// `items` or `pages`, for error messages.
    noun: &'static str,
    pub(crate) current: i64,
    total: Option<i64>,
    pub(crate) has_next: bool,
}

/// What ends a range: dlt's four stop conditions.
#[derive(Debug, Clone)]
pub(crate) struct RangeStops {
    /// Exclusive upper bound of the value.
    pub(crate) maximum_value: Option<i64>,
    /// Where the total is read.
    pub(crate) total_path: Option<Selector>,
    /// Where a has_more flag is read.
    pub(crate) has_more_path: Option<Selector>,
    /// Stop at the first empty page.
    pub(crate) stop_after_empty_page: bool,
}

impl RangeEngine {
    /// A range starting at `initial_value` that grows by `value_step`; a total counts from
    /// `base_index`. `noun` (`items` or `pages`) names what the total counts in errors.
    pub(crate) fn new(
        placement: Placement,
        initial_value: i64,
        value_step: i64,
        base_index: i64,
        noun: &'static str,
        stops: RangeStops,
    ) -> RangeEngine {
        let RangeStops {
            maximum_value,
            total_path,
            has_more_path,
            stop_after_empty_page,
        } = stops;
        RangeEngine {
            placement,
            initial_value,
            value_step,
            base_index,
            maximum_value,
            total_path,
            has_more_path,
            stop_after_empty_page,
            noun,
            current: initial_value,
            total: None,
            has_next: true,
        }
    }

    /// Construction-time validation shared by both paginators.
    pub(crate) fn check_termination(&self, maximum_name: &str) -> Result<(), PaginateError> {
        if self.total_path.is_none()
            && self.maximum_value.is_none()
            && self.has_more_path.is_none()
            && !self.stop_after_empty_page
        {
            return Err(PaginateError::config(format!(
                "One of `total_path`, `{maximum_name}`, `has_more_path`, or `stop_after_empty_page` must be provided."
            )));
        }
        Ok(())
    }

    pub(crate) fn selectors(&self) -> Vec<Selector> {
        self.total_path
            .iter()
            .chain(self.has_more_path.iter())
            .cloned()
            .collect()
    }

    pub(crate) fn init(&mut self) {
        self.has_next = true;
        self.current = self.initial_value;
        self.total = None;
    }

    pub(crate) fn update_state(&mut self, page: &PageContext<'_>) -> Result<(), PaginateError> {
        // 1. empty-page stop; total and has_more are not read (dlt P67)
        if self.stop_after_empty_page && page.records.is_empty() {
            self.has_next = false;
            return Ok(());
        }
        // 2. total
        if let Some(path) = &self.total_path {
            let found = page.document.first(path)?;
            let record = match found {
                Some(r) if !r.is_null() => r,
                _ => {
                    return Err(PaginateError::MissingTotal {
                        noun: self.noun,
                        path: path.as_str().to_owned(),
                    });
                }
            };
            let total = python_int(&record).ok_or_else(|| PaginateError::InvalidTotal {
                noun: self.noun,
                path: path.as_str().to_owned(),
                excerpt: excerpt(record.as_bytes()),
            })?;
            self.total = Some(total);
        }
        // 3. advance
        self.current = self.current.saturating_add(self.value_step);
        // 4. total or maximum stop
        if self
            .total
            .is_some_and(|t| self.current >= t.saturating_add(self.base_index))
            || self.maximum_value.is_some_and(|m| self.current >= m)
        {
            self.has_next = false;
        }
        // 5. has_more: read even after a stop, and can only veto
        self.has_next = has_more_veto(self.has_more_path.as_ref(), page, self.has_next)?;
        Ok(())
    }

    /// The requests after `next` (which carries `current`), at most `count`: within the total
    /// once one was read, within the maximum, and speculatively when neither bounds them; none
    /// while a configured total is still unknown (before the first response).
    pub(crate) fn requests_ahead(&self, next: &Request, count: usize) -> Vec<Request> {
        if !self.has_next || self.value_step <= 0 {
            return Vec::new();
        }
        let by_total = match (self.total, &self.total_path) {
            (Some(total), _) => Some(total.saturating_add(self.base_index)),
            (None, Some(_)) => return Vec::new(),
            (None, None) => None,
        };
        let bound = match (by_total, self.maximum_value) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut ahead = Vec::with_capacity(count);
        let mut value = self.current;
        for _ in 0..count {
            value = value.saturating_add(self.value_step);
            if bound.is_some_and(|b| value >= b) || value == i64::MAX {
                break;
            }
            let mut request = next.clone();
            if self.placement.apply(&mut request, &Value::from(value)).is_err() {
                break;
            }
            ahead.push(request);
        }
        ahead
    }

    pub(crate) fn place_current(&self, request: &mut Request) -> Result<(), PaginateError> {
        self.placement.apply(request, &Value::from(self.current))
    }

    pub(crate) fn state(&self) -> PaginatorState {
        PaginatorState::Range {
            current: self.current,
            total: self.total,
            has_next_page: self.has_next,
        }
    }

    pub(crate) fn restore(&mut self, state: &PaginatorState) -> Result<(), PaginateError> {
        match state {
            PaginatorState::Range {
                current,
                total,
                has_next_page,
            } => {
                self.current = *current;
                self.total = *total;
                self.has_next = *has_next_page;
                Ok(())
            }
            other => Err(wrong_state("range", other)),
        }
    }
}

/// Parses an optional JSONPath given in a config, naming the option in the error.
pub(crate) fn parse_path(option: &str, path: Option<&str>) -> Result<Option<Selector>, PaginateError> {
    path.map(|p| Selector::parse(p).map_err(|e| PaginateError::config(format!("invalid `{option}`: {e}"))))
        .transpose()
}
