//! The opaque `cursor` of search pages: the sort values of a page's last hit, for
//! `search_after`, with the sort they belong to. A cursor comes back from the
//! client, so decoding checks every value's type against the sort before any of it
//! reaches a query.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::params::SortOrder;
use crate::domain::error::ShopError;

const MAX_CURSOR_CHARS: usize = 512;

/// The kinds of sort value, in the order [`super::query`] sorts by them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Score,
    Whole,
    Id,
}

fn kinds(sort: SortOrder) -> &'static [Kind] {
    match sort {
        SortOrder::Relevance => &[Kind::Score, Kind::Whole, Kind::Id],
        SortOrder::PriceAsc | SortOrder::PriceDesc | SortOrder::Newest => &[Kind::Whole, Kind::Id],
        SortOrder::Rating => &[Kind::Whole, Kind::Whole, Kind::Id],
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub values: Vec<Value>,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    s: String,
    v: Vec<Value>,
}

fn fits(kind: Kind, value: &Value) -> bool {
    match kind {
        Kind::Score => value.as_f64().is_some_and(f64::is_finite),
        Kind::Whole => value.is_i64(),
        Kind::Id => value.as_str().is_some_and(|s| {
            !s.is_empty()
                && s.len() <= 64
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        }),
    }
}

impl Cursor {
    /// The cursor after a hit whose sort values are `values`; `None` if they are not
    /// what `sort` produces (then the page simply has no next cursor).
    pub fn encode(sort: SortOrder, values: &[Value]) -> Option<String> {
        let expected = kinds(sort);
        if values.len() != expected.len() || !expected.iter().zip(values).all(|(k, v)| fits(*k, v))
        {
            return None;
        }
        let wire = Wire {
            s: sort.as_str().to_owned(),
            v: values.to_vec(),
        };
        Some(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&wire).ok()?))
    }

    pub fn decode(raw: &str, sort: SortOrder) -> Result<Cursor, ShopError> {
        let bad = || ShopError::Malformed("cursor is not one this search returned".into());
        if raw.len() > MAX_CURSOR_CHARS {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
        let wire: Wire = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if wire.s != sort.as_str() {
            return Err(ShopError::Malformed(format!(
                "cursor belongs to sort={}, not sort={}",
                wire.s,
                sort.as_str()
            )));
        }
        let expected = kinds(sort);
        if wire.v.len() != expected.len() || !expected.iter().zip(&wire.v).all(|(k, v)| fits(*k, v))
        {
            return Err(bad());
        }
        Ok(Cursor { values: wire.v })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_cursor_round_trips_for_its_sort_only() {
        let values = vec![json!(2.5), json!(3), json!("p-1")];
        let raw = Cursor::encode(SortOrder::Relevance, &values).unwrap();
        assert_eq!(
            Cursor::decode(&raw, SortOrder::Relevance).unwrap().values,
            values
        );
        let other = Cursor::decode(&raw, SortOrder::PriceAsc).unwrap_err();
        assert!(matches!(other, ShopError::Malformed(m) if m.contains("sort=relevance")));
    }

    #[test]
    fn values_of_the_wrong_shape_are_refused() {
        assert_eq!(
            Cursor::encode(SortOrder::PriceAsc, &[json!("x"), json!("p")]),
            None
        );
        let forged =
            |v: Value| URL_SAFE_NO_PAD.encode(json!({"s": "price_asc", "v": v}).to_string());
        for v in [
            json!([1, "p"]),
            json!([1.5, "p"]),
            json!([1, {"match_all": {}}]),
            json!([1, "p", 3]),
            json!([1, "a b"]),
            json!({"a": 1}),
        ] {
            let ok = v == json!([1, "p"]);
            assert_eq!(
                Cursor::decode(&forged(v.clone()), SortOrder::PriceAsc).is_ok(),
                ok,
                "{v}"
            );
        }
        for raw in ["", "!!", "e30", &"A".repeat(600)] {
            assert!(Cursor::decode(raw, SortOrder::Newest).is_err(), "{raw}");
        }
    }
}
