import GRDB
import GRDBSQLite
import QlippyModel
import QlippyStore

/// The current row of a statement being stepped, read by position straight from SQLite's buffers.
///
/// Text is taken with its byte length (`sqlite3_column_bytes`), not as a C string: a message
/// containing U+0000 comes back whole (reading it as a C string cut it there). Timestamps are parsed
/// from the column's bytes without building a `String` first. A legacy row with an odd value yields
/// `nil`, never a crash: SQLite converts any stored type to text or integer on request.
struct Columns {
    let statement: SQLiteStatement

    func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(statement, index) == SQLITE_NULL
    }

    func text(_ index: Int32) -> String? {
        withBytes(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// The first `length` Unicode scalars of a text column, as ``TextPrefix`` computes them, but
    /// decoding only the bytes kept: a list decodes 50 previews from 804-byte heads, and turning
    /// whole heads into strings to cut them is a tenth of a light user's list.
    func textPrefix(_ index: Int32, length: Int) -> TextPrefix? {
        withBytes(index) { bytes in
            var scalars = 0
            var cut = bytes.count
            for offset in bytes.indices where bytes[offset] & 0xC0 != 0x80 {
                if scalars == length {
                    cut = offset
                    break
                }
                scalars += 1
            }
            let kept = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<cut]), as: UTF8.self)
            // Counting lead bytes is exact for valid UTF-8 only: if decoding had to repair the kept
            // bytes, cut the repaired whole text instead.
            guard kept.utf8.count == cut else { return TextPrefix(of: String(decoding: bytes, as: UTF8.self), length: length) }
            return TextPrefix(text: kept, isTruncated: cut < bytes.count)
        }
    }

    func timestamp(_ index: Int32) -> Timestamp? {
        withBytes(index) { Timestamp.parse($0) } ?? nil
    }

    func bool(_ index: Int32) -> Bool? {
        isNull(index) ? nil : sqlite3_column_int64(statement, index) != 0
    }

    func int(_ index: Int32) -> Int {
        Int(sqlite3_column_int64(statement, index))
    }

    func optionalInt(_ index: Int32) -> Int? {
        isNull(index) ? nil : int(index)
    }

    func int64(_ index: Int32) -> Int64 {
        sqlite3_column_int64(statement, index)
    }

    /// The column's UTF-8 bytes, valid only during `body`; `nil` for NULL.
    func withBytes<Value>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Value) -> Value? {
        guard !isNull(index) else { return nil }
        // Text first, then its length: the documented order for a stable pointer.
        guard let text = sqlite3_column_text(statement, index) else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return body(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))))
    }
}

// Each decoder reads the columns in the order `Queries` lists them.

extension User {
    /// `Queries.userColumns` then the conversation count.
    init(_ row: Columns) {
        self.init(id: row.text(0) ?? "", username: row.text(1) ?? "", createdAt: row.timestamp(2), conversationCount: row.int(3))
    }
}

extension Conversation {
    /// `Queries.conversationColumns` then the message count.
    init(_ row: Columns) {
        self.init(
            id: row.text(0) ?? "", title: row.text(1) ?? "", folder: row.text(2), userID: row.text(3) ?? "",
            createdAt: row.timestamp(4), lastUpdated: row.timestamp(5), messageCount: row.int(10), marks: ConversationMarks(row, at: 6)
        )
    }
}

extension ConversationSummary {
    /// `Queries.conversationColumns`, the message count, then the newest message's stored head.
    init(_ row: Columns, previewLength: Int) {
        self.init(conversation: Conversation(row), lastMessagePreview: row.textPrefix(11, length: previewLength))
    }
}

extension ConversationMarks {
    /// What separates a conversation's tags in `conversation_marks.tags`: no tag holds a control character.
    static let storedSeparator: Character = "\u{1F}"

    /// `pinned`, `archived`, `tags` and `expires_at` of `conversation_marks` from column `first`
    /// on; NULLs (no row) are no marks.
    init(_ row: Columns, at first: Int32) {
        guard !row.isNull(first) else {
            self = .none
            return
        }
        self.init(
            pinned: row.bool(first) ?? false, archived: row.bool(first + 1) ?? false,
            tags: row.text(first + 2).map { $0.split(separator: Self.storedSeparator).map(String.init) } ?? [],
            expiresAt: row.timestamp(first + 3))
    }

    /// The tags as `conversation_marks.tags` keeps them; NULL for none.
    var storedTags: String? {
        tags.isEmpty ? nil : tags.joined(separator: String(Self.storedSeparator))
    }
}

extension Message {
    /// `Queries.messageColumns`.
    init(_ row: Columns) {
        self.init(
            id: row.text(0) ?? "", conversationID: row.text(1) ?? "", role: row.text(2) ?? "",
            content: row.text(3) ?? "", timestamp: row.timestamp(4)
        )
    }
}

extension MessageDetails {
    /// `Queries.details`' columns: the message id, then the details.
    init(_ row: Columns) {
        self.init(
            model: row.text(1), inputTokens: row.optionalInt(2), outputTokens: row.optionalInt(3), finishReason: row.text(4),
            metadataJSON: row.text(5))
    }
}

extension Folder {
    /// `Queries.foldersOfUser`'s columns.
    init(_ row: Columns) {
        self.init(name: row.text(0) ?? "", conversationCount: row.int(1), lastUpdated: row.timestamp(2))
    }
}

extension Tag {
    /// `Queries.tagsOfUser`' columns.
    init(_ row: Columns) {
        self.init(name: row.text(0) ?? "", conversationCount: row.int(1))
    }
}

extension ShareLink {
    /// `Queries.shareLinkColumns`.
    init(_ row: Columns) {
        self.init(
            id: row.text(0) ?? "", conversationID: row.text(1) ?? "", title: row.text(2) ?? "", createdAt: row.timestamp(3) ?? .now(),
            updatedAt: row.timestamp(4) ?? .now())
    }
}

extension Plugin {
    /// `Queries.pluginColumns`.
    init(_ row: Columns) {
        self.init(
            id: row.text(0) ?? "", userID: row.text(1) ?? "", name: row.text(2) ?? "",
            description: row.text(3), enabled: row.bool(4), createdAt: row.timestamp(5)
        )
    }
}
