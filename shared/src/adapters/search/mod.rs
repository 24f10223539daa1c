//! The product index in OpenSearch, through the official client (`opensearch`): the
//! index's lifecycle (`lifecycle`), its query DSL (`query`) and the reading of its
//! answers (`results`) live here, never in the domain.
//!
//! Writers and readers name the alias (`SEARCH_INDEX`, default `products`); the
//! index behind it is `products-<digest of the settings file>`, so a change of
//! mappings or analyzers is a new index, built by the reindex command and swapped
//! in atomically, never an in-place edit OpenSearch would refuse.

use opensearch::http::response::Response;
use opensearch::http::transport::{SingleNodeConnectionPool, TransportBuilder};
use opensearch::http::StatusCode;
use opensearch::params::VersionType;
use opensearch::{BulkOperation, BulkOperations, BulkParts, OpenSearch, SearchParts};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::error::ShopError;
use crate::domain::search::{
    SearchDocument, SearchPage, SearchRequest, SuggestRequest, Suggestions,
};

mod lifecycle;
mod query;
mod results;

pub use results::unreadable;

pub use lifecycle::{definition_index_name, IndexWriter, INDEX_DEFINITION};

/// Well inside a function's timeout (10 s in AWS), so a slow node ends as a clean 503
/// or a reported batch failure, not as a killed invocation.
const CLIENT_TIMEOUT_SECONDS: u64 = 5;

/// Which stored versions a write may replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Only older ones (the stream: a redelivered state changes nothing).
    Older,
    /// Older and equal ones (a rebuild: documents are rebuilt by the current code and
    /// category tree, which the version does not cover).
    OlderOrEqual,
}

/// Product ids are never reused, so a deletion is final: it outranks every state's
/// version, and the tombstone refuses a late write of an older state.
const DELETED_VERSION: i64 = i64::MAX;

/// One write of a bulk request.
pub enum IndexWrite {
    /// The product's document at `version` (see `domain::search::document_version`).
    Put {
        version: u64,
        document: Box<SearchDocument>,
    },
    Delete {
        id: String,
    },
}

