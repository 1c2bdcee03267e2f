import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    // MARK: Users

    public func createUser(username: String) async throws -> User {
        try await run { connection in try await self.insertUser(username: username, connection) }
    }

    func insertUser(username: String, _ connection: PostgresConnection) async throws -> User {
        let id = newID()
        let now = Timestamp.now()
        do {
            try await connection.query(
                "INSERT INTO users (id, username, created_at) VALUES (\(id), \(username), \(now.storageText)::timestamp)", logger: logger
            )
        } catch let error as PSQLError where error.sqlState == "23505" {
            throw StoreError.usernameTaken
        }
        return User(id: id, username: username, createdAt: now, conversationCount: 0)
    }

    public func user(id: String) async throws -> User {
        try await run { connection in try await self.fetchUser(id: id, connection) }
    }

    public func user(username: String) async throws -> User {
        try await run { connection in
            try await self.one(
                "SELECT \(unescaped: PostgresRows.user) FROM users u WHERE u.username = \(username)", on: connection, missing: .user
            ) {
                PostgresRows.user(try $0.decode(PostgresRows.UserRow.self))
            }
        }
    }

    // MARK: Conversations

    public func conversations(ofUser userID: String, filter: ConversationFilter, previewLength: Int) async throws -> [ConversationSummary] {
        let previewLength = PreviewLength.served(previewLength)
        var bindings = PostgresBindings()
        let user = bindings.placeholder(userID)
        let condition = PostgresConversationFilter.condition(filter, &bindings)
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT \(PostgresRows.summary) FROM conversations c WHERE c.user_id = \(user)\(condition)
                ORDER BY c.last_updated DESC NULLS LAST, c.seq DESC
                """, binds: bindings)
        return try await run { connection in
            var summaries: [ConversationSummary] = []
            for try await row in try await connection.query(query, logger: self.logger).decode(PostgresRows.SummaryRow.self) {
                summaries.append(PostgresRows.summary(row, previewLength: previewLength))
            }
            if summaries.isEmpty { try await self.requireUser(userID, connection) }
            return summaries
        }
    }

    public func createConversation(userID: String, title: String, folder: String?, expiry: ConversationExpiry) async throws
        -> Conversation
    {
        try await run { connection in
            try await self.insertConversation(userID: userID, title: title, folder: folder, expiry: expiry, connection)
        }
    }

    func insertConversation(userID: String, title: String, folder: String?, expiry: ConversationExpiry, _ connection: PostgresConnection)
        async throws -> Conversation
    {
        let id = newID()
        let now = Timestamp.now()
        let marks = ConversationMarks(expiresAt: expiry.expiresAt(madeAt: now))
        try await insert(.user) {
            try await connection.query(
                """
                INSERT INTO conversations (id, title, user_id, folder, last_updated, created_at, expires_at)
                VALUES (\(id), \(title), \(userID), \(folder), \(now.storageText)::timestamp, \(now.storageText)::timestamp,
                        \(marks.expiresAt?.storageText)::timestamp)
                """, logger: logger
            )
        }
        return Conversation(
            id: id, title: title, folder: folder, userID: userID, createdAt: now, lastUpdated: now, messageCount: 0, marks: marks)
    }

    public func conversation(id: String, branches: BranchSelection) async throws -> ConversationDetail {
        let asStored = try await run { connection -> ConversationDetail? in
            // The conversation on every row (or on one row without a message): one statement, so
            // the messages and the conversation come from one snapshot, and the count is theirs.
            // Messages only for a conversation read as stored (never branched, its current branch):
            // otherwise the key of the messages' index scan is NULL, which finds none at once, where
            // a condition beside the key would have the planner read them all and drop each.
            // MATERIALIZED: the current message is looked up once, not per message.
            let rows = try await connection.query(
                """
                WITH c AS MATERIALIZED (
                    SELECT c.*, \(unescaped: PostgresRows.storedCurrent) AS current FROM conversations c
                    WHERE c.id = \(id) AND \(unescaped: PostgresRows.notExpired))
                SELECT \(unescaped: PostgresRows.conversationColumns), c.current, \(unescaped: PostgresRows.messageWithDetails)
                FROM c LEFT JOIN messages m ON m.conversation_id = (CASE WHEN c.current IS NULL AND \(branches == .current) THEN c.id END)
                    \(unescaped: PostgresRows.detailsJoin)
                ORDER BY m.timestamp NULLS FIRST, m.seq
                """, logger: self.logger
            )
            var conversation: Conversation?
            var messages: [Message] = []
            for try await row in rows.decode(PostgresRows.ConversationWithMessageRow.self) {
                if conversation == nil {
                    conversation = PostgresRows.conversation((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, 0))
                    conversation?.currentMessageID = row.10
                }
                if let message = PostgresRows.message(
                    joined: (row.11, row.12, row.13, row.14, row.15), details: (row.16, row.17, row.18, row.19, row.20))
                {
                    messages.append(message)
                }
            }
            guard var conversation else { throw StoreError.notFound(.conversation) }
            guard conversation.currentMessageID == nil, branches == .current else { return nil }
            conversation.messageCount = messages.count
            return ConversationDetail(conversation: conversation, messages: messages)
        }
        if let asStored { return asStored }
        return try await snapshot(deadline: deadline) { connection in
            var conversation = try await self.conversationWithCurrent(id, connection)
            let (arranged, tree) = try await self.arrangedMessages(
                ofConversation: id, storedCurrent: conversation.currentMessageID, branches, connection)
            conversation.currentMessageID = BranchReads.current(of: tree)
            return ConversationDetail(conversation: conversation, messages: arranged.map(\.0))
        }
    }

    public func updateConversation(id: String, changes: ConversationChanges) async throws -> Conversation {
        var changed = PostgresUpdate(table: "conversations", alias: "c", condition: " AND \(PostgresRows.notExpired)")
        if changes.editsFields || (changes.currentMessageID == nil && !changes.organizes) {
            changed.set("last_updated", Timestamp.now().storageText, cast: "timestamp")
        }
        if let title = changes.title { changed.set("title", title) }
        if let folder = changes.folder { changed.set("folder", folder) }
        if let pinned = changes.pinned { changed.set("pinned", pinned) }
        if let archived = changes.archived { changed.set("archived", archived) }
        if let tags = changes.tags {
            let kept = ConversationMarks.tags(tags)
            changed.set("tags", kept)
            changed.set("tag_keys", kept.map(ConversationMarks.tagKey))
        }
        if let expiresAt = changes.expiresAt { changed.set("expires_at", expiresAt?.storageText, cast: "timestamp") }
        guard let target = changes.currentMessageID else {
            return try await updated(
                changed, id: id, returning: PostgresRows.conversationWithCurrent, missing: .conversation,
                PostgresRows.conversationWithCurrent)
        }
        let edit = changed.query(id: id, returning: "c.id")
        return try await transaction(deadline: deadline) { connection in
            let conversation = try await self.conversationWithCurrent(locking: true, id, connection)
            if changes.editsFields || changes.organizes { try await connection.query(edit, logger: self.logger) }
            let tree = try await self.fetchTree(ofConversation: id, storedCurrent: conversation.currentMessageID, connection)
            let switched = try tree.switching(to: target)
            try await self.apply(switched, toConversation: id, connection)
            // The trigger on the title, folder and marks logs a change of them; a switch alone is logged here.
            if switched.current != .unchanged, !changes.editsFields, !changes.organizes {
                try await self.logChange("conversation.updated", id, ofConversation: id, connection)
            }
            return try await self.conversationWithCurrent(id, connection)
        }
    }

    public func deleteConversation(id: String) async throws {
        try await delete(from: "conversations", id: id, missing: .conversation)
    }

    // MARK: Messages

    public func addMessage(
        conversationID: String, role: String, content: String, details: MessageDetails, parent: NewMessageParent
    ) async throws -> Message {
        let insert = { @Sendable (connection: PostgresConnection) in
            try await self.insertMessage(
                conversationID: conversationID, role: role, content: content, details: details, parent: parent, connection)
        }
        return parent == .current ? try await run(insert) : try await transaction(deadline: deadline, insert)
    }

    /// After the current message: one statement, which also writes the parent row and moves the
    /// current message when the conversation has branched. Under a named parent (only in a
    /// transaction): the conversation's row is locked first, so that its tree holds still while
    /// the new message's place is worked out.
    func insertMessage(
        conversationID: String, role: String, content: String, details: MessageDetails, parent: NewMessageParent,
        _ connection: PostgresConnection
    ) async throws -> Message {
        let id = newID()
        let now = Timestamp.now()
        var placed = TreeChanges()
        var parentOfAdded: MessageParent?
        let followsCurrent = parent == .current
        if !followsCurrent {
            let conversation = try await conversationWithCurrent(locking: true, conversationID, connection)
            let last = try await lastMessage(ofConversation: conversationID, connection)
            var parentExists = false
            if let named = parent.named { parentExists = try await isMessage(named, ofConversation: conversationID, connection) }
            placed = try ConversationTree.adding(
                id, under: parent, current: conversation.currentMessageID ?? last, last: last,
                isBranched: conversation.currentMessageID != nil, parentExists: parentExists)
            if placed.current != .unchanged { parentOfAdded = MessageParent(row: placed.parentRows[id] ?? last) }
        }
        try await insert(.conversation) {
            // One statement: the insert, its details, its place in a branched conversation and the
            // bump commit together. `greatest`: never backwards, as two servers' concurrent adds may
            // commit in either order. No row at all: no such conversation, or it has expired.
            let rows = try await connection.query(
                """
                WITH added AS (
                    INSERT INTO messages (id, conversation_id, role, content, timestamp)
                    SELECT \(id), c.id, \(role), \(content), \(now.storageText)::timestamp FROM conversations c
                    WHERE c.id = \(conversationID) AND \(unescaped: PostgresRows.notExpired)
                    RETURNING id, conversation_id, timestamp
                ), details AS (
                    INSERT INTO message_details
                        (message_id, conversation_id, user_id, day, model, input_tokens, output_tokens, finish_reason, metadata)
                    SELECT a.id, a.conversation_id, c.user_id, a.timestamp::date, \(details.model),
                           \(details.usage.map { Int64($0.inputTokens) }), \(details.usage.map { Int64($0.outputTokens) }),
                           \(details.finishReason), \(details.metadataJSON)::jsonb
                    FROM added a JOIN conversations c ON c.id = a.conversation_id WHERE \(!details.isEmpty)
                ), current AS (
                    SELECT cm.message_id,
                        (SELECT m.id FROM messages m WHERE m.conversation_id = cm.conversation_id
                         ORDER BY m.timestamp DESC NULLS LAST, m.seq DESC LIMIT 1) AS last
                    FROM current_messages cm WHERE cm.conversation_id = \(conversationID) AND \(followsCurrent)
                ), placed AS (
                    INSERT INTO message_parents (message_id, conversation_id, parent_id)
                    SELECT a.id, a.conversation_id, cur.message_id FROM added a, current cur WHERE cur.message_id IS DISTINCT FROM cur.last
                ), moved AS (
                    UPDATE current_messages SET message_id = \(id) WHERE conversation_id = \(conversationID) AND \(followsCurrent)
                )
                UPDATE conversations SET last_updated = greatest(last_updated, \(now.storageText)::timestamp)
                WHERE id = (SELECT conversation_id FROM added)
                RETURNING (SELECT message_id FROM current)
                """, logger: logger
            )
            // A current message here: the conversation has branched, and the new message hangs under it.
            var added = false
            for try await parentID in rows.decode(String?.self) {
                added = true
                if let parentID { parentOfAdded = .message(parentID) }
            }
            guard added else { throw StoreError.notFound(.conversation) }
        }
        try await apply(placed, toConversation: conversationID, connection)
        return Message(
            id: id, conversationID: conversationID, role: role, content: content, timestamp: now, details: details, parent: parentOfAdded)
    }

    public func updateMessage(id: String, content: String?, details changes: MessageDetailChanges) async throws -> Message {
        try await transaction(deadline: deadline) { connection in
            if let content {
                try await connection.query("UPDATE messages SET content = \(content) WHERE id = \(id)", logger: self.logger)
            }
            var message = try await self.one(
                """
                SELECT \(unescaped: PostgresRows.messageWithDetails) FROM messages m \(unescaped: PostgresRows.detailsJoin)
                WHERE m.id = \(id) FOR UPDATE OF m
                """, on: connection, missing: .message
            ) { PostgresRows.message(try $0.decode(PostgresRows.MessageWithDetailsRow.self)) }
            message = try await self.attachingParent(to: message, connection)
            guard !changes.isEmpty else { return message }
            message.details = message.details.applying(changes)
            try await self.storeDetails(message.details, of: message, connection)
            // The content's trigger logs an edit of the content; an edit of the details alone is logged here.
            if content == nil {
                try await connection.query(
                    """
                    INSERT INTO change_log (user_id, kind, resource_id)
                    SELECT c.user_id, 'message.updated', \(id) FROM conversations c WHERE c.id = \(message.conversationID)
                    """, logger: self.logger)
            }
            return message
        }
    }

    /// Writes a message's details row (with its message's user and day), or deletes it when the
    /// details are empty.
    private func storeDetails(_ details: MessageDetails, of message: Message, _ connection: PostgresConnection) async throws {
        guard !details.isEmpty else {
            try await connection.query("DELETE FROM message_details WHERE message_id = \(message.id)", logger: logger)
            return
        }
        try await connection.query(
            """
            INSERT INTO message_details
                (message_id, conversation_id, user_id, day, model, input_tokens, output_tokens, finish_reason, metadata)
            SELECT m.id, m.conversation_id, c.user_id, coalesce(m.timestamp::date, '-infinity'), \(details.model),
                   \(details.usage.map { Int64($0.inputTokens) }), \(details.usage.map { Int64($0.outputTokens) }),
                   \(details.finishReason), \(details.metadataJSON)::jsonb
            FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = \(message.id)
            ON CONFLICT (message_id) DO UPDATE SET model = excluded.model, input_tokens = excluded.input_tokens,
                output_tokens = excluded.output_tokens, finish_reason = excluded.finish_reason, metadata = excluded.metadata
            """, logger: logger)
    }

    public func deleteMessage(id: String, withReplies: Bool) async throws {
        if !withReplies {
            // In a conversation that never branched: one statement, as the original's delete.
            let deleted = try await run { connection in
                try await connection.query(
                    """
                    DELETE FROM messages m WHERE m.id = \(id)
                      AND NOT EXISTS (SELECT 1 FROM current_messages cm WHERE cm.conversation_id = m.conversation_id)
                    RETURNING m.id
                    """, logger: self.logger
                ).decode(String.self).contains { _ in true }
            }
            if deleted { return }
        }
        try await transaction(deadline: deadline) { connection in
            let conversationID = try await self.one(
                "SELECT conversation_id FROM messages WHERE id = \(id)", on: connection, missing: .message
            ) { try $0.decode(String.self) }
            let stored = try await self.conversationWithCurrent(locking: true, conversationID, connection).currentMessageID
            let tree = try await self.fetchTree(ofConversation: conversationID, storedCurrent: stored, connection)
            let changes = tree.deleting(id, withReplies: withReplies)
            try await self.apply(changes, toConversation: conversationID, connection)
            for child in changes.moved {
                try await self.logChange("message.updated", child, ofConversation: conversationID, connection)
            }
            if changes.current != .unchanged {
                try await self.logChange("conversation.updated", conversationID, ofConversation: conversationID, connection)
            }
        }
    }

    // MARK: Plugins

    public func plugins(ofUser userID: String) async throws -> [Plugin] {
        try await run { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: PostgresRows.plugin) FROM plugins p WHERE p.user_id = \(userID) ORDER BY p.created_at NULLS FIRST, p.seq",
                logger: self.logger
            )
            var plugins: [Plugin] = []
            for try await row in rows.decode(PostgresRows.PluginRow.self) {
                plugins.append(PostgresRows.plugin(row))
            }
            if plugins.isEmpty { try await self.requireUser(userID, connection) }
            return plugins
        }
    }

    public func createPlugin(userID: String, plugin: NewPlugin) async throws -> Plugin {
        try await run { connection in try await self.insertPlugin(userID: userID, plugin: plugin, connection) }
    }

    func insertPlugin(userID: String, plugin: NewPlugin, _ connection: PostgresConnection) async throws -> Plugin {
        let id = newID()
        let now = Timestamp.now()
        try await insert(.user) {
            try await connection.query(
                """
                INSERT INTO plugins (id, user_id, name, description, enabled, created_at)
                VALUES (\(id), \(userID), \(plugin.name), \(plugin.description), \(plugin.enabled), \(now.storageText)::timestamp)
                """, logger: logger
            )
        }
        return Plugin(id: id, userID: userID, name: plugin.name, description: plugin.description, enabled: plugin.enabled, createdAt: now)
    }

    public func updatePlugin(id: String, changes: PluginChanges) async throws -> Plugin {
        var changed = PostgresUpdate(table: "plugins", alias: "p")
        if let name = changes.name { changed.set("name", name) }
        if let description = changes.description { changed.set("description", description) }
        if let enabled = changes.enabled { changed.set("enabled", enabled) }
        return try await updated(changed, id: id, returning: PostgresRows.plugin, missing: .plugin) {
            PostgresRows.plugin(try $0.decode(PostgresRows.PluginRow.self))
        }
    }

    public func deletePlugin(id: String) async throws {
        try await delete(from: "plugins", id: id, missing: .plugin)
    }

    // MARK: Shared lookups

    /// The query's first row, made into a record; "not found" (as `missing`) when there is none.
    func one<Record>(
        _ query: PostgresQuery, on connection: PostgresConnection, missing: Entity, _ record: (PostgresRow) throws -> Record
    ) async throws -> Record {
        for try await row in try await connection.query(query, logger: logger) {
            return try record(row)
        }
        throw StoreError.notFound(missing)
    }

    /// Runs `update` on row `id` and makes its `returning` columns into a record; "not found"
    /// (as `missing`) when there is no such row.
    private func updated<Record: Sendable>(
        _ update: PostgresUpdate, id: String, returning: String, missing: Entity,
        _ record: @escaping @Sendable (PostgresRow) throws -> Record
    ) async throws -> Record {
        let query = update.query(id: id, returning: returning)
        return try await run { connection in try await self.one(query, on: connection, missing: missing, record) }
    }

    /// Deletes row `id` (PostgreSQL cascades to what references it); "not found" when there was none.
    private func delete(from table: String, id: String, missing: Entity) async throws {
        var bindings = PostgresBindings()
        bindings.append(id)
        let query = PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE id = $1 RETURNING id", binds: bindings)
        try await run { connection in
            let rows = try await connection.query(query, logger: self.logger)
            guard try await rows.decode(String.self).contains(where: { _ in true }) else { throw StoreError.notFound(missing) }
        }
    }

    func fetchUser(id: String, _ connection: PostgresConnection) async throws -> User {
        try await one("SELECT \(unescaped: PostgresRows.user) FROM users u WHERE u.id = \(id)", on: connection, missing: .user) {
            PostgresRows.user(try $0.decode(PostgresRows.UserRow.self))
        }
    }

    /// For a list that came back empty: is that the user's list, or is there no such user? Asked
    /// only then, in a statement of its own: a list of one user's rows that has any row proves the
    /// user (by foreign key), and an empty list followed by "the user exists" is the answer as of
    /// the first statement, since users are never deleted.
    func requireUser(_ id: String, _ connection: PostgresConnection) async throws {
        _ = try await fetchUser(id: id, connection)
    }

    /// Runs an insert whose foreign key names `parent`: a missing parent is "not found", also when
    /// another server deleted it a moment ago.
    func insert(_ parent: Entity, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as PSQLError where error.sqlState == "23503" {
            throw StoreError.notFound(parent)
        }
    }
}
