import QlippyModel
import QlippyStore

/// The statements of a search, built from its filters (each combination is one cached statement).
///
/// A search first loads the user's conversations (``conversations(_:)``), then gathers matching
/// messages as pairs of rowids: 0 the conversation's, 1 the message's (the scanning statement adds
/// the text to test as column 2). Pairs whose conversation was not loaded (another user's, or outside
/// the filter) are dropped while counting, so the indexed statement needs no join for them.
enum SearchSQL {
    /// Trigrams: a shorter text has no entry in the index.
    static let indexMinimum = 3
    /// The text to test: a title in ``conversations(_:)``, a message in ``scannedMessages(_:)``.
    static let titleColumn: Int32 = 3
    static let contentColumn: Int32 = 2

    /// Columns: rowid, id, `last_updated`, title. Arguments: the user id, then the filter's
    /// `conversationArguments`.
    static func conversations(_ filter: SearchFilter) -> String {
        """
        SELECT c.rowid, c.id, c.last_updated, c.title
        FROM conversations c
        WHERE c.user_id = ?\(filter.conversationSQL)
        """
    }

    /// How many messages the conversations hold, counted up to a bound (the scan limit plus one):
    /// past it only that there are more matters, and counting a heavy user's million would take
    /// longer than the search. Arguments: the user id, the filter's `conversationArguments`, the bound.
    static func boundedMessageCount(_ filter: SearchFilter) -> String {
        """
        SELECT count(*) FROM (
            SELECT 1 FROM conversations c JOIN messages m ON m.conversation_id = c.id
            WHERE c.user_id = ?\(filter.conversationSQL) LIMIT CAST(? AS INTEGER)
        )
        """
    }

    /// Every user's matching messages with a rowid in a range, found in the index; `messages` is
    /// read only for a message filter. Arguments: the FTS5 phrase, the range's first and last
    /// rowids, then the filter's `messageArguments`.
    static func indexedMessages(_ filter: SearchFilter) -> String {
        let messages = filter.messageSQL.isEmpty ? "" : " JOIN messages m ON m.rowid = s.rowid"
        return """
            SELECT o.conversation_rowid, s.rowid
            FROM message_search s
            JOIN message_owners o ON o.message_rowid = s.rowid\(messages)
            WHERE message_search MATCH ? AND s.rowid BETWEEN CAST(? AS INTEGER) AND CAST(? AS INTEGER)\(filter.messageSQL)
            """
    }

    /// ``indexedMessages(_:)`` up to a number of hits, its argument after the others.
    static func firstIndexedMessages(_ filter: SearchFilter) -> String {
        indexedMessages(filter) + " LIMIT CAST(? AS INTEGER)"
    }

    /// The user's messages above the index's mark, to test one by one. When they are `few` (the
    /// index has caught up: at most the scan limit's worth of rowids above the mark), they are read
    /// from the mark on, each one's conversation looked up by id; `CROSS JOIN` holds SQLite to that
    /// order, as its planner prefers the user's conversations, which reads every message of a heavy
    /// user to find none. Otherwise (a file being adopted, its index far behind) the user's
    /// conversations first, which reads only their rows. Arguments: the mark, the user id, then the
    /// filter's `arguments`.
    static func messagesNotIndexed(_ filter: SearchFilter, few: Bool) -> String {
        """
        SELECT c.rowid, m.rowid, m.content
        FROM messages m
        \(few ? "CROSS JOIN" : "JOIN") conversations c ON c.id = m.conversation_id
        WHERE m.rowid > CAST(? AS INTEGER) AND c.user_id = ?\(filter.conversationSQL)\(filter.messageSQL)
        """
    }

    /// The user's messages, to test one by one. Arguments: the user id, then the filter's `arguments`.
    static func scannedMessages(_ filter: SearchFilter) -> String {
        """
        SELECT c.rowid, m.rowid, m.content
        FROM conversations c
        JOIN messages m ON m.conversation_id = c.id
        WHERE c.user_id = ?\(filter.conversationSQL)\(filter.messageSQL)
        """
    }

    /// A conversation's message rowids in the order it shows them, from its index alone (the first
    /// matches are the first of these that matched). Argument: the conversation id.
    static let messageOrder = "SELECT rowid FROM messages WHERE conversation_id = ? ORDER BY timestamp, rowid"
}

/// A query's optional filters as SQL conditions and their arguments, in order.
struct SearchFilter {
    private(set) var conversationSQL = ""
    private(set) var messageSQL = ""
    private(set) var conversationArguments: [String] = []
    private(set) var messageArguments: [String] = []

    /// Every condition's argument: the conversation ones first, as the SQL lists them.
    var arguments: [String] { conversationArguments + messageArguments }

    init(_ query: SearchQuery, userID: String) {
        let conversations = ConversationFilterSQL(query.conversations, userID: userID)
        conversationSQL = conversations.condition
        conversationArguments = conversations.arguments
        if let role = query.role {
            messageSQL += " AND m.role = ?"
            messageArguments.append(role)
        }
        // Stored timestamps are `YYYY-MM-DD HH:MM:SS.ffffff` text: their order is the time order.
        if let from = query.from {
            messageSQL += " AND m.timestamp >= ?"
            messageArguments.append(from.storageText)
        }
        if let to = query.to {
            messageSQL += " AND m.timestamp <= ?"
            messageArguments.append(to.storageText)
        }
    }
}
