//! Lists come in pages: `{"items": [...], "next": "<cursor>" | null}`; pass `next` back as
//! `?cursor=` for the following page. Lists the services return whole are cut into pages here,
//! with the position as the cursor.
use app::error::AppError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;

#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor of the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,9}$")]
    pub cursor: Option<String>,
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

pub fn bad_cursor() -> ApiError {
    ApiError(AppError::invalid("cursor", "Pass back the `next` value of the previous page"))
}

/// A message sequence given back as a cursor: the digits of a `next`, nothing else (no sign).
pub fn seq_cursor(cursor: &str) -> Result<i64, ApiError> {
    let digits = (1..=18).contains(&cursor.len()) && cursor.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| cursor.parse().ok()).flatten().ok_or_else(bad_cursor)
}

/// The page size asked for, within 1..=100.
pub fn limit(asked: Option<u32>) -> Result<u32, ApiError> {
    match asked {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError(AppError::invalid("limit", format!("A page holds 1 to {MAX_LIMIT} items")))),
    }
}

/// One page of a whole list.
pub fn paginate<T>(all: Vec<T>, cursor: Option<&str>, asked_limit: Option<u32>) -> Result<Page<T>, ApiError> {
    let limit = limit(asked_limit)? as usize;
    let start = match cursor {
        None => 0,
        Some(c) if c.len() <= 9 && c.bytes().all(|b| b.is_ascii_digit()) => c.parse::<usize>().map_err(|_| bad_cursor())?,
        Some(_) => return Err(bad_cursor()),
    };
    let end = start.saturating_add(limit).min(all.len());
    let next = (end < all.len()).then(|| end.to_string());
    let items = all.into_iter().skip(start).take(limit).collect();
    Ok(Page { items, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_each_other_until_the_end() {
        let first = paginate((1..=5).collect(), None, Some(2)).unwrap();
        assert_eq!((first.items, first.next.as_deref()), (vec![1, 2], Some("2")));
        let last = paginate((1..=5).collect(), Some("4"), Some(2)).unwrap();
        assert_eq!((last.items, last.next), (vec![5], None));
        let past = paginate((1..=5).collect::<Vec<i32>>(), Some("9"), None).unwrap();
        assert!(past.items.is_empty() && past.next.is_none());
    }

    #[test]
    fn bad_cursors_and_limits_are_refused() {
        for cursor in ["x", "-1", "1.5", "1234567890"] {
            assert!(paginate(vec![1], Some(cursor), None).is_err(), "{cursor}");
        }
        for n in [0, 101] {
            assert!(paginate(vec![1], None, Some(n)).is_err(), "{n}");
        }
    }
}
