//! Opaque pagination cursors: DynamoDB's LastEvaluatedKey, base64url-encoded.
//! A cursor is checked to belong to the same listing before it is used, so a
//! hand-made one cannot start a query inside another partition.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use std::collections::BTreeMap;

use super::keys;
use super::{s, sdk_error, Item, Store};
use crate::domain::error::ShopError;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `?cursor=` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The same page with each item converted; the first failure fails the page.
    pub fn map<U>(self, f: impl FnMut(T) -> Result<U, ShopError>) -> Result<Page<U>, ShopError> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next_cursor: self.next_cursor,
        })
    }
}

/// The table itself or one of its global secondary indexes, with its key attributes.
#[derive(Clone, Copy)]
pub(crate) enum Index {
    Table,
    Gsi1,
    Gsi2,
    Gsi3,
}

impl Index {
    fn name(self) -> Option<&'static str> {
        match self {
            Index::Table => None,
            Index::Gsi1 => Some(keys::GSI1),
            Index::Gsi2 => Some(keys::GSI2),
            Index::Gsi3 => Some(keys::GSI3),
        }
    }

    /// Its partition and sort key attributes.
    fn keys(self) -> (&'static str, &'static str) {
        match self {
            Index::Table => (keys::PK, keys::SK),
            Index::Gsi1 => (keys::GSI1PK, keys::GSI1SK),
            Index::Gsi2 => (keys::GSI2PK, keys::GSI2SK),
            Index::Gsi3 => (keys::GSI3PK, keys::GSI3SK),
        }
    }

    /// What a start key of a query holds: its own keys and the table's.
    fn start_key_attrs(self) -> Vec<&'static str> {
        let (pk, sk) = self.keys();
        let mut attrs = vec![pk, sk];
        if !matches!(self, Index::Table) {
            attrs.extend([keys::PK, keys::SK]);
        }
        attrs
    }
}

/// Keeps only items whose attribute `name` equals `value`.
pub(crate) struct Equals<'a> {
    pub name: &'a str,
    pub value: aws_sdk_dynamodb::types::AttributeValue,
}

impl<'a> Equals<'a> {
    /// Only the items in one status (their `status` attribute): products, orders, shipments.
    pub(crate) fn status(value: &str) -> Equals<'a> {
        Equals {
            name: "status",
            value: s(value),
        }
    }

    /// Only the items whose number attribute `name` is `value`.
    pub(crate) fn number(name: &'a str, value: u64) -> Equals<'a> {
        Equals {
            name,
            value: super::n(value),
        }
    }
}

/// Queries one filtered page evaluates at most; past them a page may be short, and its
/// cursor goes on from where they stopped.
const MAX_FILTERED_QUERIES: usize = 10;

impl Store {
    /// One page of GSI1's partition `partition` (optionally only sort keys starting with
    /// `prefix`), oldest or newest first, continuing from an opaque cursor of the same listing.
    pub(crate) async fn gsi1_page(
        &self,
        partition: String,
        prefix: Option<&str>,
        ascending: bool,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Item>, ShopError> {
        self.index_page(
            Index::Gsi1,
            partition,
            prefix,
            ascending,
            limit,
            cursor,
            None,
        )
        .await
    }

    /// One page of a partition of the table or an index, as [`Store::gsi1_page`], keeping only the items
    /// `filter` matches. A filter is applied after DynamoDB's `Limit`, so a filtered page
    /// is filled by further queries, each evaluating only what the page still lacks: the
    /// cursor is then exactly the last item evaluated, and nothing is skipped.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn index_page(
        &self,
        index: Index,
        partition: String,
        prefix: Option<&str>,
        ascending: bool,
        limit: i32,
        cursor: Option<&str>,
        filter: Option<Equals<'_>>,
    ) -> Result<Page<Item>, ShopError> {
        let (pk_attr, sk_attr) = index.keys();
        let key_attrs = index.start_key_attrs();
        let mut start = cursor
            .map(|c| decode(c, &key_attrs, &partition))
            .transpose()?;
        let mut items = Vec::new();
        for _ in 0..MAX_FILTERED_QUERIES {
            let remaining = limit - items.len() as i32;
            let mut query = self
                .client()
                .query()
                .table_name(self.table())
                .set_index_name(index.name().map(str::to_owned))
                .expression_attribute_names("#pk", pk_attr)
                .expression_attribute_values(":pk", s(partition.as_str()))
                .scan_index_forward(ascending)
                .limit(remaining)
                .set_exclusive_start_key(start.take());
            query = match prefix {
                Some(p) => query
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", sk_attr)
                    .expression_attribute_values(":prefix", s(p)),
                None => query.key_condition_expression("#pk = :pk"),
            };
            if let Some(f) = &filter {
                query = query
                    .filter_expression("#f = :f")
                    .expression_attribute_names("#f", f.name)
                    .expression_attribute_values(":f", f.value.clone());
            }
            let out = query.send().await.map_err(sdk_error)?;
            items.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key.filter(|k| !k.is_empty());
            if start.is_none() || items.len() as i32 >= limit {
                break;
            }
        }
        Ok(Page {
            items,
            next_cursor: start.as_ref().and_then(encode),
        })
    }
}

