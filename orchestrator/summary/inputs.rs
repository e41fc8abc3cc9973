//! Which files `summary` reads, and which account and layer a plan file belongs to when no
//! run report says.
//!
//! Three layouts are understood: the runner's `plans/<account>/<layer>.json`, one file per
//! account (`plans/<account>.json`), and a directory of arbitrarily named files (nested or
//! not), where every file is its own row. A file is its folder's layer only when its name
//! is a layer (the config's, or a file name several folders have): the table never gets a
//! column that is not a layer. With the config's accounts and layers, names found in the
//! path (`catalog-dev.static.json`, `plan_catalog-dev_static.json`) win, but only whole
//! names: `catalog-dev-eu.json` is not catalog-dev's plan, and files that meet only by
//! filler words (`20240101-catalog-dev.json`, `20240102-catalog-dev.json`) are rows of
//! their own.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::error::CollectError;

/// The layer name of a plan file that names no layer (one plan per account).
pub const WHOLE_ACCOUNT: &str = "plan";

/// A plan file, and how deep it was found under the directory given on the command line
/// (0 for a file given by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFile {
    pub path: PathBuf,
    pub depth: usize,
}

impl PlanFile {
    fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    fn parent_name(&self) -> Option<String> {
        self.path
            .parent()
            .and_then(Path::file_name)
            .map(|s| s.to_string_lossy().into_owned())
    }
}

/// Names plan files by account and layer, from their paths and the accounts and layers the
/// config knows (both may be empty).
pub struct Namer {
    accounts: HashMap<String, String>,
    layers: HashMap<String, String>,
    /// Normalised file names found in more than one directory (`a/static.json`,
    /// `b/static.json`): layers, even when the config does not name them.
    shared_stems: HashSet<String>,
    /// Directories whose layer-like files are the layers of one account (the runner
    /// layout): at least half of their files are named like a layer. Their other files are
    /// rows of their own, so a directory of arbitrarily named plans never becomes one
    /// account with a column per file. Each is named by its own name, or with as many parent
    /// directories as make it unique (`acct-a/eu-west-1`, `acct-b/eu-west-1`).
    account_dirs: HashMap<PathBuf, String>,
    /// Files that reached the same account and layer as another file only by leaving out
    /// filler words (`20240101-catalog-dev.json`, `20240102-catalog-dev.json`): neither is
    /// that account's plan, each is its own row.
    own_rows: HashSet<PathBuf>,
}

/// An account and layer found for a file, and whether filler words were left out to find it.
struct Found {
    account: String,
    layer: String,
    through_filler: bool,
}

impl Found {
    fn exact(account: String, layer: String) -> Self {
        Self {
            account,
            layer,
            through_filler: false,
        }
    }
}

impl Namer {
    pub fn new(files: &[PlanFile], accounts: &[String], layers: &[String]) -> Self {
        let index = |names: &[String]| {
            names
                .iter()
                .map(|n| (normalise(n), n.clone()))
                .collect::<HashMap<_, _>>()
        };
        // Files directly in a directory given on the command line are one row each; files
        // given by name or found deeper may be an account's layers.
        let in_dirs: Vec<(PathBuf, String)> = files
            .iter()
            .filter(|f| f.depth != 1)
            .filter_map(|f| Some((f.path.parent()?.to_path_buf(), f.stem())))
            .collect();
        let mut dirs_of_stem = HashMap::<String, HashSet<&Path>>::new();
        for (dir, stem) in &in_dirs {
            dirs_of_stem.entry(normalise(stem)).or_default().insert(dir);
        }
        let shared_stems = dirs_of_stem
            .into_iter()
            .filter(|(_, dirs)| dirs.len() > 1)
            .map(|(stem, _)| stem)
            .collect();
        let mut namer = Self {
            accounts: index(accounts),
            layers: index(layers),
            shared_stems,
            account_dirs: HashMap::new(),
            own_rows: HashSet::new(),
        };
        let mut per_dir = HashMap::<&Path, (usize, usize)>::new();
        for (dir, stem) in &in_dirs {
            let (files, like) = per_dir.entry(dir).or_default();
            *files += 1;
            *like += usize::from(namer.layer_of(stem).is_some());
        }
        let dirs: Vec<&Path> = per_dir
            .into_iter()
            .filter(|(dir, (files, like))| 2 * like >= *files && dir.file_name().is_some())
            .map(|(dir, _)| dir)
            .collect();
        namer.account_dirs = unique_names(&dirs);

        let mut by_key = HashMap::<(String, String), Vec<(&Path, bool)>>::new();
        for file in files {
            if let Some(found) = namer.find(file) {
                by_key
                    .entry((found.account, found.layer))
                    .or_default()
                    .push((&file.path, found.through_filler));
            }
        }
        for same in by_key.into_values().filter(|same| same.len() > 1) {
            // A file named exactly after the account keeps it; two exact names are a
            // duplicate the collector reports.
            for (path, _) in same.iter().filter(|(_, filler)| *filler) {
                namer.own_rows.insert(path.to_path_buf());
            }
        }
        namer
    }

