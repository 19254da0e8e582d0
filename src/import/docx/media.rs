//! Photos (DrawingML and VML) and text boxes met inside runs.

use roxmltree::Node;

use super::body::Reader;
use super::{clean_text, is_w, r_attr, warn};
use crate::import::ImportError;
use crate::import::document::{Image, Inline};

impl Reader<'_, '_> {
    pub(super) fn drawing(
        &mut self,
        drawing: Node,
        out: &mut Vec<Inline>,
    ) -> Result<(), ImportError> {
        let doc_pr = drawing
            .descendants()
            .find(|n| n.is_element() && n.tag_name().name() == "docPr");
        let alt = doc_pr.map(alt_text).unwrap_or_default();
        let blips: Vec<Node> = drawing
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == "blip")
            .collect();
        let had_text_box = self.text_boxes(drawing)?;
        let blips: Vec<Node> = blips
            .into_iter()
            .filter(|b| !in_text_box(*b, drawing))
            .collect();
        if !had_text_box && blips.is_empty() {
            warn(
                &mut self.warnings,
                "hình vẽ, biểu đồ hoặc SmartArt không chuyển được và đã bị bỏ qua; hãy lưu \
                 thành ảnh JPEG hoặc PNG rồi chèn lại"
                    .into(),
            );
        }
        // A group of pictures has one blip each; they share the group's description.
        for blip in blips {
            if let Some(change) = edited_in_word(blip, drawing) {
                // The photo part holds the whole picture as taken: what staff cut out in
                // Word (a face, a house number) would be on the page.
                warn(
                    &mut self.warnings,
                    format!(
                        "một ảnh đã được {change} trong Word, nhưng tệp ảnh trong tài liệu vẫn là ảnh gốc                          chưa {change}: trên trang sẽ hiện cả phần đã bỏ đi; hãy {change} ảnh bằng ứng dụng                          Ảnh (Photos) rồi thay tệp ảnh trong thư mục bài trước khi đăng"
                    ),
                );
            }
            match r_attr(blip, "embed") {
                Some(id) => self.image(id, alt.clone(), out)?,
                None if r_attr(blip, "link").is_some() => warn(
                    &mut self.warnings,
                    "ảnh liên kết tới tệp bên ngoài tài liệu không được lấy; hãy chèn hẳn ảnh \
                     vào tài liệu"
                        .into(),
                ),
                None => {}
            }
        }
        Ok(())
    }

    /// Text boxes (captions, side notes) of a drawing or VML shape become paragraphs after
    /// the one holding them. Whether there was one.
    pub(super) fn text_boxes(&mut self, shape: Node) -> Result<bool, ImportError> {
        let boxes: Vec<Node> = shape
            .descendants()
            .filter(|n| is_w(*n, "txbxContent") && !in_text_box(*n, shape))
            .collect();
        // Boxes met earlier in the same paragraph keep their place ahead of these.
        let earlier = std::mem::take(&mut self.floating);
        let mut items = Vec::new();
        for text_box in &boxes {
            self.block_items(*text_box, &mut items)?;
        }
        self.floating = earlier;
        self.floating.extend(items);
        Ok(!boxes.is_empty())
    }

    /// Old-style (VML) pictures: `v:imagedata r:id`.
    pub(super) fn vml(&mut self, pict: Node, out: &mut Vec<Inline>) -> Result<(), ImportError> {
        self.text_boxes(pict)?;
        for data in pict.descendants().filter(|n| {
            n.is_element() && n.tag_name().name() == "imagedata" && !in_text_box(*n, pict)
        }) {
            let alt = data
                .ancestors()
                .find(|n| n.tag_name().name() == "shape")
                .and_then(|s| s.attribute("alt"))
                .or_else(|| {
                    data.attributes()
                        .find(|a| a.name() == "title")
                        .map(|a| a.value())
                })
                .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            if let Some(id) = r_attr(data, "id") {
                self.image(id, clean_text(&alt), out)?;
            }
        }
        Ok(())
    }

    pub(super) fn image(
        &mut self,
        rel_id: &str,
        alt: String,
        out: &mut Vec<Inline>,
    ) -> Result<(), ImportError> {
        let Some(rel) = self.rels.get(rel_id) else {
            return Ok(());
        };
        if rel.external || !rel.kind.ends_with("/image") {
            return Ok(());
        }
        let part = rel.target.clone();
        let index = match self.media.get(&part) {
            Some(known) => *known,
            None => {
                let index = self.extract(&part)?;
                self.media.insert(part.clone(), index);
                index
            }
        };
        if let Some(image) = index {
            if alt.is_empty() {
                warn(
                    &mut self.warnings,
                    format!(
                        "ảnh `{}` chưa có lời mô tả (alt) cho người khiếm thị; hãy viết vào giữa `![` và `]`",
                        self.images[image].name
                    ),
                );
            }
            out.push(Inline::Image { image, alt });
        }
        Ok(())
    }

    /// Reads a photo part and gives it a file name of datto's making; `None` (with a
    /// warning) for formats the site cannot publish.
    pub(super) fn extract(&mut self, part: &str) -> Result<Option<usize>, ImportError> {
        let shown = part.rsplit('/').next().unwrap_or(part).to_owned();
        let Some(bytes) = self.package.read(part)? else {
            warn(
                &mut self.warnings,
                format!("ảnh `{shown}` không có trong tệp .docx và đã bị bỏ qua"),
            );
            return Ok(None);
        };
        let Some(extension) = photo_extension(&bytes) else {
            warn(
                &mut self.warnings,
                format!(
                    "ảnh `{shown}` không phải JPEG, PNG hay WebP nên đã bị bỏ qua; hãy chèn lại \
                     ảnh dạng JPEG hoặc PNG"
                ),
            );
            return Ok(None);
        };
        // Decoded whole, as the build will: a photo it would refuse (cut short, too big)
        // is left out here rather than stopping the draft's build.
        if let Err(problem) = crate::images::check_bytes(&bytes) {
            warn(
                &mut self.warnings,
                format!(
                    "ảnh `{shown}` không đăng được ({}) nên đã bị bỏ qua; hãy chèn lại ảnh JPEG hoặc PNG",
                    problem.message
                ),
            );
            return Ok(None);
        }
        let stem = shown
            .rsplit_once('.')
            .map_or(shown.as_str(), |(stem, _)| stem);
        let slug = crate::base::slug::cut(crate::base::slug::slugify(stem), 60);
        let slug = if slug.is_empty() || slug == "index" {
            "anh"
        } else {
            slug.as_str()
        };
        let mut name = format!("{slug}.{extension}");
        let mut n = 2;
        while self.images.iter().any(|i| i.name == name) {
            name = format!("{slug}-{n}.{extension}");
            n += 1;
        }
        self.images.push(Image { name, bytes });
        Ok(Some(self.images.len() - 1))
    }
}

