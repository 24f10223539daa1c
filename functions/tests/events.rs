//! The inventory of functions is `template.yaml`: every `AWS::Serverless::Function`
//! has one file in `events/` (named after its binary), and its trigger decides what
//! that file must be:
//! - `HttpApi`: an API Gateway payload-2.0 request with the enabled `lambda_http`
//!   features (the classic failure is "data did not match any variant of untagged
//!   enum LambdaRequest"), for the route's method and path, carrying verified claims
//!   exactly when the route is authorised;
//! - `SQS`: an SQS batch whose records the function can read;
//! - `DynamoDB`: a stream batch the function can read;
//! - `Schedule`: EventBridge's scheduled event, whose `time` names a collection slot;
//! - no trigger: a task of a state machine (its ARN is in the machine's
//!   `DefinitionSubstitutions`), whose event is the task's input.
//!
//! No count is written here: a new function without its event file fails.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_http::{request::from_str, RequestExt};
use serde_yaml::Value;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One function of the template: its binary and its triggers.
struct Function {
    logical_id: String,
    binary: String,
    triggers: Vec<Value>,
}

/// Logical ids of the functions a state machine of the template invokes as tasks.
fn state_machine_tasks() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let template: Value = serde_yaml::from_str(&text).unwrap();
    let mut tasks = Vec::new();
    for r in template["Resources"].as_mapping().unwrap().values() {
        if r["Type"] != "AWS::Serverless::StateMachine" {
            continue;
        }
        for v in r["Properties"]["DefinitionSubstitutions"]
            .as_mapping()
            .unwrap()
            .values()
        {
            // `!GetAtt X.Arn` reads as a tagged scalar "X.Arn".
            if let Value::Tagged(t) = v {
                if let Some(target) = t.value.as_str().and_then(|s| s.strip_suffix(".Arn")) {
                    tasks.push(target.to_owned());
                }
            }
        }
    }
    tasks
}

fn functions() -> Vec<Function> {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let template: Value = serde_yaml::from_str(&text).unwrap();
    let resources = template["Resources"].as_mapping().unwrap();
    let mut out: Vec<Function> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(id, r)| Function {
            logical_id: id.as_str().unwrap().to_owned(),
            binary: r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap_or_else(|| panic!("{id:?} names no binary"))
                .to_owned(),
            triggers: r["Properties"]["Events"]
                .as_mapping()
                .map(|m| m.values().cloned().collect())
                .unwrap_or_default(),
        })
        .collect();
    out.sort_by(|a, b| a.binary.cmp(&b.binary));
    out
}

