import PostgresNIO
import QlippyModel
import QlippyStore

/// Tags as a resource (``ConversationMarks``), from the conversations' `tags` and `tag_keys`.
extension PostgresStore {
    /// A user's tags, or the one with `key`: the first spelling in byte order (`COLLATE "C"`, as
    /// SQLite's) and how many conversations carry it, from the user's tagged conversations.
    private func fetchTags(ofUser userID: String, key: String? = nil, _ connection: PostgresConnection) async throws -> [Tag] {
        let rows = try await connection.query(
            """
            SELECT min(t.name COLLATE "C"), count(*) FROM conversations c, unnest(c.tag_keys, c.tags) AS t(key, name)
            WHERE c.user_id = \(userID) AND cardinality(c.tag_keys) > 0 AND (\(key)::text IS NULL OR t.key = \(key)) GROUP BY t.key
            """, logger: logger)
        var tags: [Tag] = []
        for try await (name, count) in rows.decode((String, Int64).self) { tags.append(Tag(name: name, conversationCount: Int(count))) }
        return tags
    }

    public func tags(ofUser userID: String) async throws -> [Tag] {
        try await run { connection in
            let tags = try await self.fetchTags(ofUser: userID, connection)
            if tags.isEmpty { try await self.requireUser(userID, connection) }
            return Tag.sorted(tags)
        }
    }

    public func renameTag(userID: String, name: String, to newName: String) async throws -> Tag {
        try await transaction(deadline: deadline) { connection in
            try await self.retag(userID: userID, name: name, connection) { $0.renamingTag(ConversationMarks.tagKey(name), to: newName) }
            guard let tag = try await self.fetchTags(ofUser: userID, key: ConversationMarks.tagKey(newName), connection).first else {
                throw StoreError.notFound(.tag)
            }
            return tag
        }
    }

    public func deleteTag(userID: String, name: String) async throws {
        try await transaction(deadline: deadline) { connection in
            try await self.retag(userID: userID, name: name, connection) { $0.removingTag(ConversationMarks.tagKey(name)) }
        }
    }

    /// One statement per kind: rows another server is deleting are locked, and skipped here
    /// (`SKIP LOCKED`), so servers sweeping at once share the work and never wait on each other.
    /// Messages go with their conversation (the foreign key cascades).
    public func deleteExpired(untouchedBefore: Timestamp?, limit: Int) async throws -> Int {
        try await run { connection in
            var deleted = try await self.deleteEach(
                """
                SELECT id FROM conversations WHERE expires_at <= (now() AT TIME ZONE 'UTC')
                ORDER BY expires_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """, connection)
            if let untouchedBefore, deleted < limit {
                deleted += try await self.deleteEach(
                    """
                    SELECT c.id FROM conversations c WHERE c.last_updated < \(untouchedBefore.storageText)::timestamp
                    AND \(unescaped: PostgresRows.notExpired) LIMIT \(limit - deleted) FOR UPDATE SKIP LOCKED
                    """, connection)
            }
            return deleted
        }
    }

    /// Deletes the conversations `select` names; how many it deleted.
    private func deleteEach(_ select: PostgresQuery, _ connection: PostgresConnection) async throws -> Int {
        let query = PostgresQuery(unsafeSQL: "DELETE FROM conversations WHERE id IN (\(select.sql)) RETURNING id", binds: select.binds)
        var deleted = 0
        for try await _ in try await connection.query(query, logger: logger) { deleted += 1 }
        return deleted
    }

    /// Gives every conversation of the user carrying tag `name` (locked first) the tags `change`
    /// makes of its marks; "not found" (the user's, else the tag's) when none carries it.
    private func retag(
        userID: String, name: String, _ connection: PostgresConnection, _ change: (ConversationMarks) -> [String]
    ) async throws {
        let carrying = try await connection.query(
            """
            SELECT c.id, c.tags FROM conversations c
            WHERE c.user_id = \(userID) AND c.tag_keys @> ARRAY[\(ConversationMarks.tagKey(name))]
            ORDER BY c.id FOR UPDATE
            """, logger: logger)
        var found: [(String, [String])] = []
        for try await row in carrying.decode((String, [String]).self) { found.append(row) }
        guard !found.isEmpty else {
            try await requireUser(userID, connection)
            throw StoreError.notFound(.tag)
        }
        for (id, tags) in found {
            let changed = change(ConversationMarks(tags: tags))
            try await connection.query(
                "UPDATE conversations SET tags = \(changed), tag_keys = \(changed.map(ConversationMarks.tagKey)) WHERE id = \(id)",
                logger: logger)
        }
    }
}
