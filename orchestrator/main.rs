use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

// Reading a large domains.yaml is allocation-heavy; mimalloc makes `validate` and `matrix` on
// 30,000 accounts about a fifth faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    orchestrator::console::install_panic_hook();
    // Started as the guard of one terraform process (`runner::parent_death`): nothing else.
    if let Some(code) = orchestrator::runner::guard_main() {
        std::process::exit(code);
    }
    // Every terraform is started through this same binary as its guard.
    if let Ok(binary) = std::env::current_exe() {
        orchestrator::runner::enable_guard(binary);
    }
    let cli = match orchestrator::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    // `target=level` directives (`Targets`, not `EnvFilter`: no regex engine in the binary).
    // Progress lines (CI, pipes) are info; everything else only when it matters.
    let filter = std::env::var("ORCHESTRATOR_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| {
            Targets::new()
                .with_default(LevelFilter::WARN)
                .with_target("orchestrator::progress", LevelFilter::INFO)
        });
    // Log messages carry account names, terraform's error lines and SDK errors: each field is
    // neutralised as it is formatted (`console`), the timestamp and level around it are ours.
    let fields = tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
        let text = format!("{value:?}");
        let text = orchestrator::github_actions::neutralise(&text);
        if field.name() == "message" {
            write!(writer, "{text}")
        } else {
            write!(writer, "{}={text}", field.name())
        }
    })
    .delimited(" ");
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(fields)
                // A lost stderr must never panic or stop the run (see `console`).
                .with_writer(|| orchestrator::console::StderrSink)
                // NO_COLOR and TERM=dumb are honoured (`terminal`).
                .with_ansi(orchestrator::terminal::Terminal::stderr().colour()),
        )
        .with(filter)
        .init();
    match orchestrator::commands::dispatch(cli) {
        Ok(exit) => exit.into(),
        Err(err) => {
            orchestrator::console::stderr_line(&err.report().to_string());
            err.exit().into()
        }
    }
}

/// clap's answer to bad arguments quotes them: it goes through `console` like any data.
/// `--help` and `--version` are printed as clap renders them.
fn clap_exit(error: &clap::Error) -> ExitCode {
    if !error.use_stderr() {
        // `--help` and `--version`: our own text, with clap's colours on a terminal.
        #[allow(clippy::disallowed_methods)]
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    orchestrator::console::stderr_text(&error.render().to_string());
    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
}
