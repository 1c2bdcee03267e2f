import PostgresNIO
import QlippyModel

/// The statements of PostgreSQL's search (``PostgresStore/search(userID:query:previewLength:)``),
/// all on `message_search_text f`, the lower-cased copies of the messages.
enum PostgresSearchSQL {
    /// Per candidate conversation (the user's that pass the query's filter): its `last_updated`
    /// and how many of its messages match; only conversations with a match, or a matching title
    /// when no message filter is set. Counted from the user's copies alone, by the trigram index
    /// or, when the user `scans`, by reading every copy of theirs.
    static func counts(_ userID: String, _ query: SearchQuery, scans: Bool) -> PostgresQuery {
        var bindings = PostgresBindings()
        let user = bindings.placeholder(userID)
        let match = scans ? scanned(query, &bindings) : indexed(query, &bindings)
        let filter = messageFilter(query, &bindings)
        let conversations = PostgresConversationFilter.condition(query.conversations, &bindings)
        let titles = query.filtersMessages ? "" : " OR c.title ILIKE \(bindings.placeholder(likePattern(query.text)))"
        let sql = """
            SELECT c.id, \(PostgresRows.micros("c.last_updated")), coalesce(n.count, 0)
            FROM conversations c LEFT JOIN (
                SELECT f.conversation_id, count(*) AS count FROM message_search_text f
                WHERE f.user_id = \(user) AND \(match)\(filter)
                GROUP BY f.conversation_id
            ) n ON n.conversation_id = c.id
            WHERE c.user_id = \(user)\(conversations) AND (n.count > 0\(titles))
            """
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// The first three matches of each of `conversationIDs` (the page's), in the conversation's
    /// order. Two ways, for the caller to choose the one that reads fewer rows: `walking` each
    /// conversation's copies in order until three match (a common term: a few rows each, see
    /// ``rowsWalked(toThirdMatchOf:in:)``), or checking the trigram index's candidates for the
    /// term (a rare one, whose matches may lie anywhere in a long conversation).
    static func firstMatches(_ userID: String, _ conversationIDs: [String], _ query: SearchQuery, walking: Bool) -> PostgresQuery {
        var bindings = PostgresBindings()
        let user = bindings.placeholder(userID)
        let ids = bindings.placeholder(conversationIDs)
        let match = walking ? scanned(query, &bindings) : indexed(query, &bindings)
        let filter = messageFilter(query, &bindings)
        let sql =
            walking
            ? """
            SELECT p.id, f.message_id FROM unnest(\(ids)::text[]) WITH ORDINALITY AS p(id, position) CROSS JOIN LATERAL (
                SELECT f.message_id, f.timestamp, f.seq FROM message_search_text f
                WHERE f.user_id = \(user) AND f.conversation_id = p.id AND \(match)\(filter)
                ORDER BY f.timestamp NULLS FIRST, f.seq LIMIT 3
            ) f
            ORDER BY p.position, f.timestamp NULLS FIRST, f.seq
            """
            : """
            SELECT f.conversation_id, f.message_id FROM (
                SELECT f.conversation_id, f.message_id, f.timestamp, f.seq,
                       row_number() OVER (PARTITION BY f.conversation_id ORDER BY f.timestamp NULLS FIRST, f.seq) AS position
                FROM message_search_text f
                WHERE f.user_id = \(user) AND f.conversation_id = ANY(\(ids)::text[]) AND \(match)\(filter)
            ) f
            WHERE f.position <= 3 ORDER BY f.conversation_id, f.timestamp NULLS FIRST, f.seq
            """
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// About how many of a conversation's `count` messages a walk in order reads before its
    /// third of `matches` (all of them when it has fewer than three).
    static func rowsWalked(toThirdMatchOf matches: Int, in count: Int) -> Int {
        matches < 3 ? count : min(count, 3 * count / matches)
    }

    /// The query's text in a copy, as the trigram index answers it: `LIKE` with the pattern
    /// lower-cased by PostgreSQL itself, as the copies were.
    private static func indexed(_ query: SearchQuery, _ bindings: inout PostgresBindings) -> String {
        "f.folded LIKE lower(\(bindings.placeholder(likePattern(query.text))))"
    }

    /// The same test as ``indexed(_:_:)``, in a form no index answers (`strpos`), for a plan that
    /// reads the user's copies in order rather than the whole database's candidates.
    private static func scanned(_ query: SearchQuery, _ bindings: inout PostgresBindings) -> String {
        "strpos(f.folded, lower(\(bindings.placeholder(query.text)))) > 0"
    }

    /// The role and time conditions on the copies; empty without them.
    private static func messageFilter(_ query: SearchQuery, _ bindings: inout PostgresBindings) -> String {
        var filter = ""
        if let role = query.role { filter += " AND f.role = \(bindings.placeholder(role))" }
        if let from = query.from { filter += " AND f.timestamp >= \(bindings.placeholder(from.storageText))::timestamp" }
        if let to = query.to { filter += " AND f.timestamp <= \(bindings.placeholder(to.storageText))::timestamp" }
        return filter
    }

    /// `%text%` for `LIKE`/`ILIKE` with backslash as the escape character: `%`, `_` and `\` in
    /// `text` match themselves.
    static func likePattern(_ text: String) -> String {
        var escaped = "%"
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "%"
    }
}
