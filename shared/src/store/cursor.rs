//! Opaque pagination cursors: DynamoDB's LastEvaluatedKey, base64url-encoded.
//! A cursor is checked to belong to the same listing before it is used, so a
//! hand-made one cannot start a query inside another partition.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use std::collections::BTreeMap;

use super::{s, Item};
use crate::error::ShopError;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `?cursor=` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
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

/// Decodes a cursor and requires `partition_attr` to equal `partition_value`.
pub(crate) fn decode(
    cursor: &str,
    partition_attr: &str,
    partition_value: &str,
) -> Result<Item, ShopError> {
    let invalid = || ShopError::Malformed("invalid cursor".into());
    let json = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let plain: BTreeMap<String, String> = serde_json::from_slice(&json).map_err(|_| invalid())?;
    if plain.get(partition_attr).map(String::as_str) != Some(partition_value) || plain.len() > 4 {
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
        assert_eq!(decode(&cursor, "GSI1PK", "CATEGORY#a").unwrap(), key);
    }

    #[test]
    fn cursor_for_another_partition_or_garbage_is_rejected() {
        let key: Item = [("GSI1PK", "CATEGORY#a")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), s(v)))
            .collect();
        let cursor = encode(&key).unwrap();
        assert!(decode(&cursor, "GSI1PK", "CATEGORY#b").is_err());
        assert!(decode("!!!", "GSI1PK", "CATEGORY#a").is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("[1,2]"), "GSI1PK", "CATEGORY#a").is_err());
    }
}
