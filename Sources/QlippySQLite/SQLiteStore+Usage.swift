import QlippyModel
import QlippyStore

extension SQLiteStore {
    public func usage(ofUser userID: String, from: UTCDay?, to: UTCDay?, groupBy: UsageGrouping) async throws -> [UsageGroup] {
        // `''` is the day of messages without a timestamp: inside the range only when it is open at both ends.
        let first = from?.text ?? (to == nil ? "" : "0")
        let last = to?.text ?? "~"
        let rows = try snapshot { connection in
            try connection.requireUser(id: userID)
            return try connection.fetchAll(Queries.usageTotals, [userID, first, last]) { row in
                UsageTotal(
                    day: row.text(0).flatMap { $0.isEmpty ? nil : $0 }, model: row.text(1).flatMap { $0.isEmpty ? nil : $0 },
                    messages: row.int(2), inputTokens: row.int(3), outputTokens: row.int(4))
            }
        }
        return UsageTotal.summed(rows, by: groupBy)
    }
}
