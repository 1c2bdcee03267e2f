import QlippyJSON
import QlippyModel
import QlippyStore

/// Our export format, `{"format": "qlippy-export", "version": 3, "exported_at", "user", "plugins",
/// "conversations": [...]}`, written page by page: the conversations are read from the store in
/// pages of ``pageSize`` and each page is handed on before the next is read, so memory stays flat
/// whatever the size of the history. Conversations and messages have the API's shapes, with every
/// id and timestamp as stored, every branch (each message with its `parent_id`, each conversation
/// with messages its `current_message_id`, as `?branches=all` answers), and the conversations'
/// marks (`pinned`, `archived`, `tags`, `expires_at`, when set; expired conversations are gone). Files of versions 1 (without branches) and 2
/// (without marks) import too.
public struct ExportWriter: Sendable {
    package static let format = "qlippy-export"
    package static let version = 3
    /// The versions the import reads: 1 (a line of messages, each under the one before it), 2
    /// (every branch) and 3 (with marks).
    package static let readableVersions = 1...3
    package static let pageSize = 50

    package let store: any ChatResources & HistoryTransfer
    package let user: User
    package let plugins: [Plugin]

    /// Reads the user and plugins first, so that an unknown user is "not found" before anything is sent.
    public init(store: any ChatResources & HistoryTransfer, userID: String) async throws {
        self.store = store
        user = try await store.user(id: userID)
        plugins = try await store.plugins(ofUser: userID)
    }

    /// Writes the whole document, handing each piece to `emit`; returns the conversations written.
    @discardableResult
    public func write(_ emit: ([UInt8]) async throws -> Void) async throws -> Int {
        var json = JSONWriter(capacity: 64 * 1024)
        json.beginObject()
        json.field("format", Self.format)
        json.field("version", Self.version)
        json.field("exported_at", Timestamp.now())
        json.key("user")
        json.write(user)
        json.key("plugins")
        json.write(array: plugins) { $0.write($1) }
        json.key("conversations")
        json.beginArray()
        var after: ExportCursor?
        var written = 0
        while true {
            let page = try await store.exportPage(userID: user.id, after: after, limit: Self.pageSize)
            for conversation in page { json.write(conversation) }
            written += page.count
            try await emit(json.takeBytes())
            guard page.count == Self.pageSize, let last = page.last else { break }
            after = ExportCursor(after: last.conversation)
        }
        json.endArray()
        json.endObject()
        try await emit(json.takeBytes())
        return written
    }
}
