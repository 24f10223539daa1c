//! Every file in `events/` is a request the functions accept: it parses as an API
//! Gateway payload-2.0 event with the `lambda_http` features this crate enables
//! (the classic failure is "data did not match any variant of untagged enum LambdaRequest"),
//! and authorised routes carry the claims the handlers read.

use lambda_http::{request::from_str, RequestExt};
use std::path::PathBuf;

fn events() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("events/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json") && !p.ends_with("expected-status.json")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_event_parses_into_a_request() {
    let all = events();
    assert_eq!(all.len(), 16, "one event per function");
    for (name, json) in all {
        let req = from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let route: serde_json::Value = serde_json::from_str(&json).unwrap();
        let route_key = route["routeKey"].as_str().unwrap();
        assert_eq!(
            req.method().as_str(),
            route_key.split(' ').next().unwrap(),
            "{name}"
        );
        for (param, value) in route["pathParameters"].as_object().into_iter().flatten() {
            assert_eq!(
                req.path_parameters().first(param),
                value.as_str(),
                "{name}: {param}"
            );
        }
    }
}

#[test]
fn authorised_events_carry_a_caller() {
    for (name, json) in events() {
        let req = from_str(&json).unwrap();
        let has_claims = json.contains("\"authorizer\"");
        assert_eq!(shop::http::caller(&req).is_ok(), has_claims, "{name}");
    }
}
