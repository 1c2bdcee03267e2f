import QlippyModel

// The request bodies of accounts mode, validated like the contract's (``JSONBody``).

/// `POST /api/auth/login`.
struct LoginRequest {
    var username: String
    var password: String

    init(_ body: JSONBody) throws(APIError) {
        guard case .value(let username) = try body.string("username"), !username.isEmpty else { throw .usernameRequired }
        guard case .value(let password) = try body.string("password"), !password.isEmpty else { throw .passwordRequired }
        self.username = username
        self.password = password
    }
}

/// `POST /api/auth/refresh`.
struct RefreshRequest {
    var refreshToken: String

    init(_ body: JSONBody) throws(APIError) {
        guard case .value(let token) = try body.string("refresh_token"), !token.isEmpty else { throw .refreshTokenRequired }
        refreshToken = token
    }
}

/// `PUT /api/auth/password`.
struct ChangePasswordRequest {
    var currentPassword: String
    var newPassword: String

    init(_ body: JSONBody) throws(APIError) {
        guard case .value(let current) = try body.string("current_password"), case .value(let new) = try body.string("new_password")
        else { throw .passwordRequired }
        currentPassword = current
        newPassword = new
    }
}

/// `POST /api/users` in accounts mode: a username and a password; `role` from an admin only.
struct CreateAccountRequest {
    var username: String
    var password: String
    var role: Role?

    init(_ body: JSONBody) throws(APIError) {
        username = try CreateUserRequest(body).username
        guard case .value(let password) = try body.string("password") else { throw .passwordRequired }
        self.password = password
        role = try readRole(body)
    }
}

/// `PATCH /api/users/{user_id}`: what an admin changes of an account.
struct UpdateAccountRequest {
    var password: String?
    var role: Role?
    var disabled: Bool?

    init(_ body: JSONBody) throws(APIError) {
        password = try optionalValue(body.string("password"), "password", expected: "a string")
        role = try readRole(body)
        disabled = try optionalValue(body.bool("disabled"), "disabled", expected: "a boolean")
    }
}

/// `POST /api/auth/keys`.
struct CreateAPIKeyRequest {
    static let nameLimit = 100
    var name: String
    var expiresAt: Timestamp?

    init(_ body: JSONBody, now: Timestamp = .now()) throws(APIError) {
        guard case .value(let name) = try body.string("name"), !name.allSatisfy(\.isWhitespace) else { throw .keyNameRequired }
        self.name = try checkLength(name, "name", Self.nameLimit)
        expiresAt = try optionalValue(body.string("expires_at"), "expires_at", expected: "an RFC 3339 date-time").map {
            text throws(APIError) in try futureTimestamp(text, now: now)
        }
    }
}

/// An optional `role`: `"admin"` or `"user"`.
private func readRole(_ body: JSONBody) throws(APIError) -> Role? {
    let expected = #""admin" or "user""#
    return try optionalValue(body.string("role"), "role", expected: expected).map { raw throws(APIError) in
        guard let role = Role(rawValue: raw) else { throw .wrongType("role", expected: expected) }
        return role
    }
}
