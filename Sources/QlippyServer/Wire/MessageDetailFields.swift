import QlippyModel

// A message body's details: `model`, `usage`, `finish_reason` and `metadata`. Each may be absent
// (unchanged), `null` (none) or a value of its type within ``FieldLimits`` (checked by
// ``MessageDetails/problem``, as an import checks them); anything else is a 400 that names the field.

/// The details a message body sets.
func readMessageDetails(_ body: JSONBody) throws(APIError) -> MessageDetailChanges {
    let changes = MessageDetailChanges(
        model: try body.string("model").change,
        usage: try readUsage(body),
        finishReason: try body.string("finish_reason").change,
        metadata: try readMetadata(body))
    if let problem = MessageDetails.none.applying(changes).problem { throw APIError(problem) }
    return changes
}

/// `{"input_tokens": n, "output_tokens": n}`, both whole numbers from 0 to 2^53 - 1, nothing else.
private func readUsage(_ body: JSONBody) throws(APIError) -> TokenUsage?? {
    let expected = "an object with input_tokens and output_tokens"
    switch try body.object("usage", expected: expected) {
    case .absent: return nil
    case .null: return .some(nil)
    case .value(let fields):
        guard fields.count == 2 else { throw .wrongType("usage", expected: expected) }
        return .some(TokenUsage(inputTokens: try tokenCount(fields, "input_tokens"), outputTokens: try tokenCount(fields, "output_tokens")))
    }
}

/// Checked as a `Double` before it becomes an `Int`, which a larger number would trap.
private func tokenCount(_ usage: [String: JSONValue], _ name: String) throws(APIError) -> Int {
    guard case .number(let number) = usage[name], number >= 0, number <= Double(FieldLimits.tokenCount), number == number.rounded()
    else { throw APIError(MessageDetailProblem.outOfRange(field: "usage.\(name)")) }
    return Int(number)
}

/// Pairs of strings; `null` and `{}` both clear them.
private func readMetadata(_ body: JSONBody) throws(APIError) -> [String: String]? {
    switch try body.object("metadata", expected: "an object of strings") {
    case .absent: return nil
    case .null: return [:]
    case .value(let fields):
        var pairs: [String: String] = [:]
        for (key, value) in fields {
            guard case .string(let text) = value else { throw .wrongType("metadata value", expected: "a string") }
            pairs[key] = text
        }
        return pairs
    }
}
