//! The memory allocator's settings for a process that runs executions: sfn-play, and the
//! native runner of `make bench` (both depend on this crate), so that what the
//! benchmark measures is what sfn-play does.
//!
//! An execution allocates a JSON value or two at every step and keeps its history until it
//! ends. glibc's malloc by default gives the freed top of its heap back to the system as soon
//! as it passes 128 KiB, and serves blocks over 128 KiB (a history block) from fresh mappings,
//! so every execution after the first faults its pages in again. A process that runs
//! executions keeps them instead. Measured with make bench's loop of 100,000 iterations
//! (2026-11-27): 76 ms -> 59 ms; 10,000 iterations 7.6 ms -> 6.2 ms. mimalloc, used before,
//! was as fast on short runs but its transparent huge pages made long ones slow and uneven
//! on this kind of virtual machine (93-128 ms at 100,000 iterations).

/// Call first thing in `main`, before any thread starts.
pub fn configure() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets malloc's parameters; no other thread exists yet.
    unsafe {
        // The largest threshold glibc accepts on 64-bit systems.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
        // No "fast bins": freeing any block of 64 KiB or more (a grown vector's old buffer)
        // makes glibc sort every small block in them back into its lists, which was a fifth
        // of a Map's time. Small blocks still go through the per-thread cache.
        libc::mallopt(libc::M_MXFAST, 0);
    }
}
