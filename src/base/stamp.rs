//! What identifies a file's content without reading it: its size and modification time.
//! The build's record of its output, the publish hash cache and the build's input
//! fingerprint all trust it the way `make`, Cargo and git do, with git's "racy" rule: a file
//! modified less than [`RACY`] before it was looked at may change again within the same
//! clock tick at the same size, so it is not trusted.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// How recent a modification is too recent to trust: file systems keep modification times
/// to a clock tick (4 ms on Linux, 2 s on FAT).
pub const RACY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    /// Nanoseconds since 1970 (u64: until the year 2554).
    pub mtime_ns: u64,
}

impl Stamp {
    pub fn of(metadata: &std::fs::Metadata) -> Option<Stamp> {
        let mtime = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Stamp {
            size: metadata.len(),
            mtime_ns: u64::try_from(mtime.as_nanos()).ok()?,
        })
    }

    /// The stamp of the regular file at `path` (a symlink is not followed: `None`).
    pub fn of_file(path: &std::path::Path) -> Option<Stamp> {
        std::fs::symlink_metadata(path)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .as_ref()
            .and_then(Stamp::of)
    }

    pub fn modified(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.mtime_ns)
    }

    /// The running datto binary's stamp, written into what it keeps between runs: another
    /// binary may make other bytes of the same inputs. `None` when it cannot be known (then
    /// nothing kept is trusted).
    pub fn of_running_binary() -> Option<Stamp> {
        let exe = std::env::current_exe().ok()?;
        std::fs::metadata(exe).ok().as_ref().and_then(Stamp::of)
    }

    /// Whether the file was last modified at least [`RACY`] before `seen_at`.
    pub fn settled_at(self, seen_at: SystemTime) -> bool {
        seen_at
            .duration_since(self.modified())
            .is_ok_and(|age| age >= RACY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_settled_two_seconds_after_its_last_change() {
        let stamp = Stamp {
            size: 1,
            mtime_ns: 10_000_000_000,
        };
        let at = |secs: f64| UNIX_EPOCH + Duration::from_secs_f64(secs);
        assert!(!stamp.settled_at(at(9.0)), "seen before it was written");
        assert!(!stamp.settled_at(at(11.9)));
        assert!(stamp.settled_at(at(12.0)));
    }
}
