//! A JSON response body rendered once and sent many times. poem-openapi's `Json<T>` builds a
//! `serde_json::Value` tree of the whole response and serializes it on every request; for a
//! response whose inputs rarely change (the home screen) that tree was over a quarter of the
//! request's CPU. `Rendered<T>` holds the bytes `Json<T>` would have sent and documents the
//! same schema.

use std::{marker::PhantomData, sync::Arc, time::Duration};

use bytes::Bytes;
use poem::{IntoResponse, Response, http::header};
use poem_openapi::{
    ApiResponse,
    payload::Payload,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::{ToJSON, Type},
};

/// What `Json<T>` answers with.
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The JSON of a `T`, already serialized; cloning shares the bytes.
pub struct Rendered<T> {
    body: Bytes,
    schema: PhantomData<fn() -> T>,
}

impl<T> Clone for Rendered<T> {
    fn clone(&self) -> Self {
        Self {
            body: self.body.clone(),
            schema: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Rendered<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendered")
            .field("bytes", &self.body.len())
            .finish()
    }
}

impl<T: ToJSON> Rendered<T> {
    /// `value` as `Json<T>` would send it: the same `to_json`, written compactly (what
    /// `Json<T>` writes for a `to_json` of `None` too).
    pub fn new(value: &T) -> Self {
        let body = value
            .to_json()
            .unwrap_or(serde_json::Value::Null)
            .to_string();
        Self {
            body: Bytes::from(body),
            schema: PhantomData,
        }
    }
}

impl<T: Type> Payload for Rendered<T> {
    const CONTENT_TYPE: &'static str = CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> IntoResponse for Rendered<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .header(header::CONTENT_TYPE, CONTENT_TYPE)
            .body(self.body)
    }
}

impl<T: Type + Send> ApiResponse for Rendered<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: <Self as Payload>::CONTENT_TYPE,
                    schema: <Self as Payload>::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// What a response is rendered from, compared by identity: the caches hand out one `Arc` per
/// fetch, so the same `Arc` is the same data, and a kept response holds on to its inputs, so an
/// address is never reused for other data while it is compared.
pub trait SameInputs {
    fn same_as(&self, other: &Self) -> bool;
}

impl<T> SameInputs for Arc<T> {
    fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(self, other)
    }
}

/// Responses kept with the inputs they were rendered from: a request with the very same inputs
/// is answered with the kept bytes, without rendering (Fluent messages for every field) and
/// serializing again. At most `max_bytes` of responses, each forgotten `idle` after its last
/// use.
pub struct Kept<K, I, T> {
    kept: moka::sync::Cache<K, Arc<(I, Rendered<T>)>>,
}

impl<K, I, T> Clone for Kept<K, I, T> {
    fn clone(&self) -> Self {
        Self {
            kept: self.kept.clone(),
        }
    }
}

impl<K, I, T> std::fmt::Debug for Kept<K, I, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("responses", &self.kept.entry_count())
            .finish()
    }
}

impl<K, I, T> Kept<K, I, T>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    I: SameInputs + Send + Sync + 'static,
    T: ToJSON + 'static,
{
    pub fn new(max_bytes: u64, idle: Duration) -> Self {
        Self {
            kept: moka::sync::Cache::builder()
                // The body and, roughly, the inputs it holds on to.
                .weigher(|_, kept: &Arc<(I, Rendered<T>)>| {
                    u32::try_from(kept.1.body.len() + 1024).unwrap_or(u32::MAX)
                })
                .max_capacity(max_bytes)
                .time_to_idle(idle)
                .build(),
        }
    }

    /// The response for `inputs` under `key`: the kept one when it was rendered from the same
    /// inputs, otherwise `render`ed now and kept.
    pub fn render(&self, key: K, inputs: I, render: impl FnOnce(&I) -> T) -> Rendered<T> {
        if let Some(kept) = self.kept.get(&key)
            && kept.0.same_as(&inputs)
        {
            return kept.1.clone();
        }
        let body = Rendered::new(&render(&inputs));
        self.kept.insert(key, Arc::new((inputs, body.clone())));
        body
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::{Object, payload::Json};

    use super::*;

    #[derive(Debug, Object)]
    #[oai(rename_all = "camelCase")]
    struct Sample {
        display_name: String,
        #[oai(skip_serializing_if_is_none)]
        note: Option<String>,
        count: u32,
    }

    #[tokio::test]
    async fn sends_the_same_bytes_and_headers_as_json() {
        let sample = || Sample {
            display_name: "ئۈرۈمچى \"1\"".into(),
            note: None,
            count: 3,
        };
        let rendered = Rendered::new(&sample()).into_response();
        let json = Json(sample()).into_response();
        assert_eq!(
            rendered.headers().get(header::CONTENT_TYPE),
            json.headers().get(header::CONTENT_TYPE)
        );
        let rendered = rendered.into_body().into_vec().await.expect("body");
        let json = json.into_body().into_vec().await.expect("body");
        assert_eq!(rendered, json);
    }
}
