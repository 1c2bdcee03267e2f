import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Password rules (NIST SP 800-63B): at least 12 characters, no composition rules, and not one of
/// the common passwords breach lists are made of.
enum PasswordPolicy {
    static let minimumLength = 12
    static let maximumLength = 1_024

    static let common: Set<String> = Set(
        String(decoding: PackageResources.common_passwords_txt, as: UTF8.self).split(separator: "\n").map(String.init))

    /// Why `password` cannot be used, or `nil` when it can.
    static func problem(with password: String, username: String) -> String? {
        if password.count < minimumLength { return "Password must be at least \(minimumLength) characters" }
        if password.count > maximumLength { return "Password must be at most \(maximumLength) characters" }
        let folded = password.lowercased()
        if common.contains(folded) || Set(folded).count == 1 || folded == username.lowercased() {
            return "Password is too common: choose one that is not on lists of leaked passwords"
        }
        return nil
    }
}

/// bcrypt (cost 12) on NIO's thread pool, so that the quarter of a second a hash takes never
/// blocks an event loop.
///
/// The password is hashed with SHA-256 first: bcrypt reads at most 72 bytes, and two long
/// passwords that share their first 72 bytes must not be the same password.
struct PasswordHasher: Sendable {
    static let cost: UInt8 = 12
    /// Compared against when there is no user or no password, so that an unknown username takes
    /// as long to refuse as a wrong password (no oracle for which usernames exist).
    private let decoy: String

    init() {
        decoy = Bcrypt.hash(Self.prepared("decoy password for unknown users"), cost: Self.cost)
    }

    func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(Self.prepared(password), cost: Self.cost) }
    }

    /// Whether `password` matches `hash`; with no hash, compares with the decoy and says no.
    func verify(_ password: String, hash: String?) async throws -> Bool {
        let matches = try await NIOThreadPool.singleton.runIfActive { [decoy] in Bcrypt.verify(Self.prepared(password), hash: hash ?? decoy)
        }
        return hash != nil && matches
    }

    private static func prepared(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }
}
