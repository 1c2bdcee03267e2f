import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    /// Finds the user's conversations whose messages (or title) contain the query text, with the
    /// same results as the SQLite store. Messages are matched in their lower-cased copies
    /// (`message_search_text`) against the lower-cased query, which is what `ILIKE` does without
    /// lower-casing each candidate message again: through the `pg_trgm` index (`LIKE`, for three
    /// characters or more), or, for a user with few messages (``searchScanLimit``), by scanning
    /// the user's own copies. One query counts the matches per conversation; the page's
    /// conversations, their first three matches (in the conversation's own order) and those
    /// messages are read by id, in the same snapshot.
    public func search(userID: String, query: SearchQuery, previewLength: Int) async throws -> SearchResults {
        let previewLength = PreviewLength.served(previewLength)
        return try await snapshot(deadline: deadline.map { max($0, Self.searchDeadline) }) { connection in
            _ = try await self.fetchUser(id: userID, connection)
            let sizes = try await self.searchedSizes(of: userID, connection)
            let scans = sizes.users <= self.searchScanLimit
            var hits: [SearchCursor] = []
            for try await row in try await connection.query(PostgresSearchSQL.counts(userID, query, scans: scans), logger: self.logger)
                .decode((String, Int64?, Int64).self)
            {
                hits.append(SearchCursor(matchCount: Int(row.2), lastUpdated: PostgresRows.timestamp(row.1), conversationID: row.0))
            }
            let page = query.page(of: hits, rank: { $0 })
            let ids = page.items.map(\.conversationID)
            var summaries: [String: ConversationSummary] = [:]
            for try await row in try await connection.query(
                "SELECT \(unescaped: PostgresRows.summary) FROM conversations c WHERE c.id = ANY(\(ids))", logger: self.logger
            ).decode(PostgresRows.SummaryRow.self) {
                summaries[row.0] = PostgresRows.summary(row, previewLength: previewLength)
            }
            let walked = page.items.reduce(0) { rows, hit in
                rows
                    + PostgresSearchSQL.rowsWalked(
                        toThirdMatchOf: hit.matchCount, in: summaries[hit.conversationID]?.conversation.messageCount ?? 0)
            }
            let matches = hits.reduce(0) { $0 + $1.matchCount }
            let walking = scans || walked <= sizes.candidates(matching: matches)
            var first: [String: [String]] = [:]
            for try await row in try await connection.query(
                PostgresSearchSQL.firstMatches(userID, ids, query, walking: walking), logger: self.logger
            ).decode((String, String).self) {
                first[row.0, default: []].append(row.1)
            }
            let messageIDs = Array(first.values.joined())
            var messages: [String: Message] = [:]
            for try await row in try await connection.query(
                "SELECT \(unescaped: PostgresRows.message) FROM messages m WHERE m.id = ANY(\(messageIDs))", logger: self.logger
            ).decode(PostgresRows.MessageRow.self) {
                messages[row.0] = PostgresRows.message(row)
            }
            let results = try page.items.map { hit in
                guard let summary = summaries[hit.conversationID] else { throw StoreError.notFound(.conversation) }
                return SearchResult(
                    summary: summary, matchCount: hit.matchCount,
                    matchingMessages: (first[hit.conversationID] ?? []).compactMap { messages[$0] })
            }
            return SearchResults(total: hits.count, results: results, hasMore: page.hasMore)
        }
    }

    /// How many messages the user has (their conversations' counts) and the database has (the
    /// table's row estimate, no count): what decides how a search reads.
    private func searchedSizes(of userID: String, _ connection: PostgresConnection) async throws -> SearchedSizes {
        let rows = try await connection.query(
            """
            SELECT (SELECT coalesce(sum(message_count), 0)::int8 FROM conversations WHERE user_id = \(userID)),
                   (SELECT greatest(reltuples, 0)::int8 FROM pg_class WHERE oid = 'message_search_text'::regclass)
            """, logger: logger)
        for try await (users, all) in rows.decode((Int64, Int64?).self) {
            return SearchedSizes(users: Int(users), all: Int(all ?? 0))
        }
        return SearchedSizes(users: 0, all: 0)
    }
}

/// The user's messages and all messages, counted or estimated.
struct SearchedSizes {
    let users: Int
    let all: Int

    /// About how many candidates the trigram index gives for a term the user's messages match
    /// `matches` times: the index holds every user's messages, so the term is taken to be as
    /// common in all of them as in the user's.
    func candidates(matching matches: Int) -> Int {
        users == 0 ? 0 : Int(Double(matches) * Double(all) / Double(users))
    }
}
