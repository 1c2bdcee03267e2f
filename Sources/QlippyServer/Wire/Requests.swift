import QlippyModel
import QlippyStore

// The contract's request bodies, validated: each type reads a ``JSONBody`` and either yields
// clean values or throws the ``APIError`` the contract prescribes. Lengths count Unicode scalars
// (``FieldLimits``).

/// `POST /api/users`.
struct CreateUserRequest {
    var username: String

    init(_ body: JSONBody) throws(APIError) {
        guard case .value(let username) = try body.string("username"),
            !username.allSatisfy(\.isWhitespace)
        else { throw .usernameRequired }
        self.username = try checkLength(username, "username", FieldLimits.username)
    }
}

/// `POST /api/users/{user_id}/conversations`: `temporary` makes it expire after the server's
/// `--temporary-retention`; `expires_at`, at that time.
struct CreateConversationRequest {
    var title: String
    var folder: String?
    var expiry: ConversationExpiry

    init(_ body: JSONBody, temporaryRetention: Duration, now: Timestamp = .now()) throws(APIError) {
        title = try readTitle(body) ?? Conversation.defaultTitle
        folder = try readFolder(body) ?? nil
        let temporary = try optionalValue(body.bool("temporary"), "temporary", expected: "a boolean") ?? false
        let expiresAt = try readExpiry(body, now: now) ?? nil
        if temporary && expiresAt != nil { throw .temporaryOrExpiry }
        expiry = temporary ? .after(temporaryRetention) : expiresAt.map(ConversationExpiry.at) ?? .never
    }
}

/// `PUT /api/conversations/{id}`.
struct UpdateConversationRequest {
    var changes: ConversationChanges

    init(_ body: JSONBody) throws(APIError) {
        changes = ConversationChanges(
            title: try readTitle(body), folder: try readFolder(body),
            currentMessageID: try optionalValue(body.string("current_message_id"), "current_message_id", expected: "a string").map {
                id throws(APIError) in try messageID(id, "current_message_id")
            },
            pinned: try optionalValue(body.bool("pinned"), "pinned", expected: "a boolean"),
            archived: try optionalValue(body.bool("archived"), "archived", expected: "a boolean"),
            tags: try readTags(body), expiresAt: try readExpiry(body))
    }
}

/// `POST /api/conversations/{id}/messages`.
struct CreateMessageRequest {
    static let roles: Set<String> = ["user", "assistant"]
    var role: String
    var content: String
    var details: MessageDetails
    var parent: NewMessageParent

    init(_ body: JSONBody) throws(APIError) {
        let role = try body.string("role")
        let content = try body.string("content")
        guard case .value(let role) = role, !role.isEmpty, case .value(let content) = content, !content.isEmpty else {
            throw .roleAndContentRequired
        }
        guard Self.roles.contains(role) else { throw .invalidRole }
        self.role = role
        self.content = content
        details = MessageDetails.none.applying(try readMessageDetails(body))
        parent =
            switch try body.string("parent_id") {
            case .absent: .current
            case .null: .root
            case .value(let id): .message(try messageID(id, "parent_id"))
            }
    }
}

/// `PUT /api/messages/{id}`.
struct UpdateMessageRequest {
    var content: String?
    var details: MessageDetailChanges

    init(_ body: JSONBody) throws(APIError) {
        content = try optionalNonEmpty(body, "content")
        details = try readMessageDetails(body)
    }
}

/// `POST /api/users/{user_id}/plugins`.
struct CreatePluginRequest {
    var plugin: NewPlugin

    init(_ body: JSONBody) throws(APIError) {
        guard case .value(let name) = try body.string("name"), !name.isEmpty else { throw .pluginNameRequired }
        plugin = NewPlugin(
            name: try checkLength(name, "name", FieldLimits.pluginName),
            description: try optionalValue(body.string("description"), "description", expected: "a string") ?? "",
            enabled: try optionalValue(body.bool("enabled"), "enabled", expected: "a boolean") ?? true
        )
    }
}

/// `PUT /api/plugins/{id}`.
struct UpdatePluginRequest {
    var changes: PluginChanges

