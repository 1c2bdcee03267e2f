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

/// Lenient column readers: a legacy row with an odd value yields `nil`, never a crash.
extension Row {
    func text(_ column: String) -> String? {
        String.fromDatabaseValue(self[column] as DatabaseValue)
    }

    func timestamp(_ column: String) -> Timestamp? {
        text(column).flatMap(Timestamp.init(iso8601:))
    }

    func bool(_ column: String) -> Bool? {
        Bool.fromDatabaseValue(self[column] as DatabaseValue)
    }

    func int(_ column: String) -> Int {
        Int.fromDatabaseValue(self[column] as DatabaseValue) ?? 0
    }
}

extension User {
    init(row: Row) {
        self.init(
            id: row.text("id") ?? "", username: row.text("username") ?? "",
            createdAt: row.timestamp("created_at"), conversationCount: row.int("conversation_count")
        )
    }
}

extension Conversation {
    init(row: Row) {
        self.init(
            id: row.text("id") ?? "", title: row.text("title") ?? "", folder: row.text("folder"),
            userID: row.text("user_id") ?? "", createdAt: row.timestamp("created_at"),
            lastUpdated: row.timestamp("last_updated"), messageCount: row.int("message_count")
        )
    }
}

extension Message {
    init(row: Row) {
        self.init(
            id: row.text("id") ?? "", conversationID: row.text("conversation_id") ?? "",
            role: row.text("role") ?? "", content: row.text("content") ?? "", timestamp: row.timestamp("timestamp")
        )
    }
}

extension Plugin {
    init(row: Row) {
        self.init(
            id: row.text("id") ?? "", userID: row.text("user_id") ?? "", name: row.text("name") ?? "",
            description: row.text("description"), enabled: row.bool("enabled"), createdAt: row.timestamp("created_at")
        )
    }
}
