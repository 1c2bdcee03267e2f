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
        let query: PostgresQuery
        switch change.entity {
        case .conversation:
            query =
                "SELECT \(unescaped: PostgresRows.conversation), \(unescaped: PostgresRows.storedCurrent) FROM conversations c WHERE c.id = \(id)"
        case .message:
            query =
                "SELECT \(unescaped: PostgresRows.messageWithDetails) FROM messages m \(unescaped: PostgresRows.detailsJoin) WHERE m.id = \(id)"
        case .plugin: query = "SELECT \(unescaped: PostgresRows.plugin) FROM plugins p WHERE p.id = \(id)"
        case .user, .folder, .apiKey, nil: return nil
        }
        return try await snapshot(deadline: deadline) { connection in
            for try await row in try await connection.query(query, logger: self.logger) {
                switch change.entity {
                case .conversation:
                    let (a, b, c, d, e, f, g, current) = try row.decode(
                        (String, String, String?, String, Int64?, Int64?, Int64, String?).self)
                    var conversation = PostgresRows.conversation((a, b, c, d, e, f, g))
                    conversation.currentMessageID = current
                    return .conversation(conversation)
                case .message:
                    let message = PostgresRows.message(try row.decode(PostgresRows.MessageWithDetailsRow.self))
                    return .message(try await self.attachingParent(to: message, connection))
                default: return .plugin(PostgresRows.plugin(try row.decode(PostgresRows.PluginRow.self)))
                }
            }
            return nil
        }
    }
}
