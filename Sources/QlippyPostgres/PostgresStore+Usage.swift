import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    public func usage(ofUser userID: String, from: UTCDay?, to: UTCDay?, groupBy: UsageGrouping) async throws -> [UsageGroup] {
        // `-infinity` is the day of messages without a timestamp: inside the range only when it is open at both ends.
        let first = from?.text ?? (to == nil ? "-infinity" : "0001-01-01")
        let last = to?.text ?? "infinity"
        let rows = try await snapshot(deadline: deadline) { connection in
            var rows: [UsageTotal] = []
            for try await row in try await connection.query(
                """
                SELECT CASE WHEN day = '-infinity' THEN NULL ELSE day::text END, nullif(model, ''), messages, input_tokens, output_tokens
                FROM usage_totals WHERE user_id = \(userID) AND day BETWEEN \(first)::date AND \(last)::date
                """, logger: self.logger
            ).decode((String?, String?, Int64, Int64, Int64).self) {
                rows.append(
                    UsageTotal(day: row.0, model: row.1, messages: Int(row.2), inputTokens: Int(row.3), outputTokens: Int(row.4)))
            }
            if rows.isEmpty { try await self.requireUser(userID, connection) }
            return rows
        }
        return UsageTotal.summed(rows, by: groupBy)
    }
}
