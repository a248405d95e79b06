/// A `track_script` or `track_interface` entry: `name [weight W [reverse]]`, as
/// written (VRRPCore's `TrackedScript`/`TrackedInterface` are the resolved forms).
public struct TrackEntry: Hashable, Sendable {
    /// The `vrrp_script` or interface name.
    public var name: String
    /// `weight`: nil when not given — a script then takes its `vrrp_script`'s weight,
    /// an interface weight 0 (FAULT while down).
    public var weight: Int?
    /// `reverse`: swap the weight's meaning.
    public var reverse: Bool

    public init(name: String, weight: Int? = nil, reverse: Bool = false) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
    }
}
