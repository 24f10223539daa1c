//! An in-memory payment gateway for the saga's decisions: PaymentMethods named by what
//! they do (`pm_ok`, `pm_decline`, `pm_3ds`, `pm_unknown`: one Stripe does not know),
//! intents and refunds kept in a map, every money-moving call counted.

use shop::adapters::stripe::{
    CardFacts, IntentAnswer, IntentRequest, PaymentGateway, RefundAnswer, RefundRequest,
};
use shop::domain::payment::{IntentStatus, PaymentIntent};
use shop::ShopError;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct FakeGateway {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    intents: HashMap<String, (PaymentIntent, String)>,
    /// (intent, amount, the shop's refund id), in the order they were made.
    pub refunds: Vec<(String, i64, String)>,
    pub created: u32,
    /// Stripe's code for refusing every refund from now on.
    pub refuse_refunds: Option<String>,
    pub refund_calls: u32,
}

impl FakeGateway {
    pub fn created(&self) -> u32 {
        self.state.lock().unwrap().created
    }

    /// (intent, amount) of every refund made.
    pub fn refunds(&self) -> Vec<(String, i64)> {
        self.state
            .lock()
            .unwrap()
            .refunds
            .iter()
            .map(|(intent, amount, _)| (intent.clone(), *amount))
            .collect()
    }

    /// The shop's refund ids of every refund made.
    pub fn refund_ids(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .refunds
            .iter()
            .map(|(_, _, id)| id.clone())
            .collect()
    }

    /// Calls to make a refund, made or refused.
    pub fn refund_calls(&self) -> u32 {
        self.state.lock().unwrap().refund_calls
    }

    /// Stripe refuses every refund from now on, with `code`.
    pub fn refuse_refunds(&self, code: &str) {
        self.state.lock().unwrap().refuse_refunds = Some(code.to_owned());
    }

    pub fn status(&self, id: &str) -> IntentStatus {
        self.state.lock().unwrap().intents[id].0.status
    }

    /// The customer finishes 3-D Secure: the intent succeeds.
    pub fn authenticate(&self, id: &str) {
        self.state
            .lock()
            .unwrap()
            .intents
            .get_mut(id)
            .unwrap()
            .0
            .status = IntentStatus::Succeeded;
    }
}

#[async_trait::async_trait]
impl PaymentGateway for FakeGateway {
    async fn card(&self, payment_method: &str) -> Result<Option<CardFacts>, ShopError> {
        Ok(payment_method.starts_with("pm_").then(|| CardFacts {
            fingerprint: Some(format!(
                "fp{}",
                payment_method.trim_start_matches("pm_").replace('_', "")
            )),
            country: Some("FR".into()),
        }))
    }

    async fn create_intent(
        &self,
        r: &IntentRequest<'_>,
        _key: &str,
    ) -> Result<IntentAnswer, ShopError> {
        if r.payment_method == "pm_unknown" {
            // Stripe's 400 for a PaymentMethod it does not have.
            return Ok(IntentAnswer::Declined {
                code: "resource_missing".into(),
            });
        }
        let mut s = self.state.lock().unwrap();
        s.created += 1;
        let id = format!("pi_{}", s.created);
        let intent = PaymentIntent {
            id: id.clone(),
            status: IntentStatus::RequiresConfirmation,
            amount: r.amount,
            currency: r.currency.to_ascii_lowercase(),
            order_id: Some(r.order_id.to_owned()),
            decline_code: None,
        };
        s.intents
            .insert(id, (intent.clone(), r.payment_method.to_owned()));
        Ok(IntentAnswer::Intent(intent))
    }

    async fn confirm_intent(&self, id: &str, _key: &str) -> Result<IntentAnswer, ShopError> {
        let mut s = self.state.lock().unwrap();
        let (intent, method) = s.intents.get_mut(id).ok_or(ShopError::NotFound("intent"))?;
        match method.as_str() {
            "pm_decline" => {
                intent.status = IntentStatus::RequiresPaymentMethod;
                Ok(IntentAnswer::Declined {
                    code: "card_declined".into(),
                })
            }
            "pm_3ds" => {
                intent.status = IntentStatus::RequiresAction;
                Ok(IntentAnswer::Intent(intent.clone()))
            }
            _ => {
                intent.status = IntentStatus::Succeeded;
                Ok(IntentAnswer::Intent(intent.clone()))
            }
        }
    }

    async fn intent(&self, id: &str) -> Result<PaymentIntent, ShopError> {
        let s = self.state.lock().unwrap();
        s.intents
            .get(id)
            .map(|(i, _)| i.clone())
            .ok_or(ShopError::NotFound("intent"))
    }

    async fn cancel_intent(&self, id: &str) -> Result<Option<PaymentIntent>, ShopError> {
        let mut s = self.state.lock().unwrap();
        let (intent, _) = s.intents.get_mut(id).ok_or(ShopError::NotFound("intent"))?;
        if intent.status == IntentStatus::Succeeded {
            return Ok(None);
        }
        intent.status = IntentStatus::Canceled;
        Ok(Some(intent.clone()))
    }

    async fn refund(&self, r: &RefundRequest<'_>, _key: &str) -> Result<RefundAnswer, ShopError> {
        let mut s = self.state.lock().unwrap();
        s.refund_calls += 1;
        if let Some(code) = &s.refuse_refunds {
            return Ok(RefundAnswer::Refused { code: code.clone() });
        }
        s.refunds
            .push((r.intent_id.to_owned(), r.amount, r.refund_id.to_owned()));
        Ok(RefundAnswer::Refunded {
            id: format!("re_{}", s.refunds.len()),
        })
    }

    async fn find_refund(
        &self,
        intent_id: &str,
        shop_refund_id: &str,
    ) -> Result<Option<String>, ShopError> {
        let s = self.state.lock().unwrap();
        Ok(s.refunds
            .iter()
            .position(|(intent, _, id)| intent == intent_id && id == shop_refund_id)
            .map(|i| format!("re_{}", i + 1)))
    }
}
