//! The command line in Vietnamese: clap's help and errors are English, so the command built
//! by `#[derive(Parser)]` is reworked here (headings, value names, defaults, usage lines, the
//! help and version flags) and every parse error is rendered from its kind and context.
//!
//! It works on any `clap::Command`, so subcommands added to `main.rs` later are localised
//! without changes here (an argument id missing from [`value_name`] is shown as `GIÁ_TRỊ`).

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// Exit code of a usage error (as clap's own).
pub const USAGE_EXIT: i32 = 2;

/// The placeholder shown for the value of an option, by argument id.
fn value_name(id: &str) -> &'static str {
    match id {
        "root" | "output" => "THƯ_MỤC",
        "base_url" => "ĐỊA_CHỈ",
        "port" => "CỔNG",
        "bind" => "ĐỊA_CHỈ_IP",
        "editor_password" => "MẬT_KHẨU",
        "year" => "NĂM",
        "as_of" => "NGÀY",
        "format" => "DẠNG",
        "what" => "LOẠI",
        "unit" => "ĐƠN_VỊ",
        "title" => "TIÊU_ĐỀ",
        "profile_kind" | "kind" => "LOẠI_MÔ_HÌNH",
        _ => "GIÁ_TRỊ",
    }
}

/// What a bad value of an option should look like, by argument id.
fn value_hint(id: &str) -> Option<&'static str> {
    match id {
        "port" => Some("một số từ 0 đến 65535, ví dụ `--port 8080`"),
        "bind" => Some("một địa chỉ IP, ví dụ `--bind 127.0.0.1`"),
        "year" => Some("bốn chữ số, ví dụ `--year 2026`"),
        "as_of" => Some("dạng năm-tháng-ngày, ví dụ `--as-of 2026-11-30`"),
        _ => None,
    }
}

fn takes_value(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Set | ArgAction::Append)
}

/// One argument: a Vietnamese value name, and its default and choices written into its
/// help (clap's own "[default: …]" and "[possible values: …]" are English).
fn localise_arg(arg: Arg) -> Arg {
    if !takes_value(&arg) {
        return arg;
    }
    let mut help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let choices: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !choices.is_empty() && !choices.iter().all(|c| help.contains(c.as_str())) {
        help.push_str(&format!(" (một trong: {})", choices.join(", ")));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() {
        help.push_str(&format!(" (mặc định: {})", defaults.join(", ")));
    }
    // The derive names a value after its field (`OUTPUT`); a name set by hand is kept.
    let id = arg.get_id().as_str();
    let derived = match arg.get_value_names() {
        None => true,
        Some([only]) => only.as_str() == id.to_uppercase(),
        Some(_) => false,
    };
    let arg = if derived {
        let name = value_name(id);
        arg.value_name(name)
    } else {
        arg
    };
    arg.help(help.trim().to_string())
        .hide_default_value(true)
        .hide_possible_values(true)
}

/// The usage line of `cmd`, `path` being the words that call it (`datto new`).
fn usage(cmd: &Command, path: &str) -> String {
    let mut parts = vec![path.to_string()];
    for arg in cmd.get_positionals() {
        let name = arg
            .get_value_names()
            .and_then(|n| n.first())
            .map_or("GIÁ_TRỊ", |n| n.as_str())
            .to_string();
        parts.push(if arg.is_required_set() {
            format!("<{name}>")
        } else {
            format!("[{name}]")
        });
    }
    for arg in cmd.get_opts().filter(|a| a.is_required_set()) {
        if let (Some(long), Some(names)) = (arg.get_long(), arg.get_value_names()) {
            let name = names.first().map_or("GIÁ_TRỊ", |n| n.as_str());
            parts.push(format!("--{long} <{name}>"));
        }
    }
    parts.push("[TÙY_CHỌN]".into());
    if cmd.has_subcommands() {
        parts.push("<LỆNH>".into());
    }
    parts.join(" ")
}

fn template(cmd: &Command) -> String {
    let mut template = String::from("{about-with-newline}\nCách dùng: {usage}\n");
    if cmd.has_subcommands() {
        template.push_str("\nLệnh:\n{subcommands}\n");
    }
    if cmd.get_positionals().next().is_some() {
        template.push_str("\nTham số:\n{positionals}\n");
    }
    template.push_str("\nTùy chọn:\n{options}{after-help}");
    template
}

fn localise_command(cmd: Command, path: &str, top: bool) -> Command {
    let mut cmd = cmd
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .mut_args(localise_arg)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("In hướng dẫn này"),
        );
    if top {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("In số phiên bản"),
        );
    }
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subcommands {
        let sub_path = format!("{path} {name}");
        cmd = cmd.mut_subcommand(name, |sub| localise_command(sub, &sub_path, false));
    }
    let line = usage(&cmd, path);
    let template = template(&cmd);
    cmd.override_usage(line)
        .help_template(template)
        .subcommand_value_name("LỆNH")
        .subcommand_help_heading("Lệnh")
}