fn event(binary: &str) -> String {
    let path = root().join("events").join(format!("{binary}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_function_has_one_trigger_and_its_event_file() {
    let functions = functions();
    assert!(!functions.is_empty());
    let tasks = state_machine_tasks();
    assert!(!tasks.is_empty(), "no state machine task found");
    for f in &functions {
        let expected = if tasks.contains(&f.logical_id) { 0 } else { 1 };
        assert_eq!(
            f.triggers.len(),
            expected,
            "{}: one trigger per function, none for a state machine's task",
            f.logical_id
        );
        event(&f.binary);
        assert!(
            root()
                .join(format!("functions/src/bin/{}.rs", f.binary))
                .exists(),
            "{}: no binary {}",
            f.logical_id,
            f.binary
        );
    }
    // And nothing in events/ that no function reads.
    let known: Vec<String> = functions
        .iter()
        .map(|f| format!("{}.json", f.binary))
        .collect();
    for entry in std::fs::read_dir(root().join("events")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            known.contains(&name) || name == "expected-status.json",
            "events/{name} belongs to no function"
        );
    }
}

fn check_http(f: &Function, trigger: &Value, json: &str) {
    let name = &f.binary;
    let req = from_str(json).unwrap_or_else(|e| panic!("{name}: {e}"));
    let props = &trigger["Properties"];
    assert_eq!(
        req.method().as_str(),
        props["Method"].as_str().unwrap(),
        "{name}"
    );
    // The template's path with the event's path parameters filled in is the event's path.
    let mut path = props["Path"].as_str().unwrap().to_owned();
    for (param, value) in req.path_parameters().iter() {
        path = path.replace(&format!("{{{param}}}"), value);
    }
    assert_eq!(req.raw_http_path(), path, "{name}");
    let anonymous = props["Auth"]["Authorizer"].as_str() == Some("NONE");
    assert_eq!(
        shop::http::caller(&req).is_ok(),
        !anonymous,
        "{name}: claims"
    );
}

fn check_sqs(f: &Function, json: &str) {
    let event: SqsEvent =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{}: {e}", f.binary));
    assert!(!event.records.is_empty(), "{}", f.binary);
    for record in &event.records {
        let body = record.body.as_deref().unwrap();
        match f.binary.as_str() {
            "mailer" => drop(shop::domain::mail::Mail::from_queue(body).unwrap()),
            "watch-stock" => drop(
                serde_json::from_str::<shop::domain::stock::StockWatch>(body)
                    .unwrap_or_else(|e| panic!("watch-stock: {e}")),
            ),
            "refund-worker" => drop(
                serde_json::from_str::<shop::adapters::refunds::RefundMessage>(body)
                    .unwrap_or_else(|e| panic!("refund-worker: {e}")),
            ),
            _ => {}
        }
    }
}

fn check_stream(f: &Function, json: &str) {
    let batch: shop_functions::stream::StreamBatch =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{}: {e}", f.binary));
    // Each stream function's records name what its filter lets through.
    let named: Vec<bool> = match f.binary.as_str() {
        "start-checkout" => batch
            .order_changes()
            .iter()
            .map(|(_, change)| *change != shop_functions::stream::OrderChange::Other)
            .collect(),
        "index-products" => batch
            .changed_products()
            .iter()
            .map(|(_, id)| id.is_some())
            .collect(),
        other => panic!("{other}: a stream function without a record check"),
    };
    assert!(
        !named.is_empty() && named.iter().all(|n| *n),
        "{}",
        f.binary
    );
}

fn check_schedule(f: &Function, json: &str) {
    let event: shop_functions::schedule::ScheduledEvent =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{}: {e}", f.binary));
    shop::domain::fulfilment::RunId::slot_of(&event.time)
        .unwrap_or_else(|e| panic!("{}: {e}", f.binary));
}

/// A task's input, read as its handler's input type.
fn check_task(f: &Function, json: &str) {
    use shop_functions::handlers::checkout::settle::SettleTask;
    use shop_functions::handlers::checkout::OrderTask;
    let read = match f.binary.as_str() {
        "checkout-fraud" => serde_json::from_str::<OrderTask>(json).map(drop),
        "checkout-settle" => serde_json::from_str::<SettleTask>(json).map(drop),
        other => panic!("{other}: a state machine task without an input check"),
    };
    read.unwrap_or_else(|e| panic!("{}: {e}", f.binary));
}

#[test]
fn every_event_is_what_its_trigger_delivers() {
    for f in functions() {
        let json = event(&f.binary);
        let Some(trigger) = f.triggers.first() else {
            check_task(&f, &json);
            continue;
        };
        match trigger["Type"].as_str().unwrap() {
            "HttpApi" => check_http(&f, trigger, &json),
            "SQS" => check_sqs(&f, &json),
            "DynamoDB" => check_stream(&f, &json),
            "Schedule" => check_schedule(&f, &json),
            other => panic!("{}: no event check for trigger type {other}", f.logical_id),
        }
    }
}

/// Role names have one source, `Role`: the template's groups are exactly its names.
#[test]
fn the_templates_groups_are_the_roles() {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let template: Value = serde_yaml::from_str(&text).unwrap();
    let mut groups: Vec<String> = template["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::Cognito::UserPoolGroup")
        .map(|r| r["Properties"]["GroupName"].as_str().unwrap().to_owned())
        .collect();
    groups.sort();
    let mut roles: Vec<String> = shop::domain::auth::Role::ALL
        .iter()
        .map(|r| r.as_str().to_owned())
        .collect();
    roles.sort();
    assert_eq!(groups, roles);
}
