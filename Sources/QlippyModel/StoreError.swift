/// The kinds of stored thing, for "not found" errors.
public enum Entity: String, Sendable, Hashable {
    case user, conversation, message, plugin, folder, tag, share, apiKey
}

/// Failures a caller is expected to handle; anything else thrown by a store is an internal error.
public enum StoreError: Error, Sendable, Hashable {
    case notFound(Entity)
    case usernameTaken
    /// The database did not answer (a lost connection, or none within the store's deadline); the
    /// request may succeed when repeated.
    case unavailable
    /// Text the database cannot hold (PostgreSQL's text type has no U+0000).
    case unsupportedText
    /// A message named by this field is not one of the conversation's.
    case notInConversation(TreeField)
}

/// The fields that name a message of the same conversation.
public enum TreeField: String, Sendable, Hashable {
    case parentID = "parent_id"
    case currentMessageID = "current_message_id"
}

extension StoreError: CustomStringConvertible {
    /// For logs and the command line; the API's wording is the wire layer's.
    public var description: String {
        switch self {
        case .notFound(let entity): "\(entity.rawValue) not found"
        case .usernameTaken: "username already exists"
        case .unavailable: "the database did not answer (connection lost, or no answer within the deadline)"
        case .unsupportedText: "text contains a character the database cannot store (U+0000)"
        case .notInConversation(let field): "\(field.rawValue) is not a message of the conversation"
        }
    }
}
