//! Where a publish's secrets come from: SSH keys and the agent, `DATTO_PASSWORD`, or a
//! prompt. A password is never printed, logged or written anywhere.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::transport::{Failure, Result};

/// The environment variable a password may come from (scripts, scheduled publishes).
pub const PASSWORD_VAR: &str = "DATTO_PASSWORD";

#[derive(Debug, Clone)]
pub struct Credentials {
    pub known_hosts: PathBuf,
    /// Private keys tried in order (unencrypted ones; encrypted keys belong in the agent).
    pub key_files: Vec<PathBuf>,
    pub accept_host_key: bool,
    /// A private certificate authority (PEM) trusted for FTPS besides the system's roots.
    pub ca_file: Option<PathBuf>,
}

impl Credentials {
    /// The usual OpenSSH places under the user's home folder.
    pub fn from_home(accept_host_key: bool, ca_file: Option<PathBuf>) -> Credentials {
        let ssh = home().unwrap_or_else(|| PathBuf::from(".")).join(".ssh");
        Credentials {
            known_hosts: ssh.join("known_hosts"),
            key_files: ["id_ed25519", "id_ecdsa", "id_rsa"]
                .iter()
                .map(|name| ssh.join(name))
                .filter(|p| p.is_file())
                .collect(),
            accept_host_key,
            ca_file,
        }
    }
}

/// `HOME`, or on Windows `USERPROFILE`.
fn home() -> Option<PathBuf> {
    ["HOME", "USERPROFILE"]
        .iter()
        .filter_map(std::env::var_os)
        .find(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// A password that does not show itself in `{:?}`.
pub struct Password(String);

impl Password {
    pub fn new(value: String) -> Password {
        Password(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// `DATTO_PASSWORD`, else a prompt when a person is at the keyboard, else none.
pub fn password(account: &str) -> Result<Option<Password>> {
    if let Ok(value) = std::env::var(PASSWORD_VAR) {
        return Ok(Some(Password(value)));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    rpassword::prompt_password(format!("Mật khẩu của {account}: "))
        .map(|p| Some(Password(p)))
        .map_err(|e| Failure(format!("không đọc được mật khẩu: {e}")))
}

/// Asks, on a terminal, whether to trust a host seen for the first time.
pub fn confirm(question: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("{question} (c/k): ");
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(
        answer.trim().to_lowercase().as_str(),
        "c" | "có" | "co" | "y" | "yes"
    )
}

/// Reads the certificates of a PEM file given with `--ca-file`.
pub fn read_ca_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Failure(format!(
            "không đọc được tệp chứng chỉ {} (--ca-file): {e}",
            path.display()
        ))
    })
}
