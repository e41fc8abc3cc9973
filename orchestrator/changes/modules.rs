//! Which local module directories a layer uses, directly or through other modules: read
//! from the `source` argument of the `module` blocks in each directory's `.tf` and `.tf.json`
//! files (the working tree's, as terraform would read them). Registry and git sources are
//! outside the repository and never change with it, so only local paths (`./`, `../`) count.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

/// A module directory reached from a layer, and the modules passed through to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleUse {
    /// Relative to the repository's top, with `/`.
    pub module: String,
    /// The intermediate module directories, from the layer's side; empty when used directly.
    pub via: Vec<String>,
}

/// The `module` sources of every directory read so far (each directory is read once).
#[derive(Debug)]
pub struct ModuleGraph<'a> {
    top: &'a Path,
    sources: BTreeMap<String, Vec<String>>,
    /// Files whose HCL could not be parsed; their `source = "..."` lines were scanned instead.
    pub notes: Vec<String>,
}

impl<'a> ModuleGraph<'a> {
    pub fn new(top: &'a Path) -> Self {
        Self {
            top,
            sources: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    /// Every module directory `dir` uses, directly or transitively, each with the shortest
    /// chain that reaches it. Cycles (which terraform refuses anyway) end the walk.
    pub fn used_by(&mut self, dir: &str) -> Vec<ModuleUse> {
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut queue = VecDeque::from([(dir.to_string(), Vec::<String>::new())]);
        while let Some((current, via)) = queue.pop_front() {
            for module in self.sources_of(&current).to_vec() {
                if module == dir || found.contains_key(&module) {
                    continue;
                }
                let mut next_via = via.clone();
                if current != dir {
                    next_via.push(current.clone());
                }
                found.insert(module.clone(), next_via.clone());
                queue.push_back((module, next_via));
            }
        }
        found
            .into_iter()
            .map(|(module, via)| ModuleUse { module, via })
            .collect()
    }

    fn sources_of(&mut self, dir: &str) -> &[String] {
        if !self.sources.contains_key(dir) {
            let sources = self.read_dir(dir);
            self.sources.insert(dir.to_string(), sources);
        }
        &self.sources[dir]
    }

    fn read_dir(&mut self, dir: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.top.join(dir)) else {
            // A module directory deleted in the working tree uses nothing any more.
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".tf") || n.ends_with(".tf.json"))
            .collect();
        names.sort();
        let mut out = Vec::new();
        for name in names {
            let path = self.top.join(dir).join(&name);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let file = join(dir, &name);
            let sources = if name.ends_with(".json") {
                match json_sources(&text) {
                    Ok(s) => s,
                    Err(e) => {
                        self.notes.push(format!(
                            "{file}: not valid JSON ({e}); its module sources were not read"
                        ));
                        Vec::new()
                    }
                }
            } else {
                match hcl_sources(&text) {
                    Ok(s) => s,
                    Err(e) => {
                        let first = e.to_string();
                        let first = first.lines().next().unwrap_or_default();
                        self.notes.push(format!(
                            "{file}: cannot parse HCL ({first}); its `source = \"...\"` lines were used instead"
                        ));
                        scanned_sources(&text)
                    }
                }
            };
            out.extend(sources.iter().filter_map(|s| resolve(dir, s)));
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The `source` of every `module` block.
pub fn hcl_sources(text: &str) -> Result<Vec<String>, hcl::Error> {
    let body = hcl::parse(text)?;
    Ok(body
        .blocks()
        .filter(|b| b.identifier() == "module")
        .filter_map(|b| {
            b.body
                .attributes()
                .find(|a| a.key() == "source")
                .and_then(|a| match a.expr() {
                    hcl::Expression::String(s) => Some(s.clone()),
                    _ => None,
                })
        })
        .collect())
}

/// `{"module": {"name": {"source": "..."}}}` (objects or lists of objects at each level).
pub fn json_sources(text: &str) -> Result<Vec<String>, serde_json::Error> {
    fn blocks(v: &serde_json::Value) -> Vec<&serde_json::Map<String, serde_json::Value>> {
        match v {
            serde_json::Value::Object(m) => vec![m],
            serde_json::Value::Array(items) => items.iter().flat_map(blocks).collect(),
            _ => Vec::new(),
        }
    }
    let value: serde_json::Value = serde_json::from_str(text)?;
    let mut out = Vec::new();
    for root in blocks(&value) {
        let Some(modules) = root.get("module") else {
            continue;
        };
        for by_name in blocks(modules) {
            for body in by_name.values().flat_map(blocks) {
                if let Some(serde_json::Value::String(s)) = body.get("source") {
                    out.push(s.clone());
                }
            }
        }
    }
    Ok(out)
}

/// The fallback for a file hcl-rs cannot parse: every `source = "<literal>"` line. It may
/// also catch a file provisioner's `source`, which only adds a dependency, never hides one.
pub fn scanned_sources(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("source")?;
            let rest = rest.trim_start().strip_prefix('=')?;
            let rest = rest.trim_start().strip_prefix('"')?;
            let end = rest.find('"')?;
            Some(rest[..end].to_string())
        })
        .collect()
}

/// A local module source resolved against the directory holding the file, relative to the
/// repository's top; `None` for registry or remote sources and for paths leaving the top.
pub fn resolve(dir: &str, source: &str) -> Option<String> {
    let local =
        source == "." || source == ".." || source.starts_with("./") || source.starts_with("../");
    if !local {
        return None;
    }
    normalize(&join(dir, source))
}

/// `a/b/../c/./d` -> `a/c/d`; `None` if it climbs above the top.
pub fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() {
        rest.to_string()
    } else {
        format!("{dir}/{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_sources_resolve() {
        assert_eq!(
            resolve("layers/platform", "../modules/vpc"),
            Some("layers/modules/vpc".into())
        );
        assert_eq!(
            resolve("layers/platform", "./modules/x/"),
            Some("layers/platform/modules/x".into())
        );
        assert_eq!(
            resolve("layers/platform", "terraform-aws-modules/vpc/aws"),
            None
        );
        assert_eq!(resolve("layers/platform", "git::https://x/y.git"), None);
        assert_eq!(resolve("layers", "../../elsewhere"), None);
    }

    #[test]
    fn module_blocks_are_read_from_hcl_and_json() {
        let hcl = r#"
            module "net" {
              source = "../modules/network"
              cidr   = var.network_cidr
            }
            module "remote" { source = "terraform-aws-modules/vpc/aws" }
            resource "terraform_data" "x" {
              provisioner "file" { source = "./not-a-module" }
            }
        "#;
        assert_eq!(
            hcl_sources(hcl).unwrap(),
            vec!["../modules/network", "terraform-aws-modules/vpc/aws"]
        );
        let json = r#"{"module": {"net": {"source": "../modules/network"}}}"#;
        assert_eq!(json_sources(json).unwrap(), vec!["../modules/network"]);
    }

    #[test]
    fn unparseable_hcl_falls_back_to_source_lines() {
        let text = "module \"net\" {\n  source = \"../modules/network\"\n  broken = \n}\n";
        assert!(hcl_sources(text).is_err());
        assert_eq!(scanned_sources(text), vec!["../modules/network"]);
    }

    #[test]
    fn modules_used_through_other_modules_are_found_with_their_chain() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write(
            "layers/platform/main.tf",
            "module \"n\" { source = \"../modules/network\" }\n",
        );
        write(
            "layers/modules/network/main.tf",
            "module \"v\" { source = \"../vpc\" }\n",
        );
        write(
            "layers/modules/vpc/main.tf",
            "module \"n\" { source = \"../network\" }\n",
        );
        let mut graph = ModuleGraph::new(dir.path());
        assert_eq!(
            graph.used_by("layers/platform"),
            vec![
                ModuleUse {
                    module: "layers/modules/network".into(),
                    via: vec![],
                },
                ModuleUse {
                    module: "layers/modules/vpc".into(),
                    via: vec!["layers/modules/network".into()],
                },
            ]
        );
    }
}
