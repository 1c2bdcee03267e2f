import GRDB

/// The original backend's column encodings, kept so the file stays readable by it.
extension Timestamp {
    /// `YYYY-MM-DD HH:MM:SS.ffffff`, naive UTC: how SQLAlchemy stored `DateTime` columns.
    public var storageText: String {
        let c = components
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(c.microsecond, 6))"
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// Lenient positional column readers: a legacy row with an odd value yields `nil`, never a crash.
///
/// `String` and `Int` read SQLite's own conversion of any stored type (`sqlite3_column_text`,
/// `_int64`), straight from the statement when the row comes from a cursor: no intermediate
/// `DatabaseValue` per column.
extension Row {
    func text(at index: Int) -> String? {
        hasNull(atIndex: index) ? nil : self[index] as String
    }

    func timestamp(at index: Int) -> Timestamp? {
        text(at: index).flatMap(Timestamp.init(iso8601:))
    }

    func bool(at index: Int) -> Bool? {
        hasNull(atIndex: index) ? nil : self[index] as Bool
    }

    func int(at index: Int) -> Int {
        hasNull(atIndex: index) ? 0 : self[index] as Int
    }
}

// Each decoder reads the columns in the order `Queries` lists them.

extension User {
    /// `Queries.userColumns` then the conversation count.
    init(row: Row) {
        self.init(id: row.text(at: 0) ?? "", username: row.text(at: 1) ?? "", createdAt: row.timestamp(at: 2), conversationCount: row.int(at: 3))
    }
}

extension Conversation {
    /// `Queries.conversationColumns` then the message count.
    init(row: Row) {
        self.init(
            id: row.text(at: 0) ?? "", title: row.text(at: 1) ?? "", folder: row.text(at: 2), userID: row.text(at: 3) ?? "",
            createdAt: row.timestamp(at: 4), lastUpdated: row.timestamp(at: 5), messageCount: row.int(at: 6)
        )
    }
}

extension Message {
    /// `Queries.messageColumns`.
    init(row: Row) {
        self.init(
            id: row.text(at: 0) ?? "", conversationID: row.text(at: 1) ?? "", role: row.text(at: 2) ?? "",
            content: row.text(at: 3) ?? "", timestamp: row.timestamp(at: 4)
        )
    }
}

extension Plugin {
    /// `Queries.pluginColumns`.
    init(row: Row) {
        self.init(
            id: row.text(at: 0) ?? "", userID: row.text(at: 1) ?? "", name: row.text(at: 2) ?? "",
            description: row.text(at: 3), enabled: row.bool(at: 4), createdAt: row.timestamp(at: 5)
        )
    }
}
