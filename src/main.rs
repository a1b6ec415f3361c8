//! Placeholder for the web playground. The UI issue replaces this with the Leptos app; until
//! then it only proves the engine links into the root package.

fn main() {
    println!("sfn-playground: the web app is not built yet; use the `sfn-play` CLI");
}
