import GRDB
import QlippyModel
import QlippyStore

extension SQLiteStore {
    public func share(conversationID: String, newID: String) async throws -> (link: ShareLink, created: Bool) {
        try await writer.write { db in
            let detail = try db.conversationDetail(try db.fetchConversation(id: conversationID), branches: .current)
            let snapshot = try SharedConversation(detail).stored()
            let now = Timestamp.now().storageText
            let existing = try db.fetchOne(Queries.shareLinkOfConversation, [conversationID], ShareLink.init)
            if let existing {
                try Self.execute(
                    db, "UPDATE share_links SET snapshot = CAST(? AS TEXT), updated_at = ? WHERE id = ?",
                    [Self.text(snapshot), now, existing.id])
            } else {
                try Self.execute(
                    db,
                    """
                    INSERT INTO share_links (id, conversation_id, user_id, snapshot, created_at, updated_at)
                    VALUES (?, ?, ?, CAST(? AS TEXT), ?, ?)
                    """, [newID, conversationID, detail.conversation.userID, Self.text(snapshot), now, now])
            }
            let link = try db.fetchOne(Queries.shareLinkOfConversation, [conversationID], ShareLink.init)
            guard let link else { throw StoreError.notFound(.share) }
            return (link, existing == nil)
        }
    }

    public func unshare(conversationID: String) async throws {
        try await writer.write { db in
            _ = try db.fetchConversation(id: conversationID)
            try Self.execute(db, "DELETE FROM share_links WHERE conversation_id = ?", [conversationID])
            guard db.changesCount > 0 else { throw StoreError.notFound(.share) }
        }
    }

    public func sharedConversation(shareID: String) async throws -> (SharedConversation, ShareLink) {
        let found = try readers.read { connection in
            try connection.fetchOne(Queries.sharedConversation, [shareID]) { row in (ShareLink(row), row.text(5) ?? "") }
        }
        guard let (link, snapshot) = found else { throw StoreError.notFound(.share) }
        return (try SharedConversation(stored: snapshot), link)
    }

    public func shareLinks(ofUser userID: String) async throws -> [ShareLink] {
        try snapshot { connection in
            try connection.requireUser(id: userID)
            return try connection.fetchAll(Queries.shareLinksOfUser, [userID], ShareLink.init)
        }
    }
}
