//! `libsqs.handler`: an SQS batch with partial batch failure.
//!
//! Each message body must be an order status update, `{"orderId": "...", "status": "PAID" |
//! "SHIPPED" | "DELIVERED" | "CANCELLED"}`. Messages whose body does not parse or validate are
//! returned in `batchItemFailures` (by `messageId`), so that SQS retries only those, and
//! eventually moves them to the dead-letter queue, while the rest of the batch is deleted.
//! This needs `FunctionResponseTypes: [ReportBatchItemFailures]` on the event source mapping
//! (`examples/deploy/template.yaml` shows it); without it a returned failure list is ignored.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use pylambda::{Context, Error};
use serde::Deserialize;

/// The body of one message.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusUpdate {
    pub order_id: String,
    pub status: Status,
}

/// The statuses an order goes through.
#[derive(Debug, Deserialize, PartialEq, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

/// Why a message was not processed.
pub fn validate(message: &SqsMessage) -> Result<StatusUpdate, String> {
    let body = message.body.as_deref().ok_or("the message has no body")?;
    let update: StatusUpdate =
        serde_json::from_str(body).map_err(|e| format!("invalid body: {e}"))?;
    if update.order_id.trim().is_empty() {
        return Err("orderId must not be empty".into());
    }
    Ok(update)
}

/// Processes the batch; failed messages go back to the queue.
pub fn handler(event: SqsEvent, _ctx: Context) -> Result<SqsBatchResponse, Error> {
    let mut response = SqsBatchResponse::default();
    for message in &event.records {
        let id = message.message_id.clone().unwrap_or_default();
        match validate(message) {
            Ok(update) => {
                log::info!("order {} is now {:?}", update.order_id, update.status)
            }
            Err(reason) => {
                log::warn!("message {id} failed: {reason}");
                response.add_failure(id);
            }
        }
    }
    Ok(response)
}

pylambda::lambda!(handler);

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str, body: &str) -> SqsMessage {
        let mut m = SqsMessage::default();
        m.message_id = Some(id.into());
        m.body = Some(body.into());
        m
    }

    #[test]
    fn only_invalid_messages_are_reported() {
        let mut event = SqsEvent::default();
        event.records = vec![
            message("a", r#"{"orderId": "1", "status": "PAID"}"#),
            message("b", r#"{"orderId": "2", "status": "LOST"}"#),
            message("c", "not json"),
            message("d", r#"{"orderId": " ", "status": "SHIPPED"}"#),
        ];
        let response = handler(event, Context::default()).unwrap();
        let failed: Vec<_> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, ["b", "c", "d"]);
    }
}
