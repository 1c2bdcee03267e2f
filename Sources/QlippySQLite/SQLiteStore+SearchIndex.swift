import GRDB
import QlippyModel
import QlippyStore

/// The search index behind the writes: messages are indexed here, in batches, after their
/// request has been answered.
///
/// A batch takes the messages above `search_progress.indexed_through`, in rowid order, adds them to
/// `message_search` and moves the mark past them, in one transaction of the group-commit writer:
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
        guard try readers.read({ try $0.fetchOne(SearchIndexSQL.anyWaiting, []) { $0.bool(0) } }) == true else { return 0 }
        return try await writer.write { db in
            let mark = try Int64.fetchOne(db, sql: SearchIndexSQL.mark) ?? 0
            guard let last = try Int64.fetchOne(db, sql: SearchIndexSQL.lastOfBatch, arguments: [mark, limit]) else { return 0 }
            let count = try Int.fetchOne(db, sql: SearchIndexSQL.countBetween, arguments: [mark, last]) ?? 0
            try db.execute(sql: SearchIndexSQL.indexBatch, arguments: [mark, last])
            try db.execute(sql: SearchIndexSQL.moveMark, arguments: [last])
            return count
        }
    }

    /// Indexes every message above the mark; the number indexed.
    @discardableResult
    public func indexAllForSearch() async throws -> Int {
        var total = 0
        while case let indexed = try await indexForSearch(), indexed > 0 { total += indexed }
        return total
    }

    /// Indexes batches until the task is cancelled, resting while there is nothing to index; a
    /// batch that fails is reported and tried again after the rest.
    public func runBackgroundWork(onFailure: @Sendable (any Error) -> Void) async {
        while !Task.isCancelled {
            do {
                if try await indexForSearch() > 0 { continue }
            } catch {
                onFailure(error)
            }
            try? await Task.sleep(for: Self.searchIndexRest)
        }
    }

    /// How many messages wait above the mark.
    public func messagesWaitingForSearchIndex() async throws -> Int {
        try readers.read { connection in
            try connection.fetchOne(SearchIndexSQL.waiting, []) { $0.int(0) } ?? 0
        }
    }
}

/// The indexer's statements.
enum SearchIndexSQL {
    static let mark = "SELECT indexed_through FROM search_progress"
    /// The highest rowid of the next batch. Arguments: the mark, the batch size.
    static let lastOfBatch = "SELECT max(rowid) FROM (SELECT rowid FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?)"
    /// Arguments: the mark, the batch's last rowid.
    static let indexBatch = "INSERT INTO message_search (rowid, content) SELECT rowid, content FROM messages WHERE rowid > ? AND rowid <= ?"
    static let moveMark = "UPDATE search_progress SET indexed_through = ?"
    static let countBetween = "SELECT count(*) FROM messages WHERE rowid > ? AND rowid <= ?"
    static let waiting = "SELECT count(*) FROM messages WHERE rowid > (SELECT indexed_through FROM search_progress)"
    static let anyWaiting = "SELECT EXISTS (SELECT 1 FROM messages WHERE rowid > (SELECT indexed_through FROM search_progress))"
}
