import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    /// A link's columns, with its conversation's title, from links `l` joined to conversations `c`.
    private static let shareLinkColumns =
        "l.id, l.conversation_id, c.title, \(PostgresRows.micros("l.created_at")), \(PostgresRows.micros("l.updated_at"))"

    private static func shareLink(_ row: (String, String, String, Int64, Int64)) -> ShareLink {
        ShareLink(
            id: row.0, conversationID: row.1, title: row.2, createdAt: Timestamp(microsecondsSinceEpoch: row.3),
            updatedAt: Timestamp(microsecondsSinceEpoch: row.4))
    }

    /// The snapshot is read from the conversation's own snapshot first, then written in one
    /// statement that keeps an existing link's id and `created_at`.
    public func share(conversationID: String, newID: String) async throws -> (link: ShareLink, created: Bool) {
        let detail = try await conversation(id: conversationID, branches: .current)
        let snapshot = try SharedConversation(detail).stored()
        let now = Timestamp.now().storageText
        return try await run { connection in
            var found: (ShareLink, Bool)?
            try await self.insert(.conversation) {
                let rows = try await connection.query(
                    """
                    WITH written AS (
                        INSERT INTO share_links (id, conversation_id, user_id, snapshot, created_at, updated_at)
                        VALUES (\(newID), \(conversationID), \(detail.conversation.userID), \(snapshot), \(now)::timestamp, \(now)::timestamp)
                        ON CONFLICT (conversation_id) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at
                        RETURNING *
                    )
                    SELECT \(unescaped: Self.shareLinkColumns), l.id = \(newID)
                    FROM written l JOIN conversations c ON c.id = l.conversation_id
                    """, logger: self.logger)
                for try await (a, b, c, d, e, created) in rows.decode((String, String, String, Int64, Int64, Bool).self) {
                    found = (Self.shareLink((a, b, c, d, e)), created)
                }
            }
            guard let found else { throw StoreError.notFound(.conversation) }
            return found
        }
    }

    public func unshare(conversationID: String) async throws {
        try await run { connection in
            _ = try await self.conversationWithCurrent(conversationID, connection)
            let rows = try await connection.query(
                "DELETE FROM share_links WHERE conversation_id = \(conversationID) RETURNING id", logger: self.logger)
            guard try await rows.decode(String.self).contains(where: { _ in true }) else { throw StoreError.notFound(.share) }
        }
    }

    public func sharedConversation(shareID: String) async throws -> (SharedConversation, ShareLink) {
        let (link, snapshot) = try await run { connection in
            try await self.one(
                """
                SELECT \(unescaped: Self.shareLinkColumns), l.snapshot FROM share_links l JOIN conversations c ON c.id = l.conversation_id
                WHERE l.id = \(shareID) AND \(unescaped: PostgresRows.notExpired)
                """, on: connection, missing: .share
            ) { row in
                let (a, b, c, d, e, snapshot) = try row.decode((String, String, String, Int64, Int64, String).self)
                return (Self.shareLink((a, b, c, d, e)), snapshot)
            }
        }
        return (try SharedConversation(stored: snapshot), link)
    }

    public func shareLinks(ofUser userID: String) async throws -> [ShareLink] {
        try await run { connection in
            var links: [ShareLink] = []
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.shareLinkColumns) FROM share_links l JOIN conversations c ON c.id = l.conversation_id
                WHERE l.user_id = \(userID) AND \(unescaped: PostgresRows.notExpired) ORDER BY l.created_at DESC, l.id
                """, logger: self.logger)
            for try await row in rows.decode((String, String, String, Int64, Int64).self) { links.append(Self.shareLink(row)) }
            if links.isEmpty { try await self.requireUser(userID, connection) }
            return links
        }
    }
}
