//! Micro-benchmarks of the per-item hot paths of a build: front matter, Markdown, slugs.
//! Run with `cargo bench`; the whole-site comparison with Hugo is `bench/run.sh`.

use std::path::Path;

use datto::assemble::markdown::{self, LinkResolver};
use datto::load::parse::parse_item;
use datto::model::config::Config;
use datto::model::content::Source;

const SITE: &str = "title: T\nbase_url: https://example.org/\nunits:\n  - { slug: viet-tri, name: Thành phố Việt Trì, short: Việt Trì }\n";

/// A typical item: the shape of the benchmark corpus (front matter, ~600 words, a list, a table).
fn item() -> String {
    let paragraph = "Hội viên phụ nữ xã Hy Cương tích cực tham gia phong trào xây dựng nông thôn mới, \
        đóng góp **ngày công** và kinh phí làm đường giao thông, trồng hoa ven đường, \
        giữ gìn cảnh quan sạch đẹp. [Xem thêm](https://example.org/tin/1). ";
    let mut body = String::from(
        "---\ntitle: \"Việt Trì: Hội nghị sơ kết 6 tháng đầu năm\"\ndate: 2019-07-05T08:30:00+07:00\n\
        unit: viet-tri\ntype: bai\ntags: [\"nông thôn mới\", \"phụ nữ\"]\nsummary: \"Tóm tắt.\"\n---\n\n",
    );
    for section in 0..6 {
        body.push_str(&format!("## Phần {section}: kết quả nổi bật\n\n"));
        for _ in 0..3 {
            body.push_str(paragraph);
            body.push_str("\n\n");
        }
        body.push_str("- Một;\n- Hai;\n- Ba.\n\n");
    }
    body.push_str("| Chỉ tiêu | 2018 | 2019 |\n|---|---:|---:|\n| Hộ nghèo | 120 | 98 |\n| Mô hình | 12 | 15 |\n");
    body
}

struct External;
impl LinkResolver for External {
    fn resolve(&self, _dir: &str, _dest: &str, _is_image: bool) -> Result<Option<String>, String> {
        Ok(None)
    }
}

fn main() {
    divan::main();
}

#[divan::bench]
fn front_matter_and_fields(bencher: divan::Bencher) {
    let config = Config::from_yaml(Path::new("site.yaml"), SITE).unwrap();
    let text = item();
    bencher.bench(|| {
        parse_item(
            &config,
            Path::new("a.md"),
            "tin-bai/2019/a.md",
            divan::black_box(text.clone()),
        )
        .is_ok()
    });
}

#[divan::bench]
fn markdown_of_a_typical_item(bencher: divan::Bencher) {
    let text = item();
    let body = text.split("\n---\n").nth(1).unwrap().to_string();
    let source = Source {
        shown: "a.md".into(),
        rel: "tin-bai/2019/a.md".into(),
        body: body.into(),
        body_line: 9,
        text_hash: 0,
    };
    bencher.bench(|| {
        markdown::render(divan::black_box(&source), &External)
            .0
            .html
            .len()
    });
}

#[divan::bench(args = ["Hội nghị sơ kết 6 tháng đầu năm 2018", "already-a-slug-2018", "Giỗ Tổ Hùng Vương – Lễ hội Đền Hùng 🌸"])]
fn slug(text: &str) -> String {
    datto::base::slug::slugify(divan::black_box(text))
}