/// How Word changed a picture without changing its file: "cắt" for a crop (`a:srcRect`
/// beside the blip with a side above 0), "xoay" for a rotation or flip of its shape.
fn edited_in_word(blip: Node, drawing: Node) -> Option<&'static str> {
    let cropped = blip
        .parent()
        .into_iter()
        .flat_map(|fill| fill.children())
        .filter(|n| n.is_element() && n.tag_name().name() == "srcRect")
        .any(|rect| {
            ["l", "t", "r", "b"].iter().any(|side| {
                rect.attribute(*side)
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v > 0)
            })
        });
    if cropped {
        return Some("cắt");
    }
    let turned = drawing
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "xfrm")
        .any(|x| {
            x.attribute("rot")
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v.rem_euclid(21_600_000) != 0)
                || x.attribute("flipH") == Some("1")
                || x.attribute("flipV") == Some("1")
        });
    turned.then_some("xoay")
}

/// Inside a text box of `shape` (that box's own paragraphs read it, not the shape).
fn in_text_box(node: Node, shape: Node) -> bool {
    node.ancestors()
        .skip(1)
        .take_while(|a| *a != shape)
        .any(|a| is_w(a, "txbxContent"))
}

/// Alt text of a drawing: its description, else its title (never its generated name).
fn alt_text(doc_pr: Node) -> String {
    ["descr", "title"]
        .iter()
        .filter_map(|a| doc_pr.attribute(*a))
        .map(|a| clean_text(&a.split_whitespace().collect::<Vec<_>>().join(" ")))
        .find(|a| !a.is_empty())
        .unwrap_or_default()
}

/// The extension for a photo the site can publish, from its first bytes (never its name).
fn photo_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}
