/// What this build is, for `ipfailover --version` and `ipfailover_build_info`.
///
/// The version is a constant in the source, not `git describe`: CI and image
/// builds work from shallow clones without tags. Bump `version` here when cutting a
/// release, together with the image tag in deploy/kubernetes/kustomization.yaml
/// (docs/deployment.md, "Versions"; validate-deploy checks they agree).
public enum BuildInfo {
    /// The release this source tree is (semantic versioning).
    public static let version = "0.1.0"
}
