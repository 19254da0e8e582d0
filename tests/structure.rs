//! The crate's shape (issue 11): the top-level modules of `src/` form no import circle.
//! Counted from the `crate::…` paths of each module's code (comments and `#[cfg(test)]`
//! modules left out), so a new circle fails here, naming the files that make it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module of each file under `src/` → the modules its code names, and where.
fn imports() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let module = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib"
            || module == "main"
            || rel.contains("/tests")
            || rel.ends_with("tests.rs")
        {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        // Unit tests may reach anywhere; they are not part of the structure.
        let code = match text.find("#[cfg(test)]\nmod tests") {
            Some(at) => &text[..at],
            None => &text,
        };
        for line in code.lines() {
            let line = line.split("//").next().unwrap_or("");
            for (at, _) in line.match_indices("crate::") {
                let rest = &line[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    graph
                        .entry(module.clone())
                        .or_default()
                        .entry(name)
                        .or_default()
                        .insert(rel.clone());
                }
            }
        }
        graph.entry(module).or_default();
    }
    graph
}

/// A circle through `start`, if there is one (depth-first search).
fn circle_through(
    graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    start: &str,
) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        let here = path.last().cloned().unwrap_or_default();
        for next in graph.get(&here).into_iter().flat_map(|m| m.keys()) {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(graph, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn no_import_circle_between_top_level_modules() {
    let graph = imports();
    assert!(
        graph.contains_key("model") && graph.contains_key("render"),
        "{graph:?}"
    );
    for module in graph.keys() {
        if let Some(circle) = circle_through(&graph, module) {
            let mut why = Vec::new();
            for (i, from) in circle.iter().enumerate() {
                let to = &circle[(i + 1) % circle.len()];
                why.push(format!("{from} → {to} in {:?}", graph[from][to]));
            }
            panic!("import circle {circle:?}:\n{}", why.join("\n"));
        }
    }
}

#[test]
fn the_model_and_base_reach_no_later_stage() {
    // Data and helpers at the bottom: they may not name any stage that uses them.
    let graph = imports();
    let allowed: &[(&str, &[&str])] = &[
        ("base", &[]),
        ("images", &["base"]),
        ("model", &["base", "images"]),
    ];
    for (module, may) in allowed {
        let names: Vec<&String> = graph[*module]
            .keys()
            .filter(|n| !may.contains(&n.as_str()))
            .collect();
        assert!(
            names.is_empty(),
            "{module} names {names:?}: {:?}",
            graph[*module]
        );
    }
}

#[test]
fn the_checker_finds_a_circle() {
    // The check itself can fail: a made-up graph with a circle is found.
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        graph
            .entry(a.into())
            .or_default()
            .entry(b.into())
            .or_default();
        graph.entry(b.into()).or_default();
    }
    assert_eq!(
        circle_through(&graph, "a"),
        Some(vec!["a".into(), "b".into(), "c".into()])
    );
    assert_eq!(circle_through(&graph, "d"), None);
}
