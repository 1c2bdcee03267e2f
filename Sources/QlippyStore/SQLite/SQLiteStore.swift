import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode, in the original backend's layout.
///
/// Reads run concurrently on GRDB's pool of readers and never wait for writers; every write goes
/// through one ``GroupCommitWriter``, which batches concurrent writes into one durable commit,
/// so writers never see "database is locked" inside this process.
public final class SQLiteStore: ChatStore {
    private let database: AppDatabase
    private let writer: GroupCommitWriter

    public init(database: AppDatabase) {
        self.database = database
        self.writer = GroupCommitWriter(pool: database.pool)
    }

    public var description: String {
        "SQLite \(database.path) (schema version \(database.schemaVersion))"
    }

    private var pool: DatabasePool { database.pool }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// Checkpoints the WAL into the main file and truncates it, then closes every connection.
    ///
    /// GRDB's readers are read-only connections; when one of them is the last to close, SQLite
    /// cannot fold the WAL back in. Truncating first leaves a file that needs no recovery.
    public func close() async throws {
        try await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try pool.close()
    }

    // MARK: Users

    public func createUser(username: String) async throws -> User {
        let id = Self.newID()
        do {
            return try await writer.write { db in
                let now = Timestamp.now()
                try db.execute(
                    sql: "INSERT INTO users (id, username, created_at) VALUES (?, ?, ?)",
                    arguments: [id, username, now.storageText]
                )
                return User(id: id, username: username, createdAt: now, conversationCount: 0)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError.usernameTaken
        }
    }

    public func user(id: String) async throws -> User {
        try await pool.read { db in try Self.fetchUser(db, id: id) }
    }

    // MARK: Conversations

    public func conversations(ofUser userID: String, previewLength: Int) async throws -> [ConversationSummary] {
        try await pool.read { db in
            _ = try Self.fetchUser(db, id: userID)
            let rows = try Row.fetchAll(db, sql: Queries.conversationList, arguments: [previewLength + 1, userID])
            return rows.map { row in
                ConversationSummary(
                    conversation: Conversation(row: row),
                    lastMessagePreview: row.text("preview").map { TextPrefix(of: $0, length: previewLength) }
                )
            }
        }
    }

    public func createConversation(userID: String, title: String, folder: String?) async throws -> Conversation {
        let id = Self.newID()
        return try await writer.write { db in
            _ = try Self.fetchUser(db, id: userID)
            let now = Timestamp.now()
            try db.execute(
                sql: "INSERT INTO conversations (id, title, user_id, folder, last_updated, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, title, userID, folder, now.storageText, now.storageText]
            )
            return Conversation(id: id, title: title, folder: folder, userID: userID, createdAt: now, lastUpdated: now, messageCount: 0)
        }
    }

    public func conversation(id: String) async throws -> ConversationDetail {
        try await pool.read { db in
            let conversation = try Self.fetchConversation(db, id: id)
            let messages = try Row.fetchAll(db, sql: Queries.messagesOfConversation, arguments: [id]).map(Message.init(row:))
            return ConversationDetail(conversation: conversation, messages: messages)
        }
    }

    public func updateConversation(id: String, changes: ConversationChanges) async throws -> Conversation {
        try await writer.write { db in
            _ = try Self.fetchConversation(db, id: id)
            var update = PartialUpdate(table: "conversations")
            update.set("last_updated", Timestamp.now().storageText)
            if let title = changes.title { update.set("title", title) }
            if let folder = changes.folder { update.set("folder", folder) }
            try update.execute(db, id: id)
            return try Self.fetchConversation(db, id: id)
        }
    }

    public func deleteConversation(id: String) async throws {
        try await writer.write { db in
            try db.execute(sql: Queries.deleteMessagesOfConversation, arguments: [id])
            try db.execute(sql: "DELETE FROM conversations WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError.notFound(.conversation) }
        }
    }

    // MARK: Messages

    public func addMessage(conversationID: String, role: String, content: String) async throws -> Message {
        let id = Self.newID()
        return try await writer.write { db in
            _ = try Self.fetchConversation(db, id: conversationID)
            let now = Timestamp.now()
            try db.execute(
                sql: "INSERT INTO messages (id, conversation_id, role, content, timestamp) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, conversationID, role, content, now.storageText]
            )
            try db.execute(
                sql: "UPDATE conversations SET last_updated = ? WHERE id = ?", arguments: [now.storageText, conversationID]
            )
            return Message(id: id, conversationID: conversationID, role: role, content: content, timestamp: now)
        }
    }

    public func updateMessage(id: String, content: String?) async throws -> Message {
        try await writer.write { db in
            if let content {
                try db.execute(sql: "UPDATE messages SET content = ? WHERE id = ?", arguments: [content, id])
            }
            guard let row = try Row.fetchOne(db, sql: Queries.message, arguments: [id]) else {
                throw StoreError.notFound(.message)
            }
            return Message(row: row)
        }
    }

    public func deleteMessage(id: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM messages WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError.notFound(.message) }
        }
    }

    // MARK: Plugins

    public func plugins(ofUser userID: String) async throws -> [Plugin] {
        try await pool.read { db in
            _ = try Self.fetchUser(db, id: userID)
            return try Row.fetchAll(db, sql: Queries.pluginsOfUser, arguments: [userID]).map(Plugin.init(row:))
        }
    }

    public func createPlugin(userID: String, plugin: NewPlugin) async throws -> Plugin {
        let id = Self.newID()
        return try await writer.write { db in
            _ = try Self.fetchUser(db, id: userID)
            let now = Timestamp.now()
            try db.execute(
                sql: "INSERT INTO plugins (id, user_id, name, description, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, userID, plugin.name, plugin.description, plugin.enabled, now.storageText]
            )
            return Plugin(
                id: id, userID: userID, name: plugin.name, description: plugin.description, enabled: plugin.enabled, createdAt: now
            )
        }
    }

    public func updatePlugin(id: String, changes: PluginChanges) async throws -> Plugin {
        try await writer.write { db in
            var update = PartialUpdate(table: "plugins")
            if let name = changes.name { update.set("name", name) }
            if let description = changes.description { update.set("description", description) }
            if let enabled = changes.enabled { update.set("enabled", enabled) }
            try update.execute(db, id: id)
            guard let row = try Row.fetchOne(db, sql: Queries.plugin, arguments: [id]) else {
                throw StoreError.notFound(.plugin)
            }
            return Plugin(row: row)
        }
    }

    public func deletePlugin(id: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM plugins WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError.notFound(.plugin) }
        }
    }

    // MARK: Shared lookups

    private static func fetchUser(_ db: Database, id: String) throws -> User {
        guard let row = try Row.fetchOne(db, sql: Queries.user, arguments: [id]) else { throw StoreError.notFound(.user) }
        return User(row: row)
    }

    private static func fetchConversation(_ db: Database, id: String) throws -> Conversation {
        guard let row = try Row.fetchOne(db, sql: Queries.conversation, arguments: [id]) else { throw StoreError.notFound(.conversation) }
        return Conversation(row: row)
    }

    private static func newID() -> String {
        UUID().uuidString.lowercased()
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

    mutating func set(_ column: String, _ value: (any DatabaseValueConvertible)?) {
        assignments.append("\(column) = ?")
        _ = arguments.append(contentsOf: [value])
    }

    /// Runs the update on row `id`; does nothing when no column was set.
    func execute(_ db: Database, id: String) throws {
        guard !assignments.isEmpty else { return }
        try db.execute(
            sql: "UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE id = ?",
            arguments: arguments + [id]
        )
    }
}