    init(_ body: JSONBody) throws(APIError) {
        let name = try optionalNonEmpty(body, "name")
        changes = PluginChanges(
            name: try name.map { name throws(APIError) in try checkLength(name, "name", FieldLimits.pluginName) },
            description: try optionalValue(body.string("description"), "description", expected: "a string"),
            enabled: try optionalValue(body.bool("enabled"), "enabled", expected: "a boolean")
        )
    }
}

/// `PUT /api/users/{user_id}/folders/{name}`: the new name, as a conversation's `folder` may be.
struct RenameFolderRequest {
    var name: String

    init(_ body: JSONBody) throws(APIError) {
        guard case .value(let name) = try body.string("name"), !name.isEmpty else { throw .folderNameRequired }
        self.name = try checkLength(name, "name", FieldLimits.folder)
    }
}

/// `PUT /api/users/{user_id}/tags/{name}`: the new name, as a conversation's tag may be.
struct RenameTagRequest {
    var name: String

    init(_ body: JSONBody) throws(APIError) {
        guard case .value(let name) = try body.string("name"), !name.isEmpty else { throw .tagNameRequired }
        guard ConversationMarks.isValidTag(name) else { throw .invalidTags }
        self.name = name
    }
}

// MARK: Shared field rules

func checkLength(_ text: String, _ field: String, _ limit: Int) throws(APIError) -> String {
    guard text.unicodeScalars.count <= limit else { throw .tooLong(field, limit: limit) }
    return text
}

/// A field that may be absent but, when present, may not be `null`.
func optionalValue<Value>(_ field: BodyField<Value>, _ name: String, expected: String) throws(APIError) -> Value? {
    switch field {
    case .absent: nil
    case .null: throw .wrongType(name, expected: expected)
    case .value(let value): value
    }
}

func optionalNonEmpty(_ body: JSONBody, _ name: String) throws(APIError) -> String? {
    let text = try optionalValue(body.string(name), name, expected: "a string")
    if text?.isEmpty == true { throw .empty(name) }
    return text
}

/// A message id from a body, lowercase as ids are stored; anything but a UUID names no message.
private func messageID(_ text: String, _ field: String) throws(APIError) -> String {
    guard let id = UUIDText.normalized(text) else { throw .notInConversation(field) }
    return id
}

private func readTitle(_ body: JSONBody) throws(APIError) -> String? {
    try optionalNonEmpty(body, "title").map { title throws(APIError) in try checkLength(title, "title", FieldLimits.title) }
}

/// A conversation's `expires_at`: a future RFC 3339 date-time, or `null` (`.some(nil)`: kept for
/// good); `nil` when absent.
private func readExpiry(_ body: JSONBody, now: Timestamp = .now()) throws(APIError) -> Timestamp?? {
    try body.string("expires_at").change.map { text throws(APIError) in
        try text.map { text throws(APIError) in try futureTimestamp(text, now: now) }
    }
}

/// An `expires_at` value: an RFC 3339 date-time after `now`.
func futureTimestamp(_ text: String, now: Timestamp) throws(APIError) -> Timestamp {
    guard let timestamp = Timestamp(iso8601: text) else { throw .wrongType("expires_at", expected: "an RFC 3339 date-time") }
    guard now < timestamp else { throw .expiryInThePast }
    return timestamp
}

/// A conversation's whole list of tags (``ConversationMarks/isValidTag(_:)``); `null` clears it.
private func readTags(_ body: JSONBody) throws(APIError) -> [String]? {
    let elements: [JSONValue]
    switch try body.array("tags", expected: "an array of strings") {
    case .absent: return nil
    case .null: return []
    case .value(let given): elements = given
    }
    guard elements.count <= FieldLimits.tags else { throw .invalidTags }
    return try elements.map { element throws(APIError) in
        guard case .string(let tag) = element, ConversationMarks.isValidTag(tag) else { throw .invalidTags }
        return tag
    }
}

/// `nil`: absent; `.some(nil)`: explicitly cleared.
private func readFolder(_ body: JSONBody) throws(APIError) -> String?? {
    switch try body.string("folder") {
    case .absent: return nil
    case .null: return .some(nil)
    case .value(let folder): return .some(try checkLength(folder, "folder", FieldLimits.folder))
    }
}
