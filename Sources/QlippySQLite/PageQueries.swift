import QlippyModel
import QlippyStore

/// The SQL of the paged lists (``PageRequest``), one statement per keyset region
/// (``KeysetRegion``). Each selects the list's columns as its unpaged query does, then the row's
/// stored time and rowid (its ``PageKey``). Built from parts, as a page's text depends on the
/// region and the filter (``ConversationFilterSQL``); ``ReadConnection`` prepares each distinct text once.
enum PageQueries {
    private static let summaryFrom = """
        SELECT \(Queries.conversationColumns), coalesce(s.message_count, 0), s.last_message_head, c.last_updated, c.rowid
        FROM \(Queries.conversationsWithMarks) LEFT JOIN conversation_stats s ON s.conversation_id = c.id
        """

    /// Conversations with a time before a key (newest first); the key is at most the walk's
    /// start (``ConversationWalk/timedBound(after:)``). One row-value bound, so that SQLite starts
    /// the index range at the key: with a second bound on `last_updated` it starts at that one and
    /// filters its way down to the key, so that deep pages cost more. Arguments: the filter's,
    /// key time, key rowid, limit.
    static func conversationsTimed(_ filter: ConversationFilterSQL) -> String {
        """
        \(summaryFrom)
        WHERE c.user_id = ?\(filter.condition) AND (c.last_updated, c.rowid) < (?, CAST(? AS INTEGER))
        ORDER BY c.last_updated DESC, c.rowid DESC LIMIT CAST(? AS INTEGER)
        """
    }

    /// Conversations without a time, before a rowid. Arguments: the user id, the filter's, rowid, limit.
    static func conversationsUntimed(_ filter: ConversationFilterSQL) -> String {
        """
        \(summaryFrom)
        WHERE c.user_id = ?\(filter.condition) AND c.last_updated IS NULL AND c.rowid < CAST(? AS INTEGER)
        ORDER BY c.rowid DESC LIMIT CAST(? AS INTEGER)
        """
    }

    /// Conversations bumped since the walk's start (or dated after it) that existed then, each with
    /// the time its first bump since replaced (`''` for none; NULL when it has not been bumped since).
    /// Arguments: walk start, the user id, the filter's, walk start, walk start.
    static func conversationsMoved(_ filter: ConversationFilterSQL) -> String {
        """
        SELECT \(Queries.conversationColumns), coalesce(s.message_count, 0), s.last_message_head, c.last_updated, c.rowid,
          (SELECT coalesce(m.moved_from, '') FROM conversation_moves m WHERE m.conversation_id = c.id AND m.moved_to > ?
           ORDER BY m.moved_to LIMIT 1)
        FROM \(Queries.conversationsWithMarks) LEFT JOIN conversation_stats s ON s.conversation_id = c.id
        WHERE c.user_id = ?\(filter.condition) AND c.last_updated > ? AND (c.created_at IS NULL OR c.created_at <= ?)
        """
    }

    /// A list in creation order (messages, plugins): rows with a time, after a key when `afterKey`.
    /// Arguments: owner id, [key time, key rowid,] limit.
    static func oldestFirstTimed(columns: String, table: String, owner: String, time: String, afterKey: Bool) -> String {
        """
        SELECT \(columns), \(time), rowid FROM \(table)
        WHERE \(owner) = ? AND \(time) IS NOT NULL\(afterKey ? " AND (\(time), rowid) > (?, CAST(? AS INTEGER))" : "")
        ORDER BY \(time), rowid LIMIT CAST(? AS INTEGER)
        """
    }

    /// A list in creation order: rows without a time, after a rowid. Arguments: owner id, rowid, limit.
    static func oldestFirstUntimed(columns: String, table: String, owner: String, time: String) -> String {
        """
        SELECT \(columns), \(time), rowid FROM \(table)
        WHERE \(owner) = ? AND \(time) IS NULL AND rowid > CAST(? AS INTEGER)
        ORDER BY rowid LIMIT CAST(? AS INTEGER)
        """
    }

    static let messagesTimed = oldestFirstTimed(
        columns: Queries.messageColumns, table: "messages", owner: "conversation_id", time: "timestamp", afterKey: true)
    static let messagesTimedFromStart = oldestFirstTimed(
        columns: Queries.messageColumns, table: "messages", owner: "conversation_id", time: "timestamp", afterKey: false
    )
    static let messagesUntimed = oldestFirstUntimed(
        columns: Queries.messageColumns, table: "messages", owner: "conversation_id", time: "timestamp")
    static let pluginsTimed = oldestFirstTimed(
        columns: Queries.pluginColumns, table: "plugins", owner: "user_id", time: "created_at", afterKey: true)
    static let pluginsTimedFromStart = oldestFirstTimed(
        columns: Queries.pluginColumns, table: "plugins", owner: "user_id", time: "created_at", afterKey: false
    )
    static let pluginsUntimed = oldestFirstUntimed(columns: Queries.pluginColumns, table: "plugins", owner: "user_id", time: "created_at")
}

extension PageQueries {
    /// Every statement above, by name, for the query-plan tests.
    static let all: [(name: String, sql: String)] = [
        ("conversationsTimed", conversationsTimed(ConversationFilterSQL(ConversationFilter()))),
        ("conversationsTimedInFolder", conversationsTimed(ConversationFilterSQL(ConversationFilter(folder: "x")))),
        ("conversationsTimedTagged", conversationsTimed(ConversationFilterSQL(ConversationFilter(tag: "x")))),
        ("conversationsUntimed", conversationsUntimed(ConversationFilterSQL(ConversationFilter(folder: "")))),
        ("conversationsMoved", conversationsMoved(ConversationFilterSQL(ConversationFilter()))),
        ("messagesTimed", messagesTimed), ("messagesTimedFromStart", messagesTimedFromStart), ("messagesUntimed", messagesUntimed),
        ("pluginsTimed", pluginsTimed), ("pluginsTimedFromStart", pluginsTimedFromStart), ("pluginsUntimed", pluginsUntimed),
    ]
}
