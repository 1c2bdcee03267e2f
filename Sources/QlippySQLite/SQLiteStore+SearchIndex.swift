import GRDB
import QlippyModel
import QlippyStore

/// The search index behind the writes: messages are indexed here, in batches, after their
/// request has been answered.
///
/// A batch takes the messages above `search_progress.indexed_through`, in rowid order, adds them to
/// `message_search` (and to `message_owners` when they have no row there yet) and moves the mark
/// past them, in one transaction of the group-commit writer:
/// a crash mid-batch leaves the mark where the index ends, and the next start goes on from it.
/// Searches read the index up to the mark and scan the rows above it, so a message is found by
/// the next search whether or not it is indexed yet (``search(userID:query:previewLength:)``).
extension SQLiteStore {
    /// Messages a batch indexes at most: small enough that the requests sharing its commit wait
    /// little for it, large enough that FTS5 merges its postings in memory first.
    public static let searchIndexBatch = 500
    /// How long the indexer rests once it has caught up.
    static let searchIndexRest = Duration.milliseconds(200)

    /// Indexes up to `limit` messages above the mark; the number indexed (0 when caught up).
    @discardableResult
    public func indexForSearch(limit: Int = searchIndexBatch) async throws -> Int {
        // Asked first on a read connection: an idle server commits nothing.
        guard try await ping().searchIndexBehind > 0 else { return 0 }
        return try await writer.write { db in
            let mark = try Int64.fetchOne(db, sql: SearchIndexSQL.mark) ?? 0
            guard let batch = try Row.fetchOne(db, sql: SearchIndexSQL.nextBatch, arguments: [mark, limit]),
                let last = batch[0] as Int64?, let count = batch[1] as Int?, count > 0
            else { return 0 }
            try db.execute(sql: SearchIndexSQL.indexBatch, arguments: [mark, last])
            try db.execute(sql: SearchIndexSQL.ownBatch, arguments: [mark, last])
            try db.execute(sql: SearchIndexSQL.moveMark, arguments: [last])
            return count
        }
    }

    /// The indexer, reporting its progress every ``progressInterval`` while it works.
    public func runBackgroundWork(report: @Sendable (BackgroundEvent) -> Void) async {
        await runBackgroundWork(reportingEvery: Self.progressInterval, report: report)
    }

    /// Indexes batches until the task is cancelled, resting while there is nothing to index; a
    /// batch that fails is reported and tried again after the rest. While it works, it reports
    /// how far it is behind every `interval`.
    public func runBackgroundWork(reportingEvery interval: Duration, report: @Sendable (BackgroundEvent) -> Void) async {
        var lastReport = ContinuousClock.now
        var indexedSinceReport = 0
        while !Task.isCancelled {
            do {
                let indexed = try await indexForSearch()
                indexedSinceReport += indexed
                let elapsed = lastReport.duration(to: .now)
                if indexed > 0, elapsed >= interval {
                    let behind = try await ping().searchIndexBehind
                    let seconds = max(elapsed / .seconds(1), 0.001)
                    report(.indexing(behind: behind, perSecond: Int(Double(indexedSinceReport) / seconds)))
                    (lastReport, indexedSinceReport) = (.now, 0)
                }
                if indexed > 0 { continue }
            } catch {
                report(.failed(error))
            }
            (lastReport, indexedSinceReport) = (.now, 0)
            try? await Task.sleep(for: Self.searchIndexRest)
        }
    }

    /// How often a working indexer says how far it is behind (the server logs it).
    public static let progressInterval = Duration.seconds(5)
}

/// The indexer's statements.
enum SearchIndexSQL {
    static let mark = "SELECT indexed_through FROM search_progress"
    /// The highest rowid of the next batch, and its size. Arguments: the mark, the batch size.
    static let nextBatch = "SELECT max(rowid), count(*) FROM (SELECT rowid FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?)"
    /// Arguments: the mark, the batch's last rowid.
    static let indexBatch = "INSERT INTO message_search (rowid, content) SELECT rowid, content FROM messages WHERE rowid > ? AND rowid <= ?"
    /// The owners of a batch's messages that have none yet (``SchemaBaseline`` leaves them to the
    /// indexer; every later message gets its row from v5's trigger, kept current by the others).
    /// Arguments: the mark, the batch's last rowid.
    static let ownBatch = """
        INSERT OR IGNORE INTO message_owners (message_rowid, conversation_rowid)
        \(owners)
        WHERE m.rowid > ? AND m.rowid <= ?
        """
    /// Each message's rowid with its conversation's (0 for none): what `message_owners` holds.
    static let owners = "SELECT m.rowid, coalesce(c.rowid, 0) FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id"
    static let moveMark = "UPDATE search_progress SET indexed_through = ?"
    /// How many rowids the index has yet to reach: messages waiting, at most (0 exactly when none does).
    static let behind = "SELECT \(behindColumn) FROM search_progress"
    /// The mark, and how many rowids the index has yet to reach.
    static let progress = "SELECT indexed_through, \(behindColumn) FROM search_progress"
    private static let behindColumn = "max(coalesce((SELECT max(rowid) FROM messages), 0) - indexed_through, 0)"
}
