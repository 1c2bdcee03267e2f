import QlippyModel
import QlippyStore

/// The SQL of every lookup the store makes on a hot route, named so that tests can check
/// each one's query plan (`EXPLAIN QUERY PLAN`) against the very text the store runs.
///
/// Columns are listed explicitly, in the order the record decoders in `StorageFormat.swift` read
/// them by position (no per-row column-name lookups).
enum Queries {
    static let userColumns = "u.id, u.username, u.created_at"
    static let conversationColumns = "c.id, c.title, c.folder, c.user_id, c.created_at, c.last_updated"
    static let messageColumns = "id, conversation_id, role, content, timestamp"
    static let pluginColumns = "id, user_id, name, description, enabled, created_at"

    /// The head is cut in bytes, as a blob: SQLite's `substr` on text stops at U+0000, which would cut
    /// such a preview short. 4 bytes per character always cover ``PreviewLength/stored`` characters (what `conversation_stats` holds); a
    /// character split at the end lies beyond them and is dropped when the preview is cut.
    static let storedHeadBytes = 4 * PreviewLength.stored

    static let user = """
        SELECT \(userColumns), (SELECT count(*) FROM conversations c WHERE c.user_id = u.id)
        FROM users u WHERE u.id = ?
        """

    static let userExists = "SELECT 1 FROM users WHERE id = ?"

    static let userByName = """
        SELECT \(userColumns), (SELECT count(*) FROM conversations c WHERE c.user_id = u.id)
        FROM users u WHERE u.username = CAST(? AS TEXT)
        """

    /// One query for a whole list, not one per conversation, that reads no message: counts and
    /// previews come from `conversation_stats`. Argument: user id.
    static let conversationList = """
        SELECT \(conversationColumns), coalesce(s.message_count, 0), s.last_message_head
        FROM conversations c
        LEFT JOIN conversation_stats s ON s.conversation_id = c.id
        WHERE c.user_id = ?
        ORDER BY c.last_updated DESC, c.rowid DESC
        """

    /// `conversationList` of one folder. Arguments: user id, folder name.
    static let conversationListInFolder = conversationList.replacingOccurrences(
        of: "WHERE c.user_id = ?", with: "WHERE c.user_id = ? AND c.folder = ?")

    /// `conversationList` of the conversations without a folder. Argument: user id.
    static let conversationListUnfiled = conversationList.replacingOccurrences(
        of: "WHERE c.user_id = ?", with: "WHERE c.user_id = ? AND (c.folder IS NULL OR c.folder = '')"
    )

    /// One row of `conversationList`, by conversation id. Argument: conversation id.
    static let conversationSummary = """
        SELECT \(conversationColumns), coalesce(s.message_count, 0), s.last_message_head
        FROM conversations c
        LEFT JOIN conversation_stats s ON s.conversation_id = c.id
        WHERE c.id = ?
        """

    /// Counts come from `conversation_stats` (kept by triggers), never from counting messages.
    static let conversation = """
        SELECT \(conversationColumns), coalesce((SELECT s.message_count FROM conversation_stats s WHERE s.conversation_id = c.id), 0)
        FROM conversations c WHERE c.id = ?
        """

    static let messagesOfConversation = "SELECT \(messageColumns) FROM messages WHERE conversation_id = ? ORDER BY timestamp, rowid"

    static let message = "SELECT \(messageColumns) FROM messages WHERE id = ?"

    /// The conversation's messages with their keys (``PageKey``) in columns 5 and 6. Argument: the conversation id.
    static let keyedMessagesOfConversation =
        "SELECT \(messageColumns), timestamp, rowid FROM messages WHERE conversation_id = ? ORDER BY timestamp, rowid"

    /// Messages by id with their keys, as ``keyedMessagesOfConversation``. Argument: `marks`, one `?` per id.
    static func keyedMessagesByID(_ marks: String) -> String {
        "SELECT \(messageColumns), timestamp, rowid FROM messages WHERE id IN (\(marks))"
    }

    /// The conversation's message ids in its order (a ``ConversationTree``'s). Argument: the conversation id.
    static let messageIDsOfConversation = "SELECT id FROM messages WHERE conversation_id = ? ORDER BY timestamp, rowid"

    /// The conversation's last message in its order. Argument: the conversation id.
    static let lastMessageOfConversation =
        "SELECT id FROM messages WHERE conversation_id = ? ORDER BY timestamp DESC, rowid DESC LIMIT 1"

    /// Whether a message belongs to a conversation. Arguments: the message id, the conversation id.
    static let messageInConversation = "SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?"

