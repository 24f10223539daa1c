//! The service tier's test bench: the use cases run against AWS's DynamoDB Local
//! directly — no LocalStack, no functions — in a fresh table per test, created from
//! `template.yaml`'s own `ShopTable` definition (one key schema).
//!
//! DynamoDB Local: `SHOP_TEST_DYNAMODB_ENDPOINT` reuses one that is running (e.g.
//! the local stack's); otherwise one is started per test binary from
//! `SHOP_DYNAMODB_LOCAL_DIR` (`infra/local/localstack/start.sh --install-only`
//! prints it; `infra/test.sh` sets it), on 127.0.0.1 (our loopback agent) and a free
//! port, watched by a small shell that stops it by its PID as soon as the test
//! process is gone.

#![allow(dead_code)]

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use serde_json::json;
use shop::domain::auth::{Caller, Role};
use shop::domain::catalog::{Category, ProductInput, ProductView};
use shop::domain::ids::{CategoryId, UserId};
use shop::store::Store;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn start_dynamodb_local() -> String {
    let dir = std::env::var("SHOP_DYNAMODB_LOCAL_DIR").unwrap_or_else(|_| {
        panic!(
            "set SHOP_TEST_DYNAMODB_ENDPOINT (a running DynamoDB Local) or SHOP_DYNAMODB_LOCAL_DIR \
             (printed by `infra/local/localstack/start.sh --install-only`; infra/test.sh sets it)"
        )
    });
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let java = std::env::var("JAVA_HOME")
        .map(|h| format!("{h}/bin/java"))
        .unwrap_or_else(|_| "java".to_owned());
    // The watchdog: DynamoDB Local lives exactly as long as this test process.
    let script = r#"
        "$JAVA" -javaagent:"$DIR/ddb-local-loader-0.1.jar" -Djava.library.path="$DIR/DynamoDBLocal_lib" \
            -jar "$DIR/DynamoDBLocal.jar" -inMemory -port "$PORT" >/dev/null 2>&1 &
        child=$!
        while kill -0 "$WATCH" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.2; done
        kill "$child" 2>/dev/null; wait "$child" 2>/dev/null
    "#;
    // Not waited for: the watchdog ends by itself once this process is gone, and is
    // then reaped by init.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args(["-c", script])
        .env("JAVA", java)
        .env("DIR", &dir)
        .env("PORT", port.to_string())
        .env("WATCH", std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting DynamoDB Local");
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "DynamoDB Local from {dir} did not listen on 127.0.0.1:{port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    format!("http://127.0.0.1:{port}")
}

fn endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        std::env::var("SHOP_TEST_DYNAMODB_ENDPOINT").unwrap_or_else(|_| start_dynamodb_local())
    })
}

fn client_config() -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
}

fn client() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::from_conf(client_config().build())
}

/// The same table through a client whose calls are recorded as IAM actions, as the
/// functions' audit logs them.
pub fn audited(store: &Store) -> (Store, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let (audit, recorded) = shop::sdk::audit::SdkCallAudit::recording();
    let client = aws_sdk_dynamodb::Client::from_conf(client_config().interceptor(audit).build());
    (Store::new(client, store.table()), recorded)
}

/// `ShopTable`'s properties in template.yaml.
fn table_definition() -> serde_yaml::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
    let template: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    template["Resources"]["ShopTable"]["Properties"].clone()
}

fn key_schema(value: &serde_yaml::Value) -> Vec<KeySchemaElement> {
    value
        .as_sequence()
        .unwrap()
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(k["AttributeName"].as_str().unwrap())
                .key_type(KeyType::from(k["KeyType"].as_str().unwrap()))
                .build()
                .unwrap()
        })
        .collect()
}

/// A new, empty shop table with the template's key schema and indexes.
pub async fn fresh_store() -> Store {
    let def = table_definition();
    let client = client();
    let name = format!("shop-test-{}", uuid::Uuid::new_v4().simple());
    let mut create = client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(&def["KeySchema"])));
    for a in def["AttributeDefinitions"].as_sequence().unwrap() {
        create = create.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(a["AttributeName"].as_str().unwrap())
                .attribute_type(ScalarAttributeType::from(
                    a["AttributeType"].as_str().unwrap(),
                ))
                .build()
                .unwrap(),
        );
    }
    for g in def["GlobalSecondaryIndexes"].as_sequence().unwrap() {
        create = create.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(g["IndexName"].as_str().unwrap())
                .set_key_schema(Some(key_schema(&g["KeySchema"])))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(
                            g["Projection"]["ProjectionType"].as_str().unwrap(),
                        ))
                        .build(),
                )
                .build()
                .unwrap(),
        );
    }
    create.send().await.expect("CreateTable on DynamoDB Local");
    let store = Store::new(client, name);
    serve_everywhere(&store).await;
    store
}

/// The carrier's collection slots in every test: Tuesdays and Fridays at 06:00 UTC (the
/// template's default).
pub fn schedule() -> shop::domain::fulfilment::CollectionSchedule {
    shop::domain::fulfilment::CollectionSchedule::from_cron("cron(0 6 ? * TUE,FRI *)").unwrap()
}

