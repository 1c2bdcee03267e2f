import GRDB
import QlippyModel
import QlippyStore

extension SQLiteStore {
    public func exportPage(userID: String, after: ExportCursor?, limit: Int) async throws -> [ConversationDetail] {
        try snapshot { connection in
            try connection.requireUser(id: userID)
            let conversations = try connection.fetchAll(
                Queries.exportPage, [userID, after?.createdAt?.storageText ?? "", after?.id ?? "", String(limit)], Conversation.init
            )
            return try conversations.map { conversation in
                var conversation = conversation
                conversation.currentMessageID = try connection.storedCurrentMessage(ofConversation: conversation.id)
                return try connection.conversationDetail(conversation, branches: .all)
            }
        }
    }

    public func importConversation(_ conversation: ImportedConversation, userID: String) async throws -> ImportOutcome {
        let journal: GroupCommitWriter.Journal = conversation.messages.count > Self.messagesImportedInMemory ? .onDisk : .inMemory
        return try await importRow(conversation.id, into: "conversations", userID: userID, journal: journal) { db, id in
            try Self.execute(
                db,
                "INSERT INTO conversations (id, title, user_id, folder, last_updated, created_at) VALUES (?, CAST(? AS TEXT), ?, CAST(? AS TEXT), ?, ?)",
                [
                    id, Self.text(conversation.title), userID, Self.text(conversation.folder), conversation.lastUpdated?.storageText,
                    conversation.createdAt?.storageText,
                ]
            )
            var taken = try Self.takenIDs(conversation.messages.map(\.id), db)
            taken.formUnion(try Self.takenIDs(conversation.derivedMessageIDs(takenOwn: taken, for: userID), db))
            let ids = conversation.messageIDs(taken: taken, for: userID)
            try Self.insertMessages(conversation.messages, ids: ids, conversationID: id, db)
            try Self.insertDetails(of: conversation.messages, ids: ids, conversationID: id, userID: userID, db)
            try Self.apply(conversation.treeChanges(ids: ids), toConversation: id, db)
            if !conversation.marks.isNone { try Self.storeMarks(conversation.marks, ofConversation: id, userID: userID, db) }
            return .imported(messages: conversation.messages.count)
        }
    }

    public func importPlugin(_ plugin: ImportedPlugin, userID: String) async throws -> ImportOutcome {
        try await importRow(plugin.id, into: "plugins", userID: userID) { db, id in
            try Self.execute(
                db,
                "INSERT INTO plugins (id, user_id, name, description, enabled, created_at) VALUES (?, ?, CAST(? AS TEXT), CAST(? AS TEXT), ?, ?)",
                [id, userID, Self.text(plugin.name), Self.text(plugin.description), plugin.enabled, plugin.createdAt?.storageText]
            )
            return .imported(messages: 0)
        }
    }

