//! `orchestrator summary` against 500 plan JSONs of about 1 MB each, next to a `jq` pipeline
//! that only counts actions per file, and its peak memory for 50 and 500 files.
//!
//!   cargo bench --bench summary
//!
//! It also summarises corpora of 130, 500 and 900 plans in the three layouts (runner
//! `<account>/<layer>.json`, `<account>.json`, flat `plan-NNNN.json`), one in two destroying,
//! and prints the comment's size, how many destroyed addresses it names and the time; then
//! 900 plans whose destroys alone exceed the limit (shared by every account, then all
//! different), and how the comment writes them (grouped by address, counted per account).
//! `SUMMARY_BENCH=layouts` runs only that part.
//!
//! Needs `jq` and `/usr/bin/time` (GNU time, for the peak resident memory of each command).
//! Figures go in benches/README.md.

// a bench prints its figures; it is not the orchestrator's output.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FILES: usize = 500;
const FEW_FILES: usize = 50;
/// Resources per plan; with before/after, planned values, prior state and configuration
/// this makes a plan of about 1 MB.
const RESOURCES: usize = 195;
const LAYERS: [&str; 3] = ["platform", "static", "dynamic"];

fn main() {
    layouts();
    if std::env::var("SUMMARY_BENCH").as_deref() == Ok("layouts") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let many = dir.path().join("many");
    let few = dir.path().join("few");
    let quiet_many = dir.path().join("quiet-many");
    let quiet_few = dir.path().join("quiet-few");
    let bytes = write_corpus(&many, FILES, true);
    write_corpus(&few, FEW_FILES, true);
    write_corpus(&quiet_many, FILES, false);
    write_corpus(&quiet_few, FEW_FILES, false);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "corpus: {FILES} plans, {:.0} MB ({:.2} MB per plan)",
        megabytes(bytes),
        megabytes(bytes) / f64::from(u32::try_from(FILES).expect("500 files"))
    );

    let orchestrator = PathBuf::from(env!("CARGO_BIN_EXE_orchestrator"));
    let summary = |corpus: &Path| {
        let mut command = Command::new(&orchestrator);
        command
            .arg("summary")
            .arg(corpus)
            .env_remove("GITHUB_STEP_SUMMARY");
        command
    };
    let files = plan_paths(&many);
    let jq = || {
        let mut command = Command::new("jq");
        command.arg("-c").arg(JQ_FILTER).args(&files);
        command
    };
    // The same filter, one jq per 25 files, as many at once as there are cores.
    let list = dir.path().join("files.txt");
    std::fs::write(
        &list,
        files
            .iter()
            .map(|f| format!("{}\n", f.display()))
            .collect::<String>(),
    )
    .unwrap();
    let jq_parallel = || {
        let mut command = Command::new("xargs");
        command.arg("-a").arg(&list).args([
            "-P",
            &cores.to_string(),
            "-n",
            "25",
            "jq",
            "-c",
            JQ_FILTER,
        ]);
        command
    };

    let (ours, ours_rss) = measure(summary(&many));
    let (theirs, theirs_rss) = measure(jq());
    let (theirs_parallel, _) = measure(jq_parallel());
    let (_, few_rss) = measure(summary(&few));
    let (_, quiet_rss) = measure(summary(&quiet_many));
    let (_, quiet_few_rss) = measure(summary(&quiet_few));
    println!(
        "orchestrator summary, {FILES} files: {:.2} s, peak RSS {} KiB",
        ours.as_secs_f64(),
        ours_rss
    );
    println!(
        "jq pipeline,          {FILES} files: {:.2} s, peak RSS {} KiB",
        theirs.as_secs_f64(),
        theirs_rss
    );
    println!(
        "jq pipeline, {cores} at once, {FILES} files: {:.2} s",
        theirs_parallel.as_secs_f64()
    );
    println!(
        "ratio: orchestrator is {:.1}x faster than one jq, {:.1}x faster than {cores} jq at once",
        theirs.as_secs_f64() / ours.as_secs_f64(),
        theirs_parallel.as_secs_f64() / ours.as_secs_f64()
    );
    println!("peak RSS, plans with changes: {FEW_FILES} files {few_rss} KiB, {FILES} files {ours_rss} KiB");
    println!("peak RSS, plans without changes: {FEW_FILES} files {quiet_few_rss} KiB, {FILES} files {quiet_rss} KiB");
}

