import Foundation
import GRDB
import QlippyModel
import QlippyStore

extension SQLiteStore {
    /// Finds the user's conversations whose messages (or title) contain the query text.
    ///
    /// Texts of three scalars or more are looked up in the trigram index (`message_search`), which
    /// finds exactly the messages containing them, up to the rowid it has reached; the user's
    /// messages above it (written since, not indexed yet) are scanned, in the same snapshot.
    /// Shorter texts cannot use it (a trigram index holds nothing shorter). For a user with few
    /// messages (at most ``searchScanLimit``) the index answers only when it holds at most as many
    /// hits as the user has messages, and the search filters by no role or date: it lists every user's
    /// hits, so a light user's search for a common word would walk the whole file's hits, while
    /// scanning their own messages is bounded by their size; a rare word, though, is found in the
    /// index at once.
    /// Titles are tested while the user's conversations load: they are short, and the heavy user's
    /// 5 000 take about a millisecond.
    public func search(userID: String, query: SearchQuery, previewLength: Int) async throws -> SearchResults {
        let previewLength = PreviewLength.served(previewLength)
        let matcher = SubstringMatcher(query.text)
        return try snapshot { connection in
            try connection.requireUser(id: userID)
            let filter = SearchFilter(query, userID: userID)
            var hits = SearchHits()
            try connection.forEachRow(SearchSQL.conversations(filter), [userID] + filter.conversationArguments) { row in
                let titleMatches = !query.filtersMessages && row.withBytes(SearchSQL.titleColumn) { matcher.matches(utf8: $0) } == true
                hits.add(conversation: row, titleMatches: titleMatches)
            }
            let scan = { (sql: String, arguments: [String]) in
                try connection.forEachRow(sql, arguments) { row in
                    if row.withBytes(SearchSQL.contentColumn, { matcher.matches(utf8: $0) }) == true { hits.add(message: row) }
                }
            }
            var indexed = false
            if matcher.folded.count >= SearchSQL.indexMinimum {
                let (mark, behind) = try connection.fetchOne(SearchIndexSQL.progress, []) { ($0.int64(0), $0.int64(1)) } ?? (0, 0)
                let messages = try Self.messageCount(upTo: searchScanLimit + 1, filter, userID, connection)
                if messages > searchScanLimit {
                    try gatherIndexedHits(of: query.text, through: mark, filter, connection, into: &hits)
                    indexed = true
                } else {
                    indexed = try Self.gatherFewIndexedHits(
                        of: query.text, through: mark, atMost: messages, filter, connection, into: &hits)
                }
                if indexed {
                    let few = behind <= Int64(searchScanLimit)
                    try scan(SearchSQL.messagesNotIndexed(filter, few: few), [String(mark), userID] + filter.arguments)
                }
            }
            if !indexed {
                try scan(SearchSQL.scannedMessages(filter), [userID] + filter.arguments)
            }
            let matching = hits.matching
            let page = query.page(of: matching, rank: \.rank)
            let results = try page.items.map { try Self.result(for: $0, connection, previewLength: previewLength) }
            return SearchResults(total: matching.count, results: results, hasMore: page.hasMore)
        }
    }

    /// Finds the index's hits in two halves of the rowid range at once: the lower on this
    /// connection, the upper on another from the pool, on another thread. A common term's hits are
    /// most of a search's time (0.5 µs each: the index's position lists, then the owner's row), and
    /// the machines we target have several cores. The upper half reads a snapshot begun a moment
    /// after this one, so a write committed in between may count in it, as if the search had started
    /// that moment later; either way every write acknowledged before the search began is seen.
    private func gatherIndexedHits(
        of text: String, through mark: Int64, _ filter: SearchFilter, _ connection: ReadConnection, into hits: inout SearchHits
    ) throws {
        let sql = SearchSQL.indexedMessages(filter)
        let arguments = { (first: Int64, last: Int64) in [Self.phrase(text), String(first), String(last)] + filter.messageArguments }
        let middle = mark / 2
        let upperArguments = arguments(middle + 1, mark)
        let upper = UpperHalf()
        let readers = readers
        let thread = Thread {
            upper.pairs = Result {
                try readers.read { other in
                    try other.snapshot {
                        var pairs: [Int64] = []
                        try other.forEachRow(sql, upperArguments) { row in
                            pairs.append(row.int64(0))
                            pairs.append(row.int64(1))
                        }
                        return pairs
                    }
                }
            }
            upper.done.signal()
        }
        thread.start()
        let lower = Result { try connection.forEachRow(sql, arguments(.min, middle)) { hits.add(message: $0) } }
        upper.done.wait()
        try lower.get()
        let pairs = try upper.pairs.get()
        for index in stride(from: 0, to: pairs.count, by: 2) {
            hits.add(message: pairs[index + 1], ofConversation: pairs[index])
        }
    }

