//! What the contract needs to know of one Terraform directory, read with an HCL parser.

use std::path::{Path, PathBuf};

use hcl::{Block, Body, Expression};

/// The parts of a Terraform directory the contract looks at.
#[derive(Debug, Default)]
pub struct LayerFiles {
    pub dir: PathBuf,
    /// Declared variables and whether each has a default.
    pub variables: Vec<(String, bool)>,
    /// `terraform { backend "<kind>" { ... } }`: the kind and the attribute names set in it.
    pub backends: Vec<(String, Vec<String>)>,
    /// `provider "<name>" { ... }`: the name and the attribute names set in it.
    pub providers: Vec<(String, Vec<String>)>,
    pub modules: Vec<ModuleCall>,
    /// Declared outputs.
    pub outputs: Vec<String>,
    /// Files that are not valid HCL, with the parser's message.
    pub unreadable: Vec<(PathBuf, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleCall {
    pub file: PathBuf,
    pub name: String,
    pub source: Option<String>,
    pub version: Option<String>,
}

impl LayerFiles {
    /// Reads every `*.tf` file directly inside `dir` (Terraform's own rule for a module).
    pub fn read(dir: &Path) -> std::io::Result<Self> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tf") && p.is_file())
            .collect();
        files.sort();
        let mut layer = LayerFiles {
            dir: dir.to_path_buf(),
            ..Self::default()
        };
        for file in files {
            let text = std::fs::read_to_string(&file)?;
            match hcl::from_str::<Body>(&text) {
                Ok(body) => layer.add(&file, &body),
                Err(e) => layer.unreadable.push((file, e.to_string())),
            }
        }
        Ok(layer)
    }

    fn add(&mut self, file: &Path, body: &Body) {
        for block in body.blocks() {
            match block.identifier() {
                "variable" => {
                    if let Some(name) = label(block, 0) {
                        let has_default = block.body().attributes().any(|a| a.key() == "default");
                        self.variables.push((name, has_default));
                    }
                }
                "output" => self.outputs.extend(label(block, 0)),
                "terraform" => {
                    for inner in block
                        .body()
                        .blocks()
                        .filter(|b| b.identifier() == "backend")
                    {
                        self.backends
                            .push((label(inner, 0).unwrap_or_default(), attribute_names(inner)));
                    }
                }
                "provider" => {
                    let mut names = attribute_names(block);
                    names.extend(block.body().blocks().map(|b| b.identifier().to_string()));
                    self.providers
                        .push((label(block, 0).unwrap_or_default(), names));
                }
                "module" => {
                    let text = |key: &str| {
                        block
                            .body()
                            .attributes()
                            .find(|a| a.key() == key)
                            .and_then(|a| match a.expr() {
                                Expression::String(s) => Some(s.clone()),
                                _ => None,
                            })
                    };
                    self.modules.push(ModuleCall {
                        file: file.to_path_buf(),
                        name: label(block, 0).unwrap_or_default(),
                        source: text("source"),
                        version: text("version"),
                    });
                }
                _ => {}
            }
        }
    }
}

fn label(block: &Block, index: usize) -> Option<String> {
    block.labels().get(index).map(|l| l.as_str().to_string())
}

fn attribute_names(block: &Block) -> Vec<String> {
    block
        .body()
        .attributes()
        .map(|a| a.key().to_string())
        .collect()
}
