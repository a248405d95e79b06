import Glibc
import Logging

/// The daemon's descriptor limit. Each check or notify script run takes pipes and
/// a pidfd, every interface its sockets, and the status endpoint one descriptor
/// per client: at the usual soft limit of 1,024 a burst of status connections
/// could leave a check script unable to start. At start-up the soft limit is
/// raised to the hard one (what the service manager grants, `LimitNOFILE=` in
/// the systemd unit); the status endpoint then sizes its connection cap so that
/// a reserve remains for everything else (`StatusServerLimits`).
public enum FileDescriptorBudget {
    /// Above this the kernel refuses the soft limit anyway (`fs.nr_open`'s default),
    /// and a container's "unlimited" hard limit should not become the soft one.
    public static let ceiling: rlim_t = 1 << 20

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (at most `ceiling`) and
    /// logs the limit in force; returns it.
    @discardableResult
    public static func raiseSoftLimit(logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else {
            logger.warning("cannot read the descriptor limit (RLIMIT_NOFILE): errno \(errno)")
            return 1024
        }
        let before = limit.rlim_cur
        let target = min(limit.rlim_max, ceiling)
        guard target > before else {
            logger.info("descriptor limit \(before) (hard limit \(limit.rlim_max))")
            return Int(clamping: before)
        }
        limit.rlim_cur = target
        guard setrlimit(resource, &limit) == 0 else {
            logger.warning("cannot raise the descriptor limit from \(before) to \(target): errno \(errno)")
            return Int(clamping: before)
        }
        logger.info("descriptor limit raised from \(before) to \(target)")
        return Int(clamping: target)
    }

    /// Glibc imports `RLIMIT_NOFILE` as a case of `__rlimit_resource`.
    static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
}
