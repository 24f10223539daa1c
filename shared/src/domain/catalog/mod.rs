//! The catalog: categories, products and their variants (the purchasable SKUs).

mod input;
/// Limits on catalog input, for callers that enforce them outside parsing.
pub mod input_limits {
    pub use super::input::{MAX_ATTRIBUTE_NAME, MAX_ON_HAND, MAX_VARIANTS};
}
mod model;
mod rating;

pub use input::{
    ProductDraft, ProductInput, ProductUpdate, ProductUpdateInput, VariantDraft, VariantInput,
};
pub use model::{
    availability, price_from, Availability, Category, ListingHold, Product, ProductStatus,
    ProductSummary, ProductView, Variant, VariantView,
};
pub use rating::{RatingSummary, RatingView};
