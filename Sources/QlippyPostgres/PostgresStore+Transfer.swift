import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    public func exportPage(userID: String, after: ExportCursor?, limit: Int) async throws -> [ConversationDetail] {
        try await snapshot(deadline: bulkDeadline) { connection in
            // Rows without a creation time sort first, as `-infinity`.
            let rows = try await connection.query(
                """
                SELECT \(unescaped: PostgresRows.conversationWithCurrent) FROM conversations c
                WHERE c.user_id = \(userID) AND \(unescaped: PostgresRows.notExpired)
                  AND (coalesce(c.created_at, '-infinity'), c.id) > (coalesce(\(after?.createdAt?.storageText)::timestamp, '-infinity'), \(after?.id ?? ""))
                ORDER BY coalesce(c.created_at, '-infinity'), c.id LIMIT \(limit)
                """, logger: self.logger
            )
            var conversations: [Conversation] = []
            for try await row in rows { conversations.append(try PostgresRows.conversationWithCurrent(row)) }
            if conversations.isEmpty {
                try await self.requireUser(userID, connection)
                return []
            }
            // Every message with its parent: the messages of the page in one statement, then each
            // conversation's tree.
            let messageRows = try await connection.query(
                """
                SELECT \(unescaped: PostgresRows.messageWithDetails), \(unescaped: PostgresRows.parentColumns)
                FROM messages m \(unescaped: PostgresRows.detailsJoin) \(unescaped: PostgresRows.parentJoin)
                WHERE m.conversation_id = ANY(\(conversations.map(\.id)))
                ORDER BY m.timestamp NULLS FIRST, m.seq
                """, logger: self.logger
            )
            var messages: [String: [Message]] = [:]
            var parents: [String: [(String, Bool, String?)]] = [:]
            for try await row in messageRows {
                let (a, b, c, d, e, f, g, h, i, j, hasRow, parent) = try row.decode(
                    (String, String, String, String, Int64?, String?, Int64?, Int64?, String?, String?, Bool, String?).self)
                messages[b, default: []].append(PostgresRows.message((a, b, c, d, e, f, g, h, i, j)))
                parents[b, default: []].append((a, hasRow, parent))
            }
            return conversations.map { conversation in
                let stored = conversation.currentMessageID
                let list = messages[conversation.id] ?? []
                let tree = ConversationTree(
                    ids: list.map(\.id), parentRows: PostgresRows.parentRows(parents[conversation.id] ?? []), storedCurrent: stored)
                var conversation = conversation
                conversation.currentMessageID = BranchReads.current(of: tree)
                return ConversationDetail(conversation: conversation, messages: BranchReads.arrange(list, by: tree, .all, message: \.self))
            }
        }
    }

    public func importConversation(_ conversation: ImportedConversation, userID: String) async throws -> ImportOutcome {
        try await importRow(conversation.id, into: "conversations", userID: userID) { connection, id in
            try await connection.query(
                """
                INSERT INTO conversations (id, title, user_id, folder, last_updated, created_at, pinned, archived, tags, tag_keys, expires_at)
                VALUES (\(id), \(conversation.title), \(userID), \(conversation.folder),
                        \(conversation.lastUpdated?.storageText)::timestamp, \(conversation.createdAt?.storageText)::timestamp,
                        \(conversation.marks.pinned), \(conversation.marks.archived), \(conversation.marks.tags),
                        \(conversation.marks.tags.map(ConversationMarks.tagKey)), \(conversation.marks.expiresAt?.storageText)::timestamp)
                """, logger: self.logger
            )
            guard !conversation.messages.isEmpty else { return .imported(messages: 0) }
            // Ids another conversation holds get others first, so that one insert keeps the order.
            var taken = try await self.takenIDs(conversation.messages.map(\.id), connection)
            let derived = conversation.derivedMessageIDs(takenOwn: taken, for: userID)
            if !derived.isEmpty { taken.formUnion(try await self.takenIDs(derived, connection)) }
            let ids = conversation.messageIDs(taken: taken, for: userID)
            // One statement for all the messages, in order (`seq` follows the insert's order).
            try await connection.query(
                """
                INSERT INTO messages (id, conversation_id, role, content, timestamp)
                SELECT m.id, \(id), m.role, m.content, nullif(m.at, '')::timestamp
                FROM unnest(\(ids)::text[], \(conversation.messages.map(\.role))::text[], \(conversation.messages.map(\.content))::text[],
                            \(conversation.messages.map { $0.timestamp?.storageText ?? "" })::text[]) WITH ORDINALITY AS m(id, role, content, at, n)
                ORDER BY m.n
                """, logger: self.logger
            )
            let detailed = conversation.messages.indices.filter { !conversation.messages[$0].details.isEmpty }
            if !detailed.isEmpty {
                // Arrays of the detailed messages; '' and -1 stand for NULL (no detail is empty or negative).
                // In the order of the usage totals' key, which the rows' trigger updates: the
                // conversations an import writes at once then take those rows' locks in one order.
                let details = detailed.map { conversation.messages[$0].details }
                try await connection.query(
                    """
                    INSERT INTO message_details
                        (message_id, conversation_id, user_id, day, model, input_tokens, output_tokens, finish_reason, metadata)
                    SELECT d.id, \(id), \(userID), coalesce(m.timestamp::date, '-infinity'), nullif(d.model, ''), nullif(d.input, -1),
                           nullif(d.output, -1), nullif(d.reason, ''), nullif(d.metadata, '')::jsonb
                    FROM unnest(\(detailed.map { ids[$0] })::text[], \(details.map { $0.model ?? "" })::text[],
                                \(details.map { Int64($0.usage?.inputTokens ?? -1) })::int8[],
                                \(details.map { Int64($0.usage?.outputTokens ?? -1) })::int8[],
                                \(details.map { $0.finishReason ?? "" })::text[], \(details.map { $0.metadataJSON ?? "" })::text[])
                         AS d(id, model, input, output, reason, metadata)
                    JOIN messages m ON m.id = d.id
                    ORDER BY 4, d.model
                    """, logger: self.logger
                )
            }
            try await self.apply(conversation.treeChanges(ids: ids), toConversation: id, connection)
            return .imported(messages: conversation.messages.count)
        }
    }

    public func importPlugin(_ plugin: ImportedPlugin, userID: String) async throws -> ImportOutcome {
        try await importRow(plugin.id, into: "plugins", userID: userID) { connection, id in
            try await connection.query(
                """
                INSERT INTO plugins (id, user_id, name, description, enabled, created_at)
                VALUES (\(id), \(userID), \(plugin.name), \(plugin.description), \(plugin.enabled), \(plugin.createdAt?.storageText)::timestamp)
                """, logger: self.logger
            )
            return .imported(messages: 0)
        }
    }

    /// Runs `insert` with the id the row gets (``freeID``) in one transaction, unless the user has it already.
    private func importRow(
        _ id: String, into table: String, userID: String,
        _ insert: @escaping @Sendable (PostgresConnection, String) async throws -> ImportOutcome
    ) async throws -> ImportOutcome {
        try await transaction(deadline: bulkDeadline) { connection in
            _ = try await self.fetchUser(id: userID, connection)
            guard let id = try await self.freeID(id, in: table, for: userID, connection) else { return .alreadyPresent }
            return try await insert(connection, id)
        }
    }

    /// The ones of these message ids that a row already holds.
    private func takenIDs(_ ids: [String], _ connection: PostgresConnection) async throws -> Set<String> {
        var taken: Set<String> = []
        for try await id in try await connection.query("SELECT id FROM messages WHERE id = ANY(\(ids))", logger: logger).decode(String.self)
        {
            taken.insert(id)
        }
        return taken
    }

    /// The id an imported row gets (``ImportIDs``), from who holds it now.
    private func freeID(_ id: String, in table: String, for userID: String, _ connection: PostgresConnection) async throws -> String? {
        var bindings = PostgresBindings()
        bindings.append(ImportIDs.candidates(id, for: userID))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT id, user_id FROM \(table) WHERE id = ANY($1)", binds: bindings), logger: logger)
        var owners: [String: String] = [:]
        for try await (candidate, owner) in rows.decode((String, String).self) { owners[candidate] = owner }
        return ImportIDs.rowID(id, owners: owners, importingFor: userID)
    }
}
