/// How many tokens a model read and wrote for a message, as the model's provider counted them.
public struct TokenUsage: Sendable, Hashable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int, outputTokens: Int) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// What a message records about its making beyond the original's fields: the model that wrote it,
/// what that cost, why it stopped, and the client's own string pairs (as OpenAI's `metadata`).
///
/// Every field is optional and most messages have none: a message without details is stored and
/// served exactly as the original did, so a client that never sends them sees no difference.
public struct MessageDetails: Sendable, Hashable, Codable {
    public var model: String?
    public var usage: TokenUsage?
    public var finishReason: String?
    /// Empty when the message has none; never more than ``FieldLimits/metadataPairs`` pairs.
    public var metadata: [String: String]

    public init(model: String? = nil, usage: TokenUsage? = nil, finishReason: String? = nil, metadata: [String: String] = [:]) {
        self.model = model
        self.usage = usage
        self.finishReason = finishReason
        self.metadata = metadata
    }

    public static let none = MessageDetails()

    public var isEmpty: Bool { self == .none }

    /// The pairs in byte order of their keys: the order they are written and hashed in.
    public var sortedMetadata: [(key: String, value: String)] {
        metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    /// These details with `changes` applied.
    public func applying(_ changes: MessageDetailChanges) -> MessageDetails {
        var details = self
        if let model = changes.model { details.model = model }
        if let usage = changes.usage { details.usage = usage }
        if let finishReason = changes.finishReason { details.finishReason = finishReason }
        if let metadata = changes.metadata { details.metadata = metadata }
        return details
    }
}

/// A partial update of a message's details: `nil` leaves a field as it is, `.some(nil)` clears it
/// (an empty `metadata` clears the pairs).
public struct MessageDetailChanges: Sendable, Hashable {
    public var model: String??
    public var usage: TokenUsage??
    public var finishReason: String??
    public var metadata: [String: String]?

    public init(model: String?? = nil, usage: TokenUsage?? = nil, finishReason: String?? = nil, metadata: [String: String]? = nil) {
        self.model = model
        self.usage = usage
        self.finishReason = finishReason
        self.metadata = metadata
    }

    public var isEmpty: Bool { model == nil && usage == nil && finishReason == nil && metadata == nil }
}

/// What is wrong with a message's details, by the field it names (`usage.input_tokens`,
/// `metadata key`): the API's 400 and an import's reason for skipping a conversation say it.
public enum MessageDetailProblem: Error, Sendable, Hashable, CustomStringConvertible {
    case empty(field: String)
    case tooLong(field: String, limit: Int)
    case tooManyPairs(field: String, limit: Int)
    case outOfRange(field: String)

    public var description: String {
        switch self {
        case .empty(let field): "\(field) must not be empty"
        case .tooLong(let field, let limit): "\(field) must be at most \(limit) characters"
        case .tooManyPairs(let field, let limit): "\(field) must have at most \(limit) pairs"
        case .outOfRange(let field): "\(field) must be a whole number from 0 to \(FieldLimits.tokenCount)"
        }
    }
}

extension MessageDetails {
    /// The first value outside ``FieldLimits``, if any. Lengths count Unicode scalars.
    public var problem: MessageDetailProblem? {
        if let model, let problem = Self.check(model, "model", FieldLimits.model) { return problem }
        if let finishReason, let problem = Self.check(finishReason, "finish_reason", FieldLimits.finishReason) { return problem }
        if let usage {
            for (field, count) in [("usage.input_tokens", usage.inputTokens), ("usage.output_tokens", usage.outputTokens)]
            where !(0...FieldLimits.tokenCount).contains(count) {
                return .outOfRange(field: field)
            }
        }
        guard metadata.count <= FieldLimits.metadataPairs else { return .tooManyPairs(field: "metadata", limit: FieldLimits.metadataPairs) }
        for (key, value) in sortedMetadata {
            if let problem = Self.check(key, "metadata key", FieldLimits.metadataKey) { return problem }
            if value.unicodeScalars.count > FieldLimits.metadataValue {
                return .tooLong(field: "metadata value", limit: FieldLimits.metadataValue)
            }
        }
        return nil
    }

    private static func check(_ text: String, _ field: String, _ limit: Int) -> MessageDetailProblem? {
        if text.isEmpty { return .empty(field: field) }
        return text.unicodeScalars.count > limit ? .tooLong(field: field, limit: limit) : nil
    }
}
