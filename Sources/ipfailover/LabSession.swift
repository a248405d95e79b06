import ArgumentParser
import FailoverLab
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// What `ipfailover demo` and `ipfailover lab soak` share around their lab run: the
/// binary the nodes run, live output, and Ctrl-C that stops the run cleanly.
enum LabSession {
    /// `--binary`, else this executable.
    static func binary(_ option: String?) throws -> String {
        guard let binary = option ?? DeploymentScripts.currentExecutable() else {
            throw ValidationError("cannot find this executable (/proc/self/exe); pass --binary")
        }
        return binary
    }

    /// Prints one line of the run's output at once (stdout may be a pipe).
    static func printLine(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// Runs `work` until it ends; SIGINT or SIGTERM cancels it, and the lab's own
    /// cleanup runs before it returns. The work's result, and the signal if one came.
    static func runUntilSignal<T: Sendable>(
        _ work: @escaping @Sendable () async throws -> T
    ) async -> (result: Result<T, any Error>, signal: UnixSignal?) {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        return await withTaskGroup(of: Ending<T>.self) { group in
            group.addTask {
                do { return .finished(.success(try await work())) } catch { return .finished(.failure(error)) }
            }
            group.addTask {
                for await signal in signals { return .signalled(signal) }
                return .signalled(nil)
            }
            var result: Result<T, any Error> = .failure(CancellationError())
            var signal: UnixSignal?
            while let ending = await group.next() {
                switch ending {
                case .finished(let finished): result = finished
                case .signalled(let received): signal = signal ?? received
                }
                // Either way the other task ends: a signal cancels the run, the run's end
                // stops listening for signals.
                group.cancelAll()
            }
            return (result, signal)
        }
    }

    /// How a task of `runUntilSignal` ended: the run with its result, or the wait for a signal.
    private enum Ending<T: Sendable>: Sendable {
        case finished(Result<T, any Error>)
        case signalled(UnixSignal?)
    }
}
