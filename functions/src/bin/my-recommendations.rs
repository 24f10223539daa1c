#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), shop_functions::Error> {
    shop_functions::serve_http(shop_functions::handlers::recommend::my_recommendations).await
}
