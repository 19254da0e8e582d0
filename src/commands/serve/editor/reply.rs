//! JSON answers, errors in the `{errors: [{key, line, message, hint}]}` shape of SPEC §14.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub fn json(status: StatusCode, body: Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

pub fn error(
    status: StatusCode,
    key: Option<&str>,
    message: String,
    hint: Option<String>,
) -> Response {
    json(
        status,
        json!({ "errors": [{ "key": key, "line": null, "message": message, "hint": hint }] }),
    )
}

pub fn bad_path() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        Some("path"),
        "đường dẫn không hợp lệ: chỉ sửa được tệp .md có sẵn trong tin-bai/, mo-hinh/ hoặc trang/"
            .into(),
        None,
    )
}

/// A well-formed path whose file is not there (deleted or renamed since the page loaded).
pub fn gone() -> Response {
    error(
        StatusCode::NOT_FOUND,
        Some("path"),
        "bài này không còn: đã bị xóa hoặc đổi tên sau khi mở".into(),
        Some("tải lại danh sách bài; bài đã xóa nằm trong content/_thung-rac/".into()),
    )
}

pub fn too_big() -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        Some("file"),
        format!(
            "tệp quá lớn (tối đa {} MB)",
            super::MAX_UPLOAD / 1024 / 1024
        ),
        Some("thu nhỏ ảnh hoặc tài liệu rồi tải lên lại".into()),
    )
}

/// The API's answers are JSON in Vietnamese, also those made before a handler runs: axum's
/// own refusals (a body over the limit, a malformed multipart, a method the route lacks)
/// are plain English text, so every error answer of `/_datto/api/` that is not already JSON
/// becomes one in the `{errors}` shape, its message said by its status.
pub async fn in_vietnamese(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/_datto/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => return too_big(),
        StatusCode::BAD_REQUEST => "yêu cầu gửi lên không đúng dạng".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => "địa chỉ này không nhận thao tác này".to_string(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "kiểu dữ liệu gửi lên không đúng".to_string(),
        StatusCode::UNPROCESSABLE_ENTITY => "dữ liệu gửi lên thiếu hoặc sai".to_string(),
        StatusCode::NOT_FOUND => "không có địa chỉ này trong trình soạn".to_string(),
        other => format!("yêu cầu không thực hiện được (mã {})", other.as_u16()),
    };
    let mut answer = error(status, None, message, None);
    // A 405 still says which methods the route takes.
    if let Some(allow) = response.headers().get(header::ALLOW) {
        answer.headers_mut().insert(header::ALLOW, allow.clone());
    }
    answer
}

/// A 500 whose message is Vietnamese: the OS's text of an I/O error (and of one inside an
/// `anyhow` chain) is translated, a task that stopped is said so; other values are datto's
/// own Vietnamese text.
pub fn internal<E: std::fmt::Display + 'static>(e: E) -> Response {
    use crate::base::diagnostics::{describe_internal, io_message};
    let any = &e as &dyn std::any::Any;
    let (text, hint) = if let Some(io) = any.downcast_ref::<std::io::Error>() {
        let (text, hint) = io_message(io);
        // NotFound's hint is about the command line (`--root`), not the editor.
        let hint = hint.filter(|_| io.kind() != std::io::ErrorKind::NotFound);
        (text, hint.map(str::to_string))
    } else if let Some(chain) = any.downcast_ref::<anyhow::Error>() {
        (describe_internal(chain), None)
    } else if any.is::<tokio::task::JoinError>() {
        ("công việc xử lý dừng bất thường".to_string(), None)
    } else {
        (e.to_string(), None)
    };
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        None,
        format!("lỗi hệ thống: {text}"),
        hint,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn message(response: Response) -> String {
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let value: Value = serde_json::from_slice(&body).unwrap();
        value["errors"][0]["message"].as_str().unwrap().to_string()
    }

    #[tokio::test]
    async fn internal_errors_reach_staff_in_vietnamese() {
        let too_long = std::io::Error::from_raw_os_error(36);
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let chained = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::NotFound))
            .context("ghi tệp bài");
        for (response, english) in [
            (internal(too_long), "File name too long"),
            (internal(missing), "not found"),
            (internal(chained), "not found"),
        ] {
            let text = message(response).await;
            assert!(text.starts_with("lỗi hệ thống: "), "{text}");
            assert!(!text.contains(english), "{text}");
        }
        assert_eq!(
            message(internal("quá nhiều ảnh cùng tên")).await,
            "lỗi hệ thống: quá nhiều ảnh cùng tên"
        );
    }
}
