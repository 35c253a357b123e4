//! The JSON encoding of server fn results and errors: byte for byte what `server_fn`'s `Json`
//! sends (`application/json`, `serde_json::to_vec`), but the browser reads it as a `&str`.
//! Resources hydrate their values from strings too, so every result type needs one copy of its
//! deserialisation code in the wasm instead of two (one per `serde_json` reader).
use leptos::server_fn::{
    Bytes, ContentType, Decodes, Encodes, Format, FormatType,
    codec::Post,
};
use serde::{Serialize, de::DeserializeOwned};

pub struct StrJsonEncoding;

/// Server fn output: `#[server(endpoint = "...", output = crate::codec::StrJson)]`.
pub type StrJson = Post<StrJsonEncoding>;

impl ContentType for StrJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for StrJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for StrJsonEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for StrJsonEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        serde_json::from_str(text)
    }
}
