/// At most `limit` imports write at once; the others wait their turn; at most `capacity` are taken
/// in at all.
///
/// An import's body is on disk before it waits (a request must arrive within `--request-timeout`),
/// so waiting costs no memory; what the slots bound is the work after it: mapping the file,
/// decoding its conversations and writing them, which several clients at once would otherwise
/// multiply against the writes of every other route. The capacity bounds the disk the waiting
/// bodies take: one more client is told to come back before its body is read.
actor ImportSlots {
    private let limit: Int
    private let capacity: Int
    private var admitted = 0
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int, capacity: Int) {
        self.limit = limit
        self.capacity = capacity
    }

    /// Runs `body` (receiving an import's body, then ``holding(_:)``) while fewer than `capacity`
    /// imports are in; else throws ``APIError/importsBusy(capacity:)`` at once.
    func admitting<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value {
        guard admitted < capacity else { throw APIError.importsBusy(capacity: capacity) }
        admitted += 1
        defer { admitted -= 1 }
        return try await body()
    }

    /// How many imports wait for a slot now.
    var queued: Int { waiting.count }

    /// Runs `body` once a slot is free, and frees it after.
    func holding<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value {
        if running < limit {
            running += 1
        } else {
            // The slot is handed over by the import that frees it: `running` stays counted.
            await withCheckedContinuation { waiting.append($0) }
        }
        defer {
            if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
