//! The import graph of `orchestrator/`, read from the source: every `use` and every inline
//! `crate::`/`super::` path, outside `#[cfg(test)]` code. It must have no cycle between
//! files or between top-level modules, and the one-way arrows of ARCHITECTURE.md must hold
//! (`events` and `rules` at the bottom, the runner never reaching the report, ...).
//!
//! Run it alone with `cargo test --test integration architecture::`; a failure names the offending edge
//! or cycle, file by file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path inside the crate: `["runner", "layer"]`.
type ModPath = Vec<String>;

struct Crate {
    /// Module path -> file, for every file of the library.
    files: BTreeMap<ModPath, PathBuf>,
    /// `pub use` re-exports of each module: name -> the path it names.
    reexports: BTreeMap<ModPath, BTreeMap<String, ModPath>>,
    /// Module -> the modules its code uses (re-exports excluded).
    uses: BTreeMap<ModPath, BTreeSet<ModPath>>,
}

/// The source read: this crate's, or another checkout's `orchestrator/` named by
/// `ARCHITECTURE_SOURCE` (to see what the graph of an older tree looked like).
fn root() -> PathBuf {
    std::env::var_os("ARCHITECTURE_SOURCE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("orchestrator"),
        PathBuf::from,
    )
}

fn module_path(file: &Path) -> ModPath {
    let rel = file.strip_prefix(root()).unwrap().with_extension("");
    let mut parts: ModPath = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its inline test module (by convention the file's end): the
/// file is cut at `#[cfg(test)]` only when a `mod` follows it. A test-only item elsewhere
/// (a const, a function) is kept, so no code after it is lost to the graph.
fn code(text: &str) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = text.lines().collect();
    for (at, line) in lines.iter().enumerate() {
        if line.trim() == "#[cfg(test)]" && starts_a_module(&lines[at + 1..]) {
            break;
        }
        // Comments name modules in prose; they are not imports.
        let line = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Whether the next item in `lines` (after blank lines and other attributes) is an inline
/// `mod name {`.
fn starts_a_module(lines: &[&str]) -> bool {
    let item = lines
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty() && !l.starts_with("#["));
    item.is_some_and(|item| {
        let item = item
            .strip_prefix("pub(crate) ")
            .or_else(|| item.strip_prefix("pub "))
            .unwrap_or(item);
        item.starts_with("mod ") && !item.ends_with(';')
    })
}

/// `use` statements: (is `pub use`, the statement's tree text).
fn use_statements(code: &str) -> Vec<(bool, String)> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = find_use(rest) {
        let (is_pub, start) = at;
        let end = rest[start..].find(';').map_or(rest.len(), |e| start + e);
        found.push((
            is_pub,
            rest[start..end].split_whitespace().collect::<String>(),
        ));
        rest = &rest[end..];
    }
    found
}

/// The next `use ` at the start of a statement; returns (is pub, offset of the tree).
fn find_use(text: &str) -> Option<(bool, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        for (prefix, is_pub) in [
            ("use ", false),
            ("pub use ", true),
            ("pub(crate) use ", true),
        ] {
            if trimmed.starts_with(prefix) {
                return Some((is_pub, offset + indent + prefix.len()));
            }
        }
        offset += line.len();
    }
    None
}

/// `a::{b, c::{d, e}}` -> `a::b`, `a::c::d`, `a::c::e` (aliases dropped).
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        return vec![path.split("as").next().unwrap_or(path).to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap()];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(expand)
        .map(|p| {
            if p == "self" {
                prefix.trim_end_matches("::").to_string()
            } else {
                format!("{prefix}{p}")
            }
        })
        .collect()
}

/// Inline `crate::a::b` and `super::a` paths outside `use` statements.
fn inline_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for start in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            let tail = &rest[at..];
            let len = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                found.push(tail[..len].trim_end_matches(':').to_string());
            }
            rest = &tail[len.max(1)..];
        }
    }
    found
}

