//! `orchestrator completions <shell>` and `orchestrator manpage` come from the clap
//! definitions, so they must name the real subcommands.

use crate::support::cli::orchestrator as orchestrator_cli;

fn orchestrator(args: &[&str]) -> String {
    let run = orchestrator_cli()
        .args(args)
        // Neither command reads the configuration; a missing file must not matter.
        .env("ORCHESTRATOR_CONFIG", "/nonexistent/domains.yaml")
        .run();
    run.expect_success();
    run.stdout
}

#[test]
fn bash_completion_offers_the_subcommands_and_their_flags() {
    let script = orchestrator(&["completions", "bash"]);
    assert!(
        script.contains("complete -F"),
        "not a bash completion script:\n{script}"
    );
    for word in [
        "deploy",
        "validate",
        "matrix",
        "preflight",
        "completions",
        "manpage",
        "--changed-since",
    ] {
        assert!(
            script.contains(word),
            "bash completion does not mention {word}"
        );
    }
}

#[test]
fn every_listed_shell_gets_a_script() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = orchestrator(&["completions", shell]);
        assert!(
            script.contains("deploy"),
            "{shell} completion does not mention deploy"
        );
    }
}

#[test]
fn an_unknown_shell_is_refused_with_the_choices() {
    orchestrator_cli()
        .args(["completions", "tcsh"])
        .run()
        .expect_code(2)
        .expect_stderr_contains("bash")
        .expect_stderr_contains("zsh");
}

#[test]
fn manpage_is_roff_naming_the_binary_and_its_subcommands() {
    let page = orchestrator(&["manpage"]);
    assert!(
        page.starts_with(".ie") || page.contains("\n.TH "),
        "not roff:\n{page}"
    );
    assert!(
        page.contains(".TH orchestrator 1"),
        "no title header for orchestrator(1):\n{page}"
    );
    assert!(
        page.contains(".SH SUBCOMMANDS") || page.contains("deploy"),
        "{page}"
    );
    assert!(page.contains("deploy") && page.contains("validate"));
}

/// `orchestrator --version` names exactly which binary ran (README, Quick start): the
/// package version, the commit it was built from (12 hex digits; `unknown` outside a git
/// checkout) and the target triple, in the form the release workflow prints before packing.
#[test]
fn version_names_the_release_the_commit_and_the_target() {
    let printed = orchestrator(&["--version"]);
    let form = regex::Regex::new(
        r"^orchestrator (\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?) \(commit ([0-9a-f]{12}|unknown), target ([a-z0-9_]+(?:-[a-z0-9_]+){2,3})\)\n$",
    )
    .unwrap();
    let parts = form.captures(&printed).unwrap_or_else(|| {
        panic!("not `orchestrator <version> (commit <sha>, target <triple>)`: {printed:?}")
    });
    assert_eq!(&parts[1], env!("CARGO_PKG_VERSION"));
    assert!(
        parts[3].starts_with(&format!("{}-", std::env::consts::ARCH)),
        "{printed}"
    );
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    assert!(parts[3].contains(os), "{printed}");
    // Built in this checkout (and not stamped by ORCHESTRATOR_COMMIT): its HEAD.
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|h| h.status.success());
    if let Some(head) = head {
        if std::env::var_os("ORCHESTRATOR_COMMIT").is_none() {
            assert_eq!(
                &parts[2],
                String::from_utf8_lossy(&head.stdout).trim(),
                "{printed}"
            );
        }
    }
}
