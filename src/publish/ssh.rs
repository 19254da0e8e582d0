//! The SSH half of `sftp://`: OpenSSH's host-key rules (`~/.ssh/known_hosts`, a changed key
//! refused, first contact confirmed) and logging in (agent, key files, password).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::client;
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};

use super::credentials::{self, Credentials};
use super::target::Remote;
use super::transport::{Failure, Result};

pub(super) type Ssh = client::Handle<HostKeyCheck>;

/// Connects, checks the host key, logs in: a ready SSH session, or one Vietnamese line.
pub(super) async fn connect(remote: &Remote, credentials: &Credentials) -> Result<Ssh> {
    let known_hosts = credentials.known_hosts.clone();
    let problem = Arc::new(Mutex::new(None));
    let check = HostKeyCheck {
        host: remote.host.clone(),
        port: remote.port,
        known_hosts: known_hosts.clone(),
        accept: credentials.accept_host_key,
        problem: problem.clone(),
    };
    let config = Arc::new(client::Config {
        inactivity_timeout: Some(Duration::from_secs(60)),
        ..Default::default()
    });
    let address = (remote.host.as_str(), remote.port);
    let connecting = client::connect(config, address, check);
    let mut ssh = match tokio::time::timeout(Duration::from_secs(20), connecting).await {
        Ok(Ok(ssh)) => ssh,
        Ok(Err(e)) => {
            if let Some(p) = problem.lock().ok().and_then(|mut p| p.take()) {
                return Err(key_failure(remote, &known_hosts, p));
            }
            return Err(unreachable(remote, &e.to_string()));
        }
        Err(_) => return Err(unreachable(remote, "hết thời gian chờ")),
    };
    authenticate(&mut ssh, remote, credentials).await?;
    Ok(ssh)
}

/// What the host-key check found, kept for the error message (russh only says "unknown key").
#[derive(Debug, Clone)]
enum KeyProblem {
    Unknown(String),
    Changed { line: usize, fingerprint: String },
    Unreadable(String),
}

pub(super) struct HostKeyCheck {
    host: String,
    port: u16,
    known_hosts: PathBuf,
    accept: bool,
    problem: Arc<Mutex<Option<KeyProblem>>>,
}

impl HostKeyCheck {
    fn check(&self, key: &PublicKey) -> std::result::Result<(), KeyProblem> {
        let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
        match russh::keys::check_known_hosts_path(&self.host, self.port, key, &self.known_hosts) {
            Ok(true) => Ok(()),
            Ok(false)
                if self.accept
                    || credentials::confirm(&format!(
                        "Lần đầu kết nối tới {}: khoá máy chủ là {fingerprint}. Tin và ghi nhận?",
                        self.host
                    )) =>
            {
                russh::keys::known_hosts::learn_known_hosts_path(
                    &self.host,
                    self.port,
                    key,
                    &self.known_hosts,
                )
                .map_err(|e| KeyProblem::Unreadable(e.to_string()))?;
                eprintln!(
                    "Đã ghi nhận khoá của máy chủ {} ({fingerprint}) vào {}",
                    self.host,
                    self.known_hosts.display()
                );
                Ok(())
            }
            Ok(false) => Err(KeyProblem::Unknown(fingerprint)),
            Err(russh::keys::Error::KeyChanged { line }) => {
                Err(KeyProblem::Changed { line, fingerprint })
            }
            Err(e) => Err(KeyProblem::Unreadable(e.to_string())),
        }
    }
}

impl client::Handler for HostKeyCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> std::result::Result<bool, Self::Error> {
        let result = self.check(&key.public_key());
        let ok = result.is_ok();
        if let (Err(problem), Ok(mut slot)) = (result, self.problem.lock()) {
            *slot = Some(problem);
        }
        Ok(ok)
    }
}

fn key_failure(remote: &Remote, known_hosts: &std::path::Path, problem: KeyProblem) -> Failure {
    let host = &remote.host;
    Failure(match problem {
        KeyProblem::Unknown(fp) => format!(
            "chưa biết máy chủ {host} (khoá {fp}); hỏi người quản trị máy chủ xem khoá có đúng không, rồi chạy lại với --accept-host-key để ghi nhận"
        ),
        KeyProblem::Changed { line, fingerprint } => format!(
            "CẢNH BÁO: khoá của máy chủ {host} đã thay đổi (nay là {fingerprint}, khác dòng {line} của {}); có thể có kẻ mạo danh, datto không đăng. Nếu người quản trị xác nhận máy chủ đã đổi khoá, xoá dòng đó rồi chạy lại",
            known_hosts.display()
        ),
        KeyProblem::Unreadable(e) => {
            format!(
                "không kiểm tra được khoá máy chủ {host} với {}: {e}",
                known_hosts.display()
            )
        }
    })
}