impl Crate {
    fn read() -> Self {
        let mut files = Vec::new();
        walk(&root(), &mut files);
        files.retain(|f| !f.ends_with("main.rs"));
        let mut krate = Crate {
            files: files.iter().map(|f| (module_path(f), f.clone())).collect(),
            reexports: BTreeMap::new(),
            uses: BTreeMap::new(),
        };
        let mut raw: BTreeMap<ModPath, Vec<String>> = BTreeMap::new();
        for file in &files {
            let module = module_path(file);
            let code = code(&std::fs::read_to_string(file).unwrap());
            let mut paths = Vec::new();
            for (is_pub, tree) in use_statements(&code) {
                for path in expand(&tree) {
                    let absolute = krate.absolute(&module, &path);
                    if is_pub {
                        let name = path.rsplit("::").next().unwrap().to_string();
                        if let Some(target) = absolute {
                            krate
                                .reexports
                                .entry(module.clone())
                                .or_default()
                                .insert(name, target);
                        }
                    } else {
                        paths.push(path);
                    }
                }
            }
            let without_uses: String = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("use ") && !l.contains(" use "))
                .collect::<Vec<_>>()
                .join("\n");
            paths.extend(inline_paths(&without_uses));
            raw.insert(module, paths);
        }
        for (module, paths) in raw {
            let targets: BTreeSet<ModPath> = paths
                .iter()
                .filter_map(|p| krate.absolute(&module, p))
                .map(|p| krate.defining_file(&p))
                .filter(|t| *t != module)
                .collect();
            krate.uses.insert(module, targets);
        }
        krate
    }

    /// `crate::`, `super::` and `self::` paths made absolute; `None` for other crates.
    fn absolute(&self, module: &ModPath, path: &str) -> Option<ModPath> {
        let mut parts = path.split("::").filter(|p| !p.is_empty());
        let mut base: ModPath = match parts.next()? {
            "crate" => Vec::new(),
            "self" => module.clone(),
            "super" => {
                let mut m = module.clone();
                m.pop();
                m
            }
            // A child module named without a prefix (2018 paths inside a module's own file).
            first
                if self
                    .files
                    .contains_key(&[module.clone(), vec![first.into()]].concat()) =>
            {
                [module.clone(), vec![first.to_string()]].concat()
            }
            _ => return None,
        };
        for part in parts {
            if part == "super" {
                base.pop();
            } else {
                base.push(part.to_string());
            }
        }
        Some(base)
    }

    /// The file that defines what `path` names: the deepest module on the path, with names
    /// that module only re-exports followed to where they are defined.
    fn defining_file(&self, path: &ModPath) -> ModPath {
        let mut seen = 0;
        let mut current = path.clone();
        loop {
            let mut module = current.clone();
            while !module.is_empty() && !self.files.contains_key(&module) {
                module.pop();
            }
            let next = current.get(module.len()).and_then(|name| {
                self.reexports
                    .get(&module)
                    .and_then(|names| names.get(name))
            });
            match next {
                Some(target) if seen < 16 && *target != current => {
                    current = target.clone();
                    seen += 1;
                }
                _ => return module,
            }
        }
    }

    fn file_cycles(&self) -> Vec<Vec<ModPath>> {
        cycles(&self.uses)
    }

    /// Top-level module -> the top-level modules it uses.
    fn module_graph(&self) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
        let top = |m: &ModPath| m.first().cloned().into_iter().collect::<ModPath>();
        let mut graph: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
        for (from, targets) in &self.uses {
            if from.is_empty() {
                continue;
            }
            for to in targets {
                if !to.is_empty() && top(from) != top(to) {
                    graph.entry(top(from)).or_default().insert(top(to));
                }
            }
        }
        graph
    }

    /// Every file of `from` (a top-level module) that uses something of `to`.
    fn edges(&self, from: &str, to: &str) -> Vec<String> {
        let mut found = Vec::new();
        for (module, targets) in &self.uses {
            if module.first().map(String::as_str) != Some(from) {
                continue;
            }
            for target in targets {
                if target.first().map(String::as_str) == Some(to) {
                    found.push(format!("{} -> {}", self.shown(module), self.shown(target)));
                }
            }
        }
        found
    }

    fn shown(&self, module: &ModPath) -> String {
        let base = root();
        self.files[module]
            .strip_prefix(base.parent().unwrap_or(&base))
            .unwrap()
            .display()
            .to_string()
    }
}

