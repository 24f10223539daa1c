//! Rows into products, and products into batches. A product's rows are consecutive
//! and share its handle; the first valid row sets the product's fields, and later rows
//! that disagree with it are refused, not silently overruled. Batches are what the
//! import writes at once: no two of its products share a handle or a SKU, so their
//! writes never contend with each other.

use std::collections::HashSet;

use super::report::Rejection;
use super::row::ImportRow;
use crate::domain::catalog::input_limits::MAX_VARIANTS;
use crate::domain::catalog::ProductDraft;
use crate::domain::ids::{Handle, Sku};

/// One product of the file: its fields and its valid variants, with their lines.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductGroup {
    pub handle: Handle,
    /// Its variants are in file order, parallel to `lines`.
    pub product: ProductDraft,
    pub lines: Vec<u64>,
}

impl ProductGroup {
    fn first_line(&self) -> u64 {
        self.lines[0]
    }

    /// The first product field in which `draft` differs from this product's.
    fn differing_field(&self, draft: &ProductDraft) -> Option<&'static str> {
        let p = &self.product;
        [
            ("name", p.name != draft.name),
            ("description", p.description != draft.description),
            ("brand", p.brand != draft.brand),
            ("categoryId", p.category_id != draft.category_id),
            ("status", p.status != draft.status),
        ]
        .into_iter()
        .find(|(_, differs)| *differs)
        .map(|(field, _)| field)
    }

    /// Adds a row's variant, or says why it cannot join this product.
    fn add(&mut self, row: ImportRow) -> Result<(), Rejection> {
        let line = row.line;
        let first = self.first_line();
        if let Some(field) = self.differing_field(&row.draft) {
            return Err(Rejection::new(
                line,
                field,
                &format!(
                    "differs from line {first}, the first row of product {}",
                    self.handle
                ),
            ));
        }
        let Some(variant) = row.draft.variants.into_iter().next() else {
            return Err(Rejection::new(line, "sku", "is required"));
        };
        if let Some(i) = self
            .product
            .variants
            .iter()
            .position(|v| v.sku == variant.sku)
        {
            return Err(Rejection::new(
                line,
                "sku",
                &format!("appears twice in the file (line {})", self.lines[i]),
            ));
        }
        if self.product.variants[0].price.currency != variant.price.currency {
            return Err(Rejection::new(
                line,
                "currency",
                &format!("must match line {first}: a product's variants share one currency"),
            ));
        }
        if self.product.variants.len() >= MAX_VARIANTS {
            return Err(Rejection::new(
                line,
                "sku",
                &format!("a product holds at most {MAX_VARIANTS} variants"),
            ));
        }
        self.product.variants.push(variant);
        self.lines.push(line);
        Ok(())
    }

    fn skus(&self) -> impl Iterator<Item = &Sku> {
        self.product.variants.iter().map(|v| &v.sku)
    }
}

/// Products to write together.
#[derive(Debug, Default, PartialEq)]
pub struct Batch {
    pub groups: Vec<ProductGroup>,
}

/// Groups valid rows into products and products into batches of at most `size`.
pub struct Batcher {
    size: usize,
    current: Option<ProductGroup>,
    batch: Batch,
    handles: HashSet<Handle>,
    skus: HashSet<Sku>,
}

impl Batcher {
    pub fn new(size: usize) -> Batcher {
        Batcher {
            size: size.max(1),
            current: None,
            batch: Batch::default(),
            handles: HashSet::new(),
            skus: HashSet::new(),
        }
    }

    /// Takes a valid row. A row that cannot join its product is returned as a
    /// rejection; a batch that is ready to write is returned as `Ok(Some)`.
    pub fn push(&mut self, row: ImportRow) -> Result<Option<Batch>, Rejection> {
        if let Some(group) = self.current.as_mut().filter(|g| g.handle == row.handle) {
            group.add(row)?;
            return Ok(None);
        }
        let ready = self.close_current();
        let sku_in_batch = row
            .draft
            .variants
            .iter()
            .find(|v| self.skus.contains(&v.sku));
        if let Some(v) = sku_in_batch {
            // Another product of this batch has the SKU: refused here, as its claim would be.
            let owner = self
                .batch
                .groups
                .iter()
                .find(|g| g.skus().any(|s| *s == v.sku));
            let line = owner
                .and_then(|g| g.skus().position(|s| *s == v.sku).map(|i| g.lines[i]))
                .unwrap_or_default();
            return Err(Rejection::new(
                row.line,
                "sku",
                &format!("appears twice in the file (line {line})"),
            ));
        }
        self.current = Some(ProductGroup {
            handle: row.handle,
            lines: vec![row.line],
            product: row.draft,
        });
        Ok(ready)
    }

