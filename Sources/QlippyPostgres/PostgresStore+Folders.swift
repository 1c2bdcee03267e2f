import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    public func folders(ofUser userID: String) async throws -> [Folder] {
        try await run { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: PostgresRows.folder) FROM conversations c
                WHERE c.user_id = \(userID) AND c.folder IS NOT NULL AND c.folder <> '' GROUP BY c.folder
                """, logger: self.logger
            )
            var folders: [Folder] = []
            for try await row in rows.decode(PostgresRows.FolderRow.self) {
                folders.append(PostgresRows.folder(row))
            }
            if folders.isEmpty { try await self.requireUser(userID, connection) }
            return Folder.sorted(folders)
        }
    }

    public func renameFolder(userID: String, name: String, to newName: String) async throws -> Folder {
        try await run { connection in
            try await self.moveFolder(userID: userID, name: name, to: newName, connection)
            let query: PostgresQuery = """
                SELECT \(unescaped: PostgresRows.folder) FROM conversations c
                WHERE c.user_id = \(userID) AND c.folder = \(newName) GROUP BY c.folder
                """
            return try await self.one(query, on: connection, missing: .folder) {
                PostgresRows.folder(try $0.decode(PostgresRows.FolderRow.self))
            }
        }
    }

    public func deleteFolder(userID: String, name: String) async throws {
        try await run { connection in try await self.moveFolder(userID: userID, name: name, to: nil, connection) }
    }

    /// Sets `folder` to `destination` on every conversation of the user's folder `name`, in one
    /// statement; "not found" (the user's, else the folder's) when it has none.
    private func moveFolder(userID: String, name: String, to destination: String?, _ connection: PostgresConnection) async throws {
        let moved = try await connection.query(
            "UPDATE conversations SET folder = \(destination) WHERE user_id = \(userID) AND folder = \(name) RETURNING 1", logger: logger
        )
        var count = 0
        for try await _ in moved { count += 1 }
        guard count > 0 else {
            try await requireUser(userID, connection)
            throw StoreError.notFound(.folder)
        }
    }
}
