import QlippyModel

/// The durable log of changes that the database writes in each change's own transaction.
public protocol ChangeLogReader: Sendable {
    /// Up to `limit` changes after sequence `after`, oldest first; only `userID`'s when given.
    func changes(after: Int64, ofUser userID: String?, limit: Int) async throws -> [Change]
    func changeLogBounds() async throws -> ChangeLogBounds
    /// Drops the changes logged before `cutoff`.
    func pruneChanges(olderThan cutoff: Timestamp) async throws
    /// The row a change names as it is now; `nil` when it is gone.
    func resource(of change: Change) async throws -> Resource?
}
