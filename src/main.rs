//! Placeholder for the web playground. The UI issue replaces this with the Leptos app; until
//! then it only proves the engine links into the root package.

// Share links, saved work and the examples menu; the app wires them into the page. Until it
// does, nothing calls them outside their tests.
#[allow(dead_code)]
mod examples;
#[allow(dead_code)]
mod share;
#[allow(dead_code)]
mod storage;

fn main() {
    println!("sfn-playground: the web app is not built yet; use the `sfn-play` CLI");
}