    /// (account, layer) of `file`.
    pub fn name(&self, file: &PlanFile) -> (String, String) {
        match self
            .find(file)
            .filter(|_| !self.own_rows.contains(&file.path))
        {
            Some(found) => (found.account, found.layer),
            None => (row_name(file), WHOLE_ACCOUNT.to_string()),
        }
    }

    /// The account and layer `file` belongs to, or `None` when it is a row of its own.
    fn find(&self, file: &PlanFile) -> Option<Found> {
        let stem = file.stem();
        let parent = file.parent_name();
        if let Some(found) = self.by_file_name(&stem, parent.as_deref()) {
            return Some(found);
        }
        // The file's directory is the account: only a layer-like file is one of its layers,
        // so the table never gets a column that is no layer.
        let (layer, through_filler) = self.layer_of(&stem)?;
        let known = parent.and_then(|p| self.accounts.get(&normalise(&p)));
        let dir = file.path.parent().filter(|_| file.depth != 1);
        let account = known.or_else(|| self.account_dirs.get(dir?))?;
        Some(Found {
            account: account.clone(),
            layer,
            through_filler,
        })
    }

    /// A known account named in the file name, with its layer named there too or as the
    /// directory (`static/catalog-dev.json`).
    fn by_file_name(&self, stem: &str, parent: Option<&str>) -> Option<Found> {
        let (account, rest) = longest(&self.accounts, &tokens(stem))?;
        let (layer, rest) = match longest(&self.layers, &rest) {
            Some((layer, rest)) => (layer, rest),
            None => match parent.and_then(|p| self.layers.get(&normalise(p))) {
                Some(layer) => (layer.clone(), rest),
                None => (WHOLE_ACCOUNT.to_string(), rest),
            },
        };
        // `catalog-dev-eu.json` is not catalog-dev's plan: only words that name no
        // account (`plan`, `tfplan`, dates, run numbers) may surround a known name.
        rest.iter().all(|token| is_filler(token)).then(|| Found {
            through_filler: !rest.is_empty(),
            ..Found::exact(account, layer)
        })
    }

    /// The layer a file name names: a known layer (`static.json`, `tfplan-static.json`), or
    /// a name files in other directories have too; and whether filler words were left out.
    fn layer_of(&self, stem: &str) -> Option<(String, bool)> {
        if let Some((layer, rest)) = longest(&self.layers, &tokens(stem)) {
            if rest.iter().all(|token| is_filler(token)) {
                return Some((layer, !rest.is_empty()));
            }
        }
        self.shared_stems
            .contains(&normalise(stem))
            .then(|| (stem.to_string(), false))
    }
}

/// Each directory named by its last path components: directories as deep share how many,
/// as few as make their names unique (`acct-a/eu-west-1`, `acct-a/us-east-1`,
/// `acct-b/eu-west-1`; the runner's `catalog-dev`).
fn unique_names(dirs: &[&Path]) -> HashMap<PathBuf, String> {
    let suffix = |dir: &Path, n: usize| {
        let mut parts: Vec<String> = dir
            .components()
            .rev()
            .take(n)
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts.reverse();
        parts.join("/")
    };
    let mut by_depth = HashMap::<usize, Vec<&Path>>::new();
    for dir in dirs {
        by_depth
            .entry(dir.components().count())
            .or_default()
            .push(dir);
    }
    let mut names = HashMap::new();
    for (depth, group) in by_depth {
        let n = (1..depth)
            .find(|&n| {
                let distinct: HashSet<String> = group.iter().map(|d| suffix(d, n)).collect();
                distinct.len() == group.len()
            })
            .unwrap_or(depth);
        for dir in group {
            names.insert(dir.to_path_buf(), suffix(dir, n));
        }
    }
    names
}

