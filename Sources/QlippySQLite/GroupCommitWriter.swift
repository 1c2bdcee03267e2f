import GRDB
import QlippyModel
import QlippyStore
import Synchronization

/// Runs write requests through one writer, batching the ones that arrive together into a single
/// SQLite transaction: one commit, one fsync, for the whole batch (group commit).
///
/// With `synchronous=FULL` every commit waits for the disk, so committing each request on its own
/// would cap writes at the disk's fsync rate. Here, while one batch commits, the next requests queue
/// up and share the following commit. Each request still runs in its own savepoint: one that throws
/// is rolled back alone and gets its own error, and its batch-mates commit. Nobody hears of success
/// before the batch's commit has returned, so an acknowledged write is durable.
///
/// A savepoint keeps the pages its request changes, as they were, in a journal of its own. SQLite
/// holds that journal in memory up to 64 KiB and then in a temporary file, which lives until the
/// transaction ends: most batches of message adds passed it, and paid for creating, writing and
/// deleting a file each. The writer keeps its journals in memory instead (`temp_store = MEMORY`),
/// which only the few writes whose journal has no bound cannot afford: a write that may change a
/// whole history (``Journal/onDisk``) commits in a batch of its own, with the journal on disk.
final class GroupCommitWriter: Sendable {
    private let pool: DatabasePool
    private let state = Mutex(State())

    private struct State {
        var pending: [PendingWrite] = []
        var draining = false
        var committed = Statistics()
    }

    /// How many batches and writes have gone through: what batching achieved.
    struct Statistics: Equatable {
        var batches = 0
        var writes = 0
    }

    var statistics: Statistics {
        state.withLock { $0.committed }
    }

    /// Where a write's savepoint journal (the pages it changes, as they were) is kept.
    enum Journal: Sendable {
        /// In memory, beside its batch-mates': a write that changes a bounded number of pages.
        case inMemory
        /// In a temporary file, in a batch of its own: a write that may change any number of
        /// pages (deleting a user's whole history), whose journal could outgrow the memory.
        case onDisk

        var tempStore: String {
            switch self {
            case .inMemory: "PRAGMA temp_store = MEMORY"
            case .onDisk: "PRAGMA temp_store = FILE"
            }
        }
    }

    private struct PendingWrite: Sendable {
        /// Runs the request's work; returns what hands its result to the caller once committed.
        let run: @Sendable (Database) throws -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
        let journal: Journal
        let queued = ContinuousClock.now
    }

    private let metrics: StoreMetrics

    init(pool: DatabasePool, metrics: StoreMetrics = .none) {
        self.pool = pool
        self.metrics = metrics
    }

    /// Runs `body` inside the next batch's transaction and returns its result once that batch is durable.
    func write<Value: Sendable>(journal: Journal = .inMemory, _ body: @escaping @Sendable (Database) throws -> Value) async throws
        -> Value
    {
        try await withCheckedThrowingContinuation { continuation in
            let write = PendingWrite(
                run: { db in
                    let value = try body(db)
                    return { continuation.resume(returning: value) }
                },
                fail: { error in continuation.resume(throwing: error) },
                journal: journal
            )
            let startsDrain = state.withLock { state in
                state.pending.append(write)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startsDrain {
                Task { await self.drain() }
            }
        }
    }

    /// Commits batches until no request is waiting.
    private func drain() async {
        while true {
            let batch = state.withLock { state in
                let batch = Self.nextBatch(taking: &state.pending)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            await commit(batch)
        }
    }

    /// The writes waiting, in order, up to the first one that commits alone; that one alone when
    /// it comes first.
    private static func nextBatch(taking pending: inout [PendingWrite]) -> [PendingWrite] {
        let alone = pending.firstIndex { $0.journal == .onDisk }
        let count = alone == 0 ? 1 : alone ?? pending.count
        defer { pending.removeFirst(count) }
        return Array(pending.prefix(count))
    }

    private func commit(_ batch: [PendingWrite]) async {
        do {
            // On GRDB's writer queue, not a cooperative thread: the commit waits for the disk.
            let outcomes = try await pool.writeWithoutTransaction { [metrics] db in
                let started = ContinuousClock.now
                for write in batch { metrics.wait.record(duration: write.queued.duration(to: started)) }
                metrics.writeBatchSize.record(batch.count)
                defer { metrics.transaction.record(duration: started.duration(to: .now)) }
                var outcomes: [@Sendable () -> Void] = []
                outcomes.reserveCapacity(batch.count)
                // Outside the transaction: SQLite decides where its journals go when it begins.
                try db.cachedStatement(sql: batch[0].journal.tempStore).execute()
                try db.inTransaction(.immediate) {
                    let savepoint = try RequestSavepoint(db)
                    for write in batch {
                        do {
                            let deliver = try savepoint.run { try write.run(db) }
                            outcomes.append(deliver)
                        } catch {
                            outcomes.append { write.fail(error) }
                        }
                    }
                    return .commit
                }
                return outcomes
            }
            state.withLock { state in
                state.committed.batches += 1
                state.committed.writes += batch.count
            }
            for deliver in outcomes { deliver() }
        } catch {
            // The commit itself failed: nothing in the batch is durable, so everyone hears so.
            for write in batch { write.fail(error) }
        }
    }
}

/// One request's savepoint inside a batch, from the connection's statement cache.
///
/// GRDB's `inSavepoint` prepares its `SAVEPOINT` and `RELEASE` statements anew on each call; per
/// request, that preparation cost about as much as the request's own statements.
private struct RequestSavepoint {
    private let begin: Statement
    private let release: Statement
    private let rollback: Statement

    init(_ db: Database) throws {
        begin = try db.cachedStatement(sql: "SAVEPOINT request")
        release = try db.cachedStatement(sql: "RELEASE SAVEPOINT request")
        rollback = try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT request")
    }

    /// Runs `body` in the savepoint: kept if it returns, undone (and only it) if it throws.
    func run<Value>(_ body: () throws -> Value) throws -> Value {
        try begin.execute()
        do {
            let value = try body()
            try release.execute()
            return value
        } catch {
            try rollback.execute()
            try release.execute()
            throw error
        }
    }
}
