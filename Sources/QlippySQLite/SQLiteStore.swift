import Foundation
import GRDB
import QlippyModel
import QlippyStore

/// The embedded store: one SQLite file in WAL mode, in the original backend's layout.
///
/// Reads run concurrently on the calling threads (``ReadConnectionPool``) and never wait for
/// writers; every write goes through one ``GroupCommitWriter``, which batches concurrent writes into
/// one durable commit, so writers never see "database is locked" inside this process.
public final class SQLiteStore: ChatStore, StoreBackups {
    private let database: AppDatabase
    let readers: ReadConnectionPool
    let writer: GroupCommitWriter
    private let checkpointer: WALCheckpointer
    /// Users with at most this many messages are searched by scanning them unless the index holds
    /// at most as many hits as they have messages and no role or date filter is set
    /// (``SearchScan``, ``search(userID:query:previewLength:)``).
    let searchScanLimit: Int

    public init(database: AppDatabase, searchScanLimit: Int = SearchScan.defaultLimit, metrics: StoreMetrics = .none) {
        self.database = database
        self.searchScanLimit = searchScanLimit
        self.readers = ReadConnectionPool(path: database.path)
        self.writer = GroupCommitWriter(pool: database.pool, metrics: metrics)
        self.checkpointer = WALCheckpointer(path: database.path, pool: database.pool)
    }

    public var description: String {
        "SQLite \(database.path) (schema version \(database.schemaVersion))"
    }

    private var pool: DatabasePool { database.pool }

    /// One statement, as cheap as `SELECT 1`: the health check runs it on every call.
    public func ping() async throws -> StoreStatus {
        let behind = try readers.read { connection in try connection.fetchOne(SearchIndexSQL.behind, []) { $0.int(0) } }
        return StoreStatus(searchIndexBehind: behind ?? 0)
    }

