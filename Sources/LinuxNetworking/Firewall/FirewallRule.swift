import VRRPWire

/// An nftables rule set admitting VRRP (IP protocol 112) on one interface, for
/// multicast groups and unicast peers alike — the OpenShift image only admits
/// 224.0.0.18, so unicast VRRP was silently dropped there.
///
/// nftables evaluates every base chain on a hook, and a drop in any of them is
/// final: an accept in a separate table cannot override a host's default-drop
/// chain. So the rule can go either into its own table (for hosts whose input
/// filtering is ours to add to) or into an existing chain (e.g. the host's
/// `inet filter input` with `policy drop`), tagged with a comment so removal
/// touches only our rules.
public struct FirewallRule: Hashable, Sendable {
    /// Where the rules live.
    public enum Placement: Hashable, Sendable {
        /// `table inet <name>` with a `vrrp-input` chain on the input hook, policy accept.
        case ownTable(name: String)
        /// Rules inserted at the head of an existing chain, e.g. ("inet", "filter", "input").
        case existingChain(family: String, table: String, chain: String)
    }

    /// The interface VRRP arrives on (`iifname`).
    public var interface: String
    /// Multicast destinations to admit (224.0.0.18 and ff02::12 by default).
    public var multicastGroups: [IPAddress]
    /// Unicast peers whose VRRP to admit (`unicast_peer`).
    public var unicastPeers: [IPAddress]
    public var placement: Placement
    /// The comment on every rule, used to find ours again.
    public var comment: String

    public init(interface: String,
                multicastGroups: [IPAddress] = [.v4(.vrrpMulticastGroup), .v6(.vrrpMulticastGroup)],
                unicastPeers: [IPAddress] = [], placement: Placement = .ownTable(name: "ipfailover"),
                comment: String = "ipfailover-vrrp") {
        self.interface = interface
        self.multicastGroups = multicastGroups
        self.unicastPeers = unicastPeers
        self.placement = placement
        self.comment = comment
    }

    /// The rule bodies (without `add rule …`), one per family and kind.
    public func ruleBodies() -> [String] {
        let family: String = switch placement {
        case .ownTable: "inet"
        case .existingChain(let f, _, _): f
        }
        let v4 = family == "inet" || family == "ip", v6 = family == "inet" || family == "ip6"
        let iif = "iifname \(quoted(interface))"
        let tag = "comment \(quoted(comment))"
        var rules: [String] = []
        func set(_ xs: [IPAddress]) -> String { "{ " + xs.map(\.description).joined(separator: ", ") + " }" }
        let groups4 = multicastGroups.filter { $0.family == .ipv4 }, groups6 = multicastGroups.filter { $0.family == .ipv6 }
        let peers4 = unicastPeers.filter { $0.family == .ipv4 }, peers6 = unicastPeers.filter { $0.family == .ipv6 }
        // meta l4proto, not ip6 nexthdr: it still matches behind extension headers.
        if v4, !groups4.isEmpty { rules.append("\(iif) ip daddr \(set(groups4)) ip protocol 112 accept \(tag)") }
        if v4, !peers4.isEmpty { rules.append("\(iif) ip saddr \(set(peers4)) ip protocol 112 accept \(tag)") }
        if v6, !groups6.isEmpty { rules.append("\(iif) ip6 daddr \(set(groups6)) meta l4proto 112 accept \(tag)") }
        if v6, !peers6.isEmpty { rules.append("\(iif) ip6 saddr \(set(peers6)) meta l4proto 112 accept \(tag)") }
        return rules
    }

    /// The `nft -f -` script that installs the rules, replacing any previous copy
    /// atomically. `existingHandles` are handles of our rules already in the chain.
    public func installScript(existingHandles: [Int] = []) -> String {
        switch placement {
        case .ownTable(let name):
            // Declare-then-delete makes the replacement idempotent in one transaction.
            return """
            table inet \(name) {}
            delete table inet \(name)
            table inet \(name) {
                chain vrrp-input {
                    type filter hook input priority filter - 1; policy accept;
            \(ruleBodies().map { "        " + $0 }.joined(separator: "\n"))
                }
            }

            """
        case let .existingChain(family, table, chain):
            let deletes = existingHandles.map { "delete rule \(family) \(table) \(chain) handle \($0)\n" }.joined()
            let inserts = ruleBodies().reversed().map { "insert rule \(family) \(table) \(chain) \($0)\n" }.joined()
            return deletes + inserts
        }
    }

    /// The script removing our rules (`existingHandles` found by listing the chain).
    public func removeScript(existingHandles: [Int] = []) -> String {
        switch placement {
        case .ownTable(let name):
            "table inet \(name) {}\ndelete table inet \(name)\n"
        case let .existingChain(family, table, chain):
            existingHandles.map { "delete rule \(family) \(table) \(chain) handle \($0)\n" }.joined()
        }
    }

    /// Handles of rules carrying our comment in `nft -a list chain` output.
    public func handles(inListing listing: String) -> [Int] {
        listing.split(separator: "\n").compactMap { line in
            guard line.contains("comment \(quoted(comment))") else { return nil }
            let words = line.split(separator: " ")
            guard let i = words.lastIndex(of: "handle"), i > 0, words[i - 1] == "#", i + 1 < words.count else { return nil }
            return Int(words[i + 1])
        }
    }

    private func quoted(_ s: String) -> String {
        "\"" + s.filter { $0 != "\"" && $0 != "\\" && $0 != "\n" } + "\""
    }
}
