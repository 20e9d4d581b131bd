//! Object query parameters on the wire. OpenAPI's default for a query parameter is
//! `style: form, explode: true`: an object is sent as one query pair per field, named by the
//! field (`pagination = {page: 3, pageSize: 20}` → `?page=3&pageSize=20`), fields not set left
//! out. `works_list`'s `pagination` (a union of objects) is the crate's example; the adaptation
//! `struct_params` (codegen/robust.rs) wraps its type in a newtype, and the setter still
//! takes the union's values. The values are made from their wire form, typed by the operation
//! (`types::ops::works_list::params::Pagination`): typify names the union's members by
//! position (`Variant0`, …), which a spec that reorders them renumbers.

use aitoearn::types::ops::works_list::params::Pagination;
use aitoearn::{Client, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ROUTE: &str = "/api/v2/channels/works/KWAI";

async fn server() -> (MockServer, Client) {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROUTE))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "message": "ok", "requestId": "r",
            "data": { "platform": "KWAI", "items": [], "pagination": { "mode": "page" } }
        })))
        .mount(&mock)
        .await;
    let client = Client::builder()
        .api_key("k")
        .base_url(mock.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (mock, client)
}

/// The query pairs of the one request the server saw, sorted.
async fn pairs(mock: &MockServer) -> Vec<(String, String)> {
    let requests = mock.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let mut pairs: Vec<(String, String)> = requests[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

/// A `pagination` value from its wire form.
fn pagination(wire: Value) -> Pagination {
    serde_json::from_value(wire).unwrap()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn an_object_query_parameter_is_one_pair_per_field() {
    let (mock, client) = server().await;
    let page = pagination(json!({ "page": 3, "pageSize": 20 }));
    client
        .works_list("KWAI")
        .account_id("acc-1")
        // The union's own value (the newtype's content): the setter takes it too.
        .pagination(page.0)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pairs(&mock).await,
        owned(&[("accountId", "acc-1"), ("page", "3"), ("pageSize", "20")])
    );
}

#[tokio::test]
async fn unset_fields_are_left_out_and_values_are_encoded() {
    let (mock, client) = server().await;
    let cursor = pagination(json!({ "cursor": "a b&c=d", "limit": 5 }));
    client
        .works_list("KWAI")
        .account_id("acc-1")
        .pagination(cursor)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pairs(&mock).await,
        owned(&[
            ("accountId", "acc-1"),
            ("cursor", "a b&c=d"),
            ("limit", "5")
        ])
    );
}

#[tokio::test]
async fn without_the_parameter_nothing_of_it_is_sent() {
    let (mock, client) = server().await;
    client
        .works_list("KWAI")
        .account_id("acc-1")
        .send()
        .await
        .unwrap();
    assert_eq!(pairs(&mock).await, owned(&[("accountId", "acc-1")]));
}

/// Through the generic call path, the parameter is the object itself.
#[tokio::test]
async fn the_generic_call_takes_the_object() {
    let (mock, client) = server().await;
    client
        .call(
            "works_list",
            json!({ "platform": "KWAI", "accountId": "acc-1",
                "pagination": { "page": 2, "pageSize": 10 } }),
        )
        .await
        .unwrap();
    assert_eq!(
        pairs(&mock).await,
        owned(&[("accountId", "acc-1"), ("page", "2"), ("pageSize", "10")])
    );
}
