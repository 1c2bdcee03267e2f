import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    public func create(_ creation: Creation, key: String, reply: @escaping @Sendable (Resource) -> StoredReply) async throws
        -> IdempotentOutcome
    {
        // A repeat sent while the first is being written (by this server or another) waits on
        // the key's unique index, finds it taken when the first commits, and is rolled back;
        // run again, it finds the first's reply.
        do {
            return try await keyedCreate(creation, key: key, reply: reply)
        } catch is KeyTakenMeanwhile {
            return try await keyedCreate(creation, key: key, reply: reply)
        }
    }

    private struct KeyTakenMeanwhile: Error {}

    private func keyedCreate(_ creation: Creation, key: String, reply: @escaping @Sendable (Resource) -> StoredReply) async throws
        -> IdempotentOutcome
    {
        let keyed = KeyedCreate(creation, key: key, reply: reply)
        return try await transaction(deadline: deadline) { connection in
            let scope = try await self.scope(keyed.scope, connection)
            if let answer = keyed.earlierAnswer(
                try await self.keptReply(scope: scope, key: key, fingerprint: keyed.fingerprint, connection))
            {
                return answer
            }
            let (outcome, kept) = keyed.outcome(of: try await self.perform(creation, connection))
            guard try await self.keep(kept, scope: scope, key: key, fingerprint: keyed.fingerprint, connection) else {
                throw KeyTakenMeanwhile()
            }
            return outcome
        }
    }

    public func keptReply(scope: String, key: String, fingerprint: String) async throws -> KeptReply {
        try await run { connection in try await self.keptReply(scope: scope, key: key, fingerprint: fingerprint, connection) }
    }

    public func keepReply(_ reply: StoredReply, scope: String, key: String, fingerprint: String) async throws {
        try await transaction(deadline: deadline) { connection in
            _ = try await self.keep(reply, scope: scope, key: key, fingerprint: fingerprint, connection)
        }
    }

    private func keptReply(scope: String, key: String, fingerprint: String, _ connection: PostgresConnection) async throws -> KeptReply {
        let cutoff = IdempotencyKeys.cutoff(.now()).storageText
        let kept = try await connection.query(
            """
            SELECT fingerprint, status, body FROM idempotency_keys
            WHERE scope = \(scope) AND key = \(key) AND created_at >= \(cutoff)::timestamp
            """, logger: logger
        )
        for try await (keptFingerprint, code, body) in kept.decode((String, Int, ByteBuffer).self) {
            return keptFingerprint == fingerprint ? .replay(StoredReply(code: code, body: Array(buffer: body))) : .keyReused
        }
        return .none
    }

    /// Drops expired keys (their rows would hold the primary key), then keeps this one; false
    /// when a request kept it first.
    private func keep(_ reply: StoredReply, scope: String, key: String, fingerprint: String, _ connection: PostgresConnection) async throws
        -> Bool
    {
        let cutoff = IdempotencyKeys.cutoff(.now()).storageText
        try await connection.query("DELETE FROM idempotency_keys WHERE created_at < \(cutoff)::timestamp", logger: logger)
        let inserted = try await connection.query(
            """
            INSERT INTO idempotency_keys (scope, key, fingerprint, status, body, created_at)
            VALUES (\(scope), \(key), \(fingerprint), \(reply.code), \(ByteBuffer(bytes: reply.body)), now() AT TIME ZONE 'UTC')
            ON CONFLICT (scope, key) DO NOTHING RETURNING 1
            """, logger: logger
        )
        return try await inserted.decode(Int.self).contains(where: { _ in true })
    }

    private func scope(_ scope: KeyedCreate.Scope, _ connection: PostgresConnection) async throws -> String {
        switch scope {
        case .known(let scope): scope
        case .ownerOf(let conversationID):
            try await one("SELECT user_id FROM conversations WHERE id = \(conversationID)", on: connection, missing: .conversation) {
                try $0.decode(String.self)
            }
        }
    }

    private func perform(_ creation: Creation, _ connection: PostgresConnection) async throws -> Resource {
        switch creation {
        case .user(let username): .user(try await insertUser(username: username, connection))
        case .conversation(let userID, let title, let folder, let expiry):
            .conversation(try await insertConversation(userID: userID, title: title, folder: folder, expiry: expiry, connection))
        case .message(let conversationID, let role, let content, let details, let parent):
            .message(
                try await insertMessage(
                    conversationID: conversationID, role: role, content: content, details: details, parent: parent, connection))
        case .plugin(let userID, let plugin): .plugin(try await insertPlugin(userID: userID, plugin: plugin, connection))
        }
    }
}
