import LinuxNetworking

/// A GET from inside a namespace: a daemon's status endpoint on 127.0.0.1 in its
/// node's namespace is reachable only from there. The request itself is
/// `BoundedHTTPGet`'s, with its deadline and size cap.
public enum NamespaceHTTP {
    /// A GET failed: no connection, timeout, too large, or not a 200.
    public struct Failure: Error, CustomStringConvertible {
        public var url: String
        public var reason: String
        public var description: String { "GET \(url): \(reason)" }
    }

    /// GETs `path` from 127.0.0.1:`port` in `namespace`; returns the body of a 200.
    public static func get(namespace: String, port: UInt16, path: String, timeout: Duration = .seconds(2),
                           maxResponseBytes: Int = BoundedHTTPGet.defaultMaxResponseBytes) async throws -> [UInt8] {
        try await NetworkNamespace.run(named: namespace) { () throws -> [UInt8] in
            do {
                return try BoundedHTTPGet.get(host: "127.0.0.1", port: Int(port), path: path, deadline: timeout,
                                              maxResponseBytes: maxResponseBytes)
            } catch let error as BoundedHTTPGet.Failure {
                throw Failure(url: "\(error.url) in \(namespace)", reason: error.reason)
            }
        }
    }
}
