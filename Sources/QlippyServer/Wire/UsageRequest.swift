import QlippyModel

/// `GET /api/users/{user_id}/usage`'s query parameters, validated: `group_by` (`model`, the
/// default, or `day`), `from` and `to` (UTC days, inclusive, each optional).
struct UsageRequest {
    var groupBy: UsageGrouping
    var from: UTCDay?
    var to: UTCDay?

    init(_ parameters: QueryParameters) throws(APIError) {
        switch parameters["group_by"] {
        case nil: groupBy = .model
        case let name?:
            guard let grouping = UsageGrouping(rawValue: name) else { throw .invalidParameter("group_by", "model or day") }
            groupBy = grouping
        }
        from = try Self.day(parameters["from"], "from")
        to = try Self.day(parameters["to"], "to")
    }

    private static func day(_ text: String?, _ name: String) throws(APIError) -> UTCDay? {
        guard let text else { return nil }
        guard let day = UTCDay(text) else { throw .invalidParameter(name, "a date (YYYY-MM-DD)") }
        return day
    }
}
