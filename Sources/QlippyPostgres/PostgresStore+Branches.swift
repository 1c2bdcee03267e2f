import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    /// The conversation with its stored current message. `locking`: its row stays locked until the
    /// transaction ends, so that changes to one conversation's tree take turns, on every server.
    func conversationWithCurrent(locking: Bool = false, _ id: String, _ connection: PostgresConnection) async throws -> Conversation {
        try await one(
            """
            SELECT \(unescaped: PostgresRows.conversationWithCurrent) FROM conversations c
            WHERE c.id = \(id) AND \(unescaped: PostgresRows.notExpired)
            \(unescaped: locking ? "FOR UPDATE OF c" : "")
            """, on: connection, missing: .conversation, PostgresRows.conversationWithCurrent)
    }

    /// The message with its parent when its conversation has branched.
    func attachingParent(to message: Message, _ connection: PostgresConnection) async throws -> Message {
        guard let stored = try await conversationWithCurrent(message.conversationID, connection).currentMessageID else { return message }
        let tree = try await fetchTree(ofConversation: message.conversationID, storedCurrent: stored, connection)
        var found = message
        found.parent = tree.position(of: message.id).map(tree.parent(of:))
        return found
    }

    /// The messages a read of a conversation returns as ``BranchReads/arrange(_:by:_:message:)``
    /// gives them, each with its details and key (``PageKey``), and the conversation's tree: the
    /// tree first (ids only), then the messages it names, by id.
    func arrangedMessages(ofConversation id: String, storedCurrent: String?, _ branches: BranchSelection, _ connection: PostgresConnection)
        async throws -> ([(Message, PageKey)], ConversationTree)
    {
        let tree = try await fetchTree(ofConversation: id, storedCurrent: storedCurrent, connection)
        let rows = try await connection.query(
            """
            SELECT \(unescaped: PostgresRows.messageWithDetails), \(unescaped: Self.keyTime("m.timestamp")), m.seq
            FROM messages m \(unescaped: PostgresRows.detailsJoin) WHERE m.id = ANY(\(BranchReads.ids(of: tree, branches)))
            """, logger: logger)
        var found: [(Message, PageKey)] = []
        for try await row in rows { found.append(try PostgresRows.keyedMessage(row)) }
        return (BranchReads.arrange(found, by: tree, branches, message: \.0), tree)
    }

    /// The conversation's last message in its order; `nil` when it has none.
    func lastMessage(ofConversation id: String, _ connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.query(
            "SELECT id FROM messages WHERE conversation_id = \(id) ORDER BY timestamp DESC NULLS LAST, seq DESC LIMIT 1", logger: logger)
        for try await last in rows.decode(String.self) { return last }
        return nil
    }

    func isMessage(_ id: String, ofConversation conversationID: String, _ connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 1 FROM messages WHERE id = \(id) AND conversation_id = \(conversationID)", logger: logger)
        return try await rows.decode(Int32.self).contains { _ in true }
    }

    /// The conversation's tree, from its message ids and parent rows.
    func fetchTree(ofConversation id: String, storedCurrent: String?, _ connection: PostgresConnection) async throws -> ConversationTree {
        let rows = try await connection.query(
            """
            SELECT m.id, \(unescaped: PostgresRows.parentColumns) FROM messages m \(unescaped: PostgresRows.parentJoin)
            WHERE m.conversation_id = \(id) ORDER BY m.timestamp NULLS FIRST, m.seq
            """, logger: logger)
        var found: [(String, Bool, String?)] = []
        for try await row in rows.decode((String, Bool, String?).self) { found.append(row) }
        return ConversationTree(ids: found.map(\.0), parentRows: PostgresRows.parentRows(found), storedCurrent: storedCurrent)
    }

    /// Writes a change to a conversation's tree (``TreeChanges``): deletes first (their parent
    /// rows go with them), then the parent rows, then the current message.
    func apply(_ changes: TreeChanges, toConversation conversationID: String, _ connection: PostgresConnection) async throws {
        if !changes.deleted.isEmpty {
            try await connection.query("DELETE FROM messages WHERE id = ANY(\(changes.deleted))", logger: logger)
        }
        for (message, parent) in changes.parentRows.sorted(by: { $0.key < $1.key }) {
            try await connection.query(
                """
                INSERT INTO message_parents (message_id, conversation_id, parent_id) VALUES (\(message), \(conversationID), \(parent))
                ON CONFLICT (message_id) DO UPDATE SET parent_id = excluded.parent_id
                """, logger: logger)
        }
        switch changes.current {
        case .unchanged: break
        case .set(let message):
            try await connection.query(
                """
                INSERT INTO current_messages (conversation_id, message_id) VALUES (\(conversationID), \(message))
                ON CONFLICT (conversation_id) DO UPDATE SET message_id = excluded.message_id
                """, logger: logger)
        case .none: try await connection.query("DELETE FROM current_messages WHERE conversation_id = \(conversationID)", logger: logger)
        }
    }

    /// Logs a change the triggers do not see (a switch of branch, details, a reattached reply)
    /// for the conversation's user.
    func logChange(_ kind: String, _ resourceID: String, ofConversation conversationID: String, _ connection: PostgresConnection)
        async throws
    {
        try await connection.query(
            """
            INSERT INTO change_log (user_id, kind, resource_id)
            SELECT c.user_id, \(kind), \(resourceID) FROM conversations c WHERE c.id = \(conversationID)
            """, logger: logger)
    }
}
