/// A read-only snapshot of a conversation's current branch, as a share link shows it: its title,
/// and each message's role, content, time and model; no user, id or other conversation.
public struct SharedConversation: Sendable, Hashable, Codable {
    public var title: String
    public var messages: [SharedMessage]

    public init(title: String, messages: [SharedMessage]) {
        self.title = title
        self.messages = messages
    }

    /// The snapshot of a conversation read with its current branch.
    public init(_ detail: ConversationDetail) {
        self.init(
            title: detail.conversation.title,
            messages: detail.messages.map {
                SharedMessage(role: $0.role, content: $0.content, timestamp: $0.timestamp, model: $0.details.model)
            })
    }
}

/// One message of a ``SharedConversation``.
public struct SharedMessage: Sendable, Hashable, Codable {
    public var role: String
    public var content: String
    public var timestamp: Timestamp?
    public var model: String?

    public init(role: String, content: String, timestamp: Timestamp?, model: String?) {
        self.role = role
        self.content = content
        self.timestamp = timestamp
        self.model = model
    }
}

/// A conversation's share link: its id (the secret in the link), when it was made, and when its
/// snapshot was last taken.
public struct ShareLink: Sendable, Hashable {
    public var id: String
    public var conversationID: String
    public var title: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, conversationID: String, title: String, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.conversationID = conversationID
        self.title = title
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
