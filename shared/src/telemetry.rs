//! The shop's business metrics, written as CloudWatch Embedded Metric Format (EMF): JSON
//! log lines that CloudWatch turns into metrics, with no API call and no added latency.
//!
//! Use cases record through the `metrics` facade (a no-op until [`install`] ran, so the
//! service tests and tools record nothing); each function's runtime loop ([`flush`], called
//! by `serve_http`/`serve_events` after every invocation) writes what the invocation
//! recorded as one document per dimension set, carrying the invocation's properties
//! (request id, trace id, correlation id, order id, a zero-result query): properties are
//! searchable in Logs Insights but are not dimensions, so they cost no extra metric.
//!
//! Every metric is recorded where the change it counts was written by this invocation (a
//! conditional write that succeeded), so a retried step does not count twice.
//! infra/monitoring/generate.py charts them; tests/test_metrics.py checks a known scenario.

use std::sync::{Mutex, OnceLock};

use metrics::{counter, describe_counter, describe_histogram, histogram, Unit};
use metrics_cloudwatch_embedded::Collector;

use crate::domain::import::ImportCounts;
use crate::domain::order::{CancelReason, Order};

/// Orders written by `POST /orders` (an idempotent replay is not counted again).
pub const ORDERS_PLACED: &str = "OrdersPlaced";
/// Orders the checkout confirmed (paid).
pub const ORDERS_CONFIRMED: &str = "OrdersConfirmed";
/// Orders cancelled, by `Reason` (the order's cancel reason: payment_declined, ...).
pub const ORDERS_CANCELLED: &str = "OrdersCancelled";
/// Confirmed orders' totals, by `Currency`, in minor units.
pub const REVENUE: &str = "Revenue";
/// Milliseconds from an order's placement to its confirmation.
pub const TIME_TO_CONFIRM: &str = "TimeToConfirm";
/// Stripe's answer to the payment worker's charge, by `Outcome`: succeeded, declined, or
/// pending (the customer must act, e.g. 3-D Secure; the webhook tells the end).
pub const PAYMENT_OUTCOME: &str = "PaymentOutcome";
/// Variants whose available units went from some to none.
pub const STOCK_OUTS: &str = "StockOuts";
/// An import's rows when it finished, by `Outcome`: created, updated, unchanged, rejected.
pub const IMPORT_ROWS: &str = "ImportRows";
/// Milliseconds the search index took for a search.
pub const SEARCH_LATENCY: &str = "SearchLatency";
/// Searches answered (with text or browsing).
pub const SEARCHES: &str = "Searches";
/// Searches with text that found nothing; the query is the document's `query` property.
pub const ZERO_RESULT_SEARCHES: &str = "ZeroResultSearches";

/// Every metric above, for the tests that compare them with the dashboard.
pub const ALL: [&str; 11] = [
    ORDERS_PLACED,
    ORDERS_CONFIRMED,
    ORDERS_CANCELLED,
    REVENUE,
    TIME_TO_CONFIRM,
    PAYMENT_OUTCOME,
    STOCK_OUTS,
    IMPORT_ROWS,
    SEARCH_LATENCY,
    SEARCHES,
    ZERO_RESULT_SEARCHES,
];

static COLLECTOR: OnceLock<&'static Collector> = OnceLock::new();
/// The properties set during the current invocation, removed once it is flushed.
static SET: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

/// Installs the EMF recorder for this process (once per cold start), in `namespace`.
pub fn install(namespace: &str) {
    if COLLECTOR.get().is_some() {
        return;
    }
    let built = metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace(namespace.to_owned())
        .init();
    match built {
        Ok(collector) => {
            let _ = COLLECTOR.set(collector);
            for name in [
                ORDERS_PLACED,
                ORDERS_CONFIRMED,
                ORDERS_CANCELLED,
                PAYMENT_OUTCOME,
                STOCK_OUTS,
                IMPORT_ROWS,
                SEARCHES,
                ZERO_RESULT_SEARCHES,
            ] {
                describe_counter!(name, Unit::Count, "");
            }
            describe_histogram!(TIME_TO_CONFIRM, Unit::Milliseconds, "");
            describe_histogram!(SEARCH_LATENCY, Unit::Milliseconds, "");
        }
        Err(err) => tracing::warn!(error = %err, "business metrics are off"),
    }
}

/// Sets a property of this invocation's metric documents (none when metrics are off).
pub fn property(name: &'static str, value: impl Into<serde_json::Value>) {
    let Some(collector) = COLLECTOR.get() else {
        return;
    };
    collector.set_property(name, value.into());
    let mut set = SET.lock().unwrap_or_else(|e| e.into_inner());
    if !set.contains(&name) {
        set.push(name);
    }
}

/// Writes what this invocation recorded to stdout (nothing when it recorded nothing) and
/// forgets its properties, so the next invocation's documents do not carry them.
pub fn flush() {
    let Some(collector) = COLLECTOR.get() else {
        return;
    };
    if let Err(err) = collector.flush(std::io::stdout().lock()) {
        tracing::warn!(error = %err, "writing the business metrics failed");
    }
    let mut set = SET.lock().unwrap_or_else(|e| e.into_inner());
    for name in set.drain(..) {
        collector.remove_property(name);
    }
}

pub fn order_placed(order_id: &str) {
    property("orderId", order_id);
    counter!(ORDERS_PLACED).increment(1);
}

/// The order was confirmed by this invocation: counted, its total added to the revenue,
/// and the time since it was placed.
pub fn order_confirmed(order: &Order) {
    property("orderId", order.id.as_str());
    counter!(ORDERS_CONFIRMED).increment(1);
    let amount = u64::try_from(order.total.amount).unwrap_or(0);
    counter!(REVENUE, "Currency" => order.currency.to_string()).increment(amount);
    if let Some(ms) = crate::clock::millis_since(&order.created_at) {
        histogram!(TIME_TO_CONFIRM).record(ms as f64);
    }
}

pub fn order_cancelled(order_id: &str, reason: CancelReason) {
    property("orderId", order_id);
    counter!(ORDERS_CANCELLED, "Reason" => reason.as_str()).increment(1);
}

pub fn payment_outcome(order_id: &str, outcome: &'static str) {
    property("orderId", order_id);
    counter!(PAYMENT_OUTCOME, "Outcome" => outcome).increment(1);
}

/// Variants sold out by the changes just read; their SKUs are the `soldOut` property.
pub fn stock_outs(skus: Vec<String>) {
    if !skus.is_empty() {
        counter!(STOCK_OUTS).increment(skus.len() as u64);
        property("soldOut", skus);
    }
}

pub fn import_rows(import_id: &str, counts: &ImportCounts) {
    property("importId", import_id);
    for (outcome, rows) in [
        ("created", counts.created),
        ("updated", counts.updated),
        ("unchanged", counts.unchanged),
        ("rejected", counts.rejected),
    ] {
        if rows > 0 {
            counter!(IMPORT_ROWS, "Outcome" => outcome).increment(rows);
        }
    }
}

/// A search answered in `took_ms` by the index, with `total` hits. A text search that
/// found nothing is counted apart, its text kept as the `query` property.
pub fn searched(text: Option<&str>, total: u64, took_ms: u64) {
    counter!(SEARCHES).increment(1);
    histogram!(SEARCH_LATENCY).record(took_ms as f64);
    if let (Some(text), 0) = (text, total) {
        property("query", text);
        counter!(ZERO_RESULT_SEARCHES).increment(1);
    }
}
