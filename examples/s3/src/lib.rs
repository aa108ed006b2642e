//! `libs3.handler`: S3 object notifications.
//!
//! Summarizes the objects a notification is about. Object keys arrive URL-encoded in S3 events
//! (`invoice+1234.pdf` is the key `invoice 1234.pdf`): `decode_key` undoes that, as every S3
//! handler must before calling `GetObject`.

use aws_lambda_events::event::s3::S3Event;
use pylambda::{Context, Error};
use serde::Serialize;

/// One object of the notification.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Object {
    pub event: String,
    pub bucket: String,
    pub key: String,
    pub size: i64,
}

/// The handler's response.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub objects: Vec<Object>,
    pub total_bytes: i64,
}

/// `application/x-www-form-urlencoded` decoding of an S3 event's object key.
pub fn decode_key(key: &str) -> Result<String, Error> {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = key
                    .get(i + 1..i + 3)
                    .ok_or_else(|| format!("truncated escape in key {key:?}"))?;
                out.push(
                    u8::from_str_radix(hex, 16)
                        .map_err(|_| format!("bad escape %{hex} in key {key:?}"))?,
                );
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(String::from_utf8(out)?)
}

/// Lists the objects.
pub fn handler(event: S3Event, _ctx: Context) -> Result<Summary, Error> {
    let mut objects = Vec::with_capacity(event.records.len());
    for record in event.records {
        let key = decode_key(record.s3.object.key.as_deref().unwrap_or_default())?;
        let object = Object {
            event: record.event_name.unwrap_or_default(),
            bucket: record.s3.bucket.name.unwrap_or_default(),
            key,
            size: record.s3.object.size.unwrap_or(0),
        };
        log::info!("{} s3://{}/{}", object.event, object.bucket, object.key);
        objects.push(object);
    }
    Ok(Summary {
        total_bytes: objects.iter().map(|o| o.size).sum(),
        objects,
    })
}

pylambda::lambda!(handler);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_url_decoded() {
        assert_eq!(
            decode_key("invoices/2025/invoice+1234%2Bfinal.pdf").unwrap(),
            "invoices/2025/invoice 1234+final.pdf"
        );
        assert_eq!(decode_key("caf%C3%A9").unwrap(), "café");
        assert!(decode_key("bad%2").is_err());
    }
}
