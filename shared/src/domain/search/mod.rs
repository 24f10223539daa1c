//! Product search: the document each product becomes in the index, the checked
//! search and suggest requests, and the pages and suggestions the API answers with.
//! Pure: no I/O here; OpenSearch's query DSL and answers are `adapters::search`'s.

mod cursor;
mod document;
mod params;
mod results;

pub use cursor::Cursor;
pub use document::{
    category_path, document_version, CategoryPath, Completion, SearchDocument, ATTRIBUTE_SEPARATOR,
};
pub use params::{
    SearchRequest, SortOrder, StockFilter, SuggestRequest, MAX_LIMIT, MAX_QUERY_CHARS,
};
pub use results::{
    CategoryCount, Facets, PriceBandCount, SearchHit, SearchPage, Suggestion, SuggestionKind,
    Suggestions, ValueCount, MAX_BRAND_SUGGESTIONS, PRICE_BANDS,
};