    /// Moves the product being read into the batch; returns the batch if it is full, or if
    /// the product cannot share it (its handle or a SKU is in it already).
    fn close_current(&mut self) -> Option<Batch> {
        let group = self.current.take()?;
        let clashes =
            self.handles.contains(&group.handle) || group.skus().any(|s| self.skus.contains(s));
        let mut ready = None;
        if clashes {
            ready = self.take_batch();
        }
        self.handles.insert(group.handle.clone());
        self.skus.extend(group.skus().cloned());
        self.batch.groups.push(group);
        if ready.is_none() && self.batch.groups.len() >= self.size {
            ready = self.take_batch();
        }
        ready
    }

    fn take_batch(&mut self) -> Option<Batch> {
        self.handles.clear();
        self.skus.clear();
        let batch = std::mem::take(&mut self.batch);
        (!batch.groups.is_empty()).then_some(batch)
    }

    /// The last batches, at the end of the file (two when the last product could not
    /// share the batch before it).
    pub fn finish(&mut self) -> Vec<Batch> {
        let earlier = self.close_current();
        earlier.into_iter().chain(self.take_batch()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::row::RowInput;

    fn row(line: u64, handle: &str, sku: &str, name: &str, currency: &str) -> ImportRow {
        RowInput {
            handle: handle.into(),
            name: name.into(),
            brand: "Acme".into(),
            category_id: "shoes".into(),
            sku: sku.into(),
            price: 1000,
            currency: currency.into(),
            on_hand: 1,
            ..RowInput::default()
        }
        .check(line)
        .unwrap()
    }

    fn handles(batch: &Batch) -> Vec<&str> {
        batch.groups.iter().map(|g| g.handle.as_str()).collect()
    }

    #[test]
    fn consecutive_rows_of_a_handle_make_one_product() {
        let mut b = Batcher::new(10);
        assert_eq!(b.push(row(2, "a", "A-1", "Shoe", "USD")), Ok(None));
        assert_eq!(b.push(row(3, "a", "A-2", "Shoe", "USD")), Ok(None));
        assert_eq!(b.push(row(4, "b", "B-1", "Boot", "USD")), Ok(None));
        let batch = b.finish().remove(0);
        assert_eq!(handles(&batch), ["a", "b"]);
        assert_eq!(batch.groups[0].lines, [2, 3]);
        assert_eq!(batch.groups[0].product.variants.len(), 2);
        assert!(b.finish().is_empty());
    }

    #[test]
    fn rows_that_disagree_with_their_product_are_refused() {
        let mut b = Batcher::new(10);
        b.push(row(2, "a", "A-1", "Shoe", "USD")).unwrap();
        let renamed = b.push(row(3, "a", "A-2", "Other", "USD")).unwrap_err();
        assert_eq!((renamed.line, renamed.column.as_str()), (3, "name"));
        let twice = b.push(row(4, "a", "A-1", "Shoe", "USD")).unwrap_err();
        assert!(twice.reason.contains("line 2"), "{twice:?}");
        let euro = b.push(row(5, "a", "A-3", "Shoe", "EUR")).unwrap_err();
        assert_eq!(euro.column, "currency");
        let batch = b.finish().remove(0);
        assert_eq!(batch.groups[0].lines, [2]);
    }

    #[test]
    fn batches_are_full_sized_and_never_share_a_handle_or_sku() {
        let mut b = Batcher::new(2);
        assert_eq!(b.push(row(2, "a", "A-1", "S", "USD")), Ok(None));
        assert_eq!(b.push(row(3, "b", "B-1", "S", "USD")), Ok(None));
        let first = b.push(row(4, "c", "C-1", "S", "USD")).unwrap().unwrap();
        assert_eq!(handles(&first), ["a", "b"]);
        // `a` again, after `c`: a product of its own, in a later batch than `c`.
        assert_eq!(b.push(row(5, "a", "A-2", "S", "USD")), Ok(None));
        let second = b.push(row(6, "d", "D-1", "S", "USD")).unwrap().unwrap();
        assert_eq!(handles(&second), ["c", "a"]);
        let dup = b.push(row(7, "e", "D-1", "S", "USD")).unwrap_err();
        assert!(dup.reason.contains("line 6"), "{dup:?}");
        let last = b.finish();
        assert_eq!(last.len(), 1);
        assert_eq!(handles(&last[0]), ["d"]);
        let mut b = Batcher::new(5);
        b.push(row(2, "a", "A-1", "S", "USD")).unwrap();
        b.push(row(3, "b", "B-1", "S", "USD")).unwrap();
        b.push(row(4, "a", "A-2", "S", "USD")).unwrap();
        let split = b.finish();
        assert_eq!(
            split.iter().map(handles).collect::<Vec<_>>(),
            [vec!["a", "b"], vec!["a"]]
        );
    }
}
