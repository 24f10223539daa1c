//! The index's lifecycle: created from the definition file, found and moved by its
//! alias, dropped after a rebuild; and the writer's dependency that makes sure of it.

use opensearch::http::StatusCode;
use opensearch::indices::{IndicesCreateParts, IndicesDeleteParts, IndicesGetAliasParts};
use serde_json::{json, Value};

use super::{audit, checked, unavailable, unreadable, SearchIndex};
use crate::domain::error::ShopError;

/// The index's settings, mappings and analyzers: one file, applied the same way
/// locally and in AWS.
pub static INDEX_DEFINITION: &str = include_str!("../../../../infra/search/products-index.json");

/// The index named after the definition it was created from.
pub fn definition_index_name(alias: &str) -> String {
    let digest = crate::domain::sha256_hex(&[INDEX_DEFINITION.as_bytes()]);
    format!("{alias}-{}", &digest[..10])
}

impl SearchIndex {
    /// Makes sure the alias exists, creating the index from [`INDEX_DEFINITION`] if not.
    /// Idempotent and safe to run from several cold starts at once.
    pub async fn ensure(&self) -> Result<(), ShopError> {
        match self.alias_targets().await? {
            targets if targets.is_empty() => {
                let name = definition_index_name(&self.alias);
                self.create_index(&name).await?;
                self.point_alias(&name, &[]).await
            }
            targets => {
                let expected = definition_index_name(&self.alias);
                if !targets.contains(&expected) {
                    tracing::warn!(?targets, %expected, "the index was built from other settings; run the reindex command");
                }
                Ok(())
            }
        }
    }

    /// The indexes the alias points to (none if it does not exist).
    pub async fn alias_targets(&self) -> Result<Vec<String>, ShopError> {
        audit("ESHttpGet");
        let response = self
            .client
            .indices()
            .get_alias(IndicesGetAliasParts::Name(&[&self.alias]))
            .send()
            .await
            .map_err(unavailable)?;
        if response.status_code() == StatusCode::NOT_FOUND {
            return Ok(Vec::new());
        }
        let body: serde_json::Map<String, Value> = checked(response, "alias").await?;
        Ok(body.keys().cloned().collect())
    }

    /// Creates `name` from the definition; an index of that name already there is fine.
    pub async fn create_index(&self, name: &str) -> Result<(), ShopError> {
        let definition: Value =
            serde_json::from_str(INDEX_DEFINITION).map_err(|e| unreadable("definition file", e))?;
        audit("ESHttpPut");
        let response = self
            .client
            .indices()
            .create(IndicesCreateParts::Index(name))
            .body(definition)
            .send()
            .await
            .map_err(unavailable)?;
        if response.status_code() == StatusCode::BAD_REQUEST {
            let text = response.text().await.map_err(unavailable)?;
            if text.contains("resource_already_exists_exception") {
                return Ok(());
            }
            return Err(ShopError::internal(format!(
                "creating index {name}: {text}"
            )));
        }
        checked::<Value>(response, "index creation")
            .await
            .map(|_| ())
    }

    /// Points the alias at `name` alone, atomically (removing it from `previous`).
    pub async fn point_alias(&self, name: &str, previous: &[String]) -> Result<(), ShopError> {
        let mut actions: Vec<Value> = previous
            .iter()
            .filter(|p| p.as_str() != name)
            .map(|p| json!({ "remove": { "index": p, "alias": self.alias } }))
            .collect();
        actions.push(json!({ "add": { "index": name, "alias": self.alias } }));
        audit("ESHttpPost");
        let response = self
            .client
            .indices()
            .update_aliases()
            .body(json!({ "actions": actions }))
            .send()
            .await
            .map_err(unavailable)?;
        checked::<Value>(response, "alias update").await.map(|_| ())
    }

    pub async fn delete_index(&self, name: &str) -> Result<(), ShopError> {
        audit("ESHttpDelete");
        let response = self
            .client
            .indices()
            .delete(IndicesDeleteParts::Index(&[name]))
            .send()
            .await
            .map_err(unavailable)?;
        checked::<Value>(response, "index deletion")
            .await
            .map(|_| ())
    }
}

/// The index as its writer needs it: made sure of (created from the definition
/// file if missing) at cold start, before any write. The indexer does this rather
/// than a deployment-time custom resource because it is the one place that runs
/// the same way locally and in AWS and is the first to need the index; a cold start
/// that cannot make sure fails its init, and the stream retries the batch later.
pub struct IndexWriter(pub SearchIndex);

impl std::ops::Deref for IndexWriter {
    type Target = SearchIndex;
    fn deref(&self) -> &SearchIndex {
        &self.0
    }
}
