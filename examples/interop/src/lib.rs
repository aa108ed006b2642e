//! `libinterop`: one module, two ways to mix Rust and Python in a function.
//!
//! * Plain Rust functions for Python code: `libinterop.checksum(data: bytes) -> int` (CRC-32,
//!   the same value as `zlib.crc32`) and `libinterop.resize(pixels: bytes, width, height,
//!   new_width, new_height) -> bytes` (nearest-neighbour scaling of an 8-bit grayscale image).
//!   `app.py` is a Python handler that calls them.
//! * A Rust handler, `libinterop.handler` (an order in, its total out), that `wrapped.py` wraps
//!   in two lines with AWS Lambda Powertools' `Logger.inject_lambda_context`.
//!
//! Package the three together: `libinterop.so`, `app.py`, `wrapped.py` at the zip's root; the
//! handler setting picks `app.handler`, `wrapped.handler` or `libinterop.handler`.

use std::fmt;

use pylambda::{Context, Diagnostic, Error};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

/// CRC-32 (IEEE 802.3, as `zlib.crc32`) of `data`.
pub fn checksum(data: ByteBuf) -> Result<u32, Error> {
    Ok(crc32(&data))
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A request that does not make sense: raised in Python as `InvalidImage`.
#[derive(Debug)]
pub struct InvalidImage(pub String);

impl fmt::Display for InvalidImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<InvalidImage> for Diagnostic {
    fn from(e: InvalidImage) -> Diagnostic {
        Diagnostic::new("InvalidImage", e.0)
    }
}

/// Scales a `width` x `height` 8-bit grayscale image to `new_width` x `new_height` (nearest
/// neighbour). Five Python arguments arrive as one tuple.
pub fn resize(
    (pixels, width, height, new_width, new_height): (ByteBuf, usize, usize, usize, usize),
) -> Result<ByteBuf, InvalidImage> {
    if width.checked_mul(height) != Some(pixels.len()) {
        return Err(InvalidImage(format!(
            "{} bytes is not a {width}x{height} image",
            pixels.len()
        )));
    }
    if new_width == 0 || new_height == 0 {
        return Err(InvalidImage("the new size must not be empty".into()));
    }
    log::info!("resizing {width}x{height} to {new_width}x{new_height}");
    let mut out = Vec::with_capacity(new_width * new_height);
    for y in 0..new_height {
        let src_y = y * height / new_height;
        for x in 0..new_width {
            out.push(pixels[src_y * width + x * width / new_width]);
        }
    }
    Ok(ByteBuf::from(out))
}

/// An order line.
#[derive(Debug, Deserialize)]
pub struct Line {
    pub sku: String,
    pub quantity: u32,
    pub unit_price_cents: u64,
}

/// The Rust handler's event.
#[derive(Debug, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub lines: Vec<Line>,
}

/// The Rust handler's response.
#[derive(Debug, Serialize, PartialEq)]
pub struct Total {
    pub order_id: String,
    pub items: u32,
    pub total_cents: u64,
    pub request_id: String,
}

/// Totals an order.
pub fn handler(order: Order, ctx: Context) -> Result<Total, Error> {
    println!("rust: {} lines", order.lines.len());
    log::info!("totalling order {}", order.order_id);
    Ok(Total {
        items: order.lines.iter().map(|l| l.quantity).sum(),
        total_cents: order
            .lines
            .iter()
            .map(|l| u64::from(l.quantity) * l.unit_price_cents)
            .sum(),
        order_id: order.order_id,
        request_id: ctx.request_id,
    })
}

pylambda::lambda! {
    "handler" => handler,
    "checksum" => pylambda::function(checksum),
    "resize" => pylambda::function(resize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn resize_halves_and_checks_its_input() {
        let pixels = ByteBuf::from((0..16).collect::<Vec<u8>>());
        let small = resize((pixels.clone(), 4, 4, 2, 2)).unwrap();
        assert_eq!(small.as_slice(), &[0, 2, 8, 10]);
        assert!(resize((pixels, 3, 4, 2, 2)).is_err());
    }

    #[test]
    fn totals() {
        let order = Order {
            order_id: "o-1".into(),
            lines: vec![
                Line {
                    sku: "a".into(),
                    quantity: 2,
                    unit_price_cents: 150,
                },
                Line {
                    sku: "b".into(),
                    quantity: 1,
                    unit_price_cents: 99,
                },
            ],
        };
        let total = handler(order, Context::default()).unwrap();
        assert_eq!((total.items, total.total_cents), (3, 399));
    }
}
