/// A `track_interface` entry: `name [weight W [reverse]]`.
public struct TrackInterfaceEntry: Hashable, Sendable {
    /// The interface name.
    public var name: String
    /// nil (or 0): FAULT while the interface is down; otherwise priority change.
    public var weight: Int?
    /// `reverse`: swap the weight's meaning.
    public var reverse: Bool

    public init(name: String, weight: Int? = nil, reverse: Bool = false) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
    }
}
