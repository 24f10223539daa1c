//! The second pass of a run: parse, check, group, plan and write, a chunk at a time.

use futures_util::future::join_all;
use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::write::write_product;
use crate::adapters::uploads::Uploads;
use crate::clock::now_rfc3339;
use crate::domain::error::ShopError;
use crate::domain::ids::{CategoryId, ProductId, SellerId, UserId};
use crate::domain::import::{
    self, plan, Batch, Batcher, Columns, CsvRecords, FileProblem, Import, ImportCounts,
    ImportFormat, ImportRow, JsonLines, Plan, Rejection, Report, RowOutcome,
};
use crate::store::Store;

/// Products planned and written at once (packed into transactions).
const BATCH_PRODUCTS: usize = 100;
/// How often a running import's counts are saved for `GET /seller/imports/{id}`.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// A row as parsed from the file, in file order.
enum Parsed {
    Row(ImportRow),
    Rejected(Vec<Rejection>),
}

/// One run of an import: what it has counted and rejected so far.
pub(super) struct Run<'a> {
    store: &'a Store,
    import: &'a Import,
    seller: UserId,
    categories: HashSet<CategoryId>,
    pub(super) counts: ImportCounts,
    pub(super) report: Report,
    last_progress: Instant,
}

impl<'a> Run<'a> {
    pub(super) async fn new(
        store: &'a Store,
        import: &'a Import,
        seller: UserId,
    ) -> Result<Run<'a>, ShopError> {
        let categories = store
            .list_categories()
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        Ok(Run {
            store,
            import,
            seller,
            categories,
            counts: ImportCounts::default(),
            report: Report::default(),
            last_progress: Instant::now(),
        })
    }

    fn reject(&mut self, rejections: &[Rejection]) {
        self.counts.add(RowOutcome::Rejected);
        for r in rejections {
            self.report.add(r);
        }
    }

    /// The second pass: parse, check, group and write, a chunk at a time.
    pub(super) async fn import_file(
        &mut self,
        uploads: &Uploads,
        key: &str,
        etag: &str,
    ) -> Result<Result<(), FileProblem>, ShopError> {
        let mut stream = uploads.open(key, etag).await?;
        let mut csv = CsvRecords::default();
        let mut columns: Option<Columns> = None;
        let mut jsonl = JsonLines::default();
        let mut batcher = Batcher::new(BATCH_PRODUCTS);
        let format = self.import.format;
        let mut saw_row = false;
        loop {
            let chunk = stream.next_chunk().await?;
            let bytes: &[u8] = chunk.as_deref().unwrap_or_default();
            let mut parsed = Vec::new();
            let categories = &self.categories;
            let mut accept = |line: u64, row: Result<import::RowInput, Vec<Rejection>>| {
                let checked = row.and_then(|r| {
                    // Every problem of the row at once: the category is checked beside the rest.
                    let unknown = CategoryId::parse(&r.category_id)
                        .is_ok_and(|c| !categories.contains(&c))
                        .then(|| Rejection::new(line, "categoryId", "is not a known category"));
                    match (r.check(line), unknown) {
                        (Ok(row), None) => Ok(row),
                        (Ok(_), Some(u)) => Err(vec![u]),
                        (Err(mut rejections), u) => {
                            rejections.extend(u);
                            Err(rejections)
                        }
                    }
                });
                parsed.push(match checked {
                    Ok(row) => Parsed::Row(row),
                    Err(rejections) => Parsed::Rejected(rejections),
                });
            };
            let fed = match format {
                ImportFormat::Csv => csv.feed(bytes, &mut |record| {
                    match &columns {
                        None => columns = Some(Columns::parse(&record.fields)?),
                        Some(cols) => accept(record.line, cols.row(&record)),
                    }
                    Ok(())
                }),
                ImportFormat::Jsonl => jsonl.feed(bytes, &mut |line, text| {
                    accept(line, import::json_row(line, text));
                    Ok(())
                }),
            };
            if let Err(problem) = fed {
                return Ok(Err(problem));
            }
            for item in parsed {
                saw_row = true;
                match item {
                    Parsed::Rejected(rejections) => self.reject(&rejections),
                    Parsed::Row(row) => match batcher.push(row) {
                        Err(rejection) => self.reject(&[rejection]),
                        Ok(Some(batch)) => self.write(batch).await?,
                        Ok(None) => {}
                    },
                }
            }
            if chunk.is_none() {
                break;
            }
            self.progress().await?;
        }
        for batch in batcher.finish() {
            self.write(batch).await?;
        }
        if format == ImportFormat::Csv && columns.is_none() {
            return Ok(Err(FileProblem::Empty));
        }
        if !saw_row {
            return Ok(Err(FileProblem::NoRows));
        }
        Ok(Ok(()))
    }

    async fn progress(&mut self) -> Result<(), ShopError> {
        if self.last_progress.elapsed() >= PROGRESS_EVERY {
            self.store
                .import_progress(self.import, &self.counts)
                .await?;
            self.last_progress = Instant::now();
        }
        Ok(())
    }

    /// Writes a batch's products: each is planned against what is stored (one BatchGetItem
    /// finds which exist; those are read whole), then the products to write are packed
    /// into transactions of up to 100 actions. A pack the table refuses is written again
    /// product by product, so exactly the refused rows are rejected.
    async fn write(&mut self, batch: Batch) -> Result<(), ShopError> {
        let store = self.store;
        let now = now_rfc3339();
        let ids: Vec<ProductId> = batch
            .groups
            .iter()
            .map(|g| ProductId::for_import(&self.seller, &g.handle))
            .collect();
        let existing: HashSet<ProductId> = store
            .products(&ids)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        let existing = &existing;
        let currents = join_all(ids.iter().map(|id| async move {
            match existing.contains(id) {
                true => store.get_product(id).await,
                false => Ok(None),
            }
        }))
        .await;
        let mut pending = Vec::new();
        for ((group, id), current) in batch.groups.into_iter().zip(&ids).zip(currents) {
            let current = current?;
            let current = current.as_ref().map(|(p, vs)| (p, vs.as_slice()));
            let (plan, outcomes) = plan(&group, id, &self.seller, current, &now);
            match &plan {
                Plan::Refused { column, reason } => {
                    for line in &group.lines {
                        self.reject(&[Rejection::new(*line, column, reason)]);
                    }
                }
                Plan::Unchanged => outcomes.into_iter().for_each(|o| self.counts.add(o)),
                Plan::Create { .. } | Plan::Update { .. } => pending.push((group, plan, outcomes)),
            }
        }
        let plans: Vec<&Plan> = pending.iter().map(|(_, plan, _)| plan).collect();
        let refused = store
            .write_import_packs(&SellerId::of(&self.seller), &plans)
            .await?;
        let mut alone = Vec::new();
        for (i, (group, _, outcomes)) in pending.into_iter().enumerate() {
            if refused.contains(&i) {
                alone.push(write_product(store, &self.seller, group));
            } else {
                outcomes.into_iter().for_each(|o| self.counts.add(o));
            }
        }
        for result in join_all(alone).await {
            for (outcome, rejection) in result? {
                self.counts.add(outcome);
                if let Some(r) = rejection {
                    self.report.add(&r);
                }
            }
        }
        Ok(())
    }
}
