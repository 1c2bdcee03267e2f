/// What a user may do beyond their own history: an admin manages accounts, a user only signs in.
public enum Role: String, Sendable, Equatable, CaseIterable {
    case admin, user
}

/// A user with their sign-in state. Users adopted from the original's file have no account row:
/// they are plain users, enabled, without a password (they cannot sign in until one is set).
public struct Account: Sendable, Equatable {
    public var user: User
    public var role: Role
    public var disabled: Bool
    public var hasPassword: Bool

    public init(user: User, role: Role, disabled: Bool, hasPassword: Bool) {
        self.user = user
        self.role = role
        self.disabled = disabled
        self.hasPassword = hasPassword
    }
}

/// What a sign-in checks a password against; never leaves the server.
public struct StoredCredentials: Sendable, Equatable {
    public var principal: Principal
    /// The bcrypt hash, `nil` for a user who has no password yet.
    public var passwordHash: String?

    public init(principal: Principal, passwordHash: String?) {
        self.principal = principal
        self.passwordHash = passwordHash
    }
}

/// The changes an admin (or the command line) makes to an account; `nil` leaves a field as it is.
public struct AccountChanges: Sendable, Equatable {
    public var passwordHash: String?
    public var role: Role?
    public var disabled: Bool?

    public init(passwordHash: String? = nil, role: Role? = nil, disabled: Bool? = nil) {
        self.passwordHash = passwordHash
        self.role = role
        self.disabled = disabled
    }
}

/// Who a request's credential names, as the store finds them at that moment.
public struct Principal: Sendable, Equatable {
    public var userID: String
    public var role: Role
    public var disabled: Bool

    public init(userID: String, role: Role, disabled: Bool) {
        self.userID = userID
        self.role = role
        self.disabled = disabled
    }
}

/// An API key as its owner sees it: never the secret, which is shown once at creation.
public struct APIKey: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The key's first characters (`qlp_` and a few more), to tell keys apart in a list.
    public var prefix: String
    public var createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var expiresAt: Timestamp?

    public init(id: String, name: String, prefix: String, createdAt: Timestamp, lastUsedAt: Timestamp?, expiresAt: Timestamp?) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
    }
}

/// What presenting a refresh token did (OAuth 2.1 refresh rotation).
public enum RefreshOutcome: Sendable, Equatable {
    /// The token was current: it is spent now, and `next` (stored as given) replaces it.
    case rotated(userID: String, family: String)
    /// The token was spent already, or its sign-in was revoked: the whole family is revoked now.
    case reused
    /// No such token, or it has expired.
    case unknown
}

/// A resource a route names by id, whose owner decides who may reach it.
public enum OwnedResource: Sendable, Equatable {
    case user(String)
    case conversation(String)
    case message(String)
    case plugin(String)

    /// What a missing one is called in its "not found" answer.
    public var entity: Entity { byKind(user: .user, conversation: .conversation, message: .message, plugin: .plugin) }

    public var id: String {
        switch self {
        case .user(let id), .conversation(let id), .message(let id), .plugin(let id): id
        }
    }

    /// The value given for this resource's kind: how a store picks its statement for one.
    public func byKind<Value>(user: Value, conversation: Value, message: Value, plugin: Value) -> Value {
        switch self {
        case .user: user
        case .conversation: conversation
        case .message: message
        case .plugin: plugin
        }
    }
}
