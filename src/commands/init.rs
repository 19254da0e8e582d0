//! `datto init [DIR]`: a new site that builds at once, with the union's units, kinds and
//! channels; the theme is the one inside the binary (`datto theme export` writes it out).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Offset, Utc};

use crate::base::diagnostics::Error;

const SITE_YAML: &str = r#"# Cấu hình trang. Sửa tên, địa chỉ trang (base_url) và nơi đăng (publish) cho đúng.
title: Phụ nữ Đất Tổ
description: Trang thông tin của Hội Liên hiệp Phụ nữ tỉnh Phú Thọ
base_url: https://phunudatto.example.vn/
language: vi
timezone: "+07:00"
theme: datto
per_page: 12
targets:
  province_per_year: 300
  unit_per_year: 20
units:
  - { slug: viet-tri, name: Thành phố Việt Trì, short: Việt Trì }
  - { slug: phu-tho, name: Thị xã Phú Thọ, short: Phú Thọ }
  - { slug: doan-hung, name: Huyện Đoan Hùng, short: Đoan Hùng }
  - { slug: ha-hoa, name: Huyện Hạ Hòa, short: Hạ Hòa }
  - { slug: thanh-ba, name: Huyện Thanh Ba, short: Thanh Ba }
  - { slug: phu-ninh, name: Huyện Phù Ninh, short: Phù Ninh }
  - { slug: yen-lap, name: Huyện Yên Lập, short: Yên Lập }
  - { slug: cam-khe, name: Huyện Cẩm Khê, short: Cẩm Khê }
  - { slug: tam-nong, name: Huyện Tam Nông, short: Tam Nông }
  - { slug: lam-thao, name: Huyện Lâm Thao, short: Lâm Thao }
  - { slug: thanh-son, name: Huyện Thanh Sơn, short: Thanh Sơn }
  - { slug: tan-son, name: Huyện Tân Sơn, short: Tân Sơn }
  - { slug: thanh-thuy, name: Huyện Thanh Thủy, short: Thanh Thủy }
  - { slug: co-quan-tinh, name: Cơ quan Hội LHPN tỉnh, short: Cơ quan tỉnh }
profile_kinds:
  - { slug: gia-dinh-5-khong-3-sach, name: Gia đình 5 không 3 sạch }
  - { slug: mai-am-tinh-thuong, name: Mái ấm tình thương }
  - { slug: to-hop-tac, name: Tổ hợp tác }
  - { slug: clb-hat-xoan, name: CLB hát Xoan }
  - { slug: dien-hinh-tien-tien, name: Điển hình tiên tiến }
channels:
  - { slug: bao-phu-tho, name: Báo Phú Thọ }
  - { slug: dai-phat-thanh, name: Đài Phát thanh và Truyền hình Phú Thọ }
  - { slug: bao-phu-nu, name: Báo Phụ nữ Việt Nam }
# Nơi `datto publish` đăng trang (bỏ dấu # ở đầu dòng dưới và sửa cho đúng):
# publish: { url: "sftp://ten-dang-nhap@may-chu.example.vn/public_html/" }
"#;

const ABOUT: &str = "---\ntitle: Giới thiệu\n---\n\n**Phụ nữ Đất Tổ** là trang thông tin điện tử của Hội Liên hiệp Phụ nữ tỉnh Phú Thọ.\n\nSửa trang này trong tệp `content/trang/gioi-thieu.md`.\n";

const CONTACT: &str = "---\ntitle: Liên hệ\n---\n\nMọi tin, bài và ý kiến góp ý xin gửi về Ban Tuyên giáo, Hội Liên hiệp Phụ nữ tỉnh Phú Thọ.\n\nSửa trang này trong tệp `content/trang/lien-he.md`.\n";

fn sample_item(now: DateTime<Utc>) -> String {
    // site.yaml's timezone (+07:00): the item is dated today where the staff are.
    let offset = chrono::FixedOffset::east_opt(7 * 3600).unwrap_or(Utc.fix());
    let date = now.with_timezone(&offset).format("%Y-%m-%d");
    format!(
        "---\ntitle: Chào mừng đến với trang Phụ nữ Đất Tổ\ndate: {date}\nunit: co-quan-tinh\ntype: tin\n---\n\nĐây là tin mẫu. Viết tin mới bằng lệnh `datto new tin --unit viet-tri --title \"Tiêu đề\"`, xem trước bằng `datto serve`, đăng lên mạng bằng `datto publish`.\n"
    )
}

/// Writes the new site into `dir` (created when missing; refused when not empty); returns
/// the files written, relative to `dir`.
pub fn init(dir: &Path, now: DateTime<Utc>) -> Result<Vec<PathBuf>, Error> {
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(Error::Usage(format!(
                "thư mục {} không trống; datto init chỉ tạo trang trong một thư mục trống hoặc chưa có",
                dir.display()
            )));
        }
    } else if dir.exists() {
        return Err(Error::Usage(format!(
            "{} không phải là thư mục",
            dir.display()
        )));
    }
    let year = now.format("%Y").to_string();
    let files: Vec<(PathBuf, String)> = vec![
        ("content/site.yaml".into(), SITE_YAML.to_string()),
        ("content/trang/gioi-thieu.md".into(), ABOUT.to_string()),
        ("content/trang/lien-he.md".into(), CONTACT.to_string()),
        (
            PathBuf::from("content/tin-bai")
                .join(&year)
                .join("chao-mung.md"),
            sample_item(now),
        ),
        ("content/mo-hinh/.gitkeep".into(), String::new()),
        ("content/static/.gitkeep".into(), String::new()),
        (".gitignore".into(), "public/\n".to_string()),
    ];
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::Internal(e.into()))?;
        }
        crate::emit::write_atomic(&path, text.as_bytes()).map_err(Error::Internal)?;
    }
    Ok(files.into_iter().map(|(rel, _)| rel).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_folder_that_is_not_empty() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x"), "").unwrap();
        let Err(Error::Usage(message)) = init(dir.path(), Utc::now()) else {
            panic!("expected a refusal");
        };
        assert!(message.contains("không trống"), "{message}");
    }

    #[test]
    fn the_site_yaml_is_valid_and_lists_every_unit() {
        let config =
            crate::model::config::Config::from_yaml(Path::new("site.yaml"), SITE_YAML).unwrap();
        assert_eq!(config.units.len(), 14);
        assert!(config.unit_slugs().any(|s| s == "co-quan-tinh"));
        assert_eq!(config.profile_kinds.len(), 5);
        // As saved by a Windows editor.
        let crlf = SITE_YAML.replace('\n', "\r\n");
        assert!(crate::model::config::Config::from_yaml(Path::new("site.yaml"), &crlf).is_ok());
    }
}
