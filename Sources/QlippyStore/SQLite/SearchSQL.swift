/// The statements of a search, built from its filters (each combination is one cached statement).
///
/// Every statement yields the same leading columns, which ``SearchHits`` reads by position:
/// 0 the conversation id, 1 the message's rowid, 2 its timestamp, 3 the conversation's
/// `last_updated`; scanning statements add the text to test as column 4.
enum SearchSQL {
    /// Trigrams: a shorter text has no entry in the index.
    static let indexMinimum = 3
    static let contentColumn: Int32 = 4

    /// Arguments: the FTS5 phrase, the user id, then the filter's `arguments`.
    static func indexedMessages(_ filter: SearchFilter) -> String {
        """
        SELECT m.conversation_id, m.rowid, m.timestamp, c.last_updated
        FROM message_search s
        JOIN messages m ON m.rowid = s.rowid
        JOIN conversations c ON c.id = m.conversation_id
        WHERE message_search MATCH ? AND c.user_id = ?\(filter.conversationSQL)\(filter.messageSQL)
        """
    }

    /// Arguments: the user id, then the filter's `arguments`.
    static func scannedMessages(_ filter: SearchFilter) -> String {
        """
        SELECT m.conversation_id, m.rowid, m.timestamp, c.last_updated, m.content
        FROM conversations c
        JOIN messages m ON m.conversation_id = c.id
        WHERE c.user_id = ?\(filter.conversationSQL)\(filter.messageSQL)
        """
    }

    /// Arguments: the user id, then the filter's `conversationArguments` (titles have no message filter).
    static func titles(_ filter: SearchFilter) -> String {
        """
        SELECT c.id, NULL, NULL, c.last_updated, c.title
        FROM conversations c
        WHERE c.user_id = ?\(filter.conversationSQL)
        """
    }
}

/// A query's optional filters as SQL conditions and their arguments, in order.
struct SearchFilter {
    private(set) var conversationSQL = ""
    private(set) var messageSQL = ""
    private(set) var conversationArguments: [String] = []
    private var messageArguments: [String] = []

    /// Every condition's argument: the conversation ones first, as the SQL lists them.
    var arguments: [String] { conversationArguments + messageArguments }

    init(_ query: SearchQuery) {
        if let folder = query.folder {
            if folder.isEmpty {
                conversationSQL += " AND (c.folder IS NULL OR c.folder = '')"
            } else {
                conversationSQL += " AND c.folder = ?"
                conversationArguments.append(folder)
            }
        }
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
