import VRRPWire

extension VRRPInstance {
    /// True when adverts go to `unicastPeers` instead of the multicast group.
    public var isUnicast: Bool { !unicastPeers.isEmpty }

    /// The delay of the second gratuitous ARP burst: the instance's, else the global one.
    public func effectiveGarpMasterDelay(_ globals: GlobalDefinitions) -> Duration {
        garpMasterDelay ?? globals.garpMasterDelay
    }

    /// Gratuitous ARPs per burst: the instance's, else the global one.
    public func effectiveGarpMasterRepeat(_ globals: GlobalDefinitions) -> Int {
        garpMasterRepeat ?? globals.garpMasterRepeat
    }

    /// Periodic gratuitous ARP while master (nil = off): the instance's, else the global one.
    public func effectiveGarpMasterRefresh(_ globals: GlobalDefinitions) -> Duration? {
        if let garpMasterRefresh { return garpMasterRefresh == .zero ? nil : garpMasterRefresh }
        return globals.garpMasterRefresh
    }

    /// RFC 5798 Accept_Mode: as configured, else keepalived's default (accept unless `vrrp_strict`).
    public func effectiveAccept(_ globals: GlobalDefinitions) -> Bool {
        accept ?? !globals.vrrpStrict
    }

    /// The scripts this instance tracks with their effective weight and direction
    /// (the `track_script` entry's weight, else the script's), its own entries first,
    /// then those of its sync group (`group`), skipping names it already tracks.
    public func effectiveTrackedScripts(in configuration: Configuration) -> [(script: VRRPScript, weight: Int, reverse: Bool)] {
        var result: [(VRRPScript, Int, Bool)] = []
        var seen: Set<String> = []
        let groupEntries = configuration.syncGroups.first { $0.group.contains(name) }?.trackScripts ?? []
        for entry in trackScripts + groupEntries where seen.insert(entry.name).inserted {
            guard let script = configuration.script(named: entry.name) else { continue }
            result.append((script, entry.weight ?? script.weight, entry.reverse || (entry.weight == nil && script.weightReverse)))
        }
        return result
    }
}
