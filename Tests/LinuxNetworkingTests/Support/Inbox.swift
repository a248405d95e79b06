import Synchronization

/// Collects an AsyncStream's elements so a test can await them one by one with a
/// hang guard, without cancelling (and so finishing) the stream on timeout.
final class Inbox<Element: Sendable>: Sendable {
    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }

    private struct State {
        var items: [Element] = []
        var cursor = 0
        var waiter: CheckedContinuation<Element?, Never>?
        var waiterID = 0
        var finished = false
    }

    private let state = Mutex(State())

    init(_ stream: AsyncStream<Element>) {
        Task { [weak self] in
            for await element in stream {
                guard let self else { return }
                self.push(element)
            }
            self?.finish()
        }
    }

    private func push(_ element: Element) {
        let waiter: CheckedContinuation<Element?, Never>? = state.withLock { s in
            if let w = s.waiter {
                s.waiter = nil
                s.items.append(element)
                s.cursor = s.items.count
                return w
            }
            s.items.append(element)
            return nil
        }
        waiter?.resume(returning: element)
    }

    private func finish() {
        let waiter = state.withLock { s in s.finished = true; defer { s.waiter = nil }; return s.waiter }
        waiter?.resume(returning: nil)
    }

    /// Every element received so far.
    var received: [Element] { state.withLock { $0.items } }

    /// The next unread element; throws `TimedOut` after `timeout` (a hang guard, not a measurement).
    func next(_ what: String = "an element", within timeout: Duration = .seconds(10)) async throws -> Element {
        let value: Element? = await withCheckedContinuation { continuation in
            let (ready, id): (Element??, Int) = state.withLock { s in
                if s.cursor < s.items.count {
                    s.cursor += 1
                    return (.some(s.items[s.cursor - 1]), 0)
                }
                if s.finished { return (.some(nil), 0) }
                s.waiter = continuation
                s.waiterID += 1
                return (nil, s.waiterID)
            }
            if let ready { continuation.resume(returning: ready); return }
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                // Only this call's waiter: a stale timer must not wake a later call.
                let waiter = self?.state.withLock { s -> CheckedContinuation<Element?, Never>? in
                    guard s.waiterID == id else { return nil }
                    defer { s.waiter = nil }
                    return s.waiter
                }
                waiter?.resume(returning: nil)
            }
        }
        guard let value else { throw TimedOut(what: what) }
        return value
    }

    /// Reads until an element satisfies `predicate`.
    func next(_ what: String, within timeout: Duration = .seconds(10),
              where predicate: (Element) -> Bool) async throws -> Element {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw TimedOut(what: what) }
            let e = try await next(what, within: remaining)
            if predicate(e) { return e }
        }
    }
}