/// Counts the actions of every resource change, per file.
const JQ_FILTER: &str = r#"{file: input_filename, actions: ([.resource_changes[]?.change.actions | join(",")] | group_by(.) | map({key: .[0], value: length}) | from_entries)}"#;

/// Runs `command` under GNU time once: wall time and peak resident memory (KiB).
fn measure(command: Command) -> (Duration, u64) {
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("maxrss=%M")
        .arg(command.get_program())
        .args(command.get_args())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    let start = Instant::now();
    let output = timed.output().expect("run /usr/bin/time");
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{:?} failed: {stderr}",
        command.get_program()
    );
    let rss = stderr
        .lines()
        .find_map(|line| line.strip_prefix("maxrss="))
        .and_then(|kib| kib.trim().parse().ok())
        .expect("GNU time prints maxrss");
    (elapsed, rss)
}

fn plan_paths(corpus: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for account in std::fs::read_dir(corpus).unwrap() {
        for plan in std::fs::read_dir(account.unwrap().path()).unwrap() {
            paths.push(plan.unwrap().path());
        }
    }
    paths.sort();
    paths
}

/// `count` plans as `<account>/<layer>.json` (with a few changes each, or none); returns
/// the bytes written.
fn write_corpus(dir: &Path, count: usize, changes: bool) -> u64 {
    let mut bytes = 0;
    for i in 0..count {
        let account = format!("domain{:03}-{}", i / 9, ["dev", "stage", "prod"][i / 3 % 3]);
        let layer = LAYERS[i % 3];
        let path = dir.join(&account).join(format!("{layer}.json"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let plan = plan_json(i, changes);
        bytes += plan.len() as u64;
        std::fs::write(&path, plan).unwrap();
    }
    bytes
}

/// A plan shaped like `terraform show -json` output of an AWS layer: most resources
/// unchanged, a few created, updated, replaced or deleted.
fn plan_json(seed: usize, changes_wanted: bool) -> String {
    let mut changes = String::new();
    let mut planned = String::new();
    let mut prior = String::new();
    let mut config = String::new();
    for r in 0..RESOURCES {
        let address = format!("module.service[\"svc-{r}\"].aws_iam_role_policy.this");
        let actions = match (seed + r) % 40 {
            _ if !changes_wanted => r#"["no-op"]"#,
            0 => r#"["create"]"#,
            1 => r#"["update"]"#,
            2 => r#"["delete","create"]"#,
            3 if seed.is_multiple_of(5) => r#"["delete"]"#,
            _ => r#"["no-op"]"#,
        };
        let values = resource_values(seed, r);
        let sep = if r == 0 { "" } else { "," };
        write!(
            changes,
            r#"{sep}{{"address":"{a}","module_address":"module.service[\"svc-{r}\"]","mode":"managed","type":"aws_iam_role_policy","name":"this","provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":{actions},"before":{values},"after":{values},"after_unknown":{{}},"before_sensitive":{{"tags":{{}}}},"after_sensitive":{{"tags":{{}}}}}}}}"#,
            a = json_escape(&address)
        )
        .unwrap();
        write!(
            planned,
            r#"{sep}{{"address":"{a}","mode":"managed","type":"aws_iam_role_policy","name":"this","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{values},"sensitive_values":{{"tags":{{}}}}}}"#,
            a = json_escape(&address)
        )
        .unwrap();
        write!(
            prior,
            r#"{sep}{{"address":"{a}","mode":"managed","type":"aws_iam_role_policy","name":"this","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{values},"sensitive_values":{{}}}}"#,
            a = json_escape(&address)
        )
        .unwrap();
        write!(
            config,
            r#"{sep}{{"address":"aws_iam_role_policy.this","mode":"managed","type":"aws_iam_role_policy","name":"this","provider_config_key":"aws","expressions":{{"name":{{"references":["var.name"]}},"policy":{{"references":["data.aws_iam_policy_document.this.json"]}}}},"schema_version":0}}"#
        )
        .unwrap();
    }
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.11.4","variables":{{"account_name":{{"value":"acct-{seed}"}}}},"planned_values":{{"root_module":{{"resources":[{planned}]}}}},"resource_changes":[{changes}],"output_changes":{{"role_arn":{{"actions":["no-op"],"before":"x","after":"x","after_unknown":false,"before_sensitive":false,"after_sensitive":false}}}},"prior_state":{{"format_version":"1.0","terraform_version":"1.11.4","values":{{"root_module":{{"resources":[{prior}]}}}}}},"configuration":{{"provider_config":{{"aws":{{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws"}}}},"root_module":{{"resources":[{config}]}}}},"relevant_attributes":[],"timestamp":"2025-01-01T00:00:00Z","applyable":true,"complete":true,"errored":false}}"#
    )
}

