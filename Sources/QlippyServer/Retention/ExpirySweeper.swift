import Logging
import QlippyModel
import QlippyStore
import ServiceLifecycle

/// Deletes expired conversations (a temporary chat past its `expires_at`), and with
/// `--retention DAYS` those nobody touched for that long, every ``interval``: in batches of
/// ``batchSize``, one transaction each, so that a backlog never holds the writers long and adds
/// go on between batches. Reads leave an expired conversation out at once; the sweep frees its
/// rows (with its messages, search entries and a `conversation.deleted` event) soon after.
struct ExpirySweeper: Service {
    let store: any ExpiredConversations
    /// `--retention`, in days.
    let retention: Int?
    let logger: Logger
    static let interval = Duration.seconds(5)
    static let batchSize = 100

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let swept = try await sweep()
                if swept > 0 { logger.info("deleted \(swept) expired conversations", metadata: ["deleted": "\(swept)"]) }
            } catch {
                logger.warning("expiry sweep failed, trying again: \(error)")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
        }
    }

    /// Batches until one comes back short; how many conversations went.
    func sweep() async throws -> Int {
        var swept = 0
        while !Task.isShuttingDownGracefully {
            let cutoff = retention.map { Timestamp.now().minus(.seconds($0 * 86_400)) }
            let deleted = try await store.deleteExpired(untouchedBefore: cutoff, limit: Self.batchSize)
            swept += deleted
            if deleted < Self.batchSize { break }
        }
        return swept
    }
}
