/// A partial update of a conversation: `nil` leaves a field as it is.
public struct ConversationChanges: Sendable, Hashable {
    public var title: String?
    /// `.some(nil)` clears the folder; `nil` leaves it unchanged.
    public var folder: String??
    /// Switches the current branch to the newest leaf under this message.
    public var currentMessageID: String?

    public init(title: String? = nil, folder: String?? = nil, currentMessageID: String? = nil) {
        self.title = title
        self.folder = folder
        self.currentMessageID = currentMessageID
    }

    /// Whether a title or folder changes: what makes an update an edit that bumps `last_updated`
    /// (switching branch alone does not).
    public var editsFields: Bool { title != nil || folder != nil }
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
