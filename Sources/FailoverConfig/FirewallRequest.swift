/// Where the runtime should ensure the nftables rules admitting VRRP, as asked by
/// OPENSHIFT_HA_NFTABLES_RULE, OPENSHIFT_HA_IPTABLES_CHAIN or `run --firewall`.
/// The names end up in an `nft -f` script, so each is checked to be a plain nft
/// identifier: a value can never add nft commands of its own.
public enum FirewallRequest: Hashable, Sendable {
    /// ipfailover's own `table inet ipfailover`.
    case ownTable
    /// Rules at the head of an existing chain, e.g. ("inet", "filter", "input").
    case existingChain(family: String, table: String, chain: String)

    /// OPENSHIFT_HA_NFTABLES_RULE or `--firewall`: `FAMILY TABLE CHAIN` with family
    /// ip, ip6 or inet names an existing chain; any other non-blank value asks for our
    /// own table (the image only checks that the variable is set).
    public init(nftablesRule text: String) throws(EnvironmentValueError) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard words.count == 3, ["ip", "ip6", "inet"].contains(words[0]) else {
            guard !words.isEmpty else { throw EnvironmentValueError("is blank") }
            self = .ownTable
            return
        }
        try Self.checkName(words[1], "table")
        try Self.checkName(words[2], "chain")
        self = .existingChain(family: words[0], table: words[1], chain: words[2])
    }

    /// OPENSHIFT_HA_IPTABLES_CHAIN: that chain of `ip filter`, where iptables-nft
    /// keeps the chains the image inserted its iptables rule into.
    public init(iptablesChain text: String) throws(EnvironmentValueError) {
        let name = text.trimmingSpaces
        try Self.checkName(name, "chain")
        self = .existingChain(family: "ip", table: "filter", chain: name)
    }

    /// nft's identifier syntax: a letter or '_' first, then letters, digits, '_', '-', '.', '/'.
    private static func checkName(_ name: String, _ what: String) throws(EnvironmentValueError) {
        let isLetter = { (c: Character) in c.isASCII && c.isLetter }
        guard let first = name.first, isLetter(first) || first == "_", name.count <= 64,
              name.allSatisfy({ isLetter($0) || ($0.isASCII && $0.isNumber) || "_-./".contains($0) }) else {
            throw EnvironmentValueError("\(what) '\(name)' is not an nft name (a letter or '_', then letters, digits, "
                + "'_', '-', '.', '/'; at most 64 characters)")
        }
    }
}
