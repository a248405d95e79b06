import VRRPWire

/// Parses an address list as `OPENSHIFT_HA_VIRTUAL_IPS` writes it: entries separated
/// by commas and/or whitespace; each an IPv4 or IPv6 address, an IPv4 last-octet range
/// `a.b.c.S-E` (or `a.b.c.S-a.b.c.E`, as the image takes it), or an IPv6 last-group
/// range `prefix:X-Y` (hex). Unlike the image,
/// which drops what it cannot read, every bad entry is an error naming the entry.
public struct VIPListParser: Sendable {
    /// The most addresses one range may produce.
    public static let maximumRangeSize = 4096
    /// The most addresses a whole list may hold: every address is rendered, parsed
    /// back and added, so a short value of many ranges must not turn into hundreds of
    /// thousands of them.
    public static let maximumAddresses = 4096

    public init() {}

    /// The addresses in order, or the problems (each naming the entry and what was expected).
    public func parse(_ text: String, allowRanges: Bool = true) -> (addresses: [IPAddress], problems: [String]) {
        var addresses: [IPAddress] = []
        var problems: [String] = []
        var seen: Set<IPAddress> = []
        let entries = text.split { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }
        for entry in entries {
            let expanded = expand(entry, allowRanges: allowRanges)
            switch expanded {
            case .success(let list):
                guard addresses.count + list.count <= Self.maximumAddresses else {
                    problems.append("entry '\(entry)': the list would hold more than \(Self.maximumAddresses) addresses "
                        + "(\(addresses.count) before this entry); it and the entries after it are not read")
                    return (addresses, problems)
                }
                for address in list {
                    if seen.insert(address).inserted { addresses.append(address) } else {
                        problems.append("entry '\(entry)': address \(address) is listed more than once")
                    }
                }
            case .failure(let problem):
                problems.append("entry '\(entry)': \(problem.message)")
            }
        }
        return (addresses, problems)
    }

    struct Problem: Error { var message: String }

    private static let expectation =
        "expected an IPv4 address, an IPv6 address, an IPv4 range a.b.c.S-E or a.b.c.S-a.b.c.E (last octet) or an IPv6 range prefix:X-Y (last group, hex)"

    private func expand(_ entry: Substring, allowRanges: Bool) -> Result<[IPAddress], Problem> {
        if let address = IPAddress(entry) { return .success([address]) }
        guard allowRanges, let dash = entry.lastIndex(of: "-") else {
            return .failure(Problem(message: allowRanges ? Self.expectation : "expected an IPv4 or IPv6 address"))
        }
        let startText = entry[..<dash]
        let endText = entry[entry.index(after: dash)...]
        if let start = IPv4Address(startText) {
            var endOctet = endText
            // The image also takes a whole end address and uses its last octet.
            if let endAddress = IPv4Address(endText) {
                guard endAddress.value & 0xFFFF_FF00 == start.value & 0xFFFF_FF00 else {
                    return .failure(Problem(message: "range end \(endAddress) is not in the start's "
                        + "\(IPv4Address(start.value & 0xFFFF_FF00))/24; a range varies the last octet only (the image "
                        + "would silently use \(startText)-\(endAddress.value & 0xFF))"))
                }
                endOctet = endText[endText.index(after: endText.lastIndex(of: ".")!)...]
            }
            guard let end = Int(endOctet), endOctet.allSatisfy(\.isNumber), (0...255).contains(end) else {
                return .failure(Problem(message: "range end '\(endText)' must be a last octet 0…255 or an address "
                    + "in the same /24"))
            }
            let first = Int(start.value & 0xFF)
            guard first <= end else {
                return .failure(Problem(message: "range start \(first) is above range end \(end)"))
            }
            let base = start.value & 0xFFFF_FF00
            return .success((first...end).map { .v4(IPv4Address(base | UInt32($0))) })
        }
        if let start = IPv6Address(startText) {
            guard endText.count <= 4, let end = UInt16(endText, radix: 16) else {
                return .failure(Problem(message: "range end '\(endText)' must be a last group 0…ffff (hex)"))
            }
            var groups = start.groups
            let first = groups[7]
            guard first <= end else {
                return .failure(Problem(message: "range start \(String(first, radix: 16)) is above range end \(endText)"))
            }
            guard Int(end) - Int(first) < Self.maximumRangeSize else {
                return .failure(Problem(message: "range of \(Int(end) - Int(first) + 1) addresses exceeds \(Self.maximumRangeSize)"))
            }
            return .success((first...end).map { g in
                groups[7] = g
                return .v6(IPv6Address(groups: groups))
            })
        }
        return .failure(Problem(message: Self.expectation))
    }
}