    /// Stops the background checkpoints, checkpoints the WAL into the main file and truncates it,
    /// then closes every connection.
    ///
    /// The readers are read-only connections; when one of them is the last to close, SQLite
    /// cannot fold the WAL back in. Truncating first leaves a file that needs no recovery. A
    /// checkpoint of another process on the file (a server beside a command, or a second server)
    /// makes SQLite answer busy at once, without waiting: the truncation is tried again for up to
    /// a second, then left to whoever holds the file, since every commit is in the WAL already.
    public func close() async throws {
        checkpointer.stop()
        readers.close()
        let giveUp = ContinuousClock.now + .seconds(1)
        while true {
            do {
                _ = try await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
                break
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                guard ContinuousClock.now < giveUp else { break }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        try pool.close()
    }

    public func backup(to destination: String) async throws -> IntegrityReport {
        try await SQLiteMaintenance.backup(path: database.path, to: destination)
    }

    // MARK: Users

    public func createUser(username: String) async throws -> User {
        try await Self.mappingTakenUsername { try await writer.write { db in try Self.insertUser(username: username, db) } }
    }

    static func insertUser(username: String, _ db: Database) throws -> User {
        let id = newID()
        let now = Timestamp.now()
        try execute(
            db, "INSERT INTO users (id, username, created_at) VALUES (?, CAST(? AS TEXT), ?)", [id, text(username), now.storageText])
        return User(id: id, username: username, createdAt: now, conversationCount: 0)
    }

    /// A write that inserts a user: the username's unique index refusing it means "taken".
    static func mappingTakenUsername<Value>(_ write: () async throws -> Value) async throws -> Value {
        do {
            return try await write()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError.usernameTaken
        }
    }

    public func user(id: String) async throws -> User {
        try readers.read { connection in try connection.fetchUser(id: id) }
    }

    public func user(username: String) async throws -> User {
        try readers.read { connection in
            guard let user = try connection.fetchOne(Queries.userByName, [username], User.init) else { throw StoreError.notFound(.user) }
            return user
        }
    }

    // MARK: Conversations

    public func conversations(ofUser userID: String, filter: ConversationFilter, previewLength: Int) async throws -> [ConversationSummary] {
        let previewLength = PreviewLength.served(previewLength)
        let filter = ConversationFilterSQL(filter, userID: userID)
        return try snapshot { connection in
            try connection.requireUser(id: userID)
            return try connection.fetchAll(Queries.conversationList(filter), [userID] + filter.arguments) {
                ConversationSummary($0, previewLength: previewLength)
            }
        }
    }

    public func createConversation(userID: String, title: String, folder: String?, expiry: ConversationExpiry) async throws
        -> Conversation
    {
        try await writer.write { db in try Self.insertConversation(userID: userID, title: title, folder: folder, expiry: expiry, db) }
    }

    static func insertConversation(userID: String, title: String, folder: String?, expiry: ConversationExpiry, _ db: Database) throws
        -> Conversation
    {
        try db.requireUser(id: userID)
        let id = newID()
        let now = Timestamp.now()
        try execute(
            db,
            "INSERT INTO conversations (id, title, user_id, folder, last_updated, created_at) VALUES (?, CAST(? AS TEXT), ?, CAST(? AS TEXT), ?, ?)",
            [id, text(title), userID, text(folder), now.storageText, now.storageText]
        )
        let marks = ConversationMarks(expiresAt: expiry.expiresAt(madeAt: now))
        if !marks.isNone { try storeMarks(marks, ofConversation: id, userID: userID, db) }
        return Conversation(
            id: id, title: title, folder: folder, userID: userID, createdAt: now, lastUpdated: now, messageCount: 0, marks: marks)
    }

    public func conversation(id: String, branches: BranchSelection) async throws -> ConversationDetail {
        try snapshot { connection in try connection.conversationDetail(try connection.fetchConversation(id: id), branches: branches) }
    }

    public func updateConversation(id: String, changes: ConversationChanges) async throws -> Conversation {
        try await writer.write { db in
            let conversation = try db.fetchConversation(id: id)
            if changes.editsFields || (changes.currentMessageID == nil && !changes.organizes) {
                var update = PartialUpdate(table: "conversations")
                update.set("last_updated", Timestamp.now().storageText)
                if let title = changes.title { update.set("title", Self.text(title), cast: true) }
                if let folder = changes.folder { update.set("folder", Self.text(folder), cast: true) }
                try update.execute(db, id: id)
            }
            var switched = false
            if let target = changes.currentMessageID {
                let tree = try db.fetchTree(ofConversation: id, storedCurrent: conversation.currentMessageID)
                let switching = try tree.switching(to: target)
                try Self.apply(switching, toConversation: id, db)
                switched = switching.current != .unchanged
            }
            let marks = changes.applied(to: conversation.marks)
            if marks != conversation.marks { try Self.storeMarks(marks, ofConversation: id, userID: conversation.userID, db) }
            // The title's and folder's trigger logs an edit of them; a switch or marks alone are
            // logged here, marks whenever they are sent (as PostgreSQL's trigger does).
            if switched || changes.organizes, !changes.editsFields {
                try Self.logChange("conversation.updated", id, ofConversation: id, db)
            }
            return try db.fetchConversation(id: id)
        }
    }

    public func deleteConversation(id: String) async throws {
        try await writer.write(journal: .onDisk) { db in
            guard try Self.deleteConversation(id, db) else { throw StoreError.notFound(.conversation) }
        }
    }

    /// Deletes a conversation and its messages; whether it was there. The conversation first, so
    /// that its messages' deletes find no owner to log them for (its own event says they went);
    /// the messages' foreign key is checked at commit.
    @discardableResult
    static func deleteConversation(_ id: String, _ db: Database) throws -> Bool {
        try execute(db, "PRAGMA defer_foreign_keys = ON", [])
        try execute(db, "DELETE FROM conversations WHERE id = ?", [id])
        guard db.changesCount > 0 else { return false }
        try execute(db, Queries.deleteMessagesOfConversation, [id])
        return true
    }

    // MARK: Messages

    public func addMessage(
        conversationID: String, role: String, content: String, details: MessageDetails, parent: NewMessageParent
    ) async throws -> Message {
        try await writer.write { db in
            try Self.insertMessage(conversationID: conversationID, role: role, content: content, details: details, parent: parent, db)
        }
    }

    static func insertMessage(
        conversationID: String, role: String, content: String, details: MessageDetails, parent: NewMessageParent, _ db: Database
    ) throws -> Message {
        let conversation = try db.fetchConversation(id: conversationID)
        let id = newID()
        let last = try db.fetchOne(Queries.lastMessageOfConversation, [conversationID]) { $0.text(0) } ?? nil
        let placed = try ConversationTree.adding(
            id, under: parent, current: conversation.currentMessageID ?? last, last: last, isBranched: conversation.currentMessageID != nil,
            parentExists: try parent.named.map { try db.fetchOne(Queries.messageInConversation, [$0, conversationID]) { _ in () } != nil }
                ?? false)
        let now = Timestamp.now()
        try execute(
            db, "INSERT INTO messages (id, conversation_id, role, content, timestamp) VALUES (?, ?, ?, CAST(? AS TEXT), ?)",
            [id, conversationID, role, text(content), now.storageText]
        )
        try execute(db, "UPDATE conversations SET last_updated = ? WHERE id = ?", [now.storageText, conversationID])
        if !details.isEmpty { try storeDetails(details, ofMessage: id, inConversation: conversationID, db) }
        try apply(placed, toConversation: conversationID, db)
        return Message(
            id: id, conversationID: conversationID, role: role, content: content, timestamp: now, details: details,
            parent: placed.current == .unchanged ? nil : MessageParent(row: placed.parentRows[id] ?? last))
    }

    public func updateMessage(id: String, content: String?, details changes: MessageDetailChanges) async throws -> Message {
        try await writer.write { db in
            if let content {
                try Self.execute(db, "UPDATE messages SET content = CAST(? AS TEXT) WHERE id = ?", [Self.text(content), id])
            }
            guard var message = try db.fetchMessage(id: id) else { throw StoreError.notFound(.message) }
            if !changes.isEmpty {
                message.details = message.details.applying(changes)
                try Self.storeDetails(message.details, ofMessage: id, inConversation: message.conversationID, db)
                // The content's trigger logs an edit of the content; an edit of the details alone is logged here.
                if content == nil { try Self.logChange("message.updated", id, ofConversation: message.conversationID, db) }
            }
            return message
        }
    }

    /// Writes a message's details row (with its message's user and day, read from the rows in the
    /// same transaction), or deletes it when the details are empty. An update, not a replace: the
    /// usage totals' triggers see the old row go.
    static func storeDetails(_ details: MessageDetails, ofMessage id: String, inConversation conversationID: String, _ db: Database) throws
    {
        guard !details.isEmpty else {
            try execute(db, "DELETE FROM message_details WHERE conversation_id = ? AND message_id = ?", [conversationID, id])
            return
        }
        try execute(
            db,
            """
            INSERT INTO message_details
                (conversation_id, message_id, user_id, day, model, input_tokens, output_tokens, finish_reason, metadata)
            SELECT m.conversation_id, m.id, c.user_id, coalesce(substr(m.timestamp, 1, 10), ''),
                CAST(? AS TEXT), ?, ?, CAST(? AS TEXT), CAST(? AS TEXT)
            FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ? AND m.conversation_id = ?
            ON CONFLICT (conversation_id, message_id) DO UPDATE SET model = excluded.model, input_tokens = excluded.input_tokens,
                output_tokens = excluded.output_tokens, finish_reason = excluded.finish_reason, metadata = excluded.metadata
            """,
            [
                text(details.model), details.usage?.inputTokens, details.usage?.outputTokens, text(details.finishReason),
                text(details.metadataJSON), id, conversationID,
            ])
    }

    public func deleteMessage(id: String, withReplies: Bool) async throws {
        try await writer.write { db in
            guard let conversationID = try db.fetchOne(Queries.message, [id], { $0.text(1) }) ?? nil else {
                throw StoreError.notFound(.message)
            }
            let stored = try db.storedCurrentMessage(ofConversation: conversationID)
            guard stored != nil || withReplies else {
                try Self.execute(db, "DELETE FROM messages WHERE id = ?", [id])
                return
            }
            let changes = try db.fetchTree(ofConversation: conversationID, storedCurrent: stored).deleting(id, withReplies: withReplies)
            try Self.apply(changes, toConversation: conversationID, db)
            for child in changes.moved {
                try Self.logChange("message.updated", child, ofConversation: conversationID, db)
            }
            if changes.current != .unchanged {
                try Self.logChange("conversation.updated", conversationID, ofConversation: conversationID, db)
            }
        }
    }

    // MARK: Plugins

    public func plugins(ofUser userID: String) async throws -> [Plugin] {
        try snapshot { connection in
            try connection.requireUser(id: userID)
            return try connection.fetchAll(Queries.pluginsOfUser, [userID], Plugin.init)
        }
    }

    public func createPlugin(userID: String, plugin: NewPlugin) async throws -> Plugin {
        try await writer.write { db in try Self.insertPlugin(userID: userID, plugin: plugin, db) }
    }

    static func insertPlugin(userID: String, plugin: NewPlugin, _ db: Database) throws -> Plugin {
        try db.requireUser(id: userID)
        let id = newID()
        let now = Timestamp.now()
        try execute(
            db,
            "INSERT INTO plugins (id, user_id, name, description, enabled, created_at) VALUES (?, ?, CAST(? AS TEXT), CAST(? AS TEXT), ?, ?)",
            [id, userID, text(plugin.name), text(plugin.description), plugin.enabled, now.storageText]
        )
        return Plugin(id: id, userID: userID, name: plugin.name, description: plugin.description, enabled: plugin.enabled, createdAt: now)
    }

    public func updatePlugin(id: String, changes: PluginChanges) async throws -> Plugin {
        try await writer.write { db in
            var update = PartialUpdate(table: "plugins")
            if let name = changes.name { update.set("name", Self.text(name), cast: true) }
            if let description = changes.description { update.set("description", Self.text(description), cast: true) }
            if let enabled = changes.enabled { update.set("enabled", enabled) }
            try update.execute(db, id: id)
            guard let plugin = try db.fetchOne(Queries.plugin, [id], Plugin.init) else {
                throw StoreError.notFound(.plugin)
            }
            return plugin
        }
    }

    public func deletePlugin(id: String) async throws {
        try await writer.write { db in
            try Self.execute(db, "DELETE FROM plugins WHERE id = ?", [id])
            guard db.changesCount > 0 else { throw StoreError.notFound(.plugin) }
        }
    }

    // MARK: Shared lookups

    /// Several statements on one read connection, seeing one snapshot of the file.
    func snapshot<Value>(_ body: (ReadConnection) throws -> Value) throws -> Value {
        try readers.read { connection in try connection.snapshot { try body(connection) } }
    }

    /// Runs a write statement from the connection's statement cache: preparing one (with its
    /// triggers, and GRDB's authorizer) cost more than running it.
    static func execute(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// User text as an argument for `CAST(? AS TEXT)`: its UTF-8 bytes with their length.
    ///
    /// GRDB binds a `String` as a C string, which would store text containing U+0000 cut at that
    /// character (a lost message). Bytes bound as a blob and cast back to text keep every
    /// character and are stored as TEXT, as the original backend stored them.
    static func text(_ value: String?) -> Data? {
        value.map { Data($0.utf8) }
    }
}

/// `UPDATE table SET …` for only the columns a partial update names.
private struct PartialUpdate {
    let table: String
    private var assignments: [String] = []
    private var arguments = StatementArguments()

    init(table: String) {
        self.table = table
    }

    /// `cast`: the value is text passed as bytes (see `SQLiteStore.text`).
    mutating func set(_ column: String, _ value: (any DatabaseValueConvertible)?, cast: Bool = false) {
        assignments.append(cast ? "\(column) = CAST(? AS TEXT)" : "\(column) = ?")
        _ = arguments.append(contentsOf: [value])
    }

    /// Runs the update on row `id`; does nothing when no column was set.
    func execute(_ db: Database, id: String) throws {
        guard !assignments.isEmpty else { return }
        let sql = "UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE id = ?"
        try db.cachedStatement(sql: sql).execute(arguments: arguments + [id])
    }
}
