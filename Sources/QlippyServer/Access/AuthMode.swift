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

/// Who may read a share link (`--share-links`): nobody (no links are made), anyone with the link,
/// or a caller with a credential (any signed-in user in accounts mode, the token in token mode).
public enum ShareLinkPolicy: String, Sendable, Equatable, CaseIterable {
    case off, `public`, accounts
}
