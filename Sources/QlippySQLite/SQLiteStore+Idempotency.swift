import Foundation
import GRDB
import QlippyModel
import QlippyStore

extension SQLiteStore {
    public func create(_ creation: Creation, key: String, reply: @escaping @Sendable (Resource) -> StoredReply) async throws
        -> IdempotentOutcome
    {
        let keyed = KeyedCreate(creation, key: key, reply: reply)
        // One request's savepoint in the writer's batch: the key's reply commits with the row or
        // not at all. Writes are serialized, so a repeat finds the first one's reply.
        return try await Self.mappingTakenUsername {
            try await writer.write { db in
                let scope = try Self.scope(keyed.scope, db)
                if let answer = keyed.earlierAnswer(try Self.keptReply(scope: scope, key: key, fingerprint: keyed.fingerprint, db)) {
                    return answer
                }
                let (outcome, kept) = keyed.outcome(of: try Self.perform(creation, db))
                try Self.keep(kept, scope: scope, key: key, fingerprint: keyed.fingerprint, db)
                return outcome
            }
        }
    }

    public func keptReply(scope: String, key: String, fingerprint: String) async throws -> KeptReply {
        try await writer.write { db in try Self.keptReply(scope: scope, key: key, fingerprint: fingerprint, db) }
    }

    public func keepReply(_ reply: StoredReply, scope: String, key: String, fingerprint: String) async throws {
        try await writer.write { db in try Self.keep(reply, scope: scope, key: key, fingerprint: fingerprint, db) }
    }

    private static func keptReply(scope: String, key: String, fingerprint: String, _ db: Database) throws -> KeptReply {
        let kept = try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT fingerprint, status, body FROM idempotency_keys WHERE scope = ? AND key = ? AND created_at >= ?"),
            arguments: [scope, key, IdempotencyKeys.cutoff(.now()).storageText]
        )
        guard let kept else { return .none }
        return kept[0] as String == fingerprint ? .replay(StoredReply(code: kept[1], body: Array(kept[2] as Data))) : .keyReused
    }

    /// Drops expired keys (their rows would hold the primary key), then keeps this one unless a
    /// request kept it first.
    private static func keep(_ reply: StoredReply, scope: String, key: String, fingerprint: String, _ db: Database) throws {
        try execute(db, "DELETE FROM idempotency_keys WHERE created_at < ?", [IdempotencyKeys.cutoff(.now()).storageText])
        try execute(
            db,
            "INSERT INTO idempotency_keys (scope, key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [scope, key, fingerprint, reply.code, Data(reply.body), Timestamp.now().storageText]
        )
    }

    private static func scope(_ scope: KeyedCreate.Scope, _ db: Database) throws -> String {
        switch scope {
        case .known(let scope): scope
        case .ownerOf(let conversationID): try db.fetchConversation(id: conversationID).userID
        }
    }

    private static func perform(_ creation: Creation, _ db: Database) throws -> Resource {
        switch creation {
        case .user(let username): .user(try insertUser(username: username, db))
        case .conversation(let userID, let title, let folder, let expiry):
            .conversation(try insertConversation(userID: userID, title: title, folder: folder, expiry: expiry, db))
        case .message(let conversationID, let role, let content, let details, let parent):
            .message(try insertMessage(conversationID: conversationID, role: role, content: content, details: details, parent: parent, db))
        case .plugin(let userID, let plugin): .plugin(try insertPlugin(userID: userID, plugin: plugin, db))
        }
    }
}
