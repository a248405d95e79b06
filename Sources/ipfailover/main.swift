import Dispatch
import Glibc

/// glibc's `mallopt(M_ARENA_MAX, n)`; malloc.h is not part of the Glibc module.
func limitMallocArenas(to count: Int32) {
    let mArenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>
    guard let symbol = dlsym(nil, "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    _ = mallopt(mArenaMax, count)
}

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

// One malloc arena instead of one per thread that ever allocated (glibc allows 8 per
// core): the daemon's threads allocate little and rarely at the same time, and every
// arena keeps its own partly used pages. 255 instances: about -0.1 MiB peak RSS.
limitMallocArenas(to: 1)
runCommandLine()
