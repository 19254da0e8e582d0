//! `datto new tin|bai|mo-hinh`: a ready-to-edit page bundle (a folder with `index.md`), so
//! that photos go straight beside the text and staff never rearrange files by hand.

use crate::base::layout::Folder;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Utc};

use crate::base::diagnostics::{Diagnostic, Error, did_you_mean_named, relative_to};
use crate::base::slug::slugify;
use crate::model::config::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKind {
    Tin,
    Bai,
    Profile,
}

pub struct NewRequest<'a> {
    pub kind: NewKind,
    pub unit: &'a str,
    pub title: &'a str,
    /// Profiles only; the first kind of `site.yaml` when absent.
    pub profile_kind: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// YAML double-quoted scalar: safe for any title.
fn quoted(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// Writes the new file under `root/content/` and returns its path. Never overwrites.
pub fn create(root: &Path, config: &Config, request: &NewRequest) -> Result<PathBuf, Error> {
    let arg = |message: String| Error::content(vec![Diagnostic::new("datto new", 1, message)]);
    let title = request.title.trim();
    if title.is_empty() || title.contains(['\n', '\r']) {
        return Err(arg("--title phải là một dòng chữ, không để trống".into()));
    }
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(arg(format!(
            "tiêu đề `{title}` không tạo được tên tệp; thêm chữ cái hoặc chữ số"
        )));
    }
    if crate::base::paths::windows_reserved(&slug) {
        return Err(arg(format!(
            "tiêu đề `{title}` cho tên thư mục `{slug}`, tên mà Windows không cho dùng; viết tiêu đề dài hơn"
        )));
    }
    let unit = config
        .resolve_unit_arg(request.unit, "datto new")
        .map_err(|d| Error::content(vec![d]))?;
    let unit_slug = &config.unit(unit).slug;
    let now = request.now.with_timezone(&config.timezone);

    let (rel, text) = match request.kind {
        NewKind::Tin | NewKind::Bai => {
            let kind = if request.kind == NewKind::Tin {
                "tin"
            } else {
                "bai"
            };
            let rel = format!("{}/{}/{slug}/index.md", Folder::Items.name(), now.year());
            let text = format!(
                "---\ntitle: {}\ndate: {}\nunit: {unit_slug}\ntype: {kind}\ntags: []\n# summary: \"Một câu tóm tắt (không bắt buộc)\"\n# image: anh.jpg  (ảnh đặt trong cùng thư mục với tệp này)\n# image_alt: \"Mô tả ảnh\"\n# author: \"Tên tác giả\"\n---\n\nViết nội dung ở đây. Đoạn đầu tiên được dùng làm tóm tắt nếu không có `summary`.\n\nẢnh: chép tệp ảnh vào cùng thư mục với tệp này rồi ghi `![Mô tả ảnh](anh-1.jpg)`.\n",
                quoted(title),
                now.format("%Y-%m-%d %H:%M"),
            );
            (rel, text)
        }
        NewKind::Profile => {
            let kind = match request.profile_kind {
                Some(written) => config.resolve_kind(written).map_err(|suggestion| {
                    let hint = Some(did_you_mean_named(
                        suggestion.as_deref(),
                        "các loại",
                        config.kind_choices(),
                    ));
                    Error::content(vec![
                        Diagnostic::new(
                            "datto new",
                            1,
                            format!("không có loại mô hình `{written}` trong site.yaml"),
                        )
                        .with_optional_hint(hint),
                    ])
                })?,
                None if !config.profile_kinds.is_empty() => crate::model::config::KindId(0),
                None => return Err(arg("site.yaml chưa có `profile_kinds`".into())),
            };
            let rel = format!("{}/{slug}/index.md", Folder::Profiles.name());
            let text = format!(
                "---\ntitle: {}\nunit: {unit_slug}\nkind: {}\nyear: {}\ncommune: \"\"\ncriteria:\n  - \"Tiêu chí thứ nhất\"\n# summary: \"Một câu tóm tắt\"\n---\n\nGiới thiệu mô hình ở đây. Không ghi số điện thoại hay số giấy tờ cá nhân.\n",
                quoted(title),
                config.kind(kind).slug,
                now.year(),
            );
            (rel, text)
        }
    };
    let path = crate::base::layout::content_dir(root).join(&rel);
    let folder = path.parent().unwrap_or(root);
    // `x.md` beside the new `x/` folder would claim the same address.
    let plain = folder.with_extension("md");
    if plain.exists() {
        return Err(Error::content(vec![
            Diagnostic::new(
                relative_to(root, &plain),
                1,
                "đã có tin bài cùng tên; datto không ghi đè",
            )
            .with_hint("đặt tiêu đề khác hoặc sửa tệp đang có"),
        ]));
    }
    // A folder made beforehand (photos first) is fine: only index.md must be new.
    std::fs::create_dir_all(folder).map_err(|e| {
        Error::content(vec![crate::base::diagnostics::io_diagnostic(
            relative_to(root, folder),
            &e,
        )])
    })?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::content(vec![
                Diagnostic::new(
                    crate::base::diagnostics::relative_to(root, &path),
                    1,
                    "tệp đã có; datto không ghi đè",
                )
                .with_hint("đặt tiêu đề khác hoặc sửa tệp đang có"),
            ]),
            _ => Error::Internal(anyhow::Error::from(e).context(format!("tạo {}", path.display()))),
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::Internal(e.into()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse::{parse_item, parse_profile};
    use crate::model::config::tests::sample;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_520_212_200, 0).unwrap() // 2018-03-05 01:10 UTC
    }

    #[test]
    fn new_item_parses_back_and_refuses_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let config = sample();
        let request = NewRequest {
            kind: NewKind::Bai,
            unit: "Việt Trì",
            title: "Hội nghị \"sơ kết\": 6 tháng",
            profile_kind: None,
            now: now(),
        };
        let path = create(dir.path(), &config, &request).unwrap();
        assert!(
            path.ends_with("content/tin-bai/2018/hoi-nghi-so-ket-6-thang/index.md"),
            "{}",
            path.display()
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let item = parse_item(
            &config,
            &path,
            "tin-bai/2018/hoi-nghi-so-ket-6-thang/index.md",
            text,
        )
        .unwrap();
        assert!(item.source.is_bundle());
        assert_eq!(item.slug, "hoi-nghi-so-ket-6-thang");
        assert_eq!(item.title, "Hội nghị \"sơ kết\": 6 tháng");
        assert_eq!(item.kind, crate::model::content::ItemType::Bai);
        assert_eq!(
            item.date.format("%Y-%m-%d %H:%M").to_string(),
            "2018-03-05 08:10"
        );
        assert!(matches!(
            create(dir.path(), &config, &request),
            Err(Error::Content(_))
        ));
    }

    #[test]
    fn new_profile_parses_back() {
        let dir = tempfile::tempdir().unwrap();
        let config = sample();
        let request = NewRequest {
            kind: NewKind::Profile,
            unit: "doan-hung",
            title: "Tổ hợp tác chè Chí Đám",
            profile_kind: Some("to-hop-tac"),
            now: now(),
        };
        let path = create(dir.path(), &config, &request).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let profile = parse_profile(
            &config,
            &path,
            "mo-hinh/to-hop-tac-che-chi-dam/index.md",
            text,
        )
        .unwrap();
        assert!(profile.source.is_bundle());
        assert_eq!(profile.kind.0, 1);
        assert_eq!(profile.year, Some(2018));
    }

    #[test]
    fn unknown_unit_suggests() {
        let dir = tempfile::tempdir().unwrap();
        let request = NewRequest {
            kind: NewKind::Tin,
            unit: "viet tr",
            title: "A",
            profile_kind: None,
            now: now(),
        };
        let Err(Error::Content(errors)) = create(dir.path(), &sample(), &request) else {
            panic!()
        };
        assert!(
            errors[0].to_string().contains("`viet-tri` (Việt Trì)"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_plain_file_of_the_same_name_is_not_shadowed() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("content/tin-bai/2018/a.md");
        std::fs::create_dir_all(plain.parent().unwrap()).unwrap();
        std::fs::write(&plain, "x").unwrap();
        let request = NewRequest {
            kind: NewKind::Tin,
            unit: "viet-tri",
            title: "A",
            profile_kind: None,
            now: now(),
        };
        let Err(Error::Content(errors)) = create(dir.path(), &sample(), &request) else {
            panic!()
        };
        assert!(errors[0].message.contains("đã có"), "{}", errors[0]);
        assert!(!dir.path().join("content/tin-bai/2018/a").exists());
    }
}
