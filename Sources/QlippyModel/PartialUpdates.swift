/// A partial update of a conversation: `nil` leaves a field as it is.
public struct ConversationChanges: Sendable, Hashable {
    public var title: String?
    /// `.some(nil)` clears the folder; `nil` leaves it unchanged.
    public var folder: String??
    /// Switches the current branch to the newest leaf under this message.
    public var currentMessageID: String?
    public var pinned: Bool?
    public var archived: Bool?
    /// The conversation's whole new list of tags, as ``ConversationMarks/tags(_:)`` keeps it.
    public var tags: [String]?
    /// `.some(nil)` keeps the conversation for good; `nil` leaves its expiry as it is.
    public var expiresAt: Timestamp??

    public init(
        title: String? = nil, folder: String?? = nil, currentMessageID: String? = nil, pinned: Bool? = nil, archived: Bool? = nil,
        tags: [String]? = nil, expiresAt: Timestamp?? = nil
    ) {
        self.title = title
        self.folder = folder
        self.currentMessageID = currentMessageID
        self.pinned = pinned
        self.archived = archived
        self.tags = tags
        self.expiresAt = expiresAt
    }

    /// Whether a title or folder changes: what makes an update an edit that bumps `last_updated`
    /// (switching branch or organizing alone does not).
    public var editsFields: Bool { title != nil || folder != nil }

    /// Whether a pin, the archive, the tags or the expiry change.
    public var organizes: Bool { pinned != nil || archived != nil || tags != nil || expiresAt != nil }

    /// The marks after these changes.
    public func applied(to marks: ConversationMarks) -> ConversationMarks {
        ConversationMarks(
            pinned: pinned ?? marks.pinned, archived: archived ?? marks.archived, tags: tags.map(ConversationMarks.tags) ?? marks.tags,
            expiresAt: expiresAt ?? marks.expiresAt)
    }
}

/// A partial update of a plugin: `nil` leaves a field as it is.
public struct PluginChanges: Sendable, Hashable {
    public var name: String?
    public var description: String?
    public var enabled: Bool?

    public init(name: String? = nil, description: String? = nil, enabled: Bool? = nil) {
        self.name = name
        self.description = description
        self.enabled = enabled
    }
}

/// The fields of a new plugin.
public struct NewPlugin: Sendable, Hashable {
    public var name: String
    public var description: String
    public var enabled: Bool

    public init(name: String, description: String = "", enabled: Bool = true) {
        self.name = name
        self.description = description
        self.enabled = enabled
    }
}
