import Logging
import QlippyModel
import QlippyStore
import ServiceLifecycle

/// Deletes expired conversations (a temporary chat past its `expires_at`) every ``interval``, and
/// with `--retention DAYS` those nobody touched for that long every ``retentionInterval``: finding
/// them reads every conversation (no index has `last_updated` first, as one would cost every new
/// message), and a policy of days needs no answer within seconds. Reads leave an
/// expired conversation out at once; the sweep frees its rows (with its messages, search entries
/// and a `conversation.deleted` event) soon after.
///
/// A backlog goes in small batches (``batchSize`` conversations, one transaction each), and after
/// each the sweep pauses as long as the batch took: on SQLite every write waits for the one in
/// flight, so a request waits for one small batch at most, and the sweep takes at most half of the
/// writer's time.
struct ExpirySweeper: Service {
    let store: any ExpiredConversations
    /// `--retention`, in days.
    let retention: Int?
    let logger: Logger
    static let interval = Duration.seconds(5)
    static let retentionInterval = Duration.seconds(600)
    static let batchSize = 4

    func run() async throws {
        let clock = ContinuousClock()
        var retentionDue = clock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let withRetention = retention != nil && clock.now >= retentionDue
                let swept = try await sweep(withRetention: withRetention)
                if withRetention { retentionDue = clock.now + Self.retentionInterval }
                if swept > 0 { logger.info("deleted \(swept) expired conversations", metadata: ["deleted": "\(swept)"]) }
            } catch {
                logger.warning("expiry sweep failed, trying again: \(error)")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
        }
    }

    /// Batches until one comes back short; how many conversations went.
    func sweep(withRetention: Bool) async throws -> Int {
        var swept = 0
        let clock = ContinuousClock()
        while !Task.isShuttingDownGracefully {
            let cutoff = withRetention ? retention.map { Timestamp.now().minus(.seconds($0 * 86_400)) } : nil
            var deleted = 0
            let took = try await clock.measure {
                deleted = try await store.deleteExpired(untouchedBefore: cutoff, limit: Self.batchSize)
            }
            swept += deleted
            if deleted < Self.batchSize { break }
            try? await Task.sleep(for: took)
        }
        return swept
    }
}
