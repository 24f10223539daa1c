//! What a queued mail must be before it is rendered: every field the shop writes, of the
//! shape the shop writes it (a queued message that is not is refused, never sent).

use super::{Mail, MailError, MAX_MAIL_LINES};

fn check_id(value: &str, field: &'static str) -> Result<(), MailError> {
    if value.is_empty()
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(MailError::BadField(field));
    }
    Ok(())
}

fn check_address(to: &str) -> Result<(), MailError> {
    if !to.contains('@') || to.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(MailError::BadField("to"));
    }
    Ok(())
}

fn check_text(value: &str, field: &'static str) -> Result<(), MailError> {
    if value.chars().any(char::is_control) {
        return Err(MailError::BadField(field));
    }
    Ok(())
}

impl Mail {
    pub(super) fn check(&self) -> Result<(), MailError> {
        match self {
            Mail::AccountChanged { to, name, change } => {
                check_address(to)?;
                check_text(name, "name")?;
                match change {
                    super::AccountChange::EmailChanged { new_email } => {
                        check_text(new_email, "new_email")
                    }
                    _ => Ok(()),
                }
            }
            Mail::VerifyEmail { to, name, code, .. } | Mail::AccountCode { to, name, code, .. } => {
                check_address(to)?;
                check_text(name, "name")?;
                if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) {
                    return Err(MailError::BadField("code"));
                }
                Ok(())
            }
            Mail::RefundIssued {
                to,
                name,
                order_id,
                reason,
                ..
            } => {
                check_address(to)?;
                check_text(name, "name")?;
                check_text(&reason.replace('\n', " "), "reason")?;
                check_id(order_id, "order_id")
            }
            Mail::OrderConfirmed {
                to, name, order_id, ..
            }
            | Mail::OrderCancelled {
                to, name, order_id, ..
            } => {
                check_address(to)?;
                check_text(name, "name")?;
                if order_id.is_empty()
                    || !order_id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    return Err(MailError::BadField("order_id"));
                }
                Ok(())
            }
            Mail::SellerLowStock {
                to,
                name,
                product_id,
                product_name,
                sku,
                alert_id,
                ..
            } => {
                check_address(to)?;
                check_text(name, "name")?;
                check_text(product_name, "product_name")?;
                check_id(product_id, "product_id")?;
                check_id(sku, "sku")?;
                check_id(alert_id, "alert_id")
            }
            Mail::SellerNewOrder {
                to,
                name,
                order_id,
                shipment_id,
                lines,
            }
            | Mail::ShipmentCancelled {
                to,
                name,
                order_id,
                shipment_id,
                lines,
                ..
            }
            | Mail::SellerShipmentCancelled {
                to,
                name,
                order_id,
                shipment_id,
                lines,
            }
            | Mail::ReturnUpdate {
                to,
                name,
                order_id,
                return_id: shipment_id,
                lines,
                ..
            }
            | Mail::SellerReturnRequested {
                to,
                name,
                order_id,
                return_id: shipment_id,
                lines,
            }
            | Mail::ShipmentUpdate {
                to,
                name,
                order_id,
                shipment_id,
                lines,
                ..
            } => {
                if let Mail::ShipmentUpdate {
                    carrier,
                    tracking_number,
                    estimated_delivery,
                    ..
                } = self
                {
                    check_text(carrier, "carrier")?;
                    check_id(tracking_number, "tracking_number")?;
                    if let Some(date) = estimated_delivery {
                        check_id(date, "estimated_delivery")?;
                    }
                }
                check_address(to)?;
                check_text(name, "name")?;
                check_id(order_id, "order_id")?;
                check_id(shipment_id, "shipment_id")?;
                if lines.is_empty() || lines.len() > MAX_MAIL_LINES {
                    return Err(MailError::BadField("lines"));
                }
                for line in lines {
                    check_id(&line.sku, "sku")?;
                    check_text(&line.product_name, "product_name")?;
                }
                Ok(())
            }
        }
    }
}
