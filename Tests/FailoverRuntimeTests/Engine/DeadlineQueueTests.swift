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

    @Test("The earliest time and the due units always equal a scan over every unit's time", arguments: [1, 7, 64, 255])
    func agreesWithAScan(units: Int) {
        var queue = DeadlineQueue(count: units)
        var model = [VRRPInstant?](repeating: nil, count: units)
        var random = Generator(state: UInt64(units))
        for step in 0..<5_000 {
            let unit = random.next(units)
            let time: VRRPInstant? = random.next(5) == 0 ? nil : VRRPInstant(offset: .milliseconds(random.next(1_000)))
            queue.set(unit, time)
            model[unit] = time
            #expect(queue.earliest == model.compactMap { $0 }.min(), "step \(step)")
            if step % 50 == 0 {
                let now = VRRPInstant(offset: .milliseconds(random.next(1_000)))
                let expected = model.indices.filter { model[$0].map { $0 <= now } ?? false }
                    .sorted { (model[$0]!, $0) < (model[$1]!, $1) }
                #expect(queue.due(at: now) == expected, "step \(step)")
            }
        }
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
        #expect(queue.earliest == VRRPInstant(offset: .seconds(2)))
        queue.set(2, nil)
        #expect(queue.earliest == nil)
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