/// The attributes of one resource: a JSON policy as a string (as the AWS provider stores
/// it), tags, and a few scalars.
fn resource_values(seed: usize, r: usize) -> String {
    let mut statements = String::new();
    for s in 0..4 {
        let sep = if s == 0 { "" } else { "," };
        write!(
            statements,
            r#"{sep}{{\"Sid\":\"Allow{s}\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\",\"kms:Decrypt\"],\"Resource\":[\"arn:aws:s3:::bucket-{seed}-{r}/*\",\"arn:aws:kms:eu-west-1:123456789012:key/{r:08}\"]}}"#
        )
        .unwrap();
    }
    format!(
        r#"{{"id":"role-{seed}-{r}:policy","name":"policy-{r}","name_prefix":"","role":"role-{seed}-{r}","policy":"{{\"Version\":\"2012-10-17\",\"Statement\":[{statements}]}}","tags":{{"team":"platform","account":"acct-{seed}","layer":"static"}}}}"#
    )
}

fn json_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[derive(Clone, Copy, Debug)]
enum Layout {
    Runner,
    PerAccount,
    Flat,
}

/// Comment size, destroyed addresses named and time for each layout and corpus size.
fn layouts() {
    let orchestrator = PathBuf::from(env!("CARGO_BIN_EXE_orchestrator"));
    println!("| layout | plans | destroyed addresses | named in the comment | comment characters | time |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for layout in [Layout::Runner, Layout::PerAccount, Layout::Flat] {
        for plans in [130, 500, 900] {
            let dir = tempfile::tempdir().expect("temp dir");
            let destroyed = layout_corpus(dir.path(), plans, layout);
            let start = Instant::now();
            let out = Command::new(&orchestrator)
                .arg("summary")
                .arg(dir.path())
                .env_remove("GITHUB_STEP_SUMMARY")
                .output()
                .expect("run orchestrator");
            let elapsed = start.elapsed();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let comment = String::from_utf8(out.stdout).expect("utf-8");
            let named = destroyed
                .iter()
                .filter(|(account, address)| {
                    comment.contains(address.as_str()) && comment.contains(account.as_str())
                })
                .count();
            println!(
                "| {layout:?} | {plans} | {} | {named} | {} | {:.2} s |",
                destroyed.len(),
                comment.encode_utf16().count(),
                elapsed.as_secs_f64()
            );
        }
    }
    heavy_destroys(&orchestrator);
    failed_plans(&orchestrator);
    many_destroying(&orchestrator);
}

