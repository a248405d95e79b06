import VRRPCore

/// The engine's timers: for each unit, the next time the engine must act on it, kept
/// in a binary min-heap indexed by unit. The earliest time is read in O(1); setting a
/// unit's time (every event on that unit) and taking the due units cost O(log n), so
/// nothing the engine does per packet walks all the units.
struct DeadlineQueue: Sendable {
    /// Unit indices ordered as a heap on `times`.
    private var heap: [Int] = []
    /// Per unit: its place in `heap`, or -1 when it has no time.
    private var position: [Int]
    /// Per unit: its time, or nil.
    private(set) var times: [VRRPInstant?]

    init(count: Int) {
        position = Array(repeating: -1, count: count)
        times = Array(repeating: nil, count: count)
        heap.reserveCapacity(count)
    }

    /// The earliest time of any unit.
    var earliest: VRRPInstant? { heap.first.map { times[$0]! } }

    /// Sets (nil: clears) unit `unit`'s time.
    mutating func set(_ unit: Int, _ time: VRRPInstant?) {
        let old = times[unit]
        guard old != time else { return }
        times[unit] = time
        let at = position[unit]
        switch (at >= 0, time) {
        case (false, nil):
            return
        case (false, .some):
            heap.append(unit)
            position[unit] = heap.count - 1
            siftUp(heap.count - 1)
        case (true, nil):
            remove(at: at)
        case (true, .some(let new)):
            if let old, new < old { siftUp(at) } else { siftDown(at) }
        }
    }

    /// The units whose time is at or before `now`, earliest first; their times stay
    /// set (the caller sets each afresh after acting on it).
    func due(at now: VRRPInstant) -> [Int] {
        guard let first = heap.first, times[first]! <= now else { return [] }
        // A walk of the heap's due part only: a child is never earlier than its parent.
        var due: [Int] = []
        var stack = [0]
        while let i = stack.popLast() {
            let unit = heap[i]
            guard times[unit]! <= now else { continue }
            due.append(unit)
            let left = 2 * i + 1
            if left < heap.count { stack.append(left) }
            if left + 1 < heap.count { stack.append(left + 1) }
        }
        return due.sorted { (times[$0]!, $0) < (times[$1]!, $1) }
    }

    private mutating func remove(at i: Int) {
        let unit = heap[i]
        position[unit] = -1
        let last = heap.removeLast()
        guard i < heap.count else { return }
        heap[i] = last
        position[last] = i
        siftDown(i)
        siftUp(i)
    }

    private func before(_ a: Int, _ b: Int) -> Bool {
        let (ta, tb) = (times[heap[a]]!, times[heap[b]]!)
        return ta < tb || (ta == tb && heap[a] < heap[b])
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        position[heap[a]] = a
        position[heap[b]] = b
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard before(i, parent) else { return }
            swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let left = 2 * i + 1, right = left + 1
            var smallest = i
            if left < heap.count, before(left, smallest) { smallest = left }
            if right < heap.count, before(right, smallest) { smallest = right }
            guard smallest != i else { return }
            swapAt(i, smallest)
            i = smallest
        }
    }
}