/// The coverage version every fresh table starts with: the whole of the countries the
/// tests ship to, in 2 working days (without coverage nothing is served).
pub const TEST_COVERAGE: &str = "test-coverage-v1";

async fn serve_everywhere(store: &Store) {
    use shop::domain::fulfilment::CoverageRow;
    let countries: Vec<String> = ["DE", "FR", "GB", "US"].map(String::from).to_vec();
    let rows: Vec<CoverageRow> = countries
        .iter()
        .map(|country| CoverageRow {
            country: country.clone(),
            prefix: String::new(),
            transit_days: Some(2),
        })
        .collect();
    store.put_coverage_rows(TEST_COVERAGE, &rows).await.unwrap();
    let switched = store
        .switch_coverage(TEST_COVERAGE, "01", &countries, None)
        .await
        .unwrap();
    assert_eq!(switched, Some(None));
}

/// A signed-in caller with `roles` (what the authorizer's verified claims give).
pub fn caller(roles: &[Role]) -> Caller {
    Caller {
        user_id: UserId::parse(&format!("u-{}", uuid::Uuid::new_v4().simple())).unwrap(),
        roles: roles.to_vec(),
        email: None,
    }
}

/// `user`'s profile as a verified registration leaves it (written today), so mails to it
/// have an address.
pub async fn verified_profile(store: &Store, user: &Caller, email: &str, name: &str, role: Role) {
    let record = shop::store::VerificationRecord {
        user_id: user.user_id.clone(),
        email: email.to_owned(),
        name: name.to_owned(),
        role,
        digest: "d".into(),
        expires_at: 0,
        attempts: 0,
        sent_at: 0,
    };
    store.put_verification(&record).await.unwrap();
    let profile = shop::store::Profile::new(
        user.user_id.clone(),
        email.to_owned(),
        name.to_owned(),
        role,
        shop::clock::now_rfc3339(),
    );
    store
        .complete_verification(email, &profile, None)
        .await
        .unwrap();
}

/// A seller whose application an administrator approved.
pub async fn approved_seller(store: &Store) -> Caller {
    let seller = caller(&[Role::Seller]);
    let application = shop::domain::seller::Seller::application(&seller.user_id, "Test Shop", "t0");
    store.create_seller(&application).await.unwrap();
    shop::services::sellers::act(
        store,
        &caller(&[Role::Admin]),
        &application.seller_id,
        shop::domain::seller::SellerAction::Approve,
    )
    .await
    .unwrap();
    seller
}

pub async fn category(store: &Store, id: &str) -> CategoryId {
    let id = CategoryId::parse(id).unwrap();
    store
        .put_category(&Category {
            id: id.clone(),
            name: id.as_str().to_owned(),
            parent_id: None,
        })
        .await
        .unwrap();
    id
}

/// A product input as the API receives it: `variants` of (sku, price, currency, onHand).
pub fn product_input(category: &CategoryId, variants: &[(&str, i64, &str, i64)]) -> ProductInput {
    serde_json::from_value(json!({
        "name": "Trail Shoe",
        "brand": "Acme",
        "categoryId": category.as_str(),
        "variants": variants.iter().map(|(sku, price, currency, on_hand)| json!({
            "sku": sku, "price": price, "currency": currency, "onHand": on_hand
        })).collect::<Vec<_>>(),
    }))
    .unwrap()
}

/// Lists a product through the use case, as `seller`.
pub async fn listed(
    store: &Store,
    seller: &Caller,
    category: &CategoryId,
    variants: &[(&str, i64, &str, i64)],
) -> ProductView {
    let draft = product_input(category, variants).parse().unwrap();
    shop::services::catalog::create_product(store, seller, draft)
        .await
        .unwrap()
}

/// A SKU no other test uses (SKUs are unique shop-wide, tables are not shared).
pub fn sku(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
    .to_uppercase()
}

/// A fresh table with a `shoes` category, a seller and a shopper.
pub struct Bench {
    pub store: Store,
    pub shoes: CategoryId,
    pub seller: Caller,
    pub shopper: Caller,
}

pub async fn bench() -> Bench {
    let store = fresh_store().await;
    let shoes = category(&store, "shoes").await;
    let seller = approved_seller(&store).await;
    Bench {
        store,
        shoes,
        seller,
        shopper: caller(&[Role::Customer]),
    }
}

/// Checkout starts, recorded instead of sent to Step Functions (the order's saga is not
/// what the service tier tests).
#[derive(Default)]
pub struct Starts(pub std::sync::Mutex<Vec<shop::domain::ids::OrderId>>);

#[async_trait::async_trait]
impl shop::adapters::saga::StartCheckout for Starts {
    async fn start(&self, order_id: &shop::domain::ids::OrderId) -> Result<(), shop::ShopError> {
        self.0.lock().unwrap().push(order_id.clone());
        Ok(())
    }
}
