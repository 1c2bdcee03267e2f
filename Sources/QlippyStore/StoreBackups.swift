import QlippyModel

/// Consistent copies of a live store, taken while it keeps serving. Only a store that can copy
/// itself conforms (SQLite); a PostgreSQL database is backed up by its own tools (pg_dump).
public protocol StoreBackups: Sendable {
    /// Writes a consistent copy of the store to the file `destination`, then checks the copy.
    func backup(to destination: String) async throws -> IntegrityReport
}
