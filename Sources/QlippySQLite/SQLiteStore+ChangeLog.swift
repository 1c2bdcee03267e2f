import QlippyModel
import QlippyStore

extension SQLiteStore {
    public func changes(after: Int64, ofUser userID: String?, limit: Int) async throws -> [Change] {
        let (sql, arguments) =
            switch userID {
            case nil: (Queries.changes, [String(after), String(limit)])
            case let userID?: (Queries.changesOfUser, [userID, String(after), String(limit)])
            }
        return try readers.read { connection in
            try connection.fetchAll(sql, arguments) { row in
                Change(sequence: row.int64(0), userID: row.text(1) ?? "", kind: row.text(2) ?? "", resourceID: row.text(3) ?? "")
            }
        }
    }

    public func changeLogBounds() async throws -> ChangeLogBounds {
        try readers.read { connection in
            // AUTOINCREMENT's counter: the newest sequence ever given, also after the rows went.
            let newest = try connection.fetchOne("SELECT seq FROM sqlite_sequence WHERE name = 'change_log'", []) { $0.int64(0) } ?? 0
            let oldest = try connection.fetchOne("SELECT min(seq) FROM change_log", []) { $0.isNull(0) ? nil : $0.int64(0) } ?? nil
            return ChangeLogBounds(oldest: oldest, newest: newest)
        }
    }

    public func pruneChanges(olderThan cutoff: Timestamp) async throws {
        try await writer.write(journal: .onDisk) { db in
            try Self.execute(db, "DELETE FROM change_log WHERE created_at < ?", [cutoff.storageText])
        }
    }

    public func resource(of change: Change) async throws -> Resource? {
        try readers.read { connection in
            switch change.entity {
            case .conversation:
                try connection.fetchOne(Queries.conversation, [change.resourceID], Conversation.init) == nil
                    ? nil : .conversation(try connection.fetchConversation(id: change.resourceID))
            case .message: try connection.fetchMessage(id: change.resourceID).map(Resource.message)
            case .plugin: try connection.fetchOne(Queries.plugin, [change.resourceID], Plugin.init).map(Resource.plugin)
            case .user, .folder, .tag, .share, .apiKey, nil: nil
            }
        }
    }
}
