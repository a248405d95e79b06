/// What this build is, for `ipfailover --version` and `ipfailover_build_info`.
///
/// The version is a constant in the source, not `git describe`: CI and image
/// builds work from shallow clones without tags. Bump `version` here when cutting a
/// release (docs/deployment.md, "Versions"); nothing else carries the number.
public enum BuildInfo {
    /// The release this source tree is (semantic versioning).
    public static let version = "0.9.0"
}
