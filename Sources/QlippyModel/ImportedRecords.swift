/// A conversation as an import brings it: its own fields and its messages, oldest first.
///
/// `id` is kept when it is free: our own export carries the original ids, and other formats derive
/// one from the source's id (so that importing the same file twice finds the conversation again).
/// A conversation the user already has under that id is left as it is; an id another user's row
/// holds is replaced by a new one, so an import never overwrites someone else's data.
public struct ImportedConversation: Sendable, Hashable {
    public var id: String
    public var title: String
    public var folder: String?
    public var createdAt: Timestamp?
    public var lastUpdated: Timestamp?
    /// In the store's order (time, messages without one first), so that a message without a parent
    /// hangs under the one before it once written.
    public var messages: [ImportedMessage]
    /// The current message (an id of `messages`); `nil`: the last one.
    public var currentMessageID: String?
    public var marks: ConversationMarks

    public init(
        id: String, title: String, folder: String?, createdAt: Timestamp?, lastUpdated: Timestamp?, messages: [ImportedMessage],
        currentMessageID: String? = nil, marks: ConversationMarks = .none
    ) {
        self.id = id
        self.title = title
        self.folder = folder
        self.createdAt = createdAt
        self.lastUpdated = lastUpdated
        self.messages = messages
        self.currentMessageID = currentMessageID
        self.marks = marks
    }
}

/// A message of an ``ImportedConversation``; its id follows the conversation's rule.
public struct ImportedMessage: Sendable, Hashable {
    public var id: String
    public var role: String
    public var content: String
    public var timestamp: Timestamp?
    public var details: MessageDetails
    /// Its parent (an id of the conversation's messages, or a root); `nil`: the message before it.
    public var parent: MessageParent?

    public init(
        id: String, role: String, content: String, timestamp: Timestamp?, details: MessageDetails = .none, parent: MessageParent? = nil
    ) {
        self.id = id
        self.role = role
        self.content = content
        self.timestamp = timestamp
        self.details = details
        self.parent = parent
    }
}

/// A plugin as our own export carries it; its id follows the conversation's rule.
public struct ImportedPlugin: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String?
    public var enabled: Bool?
    public var createdAt: Timestamp?

    public init(id: String, name: String, description: String?, enabled: Bool?, createdAt: Timestamp?) {
        self.id = id
        self.name = name
        self.description = description
        self.enabled = enabled
        self.createdAt = createdAt
    }
}

/// What importing one conversation or plugin did.
public enum ImportOutcome: Sendable, Hashable {
    /// Written, with this many messages (0 for a plugin).
    case imported(messages: Int)
    /// The user already has it under this id: nothing was written.
    case alreadyPresent
}

/// Where an export page starts: after the conversation with this creation time and id.
public struct ExportCursor: Sendable, Hashable {
    public var createdAt: Timestamp?
    public var id: String

    public init(after conversation: Conversation) {
        createdAt = conversation.createdAt
        id = conversation.id
    }
}
