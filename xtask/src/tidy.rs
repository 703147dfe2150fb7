//! Repository rules that neither rustc nor clippy can check, kept as `#[test]`s (run by
//! `cargo xtask ci tidy`, which is `cargo test -p xtask -- tidy`).
//!
//! Each rule is a function from one file's path and text to its violations, and each has a
//! test showing it rejects a bad sample:
//!
//! - every `.rs` file starts with a `//!` doc line (or a crate root with
//!   `#![doc = include_str!("../README.md")]`, its README as the front page);
//! - `target_os` appears only in the facade's selection file (`facade/src/sys.rs`), in build
//!   scripts that name OS families once (files named exactly `build.rs`), and in the one-line
//!   crate-root gate of each backend crate (not select-core, select-conformance or the Python
//!   module, select-python);
//! - `unsafe` code appears only in files named `sys.rs` (the `// SAFETY:` comment every
//!   unsafe block and impl needs is clippy's `undocumented_unsafe_blocks`, denied in the
//!   workspace lints, so it is not repeated here);
//! - no `#[ignore]` and no `#[should_panic]`: a test asserts the error instead;
//! - the facade depends on every backend crate (each on the systems of its gate), so `sys.rs`
//!   alone decides which is used;
//! - select-core's `test-seams` feature is enabled by select-conformance alone and is not a
//!   default, so a user's build and the benchmarks have none of its bookkeeping;
//! - the operating-system lists agree, in both directions: each backend crate's root gate,
//!   the aliases of its build script, select-poll's `linux_kernel` and `rustix_select`, and
//!   the facade's `epoll_os`, `kqueue_os`, `devpoll_os` and `apple`, and the facade's
//!   target-specific dependency table of each backend crate name the same systems;
//! - the docs (`///` and `//!` lines, every `.md` file) point at nothing outside the
//!   repository (no `spec §` or `§N` section numbers, no `shared/` paths), and CPython's `gh-NNNN`
//!   and `bpo-NNNN` references are links (`[gh-NNNN](https://github.com/python/cpython/issues/NNNN)`).
//!
//! This file is exempt from the rules about words (it has to name them); it still needs its
//! doc line.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::Path;

/// One broken rule, at one line of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) path: String,
    pub(crate) line: usize,
    pub(crate) rule: &'static str,
    /// What exactly differs, where the rule alone does not say (empty otherwise).
    pub(crate) detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.rule)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

const DOC_LINE: &str = "every .rs file starts with a `//!` doc line";
const TARGET_OS: &str =
    "`target_os` belongs only in facade/src/sys.rs, build.rs files and a backend crate's root gate";
const UNSAFE_OUTSIDE_SYS: &str = "unsafe code belongs only in a crate's sys.rs";
const IGNORED_TEST: &str =
    "no #[ignore] or #[should_panic]: make the test pass, or assert the error";
const OUTSIDE_REFERENCE: &str =
    "docs must not point outside the repository (`spec §`, `shared/`): name the source instead";
const BARE_CPYTHON_ISSUE: &str = "a CPython `gh-NNNN` or `bpo-NNNN` in docs must be a link: \
     [gh-NNNN](https://github.com/python/cpython/issues/NNNN), [bpo-NNNN](https://bugs.python.org/issueNNNN)";
const FACADE_DEPENDENCY: &str = "the facade must depend on every backend crate";
const TEST_SEAMS: &str = "select-core's `test-seams` feature is for the conformance suite only: \
                          no other manifest may enable it, and it is not a default feature";
const OS_LISTS: &str = "this operating-system list must name exactly the systems of the list it \
                        mirrors (a backend crate's root gate, or select-kqueue's `apple`)";

/// The file that holds these rules and their samples.
const THIS_FILE: &str = "xtask/src/tidy.rs";

/// All violations of the rules that look at one Rust file.
pub(crate) fn check_rust_file(path: &str, text: &str) -> Vec<Violation> {
    let mut violations = Vec::new();
    check_doc_line(path, text, &mut violations);
    if path != THIS_FILE {
        let docs = text.lines().map(|line| {
            let trimmed = line.trim_start();
            trimmed.starts_with("///") || trimmed.starts_with("//!")
        });
        check_doc_references(path, text, docs, &mut violations);
        check_target_os(path, text, &mut violations);
        check_unsafe(path, text, &mut violations);
        check_ignored_tests(path, text, &mut violations);
    }
    violations
}

