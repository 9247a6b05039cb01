//! The committed spec is the served spec. Refresh it with:
//! `cargo run --quiet -- openapi > openapi/openapi.json`

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_served_spec_equals_the_committed_one() {
    let app = spawn_app().await;
    let served = app.get("/openapi.json").await.text().await.expect("spec");
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap_or_default();
    let served: serde_json::Value = serde_json::from_str(&served).expect("served spec is JSON");
    let committed: serde_json::Value = serde_json::from_str(&committed).unwrap_or_default();
    assert!(
        served == committed,
        "openapi/openapi.json is out of date; refresh it with: cargo run --quiet -- openapi > openapi/openapi.json"
    );
}

#[tokio::test]
async fn every_operation_is_documented_with_its_errors() {
    let spec: serde_json::Value = serde_json::from_str(&tongban::api::spec_json()).expect("spec");
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 5);
    for (path, methods) in paths {
        for (method, op) in methods.as_object().expect("methods") {
            let at = format!("{method} {path}");
            assert!(op["operationId"].is_string(), "{at}: operationId");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{at}: summary"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{at}: tag"
            );
            let responses = op["responses"].as_object().expect("responses");
            for (status, response) in responses {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    if media.starts_with("text/plain") {
                        // The platform callbacks answer plain `success` or `echostr`.
                        assert_eq!(content["schema"]["type"], "string", "{at} {status}");
                        continue;
                    }
                    let reference = content["schema"]["$ref"].as_str().unwrap_or("");
                    let name = reference.rsplit('/').next().unwrap_or("");
                    assert!(
                        spec["components"]["schemas"][name]["example"].is_object(),
                        "{at} {status} {media}: schema {name} has an example"
                    );
                }
            }
            if path.starts_with("/v1/") {
                assert!(responses.contains_key("500"), "{at}: 500 documented");
                // 304 Not Modified carries no body by definition.
                let errors = responses
                    .iter()
                    .filter(|(s, _)| !s.starts_with('2') && s.as_str() != "304");
                for (status, response) in errors {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{at} {status}: problem+json"
                    );
                }
                let params = op["parameters"].as_array().expect("parameters");
                assert!(
                    params
                        .iter()
                        .any(|p| p["name"] == "lang" && p["in"] == "query"),
                    "{at}: lang"
                );
            }
        }
    }
    assert!(
        spec["components"]["schemas"]["Problem"]["example"].is_object(),
        "Problem has an example"
    );
}

#[tokio::test]
async fn the_docs_ui_is_served() {
    let app = spawn_app().await;
    let resp = app.get("/docs").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.expect("html").contains("swagger"));
}
