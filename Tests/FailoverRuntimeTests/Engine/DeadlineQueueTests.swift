@testable import FailoverRuntime
import Testing
import VRRPCore
import VRRPWire

@Suite struct DeadlineQueueTests {
    /// A deterministic generator for the operation sequences.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// Drives a queue as the engine does — events set times, the engine wakes at
    /// `nextWakeUp`, takes the due units and sets each afresh — against a scan over
    /// every unit's time. Returns the wake-ups at which no unit was due.
    static func drive(units: Int, steps: Int, seed: UInt64, later: Bool) -> Int {
        var queue = DeadlineQueue(count: units)
        var model = [VRRPInstant?](repeating: nil, count: units)
        var random = Generator(state: seed)
        var now = VRRPInstant(offset: .zero)
        var idle = 0
        func set(_ unit: Int, _ time: VRRPInstant?) {
            queue.set(unit, time)
            model[unit] = time
        }
        for step in 0..<steps {
            let unit = random.next(units)
            // `later`: mostly a backup's move, its time pushed later; otherwise anything.
            let time: VRRPInstant? = random.next(later ? 50 : 5) == 0 ? nil
                : now + .milliseconds(later ? 300 + random.next(100) : random.next(1_000))
            set(unit, time)
            let earliest = model.compactMap { $0 }.min()
            let wakeUp = queue.nextWakeUp()
            #expect((wakeUp == nil) == (earliest == nil), "step \(step)")
            if let wakeUp, let earliest { #expect(wakeUp <= earliest, "step \(step): wakes after the earliest time") }
            // Time moves on; at a wake-up, the due units are acted on and set afresh.
            now = now + .milliseconds(random.next(3))
            guard let at = queue.nextWakeUp(), at <= now else { continue }
            let expected = model.indices.filter { model[$0].map { $0 <= now } ?? false }
                .sorted { (model[$0]!, $0) < (model[$1]!, $1) }
            let due = queue.due(at: now)
            #expect(due == expected, "step \(step)")
            if due.isEmpty {
                idle += 1
                #expect(queue.nextWakeUp() == model.compactMap { $0 }.min(), "step \(step): exact after a wake-up with nothing due")
            }
            for unit in due { set(unit, random.next(4) == 0 ? nil : now + .milliseconds(100 + random.next(300))) }
        }
        return idle
    }

    @Test("The wake-up is never after the earliest time and the due units always equal a scan over every unit's time",
          arguments: [1, 7, 64, 255])
    func agreesWithAScan(units: Int) {
        _ = Self.drive(units: units, steps: 5_000, seed: UInt64(units), later: false)
        _ = Self.drive(units: units, steps: 5_000, seed: UInt64(units) + 1, later: true)
    }

    @Test("A time moved later costs no heap work: the wake-up stays at the earlier key until a wake-up finds nothing due, then is exact")
    func laterTimesAreLazy() {
        var queue = DeadlineQueue(count: 3)
        let second = { (s: Int) in VRRPInstant(offset: .seconds(s)) }
        queue.set(0, second(1))
        queue.set(1, second(5))
        #expect(queue.nextWakeUp() == second(1))
        queue.set(0, second(3))
        #expect(queue.nextWakeUp() == second(1), "the key stays: a lower bound of the earliest time")
        #expect(queue.due(at: second(1)).isEmpty)
        #expect(queue.nextWakeUp() == second(3), "rebuilt at the wake-up that found nothing due")
        queue.set(1, second(2))
        #expect(queue.nextWakeUp() == second(2), "an earlier time goes into the heap at once")
    }

    @Test("A steady backup wakes for nothing about once per Master_Down_Interval less an advert interval, not once per advert")
    func steadyBackupWakesRarely() {
        // 255 units, each pushed 360 ms ahead by an advert every 100 ms, for 10 s.
        var queue = DeadlineQueue(count: 255)
        var idle = 0, adverts = 0
        var now = VRRPInstant(offset: .zero)
        for unit in 0..<255 { queue.set(unit, now + .milliseconds(360)) }
        for tick in 1...1_000 {
            now = VRRPInstant(offset: .milliseconds(10 * tick))
            // The units whose advert falls in this 10 ms (each unit once per 100 ms).
            for unit in 0..<255 where unit % 10 == tick % 10 {
                queue.set(unit, now + .milliseconds(360))
                adverts += 1
            }
            if let at = queue.nextWakeUp(), at <= now {
                #expect(queue.due(at: now).isEmpty, "a steady backup has nothing due")
                idle += 1
            }
        }
        #expect(adverts == 25_500)
        // After a rebuild the next wake-up is the oldest advert's time, at most one
        // advert interval old: at most one wake-up per 260 ms, not one per advert.
        #expect(idle <= 10_000 / 260 + 1, "\(idle) wake-ups with nothing due")
    }

    @Test("A unit set twice to the same time is one entry; clearing it removes it")
    func setIsIdempotentAndClearRemoves() {
        var queue = DeadlineQueue(count: 3)
        let t = VRRPInstant(offset: .seconds(1))
        queue.set(1, t)
        queue.set(1, t)
        queue.set(2, VRRPInstant(offset: .seconds(2)))
        #expect(queue.due(at: VRRPInstant(offset: .seconds(5))) == [1, 2])
        queue.set(1, nil)
        #expect(queue.nextWakeUp() == VRRPInstant(offset: .seconds(2)))
        queue.set(2, nil)
        #expect(queue.nextWakeUp() == nil)
        #expect(queue.isEmpty)
        #expect(queue.due(at: VRRPInstant(offset: .seconds(5))).isEmpty)
    }
}

@Suite struct ReceiveCoalescingTests {
    static func plan(_ intervals: [Duration]) -> RuntimePlan {
        RuntimePlan(instances: intervals.enumerated().map { i, interval in
            RuntimeInstance(router: VirtualRouterConfiguration(
                name: "VI_\(i)", virtualRouterID: VirtualRouterID(UInt8(i + 1))!, version: .v3, priority: Priority(100),
                advertisementInterval: interval, primaryAddress: IPAddress("192.0.2.1")!,
                virtualAddresses: [IPAddress("198.51.100.\(i + 1)")!]),
                interface: "eth0", destinations: [.v4(.vrrpMulticastGroup)])
        })
    }

    @Test("Receive coalescing is a tenth of the shortest advert interval, at most 10 ms, none without instances",
          arguments: [([Duration.seconds(1)], Duration.milliseconds(10)),
                      ([.milliseconds(100)], .milliseconds(10)),
                      ([.seconds(1), .milliseconds(50)], .milliseconds(5)),
                      ([.milliseconds(10)], .milliseconds(1)),
                      ([], .zero)])
    func coalescingFollowsTheShortestInterval(intervals: [Duration], expected: Duration) {
        #expect(Self.plan(intervals).receiveCoalescing == expected)
    }
}
