//! [`Client::call`]: any operation by name, with its whole input as one JSON object, through
//! the generated dispatch (which runs the typed method).

use serde_json::Value;

use crate::Client;
use crate::error::{Error, Result};
use crate::operation::Operation;

impl Client {
    /// Calls an operation by Rust method name or operationId, with its whole input as one JSON
    /// object (path, query and header parameters by their wire names, the body under `"body"`),
    /// and returns the envelope's `data` (or the raw body) as JSON. Runs through the same typed
    /// method as a direct call: inputs are checked before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(client: aitoearn::Client) -> aitoearn::Result<()> {
    /// let data = client
    ///     .call("auth_start", serde_json::json!({ "platform": "douyin", "groupId": "g1" }))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn call(&self, operation: &str, input: Value) -> Result<Value> {
        let op = Operation::find(operation)
            .ok_or_else(|| Error::UnknownOperation(operation.to_string()))?;
        let empty = serde_json::Map::new();
        let input = match &input {
            Value::Object(m) => m,
            Value::Null => &empty,
            _ => {
                return Err(Error::InvalidRequest {
                    operation: op.name,
                    reason: "the input must be a JSON object".into(),
                });
            }
        };
        crate::api::call_dynamic(self, op.name, input).await
    }
}
