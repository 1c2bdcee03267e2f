import Foundation
import GRDB

extension SQLiteStore {
    public func create(_ creation: Creation, key: String, reply: @escaping @Sendable (Resource) -> StoredReply) async throws -> IdempotentOutcome {
        let fingerprint = creation.fingerprint
        // One request's savepoint in the writer's batch: the key's reply commits with the row or
        // not at all. Writes are serialized, so a repeat finds the first one's reply.
        return try await Self.mappingTakenUsername {
            try await writer.write { db in
                let cutoff = IdempotencyKeys.cutoff(.now()).storageText
                let scope = try Self.idempotencyScope(of: creation, db)
                let kept = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT fingerprint, status, body FROM idempotency_keys WHERE scope = ? AND key = ? AND created_at >= ?"),
                    arguments: [scope, key, cutoff]
                )
                if let kept {
                    guard kept[0] as String == fingerprint else { return .keyReused }
                    return .replayed(StoredReply(status: kept[1], body: Array(kept[2] as Data)))
                }
                let created = try Self.perform(creation, db)
                let stored = reply(created)
                try Self.execute(db, "DELETE FROM idempotency_keys WHERE created_at < ?", [cutoff])
                try Self.execute(
                    db, "INSERT INTO idempotency_keys (scope, key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [scope, key, fingerprint, stored.status, Data(stored.body), Timestamp.now().storageText]
                )
                return .created(created, stored)
            }
        }
    }

    /// The user a key belongs to: the path's, or the conversation's for a message.
    private static func idempotencyScope(of creation: Creation, _ db: Database) throws -> String {
        switch creation {
        case .user: IdempotencyKeys.usersScope
        case .conversation(let userID, _, _), .plugin(let userID, _): userID
        case .message(let conversationID, _, _): try db.fetchConversation(id: conversationID).userID
        }
    }

    private static func perform(_ creation: Creation, _ db: Database) throws -> Resource {
        switch creation {
        case .user(let username): .user(try insertUser(username: username, db))
        case .conversation(let userID, let title, let folder): .conversation(try insertConversation(userID: userID, title: title, folder: folder, db))
        case .message(let conversationID, let role, let content):
            .message(try insertMessage(conversationID: conversationID, role: role, content: content, db))
        case .plugin(let userID, let plugin): .plugin(try insertPlugin(userID: userID, plugin: plugin, db))
        }
    }
}
