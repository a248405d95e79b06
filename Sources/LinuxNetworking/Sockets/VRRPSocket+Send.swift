import CLinuxShim
import Glibc
import VRRPWire

extension VRRPSocket {
    /// Sends one VRRP message to `destination` (the group, or one unicast peer).
    /// The TTL/hop limit and source are set per packet, so a shared socket can
    /// serve instances with different `unicast_src_ip`s.
    public func send(_ payload: [UInt8], to destination: IPAddress, options: SendOptions = SendOptions()) throws {
        try send(payload, to: destination, options: options, flags: 0)
    }

    /// Everything `send` does — checksum, control messages, route lookup in the kernel —
    /// except transmitting: `MSG_PROBE` makes the kernel stop before queuing the packet.
    /// Warms the path before the first takeover; errors are ignored.
    public func rehearseSend(_ payload: [UInt8], to destination: IPAddress, options: SendOptions = SendOptions()) {
        try? send(payload, to: destination, options: options, flags: clinux_MSG_PROBE)
    }

    private func send(_ payload: [UInt8], to destination: IPAddress, options: SendOptions, flags: Int32) throws {
        guard destination.family == configuration.family else {
            throw LinuxNetworkingError.addressFamilyMismatch(expected: configuration.family, got: destination)
        }
        guard payload.count <= 1500 else { throw LinuxNetworkingError.payloadTooLarge(payload.count) }
        // After close() the descriptor number may already belong to another socket.
        guard !closed.load(ordering: .acquiring) else {
            throw LinuxNetworkingError.systemCall(name: "sendmsg", errno: EBADF, context: "socket closed")
        }
        let source = options.sourceAddress ?? configuration.sourceAddress
        if let source, source.family != configuration.family {
            throw LinuxNetworkingError.addressFamilyMismatch(expected: configuration.family, got: source)
        }
        switch destination {
        case .v4(let dst):
            var bytes = payload
            var src: IPv4Address?
            if case .v4(let s)? = source { src = s }
            if options.fillVRRPv3Checksum {
                if src == nil, case .v4(let chosen) = try sourceAddress(toward: destination) { src = chosen }
                Self.fillVRRPv3Checksum(&bytes, source: src!, destination: dst)
            }
            try sendIPv4(bytes, to: dst, source: src, ttl: options.hopLimit, flags: flags)
        case .v6(let dst):
            var src: IPv6Address?
            if case .v6(let s)? = source { src = s }
            try sendIPv6(payload, to: dst, source: src, hopLimit: options.hopLimit, flags: flags)
        }
    }

    /// The address the kernel would send from toward `destination` on this interface
    /// (RFC 5798's "primary IP address" when no source is configured).
    public func sourceAddress(toward destination: IPAddress) throws -> IPAddress {
        switch destination {
        case .v4(let dst):
            var to = SocketAddress.sockaddrIn(dst)
            to.sin_port = UInt16(9).bigEndian
            _ = try withUnsafeBytes(of: &to) { raw in
                try check(connect(probeDescriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                                  socklen_t(MemoryLayout<sockaddr_in>.size)), "connect", "route to \(dst)")
            }
            var local = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = try withUnsafeMutableBytes(of: &local) { raw in
                try check(getsockname(probeDescriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length),
                          "getsockname", "probe")
            }
            let address = SocketAddress.ipv4(local.sin_addr)
            guard address.value != 0 else {
                throw LinuxNetworkingError.noSourceAddress(interface: configuration.interface, family: .ipv4)
            }
            return .v4(address)
        case .v6(let dst):
            var to = SocketAddress.sockaddrIn6(dst, scopeID: UInt32(interfaceIndex))
            to.sin6_port = UInt16(9).bigEndian
            _ = try withUnsafeBytes(of: &to) { raw in
                try check(connect(probeDescriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                                  socklen_t(MemoryLayout<sockaddr_in6>.size)), "connect", "route to \(dst)")
            }
            var local = sockaddr_in6()
            var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            _ = try withUnsafeMutableBytes(of: &local) { raw in
                try check(getsockname(probeDescriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length),
                          "getsockname", "probe")
            }
            return .v6(SocketAddress.ipv6(local.sin6_addr))
        }
    }