/// The row of a plan file that names no account: its path under the directory given on the
/// command line, without `.json` (so two `plan.json` in different directories stay two
/// rows), or its file name without `.json` when it is directly in it or given by name.
fn row_name(file: &PlanFile) -> String {
    let components: Vec<String> = file
        .path
        .components()
        .rev()
        .take(file.depth.max(1))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut parts: Vec<String> = components.into_iter().rev().collect();
    if let Some(last) = parts.last_mut() {
        *last = file.stem();
    }
    parts.join("/")
}

/// Words found around an account's name in plan file names that are not part of any name:
/// what made the file (`plan`, `tfplan`, `tofu`), its format, a number (date, run) or a
/// commit id.
fn is_filler(token: &str) -> bool {
    const WORDS: [&str; 18] = [
        "plan",
        "plans",
        "tfplan",
        "terraform",
        "tf",
        "tofu",
        "opentofu",
        "show",
        "json",
        "out",
        "output",
        "changes",
        "latest",
        "current",
        "final",
        "pr",
        "run",
        "build",
    ];
    let digits = token.chars().all(|c| c.is_ascii_digit());
    let commit = token.len() >= 7
        && token.chars().any(|c| c.is_ascii_digit())
        && token.chars().all(|c| c.is_ascii_hexdigit());
    WORDS.contains(&token) || digits || commit
}

/// Names compare without case, with `-`, `_`, `.` and spaces alike.
fn normalise(name: &str) -> String {
    tokens(name).join("-")
}

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The longest run of `tokens` that is a known name, and the tokens left around it.
fn longest(known: &HashMap<String, String>, tokens: &[String]) -> Option<(String, Vec<String>)> {
    const MAX_TOKENS: usize = 8;
    let mut best: Option<(usize, usize, &String)> = None;
    for start in 0..tokens.len() {
        for end in (start + 1..=tokens.len().min(start + MAX_TOKENS)).rev() {
            if best.is_some_and(|(s, e, _)| e - s >= end - start) {
                break;
            }
            if let Some(name) = known.get(&tokens[start..end].join("-")) {
                best = Some((start, end, name));
                break;
            }
        }
    }
    let (start, end, name) = best?;
    let mut rest = tokens[..start].to_vec();
    rest.extend_from_slice(&tokens[end..]);
    Some((name.clone(), rest))
}

/// Every plan file named by `inputs`: files as given (a missing one fails when it is read),
/// directories searched for plan JSON ([`is_plan_json`]), sorted, without `exclude` (the run report). With a run
/// report a directory may hold no plan: the report says which accounts had none (none
/// affected, or every plan failed or was lost), and the comment must still say so.
pub fn plan_files(
    inputs: &[PathBuf],
    exclude: Option<&Path>,
) -> Result<Vec<PlanFile>, CollectError> {
    let with_report = exclude.is_some();
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let before = files.len();
            walk(input, 1, exclude.as_deref(), &mut files).map_err(|source| {
                CollectError::Walk {
                    path: input.clone(),
                    source,
                }
            })?;
            if files.len() == before && !with_report {
                return Err(CollectError::NoPlans {
                    path: input.clone(),
                });
            }
        } else {
            files.push(PlanFile {
                path: input.clone(),
                depth: 0,
            });
        }
    }
    Ok(files)
}

fn walk(
    dir: &Path,
    depth: usize,
    exclude: Option<&Path>,
    files: &mut Vec<PlanFile>,
) -> std::io::Result<()> {
    let mut entries = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort();
    for path in entries {
        // symlink_metadata: a symlinked directory is not followed, so a loop cannot hang us.
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.is_dir() {
            walk(&path, depth + 1, exclude, files)?;
        } else if path.is_file()
            && (exclude.is_none() || path.canonicalize().ok().as_deref() != exclude)
            && is_plan_json(&path)
        {
            files.push(PlanFile { path, depth });
        }
    }
    Ok(())
}

