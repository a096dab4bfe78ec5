//! The import graph between the top-level modules of `src/`, and the
//! cycles in it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::source::{File, references};

/// Where an edge was seen first: `src/ui/mod.rs:40`.
pub type Evidence = String;

/// Module → modules it names → where it names them first.
pub type Graph = BTreeMap<String, BTreeMap<String, Evidence>>;

/// The graph of `files`: an edge A → B when a file of top-level module A
/// names top-level module B (B ≠ A). Only names of modules that exist count
/// (`crate::VERSION` is not a module).
pub fn import_graph(files: &[File]) -> Graph {
    let modules: BTreeSet<String> = files.iter().filter_map(File::top_module).collect();
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeMap::new()))
        .collect();
    for f in files {
        let Some(from) = f.top_module() else { continue };
        for r in references(f) {
            if r.module != from && modules.contains(&r.module) {
                let seen = format!("{}:{}", f.path, r.line);
                graph
                    .get_mut(&from)
                    .expect("every module has an entry")
                    .entry(r.module)
                    .or_insert(seen);
            }
        }
    }
    graph
}

/// The strongly connected components with more than one module, each
/// sorted, in order of their first module: every one holds a cycle.
pub fn tangles(graph: &Graph) -> Vec<Vec<String>> {
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for next in graph.get(&m).into_iter().flat_map(BTreeMap::keys) {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reach(m))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for m in graph.keys() {
        if done.contains(m) || !reachable[m].contains(m) {
            continue;
        }
        let scc: Vec<String> = graph
            .keys()
            .filter(|o| reachable[m].contains(*o) && reachable[*o].contains(m))
            .cloned()
            .collect();
        done.extend(scc.iter().cloned());
        out.push(scc);
    }
    out
}

/// A shortest cycle through `start` that stays inside `within`, as the list
/// of modules with `start` at both ends.
pub fn shortest_cycle(graph: &Graph, start: &str, within: &[String]) -> Vec<String> {
    let mut came_from: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = VecDeque::from([start.to_string()]);
    while let Some(m) = queue.pop_front() {
        for next in graph[&m].keys().filter(|n| within.contains(n)) {
            if next == start {
                // Walk back from `m` to `start`, then close the loop.
                let mut path = vec![m.clone()];
                while let Some(prev) = came_from.get(&path[path.len() - 1]) {
                    path.push(prev.clone());
                }
                path.reverse();
                path.push(start.to_string());
                return path;
            }
            if !came_from.contains_key(next) && next != start {
                came_from.insert(next.clone(), m.clone());
                queue.push_back(next.clone());
            }
        }
    }
    Vec::new()
}

/// Every tangle in words: its modules, a shortest cycle, and each edge
/// inside it with the file and line that makes it (the places to cut).
pub fn describe(graph: &Graph) -> Vec<String> {
    tangles(graph)
        .iter()
        .map(|scc| {
            let cycle = shortest_cycle(graph, &scc[0], scc);
            let mut text = format!(
                "cycle {} (modules tangled together: {})",
                cycle.join(" -> "),
                scc.join(", ")
            );
            for from in scc {
                for (to, at) in graph[from].iter().filter(|(to, _)| scc.contains(to)) {
                    text.push_str(&format!("\n    {from} -> {to}: {at}"));
                }
            }
            text
        })
        .collect()
}
