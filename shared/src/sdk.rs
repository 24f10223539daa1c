//! The AWS SDK configuration every function starts from, built for a short init:
//!
//! - Credentials and region come from the environment, where Lambda puts them. The
//!   default chain would also build profile, SSO, web-identity (an STS client) and
//!   metadata providers, none of which a function uses.
//! - The HTTPS client trusts the roots AWS endpoints chain to, compiled in
//!   (`shared/certs/`), instead of parsing the system's CA bundle at cold start.
//!
//! Endpoints still follow `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`, which is
//! how the local stack (plain http) is reached.

use aws_config::environment::{
    EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider,
};
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};

/// Amazon Root CA 1-4 and Starfield Services Root CA G2 (see `shared/certs/README.md`).
static AWS_ROOTS_PEM: &[u8] = include_bytes!("../certs/aws-roots.pem");

/// An HTTPS client that trusts only [`AWS_ROOTS_PEM`].
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AWS_ROOTS_PEM);
    let tls_context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("the compiled-in roots form a valid TLS context");
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls_context)
        .build_https()
}

pub async fn config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .credentials_provider(EnvironmentVariableCredentialsProvider::new())
        .region(EnvironmentVariableRegionProvider::new())
        .load()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_roots_are_the_five_aws_roots() {
        let text = std::str::from_utf8(AWS_ROOTS_PEM).unwrap();
        assert_eq!(text.matches("-----BEGIN CERTIFICATE-----").count(), 5);
        // Building the client parses them; a broken file would panic here, not at cold start.
        let _ = https_client();
    }
}
