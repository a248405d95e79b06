import Dispatch

/// Runs the command line on the concurrency pool while the main thread waits.
///
/// An `async` `@main` ends the main thread with `dispatch_main()`, which calls
/// `pthread_exit`: glibc then unwinds the main thread's stack, reading
/// `.eh_frame_hdr`/`.eh_frame` through the unwinder, and the daemon keeps ~0.5 MiB
/// of those pages resident for nothing (peak RSS, docs/daemon.md "Memory"). Nothing
/// here runs on the main actor, so the main queue need not be drained.
/// `IPFailover.main()` exits the process itself.
func runCommandLine() {
    let finished = DispatchSemaphore(value: 0)
    Task.detached {
        await IPFailover.main()
        finished.signal()
    }
    finished.wait()
}

runCommandLine()
