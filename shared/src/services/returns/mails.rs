//! The mails of returns, written as notices with the moves they tell of: the seller told
//! of a request, the customer of each decision and of the receipt.

use crate::domain::error::ShopError;
use crate::domain::fulfilment::Shipment;
use crate::domain::mail::{Mail, MailLine, ReturnNews};
use crate::domain::order::Order;
use crate::domain::returns::{Return, ReturnLine};
use crate::services::orders::mail_address;
use crate::services::sellers::seller_contact;
use crate::store::{Notice, Store};

pub(super) fn mail_lines(lines: &[ReturnLine], received: bool) -> Vec<MailLine> {
    lines
        .iter()
        .filter_map(|l| {
            let quantity = if received {
                l.received_quantity.unwrap_or(0)
            } else {
                l.quantity
            };
            (quantity > 0).then(|| MailLine {
                sku: l.sku.to_string(),
                product_name: l.product_name.clone(),
                quantity,
            })
        })
        .collect()
}

pub(super) async fn customer_notice(
    store: &Store,
    order: &Order,
    ret: &Return,
    lines: &[ReturnLine],
    news: ReturnNews,
    reason: Option<&str>,
    refunded: Option<i64>,
) -> Result<Vec<Notice>, ShopError> {
    let Some(to) = mail_address(store, order).await? else {
        return Ok(Vec::new());
    };
    Ok(vec![Notice {
        news: news.as_str(),
        subject: ret.id.to_string(),
        mail: Mail::ReturnUpdate {
            to,
            name: order.shipping_address.name.clone(),
            order_id: order.id.to_string(),
            return_id: ret.id.to_string(),
            news,
            lines: mail_lines(lines, news == ReturnNews::Received),
            reason: reason.map(str::to_owned),
            refunded,
            currency: order.currency.to_string(),
        },
    }])
}

pub(super) async fn seller_notice(
    store: &Store,
    shipment: &Shipment,
    ret: &Return,
) -> Result<Vec<Notice>, ShopError> {
    let Some((to, name)) = seller_contact(store, &shipment.seller, &shipment.seller_id).await?
    else {
        return Ok(Vec::new());
    };
    Ok(vec![Notice {
        news: "return_requested",
        subject: ret.id.to_string(),
        mail: Mail::SellerReturnRequested {
            to,
            name,
            order_id: ret.order_id.to_string(),
            return_id: ret.id.to_string(),
            lines: mail_lines(&ret.lines, false),
        },
    }])
}
