import Dispatch
import Glibc
import Synchronization

/// Where the engine's address changes run: the kernel work of a transition — adding
/// or removing a group's VIPs and announcing them — which for a large group takes far
/// longer than the advert interval (about half a second for 1,000 IPv6 VIPs).
///
/// `.background` runs the changes on a thread of their own, in the order the engine
/// submitted them, while the engine goes on sending adverts and running timers: a
/// backup at 0.1 s takes over after about 0.36 s without adverts, so a master that
/// held its adverts for its own address changes made two masters. Because one queue
/// carries every change of every instance, an instance's removal never overtakes its
/// earlier add (or the reverse), a reload's releases run before the claims that follow
/// them, and an announcement runs after the addresses it announces are in place.
/// `settle()` waits until everything submitted so far is done: shutdown uses it so that
/// every VIP is removed before the process exits.
///
/// A thread rather than a Dispatch queue: a change blocks in netlink for as long as the
/// kernel takes, and it must never hold a pool thread that the engine's own work (or a
/// test's) is waiting for. The thread ends when the queue is released and empty.
///
/// `.inline` runs each change on the caller, before `submit` returns: the engine's
/// tests use it to assert one ordered log of port calls under a manual clock.
public final class AddressChangeQueue: Sendable {
    /// How changes run.
    public enum Mode: Sendable { case inline, background }

    /// The changes waiting, shared with the worker thread.
    final class Pending: Sendable {
        let changes = Mutex<(queue: [SendableAction], closed: Bool)>(([], false))
        /// One signal per submitted change, and one when the queue is released.
        let ready = DispatchSemaphore(value: 0)

        /// The worker: runs changes in order until released and empty.
        func run() {
            while true {
                ready.wait()
                let next: SendableAction?? = changes.withLock { state in
                    if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
                    return state.closed ? .none : .some(nil)
                }
                guard let change = next else { return }
                change?.run()
            }
        }
    }

    public let mode: Mode
    private let pending: Pending?

    public init(_ mode: Mode) {
        self.mode = mode
        guard mode == .background else { pending = nil; return }
        let pending = Pending()
        self.pending = pending
        var thread = pthread_t()
        let context = Unmanaged.passRetained(pending).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<Pending>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        // Without a thread (resources exhausted) the changes run inline, still in order.
        guard rc == 0 else {
            Unmanaged<Pending>.fromOpaque(context).release()
            pending.changes.withLock { $0.closed = true }
            return
        }
        pthread_detach(thread)
    }

    deinit {
        guard let pending else { return }
        pending.changes.withLock { $0.closed = true }
        pending.ready.signal()
    }

    /// Runs `change` after every change submitted before it.
    func submit(_ change: @escaping @Sendable () -> Void) {
        guard let pending, pending.changes.withLock({ state -> Bool in
            guard !state.closed else { return false }
            state.queue.append(SendableAction(change))
            return true
        }) else { return change() }
        pending.ready.signal()
    }

    /// Returns once every change submitted before this call has run.
    public func settle() async {
        guard pending != nil else { return }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            submit { done.resume() }
        }
    }
}
