import QlippyModel

/// Creates and other requests that a client may send again under an idempotency key.
public protocol IdempotentCreates: Sendable {
    /// Runs `creation` unless `key` was used for it before (``IdempotentOutcome``), and keeps
    /// `reply(created)` under the key in the creation's own transaction: a crash after the commit
    /// leaves the reply to replay, never a row without one. Keys are per user (a message's: its
    /// conversation's user), kept ``IdempotencyKeys/lifetime``.
    func create(_ creation: Creation, key: String, reply: @escaping @Sendable (Resource) -> StoredReply) async throws -> IdempotentOutcome
    /// What `key` holds in `scope` for a request whose fingerprint is `fingerprint`, for keyed
    /// requests that are not one create: an import writes in many transactions and a backup in
    /// none, so their reply is kept after the work with ``keepReply(_:scope:key:fingerprint:)``.
    /// A scope is a user's id, or a name of the caller's that no id can be.
    func keptReply(scope: String, key: String, fingerprint: String) async throws -> KeptReply
    /// Keeps `reply` under the key for ``IdempotencyKeys/lifetime``; when another request kept
    /// one first (on another server, say), that one stays.
    func keepReply(_ reply: StoredReply, scope: String, key: String, fingerprint: String) async throws
}