    /// Adds the index's hits when there are at most `limit` of them, every user's counted, and
    /// answers whether it did. A light user's search passes the number of their messages: a hit
    /// costs less than a message scanned, so a text with no more hits than that is read from the
    /// index, and reading stops at the first hit past it, so a common text costs at most about
    /// twice the scan it falls back to. Only for a search without a role or date filter: the
    /// limit would count the hits the filter keeps, and one that keeps few would walk them all.
    private static func gatherFewIndexedHits(
        of text: String, through mark: Int64, atMost limit: Int, _ filter: SearchFilter, _ connection: ReadConnection,
        into hits: inout SearchHits
    ) throws -> Bool {
        guard limit > 0, filter.messageSQL.isEmpty else { return false }
        var pairs: [(conversation: Int64, message: Int64)] = []
        let arguments = [phrase(text), String(Int64.min), String(mark)] + filter.messageArguments + [String(limit + 1)]
        try connection.forEachRow(SearchSQL.firstIndexedMessages(filter), arguments) { row in
            pairs.append((row.int64(0), row.int64(1)))
        }
        guard pairs.count <= limit else { return false }
        for pair in pairs { hits.add(message: pair.message, ofConversation: pair.conversation) }
        return true
    }

    /// The text as one FTS5 phrase: quoted, inner quotes doubled, so that no character of it is syntax.
    static func phrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// How many messages the user's conversations (those the filter keeps) hold, counted up to `bound`.
    private static func messageCount(upTo bound: Int, _ filter: SearchFilter, _ userID: String, _ connection: ReadConnection) throws -> Int
    {
        let arguments = [userID] + filter.conversationArguments + [String(bound)]
        return try connection.fetchOne(SearchSQL.boundedMessageCount(filter), arguments) { $0.int(0) } ?? 0
    }

    private static func result(for hit: SearchHits.Conversation, _ connection: ReadConnection, previewLength: Int) throws -> SearchResult {
        let summary = try connection.fetchOne(Queries.conversationSummary, [hit.id]) { row in
            ConversationSummary(row, previewLength: previewLength)
        }
        guard let summary else { throw StoreError.notFound(.conversation) }
        let messages = try firstMatches(of: hit, connection).compactMap { rowid in
            try connection.fetchOne(Queries.messageByRowID, [String(rowid)], Message.init)
        }
        return SearchResult(summary: summary, matchCount: hit.matchCount, matchingMessages: messages)
    }

    /// The rowids of the conversation's first three matching messages in its own order (timestamp,
    /// then rowid): its index walked until they are found, so a conversation whose messages all
    /// match reads three entries, not all of them.
    private static func firstMatches(of hit: SearchHits.Conversation, _ connection: ReadConnection) throws -> [Int64] {
        let wanted = min(3, hit.matchCount)
        guard wanted > 0 else { return [] }
        let matching = Set(hit.messageRowIDs)
        var first: [Int64] = []
        try connection.forEachRow(
            SearchSQL.messageOrder, [hit.id],
            while: { row in
                let rowid = row.int64(0)
                if matching.contains(rowid) { first.append(rowid) }
                return first.count < wanted
            })
        return first
    }
}

/// What the upper half's thread hands back: written by that thread before it signals `done`, read
/// after waiting on `done`, so never by two threads at once.
private final class UpperHalf: @unchecked Sendable {
    var pairs: Result<[Int64], any Error> = .success([])
    let done = DispatchSemaphore(value: 0)
}
