import QlippyModel

/// The query parameters of branched conversations: `branches` on the reads (`current`, the
/// default, or `all`) and `with_replies` on a message's delete (`false`, the default, or `true`).
enum BranchParameters {
    static func selection(_ parameters: QueryParameters) throws(APIError) -> BranchSelection {
        switch parameters["branches"] {
        case nil, "current": .current
        case "all": .all
        default: throw .invalidParameter("branches", "current or all")
        }
    }

    static func withReplies(_ parameters: QueryParameters) throws(APIError) -> Bool {
        switch parameters["with_replies"] {
        case nil, "false": false
        case "true": true
        default: throw .invalidParameter("with_replies", "true or false")
        }
    }
}