    private func sendIPv4(_ payload: [UInt8], to dst: IPv4Address, source: IPv4Address?, ttl: UInt8,
                          flags: Int32) throws {
        var to = SocketAddress.sockaddrIn(dst)
        var info = in_pktinfo()
        info.ipi_ifindex = interfaceIndex
        if let source { info.ipi_spec_dst = SocketAddress.inAddr(source) }
        try sendMessage(payload, name: &to, flags: flags, context: "\(dst)") { control in
            control.append(level: Int32(IPPROTO_IP), type: IP_PKTINFO, info)
            control.append(level: Int32(IPPROTO_IP), type: IP_TTL, Int32(ttl))
        }
    }

    private func sendIPv6(_ payload: [UInt8], to dst: IPv6Address, source: IPv6Address?, hopLimit: UInt8,
                          flags: Int32) throws {
        var to = SocketAddress.sockaddrIn6(dst, scopeID: UInt32(interfaceIndex))
        var info = clinux_in6_pktinfo()
        info.ipi6_ifindex = UInt32(interfaceIndex)
        if let source { info.ipi6_addr = SocketAddress.in6Addr(source) }
        try sendMessage(payload, name: &to, flags: flags, context: "\(dst)") { control in
            control.append(level: Int32(IPPROTO_IPV6), type: clinux_IPV6_PKTINFO, info)
            control.append(level: Int32(IPPROTO_IPV6), type: clinux_IPV6_HOPLIMIT, Int32(hopLimit))
        }
    }

    /// The context of an error is formatted only when there is one: this runs for
    /// every advert of every master, so nothing here allocates: the payload is sent
    /// from its own storage and the control messages are written on the stack.
    private func sendMessage<Name>(_ payload: [UInt8], name: inout Name, flags: Int32,
                                   context: @autoclosure () -> String,
                                   control build: (inout ControlMessages) -> Void) throws {
        let sent = withUnsafeTemporaryAllocation(byteCount: ControlMessages.capacity, alignment: 8) { controlRaw in
            controlRaw.initializeMemory(as: UInt8.self, repeating: 0)
            var control = ControlMessages(controlRaw)
            build(&control)
            return payload.withUnsafeBytes { data in
                withUnsafeMutablePointer(to: &name) { namePointer in
                    // sendmsg only reads the data; the iovec's pointer is mutable by type only.
                    withMessageHeader(data: UnsafeMutableRawBufferPointer(mutating: data), name: UnsafeMutableRawPointer(namePointer),
                                      nameLength: MemoryLayout<Name>.size,
                                      control: UnsafeMutableRawBufferPointer(rebasing: controlRaw[..<control.length])) {
                        sendmsg(descriptor, &$0, flags)
                    }
                }
            }
        }
        if sent < 0 { try check(sent, "sendmsg", context()) }
    }
}

extension VRRPSocket {
    /// Writes the VRRPv3-over-IPv4 checksum (RFC 5798 §5.2.8, with the pseudo-header of
    /// this source and destination) into bytes 6–7 of `payload`: each unicast peer
    /// needs its own.
    static func fillVRRPv3Checksum(_ payload: inout [UInt8], source: IPv4Address, destination: IPv4Address) {
        guard payload.count >= 8 else { return }
        payload[6] = 0
        payload[7] = 0
        var sum = InternetChecksum(pseudoHeaderFrom: .v4(source), to: .v4(destination),
                                   nextHeader: Advertisement.ipProtocolNumber, length: payload.count)
        sum.add(payload)
        let c = sum.value
        payload[6] = UInt8(c >> 8)
        payload[7] = UInt8(truncatingIfNeeded: c)
    }
}

/// Ancillary data for `sendmsg`, written in place into a caller's buffer.
struct ControlMessages {
    /// Room for a packet-info message and a TTL/hop-limit message of either family.
    static let capacity = 64
    private let buffer: UnsafeMutableRawBufferPointer
    /// Bytes written so far.
    private(set) var length = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    mutating func append<Value>(level: Int32, type: Int32, _ value: Value) {
        let size = MemoryLayout<Value>.size
        precondition(length + clinux_cmsg_space(size) <= buffer.count, "control buffer too small")
        let header = buffer.baseAddress!.advanced(by: length).assumingMemoryBound(to: cmsghdr.self)
        header.pointee.cmsg_len = clinux_cmsg_len(size)
        header.pointee.cmsg_level = level
        header.pointee.cmsg_type = type
        withUnsafeBytes(of: value) { UnsafeMutableRawPointer(clinux_cmsg_data(header))!.copyMemory(from: $0.baseAddress!, byteCount: size) }
        length += clinux_cmsg_space(size)
    }
}
