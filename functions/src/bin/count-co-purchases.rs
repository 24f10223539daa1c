#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), shop_functions::Error> {
    shop_functions::serve_events(shop_functions::handlers::recommend::count_co_purchases).await
}
