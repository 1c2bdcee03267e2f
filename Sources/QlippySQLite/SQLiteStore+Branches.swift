import GRDB
import QlippyModel
import QlippyStore

extension SQLiteStore {
    /// Writes a change to a conversation's tree (``TreeChanges``): deletes first (their triggers
    /// drop the deleted messages' parent rows), then the parent rows, then the current message,
    /// whose triggers refresh the conversation's list preview.
    static func apply(_ changes: TreeChanges, toConversation conversationID: String, _ db: Database) throws {
        for id in changes.deleted { try execute(db, "DELETE FROM messages WHERE id = ?", [id]) }
        for (message, parent) in changes.parentRows.sorted(by: { $0.key < $1.key }) {
            try execute(
                db,
                """
                INSERT INTO message_parents (conversation_id, message_id, parent_id) VALUES (?, ?, ?)
                ON CONFLICT (conversation_id, message_id) DO UPDATE SET parent_id = excluded.parent_id
                """, [conversationID, message, parent])
        }
        switch changes.current {
        case .unchanged: break
        case .set(let message):
            try execute(
                db,
                """
                INSERT INTO current_messages (conversation_id, message_id) VALUES (?, ?)
                ON CONFLICT (conversation_id) DO UPDATE SET message_id = excluded.message_id
                """, [conversationID, message])
        case .none: try execute(db, "DELETE FROM current_messages WHERE conversation_id = ?", [conversationID])
        }
    }

    /// Logs a change the triggers do not see (a switch of branch, details, a reattached reply)
    /// for the conversation's user.
    static func logChange(_ kind: String, _ resourceID: String, ofConversation conversationID: String, _ db: Database) throws {
        try execute(
            db, "INSERT INTO change_log (user_id, kind, resource_id) SELECT c.user_id, ?, ? FROM conversations c WHERE c.id = ?",
            [kind, resourceID, conversationID])
    }
}
