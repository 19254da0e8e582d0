//! JSON answers, errors in the `{errors: [{key, line, message, hint}]}` shape of SPEC §14.

use axum::http::{StatusCode, header};
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

pub fn internal(e: impl std::fmt::Display) -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        None,
        format!("lỗi hệ thống: {e}"),
        None,
    )
}
