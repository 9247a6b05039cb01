//! A request-body size limit that also bounds chunked bodies. poem's `SizeLimit` answers 411
//! when `Content-Length` is missing, which would break mini-program and app clients that stream;
//! here a declared length over the limit is refused at once, and any other body is read up to
//! the limit and refused as soon as it passes it.

use poem::{Request, error::ReadBodyError, http::StatusCode, http::header};

pub async fn enforce(req: &mut Request, limit: usize) -> poem::Result<()> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => return Err(StatusCode::PAYLOAD_TOO_LARGE.into()),
        Some(0) => return Ok(()),
        None if !req.headers().contains_key(header::TRANSFER_ENCODING) => return Ok(()),
        _ => {}
    }
    let body = req.take_body();
    match body.into_bytes_limit(limit).await {
        Ok(bytes) => {
            req.set_body(bytes);
            Ok(())
        }
        Err(ReadBodyError::PayloadTooLarge) => Err(StatusCode::PAYLOAD_TOO_LARGE.into()),
        Err(err) => Err(poem::Error::from_string(
            format!("request body could not be read: {err}"),
            StatusCode::BAD_REQUEST,
        )),
    }
}
