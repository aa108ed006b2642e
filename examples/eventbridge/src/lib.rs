//! `libeventbridge.handler`: an EventBridge event whose `detail` is a typed struct.
//!
//! Accepts `Order Placed` events from `com.example.orders` and computes the loyalty points the
//! order earns. Other sources or detail types fail with errorType `UnsupportedEvent`, which an
//! EventBridge rule's retry policy and dead-letter queue (or a Step Functions `Catch`) can match.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use pylambda::{Context, Diagnostic};
use serde::{Deserialize, Serialize};

/// The `detail` of an `Order Placed` event.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderPlaced {
    pub order_id: String,
    pub customer: Customer,
    pub total: f64,
    pub items: u32,
}

/// The customer who placed the order.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Customer {
    pub id: String,
    pub tier: String,
}

/// The response.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Points {
    pub order_id: String,
    pub customer_id: String,
    pub points: u64,
    pub event_id: Option<String>,
}

/// Points per whole currency unit, by tier.
fn multiplier(tier: &str) -> u64 {
    match tier {
        "gold" => 3,
        "silver" => 2,
        _ => 1,
    }
}

/// Awards loyalty points for a placed order.
pub fn handler(event: EventBridgeEvent<OrderPlaced>, _ctx: Context) -> Result<Points, Diagnostic> {
    if event.source != "com.example.orders" || event.detail_type != "Order Placed" {
        return Err(Diagnostic::new(
            "UnsupportedEvent",
            format!(
                "cannot handle {:?} from {:?}",
                event.detail_type, event.source
            ),
        ));
    }
    let order = event.detail;
    let points = order.total.max(0.0).floor() as u64 * multiplier(&order.customer.tier);
    log::info!("order {} earns {points} points", order.order_id);
    Ok(Points {
        order_id: order.order_id,
        customer_id: order.customer.id,
        points,
        event_id: event.id,
    })
}

pylambda::lambda!(handler);

#[cfg(test)]
mod tests {
    use super::*;

    fn event(source: &str, detail_type: &str) -> EventBridgeEvent<OrderPlaced> {
        let mut e = EventBridgeEvent::<OrderPlaced>::default();
        e.source = source.into();
        e.detail_type = detail_type.into();
        e.detail = OrderPlaced {
            order_id: "1".into(),
            customer: Customer {
                id: "c".into(),
                tier: "silver".into(),
            },
            total: 10.9,
            items: 1,
        };
        e
    }

    #[test]
    fn silver_doubles_points() {
        let p = handler(
            event("com.example.orders", "Order Placed"),
            Context::default(),
        )
        .unwrap();
        assert_eq!(p.points, 20);
    }

    #[test]
    fn other_events_are_unsupported() {
        let e = handler(event("aws.ec2", "Order Placed"), Context::default()).unwrap_err();
        assert_eq!(e.error_type, "UnsupportedEvent");
    }
}
