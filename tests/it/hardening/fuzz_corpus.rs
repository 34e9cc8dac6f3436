//! Every saved fuzzing input (`fuzz/corpus/<target>/`) replayed once
//! through the code its target fuzzes (`grassroots::fuzzing`): what a
//! fuzzer once found stays fixed, in every CI run.

use std::path::Path;

use grassroots::fuzzing::{read_file, GraphqlHarness};
use grassroots::import::Format;

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    files
        .iter()
        .map(|f| std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display())))
        .collect()
}

#[test]
fn the_reader_corpora_replay_without_a_crash() {
    for data in inputs("read_csv") {
        read_file(&data, Format::Csv);
    }
    for data in inputs("read_xlsx") {
        read_file(&data, Format::Xlsx);
    }
}

#[test]
fn the_graphql_corpus_replays_without_a_crash() {
    let harness = GraphqlHarness::new().expect("harness");
    for data in inputs("graphql_request") {
        harness.run(&data);
    }
}
