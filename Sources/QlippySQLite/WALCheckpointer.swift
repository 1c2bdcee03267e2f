import Foundation
import GRDB
import Synchronization

/// Copies the WAL's committed pages back into the database file on a thread of its own, so that
/// commits seldom have to.
///
/// SQLite checkpoints inside the commit that takes the WAL past a threshold (1 000 pages by
/// default): that commit, and every write batched into it, then waits for the copy and for the
/// file's fsync. Here a connection of its own runs a passive checkpoint (one that neither waits for
/// nor blocks readers and writers) every ``interval`` while the WAL grows, and every
/// ``idleInterval`` while it does not, so that an idle server on a laptop stays idle. The writer
/// keeps its own automatic checkpoint at ``writerThreshold`` pages as a backstop: a WAL starts
/// over only when a write begins after a checkpoint has copied all of it, which a steady stream of
/// commits can keep this one from reaching; the writer's checkpoint then finds most pages copied
/// already. Its connection syncs as the writer's does (`synchronous = FULL`), so the file is on
/// disk before the WAL starts over.
final class WALCheckpointer: Sendable {
    static let interval = DispatchTimeInterval.milliseconds(50)
    static let idleInterval = DispatchTimeInterval.seconds(1)
    static let writerThreshold = 4_000

    /// What the thread shares with ``stop()``; the thread holds these, not the checkpointer, so
    /// that dropping the checkpointer stops it.
    private final class Signals: Sendable {
        let wake = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let stopping = Atomic<Bool>(false)
    }

    private let signals = Signals()

    /// Starts checkpointing `path` on a thread. The thread opens its connection, then raises the
    /// writer's own threshold on `pool`; until the connection opens (another process may hold the
    /// file a moment), each round tries again and the writer checkpoints as SQLite does by default.
    init(path: String, pool: DatabasePool) {
        let signals = signals
        let thread = Thread {
            defer { signals.finished.signal() }
            var connection: DatabaseQueue?
            var lastFrames = -1
            while !signals.stopping.load(ordering: .acquiring) {
                if connection == nil { connection = Self.open(path, raisingThresholdOf: pool) }
                // Busy (another connection's checkpoint is running) or failed: the next round tries again.
                let frames = (try? connection?.writeWithoutTransaction { db in try db.checkpoint(.passive) })?.walFrameCount
                let growing = frames != lastFrames
                lastFrames = frames ?? -1
                _ = signals.wake.wait(timeout: .now() + (growing ? Self.interval : Self.idleInterval))
            }
            try? connection?.close()
        }
        thread.name = "qlippy WAL checkpointer"
        thread.start()
    }

    private static func open(_ path: String, raisingThresholdOf pool: DatabasePool) -> DatabaseQueue? {
        var configuration = Configuration()
        configuration.label = "WAL checkpointer"
        configuration.busyMode = .timeout(1)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        guard let connection = try? DatabaseQueue(path: path, configuration: configuration),
            (try? pool.writeWithoutTransaction({ db in try db.execute(sql: "PRAGMA wal_autocheckpoint = \(writerThreshold)") })) != nil
        else { return nil }
        return connection
    }

    /// Stops the thread and closes its connection; returns once both are done. Idempotent.
    func stop() {
        guard !signals.stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        signals.wake.signal()
        signals.finished.wait()
    }

    deinit {
        stop()
    }
}
