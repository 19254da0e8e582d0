//! Text a build writes to a file anyway and reads back when it is needed, instead of holding
//! it in memory: each Markdown body's HTML goes into the body store's next file (see
//! `assemble::stored`) as soon as it is rendered, and the item page and the search index
//! each read it from there (page-cache speed) — at 50,000 items that is ~290 MB the build
//! no longer holds from the first body rendered to the last page written.

use std::fs::File;
use std::io;
use std::sync::{Arc, RwLock};

/// A file this process appends to, open for reading what it appended; [`SpillFile::close`]
/// closes it (before the file is renamed: Windows keeps an open file in place).
#[derive(Clone)]
pub struct SpillFile(Arc<RwLock<Option<File>>>);

impl SpillFile {
    /// `file` must be a handle of its own (not a clone sharing the writer's cursor: on
    /// Windows a positional read moves it).
    pub fn new(file: File) -> SpillFile {
        SpillFile(Arc::new(RwLock::new(Some(file))))
    }

    /// `len` bytes at `offset`, once they are written and flushed.
    pub fn at(&self, offset: u64, len: usize) -> Spilled {
        Spilled {
            file: self.clone(),
            offset,
            len,
        }
    }

    /// Later reads fail (with an error, never with other bytes).
    pub fn close(&self) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// UTF-8 text at a place in a [`SpillFile`].
#[derive(Clone)]
pub struct Spilled {
    file: SpillFile,
    offset: u64,
    len: usize,
}

impl Spilled {
    pub fn read(&self) -> io::Result<String> {
        let guard = self.file.0.read().unwrap_or_else(|e| e.into_inner());
        let Some(file) = guard.as_ref() else {
            return Err(io::Error::other("tệp tạm đã đóng"));
        };
        let mut bytes = vec![0; self.len];
        read_at(file, &mut bytes, self.offset)?;
        crate::base::text::utf8(bytes)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "không phải UTF-8"))
    }
}

impl std::fmt::Debug for Spilled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Spilled({} bytes at {})", self.len, self.offset)
    }
}

/// Reads `buf.len()` bytes at `offset` without moving a shared cursor (threads read at once).
/// Bytes not written yet are an error (`UnexpectedEof`), never zeros.
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            let n = std::os::windows::fs::FileExt::seek_read(
                file,
                &mut buf[done..],
                offset + done as u64,
            )?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            done += n;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_what_was_written_and_fails_on_what_was_not() {
        let mut temp = tempfile::NamedTempFile::new().unwrap();
        temp.write_all("đầu<p>Đường</p>".as_bytes()).unwrap();
        let spill = SpillFile::new(temp.reopen().unwrap());
        let start = "đầu".len() as u64;
        let body = spill.at(start, "<p>Đường</p>".len());
        assert_eq!(body.read().unwrap(), "<p>Đường</p>");
        // Not written yet: an error, not zeros.
        let later = spill.at(start, 100);
        assert_eq!(
            later.read().unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
        // Half a letter is not text.
        assert!(spill.at(0, 1).read().is_err());
        spill.close();
        assert!(body.read().is_err(), "closed");
    }
}
