use super::*;

/// A variant's image: `(onHand, reserved, flagged)`, threshold 5.
fn image(sku: &str, (on_hand, reserved, flagged): (i64, i64, bool)) -> serde_json::Value {
    let mut image = serde_json::json!({
        "PK": {"S": "PRODUCT#p1"}, "SK": {"S": format!("VARIANT#{sku}")},
        "entity": {"S": "variant"}, "productId": {"S": "p1"}, "sku": {"S": sku},
        "onHand": {"N": on_hand.to_string()}, "reserved": {"N": reserved.to_string()},
        "lowStockThreshold": {"N": "5"},
    });
    if flagged {
        image["lowStockSince"] = serde_json::json!({"S": "2026-12-07T10:00:00Z"});
    }
    image
}

/// A variant's record as the table's stream delivers it; `old` absent for an INSERT.
fn record(
    seq: u32,
    sku: &str,
    old: Option<(i64, i64, bool)>,
    new: (i64, i64, bool),
) -> serde_json::Value {
    let mut change = serde_json::json!({
        "SequenceNumber": format!("{seq:04}"), "Keys": {"PK": {"S": "PRODUCT#p1"}},
        "NewImage": image(sku, new),
    });
    if let Some(old) = old {
        change["OldImage"] = image(sku, old);
    }
    serde_json::json!({ "eventName": if old.is_some() { "MODIFY" } else { "INSERT" }, "dynamodb": change })
}

fn watches(records: Vec<serde_json::Value>) -> Vec<(String, String)> {
    let batch: StreamBatch =
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap();
    batch
        .stock_watches(StockSettings {
            default_threshold: 2,
        })
        .into_iter()
        .map(|(seq, w)| (seq, w.sku.to_string()))
        .collect()
}

#[test]
fn falls_and_rises_are_watched_nothing_else() {
    let got = watches(vec![
        record(1, "A", Some((10, 0, false)), (9, 0, false)), // still above 5
        record(2, "B", Some((10, 4, false)), (10, 5, false)), // 6 -> 5 available: a fall
        record(3, "C", Some((4, 0, true)), (3, 0, true)),    // low and flagged: known
        record(4, "D", Some((3, 0, true)), (9, 0, true)),    // restocked above: a rise
        record(5, "E", None, (1, 0, false)),                 // created low: never fell
        record(6, "F", Some((5, 0, false)), (4, 0, false)),  // low before and after
    ]);
    assert_eq!(
        got,
        [("0002".into(), "B".into()), ("0004".into(), "D".into())]
    );
}

#[test]
fn stock_outs_count_the_variants_whose_last_unit_went() {
    let batch: StreamBatch = serde_json::from_value(serde_json::json!({ "Records": [
        record(1, "A", Some((10, 8, false)), (10, 10, false)), // 2 -> 0 available
        record(2, "B", Some((10, 9, true)), (9, 9, true)),     // 1 -> 0 (sold and shipped)
        record(3, "C", Some((0, 0, true)), (0, 0, true)),      // out before and after
        record(4, "D", None, (0, 0, false)),                   // created without stock
        record(5, "E", Some((4, 0, true)), (3, 0, true)),      // still some left
    ]}))
    .unwrap();
    let settings = StockSettings {
        default_threshold: 2,
    };
    assert_eq!(batch.stock_outs(settings), ["A", "B"]);
}

#[test]
fn of_one_variant_s_watches_in_a_batch_the_last_is_kept() {
    let got = watches(vec![
        record(1, "A", Some((10, 0, false)), (10, 5, false)),
        record(2, "B", Some((9, 0, false)), (5, 0, false)),
        record(3, "A", Some((5, 0, true)), (20, 0, true)),
    ]);
    assert_eq!(
        got,
        [("0002".into(), "B".into()), ("0003".into(), "A".into())]
    );
}

#[test]
fn the_default_threshold_applies_to_a_variant_without_its_own() {
    let mut r = record(1, "A", Some((3, 0, false)), (2, 0, false));
    for side in ["NewImage", "OldImage"] {
        r["dynamodb"][side]
            .as_object_mut()
            .unwrap()
            .remove("lowStockThreshold");
    }
    assert_eq!(
        watches(vec![r.clone()]).len(),
        1,
        "3 -> 2 available, default 2: a fall"
    );
    r["dynamodb"]["NewImage"]["onHand"] = serde_json::json!({"N": "3"});
    assert!(watches(vec![r]).is_empty());
}

#[test]
fn a_flag_s_write_is_not_indexed_again() {
    let mut flagged = record(2, "A", Some((3, 0, false)), (3, 0, true));
    flagged["dynamodb"]["NewImage"]["rev"] = serde_json::json!({"N": "7"});
    flagged["dynamodb"]["OldImage"]["rev"] = serde_json::json!({"N": "7"});
    let mut sold = record(3, "A", Some((3, 0, true)), (2, 0, true));
    sold["dynamodb"]["NewImage"]["rev"] = serde_json::json!({"N": "8"});
    sold["dynamodb"]["OldImage"]["rev"] = serde_json::json!({"N": "7"});
    let batch: StreamBatch =
        serde_json::from_value(serde_json::json!({ "Records": [flagged, sold] })).unwrap();
    let changed: Vec<&str> = batch.changed_products().iter().map(|(s, _)| *s).collect();
    assert_eq!(changed, ["0003"]);
}

#[test]
fn removed_items_and_other_entities_are_not_watched() {
    let mut product = record(1, "A", Some((9, 0, false)), (0, 0, false));
    product["dynamodb"]["NewImage"]["entity"] = serde_json::json!({"S": "product"});
    let removed = serde_json::json!({
        "eventName": "REMOVE",
        "dynamodb": {"SequenceNumber": "0002", "Keys": {"PK": {"S": "PRODUCT#p1"}},
                     "OldImage": image("B", (9, 0, false))},
    });
    assert!(watches(vec![product, removed]).is_empty());
}
