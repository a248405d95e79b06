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
                InternetChecksum.fillVRRPv3IPv4(&bytes, source: src!, destination: dst)
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
        var control = ControlMessages(capacity: clinux_cmsg_space(MemoryLayout<in_pktinfo>.size) + clinux_cmsg_space(4))
        control.append(level: Int32(IPPROTO_IP), type: IP_PKTINFO, info)
        control.append(level: Int32(IPPROTO_IP), type: IP_TTL, Int32(ttl))
        try sendMessage(payload, name: &to, control: &control, flags: flags, context: "\(dst)")
    }

    private func sendIPv6(_ payload: [UInt8], to dst: IPv6Address, source: IPv6Address?, hopLimit: UInt8,
                          flags: Int32) throws {
        var to = SocketAddress.sockaddrIn6(dst, scopeID: UInt32(interfaceIndex))
        var info = clinux_in6_pktinfo()
        info.ipi6_ifindex = UInt32(interfaceIndex)
        if let source { info.ipi6_addr = SocketAddress.in6Addr(source) }
        var control = ControlMessages(capacity: clinux_cmsg_space(MemoryLayout<clinux_in6_pktinfo>.size) + clinux_cmsg_space(4))
        control.append(level: Int32(IPPROTO_IPV6), type: clinux_IPV6_PKTINFO, info)
        control.append(level: Int32(IPPROTO_IPV6), type: clinux_IPV6_HOPLIMIT, Int32(hopLimit))
        try sendMessage(payload, name: &to, control: &control, flags: flags, context: "\(dst)")
    }

    /// The context of an error is formatted only when there is one: this runs for
    /// every advert of every master.
    private func sendMessage<Name>(_ payload: [UInt8], name: inout Name, control: inout ControlMessages, flags: Int32,
                                   context: @autoclosure () -> String) throws {
        var bytes = payload
        let sent = bytes.withUnsafeMutableBytes { data in
            control.bytes.withUnsafeMutableBytes { controlRaw in
                withUnsafeMutablePointer(to: &name) { namePointer in
                    withMessageHeader(data: data, name: UnsafeMutableRawPointer(namePointer),
                                      nameLength: MemoryLayout<Name>.size, control: controlRaw) { sendmsg(descriptor, &$0, flags) }
                }
            }
        }
        if sent < 0 { try check(sent, "sendmsg", context()) }
    }
}

/// Ancillary data for `sendmsg`, written in place (no per-message array of tuples).
struct ControlMessages {
    var bytes: [UInt8]
    private var offset = 0

    init(capacity: Int) { bytes = [UInt8](repeating: 0, count: capacity) }

    mutating func append<Value>(level: Int32, type: Int32, _ value: Value) {
        let length = MemoryLayout<Value>.size
        let at = offset
        bytes.withUnsafeMutableBytes { raw in
            let header = raw.baseAddress!.advanced(by: at).assumingMemoryBound(to: cmsghdr.self)
            header.pointee.cmsg_len = clinux_cmsg_len(length)
            header.pointee.cmsg_level = level
            header.pointee.cmsg_type = type
            withUnsafeBytes(of: value) { UnsafeMutableRawPointer(clinux_cmsg_data(header))!.copyMemory(from: $0.baseAddress!, byteCount: length) }
        }
        offset += clinux_cmsg_space(length)
    }
}