/// 1,100 per-account plans with long names, each destroying or replacing one bucket: even a
/// count per account is over the limit.
fn many_destroying(orchestrator: &Path) {
    println!();
    println!(
        "| plans | destroying accounts | accounts named | lines | comment characters | time |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let plans = 1_100;
    let dir = tempfile::tempdir().expect("temp dir");
    let names: Vec<String> = (0..plans)
        .map(|i| format!("workload-{i:04}-eu-west-1-production-platform"))
        .collect();
    for (i, name) in names.iter().enumerate() {
        let actions = if i % 2 == 0 {
            r#"["delete"]"#
        } else {
            r#"["delete","create"]"#
        };
        let plan = format!(
            r#"{{"format_version":"1.2","planned_values":{{}},"resource_changes":[{{"address":"aws_s3_bucket.own[\"{name}\"]","change":{{"actions":{actions}}}}}]}}"#
        );
        std::fs::write(dir.path().join(format!("{name}.json")), plan).expect("write plan");
    }
    let start = Instant::now();
    let out = Command::new(orchestrator)
        .arg("summary")
        .arg(dir.path())
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run orchestrator");
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let comment = String::from_utf8(out.stdout).expect("utf-8");
    let section = comment
        .split("### Destroys and replacements")
        .nth(1)
        .and_then(|rest| rest.split("\n### ").next())
        .unwrap_or_default();
    let named = names
        .iter()
        .filter(|n| section.contains(&format!("**{n}**")))
        .count();
    let lines = section.lines().filter(|l| l.starts_with("- ")).count();
    println!(
        "| {plans} | {plans} | {named} | {lines} | {} | {:.2} s |",
        comment.encode_utf16().count(),
        elapsed.as_secs_f64()
    );
}

/// 900 flat plans that terraform could not finish (expired credentials), one in two with a
/// partial destroy: each failed plan and each destroy named, or how many.
fn failed_plans(orchestrator: &Path) {
    println!();
    println!("| plans | failed | named failed | destroyed addresses | named | comment characters | time |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let plans = 900;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut destroyed = Vec::new();
    for i in 0..plans {
        let name = format!("workload-{i:04}-eu-west-1-production");
        let changes = if i % 2 == 0 {
            let address = format!("module.legacy.aws_s3_bucket.archive[\"{name}\"]");
            destroyed.push((name.clone(), address.clone()));
            format!(
                r#"{{"address":"{}","change":{{"actions":["delete"]}}}}"#,
                json_escape(&address)
            )
        } else {
            String::new()
        };
        let plan = format!(
            r#"{{"format_version":"1.2","terraform_version":"1.11.4","errored":true,"complete":false,"planned_values":{{}},"resource_changes":[{changes}],"diagnostics":[{{"severity":"error","summary":"No valid credential sources found","detail":"Please see https://registry.terraform.io/providers/hashicorp/aws for more information about providing credentials."}}]}}"#
        );
        std::fs::write(dir.path().join(format!("{name}.json")), plan).expect("write plan");
    }
    let start = Instant::now();
    let out = Command::new(orchestrator)
        .arg("summary")
        .arg(dir.path())
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run orchestrator");
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let comment = String::from_utf8(out.stdout).expect("utf-8");
    let failed = comment
        .split("### Failed plans")
        .nth(1)
        .and_then(|rest| rest.split("\n### ").next())
        .unwrap_or_default();
    let named_failed = (0..plans)
        .filter(|i| failed.contains(&format!("**workload-{i:04}-eu-west-1-production**")))
        .count();
    let named = destroyed
        .iter()
        .filter(|(account, address)| {
            comment.contains(address.as_str()) && comment.contains(account.as_str())
        })
        .count();
    println!(
        "| {plans} | {plans} | {named_failed} | {} | {named} | {} | {:.2} s |",
        destroyed.len(),
        comment.encode_utf16().count(),
        elapsed.as_secs_f64()
    );
}

/// 900 runner-layout plans whose destroys alone exceed the limit: how the comment names them.
fn heavy_destroys(orchestrator: &Path) {
    println!();
    println!("| destroys | plans | destroyed addresses | written as | (account, address) pairs named | comment characters | time |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for shape in [Destroys::Shared, Destroys::Unique] {
        let plans = 900;
        let dir = tempfile::tempdir().expect("temp dir");
        let destroyed = corpus_with(dir.path(), plans, Layout::Runner, shape);
        let start = Instant::now();
        let out = Command::new(orchestrator)
            .arg("summary")
            .arg(dir.path())
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .expect("run orchestrator");
        let elapsed = start.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let comment = String::from_utf8(out.stdout).expect("utf-8");
        let section = comment
            .split("### Destroys and replacements")
            .nth(1)
            .and_then(|rest| rest.split("\n### ").next())
            .unwrap_or_default();
        let written = if comment.contains("(counted per account)") {
            "counted per account"
        } else if section.lines().any(|l| {
            l.strip_prefix("- ")
                .is_some_and(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        }) {
            // "- 150 accounts: **a**, ..." then the addresses they share.
            "grouped by address"
        } else {
            "under each account"
        };
        let named = destroyed
            .iter()
            .filter(|(account, address)| {
                section.lines().any(|l| l.contains(address.as_str()))
                    && section.contains(&format!("**{account}**"))
            })
            .count();
        println!(
            "| {shape:?} | {plans} | {} | {written} | {named} | {} | {:.2} s |",
            destroyed.len(),
            comment.encode_utf16().count(),
            elapsed.as_secs_f64()
        );
    }
}

/// The corpus of tests/summary/corpus.rs `layout_corpus`: (account, address) destroyed.
fn layout_corpus(dir: &Path, plans: usize, layout: Layout) -> Vec<(String, String)> {
    corpus_with(dir, plans, layout, Destroys::Light)
}

/// What the destroying plans (one in two) destroy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Destroys {
    /// Its own bucket; every third also replaces `aws_kms_key.main`.
    Light,
    /// Six addresses of a module removed everywhere, and its own bucket: naming them under
    /// each account is far over the limit, grouped by address it fits.
    Shared,
    /// Eight buckets of its own: even grouped they are over the limit, so they are counted.
    Unique,
}

fn corpus_with(dir: &Path, plans: usize, layout: Layout, shape: Destroys) -> Vec<(String, String)> {
    let mut destroyed = Vec::new();
    for i in 0..plans {
        let name = |n: usize| format!("domain{:03}-{}", n / 3, ["dev", "stage", "prod"][n % 3]);
        let (account, layer, path) = match layout {
            Layout::Runner => {
                let account = name(i / 3);
                let layer = LAYERS[i % 3];
                let path = dir.join(&account).join(format!("{layer}.json"));
                (account, layer, path)
            }
            Layout::PerAccount => {
                let account = name(i);
                let path = dir.join(format!("{account}.json"));
                (account, "plan", path)
            }
            Layout::Flat => {
                let account = format!("plan-{i:04}");
                let path = dir.join(format!("{account}.json"));
                (account, "plan", path)
            }
        };
        let mut changes = Vec::new();
        for r in 0..6 {
            let actions = ["[\"create\"]", "[\"update\"]", "[\"no-op\"]"][r % 3];
            changes.push((
                format!("module.service[\"{account}-{r}\"].aws_s3_bucket.artifacts[\"{layer}\"]"),
                actions,
            ));
        }
        let own =
            |n: usize| format!("module.legacy.aws_s3_bucket.archive[\"{account}-{layer}-{n}\"]");
        match shape {
            _ if i % 2 == 1 => {}
            Destroys::Light => {
                let own = format!("module.legacy.aws_s3_bucket.archive[\"{account}-{layer}\"]");
                changes.push((own.clone(), "[\"delete\"]"));
                destroyed.push((account.clone(), own));
                if i % 3 == 0 {
                    changes.push(("aws_kms_key.main".into(), "[\"create\",\"delete\"]"));
                    destroyed.push((account.clone(), "aws_kms_key.main".into()));
                }
            }
            Destroys::Shared => {
                for n in 0..6 {
                    let shared =
                        format!("module.legacy_logging.aws_cloudwatch_log_group.service[\"{n}\"]");
                    changes.push((shared.clone(), "[\"delete\"]"));
                    destroyed.push((account.clone(), shared));
                }
                changes.push((own(0), "[\"delete\"]"));
                destroyed.push((account.clone(), own(0)));
            }
            Destroys::Unique => {
                for n in 0..8 {
                    changes.push((own(n), "[\"delete\"]"));
                    destroyed.push((account.clone(), own(n)));
                }
            }
        }
        let mut json =
            String::from(r#"{"format_version":"1.2","planned_values":{},"resource_changes":["#);
        for (n, (address, actions)) in changes.iter().enumerate() {
            if n > 0 {
                json.push(',');
            }
            let _ = write!(
                json,
                r#"{{"address":"{}","change":{{"actions":{actions},"before":{{}},"after":{{}}}}}}"#,
                json_escape(address)
            );
        }
        json.push_str("]}");
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, json).expect("write plan");
    }
    destroyed
}

/// Bytes as megabytes for a printed figure; through u32 (the corpus is hundreds of MB), so
/// the conversion to f64 is exact.
fn megabytes(bytes: u64) -> f64 {
    f64::from(u32::try_from(bytes).expect("under 4 GB")) / 1e6
}
