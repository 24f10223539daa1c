//! Stripe's webhook deliveries: the `Stripe-Signature` header checked over the raw body,
//! and the event read into the shop's [`PaymentEvent`].

use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::wire::IntentBody;
use crate::domain::payment::PaymentEvent;

/// How old a signed webhook may be (Stripe's libraries default to five minutes): an
/// older delivery is refused, so a captured request cannot be replayed later.
pub const WEBHOOK_TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the webhook's timestamp is outside the tolerance window")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// Checks Stripe's `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]` over the raw `payload`:
/// some `v1` must be HMAC-SHA256(secret, "<t>.<payload>"), compared in constant time,
/// and `t` within `tolerance` seconds of `now`.
pub fn verify_signature(
    payload: &[u8],
    header: Option<&str>,
    secret: &str,
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => {
                timestamp = Some(t.parse::<i64>().map_err(|_| SignatureError::Malformed)?)
            }
            Some(("v1", sig)) => signatures.push(decode_hex(sig).ok_or(SignatureError::Malformed)?),
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > tolerance {
        return Err(SignatureError::Stale);
    }
    let expected = |sig: &[u8]| {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        mac.verify_slice(sig).is_ok()
    };
    if signatures.iter().any(|s| expected(s)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(rename = "type")]
    event_type: String,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: serde_json::Value,
}

/// Reads a verified webhook body. A body that is not an event is malformed; an event
/// about a PaymentIntent that cannot be read is malformed too (Stripe will retry it).
pub fn parse_event(payload: &[u8]) -> Result<PaymentEvent, String> {
    let raw: RawEvent =
        serde_json::from_slice(payload).map_err(|e| format!("not a Stripe event: {e}"))?;
    let intent = || {
        serde_json::from_value::<IntentBody>(raw.data.object.clone())
            .map(IntentBody::into_intent)
            .map_err(|e| format!("{}: not a PaymentIntent: {e}", raw.event_type))
    };
    Ok(match raw.event_type.as_str() {
        "payment_intent.succeeded" => PaymentEvent::Succeeded(intent()?),
        "payment_intent.payment_failed" => PaymentEvent::Failed(intent()?),
        other => PaymentEvent::Ignored(other.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";

    fn sign(payload: &[u8], t: i64, secret: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(payload);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("t={t},v1={hex}")
    }

    #[test]
    fn a_fresh_correct_signature_passes() {
        let body = br#"{"type":"payment_intent.succeeded"}"#;
        let header = sign(body, 1_000, SECRET);
        assert_eq!(
            verify_signature(body, Some(&header), SECRET, 1_010, 300),
            Ok(())
        );
        // Several v1 values (during a secret rotation): any one may match.
        let rotated = format!(
            "{},v1={}",
            sign(body, 1_000, "whsec_old"),
            &header[header.find("v1=").unwrap() + 3..]
        );
        assert_eq!(
            verify_signature(body, Some(&rotated), SECRET, 1_010, 300),
            Ok(())
        );
    }

    #[test]
    fn forged_stale_and_malformed_signatures_fail() {
        let body = br#"{"type":"payment_intent.succeeded"}"#;
        let header = sign(body, 1_000, SECRET);
        assert_eq!(
            verify_signature(body, None, SECRET, 1_000, 300),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signature(b"{}", Some(&header), SECRET, 1_000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(
                body,
                Some(&sign(body, 1_000, "whsec_other")),
                SECRET,
                1_000,
                300
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(body, Some(&header), SECRET, 1_301, 300),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify_signature(body, Some(&header), SECRET, 699, 300),
            Err(SignatureError::Stale)
        );
        for bad in [
            "",
            "t=abc,v1=00",
            "v1=00",
            "t=1000",
            "t=1000,v1=zz",
            "t=1000,v1=abc",
            "garbage",
        ] {
            assert_eq!(
                verify_signature(body, Some(bad), SECRET, 1_000, 300),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn events_are_read_by_type() {
        let body = br#"{"type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","status":"succeeded",
            "amount":2599,"currency":"usd","metadata":{"orderId":"o-1"},"latest_charge":{"id":"ch_1"}}}}"#;
        match parse_event(body).unwrap() {
            PaymentEvent::Succeeded(pi) => {
                assert_eq!(
                    (pi.id.as_str(), pi.amount, pi.order_id()),
                    ("pi_1", 2599, Some("o-1"))
                );
            }
            other => panic!("{other:?}"),
        }
        let other = br#"{"type":"charge.refunded","data":{"object":{"id":"ch_1"}}}"#;
        assert_eq!(
            parse_event(other).unwrap(),
            PaymentEvent::Ignored("charge.refunded".into())
        );
        assert!(parse_event(b"[]").is_err());
        let broken = br#"{"type":"payment_intent.payment_failed","data":{"object":{"id":"pi_1"}}}"#;
        assert!(parse_event(broken).is_err());
    }
}
