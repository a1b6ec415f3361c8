//! Fuzz target `share`: the web app's share-link decoder (`sfn_playground_data::share`, a crate
//! without the app's web stack). Any fragment decodes or fails with a message;
//! whatever decodes encodes back to a link that decodes to the same work.
#![no_main]

use sfn_playground_data::share;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = share::is_share_fragment(&text);
    // As typed, and as a v1 link with the fuzzed bytes as its data.
    for fragment in [text.to_string(), format!("#v1:{text}")] {
        match share::decode(&fragment) {
            Err(e) => assert!(!e.to_string().is_empty()),
            Ok(work) => {
                let again = share::encode(&work).expect("decoded work encodes");
                assert_eq!(share::decode(&again).as_ref(), Ok(&work));
            }
        }
    }
});
