//! Paged listings: how many items a page may hold.

use crate::domain::error::ShopError;

pub const DEFAULT_PAGE_SIZE: i32 = 24;
pub const MAX_PAGE_SIZE: i32 = 100;

/// The `limit` query parameter: absent means the default; anything but a whole
/// number in range is malformed.
pub fn parse_page_size(raw: Option<&str>) -> Result<i32, ShopError> {
    match raw {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(v) => match v.parse::<i32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
            _ => Err(ShopError::Malformed(format!(
                "limit must be a whole number from 1 to {MAX_PAGE_SIZE}"
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_defaults_and_bounds() {
        assert_eq!(parse_page_size(None).unwrap(), DEFAULT_PAGE_SIZE);
        assert_eq!(parse_page_size(Some("100")).unwrap(), 100);
        for bad in ["0", "101", "-1", "ten", ""] {
            assert!(
                matches!(parse_page_size(Some(bad)), Err(ShopError::Malformed(_))),
                "{bad}"
            );
        }
    }
}
