/// The SQL of every lookup the store makes on a hot route, named so that tests can check
/// each one's query plan (`EXPLAIN QUERY PLAN`) against the very text the store runs.
enum Queries {
    /// Counts come from `conversation_stats` (kept by triggers), never from counting messages.
    static let messageCountColumn =
        "coalesce((SELECT s.message_count FROM conversation_stats s WHERE s.conversation_id = c.id), 0) AS message_count"

    static let user = """
        SELECT u.*, (SELECT count(*) FROM conversations c WHERE c.user_id = u.id) AS conversation_count
        FROM users u WHERE u.id = ?
        """

    /// One query for a whole list, not one per conversation: each row costs a few index seeks
    /// (its stats row, its newest message by id), whatever the number of messages.
    /// Arguments: preview length, user id.
    static let conversationList = """
        SELECT c.*, coalesce(s.message_count, 0) AS message_count,
               (SELECT substr(m.content, 1, ?) FROM messages m WHERE m.id = s.last_message_id) AS preview
        FROM conversations c
        LEFT JOIN conversation_stats s ON s.conversation_id = c.id
        WHERE c.user_id = ?
        ORDER BY c.last_updated DESC, c.rowid DESC
        """

    static let conversation = "SELECT c.*, \(messageCountColumn) FROM conversations c WHERE c.id = ?"

    static let messagesOfConversation = "SELECT * FROM messages WHERE conversation_id = ? ORDER BY timestamp, rowid"

    static let message = "SELECT * FROM messages WHERE id = ?"

    static let pluginsOfUser = "SELECT * FROM plugins WHERE user_id = ? ORDER BY created_at, rowid"

    static let plugin = "SELECT * FROM plugins WHERE id = ?"

    static let deleteMessagesOfConversation = "DELETE FROM messages WHERE conversation_id = ?"

    /// Every statement above, by name.
    static let all: [(name: String, sql: String)] = [
        ("user", user), ("conversationList", conversationList), ("conversation", conversation),
        ("messagesOfConversation", messagesOfConversation), ("message", message), ("pluginsOfUser", pluginsOfUser),
        ("plugin", plugin), ("deleteMessagesOfConversation", deleteMessagesOfConversation),
    ]
}
