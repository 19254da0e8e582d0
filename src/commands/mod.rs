//! The commands of the CLI, each over the pipeline: build and check, serve, tally, new,
//! init.

pub mod build;
pub mod init;
pub mod new;
pub mod serve;
pub mod tally;

use std::time::Duration;

/// What a build, a check or one of `serve`'s rebuilds did, for the line printed after it.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Pages of the site.
    pub pages: usize,
    /// Pages rendered: all of them for `check` and a first build, the changed ones for a
    /// build over its previous output and in `serve`.
    pub rendered: usize,
    /// Static files and photos written (all for `build`; those that changed in `serve`).
    pub copied: usize,
    /// Output files removed (`serve`: pages and files that no longer exist).
    pub removed: usize,
    pub items: usize,
    pub profiles: usize,
    pub elapsed: Duration,
    /// `build`: nothing changed since the last build, which was not made again.
    pub unchanged: bool,
    /// Items held back by their date (printed after the summary).
    pub scheduled: Vec<crate::model::content::Scheduled>,
}

impl Summary {
    /// What making `site` did: `rendered` of its pages, `copied` files, since `started`.
    pub fn of(
        site: &crate::model::site::Site,
        rendered: usize,
        copied: usize,
        started: std::time::Instant,
    ) -> Summary {
        Summary {
            pages: site.jobs().len(),
            rendered,
            copied,
            removed: 0,
            items: site.items.len(),
            profiles: site.profiles.len(),
            elapsed: started.elapsed(),
            unchanged: false,
            scheduled: site.scheduled.clone(),
        }
    }
}

/// The line `build` and `check` print.
impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} trang, {} tệp tĩnh; {} tin bài, {} mô hình; {} ms",
            self.pages,
            self.copied,
            self.items,
            self.profiles,
            self.elapsed.as_millis()
        )?;
        // A build over its previous output says how much it had to do.
        if self.unchanged {
            write!(f, " (không có gì thay đổi từ lần dựng trước)")
        } else if self.rendered < self.pages {
            write!(f, " (dựng lại {} trang)", self.rendered)
        } else {
            Ok(())
        }
    }
}
