//! The project's names, defined once: the folders of a site, the content sections and the
//! URL prefixes of the pages datto makes. Every other module uses these.

use std::path::{Path, PathBuf};

/// `ROOT/content/`: everything staff write.
pub const CONTENT: &str = "content";
/// `ROOT/themes/NAME/`: a site's own theme (the default one is embedded in the binary).
pub const THEMES: &str = "themes";
/// `THEME/templates/` and `THEME/static/`.
pub const TEMPLATES: &str = "templates";
pub const STATIC: &str = "static";
/// `content/site.yaml`.
pub const CONFIG_FILE: &str = "site.yaml";
/// The default output folder, `ROOT/public/`.
pub const PUBLIC: &str = "public";
/// The page a web server (and `serve`) answers a missing address with: hosts look for it
/// at the top of the site.
pub const NOT_FOUND_PAGE: &str = "404.html";
/// The search page and its index files, in the output (`tim-kiem/index.json`, shards…):
/// datto's alone, a static file there would replace part of the index.
pub const SEARCH_DIR: &str = "tim-kiem/";
/// Derived files kept between builds (resized photos), `ROOT/.datto-cache/`.
pub const CACHE: &str = ".datto-cache";
/// Where the editor moves what staff delete, `content/_thung-rac/` (restorable).
pub const TRASH: &str = "_thung-rac";

/// The longest name (in bytes) of one segment of an output path. File systems allow 255;
/// the output is written through temporary files named after the file plus a suffix
/// (`.name.datto-tmp-PID`), so `check` refuses anything that would not leave room for it.
pub const MAX_SEGMENT: usize = 200;
/// The longest output path (relative to the output folder) `check` accepts.
pub const MAX_PATH: usize = 1000;

pub fn content_dir(root: &Path) -> PathBuf {
    root.join(CONTENT)
}

/// The folders of `content/` whose Markdown files are of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Folder {
    /// `content/tin-bai/`: news items, counted by the tallies.
    Items,
    /// `content/mo-hinh/`: model profiles.
    Profiles,
    /// `content/trang/`: stand-alone pages (and any other folder).
    Pages,
}

impl Folder {
    pub const ALL: [Folder; 3] = [Folder::Items, Folder::Profiles, Folder::Pages];

    pub const fn name(self) -> &'static str {
        match self {
            Folder::Items => "tin-bai",
            Folder::Profiles => "mo-hinh",
            Folder::Pages => "trang",
        }
    }

    /// The folder a content path (`tin-bai/2018/a.md`) is in, if it is one of these.
    pub fn of(rel: &str) -> Option<Folder> {
        let first = rel.split('/').next()?;
        Folder::ALL.into_iter().find(|f| f.name() == first)
    }
}

/// The parts of the site a reader moves between; the menu marks the current one
/// (`meta.section` in templates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Home,
    Items,
    Units,
    Tags,
    Profiles,
    Tallies,
    Search,
    Pages,
    /// The 404 page: no menu entry is current.
    None,
}

impl Section {
    /// The name templates compare `meta.section` with.
    pub const fn name(self) -> &'static str {
        match self {
            Section::Home => "home",
            Section::Items => "tin-bai",
            Section::Units => "don-vi",
            Section::Tags => "chu-de",
            Section::Profiles => "mo-hinh",
            Section::Tallies => "thong-ke",
            Section::Search => "tim-kiem",
            Section::Pages => "trang",
            Section::None => "",
        }
    }

    /// The output folder of the section's pages, with a trailing slash (`tin-bai/`); empty
    /// for the home page and for stand-alone pages, which sit at the root.
    pub const fn prefix(self) -> &'static str {
        match self {
            Section::Items => "tin-bai/",
            Section::Units => "don-vi/",
            Section::Tags => "chu-de/",
            Section::Profiles => "mo-hinh/",
            Section::Tallies => "thong-ke/",
            Section::Search => "tim-kiem/",
            Section::Home | Section::Pages | Section::None => "",
        }
    }
}

impl serde::Serialize for Section {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The stand-alone pages the layout links to by name.
pub const ABOUT_PAGE: &str = "gioi-thieu";
pub const CONTACT_PAGE: &str = "lien-he";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_paths_find_their_folder() {
        let cases = [
            ("tin-bai/2018/a.md", Some(Folder::Items)),
            ("tin-bai/2018/a/index.md", Some(Folder::Items)),
            ("mo-hinh/a.md", Some(Folder::Profiles)),
            ("trang/gioi-thieu.md", Some(Folder::Pages)),
            ("gioi-thieu.md", None),
            ("tin-bai-cu/a.md", None),
            ("static/a.md", None),
        ];
        for (rel, folder) in cases {
            assert_eq!(Folder::of(rel), folder, "{rel}");
        }
    }

    #[test]
    fn prefixes_are_folders_of_their_names() {
        for s in [
            Section::Items,
            Section::Units,
            Section::Tags,
            Section::Profiles,
            Section::Tallies,
            Section::Search,
        ] {
            assert_eq!(s.prefix(), format!("{}/", s.name()));
        }
    }
}
