//! Logging: JSON lines to stdout (CloudWatch), at a level a deployment may choose.

/// Log levels a deployment may choose. `trace` is not among them: at trace the SDK
/// logs request bodies, which carry passwords on the sign-in path.
const LOG_LEVELS: [&str; 4] = ["error", "warn", "info", "debug"];

/// The level from `RUST_LOG` if it is one of [`LOG_LEVELS`], else `info`.
pub fn log_level(raw: Option<&str>) -> &'static str {
    let wanted = raw.unwrap_or("info").trim().to_ascii_lowercase();
    LOG_LEVELS
        .iter()
        .find(|l| **l == wanted)
        .copied()
        .unwrap_or("info")
}

/// JSON logs to stdout (CloudWatch) at the level of `RUST_LOG` (see [`log_level`]).
pub fn init_tracing() {
    let raw = std::env::var("RUST_LOG").ok();
    let level = log_level(raw.as_deref());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::new(level))
        .with_target(false)
        .without_time()
        .try_init();
    if raw.is_some_and(|r| r.trim().to_ascii_lowercase() != level) {
        tracing::warn!(
            level,
            "RUST_LOG is not one of error, warn, info, debug; using {level}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_allowed_levels_are_taken() {
        assert_eq!(log_level(Some("debug")), "debug");
        assert_eq!(log_level(Some(" WARN ")), "warn");
        assert_eq!(log_level(None), "info");
        for refused in [
            "trace",
            "aws_smithy_runtime=trace",
            "info,hyper=trace",
            "off",
            "",
        ] {
            assert_eq!(log_level(Some(refused)), "info", "{refused}");
        }
    }
}
