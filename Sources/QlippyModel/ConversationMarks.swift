/// How a user organizes a conversation beyond its folder: pinned, archived, tagged, and when it
/// expires (a temporary chat).
///
/// Organizing is not editing: a change of marks keeps `last_updated`, so the list's order stays.
/// A conversation past its `expiresAt` is gone for every read at once, and deleted by the sweep
/// (``ConversationExpiry``) soon after.
/// Tags keep the order they were given in; two spellings of one tag (``tagKey(_:)``) are one tag,
/// and the first spelling stays.
public struct ConversationMarks: Sendable, Hashable, Codable {
    public var pinned: Bool
    public var archived: Bool
    public var tags: [String]
    public var expiresAt: Timestamp?

    public init(pinned: Bool = false, archived: Bool = false, tags: [String] = [], expiresAt: Timestamp? = nil) {
        self.pinned = pinned
        self.archived = archived
        self.tags = Self.tags(tags)
        self.expiresAt = expiresAt
    }

    /// A conversation nobody organized: what every conversation of the original's file has.
    public static let none = ConversationMarks()

    public var isNone: Bool { !pinned && !archived && tags.isEmpty && expiresAt == nil }

    /// What makes two tags one: their lowercase form (Unicode's full mapping), so that `Work`,
    /// `WORK` and `work` are one tag on every store, whatever a database's collation.
    public static func tagKey(_ tag: String) -> String {
        tag.lowercased()
    }

    /// The tags in the order given, each first spelling of a key kept, later ones dropped.
    public static func tags(_ given: [String]) -> [String] {
        var seen = Set<String>()
        return given.filter { seen.insert(tagKey($0)).inserted }
    }

    /// Whether a tag may be stored: 1 to ``FieldLimits/tag`` Unicode scalars, no control
    /// characters (stores keep a conversation's tags as one text, split at U+001F).
    public static func isValidTag(_ tag: String) -> Bool {
        let scalars = tag.unicodeScalars
        return !scalars.isEmpty && scalars.count <= FieldLimits.tag && !scalars.contains { $0.properties.generalCategory == .control }
    }

    /// The tags with tag `key` spelled `name` instead, where it stands; when the conversation
    /// carries `name`'s key already, the two merge into the first of them.
    public func renamingTag(_ key: String, to name: String) -> [String] {
        Self.tags(tags.map { Self.tagKey($0) == key ? name : $0 })
    }

    /// The tags without tag `key`.
    public func removingTag(_ key: String) -> [String] {
        tags.filter { Self.tagKey($0) != key }
    }
}

/// Which of a user's conversations a list or a search shows; the default is the original's list
/// less the archived conversations.
public struct ConversationFilter: Sendable, Hashable {
    /// Whether archived conversations are shown.
    public enum Archived: String, Sendable, Hashable, CaseIterable {
        /// Only conversations not archived (the default).
        case hidden = "false"
        /// Only archived ones.
        case only = "true"
        /// Every conversation.
        case all
    }

    /// Only this folder's; `""` only those without a folder (NULL or empty); `nil` any.
    public var folder: String?
    public var archived: Archived
    /// Only pinned (`true`) or unpinned (`false`) conversations; `nil` either.
    public var pinned: Bool?
    /// Only conversations carrying this tag (matched by ``ConversationMarks/tagKey(_:)``).
    public var tag: String?

    public init(folder: String? = nil, archived: Archived = .hidden, pinned: Bool? = nil, tag: String? = nil) {
        self.folder = folder
        self.archived = archived
        self.pinned = pinned
        self.tag = tag
    }
}

/// When a new conversation expires: never (the original's), a while after it is made (a
/// temporary chat: `--temporary-retention`), or at a given time.
public enum ConversationExpiry: Sendable, Hashable {
    case never
    case after(Duration)
    case at(Timestamp)

    /// The expiry of a conversation made at `now`.
    public func expiresAt(madeAt now: Timestamp) -> Timestamp? {
        switch self {
        case .never: nil
        case .after(let duration): now.plus(duration)
        case .at(let time): time
        }
    }
}
