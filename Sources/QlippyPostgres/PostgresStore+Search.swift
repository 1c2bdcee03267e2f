import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    /// Finds the user's conversations whose messages (or title) contain the query text, with the
    /// same results as the SQLite store: `ILIKE` on the text with `%`, `_` and `\` escaped (so the
    /// text is literal), answered by the `pg_trgm` index for three characters or more. One query
    /// counts the matches per conversation and lists each one's first three (in the
    /// conversation's own order); the page's conversations and messages are read by id.
    public func search(userID: String, query: SearchQuery, previewLength: Int) async throws -> SearchResults {
        let previewLength = PreviewLength.served(previewLength)
        let pattern = "%" + Self.likeEscaped(query.text) + "%"
        return try await snapshot(deadline: deadline.map { max($0, Self.searchDeadline) }) { connection in
            _ = try await self.fetchUser(id: userID, connection)
            var hits: [(rank: SearchCursor, first: [String])] = []
            for try await row in try await connection.query(Self.hitsQuery(userID, pattern, query), logger: self.logger)
                .decode((String, Int64?, Int64, [String]?).self)
            {
                let rank = SearchCursor(matchCount: Int(row.2), lastUpdated: PostgresRows.timestamp(row.1), conversationID: row.0)
                hits.append((rank, row.3 ?? []))
            }
            let page = query.page(of: hits, rank: \.rank)
            let ids = page.items.map(\.rank.conversationID)
            var summaries: [String: ConversationSummary] = [:]
            for try await row in try await connection.query(
                "SELECT \(unescaped: PostgresRows.summary) FROM conversations c WHERE c.id = ANY(\(ids))", logger: self.logger
            ).decode(PostgresRows.SummaryRow.self) {
                summaries[row.0] = PostgresRows.summary(row, previewLength: previewLength)
            }
            let messageIDs = page.items.flatMap(\.first)
            var messages: [String: Message] = [:]
            for try await row in try await connection.query(
                "SELECT \(unescaped: PostgresRows.message) FROM messages m WHERE m.id = ANY(\(messageIDs))", logger: self.logger
            ).decode(PostgresRows.MessageRow.self) {
                messages[row.0] = PostgresRows.message(row)
            }
            let results = try page.items.map { hit in
                guard let summary = summaries[hit.rank.conversationID] else { throw StoreError.notFound(.conversation) }
                return SearchResult(
                    summary: summary, matchCount: hit.rank.matchCount, matchingMessages: hit.first.compactMap { messages[$0] })
            }
            return SearchResults(total: hits.count, results: results, hasMore: page.hasMore)
        }
    }

    /// Per candidate conversation (the user's, in the folder if one is asked): its `last_updated`,
    /// how many of its messages match, and the ids of the first three; only conversations with a
    /// match, or a matching title when no message filter is set.
    private static func hitsQuery(_ userID: String, _ pattern: String, _ query: SearchQuery) -> PostgresQuery {
        var bindings = PostgresBindings()
        func bind(_ value: String) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        var conversationFilter = ""
        if let folder = query.folder {
            conversationFilter = folder.isEmpty ? " AND (c.folder IS NULL OR c.folder = '')" : " AND c.folder = \(bind(folder))"
        }
        let user = bind(userID)
        let like = bind(pattern)
        var messageFilter = ""
        if let role = query.role { messageFilter += " AND m.role = \(bind(role))" }
        if let from = query.from { messageFilter += " AND m.timestamp >= \(bind(from.storageText))::timestamp" }
        if let to = query.to { messageFilter += " AND m.timestamp <= \(bind(to.storageText))::timestamp" }
        let titles = query.filtersMessages ? "" : " OR c.title ILIKE \(like)"
        let sql = """
            WITH candidates AS (
                SELECT c.id, c.last_updated, c.title FROM conversations c WHERE c.user_id = \(user)\(conversationFilter)
            ), hits AS (
                SELECT m.conversation_id, m.id, m.timestamp, m.seq
                FROM messages m JOIN candidates c ON c.id = m.conversation_id
                WHERE m.content ILIKE \(like)\(messageFilter)
            )
            SELECT c.id, \(PostgresRows.micros("c.last_updated")), count(h.id),
                   (array_agg(h.id ORDER BY h.timestamp NULLS FIRST, h.seq) FILTER (WHERE h.id IS NOT NULL))[1:3]
            FROM candidates c LEFT JOIN hits h ON h.conversation_id = c.id
            GROUP BY c.id, c.last_updated, c.title
            HAVING count(h.id) > 0\(titles)
            """
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// `text` for `LIKE`/`ILIKE` with backslash as the escape character: `%`, `_` and `\` match themselves.
    static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
