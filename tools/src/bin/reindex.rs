//! Rebuilds the search index from the table, for recovery (a lost or damaged index,
//! records the indexer gave up on) and after a change of `infra/search/products-index.json`
//! (which names a new index: it is filled, then the alias moves to it atomically).
//!
//! Reads the same settings as the functions: `TABLE_NAME`, `OPENSEARCH_URL` or
//! `OPENSEARCH_DOMAIN`, `SEARCH_INDEX`, AWS credentials and region from the environment.
//! `--recreate` first drops the definition's index when the alias does not serve from it.
//! Progress goes to stderr after every page of the scan; the summary to stdout as JSON.

use shop::adapters::search::IndexWriter;
use shop::config::{Dependency, Env};
use shop::services::search::{rebuild, RebuildProgress};
use shop::store::Store;
use std::process::ExitCode;
use std::time::Instant;

#[tokio::main]
async fn main() -> ExitCode {
    let recreate = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => false,
        [flag] if flag == "--recreate" => true,
        _ => {
            eprintln!("usage: reindex [--recreate]");
            return ExitCode::from(2);
        }
    };
    let env = Env::load_for_tool().await;
    let deps = <(Store, IndexWriter)>::from_env(&env).await;
    let (store, index) = match deps {
        Ok(deps) => deps,
        Err(err) => {
            eprintln!("reindex: {err}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let mut report_progress = |p: RebuildProgress| {
        eprintln!(
            "pass {}: {} products scanned, {} written, {} deleted, {} already current, {} failed ({:.1} s)",
            p.pass,
            p.scanned,
            p.written,
            p.deleted,
            p.unchanged,
            p.failed,
            started.elapsed().as_secs_f64()
        );
    };
    match rebuild(&store, &index, recreate, &mut report_progress).await {
        Ok(report) => {
            println!(
                "{{\"written\": {}, \"deleted\": {}, \"unchanged\": {}, \"failed\": {}, \"seconds\": {:.1}}}",
                report.written,
                report.deleted,
                report.unchanged,
                report.failed.len(),
                started.elapsed().as_secs_f64()
            );
            if report.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                eprintln!("reindex: failed products: {:?}", report.failed);
                ExitCode::FAILURE
            }
        }
        Err(err) => {
            eprintln!("reindex: {err}");
            ExitCode::FAILURE
        }
    }
}
