import Foundation
import QlippyModel

/// Read-only share links of conversations (``SharedConversation``): at most one per conversation,
/// gone with it.
public protocol ShareLinks: Sendable {
    /// Takes a snapshot of the conversation's current branch now: under its link when it has one
    /// (the link keeps its id and `createdAt`), else under a new link `newID`. Returns the link and
    /// whether it is new.
    func share(conversationID: String, newID: String) async throws -> (link: ShareLink, created: Bool)
    /// Revokes the conversation's link; "not found" (``Entity/share``) when it has none.
    func unshare(conversationID: String) async throws
    /// The snapshot under a link, with the link; "not found" for an unknown link, or one whose
    /// conversation has expired.
    func sharedConversation(shareID: String) async throws -> (SharedConversation, ShareLink)
    /// The user's links, newest first.
    func shareLinks(ofUser userID: String) async throws -> [ShareLink]
}

/// How both stores keep a snapshot: one JSON text.
extension SharedConversation {
    public func stored() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    public init(stored: String) throws {
        self = try JSONDecoder().decode(SharedConversation.self, from: Data(stored.utf8))
    }
}
