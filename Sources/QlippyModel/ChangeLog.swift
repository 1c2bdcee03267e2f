/// One stored row of any kind: what a ``Creation`` made, or what a ``Change`` names now.
public enum Resource: Sendable {
    case user(User)
    case conversation(Conversation)
    case message(Message)
    case plugin(Plugin)
}

/// One change to a user's conversations, messages or plugins, as the change log keeps it: written
/// by the database in the change's own transaction, numbered in commit order per store.
public struct Change: Sendable, Hashable {
    /// Increasing: a later change has a larger sequence.
    public var sequence: Int64
    public var userID: String
    /// `conversation.created`, `message.updated`, `plugin.deleted`, …
    public var kind: String
    public var resourceID: String

    public init(sequence: Int64, userID: String, kind: String, resourceID: String) {
        self.sequence = sequence
        self.userID = userID
        self.kind = kind
        self.resourceID = resourceID
    }

    /// The kind of row it names, from the part of `kind` before the dot.
    public var entity: Entity? {
        kind.split(separator: ".").first.flatMap { Entity(rawValue: String($0)) }
    }

    public var isDeletion: Bool { kind.hasSuffix(".deleted") }
}

/// What the change log holds: its newest sequence (0 when nothing was ever logged) and its oldest
/// kept one (`nil` when empty). Changes before `oldest` were dropped (QlippyStore's
/// `ChangeLogReader.pruneChanges(olderThan:)`).
public struct ChangeLogBounds: Sendable, Hashable {
    public var oldest: Int64?
    public var newest: Int64

    public init(oldest: Int64?, newest: Int64) {
        self.oldest = oldest
        self.newest = newest
    }
}
