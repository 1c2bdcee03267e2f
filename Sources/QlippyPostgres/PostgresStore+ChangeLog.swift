import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    public func changes(after: Int64, ofUser userID: String?, limit: Int) async throws -> [Change] {
        try await run { connection in
            let rows = try await connection.query(
                """
                SELECT seq, user_id, kind, resource_id FROM change_log
                WHERE seq > \(after) AND (\(userID)::text IS NULL OR user_id = \(userID)) ORDER BY seq LIMIT \(limit)
                """, logger: self.logger
            )
            var changes: [Change] = []
            for try await (sequence, owner, kind, resourceID) in rows.decode((Int64, String, String, String).self) {
                changes.append(Change(sequence: sequence, userID: owner, kind: kind, resourceID: resourceID))
            }
            return changes
        }
    }

    public func changeLogBounds() async throws -> ChangeLogBounds {
        try await run { connection in
            // The identity's last value: the newest sequence ever given, also after the rows went.
            let rows = try await connection.query(
                """
                SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('change_log', 'seq')), 0), (SELECT min(seq) FROM change_log)
                """, logger: self.logger
            )
            for try await (newest, oldest) in rows.decode((Int64, Int64?).self) {
                return ChangeLogBounds(oldest: oldest, newest: newest)
            }
            return ChangeLogBounds(oldest: nil, newest: 0)
        }
    }

    public func pruneChanges(olderThan cutoff: Timestamp) async throws {
        try await run { connection in
            try await connection.query("DELETE FROM change_log WHERE created_at < \(cutoff.storageText)::timestamp", logger: self.logger)
        }
    }

    public func resource(of change: Change) async throws -> Resource? {
        let id = change.resourceID
        switch change.entity {
        case .conversation:
            return try await run { connection -> Resource? in
                do {
                    return .conversation(try await self.conversationWithCurrent(id, connection))
                } catch StoreError.notFound {
                    return nil
                }
            }
        case .message:
            return try await snapshot(deadline: deadline) { connection -> Resource? in
                var found: Message?
                let rows = try await connection.query(
                    "SELECT \(unescaped: PostgresRows.messageWithDetails) FROM messages m \(unescaped: PostgresRows.detailsJoin) WHERE m.id = \(id)",
                    logger: self.logger)
                for try await row in rows.decode(PostgresRows.MessageWithDetailsRow.self) { found = PostgresRows.message(row) }
                guard let found else { return nil }
                return .message(try await self.attachingParent(to: found, connection))
            }
        case .plugin:
            return try await run { connection -> Resource? in
                let rows = try await connection.query(
                    "SELECT \(unescaped: PostgresRows.plugin) FROM plugins p WHERE p.id = \(id)", logger: self.logger)
                for try await row in rows.decode(PostgresRows.PluginRow.self) { return .plugin(PostgresRows.plugin(row)) }
                return nil
            }
        case .user, .folder, .tag, .share, .apiKey, nil: return nil
        }
    }
}
