import VRRPCore

/// The engine's timers: for each unit, the next time the engine must act on it, kept
/// in a binary min-heap indexed by unit, on a key that is never later than the unit's
/// time. Nothing the engine does per packet walks all the units or the heap.
///
/// A backup moves a unit's time later on every advert it receives (2,550 a second at
/// 255 instances and 0.1 s). Such a move only records the time, in O(1): the unit's
/// key stays where it was, earlier, so the heap's first key is a lower bound of the
/// earliest time (`nextWakeUp`) and the engine never wakes late. When it wakes and
/// finds no unit due, only keys behind their units' times, `due(at:)` brings every key
/// up to its unit's time in one O(n) rebuild, and the next wake-up is exact: a steady
/// backup rebuilds about once per Master_Down_Interval instead of moving a unit in the
/// heap per advert. A time moved earlier, set for the first time, or cleared goes into the
/// heap at once (O(log n)), and so does a unit taken as due and then set afresh,
/// before the next wake-up is read: a master's tick costs what it did.
struct DeadlineQueue: Sendable {
    /// Unit indices ordered as a heap on `keys`.
    private var heap: [Int] = []
    /// Per unit: its place in `heap`, or -1 when it has no time.
    private var position: [Int]
    /// Per unit: its time, or nil.
    private var times: [VRRPInstant?]
    /// Per unit in the heap: its key, at or before its time.
    private var keys: [VRRPInstant]
    /// Units the last `due(at:)` walked past: those it took as due and those whose
    /// key was behind their time. Their keys are brought up to their times before
    /// the next wake-up is read.
    private var pending: [Int] = []

    init(count: Int) {
        position = Array(repeating: -1, count: count)
        times = Array(repeating: nil, count: count)
        keys = Array(repeating: VRRPInstant(offset: .zero), count: count)
        heap.reserveCapacity(count)
    }

    /// Whether no unit has a time.
    var isEmpty: Bool { heap.isEmpty }

    /// When to wake next: at or before the earliest time of any unit (nil: no unit
    /// has a time). Exactly it after a `due(at:)` that found no unit due.
    mutating func nextWakeUp() -> VRRPInstant? {
        for unit in pending where position[unit] >= 0 { raiseKey(of: unit) }
        pending.removeAll(keepingCapacity: true)
        return heap.first.map { keys[$0] }
    }

    /// Sets (nil: clears) unit `unit`'s time.
    mutating func set(_ unit: Int, _ time: VRRPInstant?) {
        guard times[unit] != time else { return }
        times[unit] = time
        let at = position[unit]
        switch (at >= 0, time) {
        case (false, nil):
            return
        case (false, .some(let new)):
            keys[unit] = new
            heap.append(unit)
            position[unit] = heap.count - 1
            siftUp(heap.count - 1)
        case (true, nil):
            remove(at: at)
        case (true, .some(let new)):
            if new < keys[unit] {
                keys[unit] = new
                siftUp(at)
            }
            // Later than its key: the key stays, a lower bound (raised for the units
            // just taken as due, by `nextWakeUp`; for the others at the next rebuild).
        }
    }

    /// The units whose time is at or before `now`, earliest first; their times stay
    /// set (the caller sets each afresh after acting on it, and their keys follow
    /// before the next wake-up). When no unit is due, the wake-up came from a key
    /// behind its time: every key is brought up to its unit's time.
    mutating func due(at now: VRRPInstant) -> [Int] {
        guard let first = heap.first, keys[first] <= now else { return [] }
        // The part of the heap keyed at or before `now` (a child is never keyed
        // earlier than its parent): the units due, and the keys behind their time.
        var due: [Int] = []
        var behind: [Int] = []
        var stack = [0]
        while let i = stack.popLast() {
            let unit = heap[i]
            guard keys[unit] <= now else { continue }
            if times[unit]! <= now { due.append(unit) } else { behind.append(unit) }
            let left = 2 * i + 1
            if left < heap.count { stack.append(left) }
            if left + 1 < heap.count { stack.append(left + 1) }
        }
        guard !due.isEmpty else {
            rebuild()
            return []
        }
        // The keys walked that are behind their time are raised with the due units'
        // new keys, before the next wake-up.
        pending.append(contentsOf: due)
        pending.append(contentsOf: behind)
        return due.sorted { (times[$0]!, $0) < (times[$1]!, $1) }
    }

    /// Unit `unit`'s key brought up to its time (it is in the heap).
    private mutating func raiseKey(of unit: Int) {
        let time = times[unit]!
        guard keys[unit] < time else { return }
        keys[unit] = time
        siftDown(position[unit])
    }

    /// Every key set to its unit's time, the heap rebuilt bottom-up (O(n)).
    private mutating func rebuild() {
        for unit in heap { keys[unit] = times[unit]! }
        var i = heap.count / 2
        while i > 0 {
            i -= 1
            siftDown(i)
        }
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
        let (ka, kb) = (keys[heap[a]], keys[heap[b]])
        return ka < kb || (ka == kb && heap[a] < heap[b])
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
