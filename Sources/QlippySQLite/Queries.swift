import QlippyModel
import QlippyStore

/// The SQL of every lookup the store makes on a hot route, named so that tests can check
/// each one's query plan (`EXPLAIN QUERY PLAN`) against the very text the store runs.
///
/// Columns are listed explicitly, in the order the record decoders in `StorageFormat.swift` read
/// them by position (no per-row column-name lookups).
enum Queries {
    static let userColumns = "u.id, u.username, u.created_at"
    /// A conversation `c`'s columns and its marks `k` (from ``conversationsWithMarks``).
    static let conversationColumns =
        "c.id, c.title, c.folder, c.user_id, c.created_at, c.last_updated, k.pinned, k.archived, k.tags, k.expires_at"
    /// Conversations `c` with their marks `k`: no row (NULL marks) for a conversation nobody organized.
    static let conversationsWithMarks = "conversations c LEFT JOIN conversation_marks k ON k.conversation_id = c.id"

    /// The time now, as stored times compare with it (milliseconds: a stored time in the same
    /// millisecond sorts after it).
    static let now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

    /// Conversation `c` has not expired (``ConversationMarks/expiresAt``), from its marks `k`.
    static let notExpired = "(k.expires_at IS NULL OR k.expires_at > \(now))"
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
    /// previews come from `conversation_stats`. Arguments: user id, then the filter's.
    static func conversationList(_ filter: ConversationFilterSQL) -> String {
        """
        SELECT \(conversationColumns), coalesce(s.message_count, 0), s.last_message_head
        FROM \(conversationsWithMarks)
        LEFT JOIN conversation_stats s ON s.conversation_id = c.id
        WHERE c.user_id = ?\(filter.condition)
        ORDER BY c.last_updated DESC, c.rowid DESC
        """
    }

    /// One row of `conversationList`, by conversation id. Argument: conversation id.
    static let conversationSummary = """
        SELECT \(conversationColumns), coalesce(s.message_count, 0), s.last_message_head
        FROM \(conversationsWithMarks)
        LEFT JOIN conversation_stats s ON s.conversation_id = c.id
        WHERE c.id = ?
        """

    /// Counts come from `conversation_stats` (kept by triggers), never from counting messages.
    static let conversation = """
        SELECT \(conversationColumns), coalesce((SELECT s.message_count FROM conversation_stats s WHERE s.conversation_id = c.id), 0)
        FROM \(conversationsWithMarks) WHERE c.id = ? AND \(notExpired)
        """

    /// The user's tags (``Tag``): the first spelling in byte order of each, and how many
    /// conversations carry it. Argument: the user id.
    static let tagsOfUser = "SELECT min(name), count(*) FROM conversation_tags WHERE user_id = ? GROUP BY tag_key"

    /// One tag of the user, by key, as ``tagsOfUser`` lists it (a count of 0: none). Arguments:
    /// the user id, the tag's key.
    static let tagOfUser = "SELECT min(name), count(*) FROM conversation_tags WHERE user_id = ? AND tag_key = ?"

    /// The conversations carrying a tag, with their marks. Arguments: the user id, the tag's key.
    static let marksWithTag = """
        SELECT k.conversation_id, k.pinned, k.archived, k.tags, k.expires_at FROM conversation_tags t
        JOIN conversation_marks k ON k.conversation_id = t.conversation_id
        WHERE t.user_id = ? AND t.tag_key = ?
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

    /// Joins to a row: the conversation `c` that `id` names, with its marks `k`.
    static func conversationWithMarks(_ id: String) -> String {
        "JOIN conversations c ON c.id = \(id) LEFT JOIN conversation_marks k ON k.conversation_id = c.id"
    }

    /// A link's columns, with its conversation's title (``ShareLink``).
    static let shareLinkColumns = "l.id, l.conversation_id, c.title, l.created_at, l.updated_at"

    /// The link and snapshot under a share id, while its conversation has not expired. Argument: the share id.
    static let sharedConversation = """
        SELECT \(shareLinkColumns), l.snapshot FROM share_links l \(conversationWithMarks("l.conversation_id"))
        WHERE l.id = ? AND \(notExpired)
        """

    /// A conversation's link. Argument: the conversation id.
    static let shareLinkOfConversation = """
        SELECT \(shareLinkColumns) FROM share_links l JOIN conversations c ON c.id = l.conversation_id WHERE l.conversation_id = ?
        """

    /// A user's links, newest first. Argument: the user id.
    static let shareLinksOfUser = """
        SELECT \(shareLinkColumns) FROM share_links l \(conversationWithMarks("l.conversation_id"))
        WHERE l.user_id = ? AND \(notExpired) ORDER BY l.created_at DESC, l.rowid DESC
        """

    /// Up to a number of expired conversations, soonest expired first. Argument: the limit.
    static let expired = """
        SELECT conversation_id FROM conversation_marks WHERE expires_at IS NOT NULL AND expires_at <= \(now)
        ORDER BY expires_at LIMIT CAST(? AS INTEGER)
        """

    /// Up to a number of conversations last updated before a time, the expired ones left to
    /// ``expired``. A scan of the conversations (no index has `last_updated` first: one would cost
    /// every new message), which the sweep runs seldom. Arguments: the time, the limit.
    static let untouched = """
        SELECT c.id FROM \(conversationsWithMarks) WHERE c.last_updated < ? AND \(notExpired) LIMIT CAST(? AS INTEGER)
        """

    /// A page of the user's conversations for an export, in creation order, after a cursor.
    /// Arguments: user id, the cursor's creation time ('' for none, which sorts first) and id, limit.
    static let exportPage = """
        SELECT \(conversationColumns), coalesce((SELECT s.message_count FROM conversation_stats s WHERE s.conversation_id = c.id), 0)
        FROM \(conversationsWithMarks)
        WHERE c.user_id = ? AND \(notExpired) AND (coalesce(c.created_at, ''), c.id) > (?, ?)
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
        ("user", user), ("userExists", userExists), ("userByName", userByName),
        ("conversationList", conversationList(ConversationFilterSQL(ConversationFilter(archived: .all)))),
        ("conversationListNotArchived", conversationList(ConversationFilterSQL(ConversationFilter()))),
        ("conversationListInFolder", conversationList(ConversationFilterSQL(ConversationFilter(folder: "x")))),
        ("conversationListUnfiled", conversationList(ConversationFilterSQL(ConversationFilter(folder: "")))),
        ("conversationListArchived", conversationList(ConversationFilterSQL(ConversationFilter(archived: .only)))),
        ("conversationListPinned", conversationList(ConversationFilterSQL(ConversationFilter(pinned: true)))),
        ("conversationListTagged", conversationList(ConversationFilterSQL(ConversationFilter(tag: "x")))),
        ("conversationSummary", conversationSummary), ("conversation", conversation), ("tagsOfUser", tagsOfUser), ("tagOfUser", tagOfUser),
        ("marksWithTag", marksWithTag), ("expired", expired), ("sharedConversation", sharedConversation),
        ("shareLinkOfConversation", shareLinkOfConversation), ("shareLinksOfUser", shareLinksOfUser),
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