impl IndexWrite {
    pub fn id(&self) -> &str {
        match self {
            IndexWrite::Put { document, .. } => &document.id,
            IndexWrite::Delete { id } => id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    Written,
    /// The index already holds this state or a newer one; nothing changed.
    AlreadyCurrent,
    Failed(String),
}

/// The index's write side, all the indexer and the rebuild need of it: a seam, so the
/// indexing use case is tested on DynamoDB Local against a recording index.
#[async_trait::async_trait]
pub trait DocumentIndex: Send + Sync {
    /// Writes `writes` into `index` (the alias unless given); outcomes in their order.
    async fn write(
        &self,
        writes: &[IndexWrite],
        index: Option<&str>,
        overwrite: Overwrite,
    ) -> Result<Vec<WriteOutcome>, ShopError>;
}

#[async_trait::async_trait]
impl DocumentIndex for SearchIndex {
    async fn write(
        &self,
        writes: &[IndexWrite],
        index: Option<&str>,
        overwrite: Overwrite,
    ) -> Result<Vec<WriteOutcome>, ShopError> {
        SearchIndex::write(self, writes, index, overwrite).await
    }
}

#[derive(Deserialize)]
struct BulkAnswer {
    items: Vec<std::collections::HashMap<String, BulkItem>>,
}

#[derive(Deserialize)]
struct BulkItem {
    status: u16,
    #[serde(default)]
    error: Option<Value>,
}

fn unavailable(err: impl std::fmt::Display) -> ShopError {
    ShopError::Unavailable(format!("the search index cannot be reached: {err}"))
}

fn audit(action: &str) {
    if crate::sdk::audit::enabled() {
        tracing::info!(iam_action = %format!("es:{action}"), "aws call");
    }
}

pub struct SearchIndex {
    client: OpenSearch,
    alias: String,
}

impl SearchIndex {
    /// `sign`: SigV4 with the function's credentials (an OpenSearch Service domain).
    pub fn new(
        url: &str,
        alias: String,
        sign: Option<&aws_config::SdkConfig>,
    ) -> Result<Self, String> {
        let url =
            opensearch::http::Url::parse(url).map_err(|e| format!("search URL {url}: {e}"))?;
        let mut transport = TransportBuilder::new(SingleNodeConnectionPool::new(url))
            .timeout(std::time::Duration::from_secs(CLIENT_TIMEOUT_SECONDS));
        if let Some(sdk) = sign {
            let credentials =
                opensearch::auth::Credentials::try_from(sdk).map_err(|e| e.to_string())?;
            transport = transport.auth(credentials).service_name("es");
        }
        let transport = transport.build().map_err(|e| e.to_string())?;
        Ok(SearchIndex {
            client: OpenSearch::new(transport),
            alias,
        })
    }

    pub fn alias(&self) -> &str {
        &self.alias
    }

    /// Writes `writes` into `index` (the alias unless given) in one `_bulk` request,
    /// each under external versioning. Outcomes come back in the order of `writes`.
    pub async fn write(
        &self,
        writes: &[IndexWrite],
        index: Option<&str>,
        overwrite: Overwrite,
    ) -> Result<Vec<WriteOutcome>, ShopError> {
        let version_type = match overwrite {
            Overwrite::Older => VersionType::External,
            Overwrite::OlderOrEqual => VersionType::ExternalGte,
        };
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let mut ops = BulkOperations::new();
        for write in writes {
            let pushed = match write {
                IndexWrite::Put { version, document } => ops.push(
                    BulkOperation::index(document.as_ref())
                        .id(&document.id)
                        .version(i64::try_from(*version).unwrap_or(i64::MAX - 1))
                        .version_type(version_type),
                ),
                IndexWrite::Delete { id } => ops.push(
                    BulkOperation::<()>::delete(id)
                        .version(DELETED_VERSION)
                        .version_type(VersionType::External),
                ),
            };
            pushed.map_err(|e| ShopError::internal(format!("encoding a bulk write: {e}")))?;
        }
        audit("ESHttpPost");
        let response = self
            .client
            .bulk(BulkParts::Index(index.unwrap_or(&self.alias)))
            // Writing through the alias must never create a plain index of its name
            // (with guessed mappings) if the alias were missing.
            .require_alias(index.is_none())
            .body(vec![ops])
            .send()
            .await
            .map_err(unavailable)?;
        let answer: BulkAnswer = checked(response, "bulk answer").await?;
        if answer.items.len() != writes.len() {
            return Err(unreadable("bulk answer", "one item per write expected"));
        }
        Ok(answer
            .items
            .into_iter()
            .map(|item| match item.into_values().next() {
                Some(BulkItem {
                    status: 200 | 201, ..
                }) => WriteOutcome::Written,
                // A delete of a document that is not there has nothing left to do.
                Some(BulkItem {
                    status: 404,
                    error: None,
                }) => WriteOutcome::Written,
                Some(BulkItem { status: 409, .. }) => WriteOutcome::AlreadyCurrent,
                Some(BulkItem { status, error }) => WriteOutcome::Failed(format!(
                    "{status}: {}",
                    error.map(|e| e.to_string()).unwrap_or_default()
                )),
                None => WriteOutcome::Failed("an empty bulk item".into()),
            })
            .collect())
    }

    /// One page of the ids of `index`'s documents, in id order, after `after`.
    pub async fn document_ids(
        &self,
        index: &str,
        after: Option<&str>,
        page: usize,
    ) -> Result<Vec<String>, ShopError> {
        #[derive(Deserialize)]
        struct Ids {
            hits: IdHits,
        }
        #[derive(Deserialize)]
        struct IdHits {
            hits: Vec<IdHit>,
        }
        #[derive(Deserialize)]
        struct IdHit {
            #[serde(rename = "_id")]
            id: String,
        }
        let mut body = json!({ "size": page, "_source": false, "sort": [{ "id": "asc" }] });
        if let Some(after) = after {
            body["search_after"] = json!([after]);
        }
        audit("ESHttpPost");
        let response = self
            .client
            .search(SearchParts::Index(&[index]))
            .body(body)
            .send()
            .await
            .map_err(unavailable)?;
        let ids: Ids = checked(response, "id page").await?;
        Ok(ids.hits.hits.into_iter().map(|h| h.id).collect())
    }

    async fn run_search(&self, body: Value) -> Result<Option<Response>, ShopError> {
        audit("ESHttpPost");
        let response = self
            .client
            .search(SearchParts::Index(&[&self.alias]))
            .body(body)
            .send()
            .await
            .map_err(unavailable)?;
        // Nothing indexed yet (a fresh shop): no index, no results.
        if response.status_code() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Ok(Some(response))
    }

    /// A page of results for `request`, and how long the index took (milliseconds);
    /// `None` before anything is indexed (there is no index yet).
    pub async fn search(
        &self,
        request: &SearchRequest,
    ) -> Result<Option<(SearchPage, u64)>, ShopError> {
        let Some(response) = self.run_search(query::search_body(request)).await? else {
            return Ok(None);
        };
        let answer: results::SearchResponse = checked(response, "search answer").await?;
        let took = answer.took;
        Ok(Some((results::page(request, answer), took)))
    }

    /// Type-ahead suggestions for `request`, and how long the index took; `None` before
    /// anything is indexed.
    pub async fn suggest(
        &self,
        request: &SuggestRequest,
    ) -> Result<Option<(Suggestions, u64)>, ShopError> {
        let Some(response) = self.run_search(query::suggest_body(request)).await? else {
            return Ok(None);
        };
        let answer: results::SuggestResponse = checked(response, "suggest answer").await?;
        let took = answer.took;
        Ok(Some((results::suggestions(request, answer), took)))
    }

    /// Opens the connection during init.
    pub async fn warm_up(&self) {
        audit("ESHttpHead");
        let _ = self.client.ping().send().await;
    }
}

/// The body of a successful answer; the index's refusal otherwise.
async fn checked<T: serde::de::DeserializeOwned>(
    response: Response,
    what: &str,
) -> Result<T, ShopError> {
    let status = response.status_code();
    if status.is_success() {
        return response.json::<T>().await.map_err(|e| unreadable(what, e));
    }
    let text = response.text().await.unwrap_or_default();
    let detail: String = text.chars().take(500).collect();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        Err(ShopError::Unavailable(format!(
            "the search index failed ({status}): {detail}"
        )))
    } else {
        Err(ShopError::internal(format!(
            "the search index refused a {what} ({status}): {detail}"
        )))
    }
}
