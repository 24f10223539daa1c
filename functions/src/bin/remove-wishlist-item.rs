#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shop_functions::serve(shop_functions::handlers::wishlist::remove_item).await
}