/// The cycles of a graph (one per strongly connected component larger than one node).
fn cycles(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    // Tarjan's algorithm, iteratively small enough for a few hundred files.
    struct State<'a> {
        graph: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on_stack: BTreeSet<&'a ModPath>,
        found: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(s: &mut State<'a>, node: &'a ModPath) {
        let i = s.index.len();
        s.index.insert(node, i);
        s.low.insert(node, i);
        s.stack.push(node);
        s.on_stack.insert(node);
        for next in s.graph.get(node).into_iter().flatten() {
            if !s.index.contains_key(next) {
                visit(s, next);
                let low = s.low[next].min(s.low[node]);
                s.low.insert(node, low);
            } else if s.on_stack.contains(next) {
                let low = s.index[next].min(s.low[node]);
                s.low.insert(node, low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut component = Vec::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.remove(top);
                component.push(top.clone());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node) {
            visit(&mut state, node);
        }
    }
    state.found
}

#[test]
fn no_file_imports_itself_through_others() {
    let krate = Crate::read();
    let cycles: Vec<String> = krate
        .file_cycles()
        .iter()
        .map(|c| {
            c.iter()
                .map(|m| krate.shown(m))
                .collect::<Vec<_>>()
                .join(" <-> ")
        })
        .collect();
    assert!(cycles.is_empty(), "file cycles:\n{}", cycles.join("\n"));
}

#[test]
fn no_top_level_modules_depend_on_each_other() {
    let krate = Crate::read();
    let graph = krate.module_graph();
    let found: Vec<String> = cycles(&graph)
        .iter()
        .map(|c| {
            let names: Vec<&str> = c.iter().map(|m| m[0].as_str()).collect();
            let mut edges = Vec::new();
            for from in &names {
                for to in names.iter().filter(|to| *to != from) {
                    edges.extend(krate.edges(from, to));
                }
            }
            format!("{}:\n  {}", names.join(" <-> "), edges.join("\n  "))
        })
        .collect();
    assert!(found.is_empty(), "module cycles:\n{}", found.join("\n"));
}

#[test]
fn the_arrows_point_one_way() {
    let krate = Crate::read();
    let mut broken = Vec::new();
    // `events` is the vocabulary at the bottom: it uses nothing of ours.
    for other in top_level_modules(&krate) {
        if other != "events" {
            broken.extend(krate.edges("events", &other));
        }
    }
    // (module, what it must never import): the bottom of the crate stays at the bottom.
    let rules: &[(&str, &[&str])] = &[
        (
            "rules",
            &["report", "progress", "notify", "runner", "commands"],
        ),
        ("runner", &["report", "progress", "notify", "commands"]),
        ("config", &["runner", "report", "progress", "notify"]),
        ("plan", &["runner", "report", "progress", "notify"]),
        ("matrix", &["runner", "report", "progress", "notify"]),
        ("report", &["runner", "progress", "commands"]),
        (
            "github_actions",
            &["report", "notify", "progress", "runner"],
        ),
        ("backoff", &["runner", "report", "notify", "aws", "summary"]),
    ];
    for (from, never) in rules {
        for to in *never {
            broken.extend(krate.edges(from, to));
        }
    }
    // Only `cli` (the definitions) and `commands` call into the binary's side.
    for module in krate.module_graph().keys() {
        if !matches!(module[0].as_str(), "commands") {
            broken.extend(krate.edges(&module[0], "commands"));
        }
    }
    assert!(
        broken.is_empty(),
        "forbidden imports:\n{}",
        broken.join("\n")
    );
}

/// Every top-level module of the library (`events`, `exit`, `runner`, ...), from its files.
fn top_level_modules(krate: &Crate) -> BTreeSet<String> {
    krate
        .files
        .keys()
        .filter_map(|module| module.first().cloned())
        .collect()
}

#[test]
fn no_command_imports_another() {
    let krate = Crate::read();
    // The steps commands share, each file one job; every other file is one command.
    let shared = [
        "loading",
        "selecting",
        "claiming",
        "stdout",
        "resolve",
        "execute",
        "signals",
        "invocation",
        "leave_to_exit",
    ];
    let mut broken = Vec::new();
    for (module, targets) in &krate.uses {
        let [first, command] = module.as_slice() else {
            continue;
        };
        if first != "commands" || shared.contains(&command.as_str()) {
            continue;
        }
        for target in targets {
            if let [f, other] = target.as_slice() {
                if f == "commands" && !shared.contains(&other.as_str()) {
                    broken.push(format!(
                        "{} -> {}",
                        krate.shown(module),
                        krate.shown(target)
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "commands importing commands:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_reader_sees_real_imports() {
    // The graph is only as good as its reader: spot-check known edges.
    let krate = Crate::read();
    let uses = |from: &[&str], to: &[&str]| {
        let from: ModPath = from.iter().map(|s| s.to_string()).collect();
        let to: ModPath = to.iter().map(|s| s.to_string()).collect();
        krate.uses.get(&from).is_some_and(|t| t.contains(&to))
    };
    assert!(uses(&["runner", "waves"], &["rules", "wave"]));
    assert!(uses(&["runner", "waves"], &["events", "event"]));
    assert!(uses(&["report", "merge"], &["rules", "run"]));
    assert!(uses(&["commands", "gate"], &["rules", "wave"]));
    assert!(krate.files.len() > 100, "{} files", krate.files.len());
    let top = top_level_modules(&krate);
    for module in [
        "events",
        "exit",
        "terraform",
        "config",
        "runner",
        "commands",
    ] {
        assert!(top.contains(module), "{module} not in {top:?}");
    }
}

#[test]
fn only_an_inline_test_module_ends_the_code() {
    let text = "use crate::a;\n#[cfg(test)]\nconst ONLY_IN_TESTS: u8 = 1;\nuse crate::b;\n\
                #[cfg(test)]\n#[allow(dead_code)]\nmod tests {\n    use crate::c;\n}\n";
    let code = code(text);
    assert!(code.contains("crate::b"), "{code}");
    assert!(!code.contains("crate::c"), "{code}");
}

#[test]
fn config_plan_and_matrix_stay_synchronous() {
    // They compute everything before anything runs: no runtime, no async.
    let mut files = Vec::new();
    for module in ["config", "plan", "matrix"] {
        walk(&root().join(module), &mut files);
    }
    let offending: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = code(&std::fs::read_to_string(f).unwrap());
            text.contains("tokio") || text.contains("async fn") || text.contains(".await")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offending.is_empty(),
        "async in config/plan/matrix: {offending:?}"
    );
}

/// Everything printed goes through `console.rs`: clippy's `disallowed-macros` and
/// `disallowed-methods` (clippy.toml) refuse `println!`, `std::io::stdout()`, a child that
/// inherits our streams, a `File` on fd 1 or 2, clap's own printing and the bars' draw
/// target anywhere else. This holds the list of exceptions to the files named here, and
/// the rules themselves in clippy.toml.
#[test]
fn only_the_console_writes_to_the_streams() {
    const AROUND_THE_CONSOLE: &[&str] = &[
        // The one writer.
        "console.rs",
        // Asks whether stderr is a terminal; writes nothing.
        "terminal.rs",
        // The progress bars, on a terminal outside CI only.
        "progress/bars.rs",
        // `--help` and `--version`, clap's rendering of our own text.
        "main.rs",
    ];
    let rules = std::fs::read_to_string(root().join("../clippy.toml")).unwrap();
    for rule in [
        "std::println",
        "std::eprintln",
        "std::print\"",
        "std::eprint\"",
        "std::dbg",
        "std::io::stdout",
        "std::io::stderr",
        "std::os::fd::FromRawFd::from_raw_fd",
        "std::process::Stdio::inherit",
        "indicatif::ProgressDrawTarget::stderr",
        "clap::error::Error::print",
    ] {
        assert!(rules.contains(rule), "clippy.toml no longer refuses {rule}");
    }
    let mut files = Vec::new();
    walk(&root(), &mut files);
    let around: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.contains("clippy::disallowed_")
        })
        .map(|f| {
            f.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|f| !AROUND_THE_CONSOLE.contains(&f.as_str()))
        .collect();
    assert!(
        around.is_empty(),
        "{around:?} print around console.rs: write through it (or name the file here, with why)"
    );
}
