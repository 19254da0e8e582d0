//! Publishing to S3-compatible storage (moto's server on a loopback port).

use super::*;

/// boto3 (which moto needs anyway) as the S3 client of the test: make a bucket, put an
/// object, upload a folder ("aws s3 sync"), or dump a prefix into a folder and print each
/// object's Content-Type and Cache-Control as JSON.
const S3_CLIENT: &str = r#"
import sys, os, json, boto3
endpoint, cmd, bucket = sys.argv[1], sys.argv[2], sys.argv[3]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test")
if cmd == "create":
    s3.create_bucket(Bucket=bucket)
elif cmd == "put":
    s3.put_object(Bucket=bucket, Key=sys.argv[4], Body=sys.argv[5].encode())
elif cmd == "upload":
    prefix, src = sys.argv[4], sys.argv[5]
    for d, _, names in os.walk(src):
        for n in names:
            full = os.path.join(d, n)
            key = prefix + os.path.relpath(full, src).replace(os.sep, "/")
            with open(full, "rb") as f:
                s3.put_object(Bucket=bucket, Key=key, Body=f.read())
elif cmd == "dump":
    prefix, out = sys.argv[4], sys.argv[5]
    meta = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            r = s3.get_object(Bucket=bucket, Key=o["Key"])
            rel = o["Key"][len(prefix):]
            path = os.path.join(out, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(r["Body"].read())
            meta[rel] = [r.get("ContentType"), r.get("CacheControl")]
    print(json.dumps(meta))
"#;

/// Each object's (Content-Type, Cache-Control), by path.
type Headers = BTreeMap<String, (String, String)>;

struct S3Server {
    _server: Server,
    endpoint: String,
    dir: tempfile::TempDir,
}

impl S3Server {
    /// moto's S3 server on a loopback port.
    fn start() -> Option<S3Server> {
        let have = Command::new("python3")
            .args(["-c", "import moto.server, boto3, flask"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !have {
            println!("SKIPPED: moto is not installed (pip install 'moto[server]')");
            return None;
        }
        let port = free_port();
        let mut child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if !wait_for(port, &mut child) {
            println!("SKIPPED: moto's S3 server did not start");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("client.py"), S3_CLIENT).unwrap();
        Some(S3Server {
            _server: Server(child),
            endpoint: format!("http://127.0.0.1:{port}"),
            dir,
        })
    }

    #[track_caller]
    fn client(&self, args: &[&str]) -> String {
        let out = Command::new("python3")
            .arg(self.dir.path().join("client.py"))
            .arg(&self.endpoint)
            .args(args)
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The objects under `prefix` as files, and each one's (Content-Type, Cache-Control).
    fn dump(&self, bucket: &str, prefix: &str) -> (BTreeMap<String, Vec<u8>>, Headers) {
        let out = tempfile::tempdir().unwrap();
        let json = self.client(&["dump", bucket, prefix, out.path().to_str().unwrap()]);
        let meta: BTreeMap<String, (Option<String>, Option<String>)> =
            serde_json::from_str(json.trim()).unwrap();
        let meta = meta
            .into_iter()
            .map(|(k, (t, c))| (k, (t.unwrap_or_default(), c.unwrap_or_default())))
            .collect();
        let mut files = tree(out.path());
        // The manifest is kept, like on the other targets, but compared apart.
        files.remove(MANIFEST);
        (files, meta)
    }
}

#[test]
fn s3_target() {
    let Some(s3) = S3Server::start() else {
        return;
    };
    s3.client(&["create", "trang"]);
    s3.client(&["put", "trang", "site/.well-known/acme.txt", "token"]);
    let site = TestSite::fixture("basic");
    let home = tempfile::tempdir().unwrap();
    let secret = "bi-mat-s3-khong-in-ra";
    let keys = vec![
        ("AWS_ACCESS_KEY_ID".to_string(), "test".to_string()),
        ("DATTO_S3_SECRET_ACCESS_KEY".to_string(), secret.to_string()),
    ];
    let publisher = Publisher {
        site: &site,
        home: home.path().into(),
        env: keys.clone(),
    };
    let url = format!("s3://trang/site/?endpoint={}", s3.endpoint);
    let with_foreign = |mut t: BTreeMap<String, Vec<u8>>| {
        t.insert(".well-known/acme.txt".into(), b"token".to_vec());
        t
    };

    let dry = publisher.ok(&["--to", &url, "--dry-run"]);
    assert!(dry.contains("+ index.html"), "{dry}");
    assert_eq!(s3.dump("trang", "site/").0.len(), 1, "the dry run wrote");

    let first = publisher.ok(&["--to", &url]);
    assert!(first.contains("Giữ nguyên 1 tệp"), "{first}");
    assert!(!first.contains(secret), "{first}");
    let output = tree(&site.public());
    assert_eq!(counts(&first), (output.len(), 0, 0), "{first}");
    let (files, meta) = s3.dump("trang", "site/");
    assert_same(
        &files,
        &with_foreign(output.clone()),
        "the bucket equals the output",
    );
    let kind = |path: &str| meta.get(path).cloned().unwrap_or_default();
    assert_eq!(
        kind("index.html"),
        ("text/html; charset=utf-8".into(), "no-cache".into())
    );
    let css = output.keys().find(|p| p.ends_with(".css")).unwrap();
    assert_eq!(
        kind(css),
        (
            "text/css; charset=utf-8".into(),
            "public, max-age=3600".into()
        )
    );

    let second = publisher.ok(&["--to", &url]);
    assert_eq!(counts(&second), (0, 0, 0), "{second}");

    // An interrupted publish, then finished; then a removal, refused above --max-delete.
    site.write(
        "tin-bai/2019/moi.md",
        "---\ntitle: Tin mới\ndate: 2019-05-02\nunit: viet-tri\ntype: tin\n---\nNội dung.\n",
    );
    let mut interrupted = Publisher {
        site: &site,
        home: home.path().into(),
        env: keys.clone(),
    };
    interrupted
        .env
        .push(("DATTO_TEST_PUBLISH_FAIL_AFTER".into(), "2".into()));
    assert!(!interrupted.run(&["--to", &url]).status.success());
    let resumed = publisher.ok(&["--to", &url]);
    assert!(counts(&resumed).0 > 0, "{resumed}");
    assert_same(
        &s3.dump("trang", "site/").0,
        &with_foreign(tree(&site.public())),
        "the resumed publish finished the job",
    );
    site.remove("tin-bai/2019/moi.md");
    publisher.refused(&["--to", &url, "--max-delete", "0"], "--max-delete");
    let last = publisher.ok(&["--to", &url]);
    assert!(counts(&last).2 > 0, "{last}");
    assert_same(
        &s3.dump("trang", "site/").0,
        &with_foreign(tree(&site.public())),
        "after deletions",
    );

    // A copy uploaded by other means ("aws s3 sync"): adopted, nothing sent.
    let public = site.public();
    s3.client(&["upload", "trang", "ban-sao/", public.to_str().unwrap()]);
    let copy_url = format!("s3://trang/ban-sao?endpoint={}", s3.endpoint);
    let taken = publisher.ok(&["--to", &copy_url]);
    assert_eq!(counts(&taken), (0, 0, 0), "{taken}");
    assert!(
        taken.contains(&format!("Nhận {} tệp", tree(&public).len())),
        "{taken}"
    );

    // --endpoint instead of the address's; a bucket that is not there; no keys; nobody there.
    let text = publisher.refused(
        &["--to", "s3://khong-co/", "--endpoint", &s3.endpoint],
        "không có bucket `khong-co`",
    );
    assert!(!text.contains(secret), "{text}");
    let keyless = Publisher {
        site: &site,
        home: home.path().into(),
        env: vec![],
    };
    keyless.refused(&["--to", &url], "DATTO_S3_ACCESS_KEY_ID");
    let closed = format!("s3://trang/?endpoint=http://127.0.0.1:{}", free_port());
    publisher.refused(&["--to", &closed], "không kết nối được");
}
