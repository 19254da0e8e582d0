//! The `datto` command line: parses arguments and hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use datto::Error;
use datto::base::layout::PUBLIC;
use datto::commands::build::{self, BuildOptions};
use datto::commands::new::{self, NewKind, NewRequest};
use datto::commands::tally::{self, Format};
use datto::model::site::LoadOptions;

/// Rendering builds and drops many small template values on every thread at once; mimalloc
/// handles that much better than the system allocator (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Trình tạo trang tĩnh cho trang "Phụ nữ Đất Tổ", kèm thống kê chỉ tiêu tin/bài.
#[derive(Parser)]
#[command(name = "datto", version, long_about = None)]
struct Cli {
    /// Thư mục chứa content/ và themes/
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Dựng toàn bộ trang vào thư mục kết quả (mặc định public/)
    Build {
        /// Thư mục kết quả (mặc định ROOT/public)
        #[arg(long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        content: ContentArgs,
    },
    /// Xem trước: dựng, phục vụ tại http://127.0.0.1:1111/, tự cập nhật khi sửa tệp
    Serve {
        /// Cổng (0: tự chọn một cổng trống)
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Địa chỉ lắng nghe
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Hiện cả bài nháp (draft: true)
        #[arg(long)]
        drafts: bool,
        /// Hiện cả bài hẹn giờ
        #[arg(long)]
        future: bool,
        /// Mật khẩu của trình soạn bài (/_datto/): cần khi --bind là địa chỉ khác 127.0.0.1, để
        /// máy khác trong mạng vào soạn bài sau khi đăng nhập. Nên đặt bằng biến môi trường
        /// DATTO_EDITOR_PASSWORD để mật khẩu không nằm trong lịch sử lệnh
        #[arg(long)]
        editor_password: Option<String>,
    },
    /// Kiểm tra toàn bộ nội dung như khi dựng, không ghi gì
    Check {
        #[command(flatten)]
        content: ContentArgs,
    },
    /// Đếm tin bài từng đơn vị trong năm (quý, 6 tháng) so với chỉ tiêu
    Tally(TallyArgs),
    /// Tạo tệp tin bài hoặc mô hình mới, sẵn front matter
    New {
        /// tin (tin ngắn), bai (bài viết) hoặc mo-hinh (mô hình)
        what: NewKindArg,
        /// Đơn vị: slug, tên hoặc tên ngắn (ví dụ "Việt Trì")
        #[arg(long)]
        unit: String,
        /// Tiêu đề
        #[arg(long)]
        title: String,
        /// Loại mô hình (chỉ cho mo-hinh; mặc định loại đầu tiên trong site.yaml)
        #[arg(long = "kind")]
        profile_kind: Option<String>,
    },
    /// Nhập tài liệu Word (.docx) thành một tin bài nháp, kèm ảnh
    Import {
        /// Tệp .docx
        #[arg(value_name = "TỆP_DOCX")]
        file: PathBuf,
        /// Đơn vị: slug, tên hoặc tên ngắn (ví dụ "Việt Trì")
        #[arg(long)]
        unit: String,
        /// tin (tin ngắn) hoặc bai (bài viết dài)
        #[arg(long = "type", value_name = "LOẠI", value_enum, default_value = "tin")]
        kind: ImportKindArg,
    },
    /// Tạo một trang mới (mặc định trong thư mục hiện tại), dựng được ngay
    Init {
        /// Thư mục của trang mới (phải trống hoặc chưa có)
        #[arg(value_name = "THƯ_MỤC")]
        dir: Option<PathBuf>,
    },
    /// Giao diện: `datto theme export` chép giao diện mặc định ra themes/datto để sửa
    Theme {
        #[arg(value_name = "VIỆC", value_enum)]
        action: ThemeAction,
    },
    /// Dựng rồi đăng lên máy chủ (sftp://, ftp://, ftps://, s3://, file://), chỉ gửi phần đã đổi
    Publish(PublishArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum ImportKindArg {
    Tin,
    Bai,
}

#[derive(Clone, Copy, ValueEnum)]
enum ThemeAction {
    Export,
}

#[derive(Args)]
struct PublishArgs {
    /// Nơi đăng (mặc định publish.url trong site.yaml)
    #[arg(long, value_name = "ĐỊA_CHỈ")]
    to: Option<String>,
    /// Chỉ liệt kê việc sẽ làm, không gửi gì
    #[arg(long)]
    dry_run: bool,
    /// Từ chối nếu phải xoá nhiều tệp hơn số này
    #[arg(long, value_name = "SỐ_TỆP", default_value_t = 100)]
    max_delete: usize,
    /// Tệp chứng chỉ (PEM) để tin máy chủ FTPS dùng chứng chỉ riêng
    #[arg(long, value_name = "TỆP_PEM")]
    ca_file: Option<PathBuf>,
    /// Tin và ghi nhận khoá của máy chủ SFTP lần đầu kết nối
    #[arg(long)]
    accept_host_key: bool,
    /// Nhận quản lý bản trang đã có trên nơi đăng (đăng bằng cách khác): ghi đè tệp trùng tên khác nội dung
    #[arg(long)]
    adopt: bool,
    /// Máy chủ S3 cho địa chỉ s3:// (ví dụ https://s3.may-chu.vn)
    #[arg(long, value_name = "ĐỊA_CHỈ")]
    endpoint: Option<String>,
    /// Vùng (region) của máy chủ S3
    #[arg(long, value_name = "VÙNG")]
    region: Option<String>,
    /// Thư mục kết quả (mặc định ROOT/public)
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct ContentArgs {
    /// Ghi đè base_url trong site.yaml
    #[arg(long)]
    base_url: Option<String>,
    /// Dựng cả bài nháp (draft: true)
    #[arg(long)]
    drafts: bool,
    /// Dựng cả bài hẹn giờ (ngày đăng sau hiện tại)
    #[arg(long)]
    future: bool,
}

#[derive(Args)]
struct TallyArgs {
    /// Năm cần đếm (mặc định năm của --as-of)
    #[arg(long)]
    year: Option<String>,
    /// Tính đến hết ngày này, dạng YYYY-MM-DD (mặc định hôm nay)
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// Kỳ báo cáo: q1, q2, q3, q4 (quý), h1, h2 (6 tháng), year (cả năm)
    #[arg(long, value_name = "KỲ")]
    period: Option<String>,
    /// Từ ngày (YYYY-MM-DD), thay cho --period
    #[arg(long, value_name = "NGÀY")]
    from: Option<String>,
    /// Đến ngày (YYYY-MM-DD), cùng năm với --from
    #[arg(long, value_name = "NGÀY")]
    to: Option<String>,
    /// Đơn vị không có tin bài trong chừng ấy ngày bị đánh dấu "im lặng" (mặc định 30)
    #[arg(long = "quiet-days", value_name = "SỐ_NGÀY")]
    quiet_days: Option<String>,
    /// Dạng in ra (xlsx: tệp Excel, cần --output)
    #[arg(long, value_enum, default_value = "table")]
    format: FormatArg,
    /// Tệp Excel cần ghi (với --format xlsx)
    #[arg(long, value_name = "TỆP")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Table,
    Csv,
    Json,
    Markdown,
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
enum NewKindArg {
    Tin,
    Bai,
    #[value(name = "mo-hinh")]
    MoHinh,
}

fn now() -> Result<chrono::DateTime<chrono::Utc>, Error> {
    datto::base::dates::now().map_err(Error::Usage)
}

fn load_options(args: &ContentArgs) -> Result<LoadOptions, Error> {
    let now = now()?;
    Ok(LoadOptions {
        drafts: args.drafts,
        future: args.future,
        now,
        // A mistyped address is a usage error (exit 2), not a content error.
        base_url: args
            .base_url
            .as_deref()
            .map(datto::base::urls::BaseUrl::parse)
            .transpose()
            .map_err(|m| Error::Usage(format!("--base-url: {m}")))?,
        preview: false,
    })
}

fn run(cli: Cli) -> Result<(), Error> {
    // Before anything else: a build killed mid-swap is finished (SPEC §5).
    datto::emit::recover(&cli.root.join(PUBLIC))?;
    match cli.command {
        Command::Build { output, content } => {
            let options = BuildOptions {
                output: output.unwrap_or_else(|| cli.root.join(PUBLIC)),
                root: cli.root,
                load: load_options(&content)?,
            };
            let report = build::build(&options)?;
            println!("Đã dựng {}: {report}", options.output.display());
            print_scheduled(&report.scheduled);
        }
        Command::Serve {
            port,
            bind,
            drafts,
            future,
            editor_password,
        } => {
            no_transparent_huge_pages();
            datto::commands::serve::serve(datto::commands::serve::ServeOptions {
                root: cli.root,
                bind,
                port,
                drafts,
                future,
                editor_password: editor_password
                    .or_else(|| std::env::var("DATTO_EDITOR_PASSWORD").ok()),
            })?;
        }
        Command::Check { content } => {
            let report = build::check(&cli.root, &load_options(&content)?)?;
            println!("Không có lỗi: {report}");
            print_scheduled(&report.scheduled);
        }
        Command::Tally(args) => {
            let format = match args.format {
                FormatArg::Table => Format::Table,
                FormatArg::Csv => Format::Csv,
                FormatArg::Json => Format::Json,
                FormatArg::Markdown => Format::Markdown,
                FormatArg::Xlsx => Format::Xlsx,
            };
            let request = tally::Request {
                year: args.year.as_deref(),
                as_of: args.as_of.as_deref(),
                period: args.period.as_deref(),
                from: args.from.as_deref(),
                to: args.to.as_deref(),
                quiet_days: args.quiet_days.as_deref(),
                output: args.output.as_deref(),
            };
            print!("{}", tally::command(&cli.root, now()?, &request, format)?);
        }
        Command::New {
            what,
            unit,
            title,
            profile_kind,
        } => {
            let config = datto::load::sources::load_config(&cli.root)?;
            let request = NewRequest {
                kind: match what {
                    NewKindArg::Tin => NewKind::Tin,
                    NewKindArg::Bai => NewKind::Bai,
                    NewKindArg::MoHinh => NewKind::Profile,
                },
                unit: &unit,
                title: &title,
                profile_kind: profile_kind.as_deref(),
                now: now()?,
            };
            let path = new::create(&cli.root, &config, &request)?;
            println!("{}", path.display());
            if let Some(folder) = path.parent() {
                eprintln!(
                    "Ảnh của bài: chép vào thư mục {}/ rồi ghi `![Mô tả ảnh](ten-anh.jpg)`.",
                    folder.display()
                );
            }
        }
        Command::Import { file, unit, kind } => {
            let shown = file.display().to_string();
            let bytes = std::fs::read(&file).map_err(|e| {
                let (message, _) = datto::base::diagnostics::io_message(&e);
                Error::Usage(format!("không đọc được tệp {shown}: {message}"))
            })?;
            let config = datto::load::sources::load_config(&cli.root)?;
            let request = datto::import::ImportRequest {
                bytes: &bytes,
                source_name: &shown,
                unit: &unit,
                kind: match kind {
                    ImportKindArg::Tin => datto::import::ImportKind::Tin,
                    ImportKindArg::Bai => datto::import::ImportKind::Bai,
                },
                now: now()?,
            };
            let imported = datto::import::import(&cli.root, &config, &request)?;
            for warning in &imported.warnings {
                eprintln!("lưu ý: {warning}");
            }
            println!("{}", imported.path.display());
        }
        Command::Init { dir } => {
            let dir = dir.unwrap_or(cli.root);
            let files = datto::commands::init::init(&dir, now()?)?;
            println!(
                "Đã tạo trang mới trong {} ({} tệp). Xem trước: datto serve --root {}",
                dir.display(),
                files.len(),
                dir.display()
            );
        }
        Command::Theme {
            action: ThemeAction::Export,
        } => {
            let to = cli
                .root
                .join(datto::base::layout::THEMES)
                .join(datto::load::theme::DEFAULT);
            datto::load::theme::export(&to).map_err(|e| {
                // "already there" is export's own Vietnamese message; anything else is the OS's.
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    return Error::Usage(e.to_string());
                }
                let (message, _) = datto::base::diagnostics::io_message(&e);
                Error::Usage(format!("không ghi được {}: {message}", to.display()))
            })?;
            println!(
                "Đã chép giao diện mặc định ra {}; sửa ở đó, datto sẽ dùng bản này.",
                to.display()
            );
        }
        Command::Publish(args) => {
            let summary = datto::publish::publish(&datto::publish::PublishOptions {
                output: args.output.unwrap_or_else(|| cli.root.join(PUBLIC)),
                root: cli.root,
                load: load_options(&ContentArgs {
                    base_url: None,
                    drafts: false,
                    future: false,
                })?,
                to: args.to,
                dry_run: args.dry_run,
                max_delete: args.max_delete,
                ca_file: args.ca_file,
                accept_host_key: args.accept_host_key,
                adopt: args.adopt,
                endpoint: args.endpoint,
                region: args.region,
            })?;
            println!("{summary}");
        }
    }
    Ok(())
}

/// Items held back by their date, so that a year typo is seen at once.
fn print_scheduled(scheduled: &[datto::model::content::Scheduled]) {
    if scheduled.is_empty() {
        return;
    }
    println!(
        "{} tin bài hẹn giờ (chưa đăng, chưa được đếm; dùng --future để xem trước):",
        scheduled.len()
    );
    for item in scheduled {
        println!("  {item}");
    }
}

/// Parses the command line with clap's help and errors in Vietnamese (see `datto::cli_vi`).
fn parse() -> Result<Cli, ExitCode> {
    let command = datto::cli_vi::localise(Cli::command());
    let parsed = command
        .clone()
        .try_get_matches_from(std::env::args_os())
        .and_then(|matches| Cli::from_arg_matches(&matches));
    parsed.map_err(|error| {
        let args: Vec<String> = std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let rendered = datto::cli_vi::render(&error, &command, &args);
        if rendered.to_stdout {
            print!("{}", rendered.text);
        } else {
            eprint!("{}", rendered.text);
        }
        ExitCode::from(u8::try_from(rendered.code).unwrap_or(2))
    })
}

/// No transparent huge pages for `serve` (Linux). mimalloc asks the kernel for them
/// (`MADV_HUGEPAGE`), and each is a 2 MB region zeroed whole when first touched: on this
/// project's VM that zeroing was a third of `serve`'s start-up samples. Measured without
/// them (10,000 items, alternating): `serve` answers after 2.3–2.6 s instead of 2.9–3.6 s
/// and holds ~740 MB instead of 810–816 MB. A build, which lives seconds, is left as it
/// is: it peaked lower (120 vs 160 MB) but was not faster, maybe slower (fewer TLB hits).
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours; a
    // kernel without it returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Content(diagnostics)) => {
            for d in &diagnostics {
                eprintln!("{d}");
            }
            eprintln!("{} lỗi; không có gì được ghi ra.", diagnostics.len());
            ExitCode::from(1)
        }
        Err(Error::Usage(message)) => {
            eprintln!("lỗi: {message}");
            ExitCode::from(2)
        }
        Err(Error::Internal(e)) => {
            eprintln!("lỗi: {}", datto::base::diagnostics::describe_internal(&e));
            ExitCode::from(1)
        }
    }
}
