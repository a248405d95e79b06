extension Advertisement {
    /// The advertisement as a whole Ethernet frame from `sourceMAC`: IPv4 (TOS
    /// 0xC0, TTL 255, as keepalived sends it) or IPv6 (hop limit 255) by the
    /// source's family, addressed to the multicast MAC of a multicast
    /// `destination` or to `destinationMAC`. For pcap files and tests; the
    /// daemon sends through raw IP sockets.
    public func frame(
        source: IPAddress, destination: IPAddress,
        sourceMAC: MACAddress, destinationMAC: MACAddress? = nil
    ) -> EthernetFrame {
        let message = encode(source: source, destination: destination)
        let dstMAC = destinationMAC ?? MACAddress.multicast(for: destination) ?? .broadcast
        switch (source, destination) {
        case let (.v4(src), .v4(dst)):
            let datagram = IPv4Datagram(source: src, destination: dst, ttl: Self.requiredTTL,
                                        protocolNumber: Self.ipProtocolNumber, payload: message)
            return EthernetFrame(destination: dstMAC, source: sourceMAC, etherType: EtherType.ipv4,
                                 payload: datagram.bytes)
        case let (.v6(src), .v6(dst)):
            let packet = IPv6Packet(source: src, destination: dst, hopLimit: Self.requiredTTL,
                                    nextHeader: Self.ipProtocolNumber, payload: message)
            return EthernetFrame(destination: dstMAC, source: sourceMAC, etherType: EtherType.ipv6,
                                 payload: packet.bytes)
        default:
            // Mixed families cannot form an IP header; carry the bare message so
            // the caller sees it is not IP rather than trapping.
            return EthernetFrame(destination: dstMAC, source: sourceMAC, etherType: 0, payload: message)
        }
    }
}
