/// A create that a client may send again under an `Idempotency-Key`: the store runs it and keeps
/// its reply under the key in the same transaction, so that a repeat after a lost answer (or
/// after a crash that followed the commit) gets that reply instead of a second row.
public enum Creation: Sendable, Hashable {
    case user(username: String)
    case conversation(userID: String, title: String, folder: String?, expiry: ConversationExpiry = .never)
    case message(
        conversationID: String, role: String, content: String, details: MessageDetails = .none, parent: NewMessageParent = .current)
    case plugin(userID: String, plugin: NewPlugin)

    /// What a repeat must ask for again, hashed (FNV-1a, 64 bits, over the fields and their
    /// lengths). Not a defence against a client that forges a collision: it would only replay
    /// its own earlier reply.
    public var fingerprint: String {
        let fields: [String?] =
            switch self {
            case .user(let username): ["user", username]
            case .conversation(let userID, let title, let folder, let expiry):
                ["conversation", userID, title, folder] + expiry.fingerprintFields
            case .message(let conversationID, let role, let content, let details, let parent):
                ["message", conversationID, role, content] + (details.isEmpty ? [] : details.fingerprintFields)
                    + parent.fingerprintFields
            case .plugin(let userID, let plugin): ["plugin", userID, plugin.name, plugin.description, String(plugin.enabled)]
            }
        var hash = FNV1a()
        for field in fields {
            let bytes = Array((field ?? "").utf8)
            hash.combine("\(field == nil ? -1 : bytes.count):".utf8)
            hash.combine(bytes)
        }
        return String(hash.value, radix: 16)
    }
}

/// A reply kept under an idempotency key, opaque to the store: the caller's bytes and a number of
/// the caller's choosing (the HTTP layer keeps its status code there). The store only hands both
/// back.
public struct StoredReply: Sendable, Hashable {
    public var code: Int
    public var body: [UInt8]

    public init(code: Int, body: [UInt8]) {
        self.code = code
        self.body = body
    }
}

/// What became of a keyed create.
public enum IdempotentOutcome: Sendable {
    /// Run now; the reply is kept under the key.
    case created(Resource, StoredReply)
    /// The key was used before for the same request: its reply, nothing written.
    case replayed(StoredReply)
    /// The key was used before for a different request: nothing written.
    case keyReused
}

/// What a key holds for a request that is not one create (an import, a backup): see
/// `IdempotentCreates.keptReply(scope:key:fingerprint:)` (QlippyStore).
public enum KeptReply: Sendable, Hashable {
    /// The key is unused (or its reply has expired).
    case none
    /// The key was used before for the same request: its reply.
    case replay(StoredReply)
    /// The key was used before for a different request.
    case keyReused
}

extension ConversationExpiry {
    /// The expiry as fingerprint fields (none for the original's "never"): a repeat of a
    /// temporary chat's create matches whenever it comes.
    fileprivate var fingerprintFields: [String?] {
        switch self {
        case .never: []
        case .after(let duration): ["expires after", String(duration.components.seconds)]
        case .at(let time): ["expires at", time.storageText]
        }
    }
}

extension NewMessageParent {
    /// The parent as fingerprint fields (none for the original's "after the current message").
    fileprivate var fingerprintFields: [String?] {
        switch self {
        case .current: []
        case .root: ["parent", nil]
        case .message(let id): ["parent", id]
        }
    }
}

extension MessageDetails {
    /// The details as fingerprint fields (a message without details adds none, so that its
    /// fingerprint is the one it had before messages had details).
    fileprivate var fingerprintFields: [String?] {
        ["details", model, usage.map { "\($0.inputTokens)" }, usage.map { "\($0.outputTokens)" }, finishReason]
            + sortedMetadata.flatMap { [$0.key, $0.value] }
    }
}
