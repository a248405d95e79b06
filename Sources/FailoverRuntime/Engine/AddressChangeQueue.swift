import Dispatch

/// Where the engine's address changes run: the kernel work of a transition — adding
/// or removing a group's VIPs and announcing them — which for a large group takes far
/// longer than the advert interval (about half a second for 1,000 IPv6 VIPs).
///
/// `.background` runs the changes on a serial queue of their own, in the order the
/// engine submitted them, while the engine goes on sending adverts and running
/// timers: a backup at 0.1 s takes over after about 0.36 s without adverts, so a
/// master that held its adverts for its own address changes made two masters.
/// Because one serial queue carries every change of every instance, an instance's
/// removal never overtakes its earlier add (or the reverse), a reload's releases
/// run before the claims that follow them, and an announcement runs after the
/// addresses it announces are in place. `settle()` waits until everything submitted
/// so far is done: shutdown uses it so that every VIP is removed before the process
/// exits.
///
/// `.inline` runs each change on the caller, before `submit` returns: the engine's
/// tests use it to assert one ordered log of port calls under a manual clock.
public final class AddressChangeQueue: Sendable {
    /// How changes run.
    public enum Mode: Sendable { case inline, background }

    public let mode: Mode
    private let queue: DispatchQueue?

    public init(_ mode: Mode) {
        self.mode = mode
        queue = mode == .background ? DispatchQueue(label: "ipfailover.address-changes", qos: .userInitiated) : nil
    }

    /// Runs `change` after every change submitted before it.
    func submit(_ change: @escaping @Sendable () -> Void) {
        guard let queue else { return change() }
        queue.async(execute: change)
    }

    /// Returns once every change submitted before this call has run.
    public func settle() async {
        guard let queue else { return }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async { done.resume() }
        }
    }
}
