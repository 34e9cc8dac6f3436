//! A whole GraphQL request through the real router: the first byte picks
//! the caller (anonymous, a village VIEWER, the region ADMIN) and JSON or
//! multipart; the rest is the body.
#![no_main]

use std::sync::OnceLock;

use grassroots::fuzzing::GraphqlHarness;
use libfuzzer_sys::fuzz_target;

static HARNESS: OnceLock<GraphqlHarness> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let harness = HARNESS.get_or_init(|| match GraphqlHarness::new() {
        Ok(h) => h,
        Err(e) => panic!("the harness cannot start: {e}"),
    });
    harness.run(data);
});
