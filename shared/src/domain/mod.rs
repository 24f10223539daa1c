//! The shop's domain: types and rules, pure. Nothing here performs I/O or knows
//! about AWS or HTTP — `store/` and `adapters/` do I/O, `http/` is the edge — so
//! every rule is tested without a network, in milliseconds.

pub mod account;
pub mod auth;
pub mod cart;
pub mod catalog;
pub mod error;
pub mod fraud;
pub mod fulfilment;
pub mod identity;
pub mod ids;
pub mod import;
pub mod mail;
pub mod money;
pub mod order;
pub mod paging;
pub mod payment;
pub mod profile;
pub mod recommend;
pub mod refund;
pub mod returns;
pub mod reviews;
pub mod search;
pub mod seller;
pub mod stock;
pub mod verification;
pub mod wishlist;

/// SHA-256 of `parts` (fed in order), as lower-case hex: the one-way digests the
/// domain derives (verification codes, public seller ids). Each caller salts its
/// first part with its own purpose, so digests of one kind never match another's.
pub(crate) fn sha256_hex(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let digest = parts
        .iter()
        .fold(Sha256::new(), |hasher, part| hasher.chain_update(part))
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
