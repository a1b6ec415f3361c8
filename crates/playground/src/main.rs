//! The playground page's entry point (trunk builds it together with the `worker` binary).

fn main() {
    leptos::mount::mount_to_body(sfn_playground::app::App);
}