fn unreachable(remote: &Remote, why: &str) -> Failure {
    Failure(format!(
        "không kết nối được tới máy chủ {}:{} ({why}); kiểm tra địa chỉ và mạng",
        remote.host, remote.port
    ))
}

async fn authenticate(ssh: &mut Ssh, remote: &Remote, credentials: &Credentials) -> Result<()> {
    let user = remote.user.as_str();
    let refused =
        |e: russh::Error| Failure(format!("lỗi khi đăng nhập {user}@{}: {e}", remote.host));
    // 1. The SSH agent (the keys a staff member unlocked once).
    #[cfg(unix)]
    if let Ok(mut agent) = russh::keys::agent::client::AgentClient::connect_env().await
        && let Ok(identities) = agent.request_identities().await
    {
        for identity in identities {
            let key = identity.public_key().into_owned();
            let hash = ssh.best_supported_rsa_hash().await.ok().flatten().flatten();
            if let Ok(result) = ssh
                .authenticate_publickey_with(user, key, hash, &mut agent)
                .await
                && result.success()
            {
                return Ok(());
            }
        }
    }
    // 2. Unencrypted keys in ~/.ssh.
    for path in &credentials.key_files {
        let Ok(key) = russh::keys::load_secret_key(path, None) else {
            continue;
        };
        let hash = ssh
            .best_supported_rsa_hash()
            .await
            .map_err(refused)?
            .flatten();
        let key = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
        if ssh
            .authenticate_publickey(user, key)
            .await
            .map_err(refused)?
            .success()
        {
            return Ok(());
        }
    }
    // 3. A password: DATTO_PASSWORD, or typed.
    let Some(password) = credentials::password(&format!("{user}@{}", remote.host))? else {
        return Err(Failure(format!(
            "máy chủ {} không nhận khoá SSH nào của {user}; đặt biến môi trường DATTO_PASSWORD hoặc chạy trong cửa sổ lệnh để gõ mật khẩu",
            remote.host
        )));
    };
    if ssh
        .authenticate_password(user, password.as_str())
        .await
        .map_err(refused)?
        .success()
    {
        return Ok(());
    }
    // Hosts that check passwords through PAM often accept them only as keyboard-interactive.
    if keyboard_interactive(ssh, user, &password).await {
        return Ok(());
    }
    Err(Failure(format!(
        "máy chủ {} từ chối đăng nhập: sai tên đăng nhập ({user}) hoặc mật khẩu",
        remote.host
    )))
}

/// Answers every hidden prompt with the password (a few rounds at most).
async fn keyboard_interactive(ssh: &mut Ssh, user: &str, password: &credentials::Password) -> bool {
    use russh::client::KeyboardInteractiveAuthResponse as Reply;
    let Ok(mut reply) = ssh
        .authenticate_keyboard_interactive_start(user, None)
        .await
    else {
        return false;
    };
    for _ in 0..4 {
        match reply {
            Reply::Success => return true,
            Reply::Failure { .. } => return false,
            Reply::InfoRequest { prompts, .. } => {
                let answers = prompts
                    .iter()
                    .map(|p| {
                        if p.echo {
                            String::new()
                        } else {
                            password.as_str().to_string()
                        }
                    })
                    .collect();
                match ssh.authenticate_keyboard_interactive_respond(answers).await {
                    Ok(next) => reply = next,
                    Err(_) => return false,
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIKoSIhLhx/p7niqWrKqVDh/uwxYM4o/XMJ40tiMWd1qS";

    /// A known_hosts file written on Windows (CRLF line ends, e.g. edited in Notepad) is
    /// read like OpenSSH's own.
    #[test]
    fn known_hosts_with_crlf_line_ends() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("known_hosts");
        std::fs::write(
            &file,
            format!("# ghi chú\r\n[web.example.vn]:2222 ssh-ed25519 {KEY}\r\n"),
        )
        .unwrap();
        let key = russh::keys::parse_public_key_base64(KEY).unwrap();
        let check = HostKeyCheck {
            host: "web.example.vn".into(),
            port: 2222,
            known_hosts: file.clone(),
            accept: false,
            problem: Arc::new(Mutex::new(None)),
        };
        assert!(check.check(&key).is_ok());
        // Another key for the same host is a changed key, not an unknown one.
        let other = "AAAAC3NzaC1lZDI1NTE5AAAAIG9GxzOT2Fy1CqAQfh4wKAEA7em0Ljb9loKAikeUD0LR";
        let other = russh::keys::parse_public_key_base64(other).unwrap();
        assert!(matches!(
            check.check(&other),
            Err(KeyProblem::Changed { line: _, .. })
        ));
    }
}