fn violation(path: &str, line: usize, rule: &'static str) -> Violation {
    Violation { path: path.to_owned(), line, rule, detail: String::new() }
}

/// Whether a line of a crate root belongs to its docs: a `//!` line, or the attribute that
/// makes the crate's README its front page.
fn is_crate_doc_line(line: &str) -> bool {
    line.starts_with("//!")
        || line.starts_with("#![doc = include_str!(")
        || (line.starts_with("#![cfg_attr(") && line.contains("doc = include_str!("))
}

fn check_doc_line(path: &str, text: &str, out: &mut Vec<Violation>) {
    if !text.lines().next().is_some_and(is_crate_doc_line) {
        out.push(violation(path, 1, DOC_LINE));
    }
}

/// All violations of the rules that look at one Markdown file: every line is docs.
pub(crate) fn check_markdown_file(path: &str, text: &str) -> Vec<Violation> {
    let mut violations = Vec::new();
    check_doc_references(path, text, text.lines().map(|_| true), &mut violations);
    violations
}

/// The doc lines of `text` (those `is_doc` marks) name no document outside the repository,
/// and every CPython issue number in them is a link.
fn check_doc_references(
    path: &str,
    text: &str,
    is_doc: impl Iterator<Item = bool>,
    out: &mut Vec<Violation>,
) {
    for ((index, line), doc) in text.lines().enumerate().zip(is_doc) {
        if !doc {
            continue;
        }
        // A section number alone (`§5.7`) is the spec's too, when a line break split it off.
        let section_number = line
            .match_indices('§')
            .any(|(at, _)| line[at + '§'.len_utf8()..].starts_with(|c: char| c.is_ascii_digit()));
        if line.contains("spec §") || section_number || line.contains("shared/") {
            out.push(violation(path, index + 1, OUTSIDE_REFERENCE));
        }
        if has_bare_cpython_issue(line) {
            out.push(violation(path, index + 1, BARE_CPYTHON_ISSUE));
        }
    }
}

/// Whether `line` has a `gh-NNNN` or `bpo-NNNN` that is not the text of a Markdown link
/// (`[gh-NNNN](...)`).
fn has_bare_cpython_issue(line: &str) -> bool {
    let bytes = line.as_bytes();
    for prefix in ["gh-", "bpo-"] {
        for (start, _) in line.match_indices(prefix) {
            let before = start.checked_sub(1).map(|i| bytes[i]);
            // Part of a longer word (`high-`, `x-bpo-`) or of a path: not a reference.
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/') {
                continue;
            }
            let digits_start = start + prefix.len();
            let digits = bytes[digits_start..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                continue;
            }
            let linked = before == Some(b'[') && line[digits_start + digits..].starts_with("](");
            if !linked {
                return true;
            }
        }
    }
    false
}

/// Whether the crate in `crates/{name}` is a backend: every `select-*` crate but the core and
/// the test-support crate, which run everywhere and so have no gate.
fn is_backend_crate(name: &str) -> bool {
    name.starts_with("select-")
        && !["select-core", "select-conformance", "select-python"].contains(&name)
}

/// Whether `path` is a backend crate's root, whose gate may name operating systems.
fn is_backend_root(path: &str) -> bool {
    path.strip_prefix("crates/")
        .and_then(|rest| rest.strip_suffix("/src/lib.rs"))
        .is_some_and(|name| !name.contains('/') && is_backend_crate(name))
}

/// Whether `path` is a build script: a file named exactly `build.rs`.
fn is_build_script(path: &str) -> bool {
    path.rsplit('/').next() == Some("build.rs")
}

fn check_target_os(path: &str, text: &str, out: &mut Vec<Violation>) {
    if path == "facade/src/sys.rs" || is_build_script(path) {
        return;
    }
    // A backend root may name OSes in its gate: the first inner attribute after the docs,
    // which rustfmt may wrap over several lines when the OS list is long.
    let gate = if is_backend_root(path) { root_gate_lines(text) } else { 0..0 };
    for (index, line) in text.lines().enumerate() {
        if line.contains("target_os") && !gate.contains(&index) {
            out.push(violation(path, index + 1, TARGET_OS));
        }
    }
}

