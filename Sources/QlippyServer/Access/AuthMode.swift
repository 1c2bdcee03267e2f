/// Who may use the server (`--auth`).
public enum AuthMode: String, Sendable, Equatable, CaseIterable {
    /// No credential: the desktop client on loopback, as the original ran.
    case none
    /// One shared token (`QLIPPY_API_TOKEN`) for every route but health.
    case token
    /// Every user signs in and reaches only their own history.
    case accounts
}

/// Whether `POST /api/users` with a password needs an admin (`--signup`).
public enum SignupPolicy: String, Sendable, Equatable, CaseIterable {
    case closed, open
}