/// The derived command, in Vietnamese.
pub fn localise(cmd: Command) -> Command {
    let name = cmd.get_name().to_string();
    localise_command(cmd, &name, true).after_help(format!(
        "\nGõ `{name} LỆNH --help` để xem hướng dẫn của từng lệnh, ví dụ `{name} new --help`."
    ))
}

fn text(error: &clap::Error, kind: ContextKind) -> Option<String> {
    match error.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) if !v.is_empty() => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) if !v.is_empty() => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The id of the argument written as `--port <CỔNG>` (or `<LOẠI>`), looked up in `cmd` and
/// its subcommands.
fn arg_id(cmd: &Command, shown: &str) -> Option<String> {
    let long = shown
        .strip_prefix("--")
        .map(|s| s.split([' ', '=']).next().unwrap_or(s));
    let found = cmd.get_arguments().find(|a| match long {
        Some(long) => a.get_long() == Some(long),
        None => a
            .get_value_names()
            .and_then(|n| n.first())
            .is_some_and(|n| shown.contains(n.as_str())),
    });
    match found {
        Some(arg) => Some(arg.get_id().to_string()),
        None => cmd.get_subcommands().find_map(|s| arg_id(s, shown)),
    }
}

/// What `main` prints for a failed parse, and the exit code. Help and version requests are
/// not failures: they print clap's (localised) text and exit 0.
pub struct Rendered {
    pub text: String,
    pub to_stdout: bool,
    pub code: i32,
}

/// The subcommand named in `args` (the command line without the program name), with the
/// words that call it; `cmd` itself when there is none.
fn called<'c>(cmd: &'c Command, args: &[String]) -> (&'c Command, String) {
    let mut current = cmd;
    let mut path = cmd.get_name().to_string();
    for arg in args {
        if let Some(sub) = current.find_subcommand(arg) {
            path = format!("{path} {}", sub.get_name());
            current = sub;
        }
    }
    (current, path)
}