/// The line indices of a crate root's gate: the `#![cfg(...)]` attribute that follows the
/// `//!` docs, up to the line that closes it.
fn root_gate_lines(text: &str) -> std::ops::Range<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|line| !is_crate_doc_line(line)) else { return 0..0 };
    if !lines[start].starts_with("#![cfg(") {
        return 0..0;
    }
    match lines[start..].iter().position(|line| line.trim_end().ends_with(")]")) {
        Some(offset) => start..start + offset + 1,
        None => 0..0,
    }
}

/// Whether a line (comments and strings aside, roughly) opens an `unsafe` block, written
/// `unsafe {` or, unformatted, `unsafe{`.
fn opens_unsafe_block(code: &str) -> bool {
    code.contains("unsafe {") || code.contains("unsafe{")
}

/// Whether a line (comments and strings aside, roughly) uses unsafe code.
fn uses_unsafe(code: &str) -> bool {
    opens_unsafe_block(code)
        || code.contains("unsafe fn ")
        || code.contains("unsafe impl ")
        || code.contains("unsafe extern")
        || code.contains("allow(unsafe_code)")
        || code.trim_end().ends_with("unsafe")
}

fn check_unsafe(path: &str, text: &str, out: &mut Vec<Violation>) {
    let is_sys = path.ends_with("/sys.rs");
    for (index, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        if uses_unsafe(code) && !is_sys {
            out.push(violation(path, index + 1, UNSAFE_OUTSIDE_SYS));
        }
    }
}

fn check_ignored_tests(path: &str, text: &str, out: &mut Vec<Violation>) {
    for (index, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        if code.contains("#[ignore") || code.contains("#[should_panic") {
            out.push(violation(path, index + 1, IGNORED_TEST));
        }
    }
}

/// Violations of the facade-dependency rule, given the backend crate names and the facade's
/// manifest.
pub(crate) fn check_facade_dependencies(backends: &[String], manifest: &str) -> Vec<Violation> {
    backends
        .iter()
        .filter(|name| {
            !manifest.lines().any(|line| line.trim_start().starts_with(&format!("{name}.")))
        })
        .map(|_| violation("facade/Cargo.toml", 1, FACADE_DEPENDENCY))
        .collect()
}

/// The manifests that mention select-core's `test-seams` feature other than where it is
/// defined (select-core) and used (select-conformance): enabling it anywhere else, or making
/// it a default, would put its per-wait thread-local bookkeeping into a user's build and into
/// the benchmarks' counts.
pub(crate) fn check_test_seams(manifests: &[(String, String)]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (path, text) in manifests {
        for (number, line) in text.lines().enumerate() {
            if !line.contains("test-seams") {
                continue;
            }
            let allowed = match path.as_str() {
                "crates/select-core/Cargo.toml" => line.trim_start().starts_with("test-seams ="),
                "crates/select-conformance/Cargo.toml" => true,
                _ => false,
            };
            if !allowed {
                out.push(violation(path, number + 1, TEST_SEAMS));
            }
        }
    }
    out
}

/// The `target_os` values `text` names, as `target_os = "..."`.
fn os_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("target_os = \"") {
        rest = &rest[at + "target_os = \"".len()..];
        let Some(end) = rest.find('"') else { break };
        names.insert(rest[..end].to_owned());
        rest = &rest[end..];
    }
    names
}

/// The body of the `cfg_aliases!` alias `name` (from `name: {` to its matching `}`) and the
/// line it starts on, or `None` if `text` has no such alias.
fn alias_body<'a>(text: &'a str, name: &str) -> Option<(&'a str, usize)> {
    let head = format!("{name}: {{");
    let start = text
        .match_indices(&head)
        .map(|(at, _)| at)
        .find(|&at| at == 0 || !text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))?;
    let body = &text[start + head.len()..];
    let mut depth = 1usize;
    for (offset, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&body[..offset], text[..start].matches('\n').count() + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// The `target_os` values of the `[target.'cfg(...)'.dependencies]` table of `manifest` that
/// holds the dependency `name`, and the line of its header, or `None` if no target table does.
fn target_table(manifest: &str, name: &str) -> Option<(BTreeSet<String>, usize)> {
    let mut header: Option<(&str, usize)> = None;
    for (index, line) in manifest.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            header = (line.starts_with("[target.") && line.ends_with(".dependencies]"))
                .then_some((line, index + 1));
        } else if line.starts_with(&format!("{name}.")) || line.starts_with(&format!("{name} ")) {
            if let Some((header, line)) = header {
                return Some((os_names(header), line));
            }
        }
    }
    None
}