    /// The stored current message of a conversation that has branched. Argument: the conversation id.
    static let currentMessage = "SELECT message_id FROM current_messages WHERE conversation_id = ?"

    /// A conversation's parent rows. Argument: the conversation id.
    static let parentsOfConversation = "SELECT message_id, parent_id FROM message_parents WHERE conversation_id = ?"

    /// A search hit, by the rowid the search index gave. Argument: the rowid.
    static let messageByRowID = "SELECT \(messageColumns) FROM messages WHERE rowid = CAST(? AS INTEGER)"

    /// A conversation's message details (the rows that exist). Argument: the conversation id.
    static let detailsOfConversation = """
        SELECT message_id, model, input_tokens, output_tokens, finish_reason, metadata FROM message_details WHERE conversation_id = ?
        """

    /// One message's details. Arguments: its conversation id, its id.
    static let details = """
        SELECT message_id, model, input_tokens, output_tokens, finish_reason, metadata FROM message_details
        WHERE conversation_id = ? AND message_id = ?
        """

    /// A user's usage totals in a range of days (`''`: no timestamp), one row per day and model
    /// (`''`: none). Arguments: the user id, the first and the last day.
    static let usageTotals = """
        SELECT day, model, messages, input_tokens, output_tokens FROM usage_totals WHERE user_id = ? AND day >= ? AND day <= ?
        """

    static let pluginsOfUser = "SELECT \(pluginColumns) FROM plugins WHERE user_id = ? ORDER BY created_at, rowid"

    static let plugin = "SELECT \(pluginColumns) FROM plugins WHERE id = ?"

    static let deleteMessagesOfConversation = "DELETE FROM messages WHERE conversation_id = ?"

    /// The user's folders (``Folder``): name, conversation count, newest `last_updated` (stored
    /// text orders as time). Argument: the user id.
    static let foldersOfUser = """
        SELECT folder, count(*), max(last_updated) FROM conversations
        WHERE user_id = ? AND folder IS NOT NULL AND folder <> '' GROUP BY folder
        """

    /// A page of the user's conversations for an export, in creation order, after a cursor.
    /// Arguments: user id, the cursor's creation time ('' for none, which sorts first) and id, limit.
    static let exportPage = """
        SELECT \(conversationColumns), coalesce((SELECT s.message_count FROM conversation_stats s WHERE s.conversation_id = c.id), 0)
        FROM conversations c
        WHERE c.user_id = ? AND (coalesce(c.created_at, ''), c.id) > (?, ?)
        ORDER BY coalesce(c.created_at, ''), c.id LIMIT CAST(? AS INTEGER)
        """

    /// The change log after a sequence, oldest first. Arguments: sequence, limit.
    static let changes =
        "SELECT seq, user_id, kind, resource_id FROM change_log WHERE seq > CAST(? AS INTEGER) ORDER BY seq LIMIT CAST(? AS INTEGER)"

    /// One user's changes after a sequence. Arguments: user id, sequence, limit.
    static let changesOfUser = """
        SELECT seq, user_id, kind, resource_id FROM change_log WHERE user_id = ? AND seq > CAST(? AS INTEGER) ORDER BY seq LIMIT CAST(? AS INTEGER)
        """

    /// Every statement above, by name.
    static let all: [(name: String, sql: String)] = [
        ("user", user), ("userExists", userExists), ("userByName", userByName), ("conversationList", conversationList),
        ("conversationListInFolder", conversationListInFolder),
        ("conversationListUnfiled", conversationListUnfiled), ("conversationSummary", conversationSummary), ("conversation", conversation),
        ("messagesOfConversation", messagesOfConversation), ("message", message), ("messageByRowID", messageByRowID),
        ("keyedMessagesOfConversation", keyedMessagesOfConversation), ("keyedMessagesByID", keyedMessagesByID("?, ?")),
        ("messageIDsOfConversation", messageIDsOfConversation),
        ("lastMessageOfConversation", lastMessageOfConversation), ("messageInConversation", messageInConversation),
        ("currentMessage", currentMessage), ("parentsOfConversation", parentsOfConversation),
        ("detailsOfConversation", detailsOfConversation), ("details", details),
        ("usageTotals", usageTotals), ("pluginsOfUser", pluginsOfUser),
        ("plugin", plugin), ("deleteMessagesOfConversation", deleteMessagesOfConversation), ("exportPage", exportPage),
        ("changes", changes), ("changesOfUser", changesOfUser),
    ]
}
