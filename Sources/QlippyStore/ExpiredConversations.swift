import QlippyModel

/// Deleting what has expired (``ConversationMarks/expiresAt``), and what a retention policy
/// lets go: the server's sweep calls this in batches, so that no transaction holds the writers
/// long. On PostgreSQL several servers sweep at once, each taking rows no other has locked.
public protocol ExpiredConversations: Sendable {
    /// Deletes up to `limit` conversations, with their messages, whose expiry has passed, or whose
    /// `last_updated` is before `untouchedBefore` when given; each is a `conversation.deleted`
    /// event. Returns how many it deleted: fewer than `limit` when none is left.
    func deleteExpired(untouchedBefore: Timestamp?, limit: Int) async throws -> Int
}