/// The text of a crate root's gate (see [`root_gate_lines`]).
fn gate_text(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[root_gate_lines(text)].join("\n")
}

/// Every place an operating-system list is written, compared with the list it mirrors. `file`
/// maps a repository path to the file's text. A list that is missing counts as empty, so a
/// renamed alias is a violation too.
fn check_os_lists(file: impl Fn(&str) -> String) -> Vec<Violation> {
    let gate = |path: &str| os_names(&gate_text(&file(path)));
    let alias = |path: &str, name: &str| match alias_body(&file(path), name) {
        Some((body, line)) => (os_names(body), line),
        None => (BTreeSet::new(), 1),
    };
    let epoll = gate("crates/select-epoll/src/lib.rs");
    let kqueue = gate("crates/select-kqueue/src/lib.rs");
    // select-devpoll's gate also has `test`, which is no `target_os` and so not in the set.
    let devpoll = gate("crates/select-devpoll/src/lib.rs");
    let kqueue_build = file("crates/select-kqueue/build.rs");
    let table =
        |name: &str| target_table(&file("facade/Cargo.toml"), name).unwrap_or((BTreeSet::new(), 1));
    let mirrors = [
        // (what must equal, where it is written, its line)
        (&epoll, "facade/build.rs", alias("facade/build.rs", "epoll_os")),
        (&epoll, "facade/Cargo.toml", table("select-epoll")),
        (
            &epoll,
            "crates/select-poll/build.rs",
            alias("crates/select-poll/build.rs", "linux_kernel"),
        ),
        (&kqueue, "facade/build.rs", alias("facade/build.rs", "kqueue_os")),
        (&kqueue, "facade/Cargo.toml", table("select-kqueue")),
        (&kqueue, "crates/select-kqueue/build.rs", (os_names(&kqueue_build), 1)),
        (
            &kqueue,
            "crates/select-poll/build.rs",
            alias("crates/select-poll/build.rs", "rustix_select"),
        ),
        (&devpoll, "facade/build.rs", alias("facade/build.rs", "devpoll_os")),
        (&devpoll, "facade/Cargo.toml", table("select-devpoll")),
        (
            &devpoll,
            "crates/select-devpoll/build.rs",
            alias("crates/select-devpoll/build.rs", "devpoll"),
        ),
        (
            &alias("crates/select-kqueue/build.rs", "apple").0,
            "facade/build.rs",
            alias("facade/build.rs", "apple"),
        ),
    ];
    let mut violations = Vec::new();
    for (expected, path, (found, line)) in mirrors {
        if *expected != found || expected.is_empty() {
            let missing: Vec<_> = expected.difference(&found).collect();
            let extra: Vec<_> = found.difference(expected).collect();
            let mut v = violation(path, line, OS_LISTS);
            v.detail = format!("missing {missing:?}, not in the original {extra:?}");
            violations.push(v);
        }
    }
    violations
}

/// Every `.rs` file of the project, as paths relative to `root` with `/` separators.
fn rust_files(root: &Path) -> Vec<String> {
    files_ending_in(root, ".rs")
}

