/// A `track_script` entry: `name [weight W [reverse]]`.
public struct TrackScriptEntry: Hashable, Sendable {
    /// The `vrrp_script` name.
    public var name: String
    /// Per-instance weight overriding the script's; nil = the script's own.
    public var weight: Int?
    /// `reverse`: swap the weight's meaning.
    public var reverse: Bool

    public init(name: String, weight: Int? = nil, reverse: Bool = false) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
    }
}
