//! The `datto` command line: parses arguments and hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use datto::Error;
use datto::build::{self, BuildOptions};
use datto::scaffold::{self, NewKind, NewRequest};
use datto::site::LoadOptions;
use datto::tally::{self, Format};

/// Rendering builds and drops many small template values on every thread at once; mimalloc
/// handles that much better than the system allocator (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Trình tạo trang tĩnh cho trang "Phụ nữ Đất Tổ", kèm thống kê chỉ tiêu tin/bài.
#[derive(Parser)]
#[command(name = "datto", version, about, long_about = None)]
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
    },
    /// Kiểm tra toàn bộ nội dung như khi dựng, không ghi gì
    Check {
        #[command(flatten)]
        content: ContentArgs,
    },
    /// Đếm tin bài từng đơn vị trong năm so với chỉ tiêu
    Tally {
        /// Năm cần đếm (mặc định năm của --as-of)
        #[arg(long)]
        year: Option<String>,
        /// Tính đến hết ngày này, dạng YYYY-MM-DD (mặc định hôm nay)
        #[arg(long = "as-of")]
        as_of: Option<String>,
        /// Dạng in ra
        #[arg(long, value_enum, default_value = "table")]
        format: FormatArg,
    },
    /// Tạo tệp tin bài hoặc mô hình mới, sẵn front matter
    New {
        /// tin, bai hoặc mo-hinh
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

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Table,
    Csv,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum NewKindArg {
    Tin,
    Bai,
    #[value(name = "mo-hinh")]
    MoHinh,
}

fn now() -> Result<chrono::DateTime<chrono::Utc>, Error> {
    datto::dates::now().map_err(Error::Usage)
}

fn load_options(args: &ContentArgs) -> Result<LoadOptions, Error> {
    let now = now()?;
    Ok(LoadOptions {
        drafts: args.drafts,
        future: args.future,
        now,
        base_url: args.base_url.clone(),
    })
}

fn run(cli: Cli) -> Result<(), Error> {
    // Before anything else: a build killed mid-swap is finished (SPEC §5).
    datto::output::recover(&cli.root.join("public"))?;
    match cli.command {
        Command::Build { output, content } => {
            let options = BuildOptions {
                output: output.unwrap_or_else(|| cli.root.join("public")),
                root: cli.root,
                load: load_options(&content)?,
            };
            let report = build::build(&options)?;
            println!("Đã dựng {}: {report}", options.output.display());
        }
        Command::Serve {
            port,
            bind,
            drafts,
            future,
        } => {
            datto::serve::serve(datto::serve::ServeOptions {
                root: cli.root,
                bind,
                port,
                drafts,
                future,
            })?;
        }
        Command::Check { content } => {
            let report = build::check(&cli.root, &load_options(&content)?)?;
            println!("Không có lỗi: {report}");
        }
        Command::Tally {
            year,
            as_of,
            format,
        } => {
            let format = match format {
                FormatArg::Table => Format::Table,
                FormatArg::Csv => Format::Csv,
                FormatArg::Json => Format::Json,
                FormatArg::Markdown => Format::Markdown,
            };
            let text =
                tally::command(&cli.root, now()?, year.as_deref(), as_of.as_deref(), format)?;
            print!("{text}");
        }
        Command::New {
            what,
            unit,
            title,
            profile_kind,
        } => {
            let config = datto::site::load_config(&cli.root)?;
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
            let path = scaffold::create(&cli.root, &config, &request)?;
            println!("{}", path.display());
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
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
            eprintln!("lỗi: {e:#}");
            ExitCode::from(1)
        }
    }
}