pub(crate) fn encode(last_key: &Item) -> Option<String> {
    let plain: BTreeMap<&str, &str> = last_key
        .iter()
        .map(|(k, v)| v.as_s().ok().map(|v| (k.as_str(), v.as_str())))
        .collect::<Option<_>>()?;
    serde_json::to_vec(&plain)
        .ok()
        .map(|json| URL_SAFE_NO_PAD.encode(json))
}

/// Decodes a cursor: it must hold exactly `key_attrs` (the index's and the table's key
/// attributes), with `key_attrs[0]` equal to `partition_value`, so DynamoDB never sees
/// a start key it would reject.
pub(crate) fn decode(
    cursor: &str,
    key_attrs: &[&str],
    partition_value: &str,
) -> Result<Item, ShopError> {
    let invalid = || ShopError::Malformed("invalid cursor".into());
    let json = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let plain: BTreeMap<String, String> = serde_json::from_slice(&json).map_err(|_| invalid())?;
    let exact_keys = plain.len() == key_attrs.len()
        && key_attrs
            .iter()
            .all(|k| plain.get(*k).is_some_and(|v| !v.is_empty()));
    if !exact_keys || plain.get(key_attrs[0]).map(String::as_str) != Some(partition_value) {
        return Err(invalid());
    }
    Ok(plain.into_iter().map(|(k, v)| (k, s(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        let key: Item = [
            ("GSI1PK", "CATEGORY#a"),
            ("GSI1SK", "PRODUCT#1"),
            ("PK", "PRODUCT#1"),
            ("SK", "PRODUCT"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), s(v)))
        .collect();
        let cursor = encode(&key).unwrap();
        assert_eq!(decode(&cursor, KEYS, "CATEGORY#a").unwrap(), key);
    }

    const KEYS: &[&str] = &["GSI1PK", "GSI1SK", "PK", "SK"];

    fn cursor_of(pairs: &[(&str, &str)]) -> String {
        let key: Item = pairs.iter().map(|(k, v)| (k.to_string(), s(*v))).collect();
        encode(&key).unwrap()
    }

    #[test]
    fn cursor_for_another_partition_or_garbage_is_rejected() {
        let full = [
            ("GSI1PK", "CATEGORY#a"),
            ("GSI1SK", "P#1"),
            ("PK", "P#1"),
            ("SK", "PRODUCT"),
        ];
        assert!(decode(&cursor_of(&full), KEYS, "CATEGORY#b").is_err());
        assert!(decode("!!!", KEYS, "CATEGORY#a").is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("[1,2]"), KEYS, "CATEGORY#a").is_err());
    }

    #[test]
    fn cursor_with_missing_or_extra_keys_is_rejected() {
        assert!(decode(&cursor_of(&[("GSI1PK", "CATEGORY#a")]), KEYS, "CATEGORY#a").is_err());
        let extra = [
            ("GSI1PK", "CATEGORY#a"),
            ("GSI1SK", "P#1"),
            ("PK", "P#1"),
            ("SK", "PRODUCT"),
            ("X", "y"),
        ];
        assert!(decode(&cursor_of(&extra), KEYS, "CATEGORY#a").is_err());
        let renamed = [
            ("GSI1PK", "CATEGORY#a"),
            ("GSI1SK", "P#1"),
            ("PK", "P#1"),
            ("XX", "PRODUCT"),
        ];
        assert!(decode(&cursor_of(&renamed), KEYS, "CATEGORY#a").is_err());
    }
}
