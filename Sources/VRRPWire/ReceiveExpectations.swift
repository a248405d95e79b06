/// What one VRRP instance expects of the adverts it accepts: the settings the
/// RFC 5798 §7.1 / RFC 3768 §7.1 checks compare against.
public struct ReceiveExpectations: Hashable, Sendable {
    /// The instance's protocol version; adverts of the other version are dropped.
    public var version: VRRPVersion
    /// The instance's VRID.
    public var virtualRouterID: VirtualRouterID
    /// v2: the configured authentication; ignored for v3.
    public var authentication: Authentication
    /// The configured advertisement interval (v2 must match it; v3 reports a difference).
    public var advertisementInterval: Duration
    /// The instance's virtual addresses, compared with the advert's list.
    public var addresses: [IPAddress]

    public init(
        version: VRRPVersion,
        virtualRouterID: VirtualRouterID,
        authentication: Authentication = .none,
        advertisementInterval: Duration,
        addresses: [IPAddress]
    ) {
        self.version = version
        self.virtualRouterID = virtualRouterID
        self.authentication = authentication
        self.advertisementInterval = advertisementInterval
        self.addresses = addresses
    }

    /// The instance-specific checks on a decoded advert, in RFC order: VRID,
    /// version, then for v2 auth type, password and interval; and the non-fatal
    /// findings (v3 interval difference, address-list mismatch).
    public func check(_ advertisement: Advertisement) -> AdvertisementValidation {
        guard advertisement.virtualRouterID == virtualRouterID else {
            return .rejected(.virtualRouterIDNotConfigured(received: advertisement.virtualRouterID.rawValue))
        }
        guard advertisement.version == version else {
            return .rejected(.versionMismatch(received: advertisement.version, expected: version))
        }
        var findings: [AdvertisementFinding] = []
        switch version {
        case .v2:
            let mine = authentication
            guard advertisement.authentication.typeCode == mine.typeCode else {
                return .rejected(.authTypeMismatch(
                    received: advertisement.authentication.typeCode, expected: mine.typeCode))
            }
            // Compare as sent: both sides cut/pad to the 8-byte field.
            guard advertisement.authentication.wireData == mine.wireData else {
                return .rejected(.authenticationFailure)
            }
            let configured = Advertisement.wireSeconds(advertisementInterval)
            guard Advertisement.wireSeconds(advertisement.advertisementInterval) == configured else {
                return .rejected(.advertisementIntervalMismatch(
                    received: advertisement.advertisementInterval, configured: advertisementInterval))
            }
        case .v3:
            if Advertisement.wireCentiseconds(advertisement.advertisementInterval)
                != Advertisement.wireCentiseconds(advertisementInterval) {
                findings.append(.advertisementIntervalDiffers(
                    received: advertisement.advertisementInterval, configured: advertisementInterval))
            }
        }
        let ours = Set(addresses)
        let theirs = Set(advertisement.addresses)
        if ours != theirs || addresses.count != advertisement.addresses.count {
            findings.append(.addressListMismatch(
                missing: addresses.filter { !theirs.contains($0) },
                unexpected: advertisement.addresses.filter { !ours.contains($0) }))
        }
        return .accepted(advertisement, findings: findings)
    }
}

/// The outcome of receiving a VRRP packet.
public enum AdvertisementValidation: Hashable, Sendable {
    /// Process the advert; `findings` are to be logged and counted.
    case accepted(Advertisement, findings: [AdvertisementFinding])
    /// Discard the packet and count `counterName` of the reason.
    case rejected(AdvertisementRejection)
}

/// Runs every receive check on packets from one socket (one address family):
/// decoding, finding the instance by VRID, then that instance's checks.
public struct AdvertisementValidator: Hashable, Sendable {
    /// The instances on the receiving interface, by VRID.
    public var instances: [VirtualRouterID: ReceiveExpectations]

    public init(_ instances: [ReceiveExpectations]) {
        var byVRID: [VirtualRouterID: ReceiveExpectations] = [:]
        for instance in instances { byVRID[instance.virtualRouterID] = instance }
        self.instances = byVRID
    }

    public func validate(_ packet: ReceivedPacket) -> AdvertisementValidation {
        switch packet.decode() {
        case .failure(let rejection):
            return .rejected(rejection)
        case .success(let advertisement):
            guard let instance = instances[advertisement.virtualRouterID] else {
                return .rejected(.virtualRouterIDNotConfigured(received: advertisement.virtualRouterID.rawValue))
            }
            return instance.check(advertisement)
        }
    }
}
