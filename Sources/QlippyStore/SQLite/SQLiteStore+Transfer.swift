import GRDB

extension SQLiteStore {
    public func exportPage(userID: String, after: ExportCursor?, limit: Int) async throws -> [ConversationDetail] {
        try snapshot { connection in
            _ = try connection.fetchUser(id: userID)
            let conversations = try connection.fetchAll(
                Queries.exportPage, [userID, after?.createdAt?.storageText ?? "", after?.id ?? "", String(limit)], Conversation.init
            )
            return try conversations.map { conversation in
                ConversationDetail(conversation: conversation, messages: try connection.fetchAll(Queries.messagesOfConversation, [conversation.id], Message.init))
            }
        }
    }

    public func importConversation(_ conversation: ImportedConversation, userID: String) async throws -> ImportOutcome {
        try await importRow(conversation.id, into: "conversations", userID: userID) { db, id in
            try Self.execute(
                db, "INSERT INTO conversations (id, title, user_id, folder, last_updated, created_at) VALUES (?, CAST(? AS TEXT), ?, CAST(? AS TEXT), ?, ?)",
                [id, Self.text(conversation.title), userID, Self.text(conversation.folder), conversation.lastUpdated?.storageText, conversation.createdAt?.storageText]
            )
            for message in conversation.messages {
                let insert = "INSERT OR IGNORE INTO messages (id, conversation_id, role, content, timestamp) VALUES (?, ?, ?, CAST(? AS TEXT), ?)"
                let values: [(any DatabaseValueConvertible)?] = [id, message.role, Self.text(message.content), message.timestamp?.storageText]
                try Self.execute(db, insert, StatementArguments([message.id] + values))
                if db.changesCount == 0 {
                    // The id is another conversation's: this message gets a new one.
                    try Self.execute(db, insert, StatementArguments([Self.newID()] + values))
                }
            }
            return .imported(messages: conversation.messages.count)
        }
    }

    public func importPlugin(_ plugin: ImportedPlugin, userID: String) async throws -> ImportOutcome {
        try await importRow(plugin.id, into: "plugins", userID: userID) { db, id in
            try Self.execute(
                db, "INSERT INTO plugins (id, user_id, name, description, enabled, created_at) VALUES (?, ?, CAST(? AS TEXT), CAST(? AS TEXT), ?, ?)",
                [id, userID, Self.text(plugin.name), Self.text(plugin.description), plugin.enabled, plugin.createdAt?.storageText]
            )
            return .imported(messages: 0)
        }
    }

    /// Runs `insert` with the id the row gets (``freeID``) in one write, unless the user has it already.
    private func importRow(
        _ id: String, into table: String, userID: String, _ insert: @escaping @Sendable (Database, String) throws -> ImportOutcome
    ) async throws -> ImportOutcome {
        try await writer.write { db in
            _ = try db.fetchUser(id: userID)
            guard let id = try Self.freeID(id, in: table, for: userID, db) else { return .alreadyPresent }
            return try insert(db, id)
        }
    }

    /// The id an imported row gets: its own when free, a new one when another user's row has it,
    /// `nil` when this user already has it (the import skips it).
    private static func freeID(_ id: String, in table: String, for userID: String, _ db: Database) throws -> String? {
        guard let owner = try String.fetchOne(db, sql: "SELECT user_id FROM \(table) WHERE id = ?", arguments: [id]) else { return id }
        return owner == userID ? nil : newID()
    }
}
