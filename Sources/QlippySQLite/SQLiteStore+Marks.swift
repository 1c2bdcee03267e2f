import GRDB
import QlippyModel
import QlippyStore

/// Pins, archive and tags (``ConversationMarks``): `conversation_marks` holds a row only while a
/// conversation has a mark, and `conversation_tags` a row per tag, keyed for the filters.
extension SQLiteStore {
    public func tags(ofUser userID: String) async throws -> [Tag] {
        try snapshot { connection in
            try connection.requireUser(id: userID)
            return Tag.sorted(try connection.fetchAll(Queries.tagsOfUser, [userID], Tag.init))
        }
    }

    public func renameTag(userID: String, name: String, to newName: String) async throws -> Tag {
        try await writer.write { db in
            try Self.retag(userID: userID, name: name, db) { $0.renamingTag(ConversationMarks.tagKey(name), to: newName) }
            guard let tag = try db.fetchOne(Queries.tagOfUser, [userID, ConversationMarks.tagKey(newName)], Tag.init),
                tag.conversationCount > 0
            else { throw StoreError.notFound(.tag) }
            return tag
        }
    }

    public func deleteTag(userID: String, name: String) async throws {
        try await writer.write { db in
            try Self.retag(userID: userID, name: name, db) { $0.removingTag(ConversationMarks.tagKey(name)) }
        }
    }

    /// Gives every conversation of the user carrying tag `name` the tags `change` makes of its
    /// marks, each a `conversation.updated` event; "not found" when none carries it.
    private static func retag(userID: String, name: String, _ db: Database, _ change: (ConversationMarks) -> [String]) throws {
        try db.requireUser(id: userID)
        let carrying = try db.fetchAll(Queries.marksWithTag, [userID, ConversationMarks.tagKey(name)]) { row in
            (row.text(0) ?? "", ConversationMarks(row, at: 1))
        }
        guard !carrying.isEmpty else { throw StoreError.notFound(.tag) }
        for (id, marks) in carrying {
            var changed = marks
            changed.tags = change(marks)
            try storeMarks(changed, ofConversation: id, userID: userID, db)
            try logChange("conversation.updated", id, ofConversation: id, db)
        }
    }

    public func deleteExpired(untouchedBefore: Timestamp?, limit: Int) async throws -> Int {
        try await writer.write(journal: .onDisk) { db in
            var ids = try db.fetchAll(Queries.expired, [String(limit)]) { $0.text(0) ?? "" }
            if let untouchedBefore, ids.count < limit {
                ids += try db.fetchAll(Queries.untouched, [untouchedBefore.storageText, String(limit - ids.count)]) { $0.text(0) ?? "" }
            }
            for id in ids { try Self.deleteConversation(id, db) }
            return ids.count
        }
    }

    /// Writes a conversation's marks: its `conversation_marks` row (none when it has no mark)
    /// and its `conversation_tags` rows.
    static func storeMarks(_ marks: ConversationMarks, ofConversation id: String, userID: String, _ db: Database) throws {
        if marks.isNone {
            try execute(db, "DELETE FROM conversation_marks WHERE conversation_id = ?", [id])
        } else {
            try execute(
                db,
                """
                INSERT INTO conversation_marks (conversation_id, user_id, pinned, archived, tags, expires_at)
                VALUES (?, ?, ?, ?, CAST(? AS TEXT), ?)
                ON CONFLICT (conversation_id) DO UPDATE
                SET pinned = excluded.pinned, archived = excluded.archived, tags = excluded.tags, expires_at = excluded.expires_at
                """, [id, userID, marks.pinned, marks.archived, text(marks.storedTags), marks.expiresAt?.storageText])
        }
        try execute(db, "DELETE FROM conversation_tags WHERE conversation_id = ?", [id])
        for tag in marks.tags {
            try execute(
                db,
                "INSERT INTO conversation_tags (user_id, tag_key, conversation_id, name) VALUES (?, CAST(? AS TEXT), ?, CAST(? AS TEXT))",
                [userID, text(ConversationMarks.tagKey(tag)), id, text(tag)])
        }
    }
}
