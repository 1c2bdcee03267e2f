import GRDB

extension SQLiteStore {
    /// Finds the user's conversations whose messages (or title) contain the query text.
    ///
    /// Texts of three scalars or more are looked up in the trigram index (`message_search`), which
    /// finds exactly the messages containing them; shorter ones cannot use it (a trigram index holds
    /// nothing shorter) and scan the user's own messages instead. Titles are scanned: they are short
    /// and per user, and the heavy user's 5 000 titles take about a millisecond.
    /// Every hit is aggregated per conversation in one pass: the count and the first three matches.
    public func search(userID: String, query: SearchQuery, previewLength: Int) async throws -> SearchResults {
        let previewLength = min(previewLength, Queries.storedHeadLength - 1)
        let folded = SearchFolding.fold(query.text)
        return try snapshot { connection in
            _ = try connection.fetchUser(id: userID)
            var hits = SearchHits()
            let filter = SearchFilter(query)
            if folded.count >= SearchSQL.indexMinimum {
                try connection.forEachRow(SearchSQL.indexedMessages(filter), [Self.phrase(query.text), userID] + filter.arguments) { row in
                    hits.add(message: row)
                }
            } else {
                try connection.forEachRow(SearchSQL.scannedMessages(filter), [userID] + filter.arguments) { row in
                    guard let content = row.text(SearchSQL.contentColumn), SearchFolding.contains(folded, in: content) else { return }
                    hits.add(message: row)
                }
            }
            if !query.filtersMessages {
                try connection.forEachRow(SearchSQL.titles(filter), [userID] + filter.conversationArguments) { row in
                    guard let title = row.text(SearchSQL.contentColumn), SearchFolding.contains(folded, in: title) else { return }
                    hits.add(title: row)
                }
            }
            let ordered = hits.ordered(after: query.after)
            let page = query.limit.map { Array(ordered.prefix($0)) } ?? ordered
            let results = try page.map { hit in
                let summary = try connection.fetchOne(Queries.conversationSummary, [hit.conversationID]) { row in
                    ConversationSummary(row, previewLength: previewLength)
                }
                guard let summary else { throw StoreError.notFound(.conversation) }
                let messages = try hit.firstMatches.compactMap { match in
                    try connection.fetchOne(Queries.messageByRowID, [String(match.rowid)], Message.init)
                }
                return SearchResult(summary: summary, matchCount: hit.count, matchingMessages: messages)
            }
            return SearchResults(total: hits.count, results: results, hasMore: page.count < ordered.count)
        }
    }

    /// The text as one FTS5 phrase: quoted, inner quotes doubled, so that no character of it is syntax.
    static func phrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
