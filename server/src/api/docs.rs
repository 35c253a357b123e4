//! The API as people read it: `/api/openapi.json`, an HTML page of every operation built from
//! the same description (no scripts, so the CSP holds), and the WebSocket protocol document.
use axum::{
    Json, Router,
    http::header,
    response::{Html, IntoResponse},
    routing::get,
};
use serde_json::Value;

use super::openapi::spec;
use crate::startup::AppState;

const PROTOCOL: &str = include_str!("../../../docs/protocol.md");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(|| async { Json(spec()) }))
        .route("/api/docs", get(|| async { Html(render(&serde_json::to_value(spec()).unwrap_or_default())) }))
        .route("/api/docs/", get(|| async { Html(render(&serde_json::to_value(spec()).unwrap_or_default())) }))
        .route("/api/docs/protocol.md", get(|| async { ([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], PROTOCOL).into_response() }))
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every operation grouped by tag: method, path, summary, parameters, body and responses.
fn render(spec: &Value) -> String {
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Confab API</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>\
         body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1f2937}\
         code{font:13px ui-monospace,monospace;background:#f3f4f6;padding:0 .25rem;border-radius:3px}\
         section.op{border:1px solid #e5e7eb;border-radius:8px;padding:.75rem 1rem;margin:1rem 0}\
         .m{font-weight:700;text-transform:uppercase;margin-right:.5rem}table{border-collapse:collapse;width:100%}\
         td,th{text-align:left;padding:.2rem .5rem;border-bottom:1px solid #f3f4f6;vertical-align:top}\
         </style></head><body>",
    );
    let info = &spec["info"];
    html += &format!("<h1>{} <small>v{}</small></h1>", esc(str_of(&info["title"])), esc(str_of(&info["version"])));
    html += &format!("<p>{}</p>", prose(str_of(&info["description"])));
    html += "<p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI 3.1). \
             Realtime: <a href=\"/api/docs/protocol.md\">the WebSocket protocol</a>.</p>";
    let tags: Vec<&Value> = spec["tags"].as_array().map(|t| t.iter().collect()).unwrap_or_default();
    for tag in tags {
        let name = str_of(&tag["name"]);
        html += &format!("<h2 id=\"{0}\">{0}</h2><p>{1}</p>", esc(name), esc(str_of(&tag["description"])));
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            for method in METHODS {
                let op = &item[method];
                if op.is_object() && op["tags"].as_array().is_some_and(|t| t.iter().any(|t| t == name)) {
                    html += &operation(spec, method, path, op);
                }
            }
        }
    }
    html + "</body></html>"
}

fn operation(spec: &Value, method: &str, path: &str, op: &Value) -> String {
    let mut html = format!("<section class=\"op\"><h3><span class=\"m\">{method}</span><code>{}</code></h3>", esc(path));
    let open = op["security"].as_array().is_some_and(|s| s.iter().all(|r| r.as_object().is_some_and(|o| o.is_empty())));
    html += &format!("<p>{}{}</p>", prose(str_of(&op["summary"])), if open { " <em>(no token needed)</em>" } else { "" });
    if let Some(description) = op["description"].as_str() {
        html += &format!("<p>{}</p>", prose(description));
    }
    if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        html += "<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>About</th></tr>";
        for p in params {
            let required = if p["required"] == true { " (required)" } else { "" };
            html += &format!(
                "<tr><td><code>{}</code>{required}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(str_of(&p["name"])),
                esc(str_of(&p["in"])),
                esc(&type_of(&p["schema"])),
                prose(str_of(&p["description"]))
            );
        }
        html += "</table>";
    }
    if let Some(schema) = op["requestBody"]["content"]["application/json"]["schema"].as_object() {
        html += &format!("<p>Body: <code>{}</code></p>", esc(&type_of(&Value::Object(schema.clone()))));
        html += &fields(spec, &Value::Object(schema.clone()));
    }
    html += "<table><tr><th>Status</th><th>Meaning</th><th>Body</th></tr>";
    for (status, response) in op["responses"].as_object().into_iter().flatten() {
        let body = &response["content"]["application/json"]["schema"];
        let body = if body.is_null() { String::new() } else { type_of(body) };
        html += &format!(
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(status),
            prose(str_of(&response["description"])),
            esc(&body)
        );
    }
    html + "</table></section>"
}

/// The properties of an object schema (following one `$ref`), with their types and notes.
fn fields(spec: &Value, schema: &Value) -> String {
    let schema = resolve(spec, schema);
    let Some(props) = schema["properties"].as_object() else { return String::new() };
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let mut html = String::from("<table><tr><th>Field</th><th>Type</th><th>About</th></tr>");
    for (name, prop) in props {
        let mark = if required.contains(&name.as_str()) { " (required)" } else { "" };
        html += &format!(
            "<tr><td><code>{}</code>{mark}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            esc(&type_of(prop)),
            prose(str_of(&prop["description"]))
        );
    }
    html + "</table>"
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => &spec["components"]["schemas"][name],
        None => schema,
    }
}

/// A short readable type: `ChatSummary`, `string`, `[MessageView]`, `string | null`.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    if let Some(any) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()).or(schema["allOf"].as_array()) {
        return any.iter().map(type_of).collect::<Vec<_>>().join(" | ");
    }
    let base = match &schema["type"] {
        Value::String(t) if t == "array" => format!("[{}]", type_of(&schema["items"])),
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => "any".into(),
    };
    match schema["enum"].as_array() {
        Some(values) => values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" | "),
        None => base,
    }
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Escaped text with its `backticked` spans set as code.
fn prose(s: &str) -> String {
    esc(s).split('`').enumerate().map(|(i, part)| if i % 2 == 1 { format!("<code>{part}</code>") } else { part.to_owned() }).collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_lists_every_operation_of_the_description() {
        let value = serde_json::to_value(spec()).unwrap();
        let html = render(&value);
        let mut count = 0;
        for (path, item) in value["paths"].as_object().unwrap() {
            for method in METHODS {
                if item[method].is_object() {
                    count += 1;
                    assert!(html.contains(&format!("<span class=\"m\">{method}</span><code>{}</code>", esc(path))), "{method} {path}");
                }
            }
        }
        assert_eq!(html.matches("<section class=\"op\">").count(), count);
        assert!(!html.contains("<script"), "the page has no scripts");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<a href=\"x\">&</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
        assert_eq!(prose("Send `Authorization: <token>` now"), "Send <code>Authorization: &lt;token&gt;</code> now");
    }
}