/// Whether a file found in a directory is a plan to read: any `*.json` (one that is not a
/// plan is then an error naming it), or a file of another name that starts like
/// `terraform show -json` output (`tfplan-prod`, `prod.plan.txt`). READMEs, binary plan files
/// and the like are passed over.
fn is_plan_json(path: &Path) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return true;
    }
    if path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    {
        return false;
    }
    let mut head = [0u8; 4096];
    let read = std::fs::File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut head))
        .unwrap_or(0);
    let head = &head[..read];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    start.is_some_and(|s| head[s] == b'{')
        && head
            .windows(b"\"format_version\"".len())
            .any(|w| w == b"\"format_version\"")
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, depth: usize) -> PlanFile {
        PlanFile {
            path: path.into(),
            depth,
        }
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn name(namer: &Namer, path: &str, depth: usize) -> (String, String) {
        namer.name(&file(path, depth))
    }

    fn pair(a: &str, l: &str) -> (String, String) {
        (a.into(), l.into())
    }

    #[test]
    fn the_runner_layout_names_account_and_layer() {
        let files = [
            file("plans/catalog-dev/static.json", 2),
            file("plans/catalog-prod/static.json", 2),
        ];
        let namer = Namer::new(&files, &[], &[]);
        assert_eq!(
            name(&namer, "plans/catalog-dev/static.json", 2),
            pair("catalog-dev", "static")
        );
        let files = [
            file("x/.orchestrator/plans/catalog-dev/static.json", 3),
            file("x/.orchestrator/plans/catalog-prod/static.json", 3),
        ];
        let namer = Namer::new(&files, &[], &[]);
        assert_eq!(
            name(&namer, "x/.orchestrator/plans/catalog-dev/static.json", 3),
            pair("catalog-dev", "static")
        );
    }

    #[test]
    fn a_flat_directory_is_one_row_per_file() {
        let namer = Namer::new(&[], &[], &[]);
        assert_eq!(
            name(&namer, "plans/plan-0001.json", 1),
            pair("plan-0001", WHOLE_ACCOUNT)
        );
        assert_eq!(
            name(&namer, "plans/catalog-dev.json", 1),
            pair("catalog-dev", WHOLE_ACCOUNT)
        );
    }

    #[test]
    fn files_given_by_name_are_flat_unless_file_names_repeat_across_directories() {
        let flat = [file("plans/a.json", 0), file("plans/b.json", 0)];
        let namer = Namer::new(&flat, &[], &[]);
        assert_eq!(name(&namer, "plans/a.json", 0), pair("a", WHOLE_ACCOUNT));
        let runner = [
            file("plans/a/static.json", 0),
            file("plans/b/static.json", 0),
        ];
        let namer = Namer::new(&runner, &[], &[]);
        assert_eq!(name(&namer, "plans/b/static.json", 0), pair("b", "static"));
    }

    #[test]
    fn known_accounts_and_layers_are_found_in_file_names() {
        let namer = Namer::new(
            &[],
            &strings(&["catalog-dev", "catalog-dev-eu", "payments-prod"]),
            &strings(&["platform", "static", "dynamic"]),
        );
        assert_eq!(
            name(&namer, "plans/plan_catalog-dev_static.json", 1),
            pair("catalog-dev", "static")
        );
        assert_eq!(
            name(&namer, "plans/catalog-dev-eu.dynamic.json", 1),
            pair("catalog-dev-eu", "dynamic")
        );
        assert_eq!(
            name(&namer, "plans/Payments_Prod.json", 1),
            pair("payments-prod", WHOLE_ACCOUNT)
        );
        // The account directory given as the input: files are its layers.
        assert_eq!(
            name(&namer, "plans/catalog-dev/static.json", 1),
            pair("catalog-dev", "static")
        );
        // A file that matches no account is its own row.
        assert_eq!(
            name(&namer, "plans/legacy-vpc.json", 1),
            pair("legacy-vpc", WHOLE_ACCOUNT)
        );
    }

    #[test]
    fn a_name_that_only_partly_matches_an_account_is_its_own_row() {
        let namer = Namer::new(
            &[],
            &strings(&["catalog-dev", "payments-prod"]),
            &strings(&["platform", "static"]),
        );
        for (path, row) in [
            ("plans/catalog-dev-eu.json", "catalog-dev-eu"),
            (
                "plans/catalog-dev-old-static.json",
                "catalog-dev-old-static",
            ),
            ("plans/catalog.json", "catalog"),
            ("plans/catalog-development.json", "catalog-development"),
            ("plans/payments-prod2.json", "payments-prod2"),
            ("plans/catalog-dev-a1.json", "catalog-dev-a1"),
        ] {
            assert_eq!(name(&namer, path, 1), pair(row, WHOLE_ACCOUNT), "{path}");
        }
        // Words that name nothing, dates, run numbers and commits around a whole name.
        for path in [
            "plans/tfplan-catalog-dev.json",
            "plans/20240101-catalog-dev.json",
            "plans/catalog-dev.3f2a9c1.plan.json",
            "plans/pr-42-catalog-dev-latest.json",
        ] {
            assert_eq!(
                name(&namer, path, 1),
                pair("catalog-dev", WHOLE_ACCOUNT),
                "{path}"
            );
        }
        assert_eq!(
            name(&namer, "plans/plan-catalog-dev-static.json", 1),
            pair("catalog-dev", "static")
        );
        // One directory per layer, one file per account.
        assert_eq!(
            name(&namer, "plans/static/catalog-dev.json", 2),
            pair("catalog-dev", "static")
        );
        assert_eq!(
            name(&namer, "plans/Platform/tfplan-payments-prod.json", 2),
            pair("payments-prod", "platform")
        );
    }

    #[test]
    fn nested_directories_of_arbitrary_names_are_one_row_per_file() {
        let files: Vec<PlanFile> = [
            "plans/batch-1/plan-0001.json",
            "plans/batch-1/plan-0002.json",
            "plans/batch-2/plan-0003.json",
            "plans/batch-2/deeper/plan-0004.json",
            "plans/batch-2/deeper/plan.json",
            "plans/other/plan.json",
        ]
        .iter()
        .map(|p| file(p, p.matches('/').count()))
        .collect();
        let namer = Namer::new(&files, &[], &[]);
        let names: Vec<(String, String)> = files.iter().map(|f| namer.name(f)).collect();
        assert_eq!(
            names,
            [
                pair("batch-1/plan-0001", WHOLE_ACCOUNT),
                pair("batch-1/plan-0002", WHOLE_ACCOUNT),
                pair("batch-2/plan-0003", WHOLE_ACCOUNT),
                // `plan.json` in two directories: a layer, and `deeper` its account; the
                // other file there names no layer, so it is no column but a row.
                pair("batch-2/deeper/plan-0004", WHOLE_ACCOUNT),
                pair("deeper", "plan"),
                pair("other", "plan"),
            ]
        );
    }

    #[test]
    fn account_directories_with_the_same_name_keep_their_parents() {
        let files: Vec<PlanFile> = [
            "plans/acct-a/eu-west-1/static.json",
            "plans/acct-a/us-east-1/static.json",
            "plans/acct-b/eu-west-1/static.json",
            "plans/acct-c/static.json",
        ]
        .iter()
        .map(|p| file(p, p.matches('/').count()))
        .collect();
        let namer = Namer::new(&files, &[], &[]);
        let names: Vec<(String, String)> = files.iter().map(|f| namer.name(f)).collect();
        assert_eq!(
            names,
            [
                pair("acct-a/eu-west-1", "static"),
                pair("acct-a/us-east-1", "static"),
                pair("acct-b/eu-west-1", "static"),
                pair("acct-c", "static"),
            ]
        );
    }

    #[test]
    fn a_layer_only_one_account_has_is_a_column_when_the_config_names_it() {
        let files: Vec<PlanFile> = [
            "plans/org/platform.json",
            "plans/org/static.json",
            "plans/org/vending.json",
            "plans/shop-dev/platform.json",
            "plans/shop-dev/static.json",
        ]
        .iter()
        .map(|p| file(p, 2))
        .collect();
        let namer = Namer::new(&files, &[], &[]);
        assert_eq!(namer.name(&files[0]), pair("org", "platform"));
        assert_eq!(namer.name(&files[4]), pair("shop-dev", "static"));
        assert_eq!(
            namer.name(&files[2]),
            pair("org/vending", WHOLE_ACCOUNT),
            "no column for a name that may be no layer"
        );
        let namer = Namer::new(&files, &[], &strings(&["platform", "static", "vending"]));
        assert_eq!(namer.name(&files[2]), pair("org", "vending"));
    }

    #[test]
    fn unknown_files_in_a_known_account_folder_are_rows_not_columns() {
        let files: Vec<PlanFile> = [
            "plans/catalog-dev/static.json",
            "plans/catalog-dev/tfplan-platform.json",
            "plans/catalog-dev/notes.json",
            "plans/catalog-dev/static-old.json",
        ]
        .iter()
        .map(|p| file(p, 2))
        .collect();
        let namer = Namer::new(
            &files,
            &strings(&["catalog-dev"]),
            &strings(&["platform", "static"]),
        );
        let names: Vec<(String, String)> = files.iter().map(|f| namer.name(f)).collect();
        assert_eq!(
            names,
            [
                pair("catalog-dev", "static"),
                pair("catalog-dev", "platform"),
                pair("catalog-dev/notes", WHOLE_ACCOUNT),
                pair("catalog-dev/static-old", WHOLE_ACCOUNT),
            ]
        );
        // The account folder given as the input.
        let top = file("catalog-dev/readme-plan.json", 1);
        let namer = Namer::new(
            std::slice::from_ref(&top),
            &strings(&["catalog-dev"]),
            &strings(&["static"]),
        );
        assert_eq!(namer.name(&top), pair("readme-plan", WHOLE_ACCOUNT));
    }

    #[test]
    fn files_that_meet_only_by_filler_words_are_rows_of_their_own() {
        let accounts = strings(&["catalog-dev", "payments-prod"]);
        let layers = strings(&["static"]);
        let names = |paths: &[&str]| {
            let files: Vec<PlanFile> = paths.iter().map(|p| file(p, 1)).collect();
            let namer = Namer::new(&files, &accounts, &layers);
            files.iter().map(|f| namer.name(f)).collect::<Vec<_>>()
        };
        assert_eq!(
            names(&[
                "plans/20240101-catalog-dev.json",
                "plans/20240102-catalog-dev.json",
                "plans/payments-prod-1.json",
            ]),
            [
                pair("20240101-catalog-dev", WHOLE_ACCOUNT),
                pair("20240102-catalog-dev", WHOLE_ACCOUNT),
                pair("payments-prod", WHOLE_ACCOUNT),
            ]
        );
        // The file named exactly after the account (and layer) keeps it.
        assert_eq!(
            names(&[
                "plans/catalog-dev-static.json",
                "plans/catalog-dev-static-2.json",
                "plans/tfplan-catalog-dev.json",
            ]),
            [
                pair("catalog-dev", "static"),
                pair("catalog-dev-static-2", WHOLE_ACCOUNT),
                pair("catalog-dev", WHOLE_ACCOUNT),
            ]
        );
        // Two exact names stay one key: the collector reports them as duplicates.
        assert_eq!(
            names(&["plans/catalog-dev.json", "plans/Catalog_Dev.json"]),
            [
                pair("catalog-dev", WHOLE_ACCOUNT),
                pair("catalog-dev", WHOLE_ACCOUNT)
            ]
        );
    }

    #[test]
    fn plan_json_is_found_by_content_when_not_named_json() {
        let dir = tempfile::tempdir().unwrap();
        let plan = r#"{"format_version":"1.2","planned_values":{}}"#;
        let write = |name: &str, text: &[u8]| std::fs::write(dir.path().join(name), text).unwrap();
        write("a.json", plan.as_bytes());
        write("B.JSON", plan.as_bytes());
        write("tfplan-prod", format!("\u{feff}\n  {plan}").as_bytes());
        write("README.md", b"# plans\n");
        write("tfplan", b"PK\x03\x04\x00binary");
        write(".hidden", plan.as_bytes());
        write("empty", b"");
        let found: Vec<String> = plan_files(&[dir.path().to_path_buf()], None)
            .unwrap()
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(found, ["B.JSON", "a.json", "tfplan-prod"]);
    }
}
