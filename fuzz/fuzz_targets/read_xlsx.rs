//! The xlsx reader of imports, on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    grassroots::fuzzing::read_file(data, grassroots::import::Format::Xlsx);
});
