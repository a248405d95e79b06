import Logging
import VRRPCore
import VRRPWire

/// Split-brain and VRID-collision episodes: the core reports each conflicting
/// advert as a `PeerConflict`; the engine groups them into episodes per instance,
/// logs each episode's beginning and end once, and shows them in `/status` and
/// `/metrics`.
extension FailoverEngine {
    /// How long an instance must hear no conflicting advert before its episode ends:
    /// two Master_Down_Intervals at the configured advert interval (the default
    /// 1 s interval gives 8 s), so one lost advert never splits one episode in two.
    static func conflictQuietPeriod(_ router: VirtualRouterConfiguration) -> Duration {
        (router.advertisementInterval * 3 + .seconds(1)) * 2
    }

    /// Counts `conflict` for `instance`; logs when it begins an episode.
    func recordConflict(_ conflict: PeerConflict, instance: String, now: VRRPInstant) {
        let kind = conflict.isVRIDCollision ? "VRID collision" : "split brain"
        let began: Bool
        let episode: UInt64
        if conflict.isVRIDCollision {
            began = vridCollisions[instance, default: ConflictEpisodes()].record(conflict, now: now)
            episode = vridCollisions[instance]?.episodes ?? 0
        } else {
            began = splitBrains[instance, default: ConflictEpisodes()].record(conflict, now: now)
            episode = splitBrains[instance]?.episodes ?? 0
        }
        guard began else { return }
        activeConflicts += 1
        let log = table.contexts[instance]?.logger ?? logger
        log.warning("\(kind) with \(conflict.peer): \(conflict) (episode \(episode))",
                    metadata: ["vrrp.peer": "\(conflict.peer)"])
    }

    /// Ends the episodes that have been quiet long enough, logging each end.
    func expireConflicts(now: VRRPInstant) {
        guard activeConflicts > 0 else { return }
        for name in Array(splitBrains.keys) + Array(vridCollisions.keys) {
            guard let context = table.contexts[name] else { continue }
            let quiet = Self.conflictQuietPeriod(context.instance.router)
            if let ended = splitBrains[name]?.expire(now: now, quietPeriod: quiet) {
                activeConflicts -= 1
                context.logger.notice("split brain with \(ended.peer) over: no conflicting advert for \(quiet) (lasted \(ended.lasted))",
                                      metadata: ["vrrp.peer": "\(ended.peer)"])
            }
            if let ended = vridCollisions[name]?.expire(now: now, quietPeriod: quiet) {
                activeConflicts -= 1
                context.logger.notice("VRID collision with \(ended.peer) over: no conflicting advert for \(quiet) (lasted \(ended.lasted))",
                                      metadata: ["vrrp.peer": "\(ended.peer)"])
            }
        }
    }
}
