import CLinuxShim
import Glibc
import VRRPWire

/// Many VIPs at once — a group of 1,000 moving on one transition. One address at a
/// time cost one netlink round trip and one state-file rewrite each; here the state
/// file is written once per batch and the netlink requests are pipelined.
extension AddressManager {
    /// Adds many VIPs (a group's addresses on a transition to MASTER): one state-file
    /// write before the adds, and the netlink requests pipelined (`NetlinkSocket.requests`)
    /// instead of one round trip each. Returns each VIP's outcome in order; a VIP that
    /// fails does not stop the others. Throws only when the state file cannot be
    /// written, and then adds nothing (a VIP is recorded before it exists).
    ///
    /// `applied` is called with the indices (into `vips`) of the VIPs each netlink
    /// window put in place (added or already present), as soon as its ACKs are in:
    /// a group of 1,000 VIPs can be announced window by window while the next window
    /// is added. Every VIP that ends up in place is reported exactly once. `applied`
    /// runs while this manager's netlink socket is held: it must not call the manager.
    public func add(contentsOf vips: [VirtualAddress],
                    applied: ([Int]) -> Void = { _ in }) throws -> [Result<AddOutcome, LinuxNetworkingError>] {
        guard !vips.isEmpty else { return [] }
        try recordingFile?.insert(contentsOf: vips)
        return batch(vips, afterWindow: { Self.report($0, $1, inPlaceTo: applied) }) { vip, index in
            addRequest(vip, index: index)
        }.map { outcome in
            switch outcome {
            case .success: .success(.added)
            case .failure(.netlink(_, EEXIST, _)): .success(.alreadyPresent)
            case .failure(let error): .failure(error)
            }
        }
    }

    /// The add path of a takeover with nothing added: interface indexes looked up,
    /// each VIP's RTM_NEWADDR encoded and dropped, and in its place an RTM_GETLINK of
    /// the VIP's interface — a request the kernel answers and that changes nothing —
    /// pipelined and collected window by window, each window reported to `applied`
    /// as an add's would be. No request here can put an address anywhere.
    /// `TakeoverRehearsal` runs it at start-up, so a backup's first takeover does not
    /// pay this path's one-time costs (code faulted in, metadata instantiated).
    public func rehearseAdd(contentsOf vips: [VirtualAddress], applied: ([Int]) -> Void) {
        _ = batch(vips, afterWindow: { Self.report($0, $1, inPlaceTo: applied) }) { vip, index in
            _ = addRequest(vip, index: index)
            return NetlinkSocket.Request(type: UInt16(RTM_GETLINK), flags: 0, payload: Self.ifinfomsg(index: index),
                                         operation: "RTM_GETLINK if#\(index)")
        }
    }

    /// Hands `applied` the indices of a window now in place (added, or already present).
    private static func report(_ indices: [Int], _ outcomes: [Result<Void, LinuxNetworkingError>],
                               inPlaceTo applied: ([Int]) -> Void) {
        let inPlace = zip(indices, outcomes).compactMap { index, outcome -> Int? in
            switch outcome {
            case .success, .failure(.netlink(_, EEXIST, _)): index
            case .failure: nil
            }
        }
        if !inPlace.isEmpty { applied(inPlace) }
    }

    /// Removes many VIPs with pipelined netlink requests and one state-file write
    /// after them. Each outcome is true when the VIP was removed, false when it was
    /// not on the interface. The state file forgets every VIP that is gone either way.
    public func remove(contentsOf vips: [VirtualAddress]) throws -> [Result<Bool, LinuxNetworkingError>] {
        guard !vips.isEmpty else { return [] }
        let outcomes: [Result<Bool, LinuxNetworkingError>] = batch(vips) { vip, index in
            removeRequest(vip.address, prefixLength: vip.prefixLength, interfaceIndex: index)
        }.map { outcome in
            switch outcome {
            case .success: .success(true)
            case .failure(.netlink(_, EADDRNOTAVAIL, _)): .success(false)
            case .failure(let error): .failure(error)
            }
        }
        let gone = zip(vips, outcomes).compactMap { vip, outcome -> (address: IPAddress, interface: String)? in
            if case .success = outcome { (vip.address, vip.interface) } else { nil }
        }
        try recordingFile?.remove(contentsOf: gone)
        return outcomes
    }

    /// Sends one request per VIP as a pipelined batch. An interface the kernel no
    /// longer knows by its cached index (recreated: ENODEV) is looked up again and
    /// its requests retried once; a name that does not resolve fails its VIPs.
    /// `afterWindow` gets the VIP indices and outcomes of each netlink window, except
    /// the ENODEV outcomes that are retried (those come with the retry's window).
    private func batch(_ vips: [VirtualAddress],
                       afterWindow: ([Int], [Result<Void, LinuxNetworkingError>]) -> Void = { _, _ in },
                       _ makeRequest: (VirtualAddress, Int32) -> NetlinkSocket.Request) -> [Result<Void, LinuxNetworkingError>] {
        var outcomes = [Result<Void, LinuxNetworkingError>](repeating: .success(()), count: vips.count)
        var retried: Set<String> = []
        var todo = Array(vips.indices)
        while !todo.isEmpty {
            var indices: [String: Result<Int32, LinuxNetworkingError>] = [:]
            for name in Set(todo.map { vips[$0].interface }) {
                if let cached = indexCache.withLock({ $0[name] }) { indices[name] = .success(cached); continue }
                do {
                    let index = try interfaceIndex(of: name)
                    indexCache.withLock { $0[name] = index }
                    indices[name] = .success(index)
                } catch let error as LinuxNetworkingError {
                    indices[name] = .failure(error)
                } catch {
                    indices[name] = .failure(.noSuchInterface(name))
                }
            }
            var sendable: [Int] = []
            for i in todo {
                switch indices[vips[i].interface]! {
                case .success: sendable.append(i)
                case .failure(let error): outcomes[i] = .failure(error)
                }
            }
            let requests = sendable.map { i -> NetlinkSocket.Request in
                guard case .success(let index) = indices[vips[i].interface]! else { preconditionFailure() }
                return makeRequest(vips[i], index)
            }
            let retry = retried
            func window(_ range: Range<Int>, _ results: ArraySlice<Result<[NetlinkMessage], LinuxNetworkingError>>) {
                var indices: [Int] = [], outcomes: [Result<Void, LinuxNetworkingError>] = []
                for (position, result) in zip(range, results) {
                    let i = sendable[position]
                    if case .failure(.netlink(_, ENODEV, _)) = result, !retry.contains(vips[i].interface) { continue }
                    indices.append(i)
                    outcomes.append(result.map { _ in () })
                }
                afterWindow(indices, outcomes)
            }
            let results: [Result<[NetlinkMessage], LinuxNetworkingError>]
            do { results = try netlink.requests(requests, afterWindow: window) } catch {
                let failure = error as? LinuxNetworkingError ?? .systemCall(name: "netlink", errno: EIO, context: "\(error)")
                for i in sendable { outcomes[i] = .failure(failure) }
                return outcomes
            }
            var again: [Int] = []
            for (i, result) in zip(sendable, results) {
                if case .failure(.netlink(_, ENODEV, _)) = result, !retried.contains(vips[i].interface) {
                    again.append(i)
                } else {
                    outcomes[i] = result.map { _ in () }
                }
            }
            for name in Set(again.map { vips[$0].interface }) {
                retried.insert(name)
                indexCache.withLock { $0[name] = nil }
            }
            todo = again
        }
        return outcomes
    }
}
