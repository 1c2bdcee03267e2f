/// A person using the chat client. `conversationCount` is computed, not stored.
public struct User: Sendable, Hashable, Codable {
    public var id: String
    public var username: String
    public var createdAt: Timestamp?
    public var conversationCount: Int

    public init(id: String, username: String, createdAt: Timestamp?, conversationCount: Int) {
        self.id = id
        self.username = username
        self.createdAt = createdAt
        self.conversationCount = conversationCount
    }
}

/// A conversation's own fields plus its computed message count.
public struct Conversation: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var folder: String?
    public var userID: String
    public var createdAt: Timestamp?
    public var lastUpdated: Timestamp?
    public var messageCount: Int
    /// The current branch's last message; set once the conversation has branched (see
    /// ``ConversationTree``), and on a read of every branch.
    public var currentMessageID: String?
    /// How the user organizes it (pinned, archived, tags); none for most conversations.
    public var marks: ConversationMarks

    public init(
        id: String, title: String, folder: String?, userID: String, createdAt: Timestamp?, lastUpdated: Timestamp?, messageCount: Int,
        currentMessageID: String? = nil, marks: ConversationMarks = .none
    ) {
        self.id = id
        self.title = title
        self.folder = folder
        self.userID = userID
        self.createdAt = createdAt
        self.lastUpdated = lastUpdated
        self.messageCount = messageCount
        self.currentMessageID = currentMessageID
        self.marks = marks
    }
}

/// A conversation as the user's list shows it: with the beginning of its newest message.
public struct ConversationSummary: Sendable, Hashable, Codable {
    public var conversation: Conversation
    /// The newest message's content, cut to the requested length; `nil` when there is no message.
    public var lastMessagePreview: TextPrefix?

    public init(conversation: Conversation, lastMessagePreview: TextPrefix?) {
        self.conversation = conversation
        self.lastMessagePreview = lastMessagePreview
    }
}

/// A conversation with its current branch, first message first, or with every message, oldest
/// first (ties in creation order), as the read asked; for a conversation that never branched both
/// are all of its messages.
public struct ConversationDetail: Sendable, Hashable, Codable {
    public var conversation: Conversation
    public var messages: [Message]

    public init(conversation: Conversation, messages: [Message]) {
        self.conversation = conversation
        self.messages = messages
    }
}

/// One chat message. `role` is kept as stored so that legacy rows are served unchanged.
public struct Message: Sendable, Hashable, Codable {
    public var id: String
    public var conversationID: String
    public var role: String
    public var content: String
    public var timestamp: Timestamp?
    /// Model, usage, finish reason and metadata; ``MessageDetails/none`` for most messages.
    public var details: MessageDetails
    /// The message's parent; set in a conversation that has branched, and on a read of every branch.
    public var parent: MessageParent?

    public init(
        id: String, conversationID: String, role: String, content: String, timestamp: Timestamp?, details: MessageDetails = .none,
        parent: MessageParent? = nil
    ) {
        self.id = id
        self.conversationID = conversationID
        self.role = role
        self.content = content
        self.timestamp = timestamp
        self.details = details
        self.parent = parent
    }
}

/// A per-user plugin setting. `description` and `enabled` are nullable in the original's schema.
public struct Plugin: Sendable, Hashable, Codable {
    public var id: String
    public var userID: String
    public var name: String
    public var description: String?
    public var enabled: Bool?
    public var createdAt: Timestamp?

    public init(id: String, userID: String, name: String, description: String?, enabled: Bool?, createdAt: Timestamp?) {
        self.id = id
        self.userID = userID
        self.name = name
        self.description = description
        self.enabled = enabled
        self.createdAt = createdAt
    }
}

/// The first characters (Unicode scalars) of a text, and whether anything was cut off.
///
/// Stores return this instead of whole contents so that a listing never has to load a long message
/// just to show its beginning.
public struct TextPrefix: Sendable, Hashable, Codable {
    public var text: String
    public var isTruncated: Bool

    public init(text: String, isTruncated: Bool) {
        self.text = text
        self.isTruncated = isTruncated
    }

    /// Cuts `text` to at most `length` Unicode scalars.
    public init(of text: String, length: Int) {
        let scalars = text.unicodeScalars
        if let cut = scalars.index(scalars.startIndex, offsetBy: length, limitedBy: scalars.endIndex), cut != scalars.endIndex {
            self.init(text: String(scalars[..<cut]), isTruncated: true)
        } else {
            self.init(text: text, isTruncated: false)
        }
    }
}

/// A tag as the API lists it: the conversations carrying it, matched case-insensitively
/// (``ConversationMarks/tagKey(_:)``), under the spelling that sorts first in byte order.
public struct Tag: Sendable, Hashable {
    public var name: String
    public var conversationCount: Int

    public init(name: String, conversationCount: Int) {
        self.name = name
        self.conversationCount = conversationCount
    }

    /// Byte order of the names, as ``Folder/sorted(_:)``.
    public static func sorted(_ tags: [Tag]) -> [Tag] {
        tags.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }
}

/// A folder as the API lists it: conversations sharing one `folder` string (no table of its own,
/// so that the original's column stays the only place a folder lives).
public struct Folder: Sendable, Hashable {
    public var name: String
    public var conversationCount: Int
    public var lastUpdated: Timestamp?

    public init(name: String, conversationCount: Int, lastUpdated: Timestamp?) {
        self.name = name
        self.conversationCount = conversationCount
        self.lastUpdated = lastUpdated
    }

    /// Byte order of the names: the same on every store, whatever a database's collation.
    public static func sorted(_ folders: [Folder]) -> [Folder] {
        folders.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }
}