/// Every file of the project whose name ends in `suffix`, as paths relative to `root`.
fn files_ending_in(root: &Path, suffix: &str) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !(name.starts_with('.') || name == "target" || name.starts_with("target-")) {
                    pending.push(path);
                }
            } else if name.ends_with(suffix) {
                files.push(relative(root, &path));
            }
        }
    }
    files.sort();
    files
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// The backend crates: every `crates/select-*` but the core and the test-support crate.
fn backend_crates(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root.join("crates"))
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| is_backend_crate(name))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Every violation in the tree rooted at `root`.
pub(crate) fn check_tree(root: &Path) -> Vec<Violation> {
    let mut violations = Vec::new();
    for path in rust_files(root) {
        let text = fs::read_to_string(root.join(&path)).unwrap_or_default();
        violations.extend(check_rust_file(&path, &text));
    }
    for path in files_ending_in(root, ".md") {
        let text = fs::read_to_string(root.join(&path)).unwrap_or_default();
        violations.extend(check_markdown_file(&path, &text));
    }
    let manifest = fs::read_to_string(root.join("facade/Cargo.toml")).unwrap_or_default();
    violations.extend(check_facade_dependencies(&backend_crates(root), &manifest));
    let manifests: Vec<(String, String)> = files_ending_in(root, "Cargo.toml")
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(root.join(&path)).unwrap_or_default();
            (path, text)
        })
        .collect();
    violations.extend(check_test_seams(&manifests));
    violations
        .extend(check_os_lists(|path| fs::read_to_string(root.join(path)).unwrap_or_default()));
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(path: &str, text: &str) -> Vec<&'static str> {
        check_rust_file(path, text).into_iter().map(|v| v.rule).collect()
    }

    #[test]
    fn tidy_the_whole_tree() {
        let violations = check_tree(&crate::project_root());
        let report: Vec<String> = violations.iter().map(ToString::to_string).collect();
        assert!(
            violations.is_empty(),
            "tidy found {} problems:\n{}",
            report.len(),
            report.join("\n")
        );
    }

    #[test]
    fn test_seams_stay_with_the_conformance_suite() {
        let manifest = |path: &str, text: &str| (path.to_owned(), text.to_owned());
        let fine = [
            manifest("crates/select-core/Cargo.toml", "[features]\ntest-seams = []\n"),
            manifest(
                "crates/select-conformance/Cargo.toml",
                "select-core = { workspace = true, features = [\"test-seams\"] }\n",
            ),
        ];
        assert!(check_test_seams(&fine).is_empty());
        let default = manifest("crates/select-core/Cargo.toml", "default = [\"test-seams\"]\n");
        let user = manifest(
            "benches/Cargo.toml",
            "[dependencies]\nselect-core = { features = [\"test-seams\"] }\n",
        );
        let found: Vec<(String, usize)> = check_test_seams(&[default, user])
            .into_iter()
            .map(|v| (v.path.clone(), v.line))
            .collect();
        assert_eq!(
            found,
            [("crates/select-core/Cargo.toml".to_owned(), 1), ("benches/Cargo.toml".to_owned(), 2)]
        );
        // The walk finds the real manifests, so the rule is not vacuous.
        let manifests = files_ending_in(&crate::project_root(), "Cargo.toml");
        assert!(
            manifests.iter().any(|p| p == "crates/select-conformance/Cargo.toml"),
            "{manifests:?}"
        );
    }

    #[test]
    fn tidy_sees_the_whole_tree() {
        // Guards the walk itself: a rule that reads no file passes vacuously.
        let files = rust_files(&crate::project_root());
        assert!(files.iter().any(|f| f == "crates/select-core/src/lib.rs"), "{files:?}");
        assert!(files.iter().any(|f| f == THIS_FILE));
        assert!(!files.iter().any(|f| f.starts_with("target/")));
        assert!(backend_crates(&crate::project_root()).contains(&"select-epoll".to_owned()));
    }

    #[test]
    fn tidy_rejects_a_missing_doc_line() {
        assert_eq!(rules("crates/x/src/a.rs", "// a comment\nfn f() {}\n"), [DOC_LINE]);
        assert_eq!(rules("crates/x/src/a.rs", "\n//! late\n"), [DOC_LINE]);
        assert!(rules("crates/x/src/a.rs", "//! Docs.\nfn f() {}\n").is_empty());
        let readme = "#![doc = include_str!(\"../README.md\")]\n//!\n//! More.\nfn f() {}\n";
        assert!(rules("crates/x/src/lib.rs", readme).is_empty());
    }

    #[test]
    fn tidy_rejects_references_outside_the_repository_and_bare_cpython_issues() {
        let rust =
            |doc: &str| rules("crates/x/src/a.rs", &format!("//! Docs.\n{doc}\nfn f() {{}}\n"));
        assert_eq!(rust("/// As spec §5.7 says."), [OUTSIDE_REFERENCE]);
        assert_eq!(rust("//! See `shared/bench/WORKLOADS.md`."), [OUTSIDE_REFERENCE]);
        assert_eq!(rust("/// all 1200 (spec\n/// §5.7)."), [OUTSIDE_REFERENCE]);
        assert_eq!(rust("    /// Fixed by gh-121544."), [BARE_CPYTHON_ISSUE]);
        assert_eq!(rust("/// Since (bpo-20311)."), [BARE_CPYTHON_ISSUE]);
        assert_eq!(
            rust("/// [gh-1](https://github.com/python/cpython/issues/1) and bpo-2."),
            [BARE_CPYTHON_ISSUE]
        );
        // Links pass, and so do code comments, longer words and unnumbered prefixes.
        assert!(
            rust("/// [gh-121544](https://github.com/python/cpython/issues/121544).").is_empty()
        );
        assert!(rust("/// [bpo-20311](https://bugs.python.org/issue20311)").is_empty());
        assert!(rust("// spec §5.7, gh-121544: a code comment, not docs.").is_empty());
        assert!(rust("/// A high-1 sigh-2 and a gh- prefix.").is_empty());
        let markdown = |text: &str| -> Vec<&str> {
            check_markdown_file("docs/x.md", text).into_iter().map(|v| v.rule).collect()
        };
        assert_eq!(
            markdown("# X\n\nAs spec §1.2 and gh-8865 say.\n"),
            [OUTSIDE_REFERENCE, BARE_CPYTHON_ISSUE]
        );
        assert!(markdown("[gh-8865](https://github.com/python/cpython/issues/8865)\n").is_empty());
    }

    #[test]
    fn tidy_rejects_target_os_outside_the_allowed_places() {
        let sample = "//! Docs.\n#[cfg(target_os = \"linux\")]\nfn f() {}\n";
        assert_eq!(rules("crates/select-poll/src/conv.rs", sample), [TARGET_OS]);
        assert_eq!(rules("facade/src/lib.rs", sample), [TARGET_OS]);
        assert_eq!(rules("crates/select-conformance/src/tests.rs", sample), [TARGET_OS]);
        // Allowed: the selection file, build scripts, and a backend root's gate line only.
        assert!(rules("facade/src/sys.rs", sample).is_empty());
        assert!(rules("crates/select-kqueue/build.rs", sample).is_empty());
        assert!(rules("build.rs", sample).is_empty());
        // Only a file named exactly build.rs is a build script.
        assert_eq!(rules("crates/select-kqueue/rebuild.rs", sample), [TARGET_OS]);
        assert_eq!(rules("xtask/src/prebuild.rs", sample), [TARGET_OS]);
        let root = "//! Docs.\n//! More.\n#![cfg(any(target_os = \"linux\", target_os = \"android\"))]\nmod a;\n";
        assert!(rules("crates/select-epoll/src/lib.rs", root).is_empty());
        let second = format!("{root}#[cfg(target_os = \"linux\")]\nmod b;\n");
        assert_eq!(rules("crates/select-epoll/src/lib.rs", &second), [TARGET_OS]);
        // The gate is the crate root's privilege, not any lib.rs's.
        assert_eq!(rules("facade/src/lib.rs", root), [TARGET_OS]);
        assert_eq!(rules("crates/select-epoll/src/sub/src/lib.rs", root), [TARGET_OS]);
        // Only the backend crates have a gate: the core and the suite run everywhere.
        assert_eq!(rules("crates/select-core/src/lib.rs", root), [TARGET_OS]);
        assert_eq!(rules("crates/select-conformance/src/lib.rs", root), [TARGET_OS]);
        for backend in ["select-poll", "select-kqueue", "select-devpoll"] {
            assert!(rules(&format!("crates/{backend}/src/lib.rs"), root).is_empty());
        }
        // A gate that rustfmt wrapped is still the gate, and only it.
        let wrapped = "//! Docs.\n#![cfg(any(\n    target_os = \"macos\",\n    target_os = \"freebsd\"\n))]\n#[cfg(target_os = \"macos\")]\nmod c;\n";
        assert_eq!(
            check_rust_file("crates/select-kqueue/src/lib.rs", wrapped)
                .iter()
                .map(|v| v.line)
                .collect::<Vec<_>>(),
            [6]
        );
    }

    #[test]
    fn tidy_rejects_unsafe_outside_sys_rs() {
        let sample = "//! Docs.\nfn f() {\n    // SAFETY: fine.\n    unsafe { g() }\n}\n";
        assert_eq!(rules("crates/select-epoll/src/lib.rs", sample), [UNSAFE_OUTSIDE_SYS]);
        assert!(rules("crates/select-epoll/src/sys.rs", sample).is_empty());
        let allow = "//! Docs.\n#![allow(unsafe_code)]\n";
        assert_eq!(rules("crates/select-poll/src/lib.rs", allow), [UNSAFE_OUTSIDE_SYS]);
        let tight = "//! Docs.\nfn f() {\n    // SAFETY: fine.\n    unsafe{ g() }\n}\n";
        assert_eq!(rules("crates/select-epoll/src/lib.rs", tight), [UNSAFE_OUTSIDE_SYS]);
        let unsafe_fn = "//! Docs.\npub unsafe fn f() {}\n";
        assert_eq!(rules("crates/select-poll/src/conv.rs", unsafe_fn), [UNSAFE_OUTSIDE_SYS]);
        // The lint attribute that forbids unsafe code is not unsafe code.
        assert!(
            rules("crates/select-poll/src/lib.rs", "//! Docs.\n#![forbid(unsafe_code)]\n")
                .is_empty()
        );
    }

    #[test]
    fn tidy_rejects_ignored_and_should_panic_tests() {
        let ignored = "//! Docs.\n#[test]\n#[ignore]\nfn t() {}\n";
        assert_eq!(rules("crates/select-poll/src/tests.rs", ignored), [IGNORED_TEST]);
        let reason = "//! Docs.\n#[test]\n#[ignore = \"slow\"]\nfn t() {}\n";
        assert_eq!(rules("crates/select-poll/src/tests.rs", reason), [IGNORED_TEST]);
        let panics = "//! Docs.\n#[test]\n#[should_panic]\nfn t() {}\n";
        assert_eq!(rules("facade/tests/it/main.rs", panics), [IGNORED_TEST]);
    }

    /// A consistent set of the files [`check_os_lists`] reads, with `edit` applied to one.
    fn os_list_sample(edit: (&str, &str, &str)) -> impl Fn(&str) -> String {
        let files: Vec<(&str, String)> = vec![
            ("crates/select-epoll/src/lib.rs", "//! E.\n#![cfg(any(target_os = \"linux\", target_os = \"android\"))]\n".into()),
            ("crates/select-kqueue/src/lib.rs", "//! K.\n#![cfg(any(\n    target_os = \"macos\",\n    target_os = \"freebsd\"\n))]\nmod a;\n".into()),
            ("crates/select-kqueue/build.rs", "//! B.\nfn main() { cfg_aliases! { apple: { any(target_os = \"macos\") }, freebsd: { target_os = \"freebsd\" }, } }\n".into()),
            ("crates/select-devpoll/src/lib.rs", "//! D.\n#![cfg(any(target_os = \"illumos\", test))]\n".into()),
            ("crates/select-devpoll/build.rs", "//! B.\nfn main() { cfg_aliases! { devpoll: { any(target_os = \"illumos\") }, } }\n".into()),
            ("crates/select-poll/build.rs", "//! B.\nfn main() { cfg_aliases! {\n linux_kernel: { any(target_os = \"linux\", target_os = \"android\") },\n rustix_select: { any(linux_kernel, target_os = \"macos\", target_os = \"freebsd\") },\n } }\n".into()),
            ("facade/Cargo.toml", "[dependencies]\nselect-poll.workspace = true\n\n[target.'cfg(any(target_os = \"linux\", target_os = \"android\"))'.dependencies]\nselect-epoll.workspace = true\n\n[target.'cfg(any(target_os = \"macos\", target_os = \"freebsd\"))'.dependencies]\nselect-kqueue.workspace = true\n\n[target.'cfg(target_os = \"illumos\")'.dependencies]\nselect-devpoll = { workspace = true }\n".into()),
            ("facade/build.rs", "//! B.\nfn main() { cfg_aliases! {\n epoll_os: { any(target_os = \"linux\", target_os = \"android\") },\n kqueue_os: { any(target_os = \"macos\", target_os = \"freebsd\") },\n devpoll_os: { any(target_os = \"illumos\") },\n apple: { any(target_os = \"macos\") },\n } }\n".into()),
        ];
        let (path, from, to) = edit;
        move |wanted: &str| {
            let text = files.iter().find(|(p, _)| *p == wanted).map(|(_, t)| t.clone());
            let text = text.unwrap_or_default();
            if wanted == path { text.replacen(from, to, 1) } else { text }
        }
    }

    fn os_list_violations(edit: (&str, &str, &str)) -> Vec<(String, usize)> {
        check_os_lists(os_list_sample(edit)).into_iter().map(|v| (v.path, v.line)).collect()
    }

    #[test]
    fn tidy_rejects_os_lists_that_drift_in_either_direction() {
        assert!(os_list_violations(("", "", "")).is_empty(), "the consistent sample");
        // The facade lacks a system the backend's gate has (it would silently fall back).
        let facade =
            ("facade/build.rs", ", target_os = \"freebsd\") },\n devpoll", ") },\n devpoll");
        assert_eq!(os_list_violations(facade), [("facade/build.rs".to_owned(), 4)]);
        // The gate gains a system the facade and the build scripts lack.
        let gate = (
            "crates/select-kqueue/src/lib.rs",
            "\"freebsd\"\n",
            "\"freebsd\",\n    target_os = \"netbsd\"\n",
        );
        let mut found = os_list_violations(gate);
        found.sort();
        assert_eq!(found.len(), 4, "{found:?}");
        // The facade names a system the gate does not have.
        let extra = (
            "facade/build.rs",
            "devpoll_os: { any(",
            "devpoll_os: { any(target_os = \"solaris\", ",
        );
        assert_eq!(os_list_violations(extra), [("facade/build.rs".to_owned(), 5)]);
        // select-poll's list of rustix's select systems, and the two `apple` aliases.
        let poll = ("crates/select-poll/build.rs", ", target_os = \"freebsd\") },\n }", ") },\n }");
        assert_eq!(os_list_violations(poll), [("crates/select-poll/build.rs".to_owned(), 4)]);
        let apple = (
            "crates/select-kqueue/build.rs",
            "apple: { any(target_os = \"macos\") }",
            "apple: { any(target_os = \"macos\", target_os = \"ios\") }",
        );
        assert_eq!(os_list_violations(apple).len(), 2, "the build script and the facade's apple");
        // The facade's dependency tables: one that drifts, and one that is gone.
        let table = ("facade/Cargo.toml", ", target_os = \"freebsd\"))'", "))'");
        assert_eq!(os_list_violations(table), [("facade/Cargo.toml".to_owned(), 7)]);
        // The illumos table becomes a second unconditional one.
        let unconditional = (
            "facade/Cargo.toml",
            "[target.'cfg(target_os = \"illumos\")'.dependencies]",
            "[dependencies]",
        );
        assert_eq!(os_list_violations(unconditional), [("facade/Cargo.toml".to_owned(), 1)]);
        let epoll_everywhere = (
            "facade/Cargo.toml",
            "[target.'cfg(any(target_os = \"linux\", target_os = \"android\"))'.dependencies]",
            "[dependencies]",
        );
        assert_eq!(os_list_violations(epoll_everywhere), [("facade/Cargo.toml".to_owned(), 1)]);
        // A renamed alias is not a vacuous pass.
        let renamed = ("facade/build.rs", "kqueue_os:", "kq_os:");
        assert_eq!(os_list_violations(renamed), [("facade/build.rs".to_owned(), 1)]);
    }

    #[test]
    fn tidy_rejects_a_facade_missing_a_backend() {
        let backends = vec!["select-epoll".to_owned(), "select-poll".to_owned()];
        let manifest = "[dependencies]\nselect-poll.workspace = true\n";
        let violations = check_facade_dependencies(&backends, manifest);
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].rule, FACADE_DEPENDENCY);
        let full = "[dependencies]\nselect-poll.workspace = true\nselect-epoll.workspace = true\n";
        assert!(check_facade_dependencies(&backends, full).is_empty());
    }
}
