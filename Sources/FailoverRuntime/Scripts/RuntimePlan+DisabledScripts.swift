extension RuntimePlan {
    /// The plan the engine runs when `disabled` scripts cannot be used: no instance
    /// tracks them, as keepalived removes a disabled script from every
    /// `track_script` list (the instance then runs as if it never tracked it).
    public func withoutTracking(_ disabled: Set<String>) -> RuntimePlan {
        guard !disabled.isEmpty else { return self }
        var plan = self
        for index in plan.instances.indices {
            plan.instances[index].router.trackedScripts.removeAll { disabled.contains($0.name) }
        }
        return plan
    }
}
