import FailoverRuntime
import Synchronization
import VRRPWire

/// The runtime's advertisement port on real sockets: one shared raw socket per
/// interface and family (leased from a `VRRPSocketPool`), joined to the
/// multicast groups the plan's instances use. Every socket is watched by the
/// `EngineThread`, which reads it when it is readable and hands what it read to the
/// receiver (`onReceive`) in the same wake-up: in the daemon, straight to the engine.
public final class LinuxVRRPTransport: AdvertisementSender, Sendable {
    private struct Key: Hashable { var interface: String; var family: AddressFamily }

    /// Called on the engine thread with each socket's read: its packets, in arrival
    /// order, and the count of datagrams that could not be made packets.
    public typealias Receiver = @Sendable (_ packets: [InboundPacket], _ malformed: Int) -> Void

    private let pool = VRRPSocketPool()
    private let leases = Mutex<[Key: VRRPSocketPool.Lease]>([:])
    private let thread: EngineThread
    /// The receiver, in a class: taking a closure with arguments out of `Mutex.withLock`
    /// by value went wrong in optimized builds of this toolchain — one wake-up's copy
    /// of it was never released (32 bytes and a reference to the receiver per read,
    /// for the daemon's lifetime); a class reference comes out as it is.
    private let receiver = Mutex<ReceiverBox?>(nil)

    private final class ReceiverBox: Sendable {
        let receive: Receiver
        init(_ receive: @escaping Receiver) { self.receive = receive }
    }

    public init(thread: EngineThread) {
        self.thread = thread
    }

    /// Where received packets go from now on (packets read before this are dropped).
    public func onReceive(_ receiver: @escaping Receiver) {
        let box = ReceiverBox(receiver)
        self.receiver.withLock { $0 = box }
    }

    /// Opens (or keeps) the sockets the plan needs; idempotent, so reload and a
    /// link appearing call it again. Returns the sockets that could not be opened
    /// (an interface that does not exist yet): the caller retries when it appears,
    /// so a late interface never leaves an instance deaf (keepalived #2259).
    /// Sockets no longer needed stay open until `close()`.
    @discardableResult
    public func open(for plan: RuntimePlan) -> [LinuxNetworkingError] {
        var failures: [LinuxNetworkingError] = []
        var wanted: [Key: Set<IPAddress>] = [:]
        for instance in plan.instances {
            let key = Key(interface: instance.interface, family: instance.router.family)
            let groups = instance.unicastPeers.isEmpty ? Set(instance.destinations) : []
            wanted[key, default: []].formUnion(groups)
        }
        for (key, groups) in wanted {
            let isNew = leases.withLock { $0[key] == nil }
            guard isNew else { continue }
            let lease: VRRPSocketPool.Lease
            do {
                lease = try pool.lease(interface: key.interface, family: key.family, groups: Array(groups))
            } catch let error as LinuxNetworkingError {
                failures.append(error)
                continue
            } catch {
                failures.append(.systemCall(name: "socket", errno: 0, context: "\(error)"))
                continue
            }
            leases.withLock { $0[key] = lease }
            lease.socket.read(on: thread) { [weak self] packets, malformed in
                self?.deliver(packets, malformed: malformed)
            }
        }
        return failures
    }

    /// Hands one socket's read to the receiver (on the engine thread, per wake-up).
    func deliver(_ packets: [InboundPacket], malformed: Int) {
        receiver.withLock { $0 }?.receive(packets, malformed)
    }

    public func send(_ payload: [UInt8], interface: String, source: IPAddress, destination: IPAddress) throws {
        let key = Key(interface: interface, family: destination.family)
        guard let lease = leases.withLock({ $0[key] }) else {
            throw LinuxNetworkingError.noSuchInterface(interface)
        }
        try lease.socket.send(payload, to: destination, options: .init(hopLimit: Advertisement.requiredTTL, sourceAddress: source))
    }

    /// The adverts of one tick in as few `sendmmsg` calls as their sockets allow: each
    /// run of adverts for the same socket is one `VRRPSocket.send(batch:)`, in order.
    public func send(batch: [OutgoingAdvertisement]) -> [(index: Int, error: any Error)] {
        send(batch: batch, rehearsal: false)
    }

    /// The path of `send(batch:)`, with `MSG_PROBE`: nothing reaches the wire.
    public func rehearseSend(_ payload: [UInt8], interface: String, source: IPAddress, destination: IPAddress) {
        _ = send(batch: [OutgoingAdvertisement(payload: payload, interface: interface, source: source, destination: destination)],
                 rehearsal: true)
    }

    private func send(batch: [OutgoingAdvertisement], rehearsal: Bool) -> [(index: Int, error: any Error)] {
        var failures: [(index: Int, error: any Error)] = []
        var start = 0
        while start < batch.count {
            let key = Key(interface: batch[start].interface, family: batch[start].destination.family)
            var end = start + 1
            while end < batch.count, batch[end].interface == key.interface, batch[end].destination.family == key.family { end += 1 }
            if let lease = leases.withLock({ $0[key] }) {
                let messages = batch[start..<end].map {
                    VRRPSocket.OutgoingMessage(payload: $0.payload, destination: $0.destination, source: $0.source)
                }
                if rehearsal {
                    lease.socket.rehearseSend(batch: messages)
                } else {
                    for failure in lease.socket.send(batch: messages) { failures.append((start + failure.index, failure.error)) }
                }
            } else {
                for index in start..<end { failures.append((index, LinuxNetworkingError.noSuchInterface(key.interface))) }
            }
            start = end
        }
        return failures
    }

    /// Stops watching and closes every socket.
    public func close() {
        let all = leases.withLock { l -> [VRRPSocketPool.Lease] in defer { l = [:] }; return Array(l.values) }
        for lease in all { lease.release() }
    }
}
