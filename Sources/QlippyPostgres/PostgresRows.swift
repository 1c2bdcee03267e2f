import PostgresNIO
import QlippyModel
import QlippyStore

/// The select lists of the PostgreSQL store and their decoders, in one place: each list's columns
/// are decoded by position, as the tuple type next to it says.
///
/// Timestamps travel as microseconds since the epoch (`int8`): `extract(epoch …)` is exact
/// (numeric) since PostgreSQL 14, and `Date` would round microseconds. They are written as the
/// original's `YYYY-MM-DD HH:MM:SS.ffffff` text cast to `timestamp` (UTC, without time zone).
package enum PostgresRows {
    package static func micros(_ column: String) -> String {
        "(extract(epoch FROM \(column)) * 1000000)::int8"
    }

    package static func timestamp(_ micros: Int64?) -> Timestamp? {
        micros.map(Timestamp.init(microsecondsSinceEpoch:))
    }

    package static let user = "u.id, u.username, \(micros("u.created_at")), (SELECT count(*) FROM conversations c WHERE c.user_id = u.id)"
    package typealias UserRow = (String, String, Int64?, Int64)

    package static func user(_ row: UserRow) -> User {
        User(id: row.0, username: row.1, createdAt: timestamp(row.2), conversationCount: Int(row.3))
    }

    /// A conversation `c`'s columns, its marks (``ConversationMarks``) last.
    package static let conversationColumns = """
        c.id, c.title, c.folder, c.user_id, \(micros("c.created_at")), \(micros("c.last_updated")), c.pinned, c.archived, c.tags,
        \(micros("c.expires_at"))
        """

    /// Conversation `c` has not expired (``ConversationMarks/expiresAt``).
    package static let notExpired = "(c.expires_at IS NULL OR c.expires_at > (now() AT TIME ZONE 'UTC'))"
    package static let conversation = "\(conversationColumns), c.message_count"
    package typealias ConversationRow = (String, String, String?, String, Int64?, Int64?, Bool, Bool, [String], Int64?, Int64)
    /// `conversationColumns`, the stored current message and ``messageWithDetails``, from left
    /// joins: no message columns on a conversation without messages.
    package typealias ConversationWithMessageRow = (
        String, String, String?, String, Int64?, Int64?, Bool, Bool, [String], Int64?, String?, String?, String?, String?, String?,
        Int64?, String?, Int64?, Int64?, String?, String?
    )

    /// Parent rows as ``ConversationTree`` takes them, from (message id, has a row, parent id) triples.
    package static func parentRows(_ rows: [(String, Bool, String?)]) -> [String: String?] {
        var found: [String: String?] = [:]
        for (id, hasRow, parent) in rows where hasRow { found[id] = .some(parent) }
        return found
    }

    package static func conversation(_ row: ConversationRow) -> Conversation {
        Conversation(
            id: row.0, title: row.1, folder: row.2, userID: row.3, createdAt: timestamp(row.4), lastUpdated: timestamp(row.5),
            messageCount: Int(row.10), marks: ConversationMarks(pinned: row.6, archived: row.7, tags: row.8, expiresAt: timestamp(row.9))
        )
    }

    /// `conversation`, then the head of the current message (of a conversation that has branched),
    /// else of the newest one: one character more than any preview, which tells whether the
    /// message was longer.
    package static let summary = """
        \(conversation),
        coalesce(
            (SELECT left(m.content, \(PreviewLength.stored)) FROM current_messages cm
             JOIN messages m ON m.id = cm.message_id AND m.conversation_id = cm.conversation_id WHERE cm.conversation_id = c.id),
            (SELECT left(m.content, \(PreviewLength.stored)) FROM messages m WHERE m.conversation_id = c.id
             ORDER BY m.timestamp DESC NULLS LAST, m.seq DESC LIMIT 1))
        """

    /// The stored current message of conversation `c`, `NULL` for one that never branched.
    package static let storedCurrent = "(SELECT cm.message_id FROM current_messages cm WHERE cm.conversation_id = c.id)"

    /// `conversation` with its stored current message.
    package static let conversationWithCurrent = "\(conversation), \(storedCurrent)"

    package static func conversationWithCurrent(_ row: PostgresRow) throws -> Conversation {
        let (a, b, c, d, e, f, g, h, i, j, k, current) = try row.decode(
            (String, String, String?, String, Int64?, Int64?, Bool, Bool, [String], Int64?, Int64, String?).self)
        var found = conversation((a, b, c, d, e, f, g, h, i, j, k))
        found.currentMessageID = current
        return found
    }

    /// Whether message `m` has a parent row, and the row's parent, from ``parentJoin``.
    package static let parentColumns = "p.message_id IS NOT NULL, p.parent_id"
    package static let parentJoin = "LEFT JOIN message_parents p ON p.message_id = m.id"
    package typealias SummaryRow = (String, String, String?, String, Int64?, Int64?, Bool, Bool, [String], Int64?, Int64, String?)

    package static func summary(_ row: SummaryRow, previewLength: Int) -> ConversationSummary {
        ConversationSummary(
            conversation: conversation((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10)),
            lastMessagePreview: row.11.map { TextPrefix(of: $0, length: previewLength) }
        )
    }

    package static let message = "m.id, m.conversation_id, m.role, m.content, \(micros("m.timestamp"))"
    package typealias MessageRow = (String, String, String, String, Int64?)

    package static func message(_ row: MessageRow) -> Message {
        Message(id: row.0, conversationID: row.1, role: row.2, content: row.3, timestamp: timestamp(row.4))
    }

    /// `message` and its details, from messages `m` with ``detailsJoin``.
    package static let messageWithDetails = """
        \(message), d.model, d.input_tokens, d.output_tokens, d.finish_reason, d.metadata::text
        """
    package static let detailsJoin = "LEFT JOIN message_details d ON d.message_id = m.id"
    package typealias MessageWithDetailsRow = (String, String, String, String, Int64?, String?, Int64?, Int64?, String?, String?)
    package typealias DetailsRow = (String?, Int64?, Int64?, String?, String?)

    package static func message(_ row: MessageWithDetailsRow) -> Message {
        var found = message((row.0, row.1, row.2, row.3, row.4))
        found.details = details((row.5, row.6, row.7, row.8, row.9))
        return found
    }

    /// ``messageWithDetails``, then the row's key (``PageKey``): its time as fixed-width text and its sequence.
    package static func keyedMessage(_ row: PostgresRow) throws -> (Message, PageKey) {
        let (a, b, c, d, e, f, g, h, i, j, time, sequence) = try row.decode(
            (String, String, String, String, Int64?, String?, Int64?, Int64?, String?, String?, String?, Int64).self)
        return (message((a, b, c, d, e, f, g, h, i, j)), PageKey(time: time, sequence: sequence))
    }

    package static func details(_ row: DetailsRow) -> MessageDetails {
        MessageDetails(
            model: row.0, inputTokens: row.1.map(Int.init), outputTokens: row.2.map(Int.init), finishReason: row.3, metadataJSON: row.4)
    }

    /// The message of a left join's row (``messageWithDetails``' columns); `nil` when the row has none.
    package static func message(
        joined row: (String?, String?, String?, String?, Int64?), details: DetailsRow
    ) -> Message? {
        guard let id = row.0, let conversationID = row.1, let role = row.2, let content = row.3 else { return nil }
        var found = message((id, conversationID, role, content, row.4))
        found.details = self.details(details)
        return found
    }

    package static let plugin = "p.id, p.user_id, p.name, p.description, p.enabled, \(micros("p.created_at"))"
    package typealias PluginRow = (String, String, String, String?, Bool?, Int64?)

    package static func plugin(_ row: PluginRow) -> Plugin {
        Plugin(id: row.0, userID: row.1, name: row.2, description: row.3, enabled: row.4, createdAt: timestamp(row.5))
    }

    /// A folder of conversations `c` grouped by `c.folder` (``Folder``).
    package static let folder = "c.folder, count(*), \(micros("max(c.last_updated)"))"
    package typealias FolderRow = (String, Int64, Int64?)

    package static func folder(_ row: FolderRow) -> Folder {
        Folder(name: row.0, conversationCount: Int(row.1), lastUpdated: timestamp(row.2))
    }
}