/// Renders a parse error of the command made by [`localise`] in Vietnamese; `args` is the
/// command line without the program name.
pub fn render(error: &clap::Error, cmd: &Command, args: &[String]) -> Rendered {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            return Rendered {
                text: error.render().to_string(),
                to_stdout: true,
                code: 0,
            };
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return Rendered {
                text: error.render().to_string(),
                to_stdout: false,
                code: USAGE_EXIT,
            };
        }
        // `datto help` (clap's help subcommand is off: it is English).
        ErrorKind::InvalidSubcommand
            if text(error, ContextKind::InvalidSubcommand).as_deref() == Some("help") =>
        {
            return Rendered {
                text: cmd.clone().render_help().to_string(),
                to_stdout: true,
                code: 0,
            };
        }
        _ => {}
    }
    let (sub, path) = called(cmd, args);
    let invalid = text(error, ContextKind::InvalidArg).unwrap_or_default();
    let value = text(error, ContextKind::InvalidValue).unwrap_or_default();
    let id = arg_id(cmd, &invalid);
    let (message, hint) = match error.kind() {
        ErrorKind::UnknownArgument => (
            format!("không hiểu `{invalid}`"),
            text(error, ContextKind::SuggestedArg)
                .map(|s| format!("có phải ý bạn là `{s}`?"))
                .or_else(|| {
                    invalid
                        .starts_with('-')
                        .then(|| format!("gõ `{path} --help` để xem các tùy chọn"))
                })
                .or_else(|| Some("giá trị có dấu cách thì đặt trong ngoặc kép".into())),
        ),
        ErrorKind::InvalidSubcommand => {
            let name = text(error, ContextKind::InvalidSubcommand).unwrap_or_default();
            let all: Vec<&str> = sub.get_subcommands().map(|s| s.get_name()).collect();
            (
                format!("không có lệnh `{name}`"),
                Some(match text(error, ContextKind::SuggestedSubcommand) {
                    Some(s) => format!("có phải ý bạn là `{s}`?"),
                    None => format!("các lệnh: {}", all.join(", ")),
                }),
            )
        }
        ErrorKind::MissingSubcommand => {
            let all: Vec<&str> = sub.get_subcommands().map(|s| s.get_name()).collect();
            (
                "thiếu tên lệnh".to_string(),
                Some(format!("các lệnh: {}", all.join(", "))),
            )
        }
        ErrorKind::MissingRequiredArgument => (
            format!("còn thiếu {invalid}"),
            Some("thêm các tham số đó, giá trị có dấu cách đặt trong ngoặc kép".into()),
        ),
        ErrorKind::InvalidValue if value.is_empty() => (
            format!("{invalid} cần một giá trị"),
            text(error, ContextKind::ValidValue).map(|v| format!("một trong: {v}")),
        ),
        ErrorKind::InvalidValue => (
            format!("giá trị `{value}` không hợp lệ cho {invalid}"),
            {
                // The suggestion alone would hide the other choices: give both.
                let all = text(error, ContextKind::ValidValue).map(|v| format!("một trong: {v}"));
                match (text(error, ContextKind::SuggestedValue), all) {
                    (Some(s), Some(all)) => Some(format!("có phải ý bạn là `{s}`? ({all})")),
                    (Some(s), None) => Some(format!("có phải ý bạn là `{s}`?")),
                    (None, all) => all,
                }
            },
        ),
        ErrorKind::ValueValidation => (
            format!("giá trị `{value}` không hợp lệ cho {invalid}"),
            id.as_deref().and_then(value_hint).map(str::to_string),
        ),
        ErrorKind::ArgumentConflict => (
            match text(error, ContextKind::PriorArg) {
                Some(prior) => format!("không dùng {invalid} cùng với {prior}"),
                None => format!("không dùng {invalid} ở đây"),
            },
            None,
        ),
        ErrorKind::NoEquals => (
            format!("{invalid} cần dấu `=` trước giá trị"),
            Some(format!(
                "ghi `{}=…`",
                invalid.split(' ').next().unwrap_or("")
            )),
        ),
        ErrorKind::TooManyValues => (format!("thừa giá trị `{value}` cho {invalid}"), None),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            (format!("số giá trị cho {invalid} không đúng"), None)
        }
        ErrorKind::InvalidUtf8 => (
            "tham số có ký tự không phải UTF-8".to_string(),
            Some("gõ lại tham số, hoặc đổi tên tệp".into()),
        ),
        _ => ("tham số dòng lệnh không hợp lệ".to_string(), None),
    };
    let usage = usage(sub, &path);
    let mut out = format!("lỗi: {message}");
    if let Some(hint) = hint {
        out.push_str(&format!(" (gợi ý: {hint})"));
    }
    out.push_str(&format!(
        "\n\nCách dùng: {usage}\nGõ `{path} --help` để xem hướng dẫn.\n"
    ));
    Rendered {
        text: out,
        to_stdout: false,
        code: USAGE_EXIT,
    }
}
