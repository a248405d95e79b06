import CLinuxShim

/// One netlink message: the 16-byte `nlmsghdr` fields and the bytes after it.
struct NetlinkMessage: Sendable {
    var type: UInt16
    var flags: UInt16
    var sequence: UInt32
    var payload: [UInt8]

    /// Splits a datagram into messages; stops at the first inconsistent length.
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> [NetlinkMessage] {
        var out: [NetlinkMessage] = []
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= 16 {
            let length = Int(bytes.u32(at: offset))
            guard length >= 16, offset + length <= bytes.endIndex else {
                throw LinuxNetworkingError.malformedNetlinkMessage("message length \(length) at offset \(offset - bytes.startIndex)")
            }
            out.append(NetlinkMessage(type: bytes.u16(at: offset + 4), flags: bytes.u16(at: offset + 6),
                                      sequence: bytes.u32(at: offset + 8),
                                      payload: Array(bytes[(offset + 16)..<(offset + length)])))
            offset += align4(length)
        }
        return out
    }

    /// Serializes with `pid` 0 (the kernel fills the port).
    func encoded() -> [UInt8] {
        var b: [UInt8] = []
        b.appendU32(UInt32(16 + payload.count))
        b.appendU16(type)
        b.appendU16(flags)
        b.appendU32(sequence)
        b.appendU32(0)
        return b + payload
    }
}

/// A route-netlink attribute (`rtattr`/`nlattr`): type and value.
struct NetlinkAttribute: Sendable {
    var type: UInt16
    var value: [UInt8]

    /// Parses attributes; the type's nested/byte-order flag bits are masked off.
    static func parse(_ bytes: ArraySlice<UInt8>) -> [NetlinkAttribute] {
        var out: [NetlinkAttribute] = []
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= 4 {
            let length = Int(bytes.u16(at: offset))
            guard length >= 4, offset + length <= bytes.endIndex else { break }
            out.append(NetlinkAttribute(type: bytes.u16(at: offset + 2) & 0x3FFF,
                                        value: Array(bytes[(offset + 4)..<(offset + length)])))
            offset += align4(length)
        }
        return out
    }

    static func encode(_ attributes: [NetlinkAttribute]) -> [UInt8] {
        var b: [UInt8] = []
        for a in attributes {
            b.appendU16(UInt16(4 + a.value.count))
            b.appendU16(a.type)
            b += a.value
            b += [UInt8](repeating: 0, count: align4(a.value.count) - a.value.count)
        }
        return b
    }

    static func string(_ type: UInt16, _ text: String) -> NetlinkAttribute {
        NetlinkAttribute(type: type, value: Array(text.utf8) + [0])
    }

    static func u32(_ type: UInt16, _ value: UInt32) -> NetlinkAttribute {
        var b: [UInt8] = []
        b.appendU32(value)
        return NetlinkAttribute(type: type, value: b)
    }

    /// The value as a NUL-terminated string.
    var stringValue: String {
        String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
    }

    var u32Value: UInt32? { value.count >= 4 ? value[...].u32(at: 0) : nil }
}

func align4(_ n: Int) -> Int { (n + 3) & ~3 }

// Netlink is host byte order; this code runs on little-endian Linux targets.
extension ArraySlice<UInt8> {
    func u16(at i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func u32(at i: Int) -> UInt32 {
        UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24
    }
}

extension Array<UInt8> {
    mutating func appendU16(_ v: UInt16) { append(UInt8(v & 0xFF)); append(UInt8(v >> 8)) }
    mutating func appendU32(_ v: UInt32) {
        append(UInt8(v & 0xFF)); append(UInt8((v >> 8) & 0xFF)); append(UInt8((v >> 16) & 0xFF)); append(UInt8(v >> 24))
    }
}
