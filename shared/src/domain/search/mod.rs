//! Product search: the document each product becomes in the index, the checked
//! search and suggest requests, the query bodies built from them, and the pages
//! read back. Pure: no I/O here; talking to OpenSearch is done outside the domain.

mod cursor;
mod document;
mod params;
mod query;
mod results;

pub use cursor::Cursor;
pub use document::{
    category_path, document_version, CategoryPath, Completion, SearchDocument, ATTRIBUTE_SEPARATOR,
};
pub use params::{
    SearchRequest, SortOrder, StockFilter, SuggestRequest, MAX_LIMIT, MAX_QUERY_CHARS,
};
pub use query::{search_body, suggest_body, PRICE_BANDS};
pub use results::{
    unreadable, Facets, SearchHit, SearchPage, SearchResponse, SuggestResponse, Suggestion,
    SuggestionKind, Suggestions,
};