    /// The ones of these message ids that a row already holds, asked in statements of up to
    /// ``rowsPerInsert`` ids (one lookup per id cost the import's writer more than the SQL did).
    private static func takenIDs(_ ids: [String], _ db: Database) throws -> Set<String> {
        var taken: Set<String> = []
        for chunk in chunks(of: ids.count) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let lookup = try db.cachedStatement(sql: "SELECT id FROM messages WHERE id IN (\(marks))")
            taken.formUnion(try String.fetchAll(lookup, arguments: StatementArguments(Array(ids[chunk]))))
        }
        return taken
    }

    /// Writes the messages in their order, up to ``rowsPerInsert`` rows per statement, so that a
    /// conversation's messages cost a few statement runs, not one each. (A message below the search
    /// index's mark, which an import never writes, would also make FTS5 write a segment per statement.)
    private static func insertMessages(_ messages: [ImportedMessage], ids: [String], conversationID: String, _ db: Database) throws {
        for chunk in chunks(of: messages.count) {
            var arguments: [(any DatabaseValueConvertible)?] = []
            arguments.reserveCapacity(chunk.count * 5)
            for index in chunk {
                let message = messages[index]
                arguments +=
                    [ids[index], conversationID, message.role, text(message.content), message.timestamp?.storageText]
                    as [(any DatabaseValueConvertible)?]
            }
            let values = Array(repeating: "(?, ?, ?, CAST(? AS TEXT), ?)", count: chunk.count).joined(separator: ", ")
            try execute(
                db, "INSERT INTO messages (id, conversation_id, role, content, timestamp) VALUES \(values)", StatementArguments(arguments))
        }
    }

    /// Writes the details of the messages that have any, ``rowsPerInsert`` rows per statement, as
    /// the messages are: ChatGPT's answers all name their model, and one statement each made a
    /// 1 M-message import about a seventh slower. The day is the stored timestamp's, as
    /// ``storeDetails`` reads it.
    private static func insertDetails(
        of messages: [ImportedMessage], ids: [String], conversationID: String, userID: String, _ db: Database
    ) throws {
        let detailed = messages.indices.filter { !messages[$0].details.isEmpty }
        for chunk in chunks(of: detailed.count) {
            var arguments: [(any DatabaseValueConvertible)?] = []
            arguments.reserveCapacity(chunk.count * 9)
            for index in detailed[chunk] {
                let details = messages[index].details
                let day = messages[index].timestamp.map { String($0.storageText.prefix(10)) } ?? ""
                arguments +=
                    [
                        conversationID, ids[index], userID, day, text(details.model), details.usage?.inputTokens,
                        details.usage?.outputTokens, text(details.finishReason), text(details.metadataJSON),
                    ] as [(any DatabaseValueConvertible)?]
            }
            let values = Array(repeating: "(?, ?, ?, ?, CAST(? AS TEXT), ?, ?, CAST(? AS TEXT), CAST(? AS TEXT))", count: chunk.count)
            try execute(
                db,
                """
                INSERT INTO message_details
                    (conversation_id, message_id, user_id, day, model, input_tokens, output_tokens, finish_reason, metadata)
                VALUES \(values.joined(separator: ", "))
                """, StatementArguments(arguments))
        }
    }

    /// `0..<count` cut into runs of up to ``rowsPerInsert``, each a power of two long, so that a
    /// statement made for a run has at most nine shapes, each prepared once and cached.
    static func chunks(of count: Int) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        var start = 0
        while start < count {
            let remaining = count - start
            let length = min(rowsPerInsert, 1 << (Int.bitWidth - 1 - remaining.leadingZeroBitCount))
            chunks.append(start..<(start + length))
            start += length
        }
        return chunks
    }

    /// Rows per insert: nine arguments each at most, far below SQLite's 32 766.
    static let rowsPerInsert = 256

    /// The most messages a conversation's import journals in memory (a page or so each, at most
    /// a few MB); a longer one commits alone, its journal on disk (``GroupCommitWriter/Journal``).
    static let messagesImportedInMemory = 1_000

    /// Runs `insert` with the id the row gets (``freeID``) in one write, unless the user has it already.
    private func importRow(
        _ id: String, into table: String, userID: String, journal: GroupCommitWriter.Journal = .inMemory,
        _ insert: @escaping @Sendable (Database, String) throws -> ImportOutcome
    ) async throws -> ImportOutcome {
        try await writer.write(journal: journal) { db in
            try db.requireUser(id: userID)
            guard let id = try Self.freeID(id, in: table, for: userID, db) else { return .alreadyPresent }
            return try insert(db, id)
        }
    }

    /// The id an imported row gets (``ImportIDs``), from who holds its candidates now.
    private static func freeID(_ id: String, in table: String, for userID: String, _ db: Database) throws -> String? {
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, user_id FROM \(table) WHERE id IN (?, ?)",
            arguments: StatementArguments(ImportIDs.candidates(id, for: userID)))
        let owners = Dictionary(rows.map { ($0[0] as String, $0[1] as String) }, uniquingKeysWith: { first, _ in first })
        return ImportIDs.rowID(id, owners: owners, importingFor: userID)
    }
}
